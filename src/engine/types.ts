/**
 * Public types of the embedding engine: options, stats and the persistent-cache hook.
 */
import type { Backend, Variant } from '../worker/protocol.js';
import type { CacheKeyRange } from '../key-range.js';

export type { Backend, Variant } from '../worker/protocol.js';
export type { CacheKeyRange } from '../key-range.js';

/** Loading progress, reported through {@link EmbedderOptions.onProgress}. */
export interface EmbedderProgress {
  readonly stage: 'fetch' | 'session' | 'warmup' | 'ready';
  /** Bytes fetched so far (`fetch`). */
  readonly loaded?: number;
  /** Total bytes when the server says (`fetch`). */
  readonly total?: number;
  /** The worker index (`session`, `warmup`). */
  readonly worker?: number;
}

/**
 * A store of vectors that survives reloads, keyed by {@link embeddingCacheKey}. The Memory layer passes one backed by
 * its own IndexedDB; a standalone embedder opens its own database (`agentmem-embeddings`).
 */
export interface PersistentEmbeddingCache {
  /** One entry per key, in order; `undefined` where absent. */
  getMany(keys: readonly string[]): Promise<(Float32Array | undefined)[]>;
  putMany(entries: ReadonlyArray<readonly [string, Float32Array]>): Promise<void>;
  /**
   * Every key stored (optional). Read once at start: a text whose key is not among them is queued for inference
   * at once, without a read that could only miss (a key written since by another tab just costs one inference).
   * The engine also counts them against {@link CacheOptions.maxEntries}.
   */
  keys?(): Promise<string[]>;
  /**
   * Deletes every entry in `range` (optional): how the engine keeps the store within {@link CacheOptions.maxEntries}.
   * Without it the store is never trimmed.
   */
  evict?(range: CacheKeyRange): Promise<void>;
}

/** The embedding cache's sizes ({@link EmbedderOptions.cache}). */
export interface CacheOptions {
  /**
   * Vectors kept in memory (least recently used go first), 0 to 10,000,000.
   * @default 10000
   */
  memoryEntries?: number;
  /**
   * Vectors kept in the persistent store, 0 to 10,000,000 (about 1.5 KB each at 384 dimensions). Before a write
   * would take the store past it, a random eighth of its entries (more when it is further over) is deleted with one
   * key-range request, so texts not seen for long, and those of a former model, go in time. Counted per engine:
   * what the store listed at start plus what this engine wrote since. 0 reads and writes nothing there and deletes
   * what earlier sessions left.
   * @default 50000
   * @example
   * await Embedder.create({ model, cache: { maxEntries: 5000 } });
   */
  maxEntries?: number;
}

