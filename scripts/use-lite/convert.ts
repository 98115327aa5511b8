/**
 * TF graph -> ONNX (opset 17), op by op, into a `GraphBuilder`. Generic over the ~40 ops a TF.js graph model like
 * USE Lite uses; model-specific wiring (the dense front end) is passed in as `overrides`.
 *
 * Our own converter rather than tf2onnx (a Python tool that needs TensorFlow): `npm run models` builds every model
 * from npm packages alone, offline.
 *
 * Conventions:
 * - Every TF integer tensor becomes int64 (ONNX shape ops, Gather/Scatter indices and NonZero are int64);
 *   int32<->int64 Casts become no-ops.
 * - Inputs that ONNX wants as attributes (axes, perm, masks, Concat/Gather axis) must be Consts in the TF graph
 *   and are read at conversion time; everything else stays a tensor input, so dynamic shape plumbing (Shape ->
 *   StridedSlice -> Pack -> Reshape) converts as is.
 * - model.json carries no output shapes, so a small shape inference tracks ranks (and static sizes where cheap):
 *   BatchMatMul's adj_y needs the rank to build its Transpose.
 * - Only nodes reachable from the output are converted (the sparse front end's Max/Add vanish when overridden).
 * - Precision: `fp32` keeps every weight; `fp16` stores float weights of >= 1024 elements as float16 and casts
 *   them to float32 right away (half the file, float32 compute: USE's LayerNorm eps 1e-6 and -1e9 attention bias
 *   do not survive float16 arithmetic); `int8` quantises every weight MatMul / 1x1 Conv (weights per output
 *   column, activations per row, dynamically, so a text's vector does not depend on its batch: see
 *   scripts/models/quantize.ts) and the embedding table per row.
 */
import {
  integerGemm,
  quantizeActivations,
  quantizeColumns,
  quantizeRows,
  rowQuantConstants,
  type RowQuantConstants,
} from '../models/quantize.js';
import {
  DataType,
  GraphBuilder,
  float16Tensor,
  floatTensor,
  int64Tensor,
  int8Tensor,
  type AttrValue,
  type Tensor,
} from '../onnx/index.js';
import type { TfGraph, TfNode, TfTensor } from './tfjs-graph.js';

export type Kind = 'float' | 'int' | 'bool';
/** Static dims where known (null = dynamic); undefined when even the rank is unknown. */
export type Dims = ReadonlyArray<number | null> | undefined;

/** An ONNX value the converter has produced (or was handed as an override). */
export interface Value {
  readonly name: string;
  readonly kind: Kind;
  readonly dims: Dims;
}

export type Precision = 'fp32' | 'fp16' | 'int8';

/** Float weights smaller than this stay float32 in every precision (biases, LayerNorm scales, scalars). */
const LARGE = 1024;

export interface ConvertOptions {
  /** Values that replace TF tensors (`node` or `node:k`): Placeholders must be covered. */
  readonly overrides: ReadonlyMap<string, Value>;
  /** TF tensor to convert (its ONNX value is returned). */
  readonly output: string;
}

const INT64_MAX = 0x7fffffffffffffffn;
const INT64_MIN = -0x8000000000000000n;

const ONNX_TYPE: Record<Kind, DataType> = { float: DataType.FLOAT, int: DataType.INT64, bool: DataType.BOOL };

function kindOfDtype(dtype: unknown, where: string): Kind {
  if (dtype === 'float32') return 'float';
  if (dtype === 'int32' || dtype === 'int64') return 'int';
  if (dtype === 'bool') return 'bool';
  throw new Error(`${where}: unsupported dtype ${String(dtype)}`);
}

/** `node:2` -> ['node', 2]; `node` -> ['node', 0]. */
function splitTensorName(name: string): [string, number] {
  const m = /^(.*):(\d+)$/.exec(name);
  return m ? [m[1]!, Number(m[2])] : [name, 0];
}

function tensorKey(name: string): string {
  const [node, index] = splitTensorName(name);
  return `${node}:${index}`;
}

