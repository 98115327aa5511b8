/**
 * Content hash -> vector: an in-memory LRU in front of an optional persistent store.
 * Reads and writes to the persistent store are batched the same way the coalescer batches texts: the first
 * request goes out at once, requests made while it is in flight go out together when it returns.
 * The persistent store is an optimisation: when it fails (rejects or throws), the engine counts the error and
 * embeds instead.
 *
 * The keys the persistent store holds are listed once (when it offers `keys()`) and kept as 52-bit prefixes, so a
 * text never seen before skips the read: that read could only miss, and under load its round trip
 * delays the text's arrival in the coalescer enough to split batches. The same prefixes count the entries against
 * `maxEntries`: before a write would pass it, a random run of them is evicted (eviction.ts).
 */
import { keptAfterEviction, pickEviction, prefix, type Eviction } from './eviction.js';
import { LruCache } from './lru.js';
import type { CacheKeyRange, PersistentEmbeddingCache } from './types.js';

interface PendingRead {
  readonly key: string;
  readonly resolve: (vector: Float32Array | undefined) => void;
}

type Entry = readonly [string, Float32Array];

export interface TwoLevelCacheOptions {
  /** Vectors the in-memory LRU keeps. */
  readonly memoryEntries: number;
  /** Entries the persistent store may hold (0: it is neither read nor written, and what it holds is evicted). */
  readonly maxEntries: number;
  /** A stored vector of another length is a miss. */
  readonly dimensions: number;
  readonly persistent?: PersistentEmbeddingCache | undefined;
  /** Where an eviction's run starts, 0 to 1: a seeded generator in tests. */
  readonly random?: () => number;
}

export class TwoLevelCache {
  readonly #memory: LruCache<string, Float32Array>;
  readonly #persistent: PersistentEmbeddingCache | undefined;
  readonly #dimensions: number;
  readonly #maxEntries: number;
  readonly #random: () => number;
  #reads: PendingRead[] = [];
  #reading = false;
  #writes: Entry[] = [];
  #writing: Promise<void> | undefined;
  /**
   * Key prefixes the persistent store holds (what it listed, plus what we wrote since, less what we evicted);
   * complete once listed. A prefix kept after its entry is gone costs a read that misses; one dropped while its
   * entry stays (an eviction that failed) costs an inference, whose write puts it back.
   */
  readonly #known = new Set<number>();
  /** Until the listing settles nothing is evicted: the count is short, and the listing could bring evicted keys back. */
  #listing: 'pending' | 'listed' | 'unlisted';
  persistentErrors = 0;

