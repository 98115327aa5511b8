import { TopK } from './top-k.js';
import { quantize, type QuantizedVector } from './quantize.js';
import type { VectorEncoding } from './quantize.js';
import { allocate, jsScan, widen, type Slab } from './slab.js';

/** A vector as stored: fp32, or already quantised. */
export type StoredVector = Float32Array | QuantizedVector;

export interface Hit<R> {
  readonly record: R;
  readonly score: number;
}

/**
 * The vectors of one scope (one user, agent or run) in one contiguous typed array, so a search is a single
 * linear pass of dot products (the vectors are unit length: dot = cosine), run by a WebAssembly SIMD kernel where
 * available. Rows are dense: removing swaps the last row into the hole. Capacity doubles, as a Vec does.
 *
 * fp32 search with SIMD runs in two passes and stays exact: an int8 pass gives every score within a proven error
 * bound, and only the rows whose upper bound reaches the k-th best lower bound are rescored in fp32 (the same
 * kernel a full scan uses, so the result is identical to one). A quarter of the bandwidth when scores spread out;
 * about a full scan more when everything is a near-tie.
 */
export class ScopeIndex<R extends { readonly id: string }> {
  readonly #dimensions: number;
  readonly #encoding: VectorEncoding;
  #slab: Slab;
  /** Per row, for the int8 copy: scale, max |x - scale*q| (fp32 mode), and scale * Σ|q| (fp32 mode). */
  #scales: Float32Array;
  #errors: Float32Array;
  #l1: Float32Array;
  #records: R[] = [];
  readonly #rowOf = new Map<string, number>();
  /** rows[0..identity) hold 0..identity-1: an unfiltered search reuses them instead of rewriting the list. */
  #identity = 0;
  #rescored = 0;

  constructor(dimensions: number, encoding: VectorEncoding, capacity = 64) {
    this.#dimensions = dimensions;
    this.#encoding = encoding;
    this.#slab = allocate(dimensions, encoding, Math.max(16, capacity));
    const side = this.#slab.i8.length > 0 ? this.#slab.capacity : 0;
    const bounds = encoding === 'fp32' ? side : 0;
    this.#scales = new Float32Array(side);
    this.#errors = new Float32Array(bounds);
    this.#l1 = new Float32Array(bounds);
  }

  get size(): number {
    return this.#records.length;
  }

  get dimensions(): number {
    return this.#dimensions;
  }

  /** True when searches run on the WebAssembly SIMD kernels (else the JS loop). */
  get simd(): boolean {
    return this.#slab.kernels !== null;
  }

  /** Rows rescored in fp32 by the last fp32 search (its whole candidate set when it fell back to a full scan). */
  get lastRescored(): number {
    return this.#rescored;
  }

  /** Bytes held for vectors (capacity, not only the used part). */
  get bytes(): number {
    return (
      this.#slab.f32.byteLength +
      this.#slab.i8.byteLength +
      this.#scales.byteLength +
      this.#errors.byteLength +
      this.#l1.byteLength
    );
  }

  has(id: string): boolean {
    return this.#rowOf.has(id);
  }

  /** The score a search would give `id` for `query` (undefined when absent): one dot product, for fusing. */
  score(id: string, query: Float32Array): number | undefined {
    const row = this.#rowOf.get(id);
    if (row === undefined) return undefined;
    const d = this.#dimensions;
    const { f32, i8 } = this.#slab;
    const data = this.#encoding === 'fp32' ? f32 : i8;
    let sum = 0;
    for (let j = 0, o = row * d; j < d; j++) sum += query[j]! * data[o + j]!;
    return this.#encoding === 'fp32' ? sum : sum * this.#scales[row]!;
  }