function rankOf(dims: Dims): number | undefined {
  return dims?.length;
}

function broadcastDims(...all: Dims[]): Dims {
  if (all.some((d) => d === undefined)) return undefined;
  const rank = Math.max(...all.map((d) => d!.length));
  const out: Array<number | null> = [];
  for (let k = 0; k < rank; k++) {
    let dim: number | null = 1;
    for (const d of all) {
      const v = d![d!.length - rank + k];
      if (v === undefined || v === 1) continue;
      dim = v === null || dim === null || (dim !== 1 && dim !== v) ? null : v;
    }
    out.push(dim);
  }
  return out;
}

function normAxis(axis: number, rank: number): number {
  return axis < 0 ? axis + rank : axis;
}

/** Static length of ONNX Slice(start, end, step) on a dimension of static size `d` (null when `d` is dynamic). */
function sliceLength(d: number | null, start: bigint, end: bigint, step: number): number | null {
  if (d === null) return null;
  const size = BigInt(d);
  const clamp = (v: bigint, lo: bigint, hi: bigint) => (v < lo ? lo : v > hi ? hi : v);
  const norm = (v: bigint) => (v < 0n ? v + size : v);
  const [s, e] =
    step > 0
      ? [clamp(norm(start), 0n, size), clamp(norm(end), 0n, size)]
      : [clamp(norm(start), -1n, size - 1n), clamp(norm(end), -1n, size - 1n)];
  const n = step > 0 ? (e - s + BigInt(step) - 1n) / BigInt(step) : (s - e + BigInt(-step) - 1n) / BigInt(-step);
  return Number(n > 0n ? n : 0n);
}

function toTensor(t: TfTensor): Tensor {
  if (t.dtype === 'float32') return floatTensor(t.shape, t.data);
  if (t.dtype === 'bool') return { dataType: DataType.BOOL, dims: [...t.shape], raw: new Uint8Array(t.data) };
  return int64Tensor(t.shape, t.data);
}

export class TfToOnnx {
  readonly #graph: TfGraph;
  readonly #g: GraphBuilder;
  readonly #values = new Map<string, Value>();
  readonly #busy = new Set<string>();
  readonly #precision: Precision;
  #quant: RowQuantConstants | undefined;

  constructor(graph: TfGraph, builder: GraphBuilder, precision: Precision = 'fp32') {
    this.#graph = graph;
    this.#g = builder;
    this.#precision = precision;
  }

  /** Converts everything `options.output` depends on; returns its ONNX value. */
  convert(options: ConvertOptions): Value {
    for (const [name, value] of options.overrides) this.#values.set(tensorKey(name), value);
    return this.#value(options.output);
  }

  // ---- value access ------------------------------------------------------------------------------------------

  #value(tfName: string): Value {
    const key = tensorKey(tfName);
    const known = this.#values.get(key);
    if (known !== undefined) return known;
    const [nodeName, index] = splitTensorName(tfName);
    const node = this.#graph.byName.get(nodeName);
    if (node === undefined) throw new Error(`TF graph has no node \`${nodeName}\``);
    if (this.#busy.has(nodeName)) throw new Error(`TF graph has a cycle through \`${nodeName}\``);
    this.#busy.add(nodeName);
    const outputs = this.#convertNode(node);
    this.#busy.delete(nodeName);
    outputs.forEach((v, k) => this.#values.set(`${nodeName}:${k}`, v));
    const value = outputs[index];
    if (value === undefined) throw new Error(`${node.op} \`${nodeName}\` has no output ${index}`);
    return value;
  }

  #in(node: TfNode, k: number): Value {
    const name = node.inputs[k];
    if (name === undefined) throw new Error(`${node.op} \`${node.name}\` lacks input ${k}`);
    return this.#value(name);
  }

