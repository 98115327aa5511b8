/**
 * scripts/onnx: the GraphBuilder writes ONNX that decodes back to what was built and that onnxruntime-node runs;
 * the float16 conversion rounds like IEEE 754.
 */
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import {
  DataType,
  GraphBuilder,
  decodeModel,
  float16Bits,
  float16Tensor,
  float16ToNumber,
  floatTensor,
  int64Tensor,
  uint8Tensor,
} from '../../scripts/onnx/index.js';

function tinyModel(): Uint8Array {
  const g = new GraphBuilder('tiny');
  const x = g.input('x', DataType.FLOAT, ['batch', 4]);
  const w = g.initializer('w', floatTensor([4, 2], [1, 0, 0, 1, 1, 0, 0, 1]));
  const y = g.node('MatMul', [x, w]);
  const scaled = g.node('Mul', [y, g.constant(floatTensor([], [0.5]))]);
  const z = g.node('Softmax', [scaled], { axis: -1 }, { output: 'probs' });
  g.output(z, DataType.FLOAT, ['batch', 2]);
  return g.toBytes({ metadata: { purpose: 'test' } });
}

describe('GraphBuilder', () => {
  it('writes a model that decodes to the built graph (opset 17, ir_version 8)', () => {
    const model = decodeModel(tinyModel()) as {
      ir_version: number;
      opset_import: { domain?: string; version: number }[];
      metadata_props: { key: string; value: string }[];
      graph: {
        node: {
          op_type: string;
          input: string[];
          output: string[];
          attribute?: { name: string; i?: number; type: number }[];
        }[];
        initializer: { name: string; dims: number[]; data_type: number; raw_data: Uint8Array }[];
        input: {
          name: string;
          type: { tensor_type: { shape: { dim: { dim_param?: string; dim_value?: number }[] } } };
        }[];
        output: { name: string }[];
      };
    };
    expect(model.ir_version).toBe(8);
    expect(model.opset_import).toEqual([{ version: 17 }]);
    expect(model.metadata_props).toEqual([{ key: 'purpose', value: 'test' }]);
    expect(model.graph.node.map((n) => n.op_type)).toEqual(['MatMul', 'Mul', 'Softmax']);
    expect(model.graph.node[2]!.attribute).toEqual([{ name: 'axis', type: 2, i: -1 }]);
    expect(model.graph.input[0]!.type.tensor_type.shape.dim).toEqual([{ dim_param: 'batch' }, { dim_value: 4 }]);
    expect(model.graph.output.map((o) => o.name)).toEqual(['probs']);
    const w = model.graph.initializer.find((t) => t.name === 'w')!;
    expect(w.dims).toEqual([4, 2]);
    expect(w.data_type).toBe(DataType.FLOAT);
    expect(Array.from(new Float32Array(new Uint8Array(w.raw_data).buffer))).toEqual([1, 0, 0, 1, 1, 0, 0, 1]);
  });

  it('runs in onnxruntime-node', async () => {
    const session = await ort.InferenceSession.create(tinyModel());
    const result = await session.run({
      x: new ort.Tensor('float32', Float32Array.from([1, 2, 3, 4, 0, 0, 0, 2]), [2, 4]),
    });
    const probs = Array.from(result['probs']!.data as Float32Array);
    const e = Math.exp(-1); // row 0: logits 0.5 * [4, 6]; row 1: 0.5 * [0, 2]
    expect(probs[0]).toBeCloseTo(e / (1 + e), 6);
    expect(probs[2]).toBeCloseTo(e / (1 + e), 6);
    expect(probs[1]! + probs[0]!).toBeCloseTo(1, 6);
    await session.release();
  });

  it('writes int64, uint8 and float16 initializers and typed attributes that run', async () => {
    const g = new GraphBuilder('types');
    const x = g.input('x', DataType.FLOAT16, [3]);
    const shift = g.constant(float16Tensor([3], [0.5, -1, 2]));
    const sum = g.node('Add', [x, shift]);
    const clipped = g.node('Clip', [sum, g.constant(float16Tensor([], [-1])), g.constant(float16Tensor([], [2]))]);
    const asFloat = g.node('Cast', [clipped], { to: DataType.FLOAT });
    const alpha = g.node('LeakyRelu', [asFloat], { alpha: { float: 1 } }); // integer-valued FLOAT attribute
    const reshaped = g.node('Reshape', [alpha, g.constant(int64Tensor([2], [1, 3]))], {}, { output: 'y' });
    g.output(reshaped, DataType.FLOAT, [1, 3]);
    const u = g.node('Identity', [g.constant(uint8Tensor([2], [7, 250]))], {}, { output: 'u' });
    g.output(u, DataType.UINT8, [2]);
    const session = await ort.InferenceSession.create(g.toBytes());
    const half = Uint16Array.from([1, 0.25, 3].map(float16Bits));
    const result = await session.run({ x: new ort.Tensor('float16', half, [3]) });
    expect(Array.from(result['y']!.data as Float32Array)).toEqual([1.5, -0.75, 2]);
    expect(Array.from(result['u']!.data as Uint8Array)).toEqual([7, 250]);
    await session.release();
  });

  it('rejects unknown inputs, duplicate names and graphs without outputs', () => {
    const g = new GraphBuilder('bad');
    const x = g.input('x', DataType.FLOAT, [1]);
    expect(() => g.node('Relu', ['nope'])).toThrow('Expected inputs of Relu to be existing values, got `nope`');
    expect(() => g.initializer('x', floatTensor([1], [0]))).toThrow('Expected a unique value name, got `x` twice');
    expect(() => floatTensor([2, 2], [1, 2, 3])).toThrow('Expected 4 elements for dims [2, 2], got 3');
    expect(() => g.toBytes()).toThrow('at least one output');
    expect(g.node('Relu', [x])).toMatch(/^Relu_\d+$/);
  });
});

describe('float16', () => {
  it('rounds to nearest even and handles specials', () => {
    expect(float16Bits(1)).toBe(0x3c00);
    expect(float16Bits(-2)).toBe(0xc000);
    expect(float16Bits(65504)).toBe(0x7bff);
    expect(float16Bits(65520)).toBe(0x7c00); // rounds up to infinity
    expect(float16Bits(Infinity)).toBe(0x7c00);
    expect(Number.isNaN(float16ToNumber(float16Bits(NaN)))).toBe(true);
    expect(float16Bits(2 ** -24)).toBe(0x0001); // smallest subnormal
    expect(float16Bits(2 ** -26)).toBe(0); // underflow
    expect(float16Bits(1 + 2 ** -11)).toBe(0x3c00); // tie, even mantissa stays
    expect(float16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02); // tie, odd mantissa rounds up
    expect(float16ToNumber(float16Bits(0.1))).toBeCloseTo(0.0999755859375, 12);
  });

  it('round-trips every finite float16 value exactly', () => {
    for (let bits = 0; bits < 0x10000; bits++) {
      if ((bits & 0x7c00) === 0x7c00) continue;
      const value = float16ToNumber(bits);
      const back = float16Bits(value);
      if (back !== bits && !(value === 0 && (back | bits) === 0x8000))
        throw new Error(`bits ${bits.toString(16)} -> ${back.toString(16)}`);
    }
  });
});
