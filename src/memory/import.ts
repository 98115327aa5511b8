import { ConflictError } from '../errors.js';
import { holdsModel } from '../models/model-id.js';
import type { DeletedHistory, RestoreResult, RestoreRow } from '../store/store.js';
import { parseEntry, parseHeader, type BackupEntry, type BackupHeader } from './backup-format.js';
import type { ImportRequest } from './backup-options.js';
import type { ImportResult } from './backup-types.js';
import type { ExportConfig } from './export.js';
import { lines, type ImportSource } from './lines.js';

/** Memories per restore transaction (one IndexedDB segment). */
const BATCH = 1000;
/** Texts per embedding call when an import re-embeds. */
const EMBED_CHUNK = 256;

export interface ImportConfig extends ExportConfig {
  /** This Memory's model's former ids: a backup naming one holds its vectors. */
  readonly formerModelIds?: readonly string[] | undefined;
  /** This Memory's engine (checked vectors of its dimensions). */
  readonly embed: (texts: readonly string[]) => Promise<Float32Array[]>;
  /** After each batch's transaction: the rows written, for the search index and the other tabs. */
  readonly onRestored: (rows: readonly RestoreRow[], result: RestoreResult) => void;
}

/**
 * Reads an export line by line and restores it in batches of {@link BATCH}, one transaction each. Every line is
 * checked before its batch is written; at a bad line the lines before it are written first, then its
 * ValidationError is thrown, so what is stored is exactly the lines before the one named.
 */
export async function importLines(
  config: ImportConfig,
  source: ImportSource,
  request: ImportRequest,
): Promise<ImportResult> {
  const { onConflict, onProgress } = request;
  const result: ImportResult = { imported: 0, replaced: 0, skipped: 0, reembedded: 0, deleted: 0 };
  const iterator = lines(source)[Symbol.asyncIterator]();
  try {
    const first = await iterator.next();
    const [headerLine, ...rest] = first.done ? [] : first.value;
    const header = parseHeader(headerLine);
    const reuse = vectorsFit(header, config);
    const total = header.count;
    let batch: (BackupEntry | DeletedHistory)[] = [];
    let ids = new Set<string>();
    // One batch is written while the next is parsed; batches are written in order, one at a time.
    let writing: Promise<void> = Promise.resolve();
    const flush = async () => {
      await writing;
      if (batch.length === 0) return;
      const entries = batch;
      batch = [];
      ids = new Set();
      writing = restore(config, entries, reuse, onConflict, result).then(() =>
        onProgress?.({ done: result.imported + result.skipped, total }),
      );
      // Its failure is thrown by the next flush (or the last wait), not reported as unhandled meanwhile.
      writing.catch(() => undefined);
    };
    const finish = async () => {
      await flush();
      await writing;
    };
    onProgress?.({ done: 0, total });
    let group = rest;
    for (let n = 2; ;) {
      for (const line of group) {
        let entry: BackupEntry | DeletedHistory | undefined;
        try {
          if (line.trim() !== '') entry = parseEntry(line, n, header);
        } catch (error) {
          // A bad line: what came before it is written, then its error is thrown.
          await finish();
          throw error;
        }
        n++;
        if (!entry) continue;
        // The same id twice in one batch would be two entries of one memory: an earlier one is written first.
        const id = 'memory' in entry ? entry.memory.id : entry.memoryId;
        if (ids.has(id)) await flush();
        batch.push(entry);
        ids.add(id);
        if (batch.length >= BATCH) await flush();
      }
      let next: IteratorResult<string[]>;
      try {
        next = await iterator.next();
      } catch (error) {
        // A source that fails (or a line that is not UTF-8): the lines before it are written first.
        await finish();
        throw error;
      }
      if (next.done) break;
      group = next.value;
    }
    await finish();
    return result;
  } finally {
    await iterator.return?.(undefined);
  }
}

/** Stored vectors are used as they are when the model, its dimensions and the encoding allow it. */
function vectorsFit(header: BackupHeader, config: ImportConfig): boolean {
  if (!holdsModel(header.modelId, config) || header.dimensions !== config.dimensions) return false;
  // float32 into an int8 store is quantised as an add would be; int8 codes cannot give back float32.
  return header.encoding === 'int8' ? config.encoding === 'int8' : true;
}

async function restore(
  config: ImportConfig,
  batch: readonly (BackupEntry | DeletedHistory)[],
  reuse: boolean,
  onConflict: ImportRequest['onConflict'],
  result: ImportResult,
): Promise<void> {
  const entries = batch.filter((entry): entry is BackupEntry => 'memory' in entry);
  const deleted = batch.filter((entry): entry is DeletedHistory => !('memory' in entry));
  if (entries.length > 0) await restoreMemories(config, entries, reuse, onConflict, result);
  if (deleted.length === 0) return;
  config.assertOpen();
  const restored = await conflictNamed(config.store.restoreDeleted(deleted, onConflict), result);
  result.deleted += restored.written.length;
}

async function restoreMemories(
  config: ImportConfig,
  entries: readonly BackupEntry[],
  reuse: boolean,
  onConflict: ImportRequest['onConflict'],
  result: ImportResult,
): Promise<void> {
  const todo = entries.filter((entry) => !reuse || entry.vector === undefined);
  const vectors: Float32Array[] = [];
  for (let start = 0; start < todo.length; start += EMBED_CHUNK)
    vectors.push(...(await config.embed(todo.slice(start, start + EMBED_CHUNK).map((e) => e.memory.text))));
  const embedded = new Map(todo.map((entry, i) => [entry, vectors[i]!]));
  const rows: RestoreRow[] = entries.map((entry) => ({
    memory: entry.memory,
    history: entry.history,
    vector: embedded.get(entry) ?? entry.vector!,
  }));
  config.assertOpen();
  const restored: RestoreResult = await conflictNamed(config.store.restore(rows, onConflict), result);
  const written = new Set(restored.written);
  config.onRestored(
    rows.filter((row) => written.has(row.memory.id)),
    restored,
  );
  result.imported += restored.written.length;
  result.replaced += restored.replaced.length;
  result.skipped += restored.skipped.length;
  result.reembedded += todo.filter((entry) => written.has(entry.memory.id)).length;
}

/** A ConflictError that also says what earlier batches imported. */
async function conflictNamed<T>(write: Promise<T>, result: ImportResult): Promise<T> {
  try {
    return await write;
  } catch (error) {
    if (error instanceof ConflictError) {
      throw new ConflictError(
        `${error.message}: ${result.imported} memories of earlier batches were imported, nothing from the batch holding it on`,
        { cause: error },
      );
    }
    throw error;
  }
}
