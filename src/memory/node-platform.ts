import { LibsqlStore } from '../store/libsql-store.js';
import { definePlatform } from './define-platform.js';

/**
 * Node's Memory (also Bun and Deno): a libSQL database file per `path`. One process owns a file at a time
 * (LibsqlStore locks it), so there are no other instances to keep in step.
 *
 * @example
 * // The Node entry, beside the engine's platform:
 * installMemoryPlatform(nodeMemoryPlatform);
 */
export const nodeMemoryPlatform = definePlatform({
  option: 'path',
  open: (path, encoding) => LibsqlStore.open({ path, encoding }),
});
