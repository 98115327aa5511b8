import type { Client, InStatement, InValue, Row, Transaction } from '@libsql/client';
import type { CacheKeyRange } from '../key-range.js';
import { AgentMemError, StorageError, errorDetail } from '../errors.js';
import { sqlKeyRange } from '../key-range.js';
import {
  CLOSE_PRAGMAS,
  HISTORY_COLUMNS,
  MEMORY_COLUMNS,
  OPEN_PRAGMAS,
  decodeFloats,
  encodeVector,
  bytesOf,
  historyArgs,
  historyFrom,
  marks,
  scopeColumn,
  addRow,
  chunks,
  fileUrl,
  historyRow,
  insert,
  memoryArgs,
  migrate,
  recordOf,
} from './libsql-schema.js';
import { loadScopePaged } from './libsql-pages.js';
import { restoreDeletedRows, restoreRows, scanDeletedRows, scanRows } from './libsql-backup.js';
import type { HistoryRecord, MemoryRecord, ModelMeta, PendingBatch } from './records.js';
import type { VectorEncoding } from './segments.js';
import { addHistory, byTime, notFound } from './store.js';
import type { DeleteRow, Replacement, ScopeField, ScopeMatch, Store, StoreCounts, StoredRow } from './store.js';
import type { WriteResult, WriteSet } from './store.js';
import type { DeletedHistory, DeletedRestoreResult, DeletedScanRequest, OnConflict } from './store.js';
import type { RestoreResult, RestoreRow, ScanRequest, ScanRow } from './store.js';

export interface LibsqlStoreOptions {
  /** The database file (created when missing); `':memory:'` for one that lives and dies with the store. */
  readonly path: string;
  /** How new rows hold vectors. */
  readonly encoding: VectorEncoding;
}

/**
 * The {@link Store} of Node, Bun and Deno: one libSQL (SQLite) file holds memories, vectors, history, the pending
 * queue and the embedding cache; each method is one transaction. The client runs on one connection that this
 * store uses one call at a time (a transaction holds it; SQLite would run them one by one anyway).
 */
export class LibsqlStore implements Store {
  readonly #client: Client;
  readonly #path: string;
  readonly #encoding: VectorEncoding;
  #tail: Promise<unknown> = Promise.resolve();
  #closed = false;

  private constructor(client: Client, path: string, encoding: VectorEncoding) {
    this.#client = client;
    this.#path = path;
    this.#encoding = encoding;
  }

  static async open(options: LibsqlStoreOptions): Promise<LibsqlStore> {
    const { path, encoding } = options;
    let libsql: typeof import('@libsql/client');
    try {
      libsql = await import('@libsql/client');
    } catch (error) {
      throw new StorageError(
        'Expected the optional peer dependency `@libsql/client` to be installed (npm install @libsql/client): Memory keeps its database file with it outside a browser',
        { cause: error },
      );
    }
    let client: Client | undefined;
    try {
      client = libsql.createClient({ url: fileUrl(path), concurrency: 1 });
      for (const pragma of OPEN_PRAGMAS) await client.execute(pragma);
      await migrate(client);
    } catch (error) {
      client?.close();
      throw wrap(path, `open database file \`${path}\``, error);
    }
    return new LibsqlStore(client, path, encoding);
  }

  get isOpen(): boolean {
    return !this.#closed;
  }

  /** Releases the file and its lock, after the calls in flight. */
  async close(): Promise<void> {
    if (this.#closed) return;
    const last = this.#tail;
    this.#closed = true;
    await last;
    try {
      for (const pragma of CLOSE_PRAGMAS) await this.#client.execute(pragma);
    } catch {
      // Closed underneath already: nothing is locked.
    } finally {
      this.#client.close();
    }
  }

  async write(set: WriteSet): Promise<WriteResult> {
    const pending = set.pending ?? [];
    const groups = set.groups ?? [];
    const cache = set.cache ?? [];
    if (pending.length + groups.length + cache.length === 0) return { batches: [], segments: [] };
    return this.#transaction('write memories', async (tx) => {
      for (const part of chunks(cache))
        await tx.execute(
          insert('INSERT OR REPLACE INTO embeddings (key, vector)', part, ([key, vector]) => [key, bytesOf(vector)]),
        );
      for (const part of chunks(pending))
        await tx.execute(
          insert('INSERT OR REPLACE INTO pending (id, batch)', part, (batch) => [batch.id, JSON.stringify(batch)]),
        );
      if (groups.length === 0) return { batches: [], segments: [] };
      // A group whose pending batch is gone was committed meanwhile (a replay under the same ids): skip it.
      const present = new Set<string>();
      for (const part of chunks(groups.map((g) => g.batchId))) {
        const { rows } = await tx.execute({
          sql: `SELECT id FROM pending WHERE id IN (${marks(part.length)})`,
          args: part,
        });
        for (const row of rows) present.add(row['id'] as string);
      }
      const todo = groups.filter((g) => present.has(g.batchId));
      const rows = todo.flatMap((g) => g.rows);
      for (const part of chunks(rows))
        await tx.execute(
          insert(`INSERT INTO memories ${MEMORY_COLUMNS}`, part, (row) =>
            memoryArgs(row.memory, row.vector, this.#encoding),
          ),
        );
      const done = todo.map((g) => g.batchId);
      for (const part of chunks(done))
        await tx.execute({ sql: `DELETE FROM pending WHERE id IN (${marks(part.length)})`, args: part });
      return { batches: done, segments: [] };
    });
  }

