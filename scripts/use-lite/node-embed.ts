/**
 * Embeds texts with the generated use-lite model in Node, the way the engine does in the browser: the USE
 * tokenizer (`src/models/use-tokenizer.ts`) on tokenizer.json's vocabulary, truncation to `maxTokens`, right
 * padding, `input_ids` + `attention_mask`, `sentence_embedding` taken as is (already unit length).
 * Runs on onnxruntime-node or on onnxruntime-web's WASM backend (in Node). Tests and benchmarks only.
 *
 * @example
 * const embedder = await UseLiteNodeEmbedder.create('public/models/use-lite');
 * const [a, b] = await embedder.embed(['coffee', 'tea']);
 * await embedder.release();
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { UseTokenizer } from '../../src/models/use-tokenizer.js';

export type UseLiteRuntime = 'node' | 'web-wasm';

interface Session {
  readonly inputNames: readonly string[];
  run(
    feeds: Record<string, unknown>,
  ): Promise<Record<string, { dims: readonly number[]; data: unknown; type: string }>>;
  release(): Promise<void>;
}

interface Runtime {
  readonly Tensor: new (type: 'int64', data: BigInt64Array, dims: readonly number[]) => unknown;
  readonly InferenceSession: { create(bytes: Uint8Array, options?: object): Promise<Session> };
}

export interface UseLiteNodeOptions {
  /** @default 'node' */
  readonly runtime?: UseLiteRuntime;
  /** ONNX file inside the folder. @default 'onnx/model.onnx' */
  readonly file?: string;
  /** intra-op threads (0 = the runtime's default). @default 0 */
  readonly threads?: number;
}

export class UseLiteNodeEmbedder {
  readonly tokenizer: UseTokenizer;
  readonly maxTokens: number;
  readonly #ort: Runtime;
  readonly #session: Session;

  private constructor(tokenizer: UseTokenizer, maxTokens: number, ort: Runtime, session: Session) {
    this.tokenizer = tokenizer;
    this.maxTokens = maxTokens;
    this.#ort = ort;
    this.#session = session;
  }

  static async create(modelDir: string, options: UseLiteNodeOptions = {}): Promise<UseLiteNodeEmbedder> {
    const dir = resolve(modelDir);
    const [tokenizerJson, config] = await Promise.all(
      ['tokenizer.json', 'config.json'].map(async (f) => JSON.parse(await readFile(join(dir, f), 'utf8')) as unknown),
    );
    const maxTokens = (config as { agentmem?: { maxTokens?: number } }).agentmem?.maxTokens ?? 128;
    const runtime = options.runtime ?? 'node';
    const ort = (runtime === 'node'
      ? await import('onnxruntime-node')
      : await import('onnxruntime-web')) as unknown as Runtime & { env?: { wasm: { numThreads: number } } };
    const threads = options.threads ?? 0;
    if (runtime === 'web-wasm' && ort.env !== undefined) ort.env.wasm.numThreads = threads > 0 ? threads : 1;
    const bytes = await readFile(join(dir, options.file ?? 'onnx/model.onnx'));
    const sessionOptions =
      runtime === 'node' && threads > 0
        ? { intraOpNumThreads: threads }
        : runtime === 'web-wasm'
          ? { executionProviders: ['wasm'] }
          : {};
    const session = await ort.InferenceSession.create(
      new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength),
      sessionOptions,
    );
    return new UseLiteNodeEmbedder(UseTokenizer.fromTokenizerJson(tokenizerJson), maxTokens, ort, session);
  }

  /** Token ids as the engine feeds them: USE ids, cut to `maxTokens`. */
  encode(text: string): number[] {
    return this.tokenizer.encode(text).slice(0, this.maxTokens);
  }

  /** One session run over the whole batch; vectors in input order. */
  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    const rows = texts.map((t) => this.encode(t));
    const cols = Math.max(1, ...rows.map((r) => r.length));
    const ids = new BigInt64Array(rows.length * cols);
    const mask = new BigInt64Array(rows.length * cols);
    rows.forEach((row, r) => {
      row.forEach((id, c) => {
        ids[r * cols + c] = BigInt(id);
        mask[r * cols + c] = 1n;
      });
    });
    const dims = [rows.length, cols];
    const out = await this.#session.run({
      input_ids: new this.#ort.Tensor('int64', ids, dims),
      attention_mask: new this.#ort.Tensor('int64', mask, dims),
    });
    const result = out['sentence_embedding'];
    if (result === undefined || result.type !== 'float32' || result.dims.length !== 2)
      throw new Error('Expected a float32 [batch, dim] `sentence_embedding` output');
    const data = result.data as Float32Array;
    const dim = result.dims[1]!;
    return rows.map((_, r) => data.slice(r * dim, (r + 1) * dim));
  }

  get inputNames(): readonly string[] {
    return this.#session.inputNames;
  }

  async release(): Promise<void> {
    await this.#session.release();
  }
}
