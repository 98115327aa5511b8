/**
 * The worker's embedder: one tokenizer + one ORT session, texts in, unit vectors out.
 * Runtime-agnostic on purpose: it receives the session and the Tensor constructor, so the same code runs in the
 * browser worker (onnxruntime-web) and in a Node test (onnxruntime-node) against a reference.
 *
 * One batch = tokenise, truncate (keeping the closing special tokens, as Hugging Face tokenizers do), group by
 * length ({@link planRuns}), pad, run, pool with the attention mask, L2-normalise, scatter back to input order.
 *
 * `embed()` may be called again while a batch is running: the session still runs one model run at a time (a
 * queue inside, in call order), but the next batch's tokenising and tensor building, and the last batch's pooling,
 * happen while the model runs. On WebGPU that keeps the GPU fed while the CPU prepares (the pool sends a WebGPU
 * worker a second batch for exactly this); on WASM the run itself holds the thread, so nothing overlaps.
 */
import type { InferenceSession, Tensor } from 'onnxruntime-web';
import { EmbeddingError, ModelLoadError, errorMessage } from '../errors.js';
import { planRuns, runShape } from './length-groups.js';
import { l2Normalize, poolRow, toFloat32 } from './pooling.js';
import type { EmbedOutput, Pooling, RunPlan } from './protocol.js';
import type { TextTokenizer } from './tokenizer.js';

type IntType = 'int64' | 'int32';
export type TensorCtor = new (type: IntType, data: BigInt64Array | Int32Array, dims: readonly number[]) => Tensor;

const knownInputs = new Set(['input_ids', 'attention_mask', 'token_type_ids']);

export interface SentenceEncoderOptions {
  readonly session: InferenceSession;
  readonly Tensor: TensorCtor;
  readonly tokenizer: TextTokenizer;
  readonly pooling: Pooling;
  readonly output?: string | undefined;
  readonly maxTokens: number;
  /**
   * How a batch is split into runs, and each run's shape rounded up ({@link runShape}): fewer distinct shapes let a
   * backend that builds per-shape GPU programs and buffers reuse them.
   */
  readonly runPlan: RunPlan;
}

export class SentenceEncoder {
  readonly #session: InferenceSession;
  readonly #Tensor: TensorCtor;
  readonly #tokenizer: TextTokenizer;
  readonly #pooling: Pooling;
  readonly #maxTokens: number;
  readonly #runPlan: RunPlan;
  readonly #inputs: ReadonlyArray<{ readonly name: string; readonly type: IntType }>;
  readonly #output: string;
  #dimensions = 0;
  #pooled = false;
  /** The end of the last queued model run: runs go through the session one at a time. */
  #sessionTail: Promise<unknown> = Promise.resolve();

  constructor(options: SentenceEncoderOptions) {
    this.#session = options.session;
    this.#Tensor = options.Tensor;
    this.#tokenizer = options.tokenizer;
    this.#pooling = options.pooling;
    this.#maxTokens = options.maxTokens;
    this.#runPlan = options.runPlan;
    this.#inputs = describeInputs(options.session);
    this.#output = chooseOutput(options.session, options.pooling, options.output);
  }

  get inputNames(): readonly string[] {
    return this.#inputs.map((i) => i.name);
  }
  get outputName(): string {
    return this.#output;
  }
  /** Known after the first batch (or {@link probe}). */
  get dimensions(): number {
    return this.#dimensions;
  }
  get pooled(): boolean {
    return this.#pooled;
  }

