/**
 * The search index under a seeded random mix of upserts, replacements, removals and searches, against brute force:
 * small blocks so rows cross slabs, and wasm memories granted in several patterns (all, none, alternating, all but
 * the first, at random), so SIMD and JS slabs mix and the first slab can gain SIMD when it doubles.
 */
import { describe, expect, it } from 'vitest';
import { ScopeIndex } from '../../src/search/scope-index.js';
import { mulberry32, randomUnitVectors } from './search-random.js';

const Real = WebAssembly.Memory;
/** Runs `body` while only the wasm memories `grant` allows (by their order) can be made, as in a page that ran out. */
function withMemories(grant: (n: number) => boolean, body: () => void) {
  let n = 0;
  WebAssembly.Memory = function (d: WebAssembly.MemoryDescriptor) {
    if (!grant(n++)) throw new RangeError('no memory');
    return new Real(d);
  } as unknown as typeof WebAssembly.Memory;
  try {
    body();
  } finally {
    WebAssembly.Memory = Real;
  }
}

describe('ScopeIndex against brute force, random operations', () => {
  for (const mode of ['fp32', 'int8'] as const)
    for (const pattern of ['all', 'none', 'alt', 'firstNone', 'rand'] as const)
      it(`${mode} ${pattern}`, () => {
        const d = 32;
        const rand = mulberry32(pattern.length * 31 + (mode === 'fp32' ? 1 : 2));
        const pool = randomUnitVectors(1000, d, 5);
        const grant = (n: number) =>
          pattern === 'all'
            ? true
            : pattern === 'none'
              ? false
              : pattern === 'alt'
                ? n % 2 === 0
                : pattern === 'firstNone'
                  ? n > 0
                  : rand() < 0.5;
        const live = new Map<string, Float32Array>();
        let index!: ScopeIndex<{ id: string; n: number }>;
        withMemories(grant, () => {
          index = new ScopeIndex<{ id: string; n: number }>(d, mode, 1, 32);
          for (let step = 0; step < 6000; step++) {
            const r = rand();
            const id = String(Math.floor(rand() * 900));
            if (r < 0.55) {
              const v = pool[Math.floor(rand() * pool.length)]!;
              index.upsert({ id, n: +id }, v);
              live.set(id, v);
            } else if (r < 0.8) {
              expect(index.remove(id)).toBe(live.delete(id));
            } else {
              const q = pool[Math.floor(rand() * pool.length)]!;
              const k = 1 + Math.floor(rand() * 12);
              const accept = rand() < 0.4 ? (x: { n: number }) => x.n % 3 !== 0 : undefined;
              const thr = rand() < 0.3 ? 0.1 : -Infinity;
              const exact = [...live]
                .filter(([i]) => !accept || accept({ n: +i }))
                .map(([i, v]) => ({ id: i, s: v.reduce((a, x, j) => a + x * q[j]!, 0) }))
                .filter((e) => e.s >= thr - (mode === 'int8' ? 0.03 : 1e-6))
                .sort((a, b) => b.s - a.s);
              const hits = index.search(q, k, accept, thr);
              expect(index.size).toBe(live.size);
              for (const h of hits) {
                const v = live.get(h.record.id)!;
                expect(v, `step ${step}`).toBeDefined();
                const s = v.reduce((a, x, j) => a + x * q[j]!, 0);
                expect(Math.abs(s - h.score), `step ${step} ${h.record.id}`).toBeLessThan(
                  mode === 'fp32' ? 1e-5 : 0.03,
                );
                expect(Math.abs(index.score(h.record.id, q)! - s)).toBeLessThan(mode === 'fp32' ? 1e-5 : 0.03);
              }
              if (mode === 'fp32') {
                const want = exact.filter((e) => e.s >= thr).slice(0, k);
                expect(hits.length, `step ${step}`).toBe(want.length);
                hits.forEach((h, i) => expect(Math.abs(h.score - want[i]!.s), `step ${step} #${i}`).toBeLessThan(1e-5));
              } else {
                expect(hits.length).toBeLessThanOrEqual(k);
                if (thr === -Infinity) expect(hits.length).toBe(Math.min(k, exact.length));
              }
            }
          }
        });
      });
});
