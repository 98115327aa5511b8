import { TopK } from './top-k.js';
import { quantize, type QuantizedVector } from './quantize.js';
import { instantiate, type ScanKernels } from './simd.js';

/** How vectors are held in memory: fp32 (exact) or int8 + one scale per vector (4x smaller). */
export type VectorMode = 'fp32' | 'int8';

/** A vector as stored: fp32, or already quantised. */
export type StoredVector = Float32Array | QuantizedVector;

export interface Hit<R> {
  readonly record: R;
  readonly score: number;
}

const PAGE = 65536;
const align16 = (n: number) => (n + 15) & ~15;

/**
 * The memory one ScopeIndex scans: `[query | scores | rows | vectors]` in one buffer. It is a WebAssembly.Memory
 * when the SIMD kernels can run (then they read it in place), else a plain ArrayBuffer for the JS loop.
 */
interface Slab {
  readonly capacity: number;
  readonly kernels: ScanKernels | null;
  readonly queryOffset: number;
  readonly scoresOffset: number;
  readonly rowsOffset: number;
  readonly baseOffset: number;
  readonly query: Float32Array;
  /** The same bytes as `query`, for the int16-quantised query of the int8 dot kernel. */
  readonly query16: Int16Array;
  readonly scores: Float32Array;
  readonly rows: Int32Array;
  readonly f32: Float32Array;
  readonly i8: Int8Array;
}

function allocate(dimensions: number, mode: VectorMode, capacity: number): Slab {
  const rowBytes = mode === 'fp32' ? dimensions * 4 : dimensions;
  const queryOffset = 0;
  const scoresOffset = align16(dimensions * 4);
  const rowsOffset = scoresOffset + align16(capacity * 4);
  const baseOffset = rowsOffset + align16(capacity * 4);
  const bytes = baseOffset + capacity * rowBytes;
  let buffer: ArrayBuffer;
  let kernels: ScanKernels | null = null;
  try {
    if (dimensions % 16 !== 0) throw new RangeError('the SIMD kernels need dims % 16 === 0');
    const memory = new WebAssembly.Memory({ initial: Math.ceil(bytes / PAGE) });
    kernels = instantiate(memory);
    buffer = memory.buffer;
    if (!kernels) throw new Error('no WebAssembly SIMD');
  } catch {
    // No SIMD, odd dimensions, or no room for a wasm memory this size: same layout, scanned by JS.
    kernels = null;
    buffer = new ArrayBuffer(bytes);
  }
  return {
    capacity,
    kernels,
    queryOffset,
    scoresOffset,
    rowsOffset,
    baseOffset,
    query: new Float32Array(buffer, queryOffset, dimensions),
    query16: new Int16Array(buffer, queryOffset, dimensions),
    scores: new Float32Array(buffer, scoresOffset, capacity),
    rows: new Int32Array(buffer, rowsOffset, capacity),
    f32: mode === 'fp32' ? new Float32Array(buffer, baseOffset, capacity * dimensions) : new Float32Array(0),
    i8: mode === 'int8' ? new Int8Array(buffer, baseOffset, capacity * dimensions) : new Int8Array(0),
  };
}

/**
 * The vectors of one scope (one user, agent or run) in one contiguous typed array, so a search is a single
 * linear pass of dot products (the vectors are unit length: dot = cosine), run by a WebAssembly SIMD kernel where
 * available. Slots are dense: removing swaps the last slot into the hole. Capacity doubles, as a Vec does.
 */
export class ScopeIndex<R extends { readonly id: string }> {
  readonly #dimensions: number;
  readonly #mode: VectorMode;
  #slab: Slab;
  #scales: Float32Array;
  #records: R[] = [];
  readonly #slotOf = new Map<string, number>();
  /** rows[0..identity) hold 0..identity-1: an unfiltered search reuses them instead of rewriting the list. */
  #identity = 0;

  constructor(dimensions: number, mode: VectorMode, capacity = 64) {
    this.#dimensions = dimensions;
    this.#mode = mode;
    this.#slab = allocate(dimensions, mode, Math.max(16, capacity));
    this.#scales = new Float32Array(mode === 'int8' ? this.#slab.capacity : 0);
  }

  get size(): number {
    return this.#records.length;
  }

  get dimensions(): number {
    return this.#dimensions;
  }

  /** True when searches run on the WebAssembly SIMD kernel (else the JS loop). */
  get simd(): boolean {
    return this.#slab.kernels !== null;
  }

