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
 * Bytes of vectors per slab once the first has grown to it: copying half of it when the first doubles stays a short
 * task, and slabs stay few (each is a wasm memory, and a browser page gets only so many: bench/README.md).
 */
const BLOCK_BYTES = 16 << 20;

/** Rows per slab: {@link BLOCK_BYTES} of this encoding's vectors (fp32 with SIMD also keeps an int8 copy). */
export function blockRows(dimensions: number, encoding: VectorEncoding): number {
  const perRow = encoding === 'fp32' ? dimensions * 5 : dimensions;
  return Math.max(256, Math.floor(BLOCK_BYTES / perRow));
}

/**
 * The vectors of one scope (one user, agent or run) in slabs of contiguous typed arrays, so a search is a linear
 * pass of dot products per slab (the vectors are unit length: dot = cosine), run by a WebAssembly SIMD kernel where
 * available. Rows are dense: removing swaps the last row into the hole. The first slab doubles up to a block
 * ({@link blockRows}); after that each new slab holds a block, so growing never copies more than half a block
 * (doubling a whole large scope was one long task). Row r lives in slab `r / block` at `r % block`.
 *
 * fp32 search with SIMD runs in two passes and stays exact: an int8 pass gives every score within a proven error
 * bound, and only the rows whose upper bound reaches the k-th best lower bound are rescored in fp32 (the same
 * kernel a full scan uses, so the result is identical to one). A quarter of the bandwidth when scores spread out;
 * about a full scan more when everything is a near-tie.
 */
export class ScopeIndex<R extends { readonly id: string }> {
  readonly #dimensions: number;
  readonly #encoding: VectorEncoding;
  readonly #block: number;
  #slabs: Slab[];
  /** Per row, for the int8 copy: scale, max |x - scale*q| (fp32 mode), and scale * Σ|q| (fp32 mode). */
  #scales: Float32Array;
  #errors: Float32Array;
  #l1: Float32Array;
  #records: R[] = [];
  readonly #rowOf = new Map<string, number>();
  /** Per slab: its rows[0..identity) hold 0..identity-1, so an unfiltered search reuses them. */
  #identity: number[] = [0];
  #rescored = 0;

  constructor(dimensions: number, encoding: VectorEncoding, capacity = 64, block = blockRows(dimensions, encoding)) {
    this.#dimensions = dimensions;
    this.#encoding = encoding;
    this.#block = block;
    this.#slabs = [allocate(dimensions, encoding, Math.min(block, Math.max(16, capacity)))];
    const side = this.#slabs[0]!.capacity;
    this.#scales = new Float32Array(side);
    this.#errors = new Float32Array(encoding === 'fp32' ? side : 0);
    this.#l1 = new Float32Array(encoding === 'fp32' ? side : 0);
  }

  get size(): number {
    return this.#records.length;
  }

  get dimensions(): number {
    return this.#dimensions;
  }

  /** True when searches run on the WebAssembly SIMD kernels (else the JS loop). */
  get simd(): boolean {
    return this.#slabs.every((slab) => slab.kernels !== null);
  }

  /** Rows rescored in fp32 by the last fp32 search (its whole candidate set when it fell back to a full scan). */
  get lastRescored(): number {
    return this.#rescored;
  }

