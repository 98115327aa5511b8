import type { EmbedderOptions } from '../engine/types.js';
import type { VectorEncoding } from '../store/segments.js';
import type { Store } from '../store/store.js';
import type { SyncMessage } from './sync.js';
import type { TextEmbedder } from './text-embedder.js';

/**
 * What differs between the runtimes Memory runs in, supplied by each entry point: the browser's (IndexedDB, Web
 * Workers, BroadcastChannel) and Node's (a libSQL file, worker threads). Memory itself depends on none of them.
 */
export interface Platform {
  /** Checks the storage options (`dbName` in a browser, `path` in Node) and opens that store. */
  openStore(request: StoreRequest): Promise<OpenedStore>;
  /** Builds the embedding engine (only when the caller passed no `embedder`). */
  createEmbedder(options: EmbedderOptions): Promise<TextEmbedder>;
  /** Keeps other instances on the same store in step (browser tabs); absent where one process owns the store. */
  syncChannel?(name: string, onMessage: (message: SyncMessage) => void): Sync;
}

/** The storage options of `Memory.create`, as the caller gave them. */
export interface StoreRequest {
  readonly dbName?: unknown;
  readonly path?: unknown;
  /** How new rows hold vectors. */
  readonly encoding: VectorEncoding;
}

export interface OpenedStore {
  readonly store: Store;
  /** The option that names the store (`'dbName'` or `'path'`) and its value, for stats and error messages. */
  readonly option: 'dbName' | 'path';
  readonly name: string;
}

/** A channel to the other instances on one store (see SyncChannel). */
export interface Sync {
  post(message: SyncMessage): void;
  close(): void;
}
