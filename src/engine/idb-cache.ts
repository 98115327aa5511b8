/**
 * The standalone embedder's persistent cache: its own IndexedDB database `agentmem-embeddings`, one object store
 * of key -> Float32Array. (Memory passes a cache backed by its own database instead.) Opened lazily on first use.
 */
import { openDB, type IDBPDatabase } from 'idb';
import { StorageError } from '../errors.js';
import { deleteKeyRange } from '../key-range.js';
import type { CacheKeyRange, PersistentEmbeddingCache } from './types.js';

const storeName = 'vectors';

export class IdbEmbeddingCache implements PersistentEmbeddingCache {
  readonly #name: string;
  #db: Promise<IDBPDatabase> | undefined;
  #closed = false;

  constructor(name = 'agentmem-embeddings') {
    this.#name = name;
  }

  #open(): Promise<IDBPDatabase> {
    // Never again after close(): a late read would open a connection nobody closes (blocking upgrades and deletes).
    if (this.#closed) return Promise.reject(new StorageError(`The embedding cache \`${this.#name}\` is closed`));
    this.#db ??= openDB(this.#name, 1, {
      upgrade(db) {
        db.createObjectStore(storeName);
      },
    }).catch((error: unknown) => {
      this.#db = undefined;
      throw new StorageError(`Could not open the IndexedDB database \`${this.#name}\``, { cause: error });
    });
    return this.#db;
  }

  async getMany(keys: readonly string[]): Promise<(Float32Array | undefined)[]> {
    const db = await this.#open();
    try {
      const tx = db.transaction(storeName, 'readonly');
      const values = await Promise.all(keys.map((key) => tx.store.get(key) as Promise<unknown>));
      await tx.done;
      return values.map((v) => (v instanceof Float32Array ? v : undefined));
    } catch (error) {
      throw new StorageError(`Could not read ${keys.length} cached embeddings from \`${this.#name}\``, {
        cause: error,
      });
    }
  }

  async keys(): Promise<string[]> {
    const db = await this.#open();
    try {
      return (await db.getAllKeys(storeName)).map(String);
    } catch (error) {
      throw new StorageError(`Could not list the cached embeddings of \`${this.#name}\``, { cause: error });
    }
  }

  async putMany(entries: ReadonlyArray<readonly [string, Float32Array]>): Promise<void> {
    const db = await this.#open();
    try {
      const tx = db.transaction(storeName, 'readwrite');
      await Promise.all([...entries.map(([key, vector]) => tx.store.put(vector, key)), tx.done]);
    } catch (error) {
      throw new StorageError(`Could not write ${entries.length} embeddings to \`${this.#name}\``, { cause: error });
    }
  }

  async evict(range: CacheKeyRange): Promise<void> {
    const db = await this.#open();
    try {
      const tx = db.transaction(storeName, 'readwrite');
      await Promise.all([deleteKeyRange(tx.store, range), tx.done]);
    } catch (error) {
      throw new StorageError(`Could not evict cached embeddings from \`${this.#name}\``, { cause: error });
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    const db = this.#db;
    this.#db = undefined;
    if (db) (await db.catch(() => undefined))?.close();
  }
}
