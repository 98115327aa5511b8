import { describe, expect, it } from 'vitest';
import { TopK } from '../../src/search/top-k.js';
import { ScopeIndex } from '../../src/search/scope-index.js';
import { SearchIndex, type ScopeLoader } from '../../src/search/search-index.js';
import { clusteredUnitVectors, mulberry32, randomUnitVectors } from './search-random.js';

describe('TopK', () => {
  it('keeps the k highest of a seeded stream, best first, same as a full sort', () => {
    const rand = mulberry32(7);
    for (const [n, k] of [
      [1000, 10],
      [5, 10],
      [100, 1],
      [64, 64],
      [0, 3],
    ] as const) {
      const scores = Array.from({ length: n }, () => rand() * 2 - 1);
      const top = new TopK(k);
      scores.forEach((s, i) => top.push(i, s));
      const expected = scores
        .map((score, row) => ({ row, score }))
        .sort((a, b) => b.score - a.score)
        .slice(0, k);
      expect(top.sorted()).toEqual(expected);
      expect(top.size).toBe(Math.min(n, k));
    }
  });

  it('breaks ties by row and keeps nothing for k = 0', () => {
    const top = new TopK(2);
    [0.5, 0.9, 0.9, 0.1].forEach((s, i) => top.push(i, s));
    expect(top.sorted()).toEqual([
      { row: 1, score: 0.9 },
      { row: 2, score: 0.9 },
    ]);
    const none = new TopK(0);
    none.push(0, 1);
    expect(none.sorted()).toEqual([]);
  });

  it('reports -Infinity as threshold until full, then the worst kept score', () => {
    const top = new TopK(2);
    expect(top.threshold).toBe(-Infinity);
    top.push(0, 0.3);
    expect(top.threshold).toBe(-Infinity);
    top.push(1, 0.7);
    expect(top.threshold).toBe(0.3);
    top.push(2, 0.5);
    expect(top.threshold).toBe(0.5);
  });
});

