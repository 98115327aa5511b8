import type { Row, Transaction } from '@libsql/client';
import {
  HISTORY_COLUMNS,
  MEMORY_COLUMNS,
  decodeVector,
  historyArgs,
  historyFrom,
  marks,
  chunks,
  insert,
  memoryArgs,
  recordOf,
} from './libsql-schema.js';
import type { StoredVector } from '../search/scope-index.js';
import type { HistoryRecord } from './records.js';
import type { VectorEncoding } from './segments.js';
import { conflict, onlyDerivedAdd, withAdd } from './store.js';
import type { OnConflict, RestoreResult, RestoreRow, ScanRequest, ScanRow } from './store.js';

/** The export and import side of {@link LibsqlStore}: a page scan in id order, and a bulk restore. */

export async function scanRows(tx: Transaction, request: ScanRequest): Promise<ScanRow[]> {
  const { after, limit, vectors } = request;
  const columns = vectors ? 'record, vector, scale' : 'record';
  const { rows } = await tx.execute({
    sql: `SELECT ${columns} FROM memories WHERE id > ? ORDER BY id LIMIT ?`,
    args: [after ?? '', limit],
  });
  if (rows.length === 0) return [];
  const memories = rows.map(recordOf);
  const history = await tx.execute({
    sql: 'SELECT * FROM history WHERE memory_id BETWEEN ? AND ?',
    args: [memories[0]!.id, memories[memories.length - 1]!.id],
  });
  const byMemory = new Map<string, HistoryRecord[]>();
  for (const row of history.rows) {
    const record = historyFrom(row);
    const list = byMemory.get(record.memoryId);
    if (list) list.push(record);
    else byMemory.set(record.memoryId, [record]);
  }
  return memories.map((memory, i) => ({
    memory,
    history: withAdd(memory, byMemory.get(memory.id) ?? []),
    ...(vectors ? { vector: vectorOf(rows[i]!) } : {}),
  }));
}

function vectorOf(row: Row): StoredVector {
  return decodeVector(row['vector'] as ArrayBuffer, row['scale'] as number | null);
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
