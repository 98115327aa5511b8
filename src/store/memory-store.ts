import { openDB, unwrap, type IDBPDatabase, type IDBPTransaction } from 'idb';
import { AgentMemError, NotFoundError, StorageError } from '../errors.js';
import type { HistoryRecord, MemoryRecord, ModelMeta, PendingBatch, VectorRecord } from './records.js';
import { SCHEMA_VERSION, upgrade, type MemoryDB, type StoreName } from './schema.js';

type Tx = IDBPTransaction<MemoryDB, StoreName[], 'readwrite'>;

export type ScopeField = 'userId' | 'agentId' | 'runId';

/** Everything one add commits: the memory, its vector and its ADD history row. */
export interface AddRow {
  readonly memory: MemoryRecord;
  readonly vector: VectorRecord;
  readonly history: HistoryRecord;
}

/** What a replacement writes: a new record, a new vector when the text changed, and the UPDATE history row. */
export interface Replacement {
  readonly memory: MemoryRecord;
  readonly vector?: VectorRecord | undefined;
  readonly history: HistoryRecord;
}

/**
 * All IndexedDB access of a memory database, one method per transaction. Every failure of the platform
 * (QuotaExceededError, a closed connection, an aborted transaction) comes out as a StorageError whose `cause`
 * is the DOMException; our own errors (NotFoundError) pass through unchanged.
 */
export class MemoryStore {
  readonly #db: IDBPDatabase<MemoryDB>;
  readonly #name: string;
  #closed = false;

  private constructor(db: IDBPDatabase<MemoryDB>, name: string) {
    this.#db = db;
    this.#name = name;
  }

  static async open(name: string): Promise<MemoryStore> {
    let store: MemoryStore | undefined;
    let db: IDBPDatabase<MemoryDB>;
    try {
      db = await openDB<MemoryDB>(name, SCHEMA_VERSION, {
        upgrade,
        // Another tab wants a newer schema (or to delete the database): step aside instead of blocking it forever.
        // Our later calls then fail as StorageError (InvalidStateError), which is what a closed connection is.
        blocking: () => store?.close(),
        terminated: () => {
          if (store) store.#closed = true;
        },
      });
    } catch (error) {
      throw wrap(`open database \`${name}\``, error);
    }
    store = new MemoryStore(db, name);
    return store;
  }

  get name(): string {
    return this.#name;
  }

  /** False once the connection was closed, by us or by the browser. */
  get open(): boolean {
    return !this.#closed;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#db.close();
  }

