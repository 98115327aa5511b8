import type { InValue, Row } from '@libsql/client';
import { nextTask } from '../next-task.js';
import { recordOf, scopeColumn, vectorOf } from './libsql-schema.js';
import type { ScopeField, StoredRow } from './store.js';

/**
 * Rows a scope load reads per query. @libsql/client runs a query and builds its rows on the calling thread: a
 * 100k-memory scope read by one query held the event loop for its whole length, so each page gets its own task.
 */
export const LOAD_PAGE = 500;

/** One read on the store's connection. */
export type Read = (sql: string, args: InValue[]) => Promise<Row[]>;

/**
 * A scope's memories with their vectors, oldest first, a page at a time in id order (the scope indexes hold
 * `(scope, id)`, so each page is one index range). Pages are separate reads: a memory added or deleted meanwhile is
 * seen or not, as with any load that races a write, and the search index buffers the change either way.
 */
export async function loadScopePaged(read: Read, field: ScopeField, value: string): Promise<StoredRow[]> {
  const column = scopeColumn[field];
  const sql = `SELECT id, record, vector, scale FROM memories WHERE ${column} = ? AND id > ? ORDER BY id LIMIT ${LOAD_PAGE}`;
  const out: StoredRow[] = [];
  for (let after = ''; ; await nextTask()) {
    const rows = await read(sql, [value, after]);
    for (const row of rows) out.push({ memory: recordOf(row), vector: vectorOf(row) });
    if (rows.length < LOAD_PAGE) return out;
    after = rows[rows.length - 1]!['id'] as string;
  }
}
