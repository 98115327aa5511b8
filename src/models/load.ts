/**
 * Loads a transformers.js-layout model folder on the main thread: config, tokenizer files and one ONNX variant.
 * The pool hands a copy of the bytes to each worker.
 */
import { ModelLoadError, errorMessage } from '../errors.js';
import type { Variant } from '../worker/protocol.js';
import { readModelSpec, variantFiles, type ModelSpec } from './config.js';
import { fetchModelFile, fetchModelText, type FetchProgress, type ModelFileReader } from './fetch.js';

export interface ModelFolder {
  /** Absolute URL of the folder, ending in `/`. */
  readonly url: string;
  readonly spec: ModelSpec;
  readonly configJson: string;
  readonly tokenizerJson: string;
  readonly tokenizerConfigJson: string;
}

/** `'/models/minilm-l6'` -> `'https://host/models/minilm-l6/'`, relative to the page (or the worker's script). */
export function resolveModelUrl(model: string): string {
  const base = typeof location === 'undefined' ? undefined : location.href;
  const withSlash = model.endsWith('/') ? model : `${model}/`;
  try {
    return new URL(withSlash, base).href;
  } catch (error) {
    throw new ModelLoadError(`Could not resolve the model URL \`${model}\`${base ? ` against ${base}` : ''}`, {
      cause: error,
    });
  }
}

export async function loadModelFolder(folderUrl: string, read: ModelFileReader = fetchModelFile): Promise<ModelFolder> {
  // Fetched side by side; when several fail (a missing folder), the error names the first file in this order, not
  // whichever 404 happened to arrive first.
  const settled = await Promise.allSettled(
    ['config.json', 'tokenizer.json', 'tokenizer_config.json'].map((f) => fetchModelText(`${folderUrl}${f}`, read)),
  );
  const [configText, tokenizerJson, tokenizerConfigJson] = settled.map((r) => {
    if (r.status === 'rejected') throw r.reason;
    return r.value;
  }) as [string, string, string];
  const config = parseJson(configText, `${folderUrl}config.json`);
  const tokenizerConfig = parseJson(tokenizerConfigJson, `${folderUrl}tokenizer_config.json`);
  parseJson(tokenizerJson, `${folderUrl}tokenizer.json`);
  return {
    url: folderUrl,
    spec: readModelSpec(config, tokenizerConfig, `${folderUrl}config.json`),
    configJson: configText,
    tokenizerJson,
    tokenizerConfigJson,
  };
}

export function modelFileUrl(folderUrl: string, variant: Variant): string {
  return `${folderUrl}${variantFiles[variant]}`;
}

export function fetchVariant(
  folderUrl: string,
  variant: Variant,
  onProgress?: (p: FetchProgress) => void,
  read: ModelFileReader = fetchModelFile,
): Promise<ArrayBuffer> {
  return read(modelFileUrl(folderUrl, variant), onProgress);
}

function parseJson(text: string, url: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ModelLoadError(`Expected ${url} to be JSON: ${errorMessage(error)}`, {
      cause: error,
    });
  }
}
