import { expected, oneOf } from '../validate.js';
import type { OnConflict } from '../store/store.js';
import type { BackupProgress, CreateImportOptions } from './backup-types.js';
import type { MemoryOptions } from './open.js';
import * as input from './input.js';
import type { MemoryScope } from './types.js';

/** The checked options of export() and import(): a bad one throws before anything is read or written. */

export interface ExportRequest {
  readonly scope: MemoryScope;
  readonly vectors: boolean;
  readonly onProgress: ProgressListener | undefined;
}

export interface ImportRequest {
  readonly onConflict: OnConflict;
  readonly onProgress: ProgressListener | undefined;
}

type ProgressListener = (progress: BackupProgress) => void;

export function exportRequest(options: unknown): ExportRequest {
  const opts = input.options('options', options, ['scope', 'includeVectors', 'onProgress']);
  const scope = input.scope('options.scope', input.options('options.scope', opts.scope, input.keys.scope), false);
  const vectors = opts.includeVectors === undefined ? true : input.flag('options.includeVectors', opts.includeVectors);
  return { scope, vectors, onProgress: listener(opts.onProgress) };
}

export function importRequest(options: unknown): ImportRequest {
  const opts = input.options('options', options, ['onConflict', 'onProgress']);
  const onConflict =
    opts.onConflict === undefined
      ? 'skip'
      : oneOf('options.onConflict', opts.onConflict, ['skip', 'replace', 'error'] as const);
  return { onConflict, onProgress: listener(opts.onProgress) };
}

/** Memory.import's options, split into Memory.create's and the import's (checked before the database opens). */
export function splitImportOptions(options: unknown): { create: MemoryOptions; request: ImportRequest } {
  const { onConflict, onImportProgress, ...create } = input.options('options', options) as CreateImportOptions;
  const request = importRequest({
    ...(onConflict === undefined ? {} : { onConflict }),
    ...(onImportProgress === undefined ? {} : { onProgress: onImportProgress }),
  });
  return { create: create, request };
}

function listener(value: unknown): ProgressListener | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'function') throw expected('options.onProgress', 'a function', value);
  return value as ProgressListener;
}
