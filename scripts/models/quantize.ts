/**
 * Weight quantisation and the per-row (per-token) dynamic activation quantisation subgraph of the int8 variants.
 *
 * Why per row: `DynamicQuantizeLinear` (what onnxruntime's quantize_dynamic emits) picks one scale for the whole
 * activation tensor, i.e. for the whole batch, so a text's vector changes with whatever else shares its batch.
 * Here every token row gets its own scale, so a row's result depends on that row only.
 */
import { DataType, GraphBuilder, floatTensor, uint8Tensor } from '../onnx/index.js';

/** Per-output-column symmetric int8 weights of a `[k, n]` matrix (x @ W), stored offset by 128 as uint8. */
export interface QuantizedMatrix {
  readonly k: number;
  readonly n: number;
  /** q + 128 for q in [-127, 127]. */
  readonly data: Uint8Array;
  /** Per-column scale: W[:, j] ≈ q[:, j] * scale[j]. */
  readonly scale: Float32Array;
}

export function quantizeColumns(w: Float32Array, k: number, n: number): QuantizedMatrix {
  const scale = new Float32Array(n);
  for (let r = 0; r < k; r++) {
    for (let c = 0; c < n; c++) scale[c] = Math.max(scale[c]!, Math.abs(w[r * n + c]!));
  }
  for (let c = 0; c < n; c++) scale[c] = scale[c]! > 0 ? scale[c]! / 127 : 1;
  const data = new Uint8Array(k * n);
  for (let r = 0; r < k; r++) {
    for (let c = 0; c < n; c++) {
      const q = Math.max(-127, Math.min(127, Math.round(w[r * n + c]! / scale[c]!)));
      data[r * n + c] = q + 128;
    }
  }
  return { k, n, data, scale };
}

/** Per-row symmetric int8 rows of a `[rows, dim]` table (embeddings), with the row scales. */
export function quantizeRows(w: Float32Array, rows: number, dim: number): { data: Int8Array; scale: Float32Array } {
  const data = new Int8Array(rows * dim);
  const scale = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let max = 0;
    for (let c = 0; c < dim; c++) max = Math.max(max, Math.abs(w[r * dim + c]!));
    const s = max > 0 ? max / 127 : 1;
    scale[r] = s;
    for (let c = 0; c < dim; c++) data[r * dim + c] = Math.max(-127, Math.min(127, Math.round(w[r * dim + c]! / s)));
  }
  return { data, scale };
}

/** Constants shared by every quantised MatMul of one graph. */
export interface RowQuantConstants {
  readonly tiny: string;
  readonly inv127: string;
  readonly lo: string;
  readonly hi: string;
  readonly offset: string;
  readonly zeroPoint: string;
}

export function rowQuantConstants(g: GraphBuilder): RowQuantConstants {
  return {
    tiny: g.constant(floatTensor([], [1e-10]), 'q_tiny'),
    inv127: g.constant(floatTensor([], [1 / 127]), 'q_inv127'),
    lo: g.constant(floatTensor([], [-127]), 'q_lo'),
    hi: g.constant(floatTensor([], [127]), 'q_hi'),
    offset: g.constant(floatTensor([], [128]), 'q_offset'),
    zeroPoint: g.constant(uint8Tensor([], [128]), 'q_zp'),
  };
}

/**
 * y = x @ W + b with x quantised per row (last axis) to uint8 around 128 and W per column:
 * scale = max(|x|, tiny) / 127 (keepdims), q = Cast(Clip(Round(x / scale), -127, 127) + 128, uint8),
 * y = Cast(MatMulInteger(q, Wq, 128, 128), float) * scale * wscale + b.
 * uint8 x uint8 (both zero points 128) rather than uint8 x int8: MLAS' AVX2 u8s8 kernel can saturate int16
 * pair sums (see onnxruntime's quantization docs on `reduce_range`); u8u8 takes a widening path on every CPU.
 */
export function quantizedLinear(
  g: GraphBuilder,
  c: RowQuantConstants,
  x: string,
  w: QuantizedMatrix,
  bias: Float32Array,
  name: string,
): string {
  const wq = g.initializer(`${name}.weight_quantized`, uint8Tensor([w.k, w.n], w.data));
  const ws = g.initializer(`${name}.weight_scale`, floatTensor([w.n], w.scale));
  const b = g.initializer(`${name}.bias`, floatTensor([w.n], bias));
  const amax = g.node('ReduceMax', [g.node('Abs', [x])], { axes: [-1], keepdims: 1 });
  const scale = g.node('Mul', [g.node('Max', [amax, c.tiny]), c.inv127]);
  const rounded = g.node('Clip', [g.node('Round', [g.node('Div', [x, scale])]), c.lo, c.hi]);
  const q = g.node('Cast', [g.node('Add', [rounded, c.offset])], { to: DataType.UINT8 });
  const acc = g.node('MatMulInteger', [q, wq, c.zeroPoint, c.zeroPoint]);
  const y = g.node('Mul', [g.node('Mul', [g.node('Cast', [acc], { to: DataType.FLOAT }), scale]), ws]);
  return g.node('Add', [y, b]);
}