export interface EmbedderOptions {
  /**
   * A transformers.js-layout model folder. In a browser: its URL, absolute or relative to the page, e.g.
   * `'/models/minilm-l6'`. In Node, Bun and Deno: a folder path (relative to the working directory), a `file:` URL,
   * or an http(s) URL (fetched; nothing else touches the network).
   */
  model: string;
  /**
   * In a browser, `auto`: WebGPU when a hardware adapter exists and a probe run succeeds, else WASM (a fallback
   * adapter, i.e. software WebGPU such as SwiftShader, is far slower than WASM: only `'webgpu'` uses it).
   * In Node, `auto`: `native` (onnxruntime-node, an optional peer dependency) when it loads, else `wasm`
   * (onnxruntime-web). `webgpu` is browser-only, `native` Node-only (a `ValidationError` elsewhere).
   * @default 'auto'
   */
  backend?: 'auto' | 'webgpu' | 'wasm' | 'native';
  /**
   * Which ONNX file: `fp32` (`onnx/model.onnx`), `fp16` (`onnx/model_fp16.onnx`), `int8` (`onnx/model_quantized.onnx`).
   * @default int8 on WASM and native; fp16 on WebGPU when the adapter has `shader-f16` and a probe matches fp32, else fp32
   */
  variant?: Variant;
  /**
   * Worker count (one model session each), 1 to 16.
   * @default WASM: one per core (per `threads` cores when threaded), at most 4; WebGPU: one per 4 cores, 1 to 3
   */
  workers?: number;
  /**
   * WASM threads per worker; only used when the page is cross-origin isolated. There, `workers * threads` must not
   * exceed `navigator.hardwareConcurrency` (checked before anything is fetched). Native: onnxruntime-node's
   * intra-op threads per worker, `workers * threads` at most the available cores.
   * @default 1
   */
  threads?: number;
  /**
   * Largest batch sent to one worker, 1 to 8192. The coalescer grows batches toward it under load.
   * @default 64 on WASM, 1024 on WebGPU
   */
  maxBatch?: number;
  /**
   * Longest wait, after the first queued text, for a batch to fill while some workers are busy (an idle engine
   * never waits).
   * @default 4 on WASM, 10 on WebGPU
   */
  maxWaitMs?: number;
  /**
   * Texts waiting for a worker before `embed()` callers wait for space (backpressure).
   * @default 4096
   */
  maxQueue?: number;
  /**
   * Longest token sequence fed to the model, special tokens included (capped by the model's own limit).
   * @default 256
   */
  maxTokens?: number;
  /**
   * Per-batch time limit in ms; a worker exceeding it is replaced and the batch retried on another.
   * @default 60000 on WASM, 120000 on WebGPU
   */
  timeoutMs?: number;
  /**
   * In-memory LRU and the persistent store ({@link CacheOptions}). `false` turns caching off.
   * @default true: 10000 memory entries, 50000 persistent ones
   */
  cache?: boolean | CacheOptions;
  /** Where vectors persist. Default: the embedder's own IndexedDB database `agentmem-embeddings`. */
  persistentCache?: PersistentEmbeddingCache;
  /**
   * Override of onnxruntime-web's wasm location. Default: the files the bundler resolved, from our own origin. A
   * folder URL (ending in `/`) serves both backends: WASM workers load `ort-wasm-simd-threaded.wasm`, WebGPU workers
   * `ort-wasm-simd-threaded.jsep.wasm`. `{ wasm }` names one file, so it suits one backend only.
   */
  wasmPaths?: string | { wasm?: string; mjs?: string };
  onProgress?: (progress: EmbedderProgress) => void;
}

export type WorkerState = 'initializing' | 'idle' | 'busy' | 'failed' | 'closed';

export interface WorkerStats {
  readonly index: number;
  readonly backend: Backend;
  readonly state: WorkerState;
  /** Batches completed and texts embedded by this slot (across its replacements). */
  readonly batches: number;
  readonly items: number;
  /** Time spent running batches, in ms. */
  readonly busyMs: number;
  /** Model runs after grouping by length, and tokens fed with and without padding. */
  readonly runs: number;
  readonly paddedTokens: number;
  readonly realTokens: number;
  /** How many times the worker was replaced after a crash or timeout. */
  readonly restarts: number;
}

export interface EmbedderStats {
  readonly state: 'ready' | 'failed' | 'closed';
  readonly backend: Backend;
  readonly variant: Variant;
  readonly modelId: string;
  readonly dimensions: number;
  readonly workers: readonly WorkerStats[];
  /** Texts waiting for a worker, and callers waiting for queue space. */
  readonly queueDepth: number;
  readonly waitingForSpace: number;
  readonly inFlightBatches: number;
  /** The coalescer's current batch-size target (adapts to load). */
  readonly targetBatch: number;
  /** Batches sent, by size bucket (`'1'`, `'2-3'`, `'4-7'`, ...). */
  readonly batchSizes: Readonly<Record<string, number>>;
  readonly batches: number;
  /** Texts embedded by a model run (cache hits and deduplicated texts excluded). */
  readonly inferences: number;
  /** Batches sent again after a worker crashed, timed out or lost its device. */
  readonly retries: number;
  /** Texts whose callers got an error from inference. */
  readonly failures: number;
  readonly cache: {
    readonly hits: number;
    readonly memoryHits: number;
    readonly persistentHits: number;
    readonly misses: number;
    /** Callers that joined an identical text already in flight. */
    readonly deduplicated: number;
    readonly memoryEntries: number;
    /** Persistent reads or writes that failed (the engine carries on without them). */
    readonly persistentErrors: number;
  };
}