  async putPending(batches: readonly PendingBatch[]): Promise<void> {
    await this.#run('record pending adds', ['pending'], 'readwrite', async (tx) => {
      const store = unwrap(tx.objectStore('pending'));
      for (const batch of batches) store.put(batch);
      await tx.done;
    });
  }

  async deletePending(ids: readonly string[]): Promise<void> {
    await this.#run('delete pending adds', ['pending'], 'readwrite', async (tx) => {
      const store = tx.objectStore('pending');
      await Promise.all([...ids.map((id) => store.delete(id)), tx.done]);
    });
  }

  async allPending(): Promise<PendingBatch[]> {
    return this.#run('read pending adds', ['pending'], 'readonly', (tx) => tx.objectStore('pending').getAll());
  }

  /**
   * One transaction for the whole group: memories, vectors and history rows are written and their pending batches
   * deleted together, all or nothing. With `onlyIfPending` (crash replay) a batch whose pending record is gone was
   * committed meanwhile (by another tab) and is skipped. Returns the ids of the batches written.
   */
  async commitAdds(groups: readonly { readonly batchId: string; readonly rows: readonly AddRow[] }[], onlyIfPending = false): Promise<string[]> {
    return this.#run('commit memories', ['memories', 'vectors', 'history', 'pending'], 'readwrite', async (tx) => {
      const pending = tx.objectStore('pending');
      let todo = groups;
      if (onlyIfPending) {
        const present = await Promise.all(groups.map((g) => pending.getKey(g.batchId)));
        todo = groups.filter((_, i) => present[i] !== undefined);
      }
      // Raw requests, no promise per request: a failed one aborts the transaction and `tx.done` reports it. At
      // thousands of rows per group, idb's per-request wrapper (listeners + promise) costs more than the writes.
      const memories = unwrap(tx.objectStore('memories'));
      const vectors = unwrap(tx.objectStore('vectors'));
      const history = unwrap(tx.objectStore('history'));
      const rawPending = unwrap(pending);
      for (const group of todo) {
        for (const row of group.rows) {
          memories.put(row.memory);
          vectors.put(row.vector);
          history.put(row.history);
        }
        rawPending.delete(group.batchId);
      }
      await tx.done;
      return todo.map((g) => g.batchId);
    });
  }

  async get(id: string): Promise<MemoryRecord | undefined> {
    return this.#run('read a memory', ['memories'], 'readonly', (tx) => tx.objectStore('memories').get(id));
  }

  /** Every memory with `field === value`, oldest first (UUIDv7 keys sort by time). */
  async list(field: ScopeField, value: string): Promise<MemoryRecord[]> {
    return this.#run('list memories', ['memories'], 'readonly', (tx) => tx.objectStore('memories').index(field).getAll(value));
  }

  /** A scope's memories and vectors, read in one transaction so they agree, joined by id. */
  async loadScope(field: ScopeField, value: string): Promise<{ memory: MemoryRecord; vector: VectorRecord }[]> {
    return this.#run('load a scope', ['memories', 'vectors'], 'readonly', async (tx) => {
      const [memories, vectors] = await Promise.all([
        tx.objectStore('memories').index(field).getAll(value),
        tx.objectStore('vectors').index(field).getAll(value),
      ]);
      // Both indexes sort by (scope value, id): the lists line up unless something is inconsistent.
      const aligned = memories.length === vectors.length && memories.every((m, i) => vectors[i]!.id === m.id);
      if (aligned) return memories.map((memory, i) => ({ memory, vector: vectors[i]! }));
      const byId = new Map(vectors.map((v) => [v.id, v]));
      const out: { memory: MemoryRecord; vector: VectorRecord }[] = [];
      for (const memory of memories) {
        const vector = byId.get(memory.id);
        if (vector) out.push({ memory, vector });
      }
      return out;
    });
  }

  /** Replaces a memory in one transaction (read, then write); NotFoundError when it does not exist. */
  async replace(id: string, build: (previous: MemoryRecord) => Replacement): Promise<{ previous: MemoryRecord; next: Replacement }> {
    return this.#run('update a memory', ['memories', 'vectors', 'history'], 'readwrite', async (tx) => {
      const previous = await tx.objectStore('memories').get(id);
      if (!previous) throw new NotFoundError(`Expected \`id\` to name an existing memory, got \`${id}\``);
      const next = build(previous);
      const writes: Promise<unknown>[] = [tx.objectStore('memories').put(next.memory), tx.objectStore('history').put(next.history)];
      if (next.vector) writes.push(tx.objectStore('vectors').put(next.vector));
      await Promise.all([...writes, tx.done]);
      return { previous, next };
    });
  }

  /** Deletes a memory and its vector, writes its DELETE history row; NotFoundError when it does not exist. */
  async remove(id: string, history: (previous: MemoryRecord) => HistoryRecord): Promise<MemoryRecord> {
    return this.#run('delete a memory', ['memories', 'vectors', 'history'], 'readwrite', async (tx) => {
      const previous = await tx.objectStore('memories').get(id);
      if (!previous) throw new NotFoundError(`Expected \`id\` to name an existing memory, got \`${id}\``);
      await Promise.all([
        tx.objectStore('memories').delete(id),
        tx.objectStore('vectors').delete(id),
        tx.objectStore('history').put(history(previous)),
        tx.done,
      ]);
      return previous;
    });
  }

  /** Deletes every memory with `field === value` that `accept` keeps, in one transaction. Returns their ids. */
  async removeWhere(
    field: ScopeField,
    value: string,
    accept: (memory: MemoryRecord) => boolean,
    history: (previous: MemoryRecord) => HistoryRecord,
  ): Promise<string[]> {
    return this.#run('delete memories', ['memories', 'vectors', 'history'], 'readwrite', async (tx) => {
      const victims = (await tx.objectStore('memories').index(field).getAll(value)).filter(accept);
      const memories = unwrap(tx.objectStore('memories'));
      const vectors = unwrap(tx.objectStore('vectors'));
      const rows = unwrap(tx.objectStore('history'));
      for (const memory of victims) {
        memories.delete(memory.id);
        vectors.delete(memory.id);
        rows.put(history(memory));
      }
      await tx.done;
      return victims.map((m) => m.id);
    });
  }

  /** Empties every store (memories, vectors, history, pending adds, embedding cache, model record). */
  async clear(): Promise<void> {
    const names = ['memories', 'vectors', 'history', 'pending', 'embeddings', 'meta'] as const;
    await this.#run('reset the database', [...names], 'readwrite', async (tx) => {
      await Promise.all([...names.map((n) => tx.objectStore(n).clear()), tx.done]);
    });
  }

  /** A memory's history, oldest first. */
  async history(memoryId: string): Promise<HistoryRecord[]> {
    const rows = await this.#run('read history', ['history'], 'readonly', (tx) =>
      tx.objectStore('history').index('memoryId').getAll(memoryId),
    );
    return rows.sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : 1));
  }

  async count(): Promise<{ memories: number; vectors: number; history: number; pending: number }> {
    return this.#run('count', ['memories', 'vectors', 'history', 'pending'], 'readonly', async (tx) => {
      const [memories, vectors, history, pending] = await Promise.all([
        tx.objectStore('memories').count(),
        tx.objectStore('vectors').count(),
        tx.objectStore('history').count(),
        tx.objectStore('pending').count(),
      ]);
      return { memories, vectors, history, pending };
    });
  }

  async getMeta(): Promise<ModelMeta | undefined> {
    return this.#run('read the model record', ['meta'], 'readonly', (tx) => tx.objectStore('meta').get('model'));
  }

  async putMeta(meta: ModelMeta): Promise<void> {
    await this.#run('write the model record', ['meta'], 'readwrite', async (tx) => {
      await Promise.all([tx.objectStore('meta').put(meta, 'model'), tx.done]);
    });
  }

  async cacheGetMany(keys: readonly string[]): Promise<(Float32Array | undefined)[]> {
    return this.#run('read the embedding cache', ['embeddings'], 'readonly', (tx) => {
      const store = tx.objectStore('embeddings');
      return Promise.all(keys.map((key) => store.get(key)));
    });
  }

  async cachePutMany(entries: ReadonlyArray<readonly [string, Float32Array]>): Promise<void> {
    await this.#run('write the embedding cache', ['embeddings'], 'readwrite', async (tx) => {
      const store = unwrap(tx.objectStore('embeddings'));
      for (const [key, vector] of entries) store.put(vector, key);
      await tx.done;
    });
  }

  async #run<T>(
    what: string,
    stores: readonly StoreName[],
    mode: IDBTransactionMode,
    // Typed as read-write for every call: a read-only transaction that tried to write would fail at run time.
    body: (tx: Tx) => Promise<T>,
  ): Promise<T> {
    let tx: IDBTransaction | undefined;
    try {
      const t = this.#db.transaction([...stores], mode) as unknown as Tx;
      tx = t as unknown as IDBTransaction;
      return await body(t);
    } catch (error) {
      // After an abort every request fails with AbortError; the transaction's own error says why (QuotaExceededError...).
      let cause = error;
      try {
        cause = tx?.error ?? error;
      } catch {
        // `error` throws InvalidStateError while the transaction is still active.
      }
      throw wrap(what, cause);
    }
  }
}

function wrap(what: string, error: unknown): Error {
  if (error instanceof AgentMemError) return error;
  const detail = error instanceof Error ? (error.message ? `${error.name}: ${error.message}` : error.name) : String(error);
  return new StorageError(`IndexedDB could not ${what}: ${detail}`, { cause: error });
}
