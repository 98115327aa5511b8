/// <reference types="node" />
/**
 * The engine's Node parts (also for Bun and Deno, which load the package's `node` export): worker threads,
 * models from disk, `native` (onnxruntime-node) and `wasm` (onnxruntime-web) backends, no persistent cache by
 * default (Memory supplies its database's).
 */
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Capabilities } from '../capabilities.js';
import type { EnginePlatform } from '../engine/platform.js';
import type { PoolWorker } from '../engine/pool-worker.js';
import { WorkerHandle } from '../engine/worker-handle.js';
import { readNodeModelFile, resolveNodeModel } from './model-files.js';
import { nodeWorkerPort, type NodeWorkerPort } from './worker-port.js';

/** The thread under each handle, for the test hooks (a WeakMap: a retired handle is still freed). */
export const workerThreads = new WeakMap<PoolWorker, NodeWorkerPort>();

let detected: Capabilities | undefined;

export const nodePlatform: EnginePlatform = {
  backends: ['auto', 'native', 'wasm'],
  capabilities: async () =>
    (detected ??= Object.freeze({
      hasWebGPU: false,
      webgpuF16: false,
      webgpuFallback: false,
      // No SharedArrayBuffer-threaded ORT-web here: `wasm` workers run one thread each; `native` has its own threads.
      crossOriginIsolated: false,
      hardwareConcurrency: availableParallelism(),
      cacheStorage: false,
    })),
  // Native when onnxruntime-node loads and builds the session (the pool's start proves it), else WASM.
  autoBackends: () => ['native', 'wasm'],
  resolveModel: resolveNodeModel,
  readModelFile: readNodeModelFile,
  localModelPath: (url) => (url.startsWith('file:') ? fileURLToPath(url) : undefined),
  createWorker: (label) => {
    const port = nodeWorkerPort(label);
    const handle = new WorkerHandle(label, port);
    workerThreads.set(handle, port);
    return handle;
  },
  defaultPersistentCache: () => undefined,
};
