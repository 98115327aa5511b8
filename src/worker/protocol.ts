/**
 * The typed contract between the main thread (the pool) and an embedding worker. Imported by both sides of the
 * boundary, like onnxruntime-web's `proxy-messages.ts`: nothing here touches a browser global.
 *
 * Calls go through Comlink. Every method resolves to a {@link WorkerResult}: errors are sent as
 * `{name, message, stack}` and rebuilt on the main thread with their `name` (see `deserializeError`), so an
 * `EmbeddingError` thrown in the worker is an `EmbeddingError` for the caller.
 */
import type { SerializedError } from '../errors.js';
import type { TokenizerKind } from './tokenizer.js';

/** How token vectors become one sentence vector. `none`: the model already outputs one vector per text. */
export type Pooling = 'mean' | 'cls' | 'none';

/** `native` (onnxruntime-node) exists only in the Node entry; a browser never sees it. */
export type Backend = 'wasm' | 'webgpu' | 'native';

export type Variant = 'fp32' | 'fp16' | 'int8';

/** Everything a worker needs to build its session. `model` is transferred (each worker gets its own copy). */
export interface WorkerInit {
  readonly index: number;
  readonly backend: Backend;
  readonly model: ArrayBuffer;
  /** Node: the model file, which the worker reads itself (then `model` is empty): no copy per worker. */
  readonly modelPath?: string | undefined;
  /** The text of `tokenizer.json` and `tokenizer_config.json` (parsed in the worker). */
  readonly tokenizerJson: string;
  readonly tokenizerConfigJson: string;
  /** Which tokenizer reads `tokenizer.json` (the model config's `agentmem.tokenizer`, default `huggingface`). */
  readonly tokenizer: TokenizerKind;
  readonly pooling: Pooling;
  /** The output to read when the model config names one. */
  readonly output: string | undefined;
  /** Longest token sequence fed to the model, special tokens included (already capped by the model's positions). */
  readonly maxTokens: number;
  /** ORT `env.wasm.numThreads` (1 unless the page is cross-origin isolated), or onnxruntime-node's intra-op threads. */
  readonly threads: number;
  readonly wasmPaths?: string | { readonly wasm?: string; readonly mjs?: string } | undefined;
  /** How the worker splits a batch into model runs and shapes each run (per backend: see options.ts). */
  readonly runPlan: RunPlan;
}

/**
 * How a batch is split into model runs (`planRuns` in length-groups.ts) and how each run's shape is rounded.
 * Chosen per backend in options.ts and passed whole from there to the worker's encoder.
 */
export interface RunPlan {
  /**
   * Cost of one `session.run` in padded-token units, used to decide how far to split a batch by length
   * (WebGPU runs have a large fixed cost, so it keeps batches whole; WASM splits more eagerly).
   */
  readonly runOverheadTokens: number;
  /** Upper bound on rows x padded length per run (after the shape steps), so one huge batch cannot exhaust memory. */
  readonly maxTokensPerRun: number;
  /** Upper bound on rows x padded length² per run (one head's attention scores), or none. */
  readonly maxAttentionPerRun?: number | undefined;
  /** How each run's shape is rounded up (WebGPU), or undefined for exact shapes. */
  readonly shapeSteps?: ShapeSteps | undefined;
}

/** Steps a model run's shape is rounded up to: rows (batch dimension) and padded length (tokens). */
export interface ShapeSteps {
  readonly count: number;
  readonly length: number;
}

/** What a ready worker reports back. */
export interface WorkerReady {
  readonly backend: Backend;
  readonly dimensions: number;
  readonly inputNames: readonly string[];
  readonly outputName: string;
  /** True when the chosen output is already one vector per text (rank 2), so no pooling was applied. */
  readonly pooled: boolean;
  readonly sessionMs: number;
}

/** One batch's answer: `n * dimensions` floats in input order, unit length each. The buffer is transferred. */
export interface EmbedOutput {
  readonly vectors: Float32Array;
  readonly dimensions: number;
  /** Model runs used (after grouping by length) and tokens fed (padding included), for stats. */
  readonly runs: number;
  readonly paddedTokens: number;
  readonly realTokens: number;
  readonly ms: number;
}

export type WorkerResult<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: SerializedError };

/** The API a worker exposes through `Comlink.expose`. One call at a time: the pool never overlaps them. */
export interface EmbedWorkerApi {
  init(init: WorkerInit): Promise<WorkerResult<WorkerReady>>;
  /** A few short runs so the browser tiers the wasm up before real work; resolves to the ms spent. */
  warmup(runs: number): Promise<WorkerResult<number>>;
  embed(texts: readonly string[]): Promise<WorkerResult<EmbedOutput>>;
  /** Test hook: destroys the worker's WebGPU device, which fires the real `device.lost` path. */
  loseDevice(): Promise<WorkerResult<boolean>>;
  dispose(): Promise<WorkerResult<void>>;
}

/**
 * Events a worker posts on its own (outside Comlink's request/response pairs). Tagged so Comlink ignores them
 * and the pool can tell them from Comlink traffic.
 */
export type WorkerEvent = { readonly agentmem: 'device-lost'; readonly reason: string; readonly message: string };

/** The `name` of an error a worker returns when a run failed because its WebGPU device was lost. */
export const deviceLostErrorName = 'WorkerDeviceLost';

export function isWorkerEvent(data: unknown): data is WorkerEvent {
  return typeof data === 'object' && data !== null && typeof (data as { agentmem?: unknown }).agentmem === 'string';
}