  constructor(options: TwoLevelCacheOptions) {
    const { persistent } = options;
    this.#memory = new LruCache(options.memoryEntries);
    this.#dimensions = options.dimensions;
    this.#maxEntries = options.maxEntries;
    this.#random = options.random ?? Math.random;
    this.#persistent = persistent;
    this.#listing = persistent?.keys && options.maxEntries > 0 ? 'pending' : 'unlisted';
    if (options.maxEntries === 0) {
      // Nothing is kept on disk: what earlier sessions left goes at once, listed or not.
      const evict = persistent?.evict?.bind(persistent);
      if (evict) this.#writing = this.#attempt(() => evict({})).finally(() => (this.#writing = undefined));
      return;
    }
    if (!persistent?.keys) return;
    const keys = persistent.keys.bind(persistent);
    // From a microtask, like every call to the store: one that throws instead of rejecting is a failure too.
    void Promise.resolve()
      .then(keys)
      .then(
        (keys) => {
          for (const key of keys) this.#known.add(prefix(key));
          this.#listing = 'listed';
        },
        () => {
          this.persistentErrors++; // unlisted: every miss keeps reading the store, as without keys()
          this.#listing = 'unlisted';
        },
      )
      .finally(() => this.#pumpWrites()); // a store left over the bound by earlier sessions is trimmed now
  }

  /**
   * False when the persistent store certainly lacks `key` (it was listed and `key` was not among them, or was
   * evicted since), and always with `maxEntries` 0 (nothing is kept there to read).
   */
  persistentMayHave(key: string): boolean {
    if (this.#persistent === undefined || this.#maxEntries === 0) return false;
    return this.#listing !== 'listed' || this.#known.has(prefix(key));
  }

  get memoryEntries(): number {
    return this.#memory.size;
  }

  /** The cached vector itself (callers copy before handing it out). */
  memoryGet(key: string): Float32Array | undefined {
    return this.#memory.get(key);
  }

  persistentGet(key: string): Promise<Float32Array | undefined> {
    if (!this.#persistent) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      this.#reads.push({ key, resolve });
      this.#pumpReads();
    });
  }

  /** Stores a copy in memory and, batched, in the persistent store. */
  put(key: string, vector: Float32Array): void {
    this.#memory.set(key, vector.slice());
    if (!this.#persistent || this.#maxEntries === 0) return;
    this.#known.add(prefix(key));
    this.#writes.push([key, vector.slice()]);
    this.#pumpWrites();
  }

  /** Resolves when every write requested so far has settled. */
  async flush(): Promise<void> {
    while (this.#writing) await this.#writing;
  }

  clearMemory(): void {
    this.#memory.clear();
  }

  #pumpReads(): void {
    const persistent = this.#persistent;
    if (this.#reading || this.#reads.length === 0 || !persistent) return;
    this.#reading = true;
    const batch = this.#reads;
    this.#reads = [];
    // From a microtask: a store that throws instead of rejecting is a failed read too, not a stuck one.
    void Promise.resolve()
      .then(() => persistent.getMany(batch.map((r) => r.key)))
      .then(
        (values) => {
          batch.forEach((read, i) => {
            const v = values[i];
            // Anything but a vector of our size (a store shared with other code, an old format) is a miss.
            const ok = v instanceof Float32Array && v.length === this.#dimensions;
            if (ok) this.#memory.set(read.key, v);
            read.resolve(ok ? v : undefined);
          });
        },
        () => {
          this.persistentErrors++;
          for (const read of batch) read.resolve(undefined);
        },
      )
      .finally(() => {
        this.#reading = false;
        this.#pumpReads();
      });
  }

  /** One step at a time: the eviction a batch needs, if any, then the batch; puts made meanwhile wait for the next. */
  #pumpWrites(): void {
    const persistent = this.#persistent;
    if (this.#writing || !persistent) return;
    const remove = persistent.evict?.bind(persistent);
    const batch = this.#takeWrites();
    const eviction = remove && this.#planEviction(batch);
    if (batch.length === 0 && !eviction) return;
    this.#writing = this.#attempt(remove && eviction ? () => evictRanges(remove, eviction.ranges) : undefined)
      .then(() => this.#attempt(batch.length > 0 ? () => persistent.putMany(batch) : undefined))
      .finally(() => {
        this.#writing = undefined;
        this.#pumpWrites();
      });
  }

  /** The queued writes, at most `maxEntries` of them: more could not all stay, so the oldest are dropped unwritten. */
  #takeWrites(): Entry[] {
    const batch = this.#writes;
    this.#writes = [];
    const extra = batch.length - this.#maxEntries;
    if (extra <= 0) return batch;
    const kept = batch.slice(extra);
    // A text put twice in one batch stays known when its later put is kept.
    const written = new Set(kept.map(([key]) => prefix(key)));
    for (const [key] of batch.slice(0, extra)) if (!written.has(prefix(key))) this.#known.delete(prefix(key));
    return kept;
  }

  /**
   * When the store and `batch` together would hold more than `maxEntries`, picks a random run of the stored
   * entries (not the batch's: they are written after the eviction) and forgets it at once, so puts made while the
   * eviction is in flight are known again, as they will be written after it.
   */
  #planEviction(batch: readonly Entry[]): Eviction | undefined {
    if (this.#listing === 'pending' || this.#known.size <= this.#maxEntries) return;
    const queued = new Set(batch.map(([key]) => prefix(key)));
    // Numbers, sorted as a typed array: sorting the prefixes as strings was a long task at the default bound.
    const stored = new Float64Array(this.#known.size);
    let n = 0;
    for (const p of this.#known) if (!queued.has(p) && !Number.isNaN(p)) stored[n++] = p;
    const count = Math.min(n, this.#known.size - keptAfterEviction(this.#maxEntries));
    if (count <= 0) return;
    const eviction = pickEviction(stored.subarray(0, n).sort(), count, this.#random());
    for (const p of eviction.evicted) this.#known.delete(p);
    return eviction;
  }

  /** Runs a call to the store from a microtask; a rejection or a throw is counted, never passed on. */
  #attempt(call: (() => Promise<void>) | undefined): Promise<void> {
    if (!call) return Promise.resolve();
    return Promise.resolve()
      .then(call)
      .catch(() => {
        this.persistentErrors++;
      });
  }
}

/** The ranges in order; the first that fails ends it (its entries are forgotten anyway: see `#known`). */
async function evictRanges(remove: (range: CacheKeyRange) => Promise<void>, ranges: Eviction['ranges']): Promise<void> {
  for (const range of ranges) await remove(range);
}
