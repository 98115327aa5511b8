/**
 * The memory one ScopeIndex scans, and the JS loop that scans it where the WebAssembly SIMD kernels cannot run.
 */
import type { VectorEncoding } from './quantize.js';
import { instantiate, type ScanKernels } from './simd.js';

const PAGE = 65536;
const align16 = (n: number) => (n + 15) & ~15;

/**
 * The memory one ScopeIndex scans: `[query | scores | rows | f32 vectors | int8 vectors]` in one buffer. It is a
 * WebAssembly.Memory when the SIMD kernels can run (then they read it in place), else a plain ArrayBuffer for the
 * JS loop. In fp32 mode with SIMD the int8 copy is a shadow for the first, coarse pass (see `ScopeIndex.search`).
 */
export interface Slab {
  readonly capacity: number;
  readonly kernels: ScanKernels | null;
  readonly queryOffset: number;
  readonly scoresOffset: number;
  readonly rowsOffset: number;
  readonly f32Offset: number;
  readonly i8Offset: number;
  readonly query: Float32Array;
  /** The same bytes as `query`, for the int16-quantised query of the int8 dot kernel. */
  readonly query16: Int16Array;
  readonly scores: Float32Array;
  readonly rows: Int32Array;
  readonly f32: Float32Array;
  readonly i8: Int8Array;
}

export function allocate(dimensions: number, encoding: VectorEncoding, capacity: number): Slab {
  const queryOffset = 0;
  const scoresOffset = align16(dimensions * 4);
  const rowsOffset = scoresOffset + align16(capacity * 4);
  const f32Offset = rowsOffset + align16(capacity * 4);
  const f32Bytes = encoding === 'fp32' ? capacity * dimensions * 4 : 0;
  const i8Offset = f32Offset + f32Bytes;
  const i8Bytes = capacity * dimensions;
  let buffer: ArrayBuffer;
  let kernels: ScanKernels | null = null;
  let withI8 = true;
  try {
    if (dimensions % 16 !== 0) throw new RangeError('the SIMD kernels need dims % 16 === 0');
    const memory = new WebAssembly.Memory({ initial: Math.ceil((i8Offset + i8Bytes) / PAGE) });
    kernels = instantiate(memory);
    buffer = memory.buffer;
    if (!kernels) throw new Error('no WebAssembly SIMD');
  } catch {
    // No SIMD, odd dimensions, or no room for a wasm memory this size: same layout, scanned by JS (no shadow).
    kernels = null;
    withI8 = encoding === 'int8';
    buffer = new ArrayBuffer(i8Offset + (withI8 ? i8Bytes : 0));
  }
  return {
    capacity,
    kernels,
    queryOffset,
    scoresOffset,
    rowsOffset,
    f32Offset,
    i8Offset,
    query: new Float32Array(buffer, queryOffset, dimensions),
    query16: new Int16Array(buffer, queryOffset, dimensions),
    scores: new Float32Array(buffer, scoresOffset, capacity),
    rows: new Int32Array(buffer, rowsOffset, capacity),
    f32: new Float32Array(buffer, f32Offset, encoding === 'fp32' ? capacity * dimensions : 0),
    i8: new Int8Array(buffer, i8Offset, withI8 ? i8Bytes : 0),
  };
}

/** A copy of `from` in `length` floats: cut short, or padded with zeros. */
export function widen(from: Float32Array, length: number): Float32Array {
  const to = new Float32Array(length);
  to.set(from.subarray(0, Math.min(from.length, length)));
  return to;
}

/** The JS scan: four accumulators, so the CPU can overlap independent add chains. */
export function jsScan(
  query: Float32Array,
  data: Float32Array | Int8Array,
  rows: Int32Array,
  count: number,
  d: number,
  scores: Float32Array,
): void {
  const d4 = d - (d % 4);
  for (let i = 0; i < count; i++) {
    const offset = rows[i]! * d;
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
}
