import { ClosedError, NotFoundError } from '../errors.js';
import { SearchIndex, inScope, primaryField } from '../search/search-index.js';
import { Compactor } from '../store/compactor.js';
import { contentHash } from '../store/ids.js';
import type { MemoryRecord } from '../store/records.js';
import type { AddRow, RestoreResult, RestoreRow, Store } from '../store/store.js';
import * as input from './input.js';
import { exportRequest, importRequest, splitImportOptions, type ImportRequest } from './backup-options.js';
import type { CreateImportOptions, ExportOptions, ImportOptions, ImportResult } from './backup-types.js';
import { exportLines } from './export.js';
import { importLines } from './import.js';
import type { ImportSource } from './lines.js';
import { addManyRequest, addRequest, getAllRequest, searchRequest, updateRequest } from './requests.js';
import { visible } from './expiry.js';
import { Ingest } from './ingest.js';
import { ExpiryPurge, removeInScope, removeOne, type RemovalConfig } from './purge.js';
import { addResult, historyEntries, historyRecord, searchResult, toItem, updatedRecord } from './rows.js';
import type { StoreWriter } from './store-writer.js';
import { closeParts, openParts, type MemoryOptions, type Parts } from './open.js';
import type { Sync } from './platform.js';
import { SyncApply } from './sync.js';
import { embedderView, type MemoryEmbedder, type TextEmbedder } from './text-embedder.js';
import type {
  AddManyItem,
  AddOptions,
  AddResult,
  GetAllOptions,
  HistoryEntry,
  MemoryItem,
  MemoryScope,
  MemoryState,
  MemoryStats,
  Message,
  SearchOptions,
  SearchResult,
  UpdatePatch,
} from './types.js';

export type { MemoryEmbedder, MemoryOptions };

/**
 * Long-term memory for an agent: Mem0's API over an on-device embedder, IndexedDB and an exact vector search.
 *
 * @example
 * const memory = await Memory.create({ model: '/models/minilm-l6' });
 * await memory.add('I drink coffee every morning', { userId: 'alice' });
 * const { results } = await memory.search('coffee', { userId: 'alice' });
 */
export class Memory {
  #state: MemoryState = 'initializing';
  readonly #dbName: string;
  readonly #store: Store;
  readonly #embedder: TextEmbedder;
  readonly #ownsEmbedder: boolean;
  readonly #embedderView: MemoryEmbedder;
  readonly #quantize: 'none' | 'int8';
  readonly #index: SearchIndex<MemoryRecord>;
  /** Pending records, commits and (when this Memory built the engine) its cache entries: one transaction per tick. */
  readonly #writer: StoreWriter;
  readonly #sync: Sync | undefined;
  /** `MemoryOptions.purgeExpired`. */
  readonly #purgeExpired: boolean;
  readonly #inFlight = new Set<Promise<unknown>>();
  readonly #ingest: Ingest;
  readonly #compactor: Compactor;
  readonly #purge: ExpiryPurge;
  readonly #removal: RemovalConfig;
  #committed = 0;
  #historyDropped = 0;
  /** The shutdown close() started (every close() call returns it). */
  #closing: Promise<void> | undefined;

