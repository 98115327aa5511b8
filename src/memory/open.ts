import { vectorEncoding } from '../search/quantize.js';
import { expected, nonEmptyString, oneOf } from '../validate.js';
import { StoreEmbeddingCache } from '../store/store-embedding-cache.js';
import type { Store } from '../store/store.js';
import { checkEmbedder, checkModel } from './checks.js';
import { createEmbedder, type EngineOptions } from './engine.js';
import * as input from './input.js';
import { memoryPlatform, type MemoryPlatform } from './platform.js';
import { StoreWriter } from './store-writer.js';
import type { TextEmbedder } from './text-embedder.js';

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

/** What a Memory is built from, once its store is open and its embedder ready. */
export interface Parts {
  readonly dbName: string;
  readonly store: Store;
  readonly writer: StoreWriter;
  readonly embedder: TextEmbedder;
  readonly ownsEmbedder: boolean;
  readonly quantize: 'none' | 'int8';
  readonly purgeExpired: boolean;
  readonly platform: MemoryPlatform;
}

/** Checks the options, opens the store and builds (or takes) the embedder; on a failure, releases what it opened. */
export async function openParts(options: MemoryOptions): Promise<Parts> {
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
    encoding: vectorEncoding(quantize),
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
  } catch (error) {
    await release(store, writer, given === undefined ? embedder : undefined);
    throw error;
  }
  return { dbName: name, store, writer, embedder, ownsEmbedder: given === undefined, quantize, purgeExpired, platform };
}

/** Releases the parts of a Memory that never opened: its own embedder, then the writer and the store. */
export function closeParts(parts: Parts): Promise<void> {
  return release(parts.store, parts.writer, parts.ownsEmbedder ? parts.embedder : undefined);
}

/** Releases an open Memory's parts: its own embedder (its last cache entries go through the writer), then the rest. */
export async function shutDownParts(parts: Parts): Promise<void> {
  try {
    if (parts.ownsEmbedder) await parts.embedder.close();
  } finally {
    await release(parts.store, parts.writer, undefined);
  }
}

async function release(store: Store, writer: StoreWriter, ownEmbedder: TextEmbedder | undefined): Promise<void> {
  if (ownEmbedder) await ownEmbedder.close().catch(() => undefined);
  await writer.onIdle();
  writer.close();
  await store.close();
}