describe('ScopeIndex', () => {
  const dims = 16;
  const vectors = randomUnitVectors(200, dims, 11);
  const record = (i: number) => ({ id: `m${i}`, n: i });

  function brute(query: Float32Array, ids: number[], k: number) {
    return ids
      .map((i) => ({ i, score: vectors[i]!.reduce((s, v, j) => s + v * query[j]!, 0) }))
      .sort((a, b) => b.score - a.score)
      .slice(0, k)
      .map((x) => `m${x.i}`);
  }

  it('grows past its capacity and finds exactly what a brute-force scan finds', () => {
    const index = new ScopeIndex<{ id: string; n: number }>(dims, 'fp32', 4);
    vectors.forEach((v, i) => index.upsert(record(i), v));
    expect(index.size).toBe(200);
    const query = randomUnitVectors(1, dims, 99)[0]!;
    const all = vectors.map((_, i) => i);
    expect(index.search(query, 10).map((h) => h.record.id)).toEqual(brute(query, all, 10));
    // A limit far past the scope's size ("all of them") allocates for the candidates, not for the limit.
    expect(index.search(query, Number.MAX_SAFE_INTEGER).map((h) => h.record.id)).toEqual(brute(query, all, all.length));
    expect(new ScopeIndex<{ id: string; n: number }>(dims, 'fp32').search(query, Number.MAX_SAFE_INTEGER)).toEqual([]);
  });

  it('filters before scoring, applies the threshold, and stays right after removals and replacements', () => {
    const index = new ScopeIndex<{ id: string; n: number }>(dims, 'fp32');
    vectors.forEach((v, i) => index.upsert(record(i), v));
    for (let i = 0; i < 200; i += 3) expect(index.remove(`m${i}`)).toBe(true);
    expect(index.remove('m0')).toBe(false);
    index.upsert(record(1), vectors[2]!); // m1 now holds m2's vector
    const query = vectors[2]!;
    const hits = index.search(query, 3);
    expect(hits.map((h) => h.record.id).sort()).toContain('m1');
    expect(hits.map((h) => h.record.id)).toContain('m2');
    expect(hits[0]!.score).toBeCloseTo(1, 5);

    const seen: number[] = [];
    const even = index.search(query, 5, (r) => (seen.push(r.n), r.n % 2 === 0));
    expect(even.every((h) => h.record.n % 2 === 0)).toBe(true);
    expect(seen.length).toBe(index.size); // the predicate sees every row once
    const remaining = vectors.map((_, i) => i).filter((i) => i % 3 !== 0 && i % 2 === 0 && i !== 1);
    const expected = brute(query, remaining, 5);
    expect(even.map((h) => h.record.id)).toEqual(expected);

    expect(index.search(query, 50, undefined, 0.5).every((h) => h.score >= 0.5)).toBe(true);
    expect(() => index.search(new Float32Array(3), 1)).toThrow(RangeError);
    expect(() => index.upsert({ id: 'x', n: 0 }, new Float32Array(3))).toThrow(RangeError);
  });

  it('the WebAssembly SIMD kernel (dims % 16 = 0) and the JS loop (other dims) both rank exactly as brute force', () => {
    for (const [d, simd] of [
      [32, true],
      [24, false],
      [7, false],
    ] as const) {
      for (const mode of ['fp32', 'int8'] as const) {
        const data = randomUnitVectors(300, d, 100 + d);
        const index = new ScopeIndex<{ id: string }>(d, mode, 16);
        data.forEach((v, i) => index.upsert({ id: String(i) }, v));
        expect(index.simd).toBe(simd);
        const query = randomUnitVectors(1, d, 7)[0]!;
        const exact = data
          .map((v, i) => ({ id: String(i), score: v.reduce((s, x, j) => s + x * query[j]!, 0) }))
          .sort((a, b) => b.score - a.score);
        const hits = index.search(query, 5);
        if (mode === 'fp32') {
          expect(hits.map((h) => h.record.id)).toEqual(exact.slice(0, 5).map((e) => e.id));
          hits.forEach((h, i) => expect(h.score).toBeCloseTo(exact[i]!.score, 5));
        } else {
          // int8: scores within quantisation error of the exact ones.
          hits.forEach((h) =>
            expect(Math.abs(h.score - exact.find((e) => e.id === h.record.id)!.score)).toBeLessThan(0.02),
          );
        }
        // Filtered (row list) and unfiltered (identity rows) give the same result for an accept-all filter.
        expect(index.search(query, 5, () => true).map((h) => h.record.id)).toEqual(hits.map((h) => h.record.id));
      }
    }
  });

  it(
    'fp32 two-pass search (int8 bound, then exact rescoring) returns exactly what a full fp32 scan returns',
    { timeout: 60_000 },
    () => {
      const d = 384;
      const few = randomUnitVectors(50, d, 23);
      const sets = {
        random: randomUnitVectors(4000, d, 21),
        clustered: clusteredUnitVectors(4000, d, 40, 0.05, 22),
        duplicates: Array.from({ length: 4000 }, (_, i) => few[i % 50]!), // exact ties everywhere
      };
      for (const [name, data] of Object.entries(sets)) {
        const index = new ScopeIndex<{ id: string; n: number }>(d, 'fp32', 16);
        data.forEach((v, i) => index.upsert({ id: String(i), n: i }, v));
        for (let i = 0; i < 4000; i += 7) index.remove(String(i)); // swapped slots keep their bounds
        expect(index.simd).toBe(true);
        const queries = [...randomUnitVectors(5, d, 24), data[1]!, data[2]!.map((x, j) => x + 0.01 * Math.sin(j))];
        let pruned = 0;
        for (const q of queries) {
          for (const [k, accept, threshold] of [
            [10, undefined, undefined],
            [3, (r: { n: number }) => r.n % 3 === 0, undefined],
            [10, undefined, 0.1],
          ] as const) {
            const full = index.search(q, index.size, accept, threshold); // k >= size/4: the plain full scan
            expect(index.lastRescored).toBeGreaterThanOrEqual(full.length);
            const fast = index.search(q, k, accept, threshold);
            pruned += index.lastRescored;
            expect(fast, name).toEqual(full.slice(0, k));
          }
        }
        // The bound prunes: far fewer exact rescorings than slots (3 searches per query).
        expect(pruned, name).toBeLessThan(queries.length * 3 * index.size * 0.5);
      }
    },
  );

  it('past a block, keeps rows in slabs of a block and searches them as one, through removals across slabs', () => {
    for (const d of [32, 24, 384]) {
      for (const mode of ['fp32', 'int8'] as const) {
        const data = d === 384 ? clusteredUnitVectors(2000, d, 20, 0.05, 5) : randomUnitVectors(300, d, 200 + d);
        const block = d === 384 ? 256 : 64;
        const index = new ScopeIndex<{ id: string; n: number }>(d, mode, 16, block);
        data.forEach((v, i) => index.upsert({ id: String(i), n: i }, v));
        const full = index.bytes;
        // Each removal swaps the last row (in the last slab) into a hole in an earlier one.
        for (let i = 0; i < data.length; i += 7) index.remove(String(i));
        data.forEach((v, i) => i % 11 === 0 && index.upsert({ id: String(i), n: i }, v));
        const kept = data.map((_, i) => i).filter((i) => i % 7 !== 0 || i % 11 === 0);
        expect(index.size).toBe(kept.length);
        expect(index.bytes).toBe(full); // the holes are reused: nothing allocated
        for (const query of [...randomUnitVectors(3, d, 9), data[3]!]) {
          const exact = kept
            .map((i) => ({ id: String(i), n: i, score: data[i]!.reduce((s, x, j) => s + x * query[j]!, 0) }))
            .sort((a, b) => b.score - a.score || a.n - b.n);
          for (const [k, accept] of [
            [10, undefined],
            [5, (r: { n: number }) => r.n % 3 === 0],
          ] as const) {
            const want = exact.filter((e) => !accept || accept(e)).slice(0, k);
            const hits = index.search(query, k, accept);
            if (mode === 'fp32') {
              expect(
                hits.map((h) => h.record.id),
                `${d} ${mode}`,
              ).toEqual(want.map((e) => e.id));
              hits.forEach((h, i) => expect(h.score).toBeCloseTo(want[i]!.score, 5));
            } else {
              for (const h of hits) {
                const e = exact.find((x) => x.id === h.record.id)!;
                expect(Math.abs(h.score - e.score), `${d} ${mode}`).toBeLessThan(0.02);
              }
              expect(hits.length).toBe(want.length);
            }
            expect(Math.abs(index.score(want[0]!.id, query)! - want[0]!.score)).toBeLessThan(
              mode === 'fp32' ? 1e-5 : 0.02,
            );
          }
        }
      }
    }
  });

  it('a slab that gets no wasm memory (a page has ~120) is scanned by the JS loop beside SIMD slabs, exactly', () => {
    // The first two memories are granted, then none: as in a page that has used up its wasm memories.
    const Real = WebAssembly.Memory;
    let granted = 0;
    const Limited = function (descriptor: WebAssembly.MemoryDescriptor) {
      if (++granted > 2) throw new RangeError('WebAssembly.Memory(): could not allocate memory');
      return new Real(descriptor);
    } as unknown as typeof WebAssembly.Memory;
    const d = 32;
    const data = randomUnitVectors(600, d, 77);
    for (const mode of ['fp32', 'int8'] as const) {
      granted = 0;
      WebAssembly.Memory = Limited;
      let index: ScopeIndex<{ id: string; n: number }>;
      try {
        index = new ScopeIndex<{ id: string; n: number }>(d, mode, 128, 128);
        data.forEach((v, i) => index.upsert({ id: String(i), n: i }, v));
      } finally {
        WebAssembly.Memory = Real;
      }
      expect(index.simd).toBe(false); // some slabs have kernels, the later ones do not
      // Removals move rows from the JS slabs into holes of the SIMD slabs and back.
      for (let i = 0; i < 600; i += 5) index.remove(String(i));
      const kept = data.map((_, i) => i).filter((i) => i % 5 !== 0);
      for (const query of [...randomUnitVectors(3, d, 78), data[7]!]) {
        const exact = kept
          .map((i) => ({ id: String(i), score: data[i]!.reduce((s, x, j) => s + x * query[j]!, 0) }))
          .sort((a, b) => b.score - a.score);
        const hits = index.search(query, 10);
        if (mode === 'fp32') expect(hits.map((h) => h.record.id)).toEqual(exact.slice(0, 10).map((e) => e.id));
        for (const h of hits)
          expect(Math.abs(h.score - exact.find((e) => e.id === h.record.id)!.score)).toBeLessThan(0.02);
      }
    }
  });

  it('updateRecord replaces the record only', () => {
    const index = new ScopeIndex<{ id: string; n: number }>(dims, 'int8');
    index.upsert(record(0), vectors[0]!);
    expect(index.updateRecord({ id: 'm0', n: 42 })).toBe(true);
    expect(index.updateRecord({ id: 'nope', n: 1 })).toBe(false);
    expect(index.search(vectors[0]!, 1)[0]!.record.n).toBe(42);
  });
});

