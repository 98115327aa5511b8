import { TopK } from './top-k.js';
import { quantize, type QuantizedVector } from './quantize.js';

/** How vectors are held in memory: fp32 (exact) or int8 + one scale per vector (4x smaller). */
export type VectorMode = 'fp32' | 'int8';

/** A vector as stored: fp32, or already quantised. */
export type StoredVector = Float32Array | QuantizedVector;

export interface Hit<R> {
  readonly record: R;
  readonly score: number;
}

/**
 * The vectors of one scope (one user, agent or run) in one contiguous typed array, so a search is a single
 * linear pass of dot products (the vectors are unit length: dot = cosine). Slots are dense: removing swaps the
 * last slot into the hole, so there is never a gap to skip. Capacity doubles, as a Vec does.
 */
export class ScopeIndex<R extends { readonly id: string }> {
  readonly #dimensions: number;
  readonly #mode: VectorMode;
  #f32: Float32Array;
  #i8: Int8Array;
  #scales: Float32Array;
  #records: R[] = [];
  readonly #slotOf = new Map<string, number>();
  #capacity: number;

  constructor(dimensions: number, mode: VectorMode, capacity = 64) {
    this.#dimensions = dimensions;
    this.#mode = mode;
    this.#capacity = Math.max(1, capacity);
    this.#f32 = new Float32Array(mode === 'fp32' ? this.#capacity * dimensions : 0);
    this.#i8 = new Int8Array(mode === 'int8' ? this.#capacity * dimensions : 0);
    this.#scales = new Float32Array(mode === 'int8' ? this.#capacity : 0);
  }

  get size(): number {
    return this.#records.length;
  }

  get dimensions(): number {
    return this.#dimensions;
  }

  /** Bytes held by the vector arrays (capacity, not only the used part). */
  get bytes(): number {
    return this.#f32.byteLength + this.#i8.byteLength + this.#scales.byteLength;
  }

  has(id: string): boolean {
    return this.#slotOf.has(id);
  }

  /** Inserts, or replaces the record and vector held under `record.id`. */
  upsert(record: R, vector: StoredVector): void {
    const length = vector instanceof Float32Array ? vector.length : vector.q.length;
    if (length !== this.#dimensions) {
      throw new RangeError(`Expected a vector of ${this.#dimensions} dimensions for \`${record.id}\`, got ${length}`);
    }
    let slot = this.#slotOf.get(record.id);
    if (slot === undefined) {
      slot = this.#records.length;
      if (slot === this.#capacity) this.#grow();
      this.#records.push(record);
      this.#slotOf.set(record.id, slot);
    } else {
      this.#records[slot] = record;
    }
    this.#write(slot, vector);
  }

  /** Replaces the record kept under `record.id` (metadata changed, vector did not). False when absent. */
  updateRecord(record: R): boolean {
    const slot = this.#slotOf.get(record.id);
    if (slot === undefined) return false;
    this.#records[slot] = record;
    return true;
  }

  remove(id: string): boolean {
    const slot = this.#slotOf.get(id);
    if (slot === undefined) return false;
    const last = this.#records.length - 1;
    if (slot !== last) {
      const moved = this.#records[last]!;
      this.#records[slot] = moved;
      this.#slotOf.set(moved.id, slot);
      const d = this.#dimensions;
      if (this.#mode === 'fp32') this.#f32.copyWithin(slot * d, last * d, last * d + d);
      else {
        this.#i8.copyWithin(slot * d, last * d, last * d + d);
        this.#scales[slot] = this.#scales[last]!;
      }
    }
    this.#records.pop();
    this.#slotOf.delete(id);
    return true;
  }

  /**
   * The `k` best records that `accept` lets through, best first. `accept` runs before any arithmetic, so a
   * filtered-out record costs one call and no dot product.
   */
  search(query: Float32Array, k: number, accept?: (record: R) => boolean, threshold = -Infinity): Hit<R>[] {
    if (query.length !== this.#dimensions) {
      throw new RangeError(`Expected a query of ${this.#dimensions} dimensions, got ${query.length}`);
    }
    const top = new TopK(k);
    const d = this.#dimensions;
    const n = this.#records.length;
    const records = this.#records;
    if (this.#mode === 'fp32') {
      const data = this.#f32;
      for (let slot = 0, offset = 0; slot < n; slot++, offset += d) {
        if (accept && !accept(records[slot]!)) continue;
        let score = 0;
        for (let j = 0; j < d; j++) score += query[j]! * data[offset + j]!;
        if (score >= threshold && score > top.threshold) top.push(slot, score);
      }
    } else {
      const data = this.#i8;
      const scales = this.#scales;
      for (let slot = 0, offset = 0; slot < n; slot++, offset += d) {
        if (accept && !accept(records[slot]!)) continue;
        let dot = 0;
        for (let j = 0; j < d; j++) dot += query[j]! * data[offset + j]!;
        const score = dot * scales[slot]!;
        if (score >= threshold && score > top.threshold) top.push(slot, score);
      }
    }
    return top.sorted().map(({ slot, score }) => ({ record: records[slot]!, score }));
  }

  #write(slot: number, vector: StoredVector): void {
    const d = this.#dimensions;
    if (this.#mode === 'fp32') {
      if (vector instanceof Float32Array) this.#f32.set(vector, slot * d);
      else for (let j = 0; j < d; j++) this.#f32[slot * d + j] = vector.q[j]! * vector.scale;
      return;
    }
    const q = vector instanceof Float32Array ? quantize(vector) : vector;
    this.#i8.set(q.q, slot * d);
    this.#scales[slot] = q.scale;
  }

  #grow(): void {
    this.#capacity *= 2;
    const d = this.#dimensions;
    if (this.#mode === 'fp32') {
      const next = new Float32Array(this.#capacity * d);
      next.set(this.#f32);
      this.#f32 = next;
    } else {
      const next = new Int8Array(this.#capacity * d);
      next.set(this.#i8);
      this.#i8 = next;
      const scales = new Float32Array(this.#capacity);
      scales.set(this.#scales);
      this.#scales = scales;
    }
  }
}
