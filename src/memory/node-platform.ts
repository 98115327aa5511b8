import { ValidationError } from '../errors.js';
import type { EmbedderOptions } from '../engine/types.js';
import { LibsqlStore } from '../store/libsql-store.js';
import { nonEmptyString } from '../validate.js';
import type { Platform } from './platform.js';
import type { TextEmbedder } from './text-embedder.js';

/**
 * Node's Memory (also Bun and Deno): a libSQL database file per `path`, the engine the Node entry supplies. One
 * process owns a file at a time (LibsqlStore locks it), so there are no other instances to keep in step.
 *
 * @example
 * // The Node entry: the same class and API, with this platform.
 * export class Memory extends BrowserMemory {
 *   protected static override platform = nodePlatform(createNodeEmbedder);
 * }
 */
export function nodePlatform(createEmbedder: (options: EmbedderOptions) => Promise<TextEmbedder>): Platform {
  return {
    async openStore({ dbName, path, encoding }) {
      if (dbName !== undefined) {
        throw new ValidationError(
          'Expected no `dbName` in Node (it names an IndexedDB database in a browser); name the database file with `path`',
        );
      }
      const name = path === undefined ? 'agentmem.db' : nonEmptyString('path', path);
      return { store: await LibsqlStore.open({ path: name, encoding }), option: 'path', name };
    },
    createEmbedder,
  };
}
