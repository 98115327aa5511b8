/**
 * scripts/onnx: our own ONNX writer (build-time only, Node). No Python, no onnx package: a protobufjs schema
 * subset (`schema.ts`), tensors as raw bytes (`tensor.ts`) and a graph builder (`builder.ts`).
 *
 * Usage:
 * ```ts
 * import { GraphBuilder, DataType, floatTensor, int64Tensor } from '../onnx/index.js';
 * const g = new GraphBuilder('my-model');
 * const ids = g.input('input_ids', DataType.INT64, ['batch', 'sequence']);
 * const table = g.initializer('embeddings', floatTensor([vocab, dim], weights));
 * const h = g.node('Gather', [table, ids], { axis: 0 });
 * const shape = g.constant(int64Tensor([3], [0, 0, dim]));
 * const y = g.node('Reshape', [h, shape], {}, { output: 'last_hidden_state' });
 * g.output(y, DataType.FLOAT, ['batch', 'sequence', dim]);
 * await writeFile('model.onnx', g.toBytes()); // opset 17, ir_version 8 unless options say otherwise
 * ```
 * Integer-valued FLOAT attributes need `{ float: 1 }` (plain integers are written as INT).
 * `decodeModel(bytes)` reads a file back (tests, debugging).
 */
export { GraphBuilder } from './builder.js';
export type { AttrValue, Dim, ModelOptions, NodeOptions } from './builder.js';
export {
  DataType,
  float16Bits,
  float16Tensor,
  float16ToNumber,
  floatTensor,
  int32Tensor,
  int64Tensor,
  int8Tensor,
  toFloat16Bits,
  uint8Tensor,
} from './tensor.js';
export type { Tensor } from './tensor.js';
export { modelType, onnxRoot } from './schema.js';

import { modelType } from './schema.js';

/** Decodes ONNX bytes into a plain object (keepCase field names, int64 as numbers, bytes as Uint8Array). */
export function decodeModel(bytes: Uint8Array): Record<string, unknown> {
  const type = modelType();
  return type.toObject(type.decode(bytes), { longs: Number, defaults: false });
}
