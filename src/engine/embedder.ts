/**
 * The public face of the embedding engine: `Embedder.create()` loads a model into a pool of workers;
 * `embed()` / `embedMany()` go through the cache, then the coalescer, then the pool.
 *
 * Data flows one way: API -> cache -> coalescer -> pool -> worker -> vectors back -> cache -> callers.
 */
import { ClosedError } from '../errors.js';
import { loadModelFolder } from '../models/load.js';
import { modelIdOf, urlModelIdOf } from '../models/model-id.js';
import { expected } from '../validate.js';
import type { Backend, Variant } from '../worker/protocol.js';
import { embeddingCacheKey } from './cache-key.js';
import { Coalescer, type QueuedJob } from './coalescer.js';
import { TwoLevelCache } from './two-level-cache.js';
import { DEFAULT_MAX_TOKENS, checkOptions, settingsFor, type CheckedOptions } from './options.js';
import { enginePlatform, type EnginePlatform, type OwnedEmbeddingCache } from './platform.js';
import type { ItemResult, WorkerPool } from './pool.js';
import { startEngine, type StartedEngine } from './start.js';
import { registerPool } from './test-hooks.js';
import { EmbedRequest, type VectorSink } from './embed-request.js';
import { validateText } from './text.js';
import type { EmbedderOptions, EmbedderStats } from './types.js';

export type { EmbedderOptions, EmbedderStats } from './types.js';
export type { VectorSink } from './embed-request.js';

/** A place of a request waiting for a job's vector. */
interface Waiter {
  readonly request: EmbedRequest;
  readonly index: number;
}

/** One distinct text in flight, shared by every caller that asked for it meanwhile. */
interface Job extends QueuedJob {
  waiters: Waiter[];
  key: string | undefined;
}

export interface EmbedCallOptions {
  /** Cancels the call while its text waits (it then rejects with `signal.reason`). */
  signal?: AbortSignal;
}

/**
 * Embeds texts into unit-length vectors with a pool of onnxruntime-web workers.
 * @example
 * const embedder = await Embedder.create({ model: '/models/minilm-l6' });
 * const vector = await embedder.embed('I drink coffee every morning'); // Float32Array(384), unit length
 * await embedder.close();
 */
export class Embedder {
  /** {@link modelIdOf}: the folder's name, the variant and a fingerprint of the files. */
  readonly modelId: string;
  /** The id this model had when ids were URLs: a database or backup that names it holds this model's vectors. */
  readonly formerModelIds: readonly string[];
  readonly dimensions: number;
  readonly variant: Variant;
  readonly #pool: WorkerPool;
  readonly #coalescer: Coalescer<Job>;
  readonly #cache: TwoLevelCache | undefined;
  readonly #ownedStore: OwnedEmbeddingCache | undefined;
  readonly #inflight = new Map<string, Job>();
  /** What the cache keys hash with the text: the model id, and `maxTokens` when it is not the default. */
  readonly #cacheScope: string;
  #closing: Promise<void> | undefined;
  #hits = 0;
  #memoryHits = 0;
  #persistentHits = 0;
  #misses = 0;
  #deduplicated = 0;
  #inferences = 0;
  #failures = 0;