  /** Bytes held for vectors (capacity, not only the used part). */
  get bytes(): number {
    let bytes = this.#scales.byteLength + this.#errors.byteLength + this.#l1.byteLength;
    for (const slab of this.#slabs) bytes += slab.f32.byteLength + slab.i8.byteLength;
    return bytes;
  }

  has(id: string): boolean {
    return this.#rowOf.has(id);
  }

  /** The score a search would give `id` for `query` (undefined when absent): one dot product, for fusing. */
  score(id: string, query: Float32Array): number | undefined {
    const row = this.#rowOf.get(id);
    if (row === undefined) return undefined;
    const d = this.#dimensions;
    const slab = this.#slabs[(row / this.#block) | 0]!;
    const data = this.#encoding === 'fp32' ? slab.f32 : slab.i8;
    let sum = 0;
    for (let j = 0, o = (row % this.#block) * d; j < d; j++) sum += query[j]! * data[o + j]!;
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
      if (row === this.#capacity) this.#grow();
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
      this.#move(last, row);
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
    const records = this.#records;
    // Each slab's `rows` lists its candidates (rows within the slab); counts[s] of them.
    const counts: number[] = [];
    for (let s = 0; s < this.#slabs.length; s++) counts.push(this.#candidates(s, accept));
    const total = counts.reduce((a, b) => a + b, 0);
    // Never more places than candidates: `limit` may be huge (up to Number.MAX_SAFE_INTEGER means "all").
    const top = new TopK(Math.min(k, total));
    this.#rescored = 0;
    if (total > 0 && k > 0) {
      if (this.#encoding === 'int8') counts.forEach((count, s) => this.#scanInt8(query, s, count, top, threshold));
      else if (total > 4 * k && this.#slabs.some((slab) => slab.kernels && slab.i8.length > 0))
        this.#scanTwoPass(query, counts, top, threshold);
      else counts.forEach((count, s) => this.#scanF32(query, s, count, top, threshold));
    }
    return top.sorted().map(({ row, score }) => ({ record: records[row]!, score }));
  }

  /** Lists the rows of slab `s` that `accept` keeps (all of them without it) in its `rows`; returns how many. */
  #candidates(s: number, accept: ((record: R) => boolean) | undefined): number {
    const rows = this.#slabs[s]!.rows;
    const records = this.#records;
    const first = s * this.#block;
    const n = Math.max(0, Math.min(records.length - first, rows.length));
    if (!accept) {
      for (let row = this.#identity[s]!; row < n; row++) rows[row] = row;
      this.#identity[s] = n;
      return n;
    }
    let count = 0;
    for (let row = 0; row < n; row++) if (accept(records[first + row]!)) rows[count++] = row;
    this.#identity[s] = 0;
    return count;
  }

  get #capacity(): number {
    const slabs = this.#slabs;
    return slabs.length === 1 ? slabs[0]!.capacity : slabs.length * this.#block;
  }

  /** Exact fp32 scores of slab `s`'s rows[0..count) into `top` (and, when given, into `lower`). */
  #scanF32(query: Float32Array, s: number, count: number, top: TopK, threshold: number, lower?: TopK): void {
    if (count === 0) return;
    const slab = this.#slabs[s]!;
    const d = this.#dimensions;
    if (slab.kernels) {
      slab.query.set(query);
      slab.kernels.scanF32(slab.queryOffset, slab.f32Offset, slab.rowsOffset, count, d, d * 4, slab.scoresOffset);
    } else {
      jsScan(query, slab.f32, slab.rows, count, d, slab.scores);
    }
    this.#rescored += count;
    const { rows, scores } = slab;
    const first = s * this.#block;
    for (let i = 0; i < count; i++) {
      const score = scores[i]!;
      if (lower && score > lower.threshold) lower.push(first + rows[i]!, score);
      if (score >= threshold && score > top.threshold) top.push(first + rows[i]!, score);
    }
  }

  /** int8 scores (scaled) of slab `s`'s rows[0..count) into `top`. */
  #scanInt8(query: Float32Array, s: number, count: number, top: TopK, threshold: number): void {
    if (count === 0) return;
    const slab = this.#slabs[s]!;
    const factor = slab.kernels
      ? this.#dotInt8(query, slab, count)
      : (jsScan(query, slab.i8, slab.rows, count, this.#dimensions, slab.scores), 1);
    const { rows, scores } = slab;
    const scales = this.#scales;
    const first = s * this.#block;
    for (let i = 0; i < count; i++) {
      const row = first + rows[i]!;
      const score = scores[i]! * factor * scales[row]!;
      if (score >= threshold && score > top.threshold) top.push(row, score);
    }
  }

  /**
   * Exact fp32 top-k in two passes. With q the query, x a vector, s its scale and c its int8 codes, and the query
   * quantised to int16 as qs * c16:  x·q - s qs (c·c16) = (x - s c)·q + s c·(q - qs c16), so
   *   |error| <= max|x - s c| * Σ|q|  +  (qs / 2) * s Σ|c|        (+ a float slack)
   * Every row whose upper bound reaches the k-th largest lower bound (and the threshold) is rescored exactly; no
   * other row can be in the top k. A slab without the int8 copy (no SIMD there) is scored exactly at once: its
   * exact scores are lower bounds too.
   */
  #scanTwoPass(query: Float32Array, counts: readonly number[], top: TopK, threshold: number): void {
    let qL1 = 0;
    for (let j = 0; j < this.#dimensions; j++) qL1 += Math.abs(query[j]!);
    // Pass 1: per slab, the upper bound in scores[i]; every lower bound into `lower`.
    const lower = new TopK(top.capacity);
    const coarse = this.#slabs.map((slab, s) => {
      if (counts[s] === 0) return false;
      if (slab.kernels && slab.i8.length > 0) this.#bounds(query, s, counts[s]!, qL1, lower);
      else this.#scanF32(query, s, counts[s]!, top, threshold, lower);
      return slab.kernels !== null && slab.i8.length > 0;
    });
    const cut = Math.max(lower.size < top.capacity ? -Infinity : lower.threshold, threshold);
    // Pass 2: compact each slab's candidates to the front of its `rows`, rescore them exactly.
    for (let s = 0; s < this.#slabs.length; s++) {
      if (!coarse[s]) continue;
      const { rows, scores } = this.#slabs[s]!;
      let candidates = 0;
      for (let i = 0; i < counts[s]!; i++) if (scores[i]! >= cut) rows[candidates++] = rows[i]!;
      this.#identity[s] = 0;
      // Rescoring the candidates never costs more than a full scan, and they hold every possible winner.
      this.#scanF32(query, s, candidates, top, threshold);
    }
  }

  /** Pass 1 of the two-pass search in slab `s`: each row's upper bound into scores[i], its lower bound into `lower`. */
  #bounds(query: Float32Array, s: number, count: number, qL1: number, lower: TopK): void {
    const slab = this.#slabs[s]!;
    const qs = this.#dotInt8(query, slab, count);
    const halfQs = qs / 2;
    const slack = 1e-4;
    const { rows, scores } = slab;
    const scales = this.#scales;
    const errors = this.#errors;
    const l1 = this.#l1;
    const first = s * this.#block;
    for (let i = 0; i < count; i++) {
      const row = first + rows[i]!;
      const approx = scores[i]! * qs * scales[row]!;
      const bound = errors[row]! * qL1 + halfQs * l1[row]! + slack;
      scores[i] = approx + bound; // keep only the upper bound
      const low = approx - bound;
      if (low > lower.threshold) lower.push(row, low);
    }
  }

  /** scores[i] = c16 · codes(rows[i]) for i < count in `slab`; returns the int16 query's scale (0 for a zero query). */
  #dotInt8(query: Float32Array, slab: Slab, count: number): number {
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
    const { f32, i8 } = this.#slabs[(row / this.#block) | 0]!;
    const at = (row % this.#block) * d;
    if (f32.length > 0) {
      if (vector instanceof Float32Array) f32.set(vector, at);
      else for (let j = 0; j < d; j++) f32[at + j] = vector.q[j]! * vector.scale;
    }
    if (i8.length === 0) return;
    const q = vector instanceof Float32Array ? quantize(vector) : vector;
    i8.set(q.q, at);
    this.#scales[row] = q.scale;
    if (this.#errors.length > 0) {
      // The exact vector is the fp32 copy just written; bound how far the int8 codes are from it.
      let error = 0;
      let sum = 0;
      for (let j = 0; j < d; j++) {
        const c = q.q[j]!;
        error = Math.max(error, Math.abs(f32[at + j]! - q.scale * c));
        sum += Math.abs(c);
      }
      this.#errors[row] = error;
      this.#l1[row] = q.scale * sum;
    }
  }

  /** Row `from`'s vector into row `to`: copied where both slabs keep the same arrays, else written anew. */
  #move(from: number, to: number): void {
    const d = this.#dimensions;
    const source = this.#slabs[(from / this.#block) | 0]!;
    const target = this.#slabs[(to / this.#block) | 0]!;
    const a = (from % this.#block) * d;
    const b = (to % this.#block) * d;
    if (source.i8.length > 0 !== target.i8.length > 0) {
      this.#write(
        to,
        this.#encoding === 'fp32'
          ? source.f32.subarray(a, a + d)
          : { q: source.i8.subarray(a, a + d), scale: this.#scales[from]! },
      );
      return;
    }
    if (source.f32.length > 0) target.f32.set(source.f32.subarray(a, a + d), b);
    if (source.i8.length === 0) return;
    target.i8.set(source.i8.subarray(a, a + d), b);
    this.#scales[to] = this.#scales[from]!;
    if (this.#errors.length > 0) {
      this.#errors[to] = this.#errors[from]!;
      this.#l1[to] = this.#l1[from]!;
    }
  }

  /** Room for one more row: the first slab doubles (up to a block); after that, a new slab of a block. */
  #grow(): void {
    const first = this.#slabs[0]!;
    if (this.#slabs.length === 1 && first.capacity < this.#block) {
      this.#slabs = [this.#copied(first, Math.min(this.#block, first.capacity * 2))];
      this.#identity = [0];
    } else {
      this.#slabs.push(allocate(this.#dimensions, this.#encoding, this.#block));
      this.#identity.push(0);
    }
    const side = this.#capacity;
    // The side arrays grow geometrically: per-row scalars, small next to the vectors.
    if (side > this.#scales.length) {
      const room = Math.max(side, this.#scales.length * 2);
      this.#scales = widen(this.#scales, room);
      if (this.#encoding === 'fp32') {
        this.#errors = widen(this.#errors, room);
        this.#l1 = widen(this.#l1, room);
      }
    }
  }

  /** A slab of `capacity` rows holding `old`'s rows. */
  #copied(old: Slab, capacity: number): Slab {
    const next = allocate(this.#dimensions, this.#encoding, capacity);
    const used = this.#records.length * this.#dimensions;
    if (old.f32.length > 0) next.f32.set(old.f32.subarray(0, used));
    if (next.i8.length > 0 && old.i8.length > 0) next.i8.set(old.i8.subarray(0, used));
    // Gained SIMD: the last, smaller slab found no room for a wasm memory and this one did; quantise every row.
    if (next.i8.length > 0 && old.i8.length === 0) {
      this.#slabs = [next];
      for (let row = 0; row < this.#records.length; row++)
        this.#write(row, next.f32.subarray(row * this.#dimensions, (row + 1) * this.#dimensions));
    }
    return next;
  }
}
