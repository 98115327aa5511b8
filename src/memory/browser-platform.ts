import { MemoryStore } from '../store/memory-store.js';
import { definePlatform } from './define-platform.js';
import { SyncChannel } from './sync.js';

/** The browser's Memory: an IndexedDB database per `dbName`, tabs on the same one kept in step. */
export const browserMemoryPlatform = definePlatform({
  option: 'dbName',
  open: (name, encoding) => MemoryStore.open(name, encoding),
  syncChannel: (name, onMessage) => new SyncChannel(name, onMessage),
});
