/**
 * The browser's embedding worker: {@link createWorkerApi} on onnxruntime-web (WASM or WebGPU), exposed with Comlink.
 * The pool sends a WASM worker one batch at a time and a WebGPU worker up to two (the second is tokenised while the
 * GPU runs the first); the encoder still runs the model one run at a time.
 *
 * Created by the pool as `new Worker(new URL('../worker/embed.worker.js', import.meta.url), { type: 'module' })`:
 * the `.js` name works from the compiled library (`dist/lib`) in a consumer's bundler and, because Vite maps a
 * `.js` import to its `.ts` source, from `src/` in our own site build.
 */
import * as Comlink from 'comlink';
import type * as Ort from 'onnxruntime-web';
import { ModelLoadError, errorMessage } from '../errors.js';
import type { WorkerInit } from './protocol.js';
import { createWorkerApi, type RuntimeSession } from './worker-api.js';

/**
 * Each backend loads its own onnxruntime-web build: the default one (JSEP, a 28 MB wasm) only for WebGPU, since on
 * WASM its tier-up compile took CPU from the workers for over a minute (bench/README.md); the plain WASM build
 * (14 MB) tiers up within the start-up warm-up.
 */
async function loadRuntime(backend: WorkerInit['backend']): Promise<typeof Ort> {
  return backend === 'webgpu' ? await import('onnxruntime-web') : await import('onnxruntime-web/wasm');
}

async function createSession(options: WorkerInit): Promise<RuntimeSession> {
  if (options.backend === 'native') throw new ModelLoadError('The native backend runs only in Node');
  let ort: typeof Ort;
  try {
    ort = await loadRuntime(options.backend);
  } catch (error) {
    throw new ModelLoadError(`Could not load onnxruntime-web for ${options.backend}: ${errorMessage(error)}`, {
      cause: error,
    });
  }
  ort.env.logLevel = 'error';
  ort.env.wasm.proxy = false;
  // Fixed once ORT initialises in this realm, which is why each configuration gets a fresh worker.
  ort.env.wasm.numThreads = options.threads;
  if (options.wasmPaths !== undefined) ort.env.wasm.wasmPaths = options.wasmPaths;
  let session: Ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(new Uint8Array(options.model), {
      executionProviders: [options.backend],
      graphOptimizationLevel: 'all',
      logSeverityLevel: 3, // errors only: the node-placement warnings of the WebGPU EP are expected
    });
  } catch (error) {
    throw new ModelLoadError(`Could not create the ${options.backend} session: ${errorMessage(error)}`, {
      cause: error,
    });
  }
  if (options.backend !== 'webgpu') return { session, Tensor: ort.Tensor };
  const device = (await ort.env.webgpu.device) as GPUDevice | undefined;
  return {
    session,
    Tensor: ort.Tensor,
    ...(device ? { deviceLost: device.lost, loseDevice: async () => device.destroy() } : {}),
  };
}

Comlink.expose(createWorkerApi({ createSession }, (event) => self.postMessage(event)));
