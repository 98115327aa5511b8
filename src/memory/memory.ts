import { ClosedError, EmbeddingError, NotFoundError, StorageError } from '../errors.js';
import { describe, expected, nonEmptyString, oneOf } from '../validate.js';
import { compileFilter } from '../search/filter.js';
import { SearchIndex, inScope, primaryField } from '../search/search-index.js';
import { StoreEmbeddingCache } from '../store/embedding-cache.js';
import { contentHash, uuidv7 } from '../store/ids.js';
import type { MemoryRecord, PendingBatch, PendingRecord } from '../store/records.js';
import type { AddRow, Store } from '../store/store.js';
import { checkEmbedder, checkModel } from './checks.js';
import { createEmbedder, type EngineOptions } from './engine.js';
import * as input from './input.js';
import { isExpired, optionalExpirationDate, visible } from './expiry.js';
import { addResult, historyEntries, historyRecord, pendingRecord, searchResult, toItem } from './rows.js';
import { listScope } from './scope-filters.js';
import { StoreWriter } from './store-writer.js';
import { memoryPlatform, type MemoryPlatform, type Sync } from './platform.js';
import type { SyncMessage } from './sync.js';
import type { TextEmbedder } from './text-embedder.js';
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

export interface MemoryOptions extends Partial<EngineOptions> {
  /** URL of a transformers.js-layout model folder, e.g. `'/models/minilm-l6'`. Required unless `embedder` is given. */
  model?: string;
  /**
   * In a browser: the IndexedDB database name; tabs that open the same name share memories.
   * @default 'agentmem'
   */
  dbName?: string;
  /**
   * In Node, Bun and Deno: the database file (libSQL), created when missing; one process at a time opens it.
   * @default 'agentmem.db'
   */
  path?: string;
  /**
   * How the search index holds vectors in memory and on disk: `'int8'` is 4x smaller, recall@10 >= 0.99.
   * @default 'none'
   */
  quantize?: 'none' | 'int8';
  /** Use this embedder instead of building one from `model` (the caller keeps ownership: close() leaves it open). */
  embedder?: TextEmbedder;
  /**
   * Delete memories whose `expirationDate` has passed when a search() or getAll() meets them (in the background,
   * each with a DELETE history row). Off, they are only hidden, as Mem0 hides them.
   * @default false
   */
  purgeExpired?: boolean;
}

/** {@link Memory.embedder}: the engine's embedding calls, without `close()` (the Memory owns its lifetime). */
export type MemoryEmbedder = Readonly<Omit<TextEmbedder, 'close'>>;

/** What a Memory is built from, once its store is open and its embedder ready. */
interface Parts {
  readonly dbName: string;
  readonly store: Store;
  readonly writer: StoreWriter;
  readonly embedder: TextEmbedder;
  readonly ownsEmbedder: boolean;
  readonly quantize: 'none' | 'int8';
  readonly platform: MemoryPlatform;
}

