/**
 * The scan's inner loop as a tiny hand-assembled WebAssembly SIMD module (about 300 bytes, no toolchain):
 * a search over 100k vectors of 384 dims is 38M multiply-adds, which scalar JS runs at a few hundred MFLOP/s
 * while f32x4 with four accumulators runs near memory bandwidth. Two functions, one per storage mode:
 *
 *   scan_f32(query, base, rows, count, dims, rowBytes, out)   out[i] = Σ_j query[j] * f32(base + rows[i]*rowBytes)[j]
 *   scan_i8 (query, base, rows, count, dims, rowBytes, out)   same with int8 vectors (the caller applies the scales)
 *   dot_i8  (query16, base, rows, count, dims, rowBytes, out) int8 vectors against an int16-quantised query with
 *            i32x4.dot_i16x8_s: 8 multiply-adds per instruction, integer sums (exact), written out as f32
 *
 * `rows` lists the rows to score, so a filtered search scores only what the filter let through.
 * Both need `dims % 16 === 0` (384, 256, 512, 768 all are); other sizes use the JS loop.
 */

const SIMD = 0xfd;
// Opcodes used below (WebAssembly core spec, SIMD section).
const op = {
  block: 0x02,
  loop: 0x03,
  brIf: 0x0d,
  end: 0x0b,
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  i32Load: 0x28,
  f32Store: 0x38,
  i32Const: 0x41,
  i32Eqz: 0x45,
  i32Add: 0x6a,
  i32Sub: 0x6b,
  i32Mul: 0x6c,
  f32Add: 0x92,
} as const;
const simd = {
  load: [SIMD, 0x00],
  const: [SIMD, 0x0c],
  f32x4ExtractLane: [SIMD, 0x1f],
  i16x8ExtendLowI8x16S: [SIMD, 0x87, 0x01],
  i16x8ExtendHighI8x16S: [SIMD, 0x88, 0x01],
  i32x4ExtendLowI16x8S: [SIMD, 0xa7, 0x01],
  i32x4ExtendHighI16x8S: [SIMD, 0xa8, 0x01],
  f32x4Add: [SIMD, 0xe4, 0x01],
  f32x4Mul: [SIMD, 0xe6, 0x01],
  f32x4ConvertI32x4S: [SIMD, 0xfa, 0x01],
  i32x4ExtractLane: [SIMD, 0x1b],
  i32x4Add: [SIMD, 0xae, 0x01],
  i32x4DotI16x8S: [SIMD, 0xba, 0x01],
} as const;
const f32ConvertI32S = 0xb2;

// Parameter (Q..OUT) and local (QP..HI) indexes shared by both functions.
const [Q, BASE, ROWS, COUNT, DIMS, ROW_BYTES, OUT, QP, DP, J, A0, A1, A2, A3, LO, HI] = [
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
] as const;

const get = (i: number) => [op.localGet, i];
const set = (i: number) => [op.localSet, i];
const i32 = (v: number) => [op.i32Const, ...sleb(v)];
/** v128.load with alignment 2^2 and a byte offset. */
const load = (offset: number) => [...simd.load, 2, ...uleb(offset)];
const addTo = (acc: number, product: number[]) => [...get(acc), ...product, ...simd.f32x4Add, ...set(acc)];
const bump = (local: number, by: number) => [...get(local), ...i32(by), op.i32Add, ...set(local)];

function body(inner: number[], qStep: number, dStep: number, integer = false): number[] {
  const zero = [...simd.const, ...new Array<number>(16).fill(0)];
  const add = integer ? simd.i32x4Add : simd.f32x4Add;
  const lane = (l: number) => [...get(A0), ...(integer ? simd.i32x4ExtractLane : simd.f32x4ExtractLane), l];
  const sum = integer
    ? [...lane(0), ...lane(1), op.i32Add, ...lane(2), op.i32Add, ...lane(3), op.i32Add, f32ConvertI32S]
    : [...lane(0), ...lane(1), op.f32Add, ...lane(2), op.f32Add, ...lane(3), op.f32Add];
  return [
    op.block,
    0x40,
    ...get(COUNT),
    op.i32Eqz,
    op.brIf,
    0,
    op.loop,
    0x40,
    ...zero,
    ...set(A0),
    ...zero,
    ...set(A1),
    ...zero,
    ...set(A2),
    ...zero,
    ...set(A3),
    ...get(Q),
    ...set(QP),
    // dp = base + rows[i] * rowBytes
    ...get(BASE),
    ...get(ROWS),
    op.i32Load,
    2,
    0,
    ...get(ROW_BYTES),
    op.i32Mul,
    op.i32Add,
    ...set(DP),
    ...get(DIMS),
    ...set(J),
    op.loop,
    0x40,
    ...inner,
    ...bump(QP, qStep),
    ...bump(DP, dStep),
    ...get(J),
    ...i32(16),
    op.i32Sub,
    op.localTee,
    J,
    op.brIf,
    0,
    op.end,
    // a0 = (a0 + a1) + (a2 + a3); out[i] = a0[0] + a0[1] + a0[2] + a0[3]
    ...get(A0),
    ...get(A1),
    ...add,
    ...get(A2),
    ...get(A3),
    ...add,
    ...add,
    ...set(A0),
    ...get(OUT),
    ...sum,
    op.f32Store,
    2,
    0,
    ...bump(OUT, 4),
    ...bump(ROWS, 4),
    ...get(COUNT),
    ...i32(1),
    op.i32Sub,
    op.localTee,
    COUNT,
    op.brIf,
    0,
    op.end,
    op.end,
    op.end,
  ];
}

