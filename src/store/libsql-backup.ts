import type { Transaction } from '@libsql/client';
import {
  HISTORY_COLUMNS,
  MEMORY_COLUMNS,
  historyArgs,
  historyFrom,
  marks,
  chunks,
  insert,
  memoryArgs,
  recordOf,
  scopeColumn,
  vectorOf,
} from './libsql-schema.js';
import { scopeFields } from '../search/search-index.js';
import type { HistoryRecord } from './records.js';
import type { VectorEncoding } from './segments.js';
import { byMemoryId, byTime, conflict, onlyDerivedAdd, withAdd } from './store.js';
import type { DeletedHistory, DeletedRestoreResult, DeletedScanRequest, OnConflict } from './store.js';
import type { RestoreResult, RestoreRow, ScanRequest, ScanRow } from './store.js';

/**
 * The export and import side of {@link LibsqlStore}: a page scan in id order, a bulk restore, and the same two for the
 * history deleted memories leave.
 */

export async function scanRows(tx: Transaction, request: ScanRequest): Promise<ScanRow[]> {
  const { after, limit, vectors, scope = {} } = request;
  const columns = vectors ? 'record, vector, scale' : 'record';
  // A scope reads through its (column, id) index: only its own rows.
  const fields = scopeFields.filter((f) => scope[f] !== undefined);
  const { rows } = await tx.execute({
    sql: `SELECT ${columns} FROM memories WHERE ${fields.map((f) => `${scopeColumn[f]} = ? AND `).join('')}id > ?
          ORDER BY id LIMIT ?`,
    args: [...fields.map((f) => scope[f]!), after ?? '', limit],
  });
  if (rows.length === 0) return [];
  const memories = rows.map(recordOf);
  const ids = memories.map((m) => m.id);
  // A whole page is one id range; a scope's ids may be far apart, other scopes' rows between them.
  const byMemory = byMemoryId(fields.length === 0 ? await historyBetween(tx, ids) : await historyOf(tx, ids));
  return memories.map((memory, i) => ({
    memory,
    history: withAdd(memory, byMemory.get(memory.id) ?? []),
    ...(vectors ? { vector: vectorOf(rows[i]!) } : {}),
  }));
}

/** The history rows of the ids from `ids[0]` to the last (in id order), in one range read. */
async function historyBetween(tx: Transaction, ids: readonly string[]): Promise<HistoryRecord[]> {
  const history = await tx.execute({
    sql: 'SELECT * FROM history WHERE memory_id BETWEEN ? AND ?',
    args: [ids[0]!, ids[ids.length - 1]!],
  });
  return history.rows.map(historyFrom);
}

/** The history rows of `ids`, read by id. */
async function historyOf(tx: Transaction, ids: readonly string[]): Promise<HistoryRecord[]> {
  const found: HistoryRecord[] = [];
  for (const part of chunks(ids)) {
    const history = await tx.execute({
      sql: `SELECT * FROM history WHERE memory_id IN (${marks(part.length)})`,
      args: part,
    });
    found.push(...history.rows.map(historyFrom));
  }
  return found;
}

/** Writes `rows` with their history in `tx`, existing ids skipped, replaced or refused as `onConflict` says. */
export async function restoreRows(
  tx: Transaction,
  rows: readonly RestoreRow[],
  onConflict: OnConflict,
  encoding: VectorEncoding,
): Promise<RestoreResult> {
  const existing = new Set<string>();
  for (const part of chunks(rows.map((row) => row.memory.id))) {
    const found = await tx.execute({ sql: `SELECT id FROM memories WHERE id IN (${marks(part.length)})`, args: part });
    for (const row of found.rows) existing.add(row['id'] as string);
  }
  const first = existing.values().next();
  if (onConflict === 'error' && !first.done) throw conflict(first.value);
  const todo = onConflict === 'skip' ? rows.filter((row) => !existing.has(row.memory.id)) : rows;
  const replaced = onConflict === 'replace' ? [...existing] : [];
  for (const part of chunks(replaced)) {
    await tx.batch([
      { sql: `DELETE FROM memories WHERE id IN (${marks(part.length)})`, args: part },
      { sql: `DELETE FROM history WHERE memory_id IN (${marks(part.length)})`, args: part },
    ]);
  }
  for (const part of chunks(todo))
    await tx.execute(
      insert(`INSERT INTO memories ${MEMORY_COLUMNS}`, part, (row) => memoryArgs(row.memory, row.vector, encoding)),
    );
  // A memory that never changed keeps its ADD row implicit, as one added here would.
  const history = todo.filter((row) => !onlyDerivedAdd(row.memory, row.history)).flatMap((row) => row.history);
  for (const part of chunks(history))
    await tx.execute(insert(`INSERT OR REPLACE INTO history ${HISTORY_COLUMNS}`, part, historyArgs));
  return {
    written: todo.map((row) => row.memory.id),
    replaced,
    skipped: onConflict === 'skip' ? [...existing] : [],
    segments: [],
  };
}

/** The history rows of the next `limit` memory ids after `after` that history names and no memory has. */
export async function scanDeletedRows(tx: Transaction, request: DeletedScanRequest): Promise<DeletedHistory[]> {
  const { rows } = await tx.execute({
    sql: `SELECT DISTINCT memory_id FROM history WHERE memory_id > ? AND memory_id NOT IN (SELECT id FROM memories)
          ORDER BY memory_id LIMIT ?`,
    args: [request.after ?? '', request.limit],
  });
  const ids = rows.map((row) => row['memory_id'] as string);
  if (ids.length === 0) return [];
  const byMemory = byMemoryId(await historyOf(tx, ids));
  return ids.map((memoryId) => ({ memoryId, history: byMemory.get(memoryId)!.sort(byTime) }));
}

/** Writes deleted memories' history rows, leaving out (or, with `'error'`, refusing) ids a memory has. */
export async function restoreDeletedRows(
  tx: Transaction,
  entries: readonly DeletedHistory[],
  onConflict: OnConflict,
): Promise<DeletedRestoreResult> {
  const live = new Set<string>();
  for (const part of chunks(entries.map((entry) => entry.memoryId))) {
    const found = await tx.execute({ sql: `SELECT id FROM memories WHERE id IN (${marks(part.length)})`, args: part });
    for (const row of found.rows) live.add(row['id'] as string);
  }
  const skipped = entries.filter((entry) => live.has(entry.memoryId)).map((entry) => entry.memoryId);
  if (onConflict === 'error' && skipped.length > 0) throw conflict(skipped[0]!);
  const todo = entries.filter((entry) => !live.has(entry.memoryId));
  for (const part of chunks(todo.flatMap((entry) => entry.history)))
    await tx.execute(insert(`INSERT OR REPLACE INTO history ${HISTORY_COLUMNS}`, part, historyArgs));
  return { written: todo.map((entry) => entry.memoryId), skipped };
}
