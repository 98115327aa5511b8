import { openDB, unwrap, type IDBPDatabase } from 'idb';
import type { CacheKeyRange } from '../key-range.js';
import { AgentMemError, StorageError, errorDetail } from '../errors.js';
import { deleteKeyRange } from '../key-range.js';
import type { HistoryRecord, MemoryRecord, ModelMeta, PendingBatch, SegmentRecord } from './records.js';
import { addHistory, byTime, notFound } from './store.js';
import type { DeleteRow, Replacement, ScopeField, ScopeMatch, Store, StoreCounts, StoredRow } from './store.js';
import type { WriteResult, WriteSet } from './store.js';
import type { DeletedHistory, DeletedRestoreResult, DeletedScanRequest, OnConflict } from './store.js';
import type { RestoreResult, RestoreRow, ScanRequest, ScanRow } from './store.js';
import { restoreDeletedRows, restoreRows, scanDeletedPage } from './idb-backup.js';
import { scanPage } from './idb-scan.js';
import {
  commitGroups,
  describeWrite,
  dropFrom,
  entry,
  inIdOrder,
  logAdds,
  mergeSmall,
  withVectors,
  type Tx,
} from './idb-tx.js';
import { SCHEMA_VERSION, scopeIndex, upgrade, type MemoryDB, type StoreName } from './schema.js';
import { partsRange, readRows, withRow } from './vector-parts.js';
import { COMPACT_AT, SMALL_SEGMENT, pickSmall, withMemory, type VectorEncoding } from './segments.js';

/**
 * The {@link Store} of a browser: all IndexedDB access of a memory database, one method per transaction. Memories and vectors live in segments
 * (see records.ts); every failure of the platform (QuotaExceededError, a closed connection, an aborted
 * transaction) comes out as a StorageError whose `cause` is the DOMException; our own errors (NotFoundError) pass
 * through unchanged.
 */
export class MemoryStore implements Store {
  readonly #db: IDBPDatabase<MemoryDB>;
  readonly #encoding: VectorEncoding;
  /**
   * Small segments waiting for {@link compactSmall}, oldest first, with their memory counts: those this store
   * committed, and those a scope load found (left by earlier sessions or other tabs).
   */
  #small = new Map<string, number>();
  #closed = false;

  private constructor(db: IDBPDatabase<MemoryDB>, encoding: VectorEncoding) {
    this.#db = db;
    this.#encoding = encoding;
  }

  /** `encoding`: how new segments hold vectors (an existing segment keeps its own when a vector changes). */
  static async open(name: string, encoding: VectorEncoding = 'fp32'): Promise<MemoryStore> {
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
    store = new MemoryStore(db, encoding);
    return store;
  }

  /** False once the connection was closed, by us or by the browser. */
  get isOpen(): boolean {
    return !this.#closed;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#db.close();
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
   * One transaction for everything a tick has to write, all or nothing: new pending batches, the commits of
   * embedded add groups (their memories and vectors go into new segments, their pending batches are deleted) and
   * embedding-cache entries. Each transaction costs the browser a fixed amount of work whatever it holds, so one
   * instead of three leaves more CPU to the model. A batch whose pending record is gone is skipped: a segment is
   * appended, never merged, so writing it again would store the memories twice.
   */
  async write(set: WriteSet): Promise<WriteResult> {
    const pendingBatches = set.pending ?? [];
    const groups = set.groups ?? [];
    const cache = set.cache ?? [];
    const stores: StoreName[] = [];
    if (pendingBatches.length > 0 || groups.length > 0) stores.push('pending');
    if (groups.length > 0) stores.push('segments', 'segmentVectors');
    if (cache.length > 0) stores.push('embeddings');
    if (stores.length === 0) return { batches: [], segments: [] };
    return this.#run(
      describeWrite(pendingBatches.length, groups.length, cache.length),
      stores,
      'readwrite',
      async (tx) => {
        // Raw requests: a failed one aborts the transaction and `tx.done` reports it.
        if (cache.length > 0) {
          const embeddings = unwrap(tx.objectStore('embeddings'));
          for (const [key, vector] of cache) embeddings.put(vector, key);
        }
        if (pendingBatches.length > 0) {
          const pending = unwrap(tx.objectStore('pending'));
          for (const batch of pendingBatches) pending.put(batch);
        }
        const { todo, written } =
          groups.length > 0 ? await commitGroups(tx, groups, this.#encoding) : { todo: [], written: [] };
        await tx.done;
        for (const segment of written) this.#noteSmall(segment.record);
        return { batches: todo.map((g) => g.batchId), segments: written.map((s) => s.record.id) };
      },
    );
  }

  /** True when enough small segments wait to be merged ({@link compactSmall}). */
  get compactionDue(): boolean {
    // Each small segment holds fewer than SMALL_SEGMENT memories, so COMPACT_AT of them always fit in one merge.
    return this.#small.size >= COMPACT_AT;
  }

  /**
   * Merges waiting small segments, oldest first and at most {@link SEGMENT_MAX} memories' worth, into one new
   * segment, in one transaction: the memories, their vectors and ids do not change, only how many records hold them.
   * Each is read as it is now, so an update or a delete made meanwhile (in any tab) is kept; one deleted or merged
   * since (another tab may merge the same ones) is skipped. Returns the new segment's id, or undefined when fewer
   * than two were left to merge.
   */
  async compactSmall(): Promise<string | undefined> {
    const ids = pickSmall(this.#small);
    for (const id of ids) this.#small.delete(id);
    if (ids.length < 2) return undefined;
    return this.#run('merge small segments', ['segments', 'segmentVectors'], 'readwrite', (tx) =>
      mergeSmall(tx, ids, this.#encoding),
    );
  }

  /** The memories and vectors of the segments `ids` as they are now (a segment deleted since is skipped). */
  async readSegments(ids: readonly string[]): Promise<StoredRow[]> {
    return this.#run('read segments', ['segments', 'segmentVectors'], 'readonly', async (tx) => {
      const [segments, vectors] = await Promise.all([
        Promise.all(ids.map((id) => tx.objectStore('segments').get(id))),
        Promise.all(ids.map((id) => readRows(tx.objectStore('segmentVectors'), id))),
      ]);
      return withVectors(segments, vectors, () => true);
    });
  }

