/// <reference types="node" />
/**
 * Models in Node: `model` is a folder path (relative to the working directory, or absolute), a `file:` URL or an
 * http(s) URL. Files are read from disk; only a URL the caller gave is fetched (no Cache API: nothing to reuse).
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ModelLoadError } from '../errors.js';
import { fetchFromNetwork, type FetchProgress } from '../models/fetch.js';

/** `'./models/use-lite'` -> `'file:///abs/models/use-lite/'`; URLs keep their scheme (a folder URL ends in `/`). */
export function resolveNodeModel(model: string): string {
  const withSlash = model.endsWith('/') ? model : `${model}/`;
  // Two letters or more before the colon: `C:\\models` is a Windows path, not a URL.
  if (!/^[a-z][a-z0-9+.-]+:/i.test(model)) return pathToFileURL(resolve(model)).href + '/';
  let url: URL;
  try {
    url = new URL(withSlash);
  } catch (error) {
    throw new ModelLoadError(`Could not resolve the model URL \`${model}\``, { cause: error });
  }
  if (url.protocol !== 'file:' && url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ModelLoadError(
      `Expected \`model\` to be a folder path, a file: URL or an http(s) URL, got \`${model}\` (${url.protocol})`,
    );
  }
  return url.href;
}

/** One model file: from disk for `file:` URLs (a missing one has `cause.code === 'ENOENT'`), else fetched. */
export async function readNodeModelFile(url: string, onProgress?: (p: FetchProgress) => void): Promise<ArrayBuffer> {
  if (!url.startsWith('file:')) return (await fetchFromNetwork(url, onProgress)).bytes;
  const path = fileURLToPath(url);
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const why = (error as { code?: unknown }).code === 'ENOENT' ? 'no such file' : String(error);
    throw new ModelLoadError(`Could not read the model file ${path}: ${why}`, { cause: error });
  }
  onProgress?.({ loaded: bytes.byteLength, total: bytes.byteLength });
  // A small Buffer may be a view into Node's shared pool: copy out exactly its bytes. A model file has its own
  // buffer; copying tens of megabytes would cost about as much as reading them.
  const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
  return (
    whole ? bytes.buffer : bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)
  ) as ArrayBuffer;
}
