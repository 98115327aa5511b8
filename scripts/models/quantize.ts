/**
 * Weight quantisation and the per-row (per-token) dynamic activation quantisation subgraph of the int8 variants.
 * Node count matters as much as arithmetic here: onnxruntime-web pays ~10-15 µs per node per run, so one linear
 * is 11 nodes (it was 14) and a layer's query, key and value share one quantisation and one GEMM.
 *
 * Why per row: `DynamicQuantizeLinear` (what onnxruntime's quantize_dynamic emits) picks one scale for the whole
 * activation tensor, i.e. for the whole batch, so a text's vector changes with whatever else shares its batch.
 * Here every token row gets its own scale, so a row's result depends on that row only.
 */
import { DataType, GraphBuilder, floatTensor, int64Tensor, uint8Tensor } from '../onnx/index.js';

/** Per-output-column symmetric int8 weights of a `[k, n]` matrix (x @ W), stored offset by 128 as uint8. */
export interface QuantizedMatrix {
  readonly k: number;
  readonly n: number;
  /** q + 128 for q in [-127, 127]. */
  readonly data: Uint8Array;
  /** Per-column scale: W[:, j] ≈ q[:, j] * scale[j]. */
  readonly scale: Float32Array;
}

export function quantizeColumns(w: Float32Array, k: number, n: number): QuantizedMatrix {
  const scale = new Float32Array(n);
  for (let r = 0; r < k; r++) {
    for (let c = 0; c < n; c++) scale[c] = Math.max(scale[c]!, Math.abs(w[r * n + c]!));
  }
  for (let c = 0; c < n; c++) scale[c] = scale[c]! > 0 ? scale[c]! / 127 : 1;
  const data = new Uint8Array(k * n);
  for (let r = 0; r < k; r++) {
    for (let c = 0; c < n; c++) {
      const q = Math.max(-127, Math.min(127, Math.round(w[r * n + c]! / scale[c]!)));
      data[r * n + c] = q + 128;
    }
  }
  return { k, n, data, scale };
}

/** Per-row symmetric int8 rows of a `[rows, dim]` table (embeddings), with the row scales. */
export function quantizeRows(w: Float32Array, rows: number, dim: number): { data: Int8Array; scale: Float32Array } {
  const data = new Int8Array(rows * dim);
  const scale = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let max = 0;
    for (let c = 0; c < dim; c++) max = Math.max(max, Math.abs(w[r * dim + c]!));
    const s = max > 0 ? max / 127 : 1;
    scale[r] = s;
    for (let c = 0; c < dim; c++) data[r * dim + c] = Math.max(-127, Math.min(127, Math.round(w[r * dim + c]! / s)));
  }
  return { data, scale };
}

/** Constants shared by every quantised MatMul of one graph. */
export interface RowQuantConstants {
  readonly tiny: string;
  readonly k127: string;
  readonly inv127: string;
  readonly offset: string;
  readonly one: string;
  readonly zeroPoint: string;
}

/** The opset imports a graph with quantised MatMuls needs (MatMulIntegerToFloat is an onnxruntime contrib op). */
export const QUANT_OPSETS = { 'com.microsoft': 1 } as const;

export function rowQuantConstants(g: GraphBuilder): RowQuantConstants {
  return {
    tiny: g.constant(floatTensor([], [1e-10]), 'q_tiny'),
    k127: g.constant(floatTensor([], [127]), 'q_127'),
    inv127: g.constant(floatTensor([], [1 / 127]), 'q_inv127'),
    offset: g.constant(floatTensor([], [128]), 'q_offset'),
    one: g.constant(floatTensor([], [1]), 'q_one'),
    zeroPoint: g.constant(uint8Tensor([], [128]), 'q_zp'),
  };
}

/**
 * x quantised per row (along `axis`, the last one) to uint8 around 128: m = max(max|x|, tiny),
 * q = Cast(Round(x * 127 / m) + 128, uint8), scale = m / 127. |x * 127 / m| <= 127, so no Clip is needed.
 * `axis` must be positive when the input can be empty (onnxruntime 1.30's ReduceMax with axes [-1] on a
 * [0, D] input returns [0, D], not [0, 1]).
 */
