import type { CacheKeyRange } from '../key-range.js';
import type { Store } from './store.js';

/** Where the writes go: Memory's writer, which joins them with the adds' transactions. */
export type CacheWrite = (entries: ReadonlyArray<readonly [string, Float32Array]>) => Promise<void>;

/**
 * The engine's persistent embedding cache, kept in the memory's own store (one database per memory, so a reset
 * or a deleted database takes the cache with it). A cache is an optimisation: when the store
 * refuses (quota, a closed connection) the engine simply embeds again, so failures read as misses here.
 */
export class StoreEmbeddingCache {
  readonly #store: Store;
  readonly #write: CacheWrite;

  constructor(store: Store, write: CacheWrite) {
    this.#store = store;
    this.#write = write;
  }

  async getMany(keys: readonly string[]): Promise<(Float32Array | undefined)[]> {
    if (keys.length === 0 || !this.#store.isOpen) return keys.map(() => undefined);
    try {
      return await this.#store.cacheGetMany(keys);
    } catch {
      return keys.map(() => undefined);
    }
  }

  async keys(): Promise<string[]> {
    if (!this.#store.isOpen) return [];
    return this.#store.cacheKeys();
  }

  /** Unlike reads and writes, a failure rejects: the engine counts it (an eviction has no miss to fall back to). */
  async evict(range: CacheKeyRange): Promise<void> {
    if (!this.#store.isOpen) return;
    await this.#store.cacheEvict(range);
  }

  async putMany(entries: ReadonlyArray<readonly [string, Float32Array]>): Promise<void> {
    if (entries.length === 0 || !this.#store.isOpen) return;
    try {
      await this.#write(entries);
    } catch {
      // Best effort: a full disk must not turn a successful embedding into a failed add.
    }
  }
}
