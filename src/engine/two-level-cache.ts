/**
 * Content hash -> vector: an in-memory LRU in front of an optional persistent store.
 * Reads and writes to the persistent store are batched the same way the coalescer batches texts: the first
 * request goes out at once, requests made while it is in flight go out together when it returns.
 * The persistent store is an optimisation: when it fails (rejects or throws), the engine counts the error and
 * embeds instead.
 *
 * The keys the persistent store holds are listed once (when it offers `keys()`) and kept as 64-bit prefixes, so a
 * text never seen before skips the read: that read could only miss, and under load its round trip (a few ms)
 * delays the text's arrival in the coalescer enough to split batches.
 */
import { LruCache } from './lru.js';
import type { PersistentEmbeddingCache } from './types.js';

interface PendingRead {
  readonly key: string;
  readonly resolve: (vector: Float32Array | undefined) => void;
}

export class TwoLevelCache {
  readonly #memory: LruCache<string, Float32Array>;
  readonly #persistent: PersistentEmbeddingCache | undefined;
  readonly #dimensions: number;
  #reads: PendingRead[] = [];
  #reading = false;
  #writes: Array<readonly [string, Float32Array]> = [];
  #writing: Promise<void> | undefined;
  /** Key prefixes the persistent store holds (what it listed, plus what we wrote since); complete once listed. */
  readonly #known = new Set<string>();
  #listed = false;
  persistentErrors = 0;

  constructor(memoryEntries: number, dimensions: number, persistent?: PersistentEmbeddingCache) {
    this.#memory = new LruCache(memoryEntries);
    this.#dimensions = dimensions;
    this.#persistent = persistent;
    if (!persistent?.keys) return;
    const keys = persistent.keys.bind(persistent);
    // From a microtask, like every call to the store: one that throws instead of rejecting is a failure too.
    void Promise.resolve()
      .then(keys)
      .then(
        (keys) => {
          for (const key of keys) this.#known.add(prefix(key));
          this.#listed = true;
        },
        () => {
          this.persistentErrors++; // unlisted: every miss keeps reading the store, as without keys()
        },
      );
  }

  /** False only when the persistent store certainly lacks `key` (it was listed and `key` was not among them). */
  persistentMayHave(key: string): boolean {
    return this.#persistent !== undefined && (!this.#listed || this.#known.has(prefix(key)));
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
    if (!this.#persistent) return;
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

  #pumpWrites(): void {
    const persistent = this.#persistent;
    if (this.#writing || this.#writes.length === 0 || !persistent) return;
    const batch = this.#writes;
    this.#writes = [];
    this.#writing = Promise.resolve()
      .then(() => persistent.putMany(batch))
      .catch(() => {
        this.persistentErrors++;
      })
      .finally(() => {
        this.#writing = undefined;
        this.#pumpWrites();
      });
  }
}

/** 16 hex digits of the SHA-256 key: a collision only costs one read that misses. */
function prefix(key: string): string {
  return key.slice(0, 16);
}
