/**
 * A BERT encoder (post-norm, GELU-erf, absolute positions) as an ONNX graph, in three precisions:
 * - `fp32`: float32 weights and compute.
 * - `fp16`: float16 weights and compute (for WebGPU adapters with `shader-f16`); int64 inputs; the output is
 *   cast back to float32 so every variant has the same output type.
 * - `int8`: per-column int8 weights with per-row dynamic uint8 activations (see quantize.ts); the word-embedding
 *   table is int8 per row; attention score/context products, softmax and LayerNorm stay float32.
 * Inputs `input_ids`, `attention_mask`, `token_type_ids` (int64 [batch, sequence]); outputs `last_hidden_state`
 * float32 [batch, sequence, hidden] and `sentence_embedding` float32 [batch, hidden], its mean over the tokens the
 * attention mask keeps (not normalised). Graph structure follows Hugging Face's BertModel, so the ONNX Runtime
 * transformer fusions (LayerNorm, GELU, attention) apply as they do to exported checkpoints.
 */
import {
  DataType,
  GraphBuilder,
  float16Tensor,
  floatTensor,
  int64Tensor,
  int8Tensor,
  type Tensor,
} from '../onnx/index.js';
import {
  QUANT_OPSETS,
  quantizeColumns,
  quantizeRows,
  quantizedLinears,
  rowQuantConstants,
  type RowQuantConstants,
} from './quantize.js';
import { Rng } from './prng.js';

export type Precision = 'fp32' | 'fp16' | 'int8';

export interface BertShape {
  readonly vocabSize: number;
  readonly hidden: number;
  readonly layers: number;
  readonly heads: number;
  readonly intermediate: number;
  readonly maxPositions: number;
  readonly typeVocab: number;
  readonly layerNormEps: number;
}

export interface Linear {
  readonly k: number;
  readonly n: number;
  /** Row-major [k, n]: y = x @ w + b. */
  readonly w: Float32Array;
  readonly b: Float32Array;
}

export interface LayerWeights {
  readonly q: Linear;
  readonly k: Linear;
  readonly v: Linear;
  readonly o: Linear;
  readonly ln1: readonly [Float32Array, Float32Array];
  readonly up: Linear;
  readonly down: Linear;
  readonly ln2: readonly [Float32Array, Float32Array];
}

export interface BertWeights {
  readonly word: Float32Array;
  readonly position: Float32Array;
  readonly type: Float32Array;
  readonly embLn: readonly [Float32Array, Float32Array];
  readonly layers: readonly LayerWeights[];
}

/**
 * Seeded weights with a trained BERT's scales: N(0, 0.02) matrices (query/key a little wider so attention is
 * not uniform), small biases, LayerNorm gamma ≈ 1 and beta ≈ 0.
 */
export function randomBertWeights(shape: BertShape, seed: string): BertWeights {
  const rng = new Rng(seed);
  const { hidden: h, intermediate: f } = shape;
  const linear = (k: number, n: number, std: number): Linear => ({
    k,
    n,
    w: rng.normals(k * n, std),
    b: rng.normals(n, 0.01),
  });
  const ln = (): readonly [Float32Array, Float32Array] => [rng.normals(h, 0.05, 1), rng.normals(h, 0.02)];
  const word = rng.normals(shape.vocabSize * h, 0.05);
  const position = rng.normals(shape.maxPositions * h, 0.02);
  const type = rng.normals(shape.typeVocab * h, 0.02);
  const embLn = ln();
  const layers: LayerWeights[] = [];
  for (let i = 0; i < shape.layers; i++) {
    layers.push({
      q: linear(h, h, 0.06),
      k: linear(h, h, 0.06),
      v: linear(h, h, 0.03),
      o: linear(h, h, 0.03),
      ln1: ln(),
      up: linear(h, f, 0.03),
      down: linear(f, h, 0.02),
      ln2: ln(),
    });
  }
  return { word, position, type, embLn, layers };
}

class Emitter {
  readonly g: GraphBuilder;
  readonly precision: Precision;
  readonly floatType: DataType;
  readonly #quant: RowQuantConstants | undefined;

  constructor(g: GraphBuilder, precision: Precision) {
    this.g = g;
    this.precision = precision;
    this.floatType = precision === 'fp16' ? DataType.FLOAT16 : DataType.FLOAT;
    this.#quant = precision === 'int8' ? rowQuantConstants(g) : undefined;
  }

