/**
 * The embedding worker: one onnxruntime-web session and one tokenizer, exposed with Comlink
 * ({@link EmbedWorkerApi}). The pool sends a WASM worker one batch at a time and a WebGPU worker up to two (the
 * second is tokenised while the GPU runs the first); the encoder still runs the model one run at a time.
 *
 * Created by the pool as `new Worker(new URL('../worker/embed.worker.js', import.meta.url), { type: 'module' })`:
 * the `.js` name works from the compiled library (`dist/lib`) in a consumer's bundler and, because Vite maps a
 * `.js` import to its `.ts` source, from `src/` in our own site build.
 */
import * as Comlink from 'comlink';
import type * as Ort from 'onnxruntime-web';
import { EmbeddingError, ModelLoadError, serializeError } from '../errors.js';
import { SentenceEncoder } from './encoder.js';
import { createTokenizer } from './tokenizer.js';
import {
  deviceLostErrorName,
  type EmbedOutput,
  type EmbedWorkerApi,
  type WorkerEvent,
  type WorkerInit,
  type WorkerReady,
  type WorkerResult,
} from './protocol.js';

/** Short texts of different lengths: enough for the wasm tier-up to see every kernel, cheap enough to be ~free. */
const warmupTexts = ['warm up', 'a short sentence to warm the model up before real work arrives'];

let ort: typeof Ort | undefined;
let encoder: SentenceEncoder | undefined;
let backend: WorkerInit['backend'] | undefined;
let state: 'new' | 'initializing' | 'ready' | 'failed' | 'closed' = 'new';
let deviceLost: Promise<GPUDeviceLostInfo> | undefined;

async function guard<T>(work: () => Promise<T>): Promise<WorkerResult<T>> {
  try {
    return { ok: true, value: await work() };
  } catch (error) {
    return { ok: false, error: serializeError(error) };
  }
}

/**
 * Each backend loads its own onnxruntime-web build. The default one (JSEP: WASM + WebGPU, a 28 MB wasm) is needed for
 * WebGPU only; on WASM its code kept Chromium's background tier-up compiler busy for over a minute of inference, taking
 * about half of a 2-core machine's CPU from the workers (measured: 2 workers, full batches, 108-143 texts/s while it
 * lasted, 227-251 after). The plain WASM build (14 MB) tiers up within the start-up warm-up.
 */
async function loadRuntime(backend: WorkerInit['backend']): Promise<typeof Ort> {
  return backend === 'webgpu' ? await import('onnxruntime-web') : await import('onnxruntime-web/wasm');
}

async function init(options: WorkerInit): Promise<WorkerReady> {
  if (state !== 'new') throw new ModelLoadError(`Expected a new worker for \`init()\`, but it is ${state}`);
  state = 'initializing';
  try {
    try {
      ort = await loadRuntime(options.backend);
    } catch (error) {
      throw new ModelLoadError(
        `Could not load onnxruntime-web for ${options.backend}: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    }
    ort.env.logLevel = 'error';
    ort.env.wasm.proxy = false;
    // Fixed once ORT initialises in this realm, which is why each configuration gets a fresh worker.
    ort.env.wasm.numThreads = options.threads;
    if (options.wasmPaths !== undefined) ort.env.wasm.wasmPaths = options.wasmPaths;
    const tokenizer = createTokenizer(
      options.tokenizer,
      JSON.parse(options.tokenizerJson) as unknown,
      JSON.parse(options.tokenizerConfigJson) as Record<string, unknown>,
    );
    const started = performance.now();
    let session: Ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(new Uint8Array(options.model), {
        executionProviders: [options.backend],
        graphOptimizationLevel: 'all',
        logSeverityLevel: 3, // errors only: the node-placement warnings of the WebGPU EP are expected
      });
    } catch (error) {
      throw new ModelLoadError(
        `Could not create the ${options.backend} session: ${error instanceof Error ? error.message : String(error)}`,
        {
          cause: error,
        },
      );
    }
    const sessionMs = performance.now() - started;
    encoder = new SentenceEncoder({
      session,
      Tensor: ort.Tensor,
      tokenizer,
      pooling: options.pooling,
      output: options.output,
      maxTokens: options.maxTokens,
      runOverheadTokens: options.runOverheadTokens,
      maxTokensPerRun: options.maxTokensPerRun,
      maxAttentionPerRun: options.maxAttentionPerRun,
      shapeSteps: options.shapeSteps,
    });
    backend = options.backend;
    if (options.backend === 'webgpu') await watchDevice();
    // One run proves the session works on this backend (the `auto` probe) and tells the dimensions.
    await encoder.embed(warmupTexts);
    state = 'ready';
    return {
      backend: options.backend,
      dimensions: encoder.dimensions,
      inputNames: encoder.inputNames,
      outputName: encoder.outputName,
      pooled: encoder.pooled,
      sessionMs,
    };
  } catch (error) {
    state = 'failed';
    throw error;
  }
}

/** A lost WebGPU device makes every later run fail: tell the pool at once so it fails over to WASM. */
async function watchDevice(): Promise<void> {
  const device = await ort?.env.webgpu.device;
  deviceLost = device?.lost.then((info) => {
    state = 'failed';
    const event: WorkerEvent = { agentmem: 'device-lost', reason: info.reason, message: info.message };
    self.postMessage(event);
    return info;
  });
}

async function embed(texts: readonly string[]): Promise<EmbedOutput> {
  if (state !== 'ready' || !encoder) {
    if (deviceLost && state === 'failed') throw deviceLostError('the device was lost before this batch');
    throw new EmbeddingError(`Expected the worker to be ready for \`embed()\`, but it is ${state}`);
  }
  try {
    return await encoder.embed(texts);
  } catch (error) {
    // A run that fails because its device just went away is the worker's failure, not the batch's: give the
    // lost event a moment to land, so the pool retries the batch on WASM instead of failing its texts.
    if (deviceLost) {
      const lost = await Promise.race([deviceLost, new Promise<undefined>((r) => setTimeout(() => r(undefined), 100))]);
      if (lost) throw deviceLostError(lost.message);
    }
    throw error;
  }
}

function deviceLostError(message: string): Error {
  const error = new Error(`The WebGPU device was lost: ${message}`);
  error.name = deviceLostErrorName;
  return error;
}

/** A few cheap runs so Chromium tiers the wasm up before real work (runs are 3-5x slower for the first seconds). */
async function warmup(runs: number): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < runs; i++) await embed(warmupTexts);
  return performance.now() - started;
}

const api: EmbedWorkerApi = {
  init: (options) => guard(() => init(options)),
  warmup: (runs) => guard(() => warmup(runs)),
  embed: async (texts) => {
    const result = await guard(() => embed(texts));
    return result.ok ? Comlink.transfer(result, [result.value.vectors.buffer]) : result;
  },
  loseDevice: () =>
    guard(async () => {
      if (backend !== 'webgpu' || !ort) return false;
      (await ort.env.webgpu.device).destroy();
      return true;
    }),
  dispose: () =>
    guard(async () => {
      state = 'closed';
      await encoder?.release();
      encoder = undefined;
    }),
};

Comlink.expose(api);
