import type { OnConflict } from '../store/store.js';
import type { MemoryScope } from './types.js';

export type { OnConflict };

/** How far an export or import has come: memories written or read of `total` (the header's count). */
export interface BackupProgress {
  done: number;
  total: number;
}

export interface ExportOptions {
  /** Only the memories of this scope (every key given must match). @default every memory */
  scope?: MemoryScope;
  /** Write each memory's stored vector, so an import with the same model needs no inference. @default true */
  includeVectors?: boolean;
  /** Called after the header and after each page of memories. */
  onProgress?: (progress: BackupProgress) => void;
}

export interface ImportOptions {
  /**
   * An id that exists already: `'skip'` keeps the stored memory, `'replace'` overwrites it (history too), `'error'`
   * throws a ConflictError (earlier batches stay imported).
   * @default 'skip'
   */
  onConflict?: OnConflict;
  /** Called after each batch written. */
  onProgress?: (progress: BackupProgress) => void;
}

export interface ImportResult {
  /** Memories written (new ones and replacements). */
  imported: number;
  /** Of those, memories that replaced one with the same id. */
  replaced: number;
  /** Memories left out because their id existed (`onConflict: 'skip'`). */
  skipped: number;
  /** Memories embedded again (another model, dimensions or encoding, or an export without vectors). */
  reembedded: number;
  /**
   * Deleted memories whose history was restored. One whose id names a memory here is left out (a deleted memory
   * never removes a live one; with `onConflict: 'error'` it is a ConflictError).
   */
  deleted: number;
}

/**
 * What {@link Memory.import} takes beside the create options: `onConflict`, and `onImportProgress` (the create
 * options' `onProgress` reports the model's loading).
 */
export interface CreateImportOptions {
  onConflict?: OnConflict;
  onImportProgress?: (progress: BackupProgress) => void;
}
