/// <reference types="node" />
/**
 * Node's embedding worker thread: {@link createWorkerApi} on onnxruntime-node (`native`) or onnxruntime-web's WASM
 * build (`wasm`, for runtimes without native addons), exposed with Comlink over the thread's parent port.
 */
import { readFile } from 'node:fs/promises';
import { parentPort, workerData } from 'node:worker_threads';
import * as Comlink from 'comlink';
import type { InferenceSession } from 'onnxruntime-web';
import { ModelLoadError, errorMessage } from '../errors.js';
import type { TensorCtor } from '../worker/encoder.js';
import type { WorkerInit } from '../worker/protocol.js';
import { createWorkerApi, type RuntimeSession } from '../worker/worker-api.js';
import { createGate, native } from './native-gate.js';
import { endpointOf } from './worker-port.js';

interface OrtModule {
  readonly InferenceSession: { create(model: Uint8Array | string, options: object): Promise<InferenceSession> };
  readonly Tensor: TensorCtor;
  readonly env: { logLevel?: string; wasm?: { numThreads?: number; proxy?: boolean } };
}

async function loadRuntime(backend: WorkerInit['backend']): Promise<OrtModule> {
  try {
    // onnxruntime-node is an optional peer dependency: only a worker that runs `native` imports it.
    if (backend === 'native') return await import('onnxruntime-node');
    if (backend === 'wasm') {
      // Deno gives worker threads a file: `location` whose origin is 'null'; ORT-web resolves its wasm against that
      // origin and throws "Invalid URL". Node has no `location` here: hide Deno's so both take the same path.
      if (typeof location !== 'undefined' && location.origin === 'null')
        Object.defineProperty(globalThis, 'location', { value: undefined, configurable: true });
      return await import('onnxruntime-web/wasm');
    }
  } catch (error) {
    const which = backend === 'native' ? 'onnxruntime-node' : 'onnxruntime-web';
    throw new ModelLoadError(`Could not load ${which} for the ${backend} backend: ${errorMessage(error)}`, {
      cause: error,
    });
  }
  throw new ModelLoadError(`The ${backend} backend does not run in Node; use 'native' or 'wasm'`);
}

/** Shared with the parent, which stops this thread only outside onnxruntime-node (native-gate.ts says why). */
const gate = (workerData as { gate?: Int32Array } | undefined)?.gate ?? createGate();

/** The session with its calls into onnxruntime-node counted by the gate. */
function gated(session: InferenceSession): InferenceSession {
  return new Proxy(session, {
    get(target, key) {
      if (key !== 'run' && key !== 'release') return Reflect.get(target, key, target) as unknown;
      const call = (...args: unknown[]): Promise<unknown> =>
        (Reflect.get(target, key, target) as (...a: unknown[]) => Promise<unknown>).apply(target, args);
      return (...args: unknown[]) => native(gate, () => call(...args));
    },
  });
}

async function createSession(options: WorkerInit): Promise<RuntimeSession> {
  if (options.backend !== 'native') return loadSession(options);
  // Loading the addon and building the session both run native code: counted too.
  const loaded = await native(gate, () => loadSession(options));
  return { ...loaded, session: gated(loaded.session) };
}

async function loadSession(options: WorkerInit): Promise<RuntimeSession> {
  const ort = await loadRuntime(options.backend);
  ort.env.logLevel = 'error';
  const sessionOptions: Record<string, unknown> = { graphOptimizationLevel: 'all', logSeverityLevel: 3 };
  if (options.backend === 'native') {
    // One run at a time per session (the encoder's queue), so inter-op parallelism would only add threads.
    Object.assign(sessionOptions, {
      executionProviders: ['cpu'],
      intraOpNumThreads: options.threads,
      interOpNumThreads: 1,
    });
  } else {
    ort.env.wasm!.numThreads = options.threads;
    ort.env.wasm!.proxy = false;
    sessionOptions['executionProviders'] = ['wasm'];
  }
  try {
    // onnxruntime-node reads a path itself; the WASM build needs the bytes in this thread.
    const model =
      options.modelPath === undefined
        ? new Uint8Array(options.model)
        : options.backend === 'native'
          ? options.modelPath
          : await readFile(options.modelPath);
    const session = await ort.InferenceSession.create(model, sessionOptions);
    return { session, Tensor: ort.Tensor };
  } catch (error) {
    throw new ModelLoadError(`Could not create the ${options.backend} session: ${errorMessage(error)}`, {
      cause: error,
    });
  }
}

const port = parentPort;
if (!port) throw new Error('embed.worker.js runs as a worker thread, started by the engine');
Comlink.expose(
  createWorkerApi({ createSession }, (event) => port.postMessage(event)),
  endpointOf(port),
);