  /** The TF Const behind input k (no ONNX value is emitted for it). */
  #constIn(node: TfNode, k: number): TfTensor {
    const name = node.inputs[k];
    const [nodeName] = splitTensorName(name ?? '');
    const c = this.#graph.constants.get(nodeName);
    if (c === undefined)
      throw new Error(`${node.op} \`${node.name}\`: input ${k} must be a Const to convert (got \`${name}\`)`);
    return c;
  }

  #intsIn(node: TfNode, k: number): number[] {
    const c = this.#constIn(node, k);
    if (c.dtype === 'float32' || c.dtype === 'bool')
      throw new Error(`${node.op} \`${node.name}\`: input ${k} must be an integer Const`);
    return Array.from(c.data, Number);
  }

  #attr<T>(node: TfNode, key: string, fallback: T): T {
    return (node.attrs.get(key) as T | undefined) ?? fallback;
  }

  #const(values: readonly number[] | BigInt64Array, hint: string): string {
    const data = values instanceof BigInt64Array ? values : BigInt64Array.from(values, (v) => BigInt(v));
    return this.#g.constant(int64Tensor([data.length], data), hint);
  }

  #emit(node: TfNode, op: string, inputs: readonly string[], attrs: Record<string, AttrValue> = {}): string {
    return this.#g.node(op, inputs, attrs, { output: node.name });
  }

  /** The Const behind input k when it is a large float matrix (a weight), else undefined. */
  #weightIn(node: TfNode, k: number): (TfTensor & { dtype: 'float32' }) | undefined {
    const [nodeName] = splitTensorName(node.inputs[k] ?? '');
    const c = this.#graph.constants.get(nodeName);
    return c?.dtype === 'float32' && c.shape.length === 2 && c.data.length >= LARGE ? c : undefined;
  }

  /** A float weight as a float32 value: stored as is, or as float16 + Cast in the fp16 variant. */
  #floatWeight(name: string, dims: readonly number[], data: Float32Array, output?: string): string {
    if (this.#precision !== 'fp16' || data.length < LARGE) {
      const init = this.#g.initializer(output ?? name, floatTensor(dims, data));
      return init;
    }
    const half = this.#g.initializer(`${name}/fp16`, float16Tensor(dims, data));
    return this.#g.node('Cast', [half], { to: DataType.FLOAT }, output === undefined ? {} : { output });
  }

  /** x @ W for a weight W [k, n]; int8 quantises W per column and x per row. */
  #weightMatMul(node: TfNode, input: Value, w: Float32Array, k: number, n: number, weightName: string): string {
    const x = input.name;
    if (this.#precision !== 'int8') return this.#emit(node, 'MatMul', [x, this.#floatWeight(weightName, [k, n], w)]);
    // A positive axis: onnxruntime 1.30's ReduceMax with axes [-1] on an empty input ([0, D], a batch of empty
    // texts) returns [0, D] instead of [0, 1], and the Mul below then fails to broadcast.
    const rank = rankOf(input.dims);
    if (rank === undefined) throw new Error(`${node.op} \`${node.name}\`: int8 needs the rank of its input`);
    this.#quant ??= rowQuantConstants(this.#g);
    const xq = quantizeActivations(this.#g, this.#quant, x, rank - 1);
    const acc = integerGemm(this.#g, this.#quant, xq.q, quantizeColumns(w, k, n), weightName);
    return this.#emit(node, 'Mul', [acc, xq.scale]);
  }

  // ---- op mapping ------------------------------------------------------------------------------------------

  #convertNode(node: TfNode): Value[] {
    const v = (name: string, kind: Kind, dims: Dims): Value[] => [{ name, kind, dims }];
    switch (node.op) {
      case 'Const': {
        const c = this.#graph.constants.get(node.name)!;
        const name =
          c.dtype === 'float32'
            ? this.#floatWeight(node.name, c.shape, c.data, node.name)
            : this.#g.initializer(node.name, toTensor(c));
        return v(name, kindOfDtype(c.dtype, node.name), c.shape);
      }
      case 'Placeholder':
        throw new Error(`Placeholder \`${node.name}\` must be given an override value`);
      case 'Identity':
        return [this.#in(node, 0)];

      // Elementwise, broadcasting.
      case 'Add':
      case 'AddV2':
      case 'BiasAdd':
      case 'Sub':
      case 'Mul':
      case 'RealDiv':
      case 'Maximum':
      case 'Minimum': {
        if (node.op === 'BiasAdd' && this.#attr(node, 'data_format', 'NHWC') !== 'NHWC') {
          throw new Error(`BiasAdd \`${node.name}\`: only NHWC is supported`);
        }
        const a = this.#in(node, 0);
        const b = this.#in(node, 1);
        const op = {
          Add: 'Add',
          AddV2: 'Add',
          BiasAdd: 'Add',
          Sub: 'Sub',
          Mul: 'Mul',
          RealDiv: 'Div',
          Maximum: 'Max',
          Minimum: 'Min',
        }[node.op];
        return v(this.#emit(node, op, [a.name, b.name]), a.kind, broadcastDims(a.dims, b.dims));
      }
      case 'Less':
      case 'Greater':
      case 'Equal': {
        const a = this.#in(node, 0);
        const b = this.#in(node, 1);
        return v(this.#emit(node, node.op, [a.name, b.name]), 'bool', broadcastDims(a.dims, b.dims));
      }
      case 'LogicalNot': {
        const a = this.#in(node, 0);
        return v(this.#emit(node, 'Not', [a.name]), 'bool', a.dims);
      }
      case 'Sin':
      case 'Cos':
      case 'Tanh':
      case 'Relu':
      case 'Sqrt':
      case 'Exp':
      case 'Neg': {
        const a = this.#in(node, 0);
        return v(this.#emit(node, node.op, [a.name]), a.kind, a.dims);
      }
      case 'Square': {
        const a = this.#in(node, 0);
        return v(this.#emit(node, 'Mul', [a.name, a.name]), a.kind, a.dims);
      }
      case 'Rsqrt': {
        // TF.js computes 1 / sqrt(x); ONNX has no Rsqrt.
        const a = this.#in(node, 0);
        const root = this.#g.node('Sqrt', [a.name]);
        return v(this.#emit(node, 'Reciprocal', [root]), a.kind, a.dims);
      }
      case 'Softmax': {
        const a = this.#in(node, 0);
        return v(this.#emit(node, 'Softmax', [a.name], { axis: -1 }), a.kind, a.dims);
      }
      case 'Cast': {
        const a = this.#in(node, 0);
        const to = kindOfDtype(node.attrs.get('DstT'), node.name);
        if (to === a.kind) return [a]; // int32 <-> int64: both int64 here
        return v(this.#emit(node, 'Cast', [a.name], { to: ONNX_TYPE[to] }), to, a.dims);
      }

      // Shapes.
      case 'Shape': {
        const a = this.#in(node, 0);
        return v(this.#emit(node, 'Shape', [a.name]), 'int', [rankOf(a.dims) ?? null]);
      }
      case 'Reshape': {
        const a = this.#in(node, 0);
        const shape = this.#in(node, 1);
        const length = shape.dims?.[0];
        // allowzero: a TF 0 means an empty dimension, ONNX's default would copy the input's dimension.
        const name = this.#emit(node, 'Reshape', [a.name, shape.name], { allowzero: 1 });
        return v(name, a.kind, typeof length === 'number' ? Array.from({ length }, () => null) : undefined);
      }
      case 'ExpandDims': {
        const a = this.#in(node, 0);
        const [dim] = this.#intsIn(node, 1);
        const dims = a.dims === undefined ? undefined : [...a.dims];
        if (dims !== undefined) dims.splice(normAxis(dim!, dims.length + 1), 0, 1);
        return v(this.#emit(node, 'Unsqueeze', [a.name, this.#const([dim!], 'axes')]), a.kind, dims);
      }
      case 'Squeeze': {
        const a = this.#in(node, 0);
        const axes = this.#attr<readonly number[]>(
          node,
          'squeeze_dims',
          this.#attr<readonly number[]>(node, 'axis', []),
        );
        if (axes.length === 0) {
          return v(
            this.#emit(node, 'Squeeze', [a.name]),
            a.kind,
            a.dims?.filter((d) => d !== 1),
          );
        }
        const rank = rankOf(a.dims);
        const drop = rank === undefined ? undefined : new Set(axes.map((x) => normAxis(x, rank)));
        const dims = drop === undefined ? undefined : a.dims!.filter((_, k) => !drop.has(k));
        return v(this.#emit(node, 'Squeeze', [a.name, this.#const(axes, 'axes')]), a.kind, dims);
      }
      case 'Transpose': {
        const a = this.#in(node, 0);
        const perm = this.#intsIn(node, 1);
        return v(
          this.#emit(node, 'Transpose', [a.name], { perm }),
          a.kind,
          a.dims === undefined ? undefined : perm.map((p) => a.dims![p]!),
        );
      }
      case 'ConcatV2': {
        const n = node.inputs.length - 1;
        const [axis] = this.#intsIn(node, n);
        const parts = node.inputs.slice(0, n).map((_, k) => this.#in(node, k));
        let dims: Dims;
        if (parts.every((p) => p.dims !== undefined)) {
          const rank = parts[0]!.dims!.length;
          const ax = normAxis(axis!, rank);
          dims = parts[0]!.dims!.map((d, k) =>
            k === ax
              ? parts.reduce<number | null>((s, p) => (s === null || p.dims![k] === null ? null : s + p.dims![k]!), 0)
              : d,
          );
        }
        return v(
          this.#emit(
            node,
            'Concat',
            parts.map((p) => p.name),
            { axis: axis! },
          ),
          parts[0]!.kind,
          dims,
        );
      }
      case 'Pack': {
        const axis = this.#attr(node, 'axis', 0);
        const parts = node.inputs.map((_, k) => this.#in(node, k));
        const axes = this.#const([axis], 'axes');
        const unsqueezed = parts.map((p) => this.#g.node('Unsqueeze', [p.name, axes]));
        const base = parts[0]!.dims;
        const dims = base === undefined ? undefined : [...base];
        dims?.splice(normAxis(axis, base!.length + 1), 0, parts.length);
        return v(this.#emit(node, 'Concat', unsqueezed, { axis }), parts[0]!.kind, dims);
      }
      case 'StridedSlice':
        return this.#stridedSlice(node);
      case 'Slice': {
        const a = this.#in(node, 0);
        const begin = this.#intsIn(node, 1);
        const size = this.#intsIn(node, 2);
        const ends = BigInt64Array.from(size, (s, k) => (s === -1 ? INT64_MAX : BigInt(begin[k]! + s)));
        const axes = begin.map((_, k) => k);
        const name = this.#emit(node, 'Slice', [
          a.name,
          this.#const(begin, 'starts'),
          this.#const(ends, 'ends'),
          this.#const(axes, 'axes'),
        ]);
        const dims = a.dims?.map((d, k) => (k < size.length ? sliceLength(d, BigInt(begin[k]!), ends[k]!, 1) : d));
        return v(name, a.kind, dims);
      }
      case 'SplitV': {
        const a = this.#in(node, 0);
        const sizes = this.#intsIn(node, 1);
        const [axis] = this.#intsIn(node, 2);
        if (sizes.includes(-1)) throw new Error(`SplitV \`${node.name}\`: a -1 size is not supported`);
        const outs = this.#g.nodeN(
          'Split',
          [a.name, this.#const(sizes, 'split')],
          sizes.length,
          { axis: axis! },
          { output: node.name },
        );
        const rank = rankOf(a.dims);
        return outs.map((name, k) => ({
          name,
          kind: a.kind,
          dims: a.dims?.map((d, j) => (j === normAxis(axis!, rank!) ? sizes[k]! : d)),
        }));
      }

      // Gather / scatter.
      case 'GatherV2': {
        const [axis] = this.#intsIn(node, 2);
        if (this.#attr(node, 'batch_dims', 0) !== 0) throw new Error(`GatherV2 \`${node.name}\`: batch_dims must be 0`);
        const table = this.#weightIn(node, 0);
        if (this.#precision === 'int8' && table !== undefined && axis === 0) return this.#quantizedLookup(node, table);
        const params = this.#in(node, 0);
        const indices = this.#in(node, 1);
        let dims: Dims;
        if (params.dims !== undefined && indices.dims !== undefined) {
          const ax = normAxis(axis!, params.dims.length);
          dims = [...params.dims.slice(0, ax), ...indices.dims, ...params.dims.slice(ax + 1)];
        }
        return v(this.#emit(node, 'Gather', [params.name, indices.name], { axis: axis! }), params.kind, dims);
      }
      case 'GatherNd': {
        const params = this.#in(node, 0);
        const indices = this.#in(node, 1);
        const depth = indices.dims?.at(-1);
        let dims: Dims;
        if (params.dims !== undefined && indices.dims !== undefined && typeof depth === 'number') {
          dims = [...indices.dims.slice(0, -1), ...params.dims.slice(depth)];
        }
        return v(this.#emit(node, 'GatherND', [params.name, indices.name]), params.kind, dims);
      }
      case 'ScatterNd': {
        // TF sums duplicate indices; ONNX's default overwrites. Equal here: indices come from Where (unique).
        const indices = this.#in(node, 0);
        const updates = this.#in(node, 1);
        const shape = this.#in(node, 2);
        const zero = updates.kind === 'float' ? floatTensor([1], [0]) : int64Tensor([1], [0]);
        const data = this.#g.node('ConstantOfShape', [shape.name], { value: zero });
        const length = shape.dims?.[0];
        return v(
          this.#emit(node, 'ScatterND', [data, indices.name, updates.name]),
          updates.kind,
          typeof length === 'number' ? Array.from({ length }, () => null) : undefined,
        );
      }
      case 'SparseToDense': {
        const indices = this.#in(node, 0);
        const shape = this.#in(node, 1);
        const values = this.#in(node, 2);
        const fill = this.#in(node, 3);
        if (indices.dims?.length !== 2) throw new Error(`SparseToDense \`${node.name}\`: indices must be [N, rank]`);
        const data = this.#g.node('Expand', [fill.name, shape.name]);
        const length = shape.dims?.[0];
        return v(
          this.#emit(node, 'ScatterND', [data, indices.name, values.name]),
          values.kind,
          typeof length === 'number' ? Array.from({ length }, () => null) : undefined,
        );
      }
      case 'Where': {
        // TF Where(cond) and ONNX NonZero both list coordinates in row-major order.
        const a = this.#in(node, 0);
        if (node.inputs.length !== 1)
          throw new Error(`Where \`${node.name}\`: only the one-input (coordinates) form is supported`);
        const nz = this.#g.node('NonZero', [a.name]);
        return v(this.#emit(node, 'Transpose', [nz], { perm: [1, 0] }), 'int', [null, rankOf(a.dims) ?? null]);
      }
      case 'Range': {
        const [start, limit, delta] = [0, 1, 2].map((k) => this.#in(node, k));
        return v(this.#emit(node, 'Range', [start!.name, limit!.name, delta!.name]), start!.kind, [null]);
      }

      // Reductions: ReduceSum takes axes as an input, the others as an attribute (until opset 18).
      case 'Sum':
      case 'Mean':
      case 'Max':
      case 'Min':
      case 'Prod': {
        const a = this.#in(node, 0);
        const axes = this.#intsIn(node, 1);
        const keepdims = this.#attr(node, 'keep_dims', false) ? 1 : 0;
        if (axes.length === 0) return [a]; // TF reduces nothing; ONNX would reduce everything
        const rank = rankOf(a.dims);
        const set = rank === undefined ? undefined : new Set(axes.map((x) => normAxis(x, rank)));
        const dims =
          set === undefined
            ? undefined
            : keepdims
              ? a.dims!.map((d, k) => (set.has(k) ? 1 : d))
              : a.dims!.filter((_, k) => !set.has(k));
        const op = { Sum: 'ReduceSum', Mean: 'ReduceMean', Max: 'ReduceMax', Min: 'ReduceMin', Prod: 'ReduceProd' }[
          node.op
        ];
        const name =
          op === 'ReduceSum'
            ? this.#emit(node, op, [a.name, this.#const(axes, 'axes')], { keepdims })
            : this.#emit(node, op, [a.name], { axes, keepdims });
        return v(name, a.kind, dims);
      }

      // Linear algebra.
      case 'MatMul':
      case 'BatchMatMul':
      case 'BatchMatMulV2': {
        const weight = this.#precision === 'int8' ? this.#weightIn(node, 1) : undefined;
        if (
          node.op === 'MatMul' &&
          weight !== undefined &&
          !this.#attr(node, 'transpose_a', false) &&
          !this.#attr(node, 'transpose_b', false)
        ) {
          const x = this.#in(node, 0);
          const [k, n] = weight.shape as [number, number];
          const [nodeName] = splitTensorName(node.inputs[1]!);
          return v(
            this.#weightMatMul(node, x, weight.data, k, n, nodeName),
            'float',
            x.dims === undefined ? undefined : [...x.dims.slice(0, -1), n],
          );
        }
        let a = this.#in(node, 0);
        let b = this.#in(node, 1);
        const [ta, tb] =
          node.op === 'MatMul'
            ? [this.#attr(node, 'transpose_a', false), this.#attr(node, 'transpose_b', false)]
            : [this.#attr(node, 'adj_x', false), this.#attr(node, 'adj_y', false)];
        if (ta) a = this.#swapLastTwo(a, node);
        if (tb) b = this.#swapLastTwo(b, node);
        let dims: Dims;
        if (a.dims !== undefined && b.dims !== undefined) {
          const batch = broadcastDims(a.dims.slice(0, -2), b.dims.slice(0, -2)) ?? [];
          dims = [...batch, a.dims.at(-2) ?? null, b.dims.at(-1) ?? null];
        }
        return v(this.#emit(node, 'MatMul', [a.name, b.name]), 'float', dims);
      }
      case 'Conv2D':
        return this.#conv2d(node);

      default:
        throw new Error(`TF op ${node.op} (\`${node.name}\`) has no ONNX mapping`);
    }
  }

  #swapLastTwo(a: Value, node: TfNode): Value {
    const rank = rankOf(a.dims);
    if (rank === undefined || rank < 2)
      throw new Error(`${node.op} \`${node.name}\`: transposing an operand needs its rank`);
    const perm = [...Array(rank - 2).keys(), rank - 1, rank - 2];
    return { name: this.#g.node('Transpose', [a.name], { perm }), kind: a.kind, dims: perm.map((p) => a.dims![p]!) };
  }

  /** StridedSlice without ellipsis/new_axis: masks become 0 / INT64 bounds, shrink_axis a trailing Squeeze. */
  #stridedSlice(node: TfNode): Value[] {
    const a = this.#in(node, 0);
    const begin = this.#intsIn(node, 1);
    const end = this.#intsIn(node, 2);
    const strides = this.#intsIn(node, 3);
    const beginMask = this.#attr(node, 'begin_mask', 0);
    const endMask = this.#attr(node, 'end_mask', 0);
    const shrinkMask = this.#attr(node, 'shrink_axis_mask', 0);
    if (this.#attr(node, 'ellipsis_mask', 0) !== 0 || this.#attr(node, 'new_axis_mask', 0) !== 0) {
      throw new Error(`StridedSlice \`${node.name}\`: ellipsis_mask/new_axis_mask are not supported`);
    }
    const starts = new BigInt64Array(begin.length);
    const ends = new BigInt64Array(begin.length);
    const shrunk: number[] = [];
    for (let k = 0; k < begin.length; k++) {
      const step = strides[k]!;
      const bit = 1 << k;
      if (shrinkMask & bit) {
        // end = begin + 1, except begin = -1 (the last element) whose end is "to the end", not 0.
        starts[k] = BigInt(begin[k]!);
        ends[k] = begin[k] === -1 ? INT64_MAX : BigInt(begin[k]! + 1);
        shrunk.push(k);
        continue;
      }
      starts[k] = beginMask & bit ? (step > 0 ? 0n : INT64_MAX) : BigInt(begin[k]!);
      ends[k] = endMask & bit ? (step > 0 ? INT64_MAX : INT64_MIN) : BigInt(end[k]!);
    }
    const axes = begin.map((_, k) => k);
    const sliceInputs = [
      a.name,
      this.#const(starts, 'starts'),
      this.#const(ends, 'ends'),
      this.#const(axes, 'axes'),
      this.#const(strides, 'steps'),
    ];
    const dims = a.dims?.map((d, k) =>
      k >= begin.length ? d : shrunk.includes(k) ? 1 : sliceLength(d, starts[k]!, ends[k]!, strides[k]!),
    );
    if (shrunk.length === 0) return [{ name: this.#emit(node, 'Slice', sliceInputs), kind: a.kind, dims }];
    const sliced = this.#g.node('Slice', sliceInputs);
    const name = this.#emit(node, 'Squeeze', [sliced, this.#const(shrunk, 'axes')]);
    return [{ name, kind: a.kind, dims: dims?.filter((_, k) => !shrunk.includes(k)) }];
  }

  /** 1x1, stride 1 NHWC Conv2D = MatMul over the channel axis with the HWIO kernel as [Cin, Cout]. */
  #conv2d(node: TfNode): Value[] {
    const x = this.#in(node, 0);
    const kernel = this.#constIn(node, 1);
    const ones = (key: string): boolean => this.#attr<readonly number[]>(node, key, [1, 1, 1, 1]).every((s) => s === 1);
    if (
      this.#attr(node, 'data_format', 'NHWC') !== 'NHWC' ||
      !ones('strides') ||
      !ones('dilations') ||
      kernel.shape[0] !== 1 ||
      kernel.shape[1] !== 1 ||
      kernel.dtype !== 'float32'
    ) {
      throw new Error(`Conv2D \`${node.name}\`: only 1x1, stride 1, NHWC float convolutions are supported`);
    }
    const [, , cin, cout] = kernel.shape as [number, number, number, number];
    const dims = x.dims === undefined ? undefined : [...x.dims.slice(0, -1), cout];
    return [
      { name: this.#weightMatMul(node, x, kernel.data, cin, cout, `${node.inputs[1]}/as_matmul`), kind: 'float', dims },
    ];
  }

  /** int8 embedding lookup: table rows int8 with one scale each, dequantised after the Gather. */
  #quantizedLookup(node: TfNode, table: TfTensor & { dtype: 'float32' }): Value[] {
    const indices = this.#in(node, 1);
    const [rows, dim] = table.shape as [number, number];
    const q = quantizeRows(table.data, rows, dim);
    const [tableName] = splitTensorName(node.inputs[0]!);
    const data = this.#g.initializer(`${tableName}/quantized`, int8Tensor([rows, dim], q.data));
    const scale = this.#g.initializer(`${tableName}/scale`, floatTensor([rows, 1], q.scale));
    const gathered = this.#g.node('Cast', [this.#g.node('Gather', [data, indices.name], { axis: 0 })], {
      to: DataType.FLOAT,
    });
    const name = this.#emit(node, 'Mul', [gathered, this.#g.node('Gather', [scale, indices.name], { axis: 0 })]);
    return [{ name, kind: 'float', dims: indices.dims === undefined ? undefined : [...indices.dims, dim] }];
  }
}

export { ONNX_TYPE };
