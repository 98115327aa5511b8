/**
 * The package's entry under the `node` export condition (Node, Bun, Deno): the same public API as the browser
 * entry, with the Node parts installed: the engine's (worker threads, models from disk, the `native` backend) and
 * Memory's (a libSQL file per `path`).
 */
import type { Capabilities } from './capabilities.js';
import { installPlatform } from './engine/platform.js';
import { nodeMemoryPlatform } from './memory/node-platform.js';
import { installMemoryPlatform } from './memory/platform.js';
import { nodePlatform } from './node/platform.js';

installPlatform(nodePlatform);
installMemoryPlatform(nodeMemoryPlatform);

export * from './index.js';

/** What this process offers the engine (no WebGPU; its cores). Shadows the browser detection of `index.ts`. */
export function capabilities(): Promise<Capabilities> {
  return nodePlatform.capabilities();
}