export function quantizeActivations(
  g: GraphBuilder,
  c: RowQuantConstants,
  x: string,
  axis = -1,
): { q: string; scale: string } {
  const m = g.node('Max', [g.node('ReduceMax', [g.node('Abs', [x])], { axes: [axis], keepdims: 1 }), c.tiny]);
  const q = g.node(
    'Cast',
    [g.node('Add', [g.node('Round', [g.node('Mul', [x, g.node('Div', [c.k127, m])])]), c.offset])],
    { to: DataType.UINT8 },
  );
  return { q, scale: g.node('Mul', [m, c.inv127]) };
}

/**
 * (q @ Wq) dequantised: MatMulIntegerToFloat (one fused kernel: integer GEMM, per-column weight scale, float out)
 * times the per-row activation scale. Both zero points are 128.
 * uint8 x uint8 rather than uint8 x int8: MLAS' AVX2 u8s8 kernel can saturate int16 pair sums (see onnxruntime's
 * quantization docs on `reduce_range`); u8u8 takes a widening path on every CPU.
 */
export function integerMatMul(
  g: GraphBuilder,
  c: RowQuantConstants,
  x: { q: string; scale: string },
  w: QuantizedMatrix,
  name: string,
): string {
  return g.node('Mul', [integerGemm(g, c, x.q, w, name), x.scale]);
}

/** The GEMM of {@link integerMatMul} alone: q @ Wq * weight scale, before the activation scale. */
export function integerGemm(
  g: GraphBuilder,
  c: RowQuantConstants,
  q: string,
  w: QuantizedMatrix,
  name: string,
): string {
  const wq = g.initializer(`${name}.weight_quantized`, uint8Tensor([w.k, w.n], w.data));
  const ws = g.initializer(`${name}.weight_scale`, floatTensor([w.n], w.scale));
  return g.node('MatMulIntegerToFloat', [q, wq, c.one, ws, c.zeroPoint, c.zeroPoint], {}, { domain: 'com.microsoft' });
}

/** Matrices with the same k side by side, [k, n1 + n2 + ...] (per-column quantisation is column-independent). */
export function concatColumns(ms: readonly QuantizedMatrix[]): QuantizedMatrix {
  const k = ms[0]!.k;
  const n = ms.reduce((sum, m) => sum + m.n, 0);
  const data = new Uint8Array(k * n);
  const scale = new Float32Array(n);
  let col = 0;
  for (const m of ms) {
    if (m.k !== k) throw new Error(`Expected matrices with ${k} rows, got ${m.k}`);
    for (let r = 0; r < k; r++) data.set(m.data.subarray(r * m.n, (r + 1) * m.n), r * n + col);
    scale.set(m.scale, col);
    col += m.n;
  }
  return { k, n, data, scale };
}

/**
 * y_i = x @ W_i + b_i for linears sharing their input (a layer's query, key and value): x is quantised once and
 * one integer GEMM computes every output side by side, then Split separates them. Per row and per column as in
 * {@link quantizeActivations}, so a row's result depends on that row only, whatever else is in the batch.
 */
export function quantizedLinears(
  g: GraphBuilder,
  c: RowQuantConstants,
  x: string,
  ws: readonly QuantizedMatrix[],
  biases: readonly Float32Array[],
  name: string,
): string[] {
  const w = ws.length === 1 ? ws[0]! : concatColumns(ws);
  const bias = new Float32Array(w.n);
  let at = 0;
  for (const b of biases) {
    bias.set(b, at);
    at += b.length;
  }
  const b = g.initializer(`${name}.bias`, floatTensor([w.n], bias));
  const y = g.node('Add', [integerMatMul(g, c, quantizeActivations(g, c, x), w, name), b]);
  if (ws.length === 1) return [y];
  const sizes = g.constant(
    int64Tensor(
      [ws.length],
      ws.map((m) => m.n),
    ),
    'split_sizes',
  );
  return g.nodeN('Split', [y, sizes], ws.length, { axis: -1 });
}
