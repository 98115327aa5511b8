import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { embeddingCacheKey } from '../../src/engine/cache-key.js';
import { contentHash } from '../../src/store/ids.js';
import { TwoLevelCache, type TwoLevelCacheOptions } from '../../src/engine/two-level-cache.js';
import { LruCache } from '../../src/engine/lru.js';
import type { PersistentEmbeddingCache } from '../../src/engine/types.js';

describe('embeddingCacheKey', () => {
  it('is SHA-256 hex of modelId + NUL + text, short or long', async () => {
    const key = await embeddingCacheKey('http://x/models/m/#int8', 'héllo 😀');
    expect(key).toBe(createHash('sha256').update('http://x/models/m/#int8\u0000héllo 😀').digest('hex'));
    expect(await embeddingCacheKey('a', 'bc')).not.toBe(await embeddingCacheKey('ab', 'c'));
    for (const text of ['x'.repeat(4094), 'x'.repeat(4095), `${'é'.repeat(3000)} long`]) {
      expect(await embeddingCacheKey('m', text)).toBe(createHash('sha256').update(`m\u0000${text}`).digest('hex'));
    }
  });

  it('matches node:crypto for the content hash too, across every padding case', () => {
    for (const length of [0, 1, 55, 56, 63, 64, 65, 119, 120, 1000]) {
      const text = 'x'.repeat(length);
      expect(contentHash(text)).toBe(createHash('sha256').update(text).digest('hex'));
    }
  });
});

describe('LruCache', () => {
  it('evicts the least recently used entry', () => {
    const lru = new LruCache<string, number>(2);
    lru.set('a', 1);
    lru.set('b', 2);
    expect(lru.get('a')).toBe(1); // a is now the most recent
    lru.set('c', 3);
    expect(lru.has('b')).toBe(false);
    expect([lru.get('a'), lru.get('c'), lru.size]).toEqual([1, 3, 2]);
  });

  it('stores nothing at capacity 0', () => {
    const lru = new LruCache<string, number>(0);
    lru.set('a', 1);
    expect(lru.size).toBe(0);
  });
});

/** A real (Map-backed) persistent store that records how it was called. */
class MapStore implements PersistentEmbeddingCache {
  readonly map = new Map<string, Float32Array>();
  readonly calls: string[] = [];
  failNext = false;
  async getMany(keys: readonly string[]): Promise<(Float32Array | undefined)[]> {
    this.calls.push(`get ${keys.length}`);
    await new Promise((r) => setTimeout(r, 5));
    if (this.failNext) {
      this.failNext = false;
      throw new Error('disk on fire');
    }
    return keys.map((k) => this.map.get(k));
  }
  async putMany(entries: ReadonlyArray<readonly [string, Float32Array]>): Promise<void> {
    this.calls.push(`put ${entries.length}`);
    await new Promise((r) => setTimeout(r, 5));
    for (const [k, v] of entries) this.map.set(k, v);
  }
}

/** A cache of 2-float vectors with room for 10 in memory; `options` override the rest. */
function twoLevel(persistent?: PersistentEmbeddingCache, options: Partial<TwoLevelCacheOptions> = {}): TwoLevelCache {
  return new TwoLevelCache({ memoryEntries: 10, maxEntries: 1000, dimensions: 2, persistent, ...options });
}

describe('TwoLevelCache', () => {
  it('batches persistent reads and writes while one is in flight', async () => {
    const store = new MapStore();
    const cache = twoLevel(store);
    for (let i = 0; i < 5; i++) cache.put(`k${i}`, new Float32Array([i, 1]));
    await cache.flush();
    expect(store.calls).toEqual(['put 1', 'put 4']);
    const fresh = twoLevel(store);
    const got = await Promise.all(['k0', 'k1', 'k2', 'nope'].map((k) => fresh.persistentGet(k)));
    expect(got.map((v) => (v ? Array.from(v) : v))).toEqual([[0, 1], [1, 1], [2, 1], undefined]);
    expect(store.calls.slice(2)).toEqual(['get 1', 'get 3']);
    expect(fresh.memoryGet('k1')).toEqual(new Float32Array([1, 1])); // a persistent hit warms the LRU
  });

  it('keeps its own copy, ignores wrong-sized entries, and survives a failing store', async () => {
    const store = new MapStore();
    const cache = twoLevel(store);
    const v = new Float32Array([1, 2]);
    cache.put('a', v);
    v[0] = 99;
    expect(Array.from(cache.memoryGet('a')!)).toEqual([1, 2]);
    store.map.set('odd', new Float32Array(3));
    expect(await cache.persistentGet('odd')).toBeUndefined();
    store.failNext = true;
    expect(await cache.persistentGet('a')).toBeUndefined();
    expect(cache.persistentErrors).toBe(1);
  });

  it('takes a store that throws instead of rejecting as a failed one: reads miss, writes are dropped, nothing hangs', async () => {
    const throwing: PersistentEmbeddingCache = {
      getMany() {
        throw new Error('sync get');
      },
      putMany() {
        throw new Error('sync put');
      },
      keys() {
        throw new Error('sync keys');
      },
    };
    const cache = twoLevel(throwing);
    cache.put('a', new Float32Array([1, 0]));
    await cache.flush();
    expect(await cache.persistentGet('b')).toBeUndefined();
    expect(await cache.persistentGet('c')).toBeUndefined(); // a second read is not stuck behind the first
    expect(cache.persistentErrors).toBe(4); // keys, put, and the two reads
    expect(Array.from(cache.memoryGet('a')!)).toEqual([1, 0]);
  });

  it('lists the persistent keys once: an unknown key is a certain miss, known and newly written keys may be there', async () => {
    class ListedStore extends MapStore {
      async keys(): Promise<string[]> {
        this.calls.push('keys');
        return [...this.map.keys()];
      }
    }
    const store = new ListedStore();
    const key = (n: number) => n.toString(16).padEnd(64, '0');
    store.map.set(key(1), new Float32Array([1, 0]));
    const cache = twoLevel(store);
    expect(cache.persistentMayHave(key(2))).toBe(true); // not listed yet: must read
    await new Promise((r) => setTimeout(r, 0));
    expect(store.calls).toEqual(['keys']);
    expect(cache.persistentMayHave(key(1))).toBe(true);
    expect(cache.persistentMayHave(key(2))).toBe(false);
    cache.put(key(2), new Float32Array([0, 1]));
    expect(cache.persistentMayHave(key(2))).toBe(true);
    // Without keys() (or with no persistent store) nothing is certain, or nothing is there.
    expect(twoLevel(new MapStore()).persistentMayHave(key(3))).toBe(true);
    expect(twoLevel().persistentMayHave(key(3))).toBe(false);
  });
});
