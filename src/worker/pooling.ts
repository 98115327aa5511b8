/**
 * Pure pooling math, shared by the worker and the unit tests: token vectors -> one unit-length sentence vector.
 * Kept free of ORT and browser globals so Node can test it.
 */
import { EmbeddingError } from '../errors.js';
import type { Pooling } from './protocol.js';

/**
 * Writes the pooled vector of batch row `row` of `hidden` ([batch, seq, dim], row-major) into `out` at `outOffset`.
 * `mask` ([batch, seq], 1 for real tokens) selects the tokens that count: padding never moves a vector.
 */
export function poolRow(
  hidden: Float32Array,
  seq: number,
  dim: number,
  mask: ArrayLike<number>,
  row: number,
  pooling: Exclude<Pooling, 'none'>,
  out: Float32Array,
  outOffset: number,
): void {
  const rowBase = row * seq * dim;
  if (pooling === 'cls') {
    out.set(hidden.subarray(rowBase, rowBase + dim), outOffset);
    return;
  }
  // Sum in float64: 256 tokens of float32 lose digits that a unit-norm comparison at 0.9999 would notice.
  const sum = new Float64Array(dim);
  let count = 0;
  for (let t = 0; t < seq; t++) {
    if (mask[row * seq + t] === 0) continue;
    count++;
    const base = rowBase + t * dim;
    for (let d = 0; d < dim; d++) sum[d]! += hidden[base + d]!;
  }
  if (count === 0) throw new EmbeddingError('Cannot mean-pool a row with no unmasked tokens');
  for (let d = 0; d < dim; d++) out[outOffset + d] = sum[d]! / count;
}

/** Scales `out[offset .. offset+dim)` to unit length. A zero or non-finite vector is a model failure, not a result. */
export function l2Normalize(out: Float32Array, offset: number, dim: number): void {
  let sq = 0;
  for (let d = 0; d < dim; d++) {
    const v = out[offset + d]!;
    sq += v * v;
  }
  const norm = Math.sqrt(sq);
  if (!Number.isFinite(norm) || norm === 0) {
    throw new EmbeddingError(
      `The model produced a ${norm === 0 ? 'zero' : 'non-finite'} vector; it cannot be normalised`,
    );
  }
  const inv = 1 / norm;
  for (let d = 0; d < dim; d++) out[offset + d]! *= inv;
}

/** IEEE 754 half -> float. Used when a fp16 model returns float16 outputs and the platform has no Float16Array. */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  if (exp === 0x1f) return frac ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}

/** An ORT output's data as Float32Array, whatever float type the model emits. */
export function toFloat32(type: string, data: unknown): Float32Array {
  if (data instanceof Float32Array) return data;
  if (type === 'float16') {
    if (data instanceof Uint16Array) {
      const out = new Float32Array(data.length);
      for (let i = 0; i < data.length; i++) out[i] = halfToFloat(data[i]!);
      return out;
    }
    // A platform Float16Array (or any numeric array-like) converts element-wise.
    return Float32Array.from(data as ArrayLike<number>);
  }
  if (data instanceof Float64Array) return Float32Array.from(data);
  throw new EmbeddingError(`Expected the model output to be float32 or float16, got \`${type}\``);
}