  /** Token ids for one text, special tokens included, at most `maxTokens` long. Never empty. */
  tokenize(text: string): number[] {
    // Only the first maxTokens tokens count, so a megabyte paste need not be tokenised whole: 128 characters per
    // token is far more than any tokenizer uses (BERT turns a word over 100 characters into one [UNK]).
    const limit = this.#maxTokens * 128;
    let ids = this.#tokenizer.encode(text.length > limit ? text.slice(0, limit) : text);
    if (ids.length > this.#maxTokens) {
      const keep = Math.max(1, this.#maxTokens - this.#tokenizer.suffixLength);
      ids = ids.slice(0, keep).concat(ids.slice(ids.length - (this.#maxTokens - keep)));
    }
    // A text whose characters all normalise away (e.g. only control characters) would give an empty row,
    // and a model without [CLS]/[SEP] cannot pool nothing: feed the unknown token instead.
    return ids.length > 0 ? ids : [this.#tokenizer.unknownId];
  }

  async embed(texts: readonly string[]): Promise<EmbedOutput> {
    const started = performance.now();
    const tokens = texts.map((t) => this.tokenize(t));
    const runs = planRuns(
      tokens.map((t) => t.length),
      this.#runPlan,
      this.#maxTokens,
    );
    // Every run's tensors are built now and the runs queue on the session in order; each run's pooling then
    // overlaps the next run.
    const shapes = runs.map((run) => runShape(run.indices.length, run.paddedLength, this.#runPlan, this.#maxTokens));
    const results = await Promise.all(
      runs.map((run, k) => {
        const [rows, length] = shapes[k]!;
        return this.#run(
          run.indices.map((i) => tokens[i]!),
          length,
          rows,
        );
      }),
    );
    let out: Float32Array | undefined;
    let padded = 0;
    let real = 0;
    runs.forEach((run, k) => {
      const result = results[k]!;
      out ??= new Float32Array(texts.length * result.dim);
      run.indices.forEach((original, row) => {
        out!.set(result.vectors.subarray(row * result.dim, (row + 1) * result.dim), original * result.dim);
        real += tokens[original]!.length;
      });
      const [rows, length] = shapes[k]!;
      padded += rows * length; // what the model ran, repeated rows and rounding included
    });
    return {
      vectors: out ?? new Float32Array(0),
      dimensions: this.#dimensions,
      runs: runs.length,
      paddedTokens: padded,
      realTokens: real,
      ms: performance.now() - started,
    };
  }

  /** One model run of `rows` padded to `seq` tokens, with the first row repeated up to `runRows` rows. */
  async #run(
    rows: readonly number[][],
    seq: number,
    runRows = rows.length,
  ): Promise<{ vectors: Float32Array; dim: number }> {
    const batch = rows.length;
    const ids = new Array<number>(runRows * seq).fill(this.#tokenizer.padId);
    const mask = new Uint8Array(runRows * seq);
    for (let r = 0; r < runRows; r++) {
      const row = rows[r < batch ? r : 0]!;
      for (let t = 0; t < row.length; t++) {
        ids[r * seq + t] = row[t]!;
        mask[r * seq + t] = 1;
      }
    }
    const feeds: Record<string, Tensor> = {};
    for (const input of this.#inputs) {
      const values = input.name === 'input_ids' ? ids : input.name === 'attention_mask' ? mask : null; // token_type_ids: zeros
      feeds[input.name] = this.#tensor(input.type, values, runRows * seq, [runRows, seq]);
    }
    const { data, dims } = await this.#exclusive(async () => {
      let results: InferenceSession.OnnxValueMapType;
      try {
        results = await this.#session.run(feeds, [this.#output]);
      } catch (error) {
        throw new EmbeddingError(`Model run failed for a batch of ${batch} x ${seq} tokens: ${errorMessage(error)}`, {
          cause: error,
        });
      }
      const output = results[this.#output] as Tensor;
      try {
        return { data: toFloat32(output.type, await output.getData()), dims: output.dims };
      } finally {
        output.dispose();
      }
    });
    let dim: number;
    let vectors: Float32Array;
    if (dims.length === 2 && dims[0] === runRows) {
      dim = dims[1]!;
      vectors = data.slice(0, batch * dim);
      this.#pooled = true;
    } else if (dims.length === 3 && dims[0] === runRows && dims[1] === seq) {
      if (this.#pooling === 'none') {
        throw new EmbeddingError(
          `The model's output \`${this.#output}\` has shape [${dims.join(', ')}], one vector per token, but the model config says pooling \`none\``,
        );
      }
      dim = dims[2]!;
      vectors = new Float32Array(batch * dim);
      for (let r = 0; r < batch; r++) poolRow(data, seq, dim, mask, r, this.#pooling, vectors, r * dim);
    } else {
      throw new EmbeddingError(
        `Expected the model's output \`${this.#output}\` to have shape [${runRows}, dim] or [${runRows}, ${seq}, dim], got [${dims.join(', ')}]`,
      );
    }
    for (let r = 0; r < batch; r++) l2Normalize(vectors, r * dim, dim);
    if (this.#dimensions !== 0 && this.#dimensions !== dim) {
      throw new EmbeddingError(`The model output ${dim} dimensions after ${this.#dimensions} before`);
    }
    this.#dimensions = dim;
    return { vectors, dim };
  }

  /** Runs `work` once every model run queued before it has finished (one run at a time on the session). */
  #exclusive<T>(work: () => Promise<T>): Promise<T> {
    const result = this.#sessionTail.then(work);
    this.#sessionTail = result.catch(() => undefined);
    return result;
  }

  #tensor(type: IntType, values: ArrayLike<number> | null, length: number, dims: readonly number[]): Tensor {
    if (type === 'int32') {
      const data = new Int32Array(length);
      if (values) for (let i = 0; i < length; i++) data[i] = values[i]!;
      return new this.#Tensor('int32', data, dims);
    }
    const data = new BigInt64Array(length);
    if (values) for (let i = 0; i < length; i++) data[i] = BigInt(values[i]!);
    return new this.#Tensor('int64', data, dims);
  }

  async release(): Promise<void> {
    await this.#session.release();
  }
}

function describeInputs(session: InferenceSession): Array<{ name: string; type: IntType }> {
  const metadata = session.inputMetadata as readonly InferenceSession.ValueMetadata[] | undefined;
  return session.inputNames.map((name, i) => {
    if (!knownInputs.has(name)) {
      throw new ModelLoadError(
        `The model has an input \`${name}\` this library cannot feed; supported inputs: ${[...knownInputs].map((n) => `\`${n}\``).join(', ')}`,
      );
    }
    const meta = metadata?.[i];
    const type = meta && meta.isTensor ? meta.type : 'int64';
    if (type !== 'int64' && type !== 'int32') {
      throw new ModelLoadError(`Expected the model input \`${name}\` to be int64 or int32, got \`${type}\``);
    }
    return { name, type };
  });
}

/** `last_hidden_state` for token-level models; for `pooling: 'none'` the sentence-level output. */
function chooseOutput(session: InferenceSession, pooling: Pooling, named: string | undefined): string {
  const names = session.outputNames;
  if (names.length === 0) throw new ModelLoadError('The model has no outputs');
  if (named !== undefined) {
    if (!names.includes(named))
      throw new ModelLoadError(
        `The model config names the output \`${named}\`, but the model's outputs are ${names.map((n) => `\`${n}\``).join(', ')}`,
      );
    return named;
  }
  if (pooling === 'none') {
    for (const preferred of ['sentence_embedding', 'embeddings', 'output_0'])
      if (names.includes(preferred)) return preferred;
    const metadata = session.outputMetadata as readonly InferenceSession.ValueMetadata[] | undefined;
    const rank2 = metadata?.findIndex((m) => m.isTensor && m.shape.length === 2) ?? -1;
    return names[rank2 >= 0 ? rank2 : 0]!;
  }
  return names.includes('last_hidden_state')
    ? 'last_hidden_state'
    : names.includes('token_embeddings')
      ? 'token_embeddings'
      : names[0]!;
}