/** Texts handed to the embedder per call from one add (it batches further across callers). */
const EMBED_CHUNK = 256;

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
  readonly #inFlight = new Set<Promise<unknown>>();
  #inFlightAdds = 0;
  /** Other tabs' messages, applied one after another (a segment read must not overtake a later delete). */
  #syncTail: Promise<void> = Promise.resolve();
  #committed = 0;
  #replayed = 0;
  #replayFailed = 0;
  #replayError: string | undefined;
  #compactions = 0;
  /** The shutdown close() started (every close() call returns it). */
  #closing: Promise<void> | undefined;
  /** The merge of small segments running now, if any (close() waits for it). */
  #compaction: Promise<void> | undefined;
  /** `MemoryOptions.purgeExpired`, set by create(). */
  #purgeExpired = false;
  /** The purge of expired memories running now, if any (one at a time; a later read finds what it left). */
  #purging: Promise<void> | undefined;

  private constructor(parts: Parts) {
    const { dbName, store, writer, embedder, ownsEmbedder, quantize, platform } = parts;
    this.#dbName = dbName;
    this.#store = store;
    this.#embedder = embedder;
    this.#ownsEmbedder = ownsEmbedder;
    this.#embedderView = Object.freeze({
      modelId: embedder.modelId,
      dimensions: embedder.dimensions,
      embed: (text: string, options?: { signal?: AbortSignal }) => {
        this.#assertOpen('embedder.embed');
        return this.#track(embedder.embed(text, options));
      },
      embedMany: (texts: readonly string[], options?: { signal?: AbortSignal }) => {
        this.#assertOpen('embedder.embedMany');
        return this.#track(embedder.embedMany(texts, options));
      },
      stats: () => embedder.stats(),
    });
    this.#quantize = quantize;
    this.#index = new SearchIndex<MemoryRecord>({
      dimensions: embedder.dimensions,
      mode: quantize === 'int8' ? 'int8' : 'fp32',
      loader: async (field, value) => {
        const rows = await store.loadScope(field, value);
        // The load noted the scope's small segments, including those earlier sessions or other tabs left.
        this.#startCompaction();
        return rows.map(({ memory, vector }) => ({ record: memory, vector }));
      },
      fieldsOf: (record) => ({ text: record.text, before: record.context?.before, after: record.context?.after }),
    });
    this.#writer = writer;
    writer.listen((rows, segments) => this.#applyCommitted(rows, segments));
    this.#sync = platform.syncChannel?.(dbName, (message) => this.#onSync(message));
  }

  /** Opens (or creates) the database, loads the model, and commits any add a closed tab left unfinished. */
  static async create(options: MemoryOptions): Promise<Memory> {
    const platform = memoryPlatform();
    const opts = input.options('options', options);
    if (options === undefined) throw expected('options', 'an options object with `model`', options);
    const quantize = opts.quantize === undefined ? 'none' : oneOf('quantize', opts.quantize, ['none', 'int8'] as const);
    const purgeExpired = input.flag('purgeExpired', opts.purgeExpired);
    const given = opts.embedder;
    if (given !== undefined) checkEmbedder(given);
    else nonEmptyString('model', opts.model);

    const { store, option, name } = await platform.openStore({
      dbName: opts.dbName,
      path: opts.path,
      encoding: quantize === 'int8' ? 'int8' : 'fp32',
    });
    const writer = new StoreWriter(store);
    let embedder: TextEmbedder | undefined;
    try {
      if (given) embedder = given;
      else {
        const { dbName: _d, path: _p, quantize: _q, embedder: _e, purgeExpired: _x, ...engine } = options;
        // The engine's persistent cache lives in this database (`cache: false` turns caching off altogether).
        embedder = await createEmbedder({
          ...(engine as EngineOptions),
          model: opts.model as string,
          persistentCache: new StoreEmbeddingCache(store, (entries) => writer.cache(entries)),
        });
      }
      await checkModel(store, option, name, embedder);
      const memory = new Memory({
        dbName: name,
        store,
        writer,
        embedder,
        ownsEmbedder: given === undefined,
        quantize,
        platform,
      });
      memory.#purgeExpired = purgeExpired;
      try {
        await memory.#replay();
      } catch (error) {
        memory.#sync?.close();
        throw error;
      }
      memory.#state = 'ready';
      return memory;
    } catch (error) {
      if (embedder && given === undefined) await embedder.close().catch(() => undefined);
      await writer.onIdle();
      writer.close();
      await store.close();
      throw error;
    }
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
    const opts = input.options('options', options, input.keys.add);
    const scope = input.scope('options', opts, true);
    const metadata = input.metadata('options.metadata', opts.metadata);
    const expirationDate = optionalExpirationDate('options.expirationDate', opts.expirationDate) ?? undefined;
    input.infer(opts.infer);
    const texts = input.addInput(text);
    const createdAt = new Date().toISOString();
    const pending = texts.map(({ text, role }, i) =>
      pendingRecord(text, {
        scope,
        metadata: role === undefined ? metadata : { ...metadata, role },
        createdAt,
        context: input.context(texts, i),
        expirationDate,
      }),
    );
    if (pending.length > 0) await this.#track(this.#ingest(pending));
    return { results: pending.map(addResult) };
  }

  /** Adds several memories at once (each with its own scope); one result per item, in order. */
  async addMany(items: readonly AddManyItem[]): Promise<{ results: AddResult[] }> {
    this.#assertOpen('addMany');
    if (!Array.isArray(items))
      throw expected('items', 'an array of { text, userId?, agentId?, runId?, metadata?, expirationDate? }', items);
    const createdAt = new Date().toISOString();
    // Every item is checked before anything is queued: one bad item rejects the call and writes nothing.
    const pending = items.map((item: unknown, i) => {
      const opts = input.options(`items[${i}]`, item, input.keys.addManyItem);
      const text = input.text(`items[${i}].text`, opts.text);
      const scope = input.scope(`items[${i}]`, opts, true);
      const metadata = input.metadata(`items[${i}].metadata`, opts.metadata);
      const expirationDate = optionalExpirationDate(`items[${i}].expirationDate`, opts.expirationDate) ?? undefined;
      return pendingRecord(text, { scope, metadata, createdAt, expirationDate });
    });
    if (pending.length > 0) await this.#track(this.#ingest(pending));
    return { results: pending.map(addResult) };
  }

  /**
   * The memories of a scope closest in meaning to `query`, best first. Takes today's options and Mem0 v3's
   * (`{ filters: { user_id }, topK }`) alike.
   */
  async search(query: string, options: SearchOptions): Promise<{ results: SearchResult[] }> {
    this.#assertOpen('search');
    const text = input.text('query', query);
    const opts = input.options('options', options, input.keys.search);
    const { scope, filters } = listScope(opts);
    const filter = compileFilter(filters, 'options.filters');
    const limit = input.limit(opts, 10);
    const threshold = input.threshold(opts.threshold);
    const mode = input.searchMode(opts.mode);
    const keywordWeight = input.keywordWeight(opts.keywordWeight);
    const explain = input.flag('options.explain', opts.explain);
    const showExpired = input.flag('options.showExpired', opts.showExpired);
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
        if (expired?.size) this.#purge(scope, expired);
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
    const opts = input.options('options', options, input.keys.getAll);
    const { scope, filters } = listScope(opts);
    const filter = compileFilter(filters, 'options.filters');
    const limit = input.limit(opts, 100);
    const showExpired = input.flag('options.showExpired', opts.showExpired);
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
    if (expired?.size) this.#purge(scope, expired);
    return { results };
  }

  /**
   * Changes a memory's text (it is embedded again), merges metadata into its own (`replace: true`: replaces it) and
   * sets or clears (`null`) its expiration date. NotFoundError for an unknown id.
   */
  async update(id: string, change: string | UpdatePatch): Promise<MemoryItem> {
    this.#assertOpen('update');
    const key = input.id(id);
    let text: string | undefined;
    let metadata: Record<string, unknown> | undefined;
    let replace = false;
    let expiration: string | null | undefined;
    if (typeof change === 'string') text = input.text('text', change);
    else {
      const patch = input.options('change', change, input.keys.update);
      if (patch.text !== undefined) text = input.text('change.text', patch.text);
      if (patch.metadata !== undefined) metadata = input.metadata('change.metadata', patch.metadata);
      replace = input.flag('change.replace', patch.replace);
      if (replace && metadata === undefined)
        throw expected('change.metadata', 'given with `replace: true` (it replaces the metadata)', patch.metadata);
      expiration = optionalExpirationDate('change.expirationDate', patch.expirationDate);
      if (text === undefined && metadata === undefined && expiration === undefined)
        throw expected('change', 'a string or { text?, metadata?, expirationDate? } with at least one of them', change);
    }
    return this.#track(
      (async () => {
        const current = await this.#store.get(key);
        if (!current) throw new NotFoundError(`Expected \`id\` to name an existing memory, got \`${key}\``);
        // With a new text, embed before the transaction (an IndexedDB transaction cannot wait for a worker).
        const vector = text === undefined ? undefined : (await this.#embed([text]))[0]!;
        const hash = text === undefined ? undefined : contentHash(text);
        const now = new Date().toISOString();
        const { next } = await this.#store.replace(key, (previous) => {
          const { expirationDate: _cleared, ...kept } = previous;
          const memory: MemoryRecord = {
            ...(expiration === undefined ? previous : kept),
            ...(text !== undefined && hash !== undefined ? { text, hash } : {}),
            ...(metadata !== undefined ? { metadata: replace ? metadata : { ...previous.metadata, ...metadata } } : {}),
            ...(typeof expiration === 'string' ? { expirationDate: expiration } : {}),
            updatedAt: now,
          };
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
    await this.#track(
      this.#store.remove(key, (previous) =>
        historyRecord(key, previous.text, null, 'DELETE', new Date().toISOString()),
      ),
    );
    this.#index.remove(key);
    this.#sync?.post({ type: 'remove', ids: [key] });
  }

  /** Deletes every memory of a scope (a scope is required: use reset() to delete everything). */
  async deleteAll(options: MemoryScope): Promise<{ deleted: number }> {
    this.#assertOpen('deleteAll');
    const scope = input.scope('options', input.options('options', options, input.keys.scope), true);
    const field = primaryField(scope)!;
    const now = new Date().toISOString();
    const ids = await this.#track(
      this.#store.removeWhere(
        field,
        scope[field]!,
        (record) => inScope(record, scope),
        (previous) => historyRecord(previous.id, previous.text, null, 'DELETE', now),
      ),
    );
    for (const id of ids) this.#index.remove(id);
    if (ids.length > 0) this.#sync?.post({ type: 'remove', ids });
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

  stats(): MemoryStats {
    const writes = this.#writer.stats();
    return {
      state: this.#state,
      dbName: this.#dbName,
      modelId: this.#embedder.modelId,
      dimensions: this.#embedder.dimensions,
      quantize: this.#quantize,
      inFlight: this.#inFlightAdds,
      committed: this.#committed,
      commitGroups: writes.commitTransactions,
      largestGroup: writes.largestCommit,
      writeTransactions: writes.transactions,
      replayed: this.#replayed,
      replayFailed: this.#replayFailed,
      ...(this.#replayError === undefined ? {} : { replayError: this.#replayError }),
      compactions: this.#compactions,
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
    await Promise.allSettled([...this.#inFlight]);
    await this.#writer.onIdle();
    await this.#compaction;
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

  /**
   * The pending record is written while the texts are embedded (side by side: an add is durable once that record
   * is, whenever its embedding finishes, and the write's latency no longer delays the engine), then one grouped
   * transaction commits the memories once both are done.
   */
  async #ingest(pending: PendingRecord[]): Promise<void> {
    this.#inFlightAdds += pending.length;
    const batch: PendingBatch = { id: uuidv7(), items: pending };
    const recorded = this.#writer.record(batch);
    const embedded = this.#rows(pending);
    embedded.catch(() => undefined); // awaited below, unless the pending write failed first
    try {
      await recorded;
      let failure: unknown;
      try {
        const rows = await embedded;
        if (await this.#writer.commit({ batchId: batch.id, rows })) return;
        // The pending batch was gone at the commit: another tab's replay committed it, or a reset() (here or in
        // another tab) cleared it. Then the caller must not hear "ADD".
        failure = new StorageError(
          `The add of \`${pending[0]!.id}\` was discarded before it was committed: its pending record was removed (reset(), in this tab or another)`,
        );
      } catch (error) {
        failure = error;
      }
      // Another tab may have replayed this add meanwhile (it finds in-flight adds pending): then it is stored.
      if (await this.#store.get(pending[0]!.id).catch(() => undefined)) return;
      // The caller is told this add failed, so it must not resurface as a memory on the next create().
      await this.#store.deletePending([batch.id]).catch(() => undefined);
      throw failure;
    } finally {
      this.#inFlightAdds -= pending.length;
    }
  }

  /** Embeds (in chunks, so a huge addMany does not hold one giant batch in the engine) and builds the rows. */
  async #rows(pending: readonly PendingRecord[]): Promise<AddRow[]> {
    const rows: AddRow[] = [];
    for (let start = 0; start < pending.length; start += EMBED_CHUNK) {
      const chunk = pending.slice(start, start + EMBED_CHUNK);
      const vectors = await this.#embed(chunk.map((p) => p.text));
      chunk.forEach((p, i) => rows.push(this.#addRow(p, vectors[i]!, contentHash(p.text))));
    }
    return rows;
  }

  async #embed(texts: readonly string[]): Promise<Float32Array[]> {
    const vectors =
      texts.length === 1 ? [await this.#embedder.embed(texts[0]!)] : await this.#embedder.embedMany(texts);
    const d = this.#embedder.dimensions;
    if (vectors.length !== texts.length || vectors.some((v) => !(v instanceof Float32Array) || v.length !== d)) {
      throw new EmbeddingError(
        `Expected ${texts.length} vectors of ${d} dimensions from the embedder, got ${describe(vectors.map((v) => v?.length))}`,
      );
    }
    return vectors;
  }

  #applyCommitted(rows: readonly AddRow[], segments: readonly string[]): void {
    if (rows.length === 0) return;
    this.#committed += rows.length;
    for (const row of rows) this.#index.upsert(row.memory, row.vector);
    if (segments.length > 0) this.#sync?.post({ type: 'segments', ids: segments });
    this.#startCompaction();
  }

  /**
   * Deletes the expired memories a search() or getAll() met, through the delete path (a DELETE history row each),
   * in the background: the read that found them has its answer already. Checked again inside the transaction, so
   * a memory whose date was cleared meanwhile stays.
   */
  #purge(scope: MemoryScope, ids: ReadonlySet<string>): void {
    if (this.#purging || this.#state !== 'ready') return;
    const field = primaryField(scope)!;
    const now = new Date().toISOString();
    const removal = this.#store.removeWhere(
      field,
      scope[field]!,
      (record) => ids.has(record.id) && isExpired(record.expirationDate, now),
      (previous) => historyRecord(previous.id, previous.text, null, 'DELETE', now),
    );
    this.#purging = this.#track(removal)
      .then((removed) => {
        for (const id of removed) this.#index.remove(id);
        if (removed.length > 0) this.#sync?.post({ type: 'remove', ids: removed });
      })
      .catch(() => undefined) // they stay hidden; a later read tries again
      .finally(() => (this.#purging = undefined));
  }

  #startCompaction(): void {
    if (this.#store.compactionDue && !this.#compaction && this.#state !== 'closed') this.#compaction = this.#compact();
  }

  /**
   * Merges small segments while enough wait (not awaited by the callers whose commit or scope load made it due; the
   * next commit's transaction queues behind it in IndexedDB). Other tabs are told each merged segment's id: one that
   * had not read a merged segment yet finds its memories there. A failure changes nothing stored (one transaction)
   * and only leaves the segments unmerged.
   */
  async #compact(): Promise<void> {
    try {
      while (this.#store.compactionDue && this.#state !== 'closed') {
        const id = await this.#store.compactSmall?.();
        if (id === undefined) break; // nothing merged (gone meanwhile): the next commit or scope load tries again
        this.#compactions++;
        this.#sync?.post({ type: 'segments', ids: [id] });
      }
    } catch {
      // An optimisation: the memories are all still there, in more records.
    } finally {
      this.#compaction = undefined;
    }
  }

  /**
   * Embeds and commits what a closed tab left in the pending store, under the ids it had chosen. A batch that fails
   * (its embedding, or a full disk) stays pending for the next create() and is counted in `stats().replayFailed`:
   * it must not lock the database out, where reset() or deleteAll() could free the space it needs.
   */
  async #replay(): Promise<void> {
    for (const batch of await this.#store.allPending()) {
      try {
        const rows = await this.#rows(batch.items);
        // Skipped when no longer pending: another tab may be replaying, or still finishing, the same adds.
        const { batches, segments } = await this.#store.write({ groups: [{ batchId: batch.id, rows }] });
        if (batches.length === 0) continue;
        this.#replayed += rows.length;
        this.#applyCommitted(rows, segments);
      } catch (error) {
        this.#replayFailed += batch.items.length;
        this.#replayError = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      }
    }
  }

  #addRow(p: PendingRecord, vector: Float32Array, hash: string): AddRow {
    return { memory: { ...p, hash, updatedAt: p.createdAt }, vector };
  }

  #onSync(message: SyncMessage): void {
    this.#syncTail = this.#syncTail.then(() => this.#applySync(message)).catch(() => undefined); // a closed store: nothing to keep in step
  }

  async #applySync(message: SyncMessage): Promise<void> {
    if (this.#state === 'closed') return;
    switch (message.type) {
      case 'segments':
        // Only scopes this tab holds need the rows; the others read storage when first searched.
        if (this.#index.stats().scopes === 0 || !this.#store.readSegments) return;
        for (const { memory, vector } of await this.#store.readSegments(message.ids))
          this.#index.upsert(memory, vector);
        break;
      case 'upsert':
        // Messages from different tabs arrive in no set order: apply an update only while storage still holds that
        // very version. A late message about a memory deleted or updated again since is dropped (the message about
        // the newer state does the work, before or after it).
        for (const { memory, vector } of message.entries) {
          const stored = await this.#store.get(memory.id);
          if (!stored) this.#index.remove(memory.id);
          else if (stored.updatedAt !== memory.updatedAt) continue;
          else if (vector) this.#index.upsert(memory, vector);
          else this.#index.updateRecord(memory);
        }
        break;
      case 'remove':
        for (const id of message.ids) this.#index.remove(id);
        break;
      case 'clear':
        this.#index.clear();
        break;
    }
  }
}
