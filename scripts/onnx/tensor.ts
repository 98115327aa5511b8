/**
 * ONNX tensors as raw little-endian bytes (`TensorProto.raw_data`), plus the float16 conversion the fp16
 * model variants need.
 */

/** `TensorProto.DataType` values we write. */
export const DataType = {
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  INT32: 6,
  INT64: 7,
  BOOL: 9,
  FLOAT16: 10,
} as const;
export type DataType = (typeof DataType)[keyof typeof DataType];

/** A tensor ready to be written: element type, shape and raw little-endian bytes. */
export interface Tensor {
  readonly dataType: DataType;
  readonly dims: readonly number[];
  readonly raw: Uint8Array;
}

if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
  // raw_data is little-endian by spec; typed arrays use the host order.
  throw new Error('scripts/onnx needs a little-endian host');
}

function count(dims: readonly number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

function make(dataType: DataType, dims: readonly number[], view: ArrayBufferView, elements: number): Tensor {
  const expected = count(dims);
  if (elements !== expected) {
    throw new Error(`Expected ${expected} elements for dims [${dims.join(', ')}], got ${elements}`);
  }
  return { dataType, dims: [...dims], raw: new Uint8Array(view.buffer, view.byteOffset, view.byteLength) };
}

export function floatTensor(dims: readonly number[], data: Float32Array | readonly number[]): Tensor {
  const arr = data instanceof Float32Array ? data : Float32Array.from(data);
  return make(DataType.FLOAT, dims, arr, arr.length);
}

/** float16 tensor from float32 values (rounded to nearest even). */
export function float16Tensor(dims: readonly number[], data: Float32Array | readonly number[]): Tensor {
  const bits = toFloat16Bits(data instanceof Float32Array ? data : Float32Array.from(data));
  return make(DataType.FLOAT16, dims, bits, bits.length);
}

export function int64Tensor(dims: readonly number[], data: BigInt64Array | readonly number[]): Tensor {
  const arr = data instanceof BigInt64Array ? data : BigInt64Array.from(data, (v) => BigInt(v));
  return make(DataType.INT64, dims, arr, arr.length);
}

export function int32Tensor(dims: readonly number[], data: Int32Array | readonly number[]): Tensor {
  const arr = data instanceof Int32Array ? data : Int32Array.from(data);
  return make(DataType.INT32, dims, arr, arr.length);
}

export function int8Tensor(dims: readonly number[], data: Int8Array | readonly number[]): Tensor {
  const arr = data instanceof Int8Array ? data : Int8Array.from(data);
  return make(DataType.INT8, dims, arr, arr.length);
}

export function uint8Tensor(dims: readonly number[], data: Uint8Array | readonly number[]): Tensor {
  const arr = data instanceof Uint8Array ? data : Uint8Array.from(data);
  return make(DataType.UINT8, dims, arr, arr.length);
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** IEEE 754 binary16 bits of one float32, round-to-nearest-even, overflow to infinity, subnormals kept. */
export function float16Bits(value: number): number {
  f32[0] = value;
  const x = u32[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant !== 0 ? 0x200 : 0); // Inf / NaN
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00; // overflow
  if (e <= 0) {
    if (e < -10) return sign; // underflows to ±0
    mant |= 0x800000; // implicit leading 1
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    const rest = mant & ((1 << shift) - 1);
    let m = mant >>> shift;
    if (rest > half || (rest === half && (m & 1) === 1)) m += 1;
    return sign | m;
  }
  const rest = mant & 0x1fff;
  let h = sign | (e << 10) | (mant >>> 13);
  if (rest > 0x1000 || (rest === 0x1000 && (h & 1) === 1)) h += 1; // may carry into the exponent: correct
  return h;
}

export function toFloat16Bits(data: Float32Array): Uint16Array {
  const out = new Uint16Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = float16Bits(data[i]!);
  return out;
}

/** float32 value of binary16 bits (for tests and round-trip checks). */
export function float16ToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >>> 10) & 0x1f;
  const mant = bits & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}