  async scan(request: ScanRequest): Promise<ScanRow[]> {
    const stores: StoreName[] = ['segments', 'history', ...(request.vectors ? (['segmentVectors'] as const) : [])];
    return this.#run('read a page of memories', stores, 'readonly', (tx) => scanPage(tx, request));
  }

  async restore(rows: readonly RestoreRow[], onConflict: OnConflict): Promise<RestoreResult> {
    const stores: StoreName[] = ['segments', 'segmentVectors', 'history'];
    const { records, ...result } = await this.#run('restore memories', stores, 'readwrite', (tx) =>
      restoreRows(tx, rows, onConflict, this.#encoding),
    );
    for (const record of records) this.#noteSmall(record);
    return result;
  }

  async scanDeleted(request: DeletedScanRequest): Promise<DeletedHistory[]> {
    return this.#run('read deleted memories', ['history', 'segments'], 'readonly', (tx) =>
      scanDeletedPage(tx, request),
    );
  }

  async restoreDeleted(entries: readonly DeletedHistory[], onConflict: OnConflict): Promise<DeletedRestoreResult> {
    return this.#run('restore deleted memories', ['history', 'segments'], 'readwrite', (tx) =>
      restoreDeletedRows(tx, entries, onConflict),
    );
  }

  async get(id: string): Promise<MemoryRecord | undefined> {
    return this.#run('read a memory', ['segments'], 'readonly', async (tx) => {
      const segment = await tx.objectStore('segments').index('ids').get(id);
      return segment && entry(segment, id).memory;
    });
  }

  /** Every memory with `field === value`, oldest first (UUIDv7 ids sort by time). Reads no vector bytes. */
  async list(field: ScopeField, value: string): Promise<MemoryRecord[]> {
    return this.#run('list memories', ['segments'], 'readonly', async (tx) => {
      const segments = await tx.objectStore('segments').index(scopeIndex[field]).getAll(value);
      const out = segments.flatMap((s) => s.memories.filter((m) => m[field] === value));
      return inIdOrder(out, (m) => m.id);
    });
  }

  /** A scope's memories with their vectors (views into the segments' arrays), read in one transaction, oldest first. */
  async loadScope(field: ScopeField, value: string): Promise<StoredRow[]> {
    return this.#run('load a scope', ['segments', 'segmentVectors'], 'readonly', async (tx) => {
      // A request per segment, not one getAll: each result is decoded in its own task (a scope of 100k memories
      // read by one getAll was one long task).
      const ids = await tx.objectStore('segments').index(scopeIndex[field]).getAllKeys(value);
      const records = tx.objectStore('segments');
      const store = tx.objectStore('segmentVectors');
      const [segments, vectors] = await Promise.all([
        Promise.all(ids.map((id) => records.get(id))),
        Promise.all(ids.map((id) => readRows(store, id))),
      ]);
      for (const segment of segments) if (segment) this.#noteSmall(segment);
      return inIdOrder(
        withVectors(segments, vectors, (m) => m[field] === value),
        (row) => row.memory.id,
      );
    });
  }

  /**
   * Replaces a memory in one transaction (read, then write its segment), with its UPDATE history row (and the ADD
   * row first, when this is the memory's first change). NotFoundError when it does not exist.
   */
  async replace(
    id: string,
    build: (previous: MemoryRecord) => Replacement,
  ): Promise<{ previous: MemoryRecord; next: Replacement }> {
    return this.#run('update a memory', ['segments', 'segmentVectors', 'history'], 'readwrite', async (tx) => {
      const segment = await tx.objectStore('segments').index('ids').get(id);
      if (!segment) throw notFound(id);
      const { memory: previous, index } = entry(segment, id);
      const next = build(previous);
      const vectorStore = tx.objectStore('segmentVectors');
      const parts = next.vector ? await vectorStore.getAll(partsRange(segment.id)) : [];
      await logAdds(tx, [previous]);
      const writes: Promise<unknown>[] = [
        tx.objectStore('segments').put(withMemory(segment, index, next.memory)),
        tx.objectStore('history').put(next.history),
      ];
      const part = next.vector && withRow(parts, index, next.vector);
      if (part) writes.push(vectorStore.put(part));
      await Promise.all([...writes, tx.done]);
      return { previous, next };
    });
  }

  /** Deletes a memory and its vector, writes its DELETE history row; NotFoundError when it does not exist. */
  async remove(id: string, history: DeleteRow): Promise<MemoryRecord> {
    return this.#run('delete a memory', ['segments', 'segmentVectors', 'history'], 'readwrite', async (tx) => {
      const segment = await tx.objectStore('segments').index('ids').get(id);
      if (!segment) throw notFound(id);
      const [removed] = await dropFrom(tx, [segment], (m) => m.id === id, history);
      return removed!;
    });
  }

  /** Deletes every memory with `field === value` that `accept` keeps, in one transaction. Returns their ids. */
  async removeWhere({ field, value, accept }: ScopeMatch, history: DeleteRow): Promise<string[]> {
    return this.#run('delete memories', ['segments', 'segmentVectors', 'history'], 'readwrite', async (tx) => {
      const segments = await tx.objectStore('segments').index(scopeIndex[field]).getAll(value);
      const removed = await dropFrom(tx, segments, (m) => m[field] === value && accept(m), history);
      return removed.map((m) => m.id);
    });
  }

  /** Empties every store (segments, history, pending adds, embedding cache, model record). */
  async clear(): Promise<void> {
    const names = ['segments', 'segmentVectors', 'history', 'pending', 'embeddings', 'meta'] as const;
    await this.#run('reset the database', [...names], 'readwrite', async (tx) => {
      await Promise.all([...names.map((n) => tx.objectStore(n).clear()), tx.done]);
    });
  }

  /** A memory's history, oldest first; the ADD row comes from its segment entry when it never changed. */
  async history(memoryId: string): Promise<HistoryRecord[]> {
    const rows = await this.#run('read history', ['history', 'segments'], 'readonly', async (tx) => {
      const stored = await tx.objectStore('history').index('memoryId').getAll(memoryId);
      if (stored.some((row) => row.event === 'ADD')) return stored;
      const segment = await tx.objectStore('segments').index('ids').get(memoryId);
      return segment ? [addHistory(entry(segment, memoryId).memory), ...stored] : stored;
    });
    return rows.sort(byTime);
  }

  /** Memories (index entries, no record read), segments, stored history rows and pending batches. */
  async count(): Promise<StoreCounts> {
    return this.#run('count', ['segments', 'history', 'pending'], 'readonly', async (tx) => {
      const [memories, segments, history, pending] = await Promise.all([
        tx.objectStore('segments').index('ids').count(),
        tx.objectStore('segments').count(),
        tx.objectStore('history').count(),
        tx.objectStore('pending').count(),
      ]);
      return { memories, segments, history, pending };
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

  async cacheKeys(): Promise<string[]> {
    return this.#run('list the embedding cache', ['embeddings'], 'readonly', (tx) =>
      tx.objectStore('embeddings').getAllKeys(),
    );
  }

  async cacheGetMany(keys: readonly string[]): Promise<(Float32Array | undefined)[]> {
    return this.#run('read the embedding cache', ['embeddings'], 'readonly', (tx) => {
      const store = tx.objectStore('embeddings');
      return Promise.all(keys.map((key) => store.get(key)));
    });
  }

  async cacheEvict(range: CacheKeyRange): Promise<void> {
    await this.#run('evict from the embedding cache', ['embeddings'], 'readwrite', async (tx) => {
      await Promise.all([deleteKeyRange(tx.objectStore('embeddings'), range), tx.done]);
    });
  }

  #noteSmall(segment: SegmentRecord): void {
    if (segment.ids.length < SMALL_SEGMENT && !this.#small.has(segment.id))
      this.#small.set(segment.id, segment.ids.length);
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
  return new StorageError(`IndexedDB could not ${what}: ${errorDetail(error)}`, { cause: error });
}
