/**
 * The persistent embedding cache's bound (`cache.maxEntries`): which run of keys an eviction takes, and when
 * TwoLevelCache evicts, against a real in-process store that deletes key ranges as IndexedDB and SQLite do.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hex, keptAfterEviction, pickEviction } from '../../src/engine/eviction.js';
import { TwoLevelCache } from '../../src/engine/two-level-cache.js';
import type { CacheKeyRange, PersistentEmbeddingCache } from '../../src/engine/types.js';

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** A cache key as the engine makes them: a SHA-256 hex digest. */
function key(text: string): string {
  return createHash('sha256').update(`m\u0000${text}`).digest('hex');
}

function inRange(k: string, { from, to }: CacheKeyRange): boolean {
  return (from === undefined || k >= from) && (to === undefined || k < to);
}

/** A real sorted-key store: evict() deletes a key range the way IndexedDB's delete(range) does. */
class RangeStore implements PersistentEmbeddingCache {
  readonly map = new Map<string, Float32Array>();
  readonly evictions: CacheKeyRange[] = [];
  /** The most entries it held after any write. */
  peak = 0;
  failEvictions = false;
  /** While set, evictions wait for it. */
  gate: Promise<void> | undefined;

  async getMany(keys: readonly string[]): Promise<(Float32Array | undefined)[]> {
    await Promise.resolve();
    return keys.map((k) => this.map.get(k));
  }

  async putMany(entries: ReadonlyArray<readonly [string, Float32Array]>): Promise<void> {
    await new Promise((r) => setTimeout(r, 1));
    for (const [k, v] of entries) this.map.set(k, v);
    this.peak = Math.max(this.peak, this.map.size);
  }

  async keys(): Promise<string[]> {
    await Promise.resolve();
    return [...this.map.keys()];
  }

  async evict(range: CacheKeyRange): Promise<void> {
    await this.gate;
    if (this.failEvictions) throw new Error('disk on fire');
    this.evictions.push(range);
    for (const k of [...this.map.keys()]) if (inRange(k, range)) this.map.delete(k);
  }
}

const vector = new Float32Array([0.6, 0.8]);
const settle = () => new Promise((r) => setTimeout(r, 0));

describe('pickEviction', () => {
  const random = seeded(7);
  const prefixes = Float64Array.from(
    new Set(Array.from({ length: 200 }, (_, i) => Number.parseInt(key(`p${i}`).slice(0, 13), 16))),
  ).sort();
  // Full keys under each prefix, as the store holds them.
  const full = Array.from(prefixes, (p) => `${hex(p)}${'0'.repeat(51)}`);

  it('takes `count` neighbouring prefixes from where `start` points, wrapping into a second range', () => {
    for (let trial = 0; trial < 200; trial++) {
      const count = 1 + Math.floor(random() * (prefixes.length - 1));
      const start = random();
      const { ranges, evicted } = pickEviction(prefixes, count, start);
      expect(evicted).toHaveLength(count);
      const first = Math.floor(start * prefixes.length);
      expect(evicted[0]).toBe(prefixes[first]);
      expect(ranges).toHaveLength(first + count > prefixes.length ? 2 : 1);
      // Every key under an evicted prefix is in a range, and no key under a kept one.
      const gone = new Set(evicted);
      full.forEach((k, i) => {
        expect(ranges.some((r) => inRange(k, r))).toBe(gone.has(prefixes[i]!));
      });
    }
  });

  it('takes everything, keys the list lacks included, when asked for all; nothing for 0', () => {
    expect(pickEviction(prefixes, prefixes.length, 0.5)).toEqual({ ranges: [{}], evicted: Array.from(prefixes) });
    expect(pickEviction(prefixes, 0, 0.5)).toEqual({ ranges: [], evicted: [] });
    // The last prefix: a range open at the top.
    expect(pickEviction(prefixes, 1, 0.9999).ranges).toEqual([{ from: hex(prefixes.at(-1)!) }]);
  });

  it('keeps an eighth below the bound', () => {
    expect([0, 1, 8, 10, 50_000].map(keptAfterEviction)).toEqual([0, 0, 7, 8, 43_750]);
  });
});

