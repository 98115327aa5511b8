/**
 * The package's entry under the `node` export condition (Node, Bun, Deno): the same public API as the browser
 * entry, with the engine's Node parts installed (worker threads, models from disk, the `native` backend).
 */
import { installPlatform } from './engine/platform.js';
import { nodePlatform } from './node/platform.js';

installPlatform(nodePlatform);

export * from './index.js';
/** What this process offers the engine (no WebGPU; its cores). Shadows the browser detection of `index.ts`. */
export const capabilities = nodePlatform.capabilities;
