/**
 * The TF.js graph reader and the TF -> ONNX op mapping on a small synthetic graph written the *new* way
 * (base64 string attrs, `DT_*` type names, an int64 Const stored as int32 in the manifest), run by TF.js and
 * by onnxruntime-node on the converted model. USE Lite's own model.json covers the old encoding.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataType, GraphBuilder } from '../../scripts/onnx/index.js';
import { TfToOnnx } from '../../scripts/use-lite/convert.js';
import { readTfjsGraph } from '../../scripts/use-lite/tfjs-graph.js';

type Json = Record<string, unknown>;
const b64 = (s: string) => Buffer.from(s).toString('base64');
const type = (t: string) => ({ type: t });
const int = (i: number) => ({ i: String(i) });

interface ConstSpec {
  readonly name: string;
  readonly dtype: 'DT_FLOAT' | 'DT_INT32' | 'DT_INT64';
  readonly shape: number[];
  readonly values: number[];
}

const consts: ConstSpec[] = [
  { name: 'w', dtype: 'DT_FLOAT', shape: [4, 5], values: Array.from({ length: 20 }, (_, k) => Math.sin(k + 1) * 0.7) },
  { name: 'bias', dtype: 'DT_FLOAT', shape: [5], values: [0.1, -0.2, 0.3, 0, 0.05] },
  { name: 'one', dtype: 'DT_FLOAT', shape: [], values: [1] },
  { name: 'red', dtype: 'DT_INT32', shape: [1], values: [-1] },
  { name: 'perm', dtype: 'DT_INT32', shape: [3], values: [0, 2, 1] },
  { name: 'ss_begin', dtype: 'DT_INT32', shape: [2], values: [0, -1] },
  { name: 'ss_end', dtype: 'DT_INT32', shape: [2], values: [0, 0] },
  { name: 'ss_strides', dtype: 'DT_INT32', shape: [2], values: [1, 1] },
  { name: 'first_begin', dtype: 'DT_INT32', shape: [1], values: [0] },
  { name: 'first_end', dtype: 'DT_INT32', shape: [1], values: [1] },
  { name: 'first_strides', dtype: 'DT_INT32', shape: [1], values: [1] },
  { name: 'fifteen', dtype: 'DT_INT32', shape: [], values: [15] },
  { name: 'axis_last', dtype: 'DT_INT32', shape: [], values: [-1] },
  { name: 'limit', dtype: 'DT_INT64', shape: [], values: [2] },
];

const nodes: Json[] = [
  {
    name: 'x',
    op: 'Placeholder',
    attr: { dtype: type('DT_FLOAT'), shape: { shape: { dim: [{ size: '-1' }, { size: '3' }, { size: '4' }] } } },
  },
  ...consts.map((c) => ({
    name: c.name,
    op: 'Const',
    attr: {
      dtype: type(c.dtype),
      value: { tensor: { dtype: c.dtype, tensorShape: { dim: c.shape.map((d) => ({ size: String(d) })) } } },
    },
  })),
  {
    name: 'mm',
    op: 'BatchMatMulV2',
    input: ['x', 'w'],
    attr: { T: type('DT_FLOAT'), adj_x: { b: false }, adj_y: { b: false } },
  },
  {
    name: 'biased',
    op: 'BiasAdd',
    input: ['mm', 'bias'],
    attr: { T: type('DT_FLOAT'), data_format: { s: b64('NHWC') } },
  },
  {
    name: 'att',
    op: 'BatchMatMulV2',
    input: ['x', 'x'],
    attr: { T: type('DT_FLOAT'), adj_x: { b: false }, adj_y: { b: true } },
  },
  { name: 'sm', op: 'Softmax', input: ['att'], attr: { T: type('DT_FLOAT') } },
  {
    name: 'last',
    op: 'StridedSlice',
    input: ['sm', 'ss_begin', 'ss_end', 'ss_strides'],
    attr: {
      T: type('DT_FLOAT'),
      Index: type('DT_INT32'),
      begin_mask: int(1),
      end_mask: int(1),
      shrink_axis_mask: int(2),
      ellipsis_mask: int(0),
      new_axis_mask: int(0),
    },
  },
  { name: 'sq', op: 'Square', input: ['biased'], attr: { T: type('DT_FLOAT') } },
  {
    name: 'ssum',
    op: 'Sum',
    input: ['sq', 'red'],
    attr: { T: type('DT_FLOAT'), Tidx: type('DT_INT32'), keep_dims: { b: true } },
  },
  { name: 'plus', op: 'AddV2', input: ['ssum', 'one'], attr: { T: type('DT_FLOAT') } },
  { name: 'rs', op: 'Rsqrt', input: ['plus'], attr: { T: type('DT_FLOAT') } },
  { name: 'normed', op: 'Mul', input: ['biased', 'rs'], attr: { T: type('DT_FLOAT') } },
  { name: 'tr', op: 'Transpose', input: ['normed', 'perm'], attr: { T: type('DT_FLOAT'), Tperm: type('DT_INT32') } },
  { name: 'shape', op: 'Shape', input: ['tr'], attr: { T: type('DT_FLOAT'), out_type: type('DT_INT32') } },
  {
    name: 'batch',
    op: 'StridedSlice',
    input: ['shape', 'first_begin', 'first_end', 'first_strides'],
    attr: {
      T: type('DT_INT32'),
      Index: type('DT_INT32'),
      begin_mask: int(0),
      end_mask: int(0),
      shrink_axis_mask: int(1),
      ellipsis_mask: int(0),
      new_axis_mask: int(0),
    },
  },
  { name: 'packed', op: 'Pack', input: ['batch', 'fifteen'], attr: { T: type('DT_INT32'), N: int(2), axis: int(0) } },
  { name: 'flat', op: 'Reshape', input: ['tr', 'packed'], attr: { T: type('DT_FLOAT'), Tshape: type('DT_INT32') } },
  {
    name: 'expanded',
    op: 'ExpandDims',
    input: ['last', 'axis_last'],
    attr: { T: type('DT_FLOAT'), Tdim: type('DT_INT32') },
  },
  {
    name: 'squeezed',
    op: 'Squeeze',
    input: ['expanded'],
    attr: { T: type('DT_FLOAT'), squeeze_dims: { list: { i: ['2'] } } },
  },
  {
    name: 'both',
    op: 'ConcatV2',
    input: ['flat', 'squeezed', 'axis_last'],
    attr: { T: type('DT_FLOAT'), N: int(2), Tidx: type('DT_INT32') },
  },
  { name: 'count', op: 'Cast', input: ['limit'], attr: { SrcT: type('DT_INT64'), DstT: type('DT_FLOAT') } },
  { name: 'scaled', op: 'RealDiv', input: ['both', 'count'], attr: { T: type('DT_FLOAT') } },
  { name: 'out', op: 'Tanh', input: ['scaled'], attr: { T: type('DT_FLOAT') } },
];

let dir: string;
let weightSpecs: tf.io.WeightsManifestEntry[];
let weightData: ArrayBuffer;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tfjs-graph-'));
  // The manifest has no int64: int64 constants are written as int32, as tensorflowjs_converter does.
  weightSpecs = consts.map((c) => ({
    name: c.name,
    shape: c.shape,
    dtype: c.dtype === 'DT_FLOAT' ? 'float32' : 'int32',
  }));
  const parts = consts.map((c) =>
    Buffer.from((c.dtype === 'DT_FLOAT' ? Float32Array.from(c.values) : Int32Array.from(c.values)).buffer),
  );
  const all = Buffer.concat(parts);
  weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength);
  const modelJson = {
    format: 'graph-model',
    modelTopology: { node: nodes, versions: {} },
    weightsManifest: [{ paths: ['w.bin'], weights: weightSpecs }],
  };
  await writeFile(join(dir, 'model.json'), JSON.stringify(modelJson));
  await writeFile(join(dir, 'w.bin'), all);
  await tf.setBackend('cpu');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('TF.js graph reader', () => {
  it('decodes base64 strings, DT_* types, decimal ints and int64 constants stored as int32', async () => {
    const graph = await readTfjsGraph(join(dir, 'model.json'));
    expect(graph.byName.get('biased')!.attrs.get('data_format')).toBe('NHWC');
    expect(graph.byName.get('x')!.attrs.get('dtype')).toBe('float32');
    expect(graph.byName.get('last')!.attrs.get('shrink_axis_mask')).toBe(2);
    expect(graph.byName.get('squeezed')!.attrs.get('squeeze_dims')).toEqual([2]);
    const limit = graph.constants.get('limit')!;
    expect(limit.dtype).toBe('int64');
    expect(Array.from(limit.data as BigInt64Array)).toEqual([2n]);
    expect(Array.from(graph.constants.get('ss_begin')!.data as BigInt64Array)).toEqual([0n, -1n]);
  });
});

describe('TF -> ONNX op mapping', () => {
  it('matches TF.js on a graph of StridedSlice (shrink, masks, -1), adj_y, Pack, Reshape, reductions and casts', async () => {
    const graph = await readTfjsGraph(join(dir, 'model.json'));
    const g = new GraphBuilder('synthetic');
    const x = g.input('x_in', DataType.FLOAT, ['batch', 3, 4]);
    const out = new TfToOnnx(graph, g).convert({
      overrides: new Map([['x', { name: x, kind: 'float', dims: [null, 3, 4] }]]),
      output: 'out',
    });
    g.output(out.name, DataType.FLOAT, ['batch', 18]);
    const session = await ort.InferenceSession.create(g.toBytes());

    const input = Float32Array.from({ length: 2 * 3 * 4 }, (_, k) => Math.cos(k * 0.37) * 2);
    const model = await tf.loadGraphModel(
      tf.io.fromMemory({ modelTopology: { node: nodes, versions: {} }, weightSpecs, weightData }),
    );
    const xt = tf.tensor3d(input, [2, 3, 4]);
    const wanted = (await (model.execute({ x: xt }, 'out') as tf.Tensor).data()) as Float32Array;
    xt.dispose();

    const result = await session.run({ x_in: new ort.Tensor('float32', input, [2, 3, 4]) });
    const actual = result[out.name]!;
    expect(actual.dims).toEqual([2, 18]);
    const data = actual.data as Float32Array;
    expect(data.length).toBe(wanted.length);
    for (let k = 0; k < data.length; k++) expect(data[k]!).toBeCloseTo(wanted[k]!, 5);
    await session.release();
  });

  it('names the op it cannot map', async () => {
    const graph = await readTfjsGraph(join(dir, 'model.json'));
    const patched = { ...graph, byName: new Map(graph.byName) };
    patched.byName.set('out', { name: 'out', op: 'Erf', inputs: ['scaled'], attrs: new Map() });
    const g = new GraphBuilder('unsupported');
    const x = g.input('x_in', DataType.FLOAT, ['batch', 3, 4]);
    expect(() =>
      new TfToOnnx(patched, g).convert({
        overrides: new Map([['x', { name: x, kind: 'float', dims: [null, 3, 4] }]]),
        output: 'out',
      }),
    ).toThrow(/TF op Erf \(`out`\) has no ONNX mapping/);
  });
});