describe('SearchIndex', () => {
  const dims = 8;
  const vectors = randomUnitVectors(30, dims, 5);
  type R = { id: string; userId?: string; agentId?: string; runId?: string };
  const rows: { record: R; vector: Float32Array }[] = vectors.map((vector, i) => ({
    record: { id: `m${i}`, userId: i % 2 === 0 ? 'alice' : 'bob', ...(i % 3 === 0 ? { agentId: 'planner' } : {}) },
    vector,
  }));
  const make = (loader: ScopeLoader<R>, maxScopes?: number) =>
    new SearchIndex<R>({
      dimensions: dims,
      encoding: 'fp32',
      loader,
      fieldsOf: (r) => ({ text: r.id }),
      ...(maxScopes ? { maxScopes } : {}),
    });
  const vec = (vector: Float32Array, k: number) => ({ mode: 'vector' as const, text: '', vector, k, keywordWeight: 0 });

  it('loads a scope once, never returns another scope, and narrows by the other scope keys', async () => {
    const loads: string[] = [];
    const index = make(async (field, value) => {
      loads.push(`${field}=${value}`);
      return rows.filter((r) => r.record[field] === value);
    });
    const q = vectors[4]!;
    const alice = await index.search({ userId: 'alice' }, vec(q, 100));
    expect(alice.length).toBe(15);
    expect(alice.every((h) => h.record.userId === 'alice')).toBe(true);
    expect(alice[0]!.record.id).toBe('m4');
    const alicePlanner = await index.search({ userId: 'alice', agentId: 'planner' }, vec(q, 100));
    expect(alicePlanner.map((h) => h.record.id).sort()).toEqual(['m0', 'm12', 'm18', 'm24', 'm6']);
    const planner = await index.search({ agentId: 'planner' }, vec(q, 100));
    expect(planner.length).toBe(10);
    expect(loads).toEqual(['userId=alice', 'agentId=planner']);
  });

  it('applies changes that arrive while a scope loads, and after', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const index = make(async (field, value) => {
      const snapshot = rows.filter((r) => r.record[field] === value);
      await gate;
      return snapshot;
    });
    const pending = index.search({ userId: 'bob' }, vec(vectors[1]!, 100));
    index.upsert({ id: 'new', userId: 'bob' }, vectors[0]!);
    index.remove('m1');
    index.upsert({ id: 'carol1', userId: 'carol' }, vectors[1]!); // a scope nobody holds: ignored
    release();
    const ids = (await pending).map((h) => h.record.id);
    expect(ids).toContain('new');
    expect(ids).not.toContain('m1');
    expect(ids.length).toBe(15);
    index.remove('new');
    expect((await index.search({ userId: 'bob' }, vec(vectors[1]!, 100))).length).toBe(14);
    index.clear();
    expect(index.stats()).toEqual({ scopes: 0, vectors: 0, bytes: 0 });
  });

  it('builds a big scope in slices: other tasks run meanwhile, and changes made then are applied', async () => {
    const big = randomUnitVectors(20_000, dims, 9).map((vector, i) => ({
      record: { id: `b${String(i).padStart(5, '0')}`, userId: 'dana' },
      vector,
    }));
    const index = new SearchIndex<R>({
      dimensions: dims,
      encoding: 'fp32',
      loader: async () => big,
      fieldsOf: (r) => ({ text: `note ${r.id} about the harbour and the weather on a long winter day` }),
    });
    let done = false;
    const search = index.search({ userId: 'dana' }, vec(big[7]!.vector, 3)).finally(() => (done = true));
    // Tasks queued behind the build: with one task for 20,000 rows none would run before the search settles.
    let between = 0;
    await new Promise<void>((resolve) => {
      const tick = () => {
        if (done) return resolve();
        if (++between === 2) index.remove('b00007'); // arrives mid-build
        setImmediate(tick);
      };
      setImmediate(tick);
    });
    const hits = await search;
    expect(between).toBeGreaterThanOrEqual(3);
    expect(hits.map((h) => h.record.id)).not.toContain('b00007');
    expect(index.stats().vectors).toBe(19_999);
  });

  it('keeps at most maxScopes scopes, evicting the least recently searched', async () => {
    const loads: string[] = [];
    const index = make(async (field, value) => {
      loads.push(value);
      return rows.filter((r) => r.record[field] === value);
    }, 2);
    await index.search({ userId: 'alice' }, vec(vectors[0]!, 1));
    await index.search({ userId: 'bob' }, vec(vectors[0]!, 1));
    await index.search({ userId: 'alice' }, vec(vectors[0]!, 1)); // alice is now the most recent
    await index.search({ agentId: 'planner' }, vec(vectors[0]!, 1)); // evicts bob
    expect(index.stats().scopes).toBe(2);
    await index.search({ userId: 'alice' }, vec(vectors[0]!, 1));
    await index.search({ userId: 'bob' }, vec(vectors[0]!, 1)); // loaded again
    expect(loads).toEqual(['alice', 'bob', 'planner', 'bob']);
  });

  it('forgets a scope whose load failed, so the next search retries', async () => {
    let fail = true;
    const index = make(async () => {
      if (fail) throw new Error('disk on fire');
      return rows.slice(0, 2);
    });
    await expect(index.search({ runId: 'r' }, vec(vectors[0]!, 1))).rejects.toThrow('disk on fire');
    fail = false;
    expect((await index.search({ runId: 'r' }, vec(vectors[0]!, 1))).length).toBe(1);
  });
});
