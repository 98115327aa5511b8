/**
 * The platform parts of the engine: how capabilities are detected, which backends exist, where a model is read from,
 * how a worker is started and what caches vectors by default. The engine classes are shared; each package entry
 * supplies its parts: the browser's here, Node's in `src/node/platform.ts` (installed by the Node entry, so the
 * browser bundle never imports a Node module).
 */
import { capabilities, type Capabilities } from '../capabilities.js';
import { fetchModelFile, type ModelFileReader } from '../models/fetch.js';
import { resolveModelUrl } from '../models/load.js';
import type { Backend } from '../worker/protocol.js';
import { IdbEmbeddingCache } from './idb-cache.js';
import { browserBackends } from './options.js';
import { autoBackends } from './start.js';
import type { WorkerFactory } from './pool-worker.js';
import type { PersistentEmbeddingCache } from './types.js';
import { WorkerHandle, browserWorkerPort } from './worker-handle.js';

/** A persistent cache the embedder opened itself, so it closes it too. */
export type OwnedEmbeddingCache = PersistentEmbeddingCache & { close(): Promise<void> };

export interface EnginePlatform {
  /** The values `backend` accepts here, `auto` first. */
  readonly backends: readonly ['auto', ...Backend[]];
  capabilities(): Promise<Capabilities>;
  /** The backends `auto` tries, in order; all but the last fall through to the next on any failure. */
  autoBackends(caps: Capabilities): Backend[];
  /** The model folder's absolute URL, ending in `/`. Throws a `ModelLoadError` when it cannot be resolved. */
  resolveModel(model: string): string;
  readonly readModelFile: ModelFileReader;
  /** The local file behind a model file URL, when workers can read it themselves (Node's `file:` URLs). */
  readonly localModelPath?: (url: string) => string | undefined;
  readonly createWorker: WorkerFactory;
  /** The cache an embedder opens when the caller gives none (undefined: memory only). */
  defaultPersistentCache(): OwnedEmbeddingCache | undefined;
}

export const browserPlatform: EnginePlatform = {
  backends: browserBackends,
  capabilities,
  autoBackends,
  resolveModel: resolveModelUrl,
  readModelFile: fetchModelFile,
  createWorker: (label) => new WorkerHandle(label, browserWorkerPort(label)),
  defaultPersistentCache: () => (typeof indexedDB === 'undefined' ? undefined : new IdbEmbeddingCache()),
};

let installed: EnginePlatform | undefined;

/** Called by an entry whose platform is not the browser's (the Node entry), before any engine starts. */
export function installPlatform(platform: EnginePlatform): void {
  installed = platform;
}

/** The parts of the entry this process loaded: Node's under the `node` export condition, else the browser's. */
export function enginePlatform(): EnginePlatform {
  return installed ?? browserPlatform;
}