  async allPending(): Promise<PendingBatch[]> {
    const rows = await this.#read('read pending adds', 'SELECT batch FROM pending ORDER BY id');
    return rows.map((row) => JSON.parse(row['batch'] as string) as PendingBatch);
  }

  async deletePending(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.#transaction('delete pending adds', async (tx) => {
      for (const part of chunks(ids))
        await tx.execute({ sql: `DELETE FROM pending WHERE id IN (${marks(part.length)})`, args: part });
    });
  }

  async scan(request: ScanRequest): Promise<ScanRow[]> {
    return this.#transaction('read a page of memories', (tx) => scanRows(tx, request), 'read');
  }

  async restore(rows: readonly RestoreRow[], onConflict: OnConflict): Promise<RestoreResult> {
    return this.#transaction('restore memories', (tx) => restoreRows(tx, rows, onConflict, this.#encoding));
  }

  async scanDeleted(request: DeletedScanRequest): Promise<DeletedHistory[]> {
    return this.#transaction('read deleted memories', (tx) => scanDeletedRows(tx, request), 'read');
  }

  async restoreDeleted(entries: readonly DeletedHistory[], onConflict: OnConflict): Promise<DeletedRestoreResult> {
    return this.#transaction('restore deleted memories', (tx) => restoreDeletedRows(tx, entries, onConflict));
  }

  async get(id: string): Promise<MemoryRecord | undefined> {
    const [row] = await this.#read('read a memory', 'SELECT record FROM memories WHERE id = ?', [id]);
    return row && recordOf(row);
  }

  async list(field: ScopeField, value: string): Promise<MemoryRecord[]> {
    const column = scopeColumn[field];
    const rows = await this.#read('list memories', `SELECT record FROM memories WHERE ${column} = ? ORDER BY id`, [
      value,
    ]);
    return rows.map(recordOf);
  }

  async loadScope(field: ScopeField, value: string): Promise<StoredRow[]> {
    return loadScopePaged((sql, args) => this.#read('load a scope', sql, args), field, value);
  }

  async replace(
    id: string,
    build: (previous: MemoryRecord) => Replacement,
  ): Promise<{ previous: MemoryRecord; next: Replacement }> {
    return this.#transaction('update a memory', async (tx) => {
      const { rows } = await tx.execute({ sql: 'SELECT record FROM memories WHERE id = ?', args: [id] });
      if (!rows[0]) throw notFound(id);
      const previous = recordOf(rows[0]);
      const next = build(previous);
      const statements: InStatement[] = [addRow(previous), historyRow(next.history)];
      if (next.vector) {
        const [blob, scale] = encodeVector(next.vector, this.#encoding);
        statements.push({
          sql: 'UPDATE memories SET record = ?, vector = ?, scale = ? WHERE id = ?',
          args: [JSON.stringify(next.memory), blob, scale, id],
        });
      } else {
        statements.push({
          sql: 'UPDATE memories SET record = ? WHERE id = ?',
          args: [JSON.stringify(next.memory), id],
        });
      }
      await tx.batch(statements);
      return { previous, next };
    });
  }

  async remove(id: string, history: DeleteRow): Promise<MemoryRecord> {
    return this.#transaction('delete a memory', async (tx) => {
      const { rows } = await tx.execute({ sql: 'SELECT record FROM memories WHERE id = ?', args: [id] });
      if (!rows[0]) throw notFound(id);
      const previous = recordOf(rows[0]);
      await tx.batch([
        ...(history ? [addRow(previous), historyRow(history(previous))] : []),
        { sql: 'DELETE FROM memories WHERE id = ?', args: [id] },
      ]);
      return previous;
    });
  }

  async removeWhere({ field, value, accept }: ScopeMatch, history: DeleteRow): Promise<string[]> {
    const column = scopeColumn[field];
    return this.#transaction('delete memories', async (tx) => {
      const { rows } = await tx.execute({
        sql: `SELECT record FROM memories WHERE ${column} = ? ORDER BY id`,
        args: [value],
      });
      const removed = rows.map(recordOf).filter(accept);
      for (const part of chunks(removed)) {
        if (history) {
          await tx.execute(
            insert(`INSERT OR IGNORE INTO history ${HISTORY_COLUMNS}`, part, (m) => historyArgs(addHistory(m))),
          );
          await tx.execute(insert(`INSERT INTO history ${HISTORY_COLUMNS}`, part, (m) => historyArgs(history(m))));
        }
        await tx.execute({
          sql: `DELETE FROM memories WHERE id IN (${marks(part.length)})`,
          args: part.map((m) => m.id),
        });
      }
      return removed.map((m) => m.id);
    });
  }

  async clear(): Promise<void> {
    await this.#transaction('reset the database', async (tx) => {
      await tx.batch(['memories', 'history', 'pending', 'embeddings', 'meta'].map((table) => `DELETE FROM ${table}`));
    });
  }

  async history(memoryId: string): Promise<HistoryRecord[]> {
    return this.#transaction(
      'read history',
      async (tx) => {
        const { rows } = await tx.execute({ sql: 'SELECT * FROM history WHERE memory_id = ?', args: [memoryId] });
        const stored = rows.map(historyFrom);
        if (!stored.some((row) => row.event === 'ADD')) {
          // The ADD row is written only when a memory first changes: until then the memory itself is its history.
          const memory = await tx.execute({ sql: 'SELECT record FROM memories WHERE id = ?', args: [memoryId] });
          if (memory.rows[0]) stored.push(addHistory(recordOf(memory.rows[0])));
        }
        return stored.sort(byTime);
      },
      'read',
    );
  }

  async count(): Promise<StoreCounts> {
    const [row] = await this.#read(
      'count',
      `SELECT (SELECT count(*) FROM memories) AS memories, (SELECT count(*) FROM history) AS history,
        (SELECT count(*) FROM pending) AS pending`,
    );
    const memories = Number(row!['memories']);
    return { memories, segments: memories, history: Number(row!['history']), pending: Number(row!['pending']) };
  }

  async getMeta(): Promise<ModelMeta | undefined> {
    const [row] = await this.#read('read the model record', "SELECT value FROM meta WHERE key = 'model'");
    return row && (JSON.parse(row['value'] as string) as ModelMeta);
  }

  async putMeta(meta: ModelMeta): Promise<void> {
    await this.#transaction('write the model record', async (tx) => {
      await tx.execute({
        sql: "INSERT OR REPLACE INTO meta (key, value) VALUES ('model', ?)",
        args: [JSON.stringify(meta)],
      });
    });
  }

  async cacheKeys(): Promise<string[]> {
    const rows = await this.#read('list the embedding cache', 'SELECT key FROM embeddings');
    return rows.map((row) => row['key'] as string);
  }

  async cacheGetMany(keys: readonly string[]): Promise<(Float32Array | undefined)[]> {
    const found = new Map<string, Float32Array>();
    await this.#transaction(
      'read the embedding cache',
      async (tx) => {
        for (const part of chunks(keys)) {
          const { rows } = await tx.execute({
            sql: `SELECT key, vector FROM embeddings WHERE key IN (${marks(part.length)})`,
            args: part,
          });
          for (const row of rows) found.set(row['key'] as string, decodeFloats(row['vector'] as ArrayBuffer));
        }
      },
      'read',
    );
    return keys.map((key) => found.get(key));
  }

  async cacheEvict(range: CacheKeyRange): Promise<void> {
    const { where, args } = sqlKeyRange(range);
    await this.#transaction('evict from the embedding cache', async (tx) => {
      await tx.execute({ sql: `DELETE FROM embeddings${where}`, args });
    });
  }

  /** One statement outside an explicit transaction (SQLite wraps it in its own). */
  #read(what: string, sql: string, args: InValue[] = []): Promise<Row[]> {
    return this.#serial(what, async () => (await this.#client.execute({ sql, args })).rows);
  }

  /** `body` in one transaction: committed when it returns, rolled back when it throws. */
  #transaction<T>(what: string, body: (tx: Transaction) => Promise<T>, mode: 'write' | 'read' = 'write'): Promise<T> {
    return this.#serial(what, async () => {
      const tx = await this.#client.transaction(mode);
      try {
        const result = await body(tx);
        await tx.commit();
        return result;
      } finally {
        tx.close();
      }
    });
  }

  /** Runs `call` after every call before it: the one connection is never asked for twice. */
  #serial<T>(what: string, call: () => Promise<T>): Promise<T> {
    // Checked when the call is made: one queued before close() still runs (close() waits for it).
    if (this.#closed)
      return Promise.reject(
        new StorageError(`libSQL could not ${what}: the database file \`${this.#path}\` is closed`),
      );
    const run = this.#tail.then(async () => {
      try {
        return await call();
      } catch (error) {
        throw wrap(this.#path, what, error);
      }
    });
    this.#tail = run.catch(() => undefined);
    return run;
  }
}

/** A StorageError naming what failed; SQLITE_BUSY means another process holds the file's lock. */
function wrap(path: string, what: string, error: unknown): Error {
  if (error instanceof AgentMemError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
    return new StorageError(
      `The database file \`${path}\` is in use by another process or another open Memory (one at a time may open it): could not ${what}`,
      { cause: error },
    );
  }
  return new StorageError(`libSQL could not ${what} in \`${path}\`: ${errorDetail(error)}`, { cause: error });
}
