import type { VectorEncoding } from '../store/segments.js';
import type { Store } from '../store/store.js';
import { browserMemoryPlatform } from './browser-platform.js';
import type { SyncMessage } from './sync.js';

/**
 * What differs between the runtimes Memory runs in: where it stores (IndexedDB per `dbName` in a browser, a libSQL
 * file per `path` in Node) and whether other instances share the store live (browser tabs). Each package entry
 * supplies its own; the browser's is the default, so the browser bundle never imports the Node one.
 */
export interface MemoryPlatform {
  /** Checks the storage options (`dbName` in a browser, `path` in Node) and opens that store. */
  openStore(request: StoreRequest): Promise<OpenedStore>;
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

let installed: MemoryPlatform | undefined;

/** Called by an entry whose platform is not the browser's (the Node entry), before any Memory is created. */
export function installMemoryPlatform(platform: MemoryPlatform): void {
  installed = platform;
}

/** The platform of the entry this process loaded: Node's under the `node` export condition, else the browser's. */
export function memoryPlatform(): MemoryPlatform {
  return installed ?? browserMemoryPlatform;
}
