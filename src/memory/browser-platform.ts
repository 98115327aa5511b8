import { ValidationError } from '../errors.js';
import { MemoryStore } from '../store/memory-store.js';
import { nonEmptyString } from '../validate.js';
import type { MemoryPlatform } from './platform.js';
import { SyncChannel } from './sync.js';

/** The browser's Memory: an IndexedDB database per `dbName`, tabs on the same one kept in step. */
export const browserMemoryPlatform: MemoryPlatform = {
  async openStore({ dbName, path, encoding }) {
    if (path !== undefined) {
      throw new ValidationError(
        'Expected no `path` in a browser (it names a database file in Node); name the IndexedDB database with `dbName`',
      );
    }
    const name = dbName === undefined ? 'agentmem' : nonEmptyString('dbName', dbName);
    return { store: await MemoryStore.open(name, encoding), option: 'dbName', name };
  },
  syncChannel: (name, onMessage) => new SyncChannel(name, onMessage),
};