  /** Inserts, or replaces the record and vector held under `record.id`. */
  upsert(record: R, vector: StoredVector): void {
    const length = vector instanceof Float32Array ? vector.length : vector.q.length;
    if (length !== this.#dimensions) {
      throw new RangeError(`Expected a vector of ${this.#dimensions} dimensions for \`${record.id}\`, got ${length}`);
    }
    let row = this.#rowOf.get(record.id);
    if (row === undefined) {
      row = this.#records.length;
      if (row === this.#slab.capacity) this.#grow();
      this.#records.push(record);
      this.#rowOf.set(record.id, row);
    } else {
      this.#records[row] = record;
    }
    this.#write(row, vector);
  }

  /** Replaces the record kept under `record.id` (metadata changed, vector did not). False when absent. */
  updateRecord(record: R): boolean {
    const row = this.#rowOf.get(record.id);
    if (row === undefined) return false;
    this.#records[row] = record;
    return true;
  }

  remove(id: string): boolean {
    const row = this.#rowOf.get(id);
    if (row === undefined) return false;
    const last = this.#records.length - 1;
    if (row !== last) {
      const moved = this.#records[last]!;
      this.#records[row] = moved;
      this.#rowOf.set(moved.id, row);
      const d = this.#dimensions;
      const { f32, i8 } = this.#slab;
      if (f32.length > 0) f32.copyWithin(row * d, last * d, last * d + d);
      if (i8.length > 0) {
        i8.copyWithin(row * d, last * d, last * d + d);
        this.#scales[row] = this.#scales[last]!;
      }
      if (this.#errors.length > 0) {
        this.#errors[row] = this.#errors[last]!;
        this.#l1[row] = this.#l1[last]!;
      }
    }
    this.#records.pop();
    this.#rowOf.delete(id);
    return true;
  }

  /**
   * The `k` best records that `accept` lets through, best first. `accept` runs first and only the rows it keeps
   * are scored, so a filtered-out record costs one call and no dot product.
   */
  search(query: Float32Array, k: number, accept?: (record: R) => boolean, threshold = -Infinity): Hit<R>[] {
    if (query.length !== this.#dimensions) {
      throw new RangeError(`Expected a query of ${this.#dimensions} dimensions, got ${query.length}`);
    }
    const slab = this.#slab;
    const records = this.#records;
    const n = records.length;
    const rows = slab.rows;
    let count = 0;
    if (accept) {
      for (let row = 0; row < n; row++) if (accept(records[row]!)) rows[count++] = row;
      this.#identity = 0;
    } else {
      for (let row = this.#identity; row < n; row++) rows[row] = row;
      this.#identity = n;
      count = n;
    }
    // Never more places than candidates: `limit` may be huge (up to Number.MAX_SAFE_INTEGER means "all").
    const top = new TopK(Math.min(k, count));
    if (count > 0 && k > 0) {
      if (this.#encoding === 'int8') this.#scanInt8(query, count, top, threshold);
      else if (slab.kernels && this.#errors.length > 0 && count > 4 * k)
        this.#scanTwoPass(query, count, top, threshold);
      else this.#scanF32(query, count, top, threshold);
    }
    return top.sorted().map(({ row, score }) => ({ record: records[row]!, score }));
  }

  /** Exact fp32 scores of rows[0..count) into `top`. */
  #scanF32(query: Float32Array, count: number, top: TopK, threshold: number): void {
    const slab = this.#slab;
    const d = this.#dimensions;
    if (slab.kernels) {
      slab.query.set(query);
      slab.kernels.scanF32(slab.queryOffset, slab.f32Offset, slab.rowsOffset, count, d, d * 4, slab.scoresOffset);
    } else {
      jsScan(query, slab.f32, slab.rows, count, d, slab.scores);
    }
    this.#rescored = count;
    const { rows, scores } = slab;
    for (let i = 0; i < count; i++) {
      const score = scores[i]!;
      if (score >= threshold && score > top.threshold) top.push(rows[i]!, score);
    }
  }

  /** int8 scores (scaled) of rows[0..count) into `top`. */
  #scanInt8(query: Float32Array, count: number, top: TopK, threshold: number): void {
    const slab = this.#slab;
    const factor = slab.kernels
      ? this.#dotInt8(query, count)
      : (jsScan(query, slab.i8, slab.rows, count, this.#dimensions, slab.scores), 1);
    const { rows, scores } = slab;
    const scales = this.#scales;
    for (let i = 0; i < count; i++) {
      const row = rows[i]!;
      const score = scores[i]! * factor * scales[row]!;
      if (score >= threshold && score > top.threshold) top.push(row, score);
    }
  }

  /**
   * Exact fp32 top-k in two passes. With q the query, x a vector, s its scale and c its int8 codes, and the query
   * quantised to int16 as qs * c16:  x·q - s qs (c·c16) = (x - s c)·q + s c·(q - qs c16), so
   *   |error| <= max|x - s c| * Σ|q|  +  (qs / 2) * s Σ|c|        (+ a float slack)
   * Every row whose upper bound reaches the k-th largest lower bound (and the threshold) is rescored exactly; no
   * other row can be in the top k. Too many candidates (near-ties everywhere): a plain full scan.
   */
  #scanTwoPass(query: Float32Array, count: number, top: TopK, threshold: number): void {
    const slab = this.#slab;
    const qs = this.#dotInt8(query, count);
    let qL1 = 0;
    for (let j = 0; j < this.#dimensions; j++) qL1 += Math.abs(query[j]!);
    const { rows, scores } = slab;
    const scales = this.#scales;
    const errors = this.#errors;
    const l1 = this.#l1;
    const halfQs = qs / 2;
    const slack = 1e-4;
    // Pass 1: approximate score in scores[i], its bound in the lower-bound heap.
    const lower = new TopK(top.capacity);
    for (let i = 0; i < count; i++) {
      const row = rows[i]!;
      const approx = scores[i]! * qs * scales[row]!;
      const bound = errors[row]! * qL1 + halfQs * l1[row]! + slack;
      scores[i] = approx + bound; // keep only the upper bound
      const low = approx - bound;
      if (low > lower.threshold) lower.push(row, low);
    }
    const cut = Math.max(lower.size < top.capacity ? -Infinity : lower.threshold, threshold);
    // Pass 2: compact the candidates to the front of `rows`, rescore them exactly.
    let candidates = 0;
    for (let i = 0; i < count; i++) if (scores[i]! >= cut) rows[candidates++] = rows[i]!;
    this.#identity = 0;
    // Rescoring the candidates never costs more than a full scan, and they hold every possible winner.
    this.#scanF32(query, candidates, top, threshold);
  }

  /** scores[i] = c16 · codes(rows[i]) for i < count; returns the int16 query's scale (0 for a zero query). */
  #dotInt8(query: Float32Array, count: number): number {
    const slab = this.#slab;
    const d = this.#dimensions;
    // Sums of int8 x int16 stay exact in i32 while 127 * qmax * dims < 2^31.
    const qmax = Math.min(32767, Math.floor(0x7fffffff / (127 * d)));
    let max = 0;
    for (let j = 0; j < d; j++) max = Math.max(max, Math.abs(query[j]!));
    if (max === 0) {
      slab.scores.fill(0, 0, count);
      return 0;
    }
    const inv = qmax / max;
    for (let j = 0; j < d; j++) slab.query16[j] = Math.round(query[j]! * inv);
    slab.kernels!.dotI8(slab.queryOffset, slab.i8Offset, slab.rowsOffset, count, d, d, slab.scoresOffset);
    return max / qmax;
  }

  #write(row: number, vector: StoredVector): void {
    const d = this.#dimensions;
    const { f32, i8 } = this.#slab;
    if (f32.length > 0) {
      if (vector instanceof Float32Array) f32.set(vector, row * d);
      else for (let j = 0; j < d; j++) f32[row * d + j] = vector.q[j]! * vector.scale;
    }
    if (i8.length === 0) return;
    const q = vector instanceof Float32Array ? quantize(vector) : vector;
    i8.set(q.q, row * d);
    this.#scales[row] = q.scale;
    if (this.#errors.length > 0) {
      // The exact vector is the fp32 copy just written; bound how far the int8 codes are from it.
      let error = 0;
      let sum = 0;
      for (let j = 0; j < d; j++) {
        const c = q.q[j]!;
        error = Math.max(error, Math.abs(f32[row * d + j]! - q.scale * c));
        sum += Math.abs(c);
      }
      this.#errors[row] = error;
      this.#l1[row] = q.scale * sum;
    }
  }

  #grow(): void {
    const old = this.#slab;
    const next = allocate(this.#dimensions, this.#encoding, old.capacity * 2);
    const used = this.#records.length * this.#dimensions;
    if (old.f32.length > 0) next.f32.set(old.f32.subarray(0, used));
    const side = next.i8.length > 0 ? next.capacity : 0;
    if (side > 0 && old.i8.length > 0) next.i8.set(old.i8.subarray(0, used));
    // Gained SIMD: the last, smaller slab found no room for a wasm memory and this one did; quantise every row.
    const fresh = side > 0 && old.i8.length === 0;
    this.#slab = next;
    this.#scales = widen(this.#scales, side);
    this.#errors = widen(this.#errors, this.#encoding === 'fp32' ? side : 0);
    this.#l1 = widen(this.#l1, this.#encoding === 'fp32' ? side : 0);
    if (fresh)
      for (let row = 0; row < this.#records.length; row++)
        this.#write(row, next.f32.subarray(row * this.#dimensions, (row + 1) * this.#dimensions));
    this.#identity = 0;
  }
}
