import { ValidationError } from '../errors.js';
import { LibsqlStore } from '../store/libsql-store.js';
import { nonEmptyString } from '../validate.js';
import type { MemoryPlatform } from './platform.js';

/**
 * Node's Memory (also Bun and Deno): a libSQL database file per `path`. One process owns a file at a time
 * (LibsqlStore locks it), so there are no other instances to keep in step.
 *
 * @example
 * // The Node entry, beside the engine's platform:
 * installMemoryPlatform(nodeMemoryPlatform);
 */
export const nodeMemoryPlatform: MemoryPlatform = {
  async openStore({ dbName, path, encoding }) {
    if (dbName !== undefined) {
      throw new ValidationError(
        'Expected no `dbName` in Node (it names an IndexedDB database in a browser); name the database file with `path`',
      );
    }
    const name = path === undefined ? 'agentmem.db' : nonEmptyString('path', path);
    return { store: await LibsqlStore.open({ path: name, encoding }), option: 'path', name };
  },
};