  /** A float tensor in the graph's compute precision. */
  tensor(dims: readonly number[], data: Float32Array | readonly number[]): Tensor {
    return this.precision === 'fp16' ? float16Tensor(dims, data) : floatTensor(dims, data);
  }

  weight(name: string, dims: readonly number[], data: Float32Array): string {
    return this.g.initializer(name, this.tensor(dims, data));
  }

  scalar(value: number, hint: string): string {
    return this.g.constant(this.tensor([], [value]), hint);
  }

  linear(x: string, lin: Linear, name: string): string {
    return this.linears(x, [lin], [name])[0]!;
  }

  /**
   * Linears sharing their input. int8 fuses them (one activation quantisation, one GEMM, Split: see quantize.ts);
   * float precisions keep one MatMul + Add each, the pattern onnxruntime's attention fusion looks for.
   */
  linears(x: string, lins: readonly Linear[], names: readonly string[]): string[] {
    if (this.#quant !== undefined) {
      const fused = lins.length === 1 ? names[0]! : `${names[0]!.slice(0, names[0]!.lastIndexOf('.'))}.qkv`;
      return quantizedLinears(
        this.g,
        this.#quant,
        x,
        lins.map((l) => quantizeColumns(l.w, l.k, l.n)),
        lins.map((l) => l.b),
        fused,
      );
    }
    return lins.map((lin, i) => {
      const w = this.weight(`${names[i]}.weight`, [lin.k, lin.n], lin.w);
      const b = this.weight(`${names[i]}.bias`, [lin.n], lin.b);
      return this.g.node('Add', [this.g.node('MatMul', [x, w]), b]);
    });
  }

  layerNorm(x: string, [gamma, beta]: readonly [Float32Array, Float32Array], name: string, eps: number): string {
    const scale = this.weight(`${name}.weight`, [gamma.length], gamma);
    const bias = this.weight(`${name}.bias`, [beta.length], beta);
    return this.g.node('LayerNormalization', [x, scale, bias], { axis: -1, epsilon: { float: eps } });
  }
}