  /** Bytes held for vectors (capacity, not only the used part). */
  get bytes(): number {
    return this.#slab.f32.byteLength + this.#slab.i8.byteLength + this.#scales.byteLength;
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
      if (slot === this.#slab.capacity) this.#grow();
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
      if (this.#mode === 'fp32') this.#slab.f32.copyWithin(slot * d, last * d, last * d + d);
      else {
        this.#slab.i8.copyWithin(slot * d, last * d, last * d + d);
        this.#scales[slot] = this.#scales[last]!;
      }
    }
    this.#records.pop();
    this.#slotOf.delete(id);
    return true;
  }

  /**
   * The `k` best records that `accept` lets through, best first. `accept` runs first and only the slots it keeps
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
      for (let slot = 0; slot < n; slot++) if (accept(records[slot]!)) rows[count++] = slot;
      this.#identity = 0;
    } else {
      for (let slot = this.#identity; slot < n; slot++) rows[slot] = slot;
      this.#identity = n;
      count = n;
    }
    const scores = slab.scores;
    const factor = count > 0 ? this.#score(query, count) : 1;
    const top = new TopK(k);
    const scales = this.#mode === 'int8' ? this.#scales : undefined;
    for (let i = 0; i < count; i++) {
      const slot = rows[i]!;
      const score = scales ? scores[i]! * factor * scales[slot]! : scores[i]!;
      if (score >= threshold && score > top.threshold) top.push(slot, score);
    }
    return top.sorted().map(({ slot, score }) => ({ record: records[slot]!, score }));
  }

  /**
   * scores[i] = query · vector(rows[i]) for i < count. For int8 the scores still need the per-vector scale and
   * the returned factor (the int16 query's scale on the SIMD path, 1 otherwise).
   */
  #score(query: Float32Array, count: number): number {
    const slab = this.#slab;
    const d = this.#dimensions;
    if (slab.kernels && this.#mode === 'fp32') {
      slab.query.set(query);
      slab.kernels.scanF32(slab.queryOffset, slab.baseOffset, slab.rowsOffset, count, d, d * 4, slab.scoresOffset);
      return 1;
    }
    if (slab.kernels) {
      // int16 query: sums of int8 x int16 stay exact in i32 while 127 * qmax * dims < 2^31.
      const qmax = Math.min(32767, Math.floor(0x7fffffff / (127 * d)));
      let max = 0;
      for (let j = 0; j < d; j++) max = Math.max(max, Math.abs(query[j]!));
      if (max === 0) {
        slab.scores.fill(0, 0, count);
        return 1;
      }
      const inv = qmax / max;
      for (let j = 0; j < d; j++) slab.query16[j] = Math.round(query[j]! * inv);
      slab.kernels.dotI8(slab.queryOffset, slab.baseOffset, slab.rowsOffset, count, d, d, slab.scoresOffset);
      return max / qmax;
    }
    const data = this.#mode === 'fp32' ? slab.f32 : slab.i8;
    const rows = slab.rows;
    const scores = slab.scores;
    const d4 = d - (d % 4);
    for (let i = 0; i < count; i++) {
      const offset = rows[i]! * d;
      // Four accumulators: independent add chains let the CPU overlap them.
      let a0 = 0;
      let a1 = 0;
      let a2 = 0;
      let a3 = 0;
      let j = 0;
      for (; j < d4; j += 4) {
        a0 += query[j]! * data[offset + j]!;
        a1 += query[j + 1]! * data[offset + j + 1]!;
        a2 += query[j + 2]! * data[offset + j + 2]!;
        a3 += query[j + 3]! * data[offset + j + 3]!;
      }
      for (; j < d; j++) a0 += query[j]! * data[offset + j]!;
      scores[i] = a0 + a1 + a2 + a3;
    }
    return 1;
  }

  #write(slot: number, vector: StoredVector): void {
    const d = this.#dimensions;
    if (this.#mode === 'fp32') {
      if (vector instanceof Float32Array) this.#slab.f32.set(vector, slot * d);
      else for (let j = 0; j < d; j++) this.#slab.f32[slot * d + j] = vector.q[j]! * vector.scale;
      return;
    }
    const q = vector instanceof Float32Array ? quantize(vector) : vector;
    this.#slab.i8.set(q.q, slot * d);
    this.#scales[slot] = q.scale;
  }

  #grow(): void {
    const old = this.#slab;
    const next = allocate(this.#dimensions, this.#mode, old.capacity * 2);
    const used = this.#records.length * this.#dimensions;
    if (this.#mode === 'fp32') next.f32.set(old.f32.subarray(0, used));
    else {
      next.i8.set(old.i8.subarray(0, used));
      const scales = new Float32Array(next.capacity);
      scales.set(this.#scales);
      this.#scales = scales;
    }
    this.#slab = next;
    this.#identity = 0;
  }
}
