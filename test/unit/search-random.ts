/** Seeded random data for the search tests (not a test file itself). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal by Box-Muller. */
export function gaussian(rand: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

export function normalize(v: Float32Array): Float32Array {
  let n = 0;
  for (const x of v) n += x * x;
  n = Math.sqrt(n);
  for (let i = 0; i < v.length; i++) v[i]! /= n;
  return v;
}

export function randomUnitVectors(count: number, dims: number, seed: number): Float32Array[] {
  const g = gaussian(mulberry32(seed));
  return Array.from({ length: count }, () => normalize(Float32Array.from({ length: dims }, g)));
}

/** `clusters` random centres, each point = centre + noise of `spread`, normalised: near-ties within a cluster. */
export function clusteredUnitVectors(
  count: number,
  dims: number,
  clusters: number,
  spread: number,
  seed: number,
): Float32Array[] {
  const g = gaussian(mulberry32(seed));
  const centres = Array.from({ length: clusters }, () => normalize(Float32Array.from({ length: dims }, g)));
  return Array.from({ length: count }, (_, i) => {
    const c = centres[i % clusters]!;
    return normalize(Float32Array.from(c, (x) => x + g() * spread));
  });
}