/** Builds the encoder graph; returns the ONNX bytes. */
export function bertGraph(shape: BertShape, weights: BertWeights, precision: Precision, name: string): Uint8Array {
  const g = new GraphBuilder(name);
  const e = new Emitter(g, precision);
  const { hidden: h, heads } = shape;
  const headDim = h / heads;
  const dims = ['batch', 'sequence'];
  const ids = g.input('input_ids', DataType.INT64, dims);
  const mask = g.input('attention_mask', DataType.INT64, dims);
  const types = g.input('token_type_ids', DataType.INT64, dims);

  // Embeddings: word + position + token type, then LayerNorm.
  let word: string;
  if (precision === 'int8') {
    const q = quantizeRows(weights.word, shape.vocabSize, h);
    const table = g.initializer(
      'embeddings.word_embeddings.weight_quantized',
      int8Tensor([shape.vocabSize, h], q.data),
    );
    const scales = g.initializer('embeddings.word_embeddings.weight_scale', floatTensor([shape.vocabSize, 1], q.scale));
    const rows = g.node('Cast', [g.node('Gather', [table, ids], { axis: 0 })], { to: DataType.FLOAT });
    word = g.node('Mul', [rows, g.node('Gather', [scales, ids], { axis: 0 })]);
  } else {
    word = g.node('Gather', [e.weight('embeddings.word_embeddings.weight', [shape.vocabSize, h], weights.word), ids], {
      axis: 0,
    });
  }
  const seqLen = g.node('Gather', [g.node('Shape', [ids]), g.constant(int64Tensor([], [1]))], { axis: 0 });
  const positions = g.node('Unsqueeze', [
    g.node('Range', [g.constant(int64Tensor([], [0])), seqLen, g.constant(int64Tensor([], [1]))]),
    g.constant(int64Tensor([1], [0])),
  ]);
  const posTable = e.weight('embeddings.position_embeddings.weight', [shape.maxPositions, h], weights.position);
  const typeTable = e.weight('embeddings.token_type_embeddings.weight', [shape.typeVocab, h], weights.type);
  const summed = g.node('Add', [
    g.node('Add', [word, g.node('Gather', [posTable, positions], { axis: 0 })]),
    g.node('Gather', [typeTable, types], { axis: 0 }),
  ]);
  let hiddenState = e.layerNorm(summed, weights.embLn, 'embeddings.LayerNorm', shape.layerNormEps);

  // Additive attention bias: (1 - mask) * -10000, shaped [batch, 1, 1, sequence] to broadcast over heads and queries.
  const maskF = g.node('Cast', [mask], { to: e.floatType });
  const bias = g.node('Unsqueeze', [
    g.node('Mul', [g.node('Sub', [e.scalar(1, 'one'), maskF]), e.scalar(-10000, 'mask_fill')]),
    g.constant(int64Tensor([2], [1, 2])),
  ]);
  const splitHeads = g.constant(int64Tensor([4], [0, 0, heads, headDim]));
  const mergeHeads = g.constant(int64Tensor([3], [0, 0, h]));
  const invSqrtD = e.scalar(1 / Math.sqrt(headDim), 'inv_sqrt_head_dim');
  const half = e.scalar(0.5, 'half');
  const one = e.scalar(1, 'gelu_one');
  const invSqrt2 = e.scalar(Math.SQRT1_2, 'inv_sqrt2');

  weights.layers.forEach((layer, i) => {
    const p = `encoder.layer.${i}`;
    const heads4 = (x: string, perm: number[]) => g.node('Transpose', [g.node('Reshape', [x, splitHeads])], { perm });
    const [qx, kx, vx] = e.linears(
      hiddenState,
      [layer.q, layer.k, layer.v],
      ['query', 'key', 'value'].map((n) => `${p}.attention.self.${n}`),
    );
    const q = heads4(qx!, [0, 2, 1, 3]);
    const k = heads4(kx!, [0, 2, 3, 1]);
    const v = heads4(vx!, [0, 2, 1, 3]);
    const scores = g.node('Add', [g.node('Mul', [g.node('MatMul', [q, k]), invSqrtD]), bias]);
    const probs = g.node('Softmax', [scores], { axis: -1 });
    const context = g.node('Reshape', [
      g.node('Transpose', [g.node('MatMul', [probs, v])], { perm: [0, 2, 1, 3] }),
      mergeHeads,
    ]);
    const attn = e.linear(context, layer.o, `${p}.attention.output.dense`);
    const h1 = e.layerNorm(
      g.node('Add', [attn, hiddenState]),
      layer.ln1,
      `${p}.attention.output.LayerNorm`,
      shape.layerNormEps,
    );
    const up = e.linear(h1, layer.up, `${p}.intermediate.dense`);
    // GELU, erf form: x * 0.5 * (1 + erf(x / sqrt(2))).
    const gelu = g.node('Mul', [
      g.node('Mul', [up, half]),
      g.node('Add', [g.node('Erf', [g.node('Mul', [up, invSqrt2])]), one]),
    ]);
    const down = e.linear(gelu, layer.down, `${p}.output.dense`);
    hiddenState = e.layerNorm(g.node('Add', [down, h1]), layer.ln2, `${p}.output.LayerNorm`, shape.layerNormEps);
  });

  const out =
    precision === 'fp16'
      ? g.node('Cast', [hiddenState], { to: DataType.FLOAT }, { output: 'last_hidden_state' })
      : g.node('Identity', [hiddenState], {}, { output: 'last_hidden_state' });
  g.output(out, DataType.FLOAT, ['batch', 'sequence', h]);
  // The masked mean over tokens, in float32: what the engine's pooling computes, done where the model runs. On a GPU
  // it saves the read-back of every token's vector (batch x sequence x hidden floats) and the CPU's pooling loop.
  const keep = g.node('Cast', [mask], { to: DataType.FLOAT });
  const tokenSum = g.node(
    'ReduceSum',
    [
      g.node('Mul', [out, g.node('Unsqueeze', [keep, g.constant(int64Tensor([1], [2]))])]),
      g.constant(int64Tensor([1], [1])),
    ],
    {
      keepdims: 0,
    },
  );
  const count = g.node('ReduceSum', [keep, g.constant(int64Tensor([1], [1]))], { keepdims: 1 });
  g.output(g.node('Div', [tokenSum, count], {}, { output: 'sentence_embedding' }), DataType.FLOAT, ['batch', h]);
  return g.toBytes({
    docString: `${name} (${precision}), generated by agentmem-web scripts/models with seeded weights`,
    ...(precision === 'int8' ? { extraOpsets: QUANT_OPSETS } : {}),
  });
}
