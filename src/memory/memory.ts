import { vectorEncoding } from '../search/quantize.js';
import { inScope, type SearchIndex } from '../search/search-index.js';
import { Compactor } from '../store/compactor.js';
import type { MemoryRecord } from '../store/records.js';
import type { RestoreResult, RestoreRow, Store } from '../store/store.js';
import * as input from './input.js';
import { exportRequest, importRequest, splitImportOptions, type ImportRequest } from './backup-options.js';
import type { CreateImportOptions, ExportOptions, ImportOptions, ImportResult } from './backup-types.js';
import { exportLines } from './export.js';
import { importLines } from './import.js';
import { Ingest } from './ingest.js';
import { Lifecycle } from './lifecycle.js';
import { memoryStats } from './memory-stats.js';
import type { ImportSource } from './lines.js';
import { closeParts, openParts, shutDownParts, type MemoryOptions, type Parts } from './open.js';
import type { Sync } from './platform.js';
import { ExpiryPurge, removeAll, removeInScope, removeOne, type RemovalConfig } from './purge.js';
import { listMemories, memoryIndex, searchMemories, type ReadConfig } from './reads.js';
import { addManyRequest, addRequest, getAllRequest, searchRequest, updateRequest } from './requests.js';
import { historyEntries, toItem } from './rows.js';
import { SyncApply, indexCommitted, indexRestored } from './sync.js';
import { embedderView, type MemoryEmbedder, type TextEmbedder } from './text-embedder.js';
import { updateMemory } from './update.js';
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
  readonly #life = new Lifecycle();
  readonly #parts: Parts;
  readonly #store: Store;
  readonly #embedder: TextEmbedder;
  readonly #embedderView: MemoryEmbedder;
  readonly #index: SearchIndex<MemoryRecord>;
  readonly #sync: Sync | undefined;
  readonly #ingest: Ingest;
  readonly #compactor: Compactor;
  /** What a write here keeps in step: the store, this tab's index and the other tabs. */
  readonly #writes: RemovalConfig;
  readonly #reads: ReadConfig;
  #historyDropped = 0;

  private constructor(parts: Parts) {
    const { dbName, store, embedder, platform } = parts;
    this.#parts = parts;
    this.#store = store;
    this.#embedder = embedder;
    this.#embedderView = embedderView(embedder, (method, call) => {
      this.#life.assertOpen(method);
      return this.#life.track(call());
    });
    // A scope's load notes its small segments, including those earlier sessions or other tabs left.
    this.#index = memoryIndex(store, embedder, parts.quantize, () => this.#compactor.start());
    const syncApply = new SyncApply({ store, index: this.#index, closed: () => this.#life.state === 'closed' });
    this.#sync = platform.syncChannel?.(dbName, (message) => syncApply.receive(message));
    this.#compactor = new Compactor({ store, onMerged: (id) => this.#sync?.post({ type: 'segments', ids: [id] }) });
    this.#ingest = new Ingest({
      store,
      writer: parts.writer,
      embedder,
      onCommitted: (rows, segments) => {
        indexCommitted(this.#writes, rows, segments);
        this.#compactor.start();
      },
    });
    this.#writes = {
      store,
      index: this.#index,
      sync: this.#sync,
      onHistoryDropped: (count: number) => (this.#historyDropped += count),
    };
    const purge = parts.purgeExpired
      ? new ExpiryPurge({
          ...this.#writes,
          open: () => this.#life.state === 'ready',
          track: (p) => this.#life.track(p),
        })
      : undefined;
    this.#reads = { store, index: this.#index, embedder, purge };
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
      memory.#life.ready();
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
    return this.#life.state;
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
  add(text: string | readonly Message[], options: AddOptions): Promise<{ results: AddResult[] }> {
    // Not async: a waiting add holds one promise (Ingest's), not a suspended function around it.
    try {
      this.#life.assertOpen('add');
      return this.#ingest.add(addRequest(text, options));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Adds several memories at once (each with its own scope); one result per item, in order. */
  addMany(items: readonly AddManyItem[]): Promise<{ results: AddResult[] }> {
    try {
      this.#life.assertOpen('addMany');
      return this.#ingest.add(addManyRequest(items));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * The memories of a scope closest in meaning to `query`, best first. Takes today's options and Mem0 v3's
   * (`{ filters: { user_id }, topK }`) alike.
   */
  async search(query: string, options: SearchOptions): Promise<{ results: SearchResult[] }> {
    this.#life.assertOpen('search');
    return this.#life.track(searchMemories(this.#reads, searchRequest(query, options)));
  }

  /** One memory, or null when there is none with this id. */
  async get(id: string): Promise<MemoryItem | null> {
    this.#life.assertOpen('get');
    const key = input.id(id);
    const record = await this.#life.track(this.#store.get(key));
    return record ? toItem(record) : null;
  }

  /** The memories of a scope (oldest first) that pass `filters`, at most `limit` (or Mem0 v3's `topK`). */
  async getAll(options: GetAllOptions): Promise<{ results: MemoryItem[] }> {
    this.#life.assertOpen('getAll');
    return this.#life.track(listMemories(this.#reads, getAllRequest(options)));
  }

  /**
   * Changes a memory's text (it is embedded again), merges metadata into its own (`replace: true`: replaces it) and
   * sets or clears (`null`) its expiration date. NotFoundError for an unknown id.
   */
  async update(id: string, change: string | UpdatePatch): Promise<MemoryItem> {
    this.#life.assertOpen('update');
    const key = input.id(id);
    const request = updateRequest(change);
    const config = { ...this.#writes, embed: (texts: readonly string[]) => this.#ingest.embed(texts) };
    return this.#life.track(updateMemory(config, key, request));
  }

  /** Deletes a memory (its history stays, ending with a DELETE row). NotFoundError for an unknown id. */
  async delete(id: string): Promise<void> {
    this.#life.assertOpen('delete');
    const key = input.id(id);
    await this.#life.track(removeOne(this.#writes, key, new Date().toISOString()));
  }

  /** Deletes every memory of a scope (a scope is required: use reset() to delete everything). */
  async deleteAll(options: MemoryScope): Promise<{ deleted: number }> {
    this.#life.assertOpen('deleteAll');
    const scope = input.scope('options', input.options('options', options, input.keys.scope), true);
    const now = new Date().toISOString();
    const ids = await this.#life.track(removeInScope(this.#writes, scope, (record) => inScope(record, scope), now));
    return { deleted: ids.length };
  }

  /** Deletes everything in the database: memories, vectors, history, pending adds and the embedding cache. */
  async reset(): Promise<void> {
    this.#life.assertOpen('reset');
    const { modelId, dimensions } = this.#embedder;
    await this.#life.track(removeAll(this.#writes, { modelId, dimensions }));
  }

  /** A memory's history, oldest first ([] for an id that never existed). */
  async history(id: string): Promise<HistoryEntry[]> {
    this.#life.assertOpen('history');
    const key = input.id(id);
    return historyEntries(await this.#life.track(this.#store.history(key)));
  }

  /**
   * The database (or one scope of it) as JSON lines: a header (format, version, model id, dimensions, vector
   * encoding, count), then one line per memory with its history and stored vector. Read a page at a time.
   *
   * @example
   * const blob = new Blob(await Array.fromAsync(memory.export()), { type: 'application/x-ndjson' });
   */
  export(options?: ExportOptions): AsyncIterableIterator<string> {
    this.#life.assertOpen('export');
    return exportLines(this.#backupConfig('export'), exportRequest(options));
  }

  /**
   * Restores an export (a string, Blob, stream or iterable of its chunks) in batches, one transaction each. Stored
   * vectors are kept when the export's model, dimensions and encoding fit this Memory; otherwise texts are embedded
   * again. A bad line is a ValidationError naming it, after the lines before it were written.
   */
  async import(source: ImportSource, options?: ImportOptions): Promise<ImportResult> {
    this.#life.assertOpen('import');
    return this.#import(source, importRequest(options));
  }

  #import(source: ImportSource, request: ImportRequest): Promise<ImportResult> {
    const config = {
      ...this.#backupConfig('import'),
      formerModelIds: this.#embedder.formerModelIds,
      embed: (texts: readonly string[]) => this.#ingest.embed(texts),
      onRestored: (rows: readonly RestoreRow[], result: RestoreResult) => {
        indexRestored(this.#writes, rows, result);
        this.#compactor.start();
      },
    };
    return this.#life.track(importLines(config, source, request));
  }

  #backupConfig(method: string) {
    return {
      store: this.#store,
      modelId: this.#embedder.modelId,
      dimensions: this.#embedder.dimensions,
      encoding: vectorEncoding(this.#parts.quantize),
      assertOpen: () => this.#life.assertOpen(method),
    };
  }

  stats(): MemoryStats {
    return memoryStats({
      state: this.#life.state,
      parts: this.#parts,
      ingest: this.#ingest.stats(),
      compactions: this.#compactor.merged,
      historyDropped: this.#historyDropped,
      index: this.#index.stats(),
    });
  }

  /** Waits for the calls in flight, then releases the embedder (when Memory built it) and the database. */
  close(): Promise<void> {
    return this.#life.close(async () => {
      const compacted = this.#compactor.stop();
      await this.#life.settled();
      await this.#ingest.settled();
      await this.#parts.writer.onIdle();
      await compacted;
      this.#sync?.close();
      await shutDownParts(this.#parts);
    });
  }
}