  private constructor(started: StartedEngine, folderUrl: string, options: CheckedOptions, platform: EnginePlatform) {
    const { pool, variant, fingerprint } = started;
    this.#pool = pool;
    this.variant = variant;
    this.modelId = modelIdOf(folderUrl, variant, fingerprint);
    this.formerModelIds = [urlModelIdOf(folderUrl, variant)];
    // A text cut at another length has another vector: a non-default limit keys its own cache entries.
    this.#cacheScope =
      options.maxTokens === DEFAULT_MAX_TOKENS ? this.modelId : `${this.modelId}|maxTokens=${options.maxTokens}`;
    this.dimensions = pool.dimensions;
    this.#coalescer = new Coalescer<Job>({
      pool,
      maxQueue: options.maxQueue,
      deliver: (job, result) => this.#deliver(job, result),
    });
    pool.onAvailable = () => this.#coalescer.schedule();
    registerPool(this, pool);
    if (options.cacheEnabled) {
      let persistent = options.persistentCache;
      if (!persistent) {
        this.#ownedStore = platform.defaultPersistentCache();
        persistent = this.#ownedStore;
      }
      this.#cache = new TwoLevelCache({
        memoryEntries: options.memoryEntries,
        maxEntries: options.maxEntries,
        dimensions: this.dimensions,
        persistent,
      });
    }
  }

  /**
   * Reads the model once (in a browser through the Cache API; in Node from disk), starts the workers, warms them
   * up and resolves when all are ready. Rejects with a `ValidationError` for bad options and a `ModelLoadError`
   * when the model cannot be loaded.
   */
  static async create(options: EmbedderOptions): Promise<Embedder> {
    const platform = enginePlatform();
    const checked = checkOptions(options, platform.backends);
    const caps = await platform.capabilities();
    // `threads` is checked against the cores before anything is read, for every backend that may run: the one
    // asked for (all for `auto`) and WASM, which a WebGPU pool fails over to.
    const candidates = new Set(['wasm', ...(checked.backend === 'auto' ? platform.backends : [checked.backend])]);
    for (const backend of candidates) if (backend !== 'auto') settingsFor(checked, backend as Backend, caps);
    const folder = await loadModelFolder(platform.resolveModel(checked.model), platform.readModelFile);
    const started = await startEngine(checked, caps, folder, platform);
    checked.onProgress?.({ stage: 'ready' });
    return new Embedder(started, folder.url, checked, platform);
  }

  /** The backend the workers run on now (a lost WebGPU device switches it to `wasm`). */
  get backend(): Backend {
    return this.#pool.backend;
  }

  /** One unit-length vector for `text`. */
  async embed(text: string, options?: EmbedCallOptions): Promise<Float32Array> {
    this.#assertOpen();
    const valid = validateText(text);
    const signal = checkSignal(options);
    signal?.throwIfAborted();
    return (await this.#promise([valid], signal))[0]!;
  }

  /** One unit-length vector per text, in order. Rejects (as a whole) if any text is invalid or fails. */
  embedMany(texts: readonly string[], options?: EmbedCallOptions): Promise<Float32Array[]> {
    try {
      const valid = this.#validTexts(texts);
      const signal = checkSignal(options);
      signal?.throwIfAborted();
      return valid.length === 0 ? Promise.resolve([]) : this.#promise(valid, signal);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * {@link embedMany} that tells `sink` instead of settling a promise: a Memory's waiting add is its own sink, so it
   * holds no promise or closure in the engine.
   */
  embedInto(texts: readonly string[], sink: VectorSink): void {
    let valid: string[];
    try {
      valid = this.#validTexts(texts);
    } catch (error) {
      return sink.embedFailed(error);
    }
    if (valid.length === 0) sink.embedded([]);
    else this.#request(valid, undefined, sink);
  }

  stats(): EmbedderStats {
    return {
      state: this.#closing ? 'closed' : this.#pool.state === 'failed' ? 'failed' : 'ready',
      backend: this.#pool.backend,
      variant: this.variant,
      modelId: this.modelId,
      dimensions: this.dimensions,
      workers: this.#pool.stats(),
      queueDepth: this.#coalescer.queueDepth,
      waitingForSpace: this.#coalescer.waitingForSpace,
      inFlightBatches: this.#pool.inFlight,
      targetBatch: this.#coalescer.target,
      batchSizes: this.#coalescer.histogram,
      batches: this.#coalescer.batches,
      inferences: this.#inferences,
      retries: this.#pool.retries,
      failures: this.#failures,
      cache: {
        hits: this.#hits,
        memoryHits: this.#memoryHits,
        persistentHits: this.#persistentHits,
        misses: this.#misses,
        deduplicated: this.#deduplicated,
        memoryEntries: this.#cache?.memoryEntries ?? 0,
        persistentErrors: this.#cache?.persistentErrors ?? 0,
      },
    };
  }

  /** Stops the workers. Idempotent; callers still waiting get a `ClosedError`. Pending cache writes are flushed. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#coalescer.close();
      this.#pool.close();
      for (const job of [...this.#inflight.values()]) this.#deliver(job, new ClosedError('The embedder was closed'));
      await this.#cache?.flush();
      this.#cache?.clearMemory(); // a closed embedder the app still references keeps no vectors
      await this.#ownedStore?.close();
    })();
    return this.#closing;
  }

  #assertOpen(): void {
    if (this.#closing) throw new ClosedError('The embedder is closed; create a new one');
  }

  #validTexts(texts: readonly string[]): string[] {
    this.#assertOpen();
    if (!Array.isArray(texts)) throw expected('texts', 'an array of strings', texts);
    return (texts as readonly unknown[]).map((t, i) => validateText(t, `texts[${i}]`));
  }

  #promise(texts: readonly string[], signal: AbortSignal | undefined): Promise<Float32Array[]> {
    return new Promise((resolve, reject) => this.#request(texts, signal, { embedded: resolve, embedFailed: reject }));
  }

  #request(texts: readonly string[], signal: AbortSignal | undefined, sink: VectorSink): void {
    const request = new EmbedRequest(texts.length, signal, sink);
    const jobs = texts.map((text, index) => {
      const waiter = { request, index };
      let job = this.#inflight.get(text);
      if (job) {
        this.#deduplicated++;
        job.waiters.push(waiter);
      } else {
        // A literal, not a push: a pushed-to empty array grows to room for 17 (a waiting text holds it).
        job = { text, waiters: [waiter], key: undefined, stage: 'lookup', enqueuedAt: 0 };
        this.#inflight.set(text, job);
        void this.#lookup(job);
      }
      return job;
    });
    if (!signal) return;
    request.onAbort = () => {
      request.fail(signal.reason);
      for (const job of jobs) {
        job.waiters = job.waiters.filter((w) => w.request !== request);
        if (job.waiters.length === 0) this.#abandon(job);
      }
    };
    signal.addEventListener('abort', request.onAbort, { once: true });
  }

  /** Memory LRU, then the persistent store, then the coalescer. */
  async #lookup(job: Job): Promise<void> {
    const cache = this.#cache;
    if (cache) {
      try {
        const key = await embeddingCacheKey(this.#cacheScope, job.text);
        if (job.stage !== 'lookup') return; // abandoned or closed meanwhile
        job.key = key;
        let hit = cache.memoryGet(key);
        if (hit) this.#memoryHits++;
        else if (cache.persistentMayHave(key)) {
          hit = await cache.persistentGet(key);
          if (hit) this.#persistentHits++;
        }
        if (hit && job.stage === 'lookup') {
          this.#hits++;
          this.#deliver(job, hit, true);
          return;
        }
      } catch {
        // The cache is only a shortcut: whatever failed in it, the text is embedded.
      }
    }
    if (job.stage !== 'lookup') return; // abandoned or closed meanwhile
    this.#misses++;
    this.#coalescer.submit(job);
  }

  /** Every caller of the job aborted: drop it unless a worker already has it (then its result is still cached). */
  #abandon(job: Job): void {
    if (job.stage === 'lookup') {
      job.stage = 'done';
      this.#inflight.delete(job.text);
    } else if (this.#coalescer.cancel(job)) {
      this.#inflight.delete(job.text);
    }
  }

  #deliver(job: Job, result: ItemResult, fromCache = false): void {
    if (this.#inflight.get(job.text) === job) this.#inflight.delete(job.text);
    job.stage = 'done';
    if (result instanceof Float32Array) {
      if (!fromCache) {
        this.#inferences++;
        if (job.key !== undefined) this.#cache?.put(job.key, result);
      }
    } else if (!(result instanceof ClosedError)) {
      this.#failures++;
    }
    const { waiters } = job;
    job.waiters = [];
    // Each caller gets its own copy: one caller writing into its vector cannot change another's (or the cache's).
    // The last may take the pool's array itself when the cache does not hold it.
    const cached = fromCache || (job.key !== undefined && this.#cache !== undefined);
    waiters.forEach(({ request, index }, i) => {
      if (!(result instanceof Float32Array)) request.fail(result);
      else request.fill(index, cached || i < waiters.length - 1 ? result.slice() : result);
    });
  }
}

function checkSignal(options: EmbedCallOptions | undefined): AbortSignal | undefined {
  if (options === undefined) return undefined;
  if (options === null || typeof options !== 'object') throw expected('options', 'an object', options);
  const signal = options.signal;
  if (signal === undefined) return undefined;
  if (typeof AbortSignal === 'undefined' || !(signal instanceof AbortSignal))
    throw expected('options.signal', 'an AbortSignal', signal);
  return signal;
}
