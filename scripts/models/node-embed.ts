/**
 * Embeds texts in Node with onnxruntime-node: our tokenizer files through `@huggingface/tokenizers`, one ONNX
 * session per model file (cached), masked mean pooling, L2 normalisation. Used by unit tests and by the
 * benchmark's "native ceiling" row. Node only (build and test time), never part of the library.
 *
 * @example
 * const [a, b] = await embedNode('public/models/lexical', ['coffee', 'tea'], 'fp32');
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import * as ort from 'onnxruntime-node';

export type NodeVariant = 'fp32' | 'fp16' | 'int8';

export const VARIANT_FILES: Readonly<Record<NodeVariant, string>> = {
  fp32: 'onnx/model.onnx',
  fp16: 'onnx/model_fp16.onnx',
  int8: 'onnx/model_quantized.onnx',
};

export interface EmbedNodeOptions {
  /** Texts per session run. @default 32 */
  readonly batchSize?: number;
  /** onnxruntime-node intra-op threads (0 = its default). @default 0 */
  readonly threads?: number;
  /** Longest token sequence, [CLS] and [SEP] included. @default 512 */
  readonly maxTokens?: number;
}

interface Loaded {
  readonly tokenizer: Tokenizer;
  readonly pooling: string;
}

const tokenizers = new Map<string, Promise<Loaded>>();
const sessions = new Map<string, Promise<ort.InferenceSession>>();

async function loadTokenizer(dir: string): Promise<Loaded> {
  const [json, config, modelConfig] = await Promise.all(
    ['tokenizer.json', 'tokenizer_config.json', 'config.json'].map(
      async (f) => JSON.parse(await readFile(join(dir, f), 'utf8')) as unknown,
    ),
  );
  const pooling = (modelConfig as { agentmem?: { pooling?: string } }).agentmem?.pooling ?? 'mean';
  return { tokenizer: new Tokenizer(json as object, config as object), pooling };
}

function session(file: string, threads: number): Promise<ort.InferenceSession> {
  const key = `${file}#${threads}`;
  let s = sessions.get(key);
  if (s === undefined) {
    s = ort.InferenceSession.create(file, threads > 0 ? { intraOpNumThreads: threads } : {});
    sessions.set(key, s);
  }
  return s;
}

/** Token ids with [CLS] … [SEP], truncated to `maxTokens` (keeping the final [SEP]). */
export function tokenize(tokenizer: Tokenizer, text: string, maxTokens = 512): number[] {
  const ids = tokenizer.encode(text).ids;
  return ids.length <= maxTokens ? ids : [...ids.slice(0, maxTokens - 1), ids[ids.length - 1]!];
}

/** Unit-length sentence vectors, one per text, in order. */
export async function embedNode(
  modelDir: string,
  texts: readonly string[],
  variant: NodeVariant = 'fp32',
  options: EmbedNodeOptions = {},
): Promise<Float32Array[]> {
  const dir = resolve(modelDir);
  let loading = tokenizers.get(dir);
  if (loading === undefined) {
    loading = loadTokenizer(dir);
    tokenizers.set(dir, loading);
  }
  const { tokenizer, pooling } = await loading;
  if (pooling !== 'mean') throw new Error(`Expected config.agentmem.pooling to be \`mean\`, got \`${pooling}\``);
  const s = await session(join(dir, VARIANT_FILES[variant]), options.threads ?? 0);
  const batchSize = options.batchSize ?? 32;
  const out: Float32Array[] = [];
  for (let start = 0; start < texts.length; start += batchSize) {
    const batch = texts.slice(start, start + batchSize).map((t) => tokenize(tokenizer, t, options.maxTokens ?? 512));
    out.push(...(await runBatch(s, batch)));
  }
  return out;
}

async function runBatch(s: ort.InferenceSession, batch: readonly number[][]): Promise<Float32Array[]> {
  const rows = batch.length;
  const cols = Math.max(...batch.map((ids) => ids.length));
  const ids = new BigInt64Array(rows * cols);
  const mask = new BigInt64Array(rows * cols);
  batch.forEach((row, r) => {
    row.forEach((id, c) => {
      ids[r * cols + c] = BigInt(id);
      mask[r * cols + c] = 1n;
    });
  });
  const dims = [rows, cols];
  const result = await s.run({
    input_ids: new ort.Tensor('int64', ids, dims),
    attention_mask: new ort.Tensor('int64', mask, dims),
    token_type_ids: new ort.Tensor('int64', new BigInt64Array(rows * cols), dims),
  });
  const hidden = result['last_hidden_state'];
  if (hidden === undefined || hidden.type !== 'float32')
    throw new Error('Expected a float32 `last_hidden_state` output');
  const data = hidden.data as Float32Array;
  const dim = hidden.dims[2]!;
  return batch.map((row, r) => meanPoolNormalize(data, r, cols, dim, row.length));
}

/** Mean over the first `length` positions of row `r` (the unmasked ones), then L2-normalised. */
function meanPoolNormalize(data: Float32Array, r: number, cols: number, dim: number, length: number): Float32Array {
  const sum = new Float64Array(dim);
  for (let c = 0; c < length; c++) {
    const base = (r * cols + c) * dim;
    for (let j = 0; j < dim; j++) sum[j]! += data[base + j]!;
  }
  let norm = 0;
  for (let j = 0; j < dim; j++) {
    sum[j] = sum[j]! / length;
    norm += sum[j]! * sum[j]!;
  }
  norm = Math.sqrt(norm);
  const v = new Float32Array(dim);
  if (norm > 0) for (let j = 0; j < dim; j++) v[j] = sum[j]! / norm;
  return v;
}

/** Closes every cached session (tests call it in `afterAll`). */
export async function releaseNodeSessions(): Promise<void> {
  const all = [...sessions.values()];
  sessions.clear();
  tokenizers.clear();
  await Promise.all(all.map(async (s) => (await s).release()));
}