describe('TwoLevelCache with maxEntries', () => {
  function cache(store: RangeStore, maxEntries: number, seed = 1): TwoLevelCache {
    return new TwoLevelCache({ memoryEntries: 0, maxEntries, dimensions: 2, persistent: store, random: seeded(seed) });
  }

  it('keeps the store at or under the bound, evicting random runs, and knows exactly what it holds', async () => {
    const store = new RangeStore();
    const c = cache(store, 40);
    await settle(); // listed (empty)
    const written: string[] = [];
    for (let round = 0; round < 30; round++) {
      // Bursts of puts, as a batch of embeddings delivers them: they go out together.
      for (let i = 0; i < 7; i++) {
        const k = key(`text ${round}-${i}`);
        written.push(k);
        c.put(k, vector);
      }
      if (round % 3 === 0) await c.flush();
    }
    await c.flush();
    expect(store.peak).toBeLessThanOrEqual(40);
    expect(store.map.size).toBeGreaterThanOrEqual(keptAfterEviction(40));
    expect(store.evictions.length).toBeGreaterThan(3);
    // The newest burst was written after the last eviction: all of it is there.
    for (const k of written.slice(-7)) expect(store.map.has(k)).toBe(true);
    // No false negatives (a key held but said absent) and no stale "may have" for an evicted key.
    for (const k of written) expect(c.persistentMayHave(k)).toBe(store.map.has(k));
    expect(c.persistentErrors).toBe(0);
  });

  it('trims a store that earlier sessions left over the bound once listed, without a put', async () => {
    const store = new RangeStore();
    const old = Array.from({ length: 100 }, (_, i) => key(`old ${i}`));
    for (const k of old) store.map.set(k, vector);
    const c = cache(store, 40, 3);
    await settle();
    await c.flush();
    expect(store.map.size).toBe(keptAfterEviction(40));
    expect(store.evictions.length).toBeLessThanOrEqual(2);
    for (const k of old) expect(c.persistentMayHave(k)).toBe(store.map.has(k));
  });

  it('writes at most maxEntries of a burst larger than the bound, the newest', async () => {
    const store = new RangeStore();
    const c = cache(store, 10);
    await settle();
    const burst = Array.from({ length: 25 }, (_, i) => key(`burst ${i}`));
    // The second text again at the end (no memory LRU in front): dropped early in the burst, written as its last.
    for (const k of [...burst, burst[1]!]) c.put(k, vector);
    await c.flush();
    expect(store.peak).toBeLessThanOrEqual(10);
    expect([...store.map.keys()].sort()).toEqual([burst[1]!, ...burst.slice(-9)].sort());
    for (const k of burst) expect(c.persistentMayHave(k)).toBe(store.map.has(k));
  });

  it('with maxEntries 0 neither reads nor writes, and deletes what earlier sessions left, listed or not', async () => {
    for (const listed of [true, false]) {
      const store = new RangeStore();
      store.map.set(key('old'), vector);
      const unlisted: PersistentEmbeddingCache = {
        getMany: (keys) => store.getMany(keys),
        putMany: (entries) => store.putMany(entries),
        evict: (range) => store.evict(range),
      };
      const persistent = listed ? store : unlisted;
      const c = new TwoLevelCache({ memoryEntries: 0, maxEntries: 0, dimensions: 2, persistent, random: seeded(1) });
      expect(c.persistentMayHave(key('old'))).toBe(false); // not even before the listing
      await settle();
      c.put(key('new'), vector);
      await c.flush();
      expect(store.map.size).toBe(0);
      expect(store.evictions).toEqual([{}]);
    }
  });

  it('knows the puts made while an eviction is in flight, and writes them after it', async () => {
    const store = new RangeStore();
    for (let i = 0; i < 20; i++) store.map.set(key(`old ${i}`), vector);
    let open!: () => void;
    store.gate = new Promise((r) => (open = r));
    const c = cache(store, 16, 5);
    await settle(); // listed: 20 > 16, the eviction waits at the gate
    // Two: with the 14 the eviction keeps they make 16, the bound, so no second eviction follows.
    const late = Array.from({ length: 2 }, (_, i) => key(`late ${i}`));
    for (const k of late) c.put(k, vector);
    for (const k of late) expect(c.persistentMayHave(k)).toBe(true);
    open();
    await c.flush();
    for (const k of late) expect(store.map.has(k)).toBe(true);
    expect(store.map.size).toBe(16);
    expect(store.evictions).toHaveLength(1);
    for (const k of [...late, ...Array.from({ length: 20 }, (_, i) => key(`old ${i}`))])
      expect(c.persistentMayHave(k)).toBe(store.map.has(k));
  });

  it('counts a failed eviction as a persistent error and still writes: puts never fail', async () => {
    const store = new RangeStore();
    store.failEvictions = true;
    const c = cache(store, 5);
    await settle();
    const keys = Array.from({ length: 8 }, (_, i) => key(`k ${i}`));
    for (const k of keys.slice(0, 5)) c.put(k, vector);
    await c.flush();
    // The first put goes out at once, the next two together; each write is over the bound, so an eviction of two
    // goes first, and fails.
    for (const k of keys.slice(5)) c.put(k, vector);
    await c.flush();
    expect(c.persistentErrors).toBe(2);
    expect(store.map.size).toBe(8);
    for (const k of keys.slice(5)) expect(store.map.has(k)).toBe(true);
    // An entry forgotten by the failed eviction only costs an inference: its next put writes and knows it again.
    const forgotten = keys.slice(0, 5).filter((k) => !c.persistentMayHave(k));
    expect(forgotten).toHaveLength(4);
    c.put(forgotten[0]!, vector);
    expect(c.persistentMayHave(forgotten[0]!)).toBe(true);
  });

  it('leaves a store without evict() unbounded, as before', async () => {
    const store = new RangeStore();
    const unbounded: PersistentEmbeddingCache = {
      getMany: (keys) => store.getMany(keys),
      putMany: (entries) => store.putMany(entries),
      keys: () => store.keys(),
    };
    const c = new TwoLevelCache({ memoryEntries: 0, maxEntries: 3, dimensions: 2, persistent: unbounded });
    await settle();
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) c.put(key(`u ${i} ${j}`), vector);
      await c.flush();
    }
    expect(store.map.size).toBe(9);
    expect(c.persistentErrors).toBe(0);
  });
});
