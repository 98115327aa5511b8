import { describe, expect, it } from 'vitest';
import { ScopeIndex } from '../../src/search/scope-index.js';
import { dequantize, quantize } from '../../src/search/quantize.js';
import { clusteredUnitVectors, randomUnitVectors } from './search-random.js';

/** recall@k of int8 against fp32 over `queries`, both indexes holding the same vectors. */
function recall(data: Float32Array[], queries: Float32Array[], k: number): number {
  const dims = data[0]!.length;
  const exact = new ScopeIndex<{ id: string }>(dims, 'fp32');
  const int8 = new ScopeIndex<{ id: string }>(dims, 'int8');
  data.forEach((v, i) => {
    exact.upsert({ id: String(i) }, v);
    int8.upsert({ id: String(i) }, v);
  });
  expect(int8.bytes * 3).toBeLessThan(exact.bytes); // ~4x smaller (one fp32 scale per vector on top)
  let found = 0;
  for (const q of queries) {
    const truth = new Set(exact.search(q, k).map((h) => h.record.id));
    for (const h of int8.search(q, k)) if (truth.has(h.record.id)) found++;
  }
  return found / (queries.length * k);
}

describe('int8 quantisation', () => {
  it('round-trips within half a step per component', () => {
    const [v] = randomUnitVectors(1, 384, 3);
    const q = quantize(v!);
    const back = dequantize(q);
    for (let i = 0; i < v!.length; i++) expect(Math.abs(back[i]! - v![i]!)).toBeLessThanOrEqual(q.scale / 2 + 1e-7);
    expect(quantize(new Float32Array(4)).scale).toBe(0);
  });

  it('recall@10 >= 0.99 against fp32 on seeded random unit vectors (384 dims)', () => {
    const data = randomUnitVectors(5000, 384, 42);
    // Queries near stored points, as real queries are (a random query's top 10 are all near-ties).
    const queries = Array.from({ length: 50 }, (_, i) => {
      const base = data[(i * 97) % data.length]!;
      const noise = randomUnitVectors(1, 384, 1000 + i)[0]!;
      const v = Float32Array.from(base, (x, j) => x + 0.8 * noise[j]!);
      const n = Math.hypot(...v);
      return v.map((x) => x / n);
    });
    const r = recall(data, queries, 10);
    console.log(`int8 recall@10, random: ${r.toFixed(4)}`);
    expect(r).toBeGreaterThanOrEqual(0.99);
  });

  it('recall@10 >= 0.99 against fp32 on clustered data (near-ties inside a cluster)', () => {
    const data = clusteredUnitVectors(5000, 384, 50, 0.05, 9);
    // Each query: a stored point plus a little noise, so its top 10 are its cluster-mates (tight near-ties).
    const noises = randomUnitVectors(50, 384, 9 + 1000);
    const mixed = noises.map((noise, i) => {
      const base = data[(i * 131) % data.length]!;
      const v = Float32Array.from(base, (x, j) => x + 0.02 * noise[j]!);
      const n = Math.hypot(...v);
      return v.map((x) => x / n);
    });
    const r = recall(data, mixed, 10);
    console.log(`int8 recall@10, clustered: ${r.toFixed(4)}`);
    expect(r).toBeGreaterThanOrEqual(0.99);
  });

  it('recall@10 on uniformly random queries is reported (the hardest case: every top-10 is a near-tie)', () => {
    const data = randomUnitVectors(5000, 384, 42);
    const queries = randomUnitVectors(50, 384, 4242);
    const r = recall(data, queries, 10);
    console.log(`int8 recall@10, random queries: ${r.toFixed(4)}`);
    expect(r).toBeGreaterThanOrEqual(0.95);
  });
});
