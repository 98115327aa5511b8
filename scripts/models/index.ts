/**
 * Project-made models, written in transformers.js' folder layout under `<outRoot>/<name>/`:
 * `config.json`, `tokenizer.json`, `tokenizer_config.json`, `onnx/model.onnx` (fp32), `onnx/model_fp16.onnx`,
 * `onnx/model_quantized.onnx` (int8), plus `.agentmem-stamp.json`.
 * - `lexical`: test model with real lexical similarity (lexical.ts).
 * - `minilm-l6`: all-MiniLM-L6-v2 architecture, seeded weights, the benchmark model (minilm.ts).
 * Deterministic (same bytes every run); a folder whose stamp matches the generator hash is left alone.
 */
import { join } from 'node:path';
import { generatorHash, isCurrent, writeModel, type ModelFiles } from './files.js';
import { buildLexical } from './lexical.js';
import { buildMinilm } from './minilm.js';
import { bertVocab, tokenizerConfigJson, tokenizerJson, vocabSourcePath } from './tokenizer.js';

export const MODEL_NAMES = ['lexical', 'minilm-l6'] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

export interface GenerateOptions {
  /** Regenerate even when the stamp says the files are current. @default false */
  readonly force?: boolean;
  /** Print one line per model. @default true */
  readonly log?: boolean;
}

export async function generate(outRoot: string, options: GenerateOptions = {}): Promise<void> {
  const log = (options.log ?? true) ? (line: string) => console.log(`[models] ${line}`) : () => {};
  const generator = generatorHash([vocabSourcePath()]);
  let vocab: string[] | undefined;
  for (const name of MODEL_NAMES) {
    const dir = join(outRoot, name);
    if (!(options.force ?? false) && isCurrent(dir, generator)) {
      log(`${name}: current, skipped`);
      continue;
    }
    const started = performance.now();
    vocab ??= bertVocab();
    const tokenizer: ModelFiles = {
      'tokenizer.json': tokenizerJson(vocab),
      'tokenizer_config.json': tokenizerConfigJson(),
    };
    const files = name === 'lexical' ? buildLexical(vocab) : buildMinilm();
    const stamp = await writeModel(dir, { ...tokenizer, ...files }, generator);
    const mb = (rel: string) => `${(stamp.files[rel]!.bytes / 1e6).toFixed(1)} MB`;
    log(
      `${name}: generated in ${((performance.now() - started) / 1000).toFixed(1)} s ` +
        `(fp32 ${mb('onnx/model.onnx')}, fp16 ${mb('onnx/model_fp16.onnx')}, int8 ${mb('onnx/model_quantized.onnx')})`,
    );
  }
}