  private constructor(parts: Parts) {
    const { dbName, store, writer, embedder, ownsEmbedder, quantize, purgeExpired, platform } = parts;
    this.#purgeExpired = purgeExpired;
    this.#dbName = dbName;
    this.#store = store;
    this.#embedder = embedder;
    this.#ownsEmbedder = ownsEmbedder;
    this.#embedderView = embedderView(embedder, (method, call) => {
      this.#assertOpen(method);
      return this.#track(call());
    });
    this.#quantize = quantize;
    this.#index = new SearchIndex<MemoryRecord>({
      dimensions: embedder.dimensions,
      mode: quantize === 'int8' ? 'int8' : 'fp32',
      loader: async (field, value) => {
        const rows = await store.loadScope(field, value);
        // The load noted the scope's small segments, including those earlier sessions or other tabs left.
        this.#compactor.start();
        return rows.map(({ memory, vector }) => ({ record: memory, vector }));
      },
      fieldsOf: (record) => ({ text: record.text, before: record.context?.before, after: record.context?.after }),
    });
    this.#writer = writer;
    const syncApply = new SyncApply({ store, index: this.#index, closed: () => this.#state === 'closed' });
    this.#sync = platform.syncChannel?.(dbName, (message) => syncApply.receive(message));
    this.#compactor = new Compactor({ store, onMerged: (id) => this.#sync?.post({ type: 'segments', ids: [id] }) });
    this.#ingest = new Ingest({
      store,
      writer,
      embedder,
      onCommitted: (rows, segments) => this.#applyCommitted(rows, segments),
    });
    const removal = {
      store,
      index: this.#index,
      sync: this.#sync,
      onHistoryDropped: (count: number) => (this.#historyDropped += count),
    };
    this.#removal = removal;
    this.#purge = new ExpiryPurge({ ...removal, open: () => this.#state === 'ready', track: (p) => this.#track(p) });
  }

  /** Opens (or creates) the database, loads the model, and commits any add a closed tab left unfinished. */
  static async create(options: MemoryOptions): Promise<Memory> {
    const parts = await openParts(options);
    try {
      const memory = new Memory(parts);
      try {
        await memory.#ingest.replay();
      } catch (error) {
        memory.#sync?.close();
        throw error;
      }
      memory.#state = 'ready';
      return memory;
    } catch (error) {
      await closeParts(parts);
      throw error;
    }
  }

  /**
   * Creates a Memory (as {@link Memory.create}) and restores an export into it ({@link Memory#import}); on a
   * failure the Memory is closed and the error thrown.
   *
   * @example
   * const memory = await Memory.import(file, { model: '/models/minilm-l6', dbName: 'restored' });
   */
  static async import(source: ImportSource, options: MemoryOptions & CreateImportOptions): Promise<Memory> {
    const { create, request } = splitImportOptions(options);
    const memory = await Memory.create(create);
    try {
      await memory.#import(source, request);
    } catch (error) {
      await memory.close();
      throw error;
    }
    return memory;
  }

  get state(): MemoryState {
    return this.#state;
  }

  /**
   * This Memory's embedding engine, to embed texts without storing them: the same workers, batching and cache as
   * its adds and searches, so no second model is loaded. Its lifetime is the Memory's (there is no `close()` here).
   */
  get embedder(): MemoryEmbedder {
    return this.#embedderView;
  }

  /**
   * Stores a text, or each non-system message of a conversation, as memories (Mem0's `infer=False`). Resolves
   * after the memories, their vectors and history rows are committed to IndexedDB.
   */
  async add(text: string | readonly Message[], options: AddOptions): Promise<{ results: AddResult[] }> {
    this.#assertOpen('add');
    const pending = addRequest(text, options);
    if (pending.length > 0) await this.#track(this.#ingest.add(pending));
    return { results: pending.map(addResult) };
  }

  /** Adds several memories at once (each with its own scope); one result per item, in order. */
  async addMany(items: readonly AddManyItem[]): Promise<{ results: AddResult[] }> {
    this.#assertOpen('addMany');
    const pending = addManyRequest(items);
    if (pending.length > 0) await this.#track(this.#ingest.add(pending));
    return { results: pending.map(addResult) };
  }

  /**
   * The memories of a scope closest in meaning to `query`, best first. Takes today's options and Mem0 v3's
   * (`{ filters: { user_id }, topK }`) alike.
   */
  async search(query: string, options: SearchOptions): Promise<{ results: SearchResult[] }> {
    this.#assertOpen('search');
    const request = searchRequest(query, options);
    const { text, scope, filters, filter, limit, threshold, mode, keywordWeight, explain, showExpired } = request;
    if (limit === 0) return { results: [] };
    const expired = this.#purgeExpired ? new Set<string>() : undefined;
    const matches = filters === undefined ? undefined : (record: MemoryRecord) => filter(record.metadata);
    const accept = visible(matches, showExpired, expired);
    return this.#track(
      (async () => {
        // The query's embedding and the scope's first load from IndexedDB run side by side.
        const [vector] = await Promise.all([
          mode === 'keyword' ? undefined : this.#embedder.embed(text),
          this.#index.warm(scope),
        ]);
        const search = (accept: ((record: MemoryRecord) => boolean) | undefined) =>
          this.#index.search(scope, { mode, text, vector, k: limit, accept, threshold, keywordWeight });
        // Without a filter the expiry check runs after ranking: a per-record test would take the scan off its
        // unfiltered path, and when none of the top k has expired they are the top k of what is visible.
        let hits = await search(matches ? accept : undefined);
        if (!matches && accept && hits.some((hit) => !accept(hit.record))) hits = await search(accept);
        if (expired?.size) this.#purge.start(scope, expired);
        return { results: hits.map((hit) => searchResult(hit, explain)) };
      })(),
    );
  }

  /** One memory, or null when there is none with this id. */
  async get(id: string): Promise<MemoryItem | null> {
    this.#assertOpen('get');
    const key = input.id(id);
    const record = await this.#track(this.#store.get(key));
    return record ? toItem(record) : null;
  }

  /** The memories of a scope (oldest first) that pass `filters`, at most `limit` (or Mem0 v3's `topK`). */
  async getAll(options: GetAllOptions): Promise<{ results: MemoryItem[] }> {
    this.#assertOpen('getAll');
    const { scope, filter, limit, showExpired } = getAllRequest(options);
    if (limit === 0) return { results: [] };
    const expired = this.#purgeExpired ? new Set<string>() : undefined;
    const accept = visible((record: MemoryRecord) => filter(record.metadata), showExpired, expired)!;
    const field = primaryField(scope)!;
    const records = await this.#track(this.#store.list(field, scope[field]!));
    const results: MemoryItem[] = [];
    for (const record of records) {
      if (results.length === limit) break;
      if (inScope(record, scope) && accept(record)) results.push(toItem(record));
    }
    if (expired?.size) this.#purge.start(scope, expired);
    return { results };
  }

  /**
   * Changes a memory's text (it is embedded again), merges metadata into its own (`replace: true`: replaces it) and
   * sets or clears (`null`) its expiration date. NotFoundError for an unknown id.
   */
  async update(id: string, change: string | UpdatePatch): Promise<MemoryItem> {
    this.#assertOpen('update');
    const key = input.id(id);
    const request = updateRequest(change);
    const { text } = request;
    return this.#track(
      (async () => {
        const current = await this.#store.get(key);
        if (!current) throw new NotFoundError(`Expected \`id\` to name an existing memory, got \`${key}\``);
        // With a new text, embed before the transaction (an IndexedDB transaction cannot wait for a worker).
        const vector = text === undefined ? undefined : (await this.#ingest.embed([text]))[0]!;
        const hash = text === undefined ? undefined : contentHash(text);
        const now = new Date().toISOString();
        const { next } = await this.#store.replace(key, (previous) => {
          const memory = updatedRecord(previous, request, hash, now);
          return {
            memory,
            vector,
            history: historyRecord(key, previous.text, memory.text, 'UPDATE', now),
          };
        });
        if (next.vector) this.#index.upsert(next.memory, next.vector);
        else this.#index.updateRecord(next.memory);
        this.#sync?.post({ type: 'upsert', entries: [{ memory: next.memory, vector: next.vector }] });
        return toItem(next.memory);
      })(),
    );
  }

  /** Deletes a memory (its history stays, ending with a DELETE row). NotFoundError for an unknown id. */
  async delete(id: string): Promise<void> {
    this.#assertOpen('delete');
    const key = input.id(id);
    await this.#track(removeOne(this.#removal, key, new Date().toISOString()));
  }

  /** Deletes every memory of a scope (a scope is required: use reset() to delete everything). */
  async deleteAll(options: MemoryScope): Promise<{ deleted: number }> {
    this.#assertOpen('deleteAll');
    const scope = input.scope('options', input.options('options', options, input.keys.scope), true);
    const now = new Date().toISOString();
    const ids = await this.#track(removeInScope(this.#removal, scope, (record) => inScope(record, scope), now));
    return { deleted: ids.length };
  }

  /** Deletes everything in the database: memories, vectors, history, pending adds and the embedding cache. */
  async reset(): Promise<void> {
    this.#assertOpen('reset');
    await this.#track(
      (async () => {
        await this.#store.clear();
        await this.#store.putMeta({ modelId: this.#embedder.modelId, dimensions: this.#embedder.dimensions });
      })(),
    );
    this.#index.clear();
    this.#sync?.post({ type: 'clear' });
  }

  /** A memory's history, oldest first ([] for an id that never existed). */
  async history(id: string): Promise<HistoryEntry[]> {
    this.#assertOpen('history');
    const key = input.id(id);
    return historyEntries(await this.#track(this.#store.history(key)));
  }

  /**
   * The database (or one scope of it) as JSON lines: a header (format, version, model id, dimensions, vector
   * encoding, count), then one line per memory with its history and stored vector. Read a page at a time.
   *
   * @example
   * const blob = new Blob(await Array.fromAsync(memory.export()), { type: 'application/x-ndjson' });
   */
  export(options?: ExportOptions): AsyncIterableIterator<string> {
    this.#assertOpen('export');
    return exportLines(this.#backupConfig('export'), exportRequest(options));
  }

  /**
   * Restores an export (a string, Blob, stream or iterable of its chunks) in batches, one transaction each. Stored
   * vectors are kept when the export's model, dimensions and encoding fit this Memory; otherwise texts are embedded
   * again. A bad line is a ValidationError naming it, after the lines before it were written.
   */
  async import(source: ImportSource, options?: ImportOptions): Promise<ImportResult> {
    this.#assertOpen('import');
    return this.#import(source, importRequest(options));
  }

  #import(source: ImportSource, request: ImportRequest): Promise<ImportResult> {
    const config = {
      ...this.#backupConfig('import'),
      embed: (texts: readonly string[]) => this.#ingest.embed(texts),
      onRestored: (rows: readonly RestoreRow[], result: RestoreResult) => this.#applyRestored(rows, result),
    };
    return this.#track(importLines(config, source, request));
  }

  #backupConfig(method: string) {
    return {
      store: this.#store,
      modelId: this.#embedder.modelId,
      dimensions: this.#embedder.dimensions,
      encoding: this.#quantize === 'int8' ? ('int8' as const) : ('fp32' as const),
      assertOpen: () => this.#assertOpen(method),
    };
  }

  stats(): MemoryStats {
    const writes = this.#writer.stats();
    const { inFlight, ...replay } = this.#ingest.stats();
    return {
      state: this.#state,
      dbName: this.#dbName,
      modelId: this.#embedder.modelId,
      dimensions: this.#embedder.dimensions,
      quantize: this.#quantize,
      inFlight,
      committed: this.#committed,
      commitGroups: writes.commitTransactions,
      largestGroup: writes.largestCommit,
      writeTransactions: writes.transactions,
      ...replay,
      compactions: this.#compactor.merged,
      historyDropped: this.#historyDropped,
      index: this.#index.stats(),
      embedder: this.#embedder.stats(),
    };
  }

  /** Waits for the calls in flight, then releases the embedder (when Memory built it) and the database. */
  close(): Promise<void> {
    // Every call waits for the same shutdown: a second close() must not resolve while the database is still open.
    this.#closing ??= this.#shutDown();
    return this.#closing;
  }

  async #shutDown(): Promise<void> {
    this.#state = 'closed';
    const compacted = this.#compactor.stop();
    await Promise.allSettled([...this.#inFlight]);
    await this.#writer.onIdle();
    await compacted;
    this.#sync?.close();
    try {
      // The engine's last cache entries go through the writer: it closes after them.
      if (this.#ownsEmbedder) await this.#embedder.close();
    } finally {
      await this.#writer.onIdle();
      this.#writer.close();
      await this.#store.close();
    }
  }

  #assertOpen(method: string): void {
    if (this.#state !== 'ready') {
      throw new ClosedError(
        `Expected an open Memory, but \`${method}()\` was called after \`close()\`; create a new one with Memory.create()`,
      );
    }
  }

  #track<T>(promise: Promise<T>): Promise<T> {
    this.#inFlight.add(promise);
    const done = () => this.#inFlight.delete(promise);
    promise.then(done, done);
    return promise;
  }

  #applyRestored(rows: readonly RestoreRow[], result: RestoreResult): void {
    for (const id of result.replaced) this.#index.remove(id);
    for (const row of rows) this.#index.upsert(row.memory, row.vector);
    if (result.replaced.length > 0) this.#sync?.post({ type: 'remove', ids: result.replaced });
    if (result.segments.length > 0) this.#sync?.post({ type: 'segments', ids: result.segments });
    this.#compactor.start();
  }

  #applyCommitted(rows: readonly AddRow[], segments: readonly string[]): void {
    if (rows.length === 0) return;
    this.#committed += rows.length;
    for (const row of rows) this.#index.upsert(row.memory, row.vector);
    if (segments.length > 0) this.#sync?.post({ type: 'segments', ids: segments });
    this.#compactor.start();
  }
}
