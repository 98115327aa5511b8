import { ValidationError } from '../errors.js';
import type { VectorEncoding } from '../store/segments.js';
import type { Store } from '../store/store.js';
import { nonEmptyString } from '../validate.js';
import type { MemoryPlatform, OpenedStore, StoreRequest, Sync } from './platform.js';
import type { SyncMessage } from './sync.js';

/** Each storage option's default, and why the other runtime refuses it rather than ignoring it. */
const NAMING = {
  dbName: {
    fallback: 'agentmem',
    refusal:
      'Expected no `dbName` in Node (it names an IndexedDB database in a browser); name the database file with `path`',
  },
  path: {
    fallback: 'agentmem.db',
    refusal:
      'Expected no `path` in a browser (it names a database file in Node); name the IndexedDB database with `dbName`',
  },
} as const;

export interface PlatformParts {
  /** The option that names this runtime's store. */
  readonly option: OpenedStore['option'];
  readonly open: (name: string, encoding: VectorEncoding) => Promise<Store>;
  readonly syncChannel?: (name: string, onMessage: (message: SyncMessage) => void) => Sync;
}

/** A MemoryPlatform whose openStore checks the storage options the same way in every runtime. */
export function definePlatform(parts: PlatformParts): MemoryPlatform {
  const { option, open, syncChannel } = parts;
  const other = option === 'dbName' ? 'path' : 'dbName';
  return {
    async openStore(request: StoreRequest) {
      if (request[other] !== undefined) throw new ValidationError(NAMING[other].refusal);
      const value = request[option];
      const name = value === undefined ? NAMING[option].fallback : nonEmptyString(option, value);
      return { store: await open(name, request.encoding), option, name };
    },
    ...(syncChannel ? { syncChannel } : {}),
  };
}