// 16 floats per step: four f32x4 products into four accumulators.
const f32Inner = [0, 16, 32, 48].flatMap((o, k) =>
  addTo(A0 + k, [...get(QP), ...load(o), ...get(DP), ...load(o), ...simd.f32x4Mul]),
);
// Loads 16 int8 of the vector and widens them to i16: the low 8 in LO, the high 8 in HI.
const widenToI16 = [
  ...get(DP),
  ...load(0),
  op.localTee,
  LO,
  ...simd.i16x8ExtendHighI8x16S,
  ...set(HI),
  ...get(LO),
  ...simd.i16x8ExtendLowI8x16S,
  ...set(LO),
];

// 16 int8 per step: widen to i16 (lo, hi), then to i32, convert to f32, multiply by the query.
const i8Inner = [
  ...widenToI16,
  ...[
    [LO, simd.i32x4ExtendLowI16x8S],
    [LO, simd.i32x4ExtendHighI16x8S],
    [HI, simd.i32x4ExtendLowI16x8S],
    [HI, simd.i32x4ExtendHighI16x8S],
  ].flatMap(([half, widen], k) =>
    addTo(A0 + k, [
      ...get(half as number),
      ...(widen as readonly number[]),
      ...simd.f32x4ConvertI32x4S,
      ...get(QP),
      ...load(16 * k),
      ...simd.f32x4Mul,
    ]),
  ),
];

// 16 int8 per step against 16 int16 query values: widen the vector to i16, two dot products into i32 lanes.
const dotInner = [
  ...widenToI16,
  ...[LO, HI].flatMap((half, k) => [
    ...get(A0 + k),
    ...get(half),
    ...get(QP),
    ...load(16 * k),
    ...simd.i32x4DotI16x8S,
    ...simd.i32x4Add,
    ...set(A0 + k),
  ]),
];

function moduleBytes(): Uint8Array<ArrayBuffer> {
  const section = (id: number, payload: number[]) => [id, ...uleb(payload.length), ...payload];
  const vec = (items: number[][]) => [...uleb(items.length), ...items.flat()];
  const name = (s: string) => [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];
  const I32 = 0x7f,
    V128 = 0x7b;
  const type = [0x60, ...vec(Array.from({ length: 7 }, () => [I32])), 0]; // (7 x i32) -> ()
  const locals = vec([
    [3, I32],
    [6, V128],
  ]); // qp, dp, j; a0..a3, lo, hi
  const fn = (code: number[]) => {
    const f = [...locals, ...code];
    return [...uleb(f.length), ...f];
  };
  return new Uint8Array([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(1, vec([type])),
    ...section(2, vec([[...name('env'), ...name('memory'), 0x02, 0x00, 0x01]])), // memory import, min 1 page
    ...section(3, vec([[0], [0], [0]])),
    ...section(
      7,
      vec([
        [...name('scan_f32'), 0x00, 0],
        [...name('scan_i8'), 0x00, 1],
        [...name('dot_i8'), 0x00, 2],
      ]),
    ),
    ...section(10, vec([fn(body(f32Inner, 64, 64)), fn(body(i8Inner, 64, 16)), fn(body(dotInner, 32, 16, true))])),
  ]);
}

function uleb(value: number): number[] {
  const out: number[] = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value !== 0) byte |= 0x80;
    out.push(byte);
  } while (value !== 0);
  return out;
}

function sleb(value: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = value & 0x7f;
    value >>= 7;
    if ((value === 0 && (byte & 0x40) === 0) || (value === -1 && (byte & 0x40) !== 0)) return [...out, byte];
    out.push(byte | 0x80);
  }
}

export type ScanFn = (
  query: number,
  base: number,
  rows: number,
  count: number,
  dims: number,
  rowBytes: number,
  out: number,
) => void;
export interface ScanKernels {
  readonly scanF32: ScanFn;
  readonly scanI8: ScanFn;
  readonly dotI8: ScanFn;
}

let compiled: WebAssembly.Module | null | undefined;

/** The compiled module, or null where WebAssembly SIMD is missing (then the JS loop runs). Compiled once, lazily. */
function module(): WebAssembly.Module | null {
  if (compiled !== undefined) return compiled;
  try {
    const bytes = moduleBytes();
    // Synchronous compile is fine for a module this small (browsers refuse only large ones on the main thread).
    compiled = typeof WebAssembly === 'object' && WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
  } catch {
    compiled = null;
  }
  return compiled;
}

/** Kernels bound to `memory`, or null without WebAssembly SIMD. */
export function instantiate(memory: WebAssembly.Memory): ScanKernels | null {
  const m = module();
  if (!m) return null;
  const instance = new WebAssembly.Instance(m, { env: { memory } });
  const exports = instance.exports as { scan_f32: ScanFn; scan_i8: ScanFn; dot_i8: ScanFn };
  return { scanF32: exports.scan_f32, scanI8: exports.scan_i8, dotI8: exports.dot_i8 };
}
