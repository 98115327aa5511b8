/**
 * Symmetric int8 quantisation, one scale per vector: `x[i] ≈ q[i] * scale`, with `scale = max|x| / 127`.
 * A unit vector of 384 floats (1536 bytes) becomes 384 bytes + one float. The query stays fp32: the score is
 * `scale * Σ query[i] * q[i]`, which loses far less than quantising both sides.
 */
/** How vectors are held, in the search index and in storage: floats, or int8 codes with one scale each. */
export type VectorEncoding = 'fp32' | 'int8';

/** The encoding of Memory's public `quantize` option. */
export function vectorEncoding(quantize: 'none' | 'int8'): VectorEncoding {
  return quantize === 'int8' ? 'int8' : 'fp32';
}

export interface QuantizedVector {
  readonly q: Int8Array;
  readonly scale: number;
}

export function quantize(vector: Float32Array): QuantizedVector {
  let max = 0;
  for (let i = 0; i < vector.length; i++) {
    const a = Math.abs(vector[i]!);
    if (a > max) max = a;
  }
  const q = new Int8Array(vector.length);
  if (max === 0) return { q, scale: 0 };
  const inv = 127 / max;
  let xq = 0;
  let qq = 0;
  for (let i = 0; i < vector.length; i++) {
    const v = Math.round(vector[i]! * inv);
    q[i] = v;
    xq += vector[i]! * v;
    qq += v * v;
  }
  // Least-squares scale (argmin ||x - s q||) rather than max/127: same codes, a slightly smaller error.
  return { q, scale: xq / qq };
}

export function dequantize(vector: QuantizedVector): Float32Array {
  const out = new Float32Array(vector.q.length);
  for (let i = 0; i < out.length; i++) out[i] = vector.q[i]! * vector.scale;
  return out;
}
