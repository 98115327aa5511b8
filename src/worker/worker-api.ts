/**
 * The embedding worker's API ({@link EmbedWorkerApi}): one session and one tokenizer per worker, with the same
 * lifecycle (`new -> initializing -> ready | failed -> closed`) in a browser Web Worker and a Node worker thread.
 * Each worker script supplies its {@link WorkerRuntime} (which ONNX Runtime build, how a WebGPU device is watched)
 * and exposes the result with Comlink over its own endpoint.
 */
import * as Comlink from 'comlink';
import type { InferenceSession } from 'onnxruntime-web';
import { EmbeddingError, ModelLoadError, serializeError } from '../errors.js';
import { SentenceEncoder, type TensorCtor } from './encoder.js';
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

/** A built session and what goes with it on this backend. */
export interface RuntimeSession {
  readonly session: InferenceSession;
  readonly Tensor: TensorCtor;
  /** WebGPU: settles when the device is lost (every later run fails). */
  readonly deviceLost?: Promise<{ readonly reason: string; readonly message: string }>;
  /** WebGPU: destroys the device, which fires the real device-lost path (a test hook). */
  readonly loseDevice?: () => Promise<void>;
}

/** The platform part of a worker: loads its ONNX Runtime build for `init.backend` and builds the session. */
export interface WorkerRuntime {
  /** Throws a {@link ModelLoadError} when the runtime or the session cannot be loaded. */
  createSession(init: WorkerInit): Promise<RuntimeSession>;
}

/** Builds the API one worker exposes; `post` sends an event outside Comlink's calls (device lost). */
export function createWorkerApi(runtime: WorkerRuntime, post: (event: WorkerEvent) => void): EmbedWorkerApi {
  let encoder: SentenceEncoder | undefined;
  let loaded: RuntimeSession | undefined;
  let state: 'new' | 'initializing' | 'ready' | 'failed' | 'closed' = 'new';
  let deviceLost: Promise<{ readonly message: string }> | undefined;

  async function init(options: WorkerInit): Promise<WorkerReady> {
    if (state !== 'new') throw new ModelLoadError(`Expected a new worker for \`init()\`, but it is ${state}`);
    state = 'initializing';
    try {
      const tokenizer = createTokenizer(
        options.tokenizer,
        JSON.parse(options.tokenizerJson) as unknown,
        JSON.parse(options.tokenizerConfigJson) as Record<string, unknown>,
      );
      const started = performance.now();
      loaded = await runtime.createSession(options);
      const sessionMs = performance.now() - started;
      encoder = new SentenceEncoder({
        session: loaded.session,
        Tensor: loaded.Tensor,
        tokenizer,
        pooling: options.pooling,
        output: options.output,
        maxTokens: options.maxTokens,
        runPlan: options.runPlan,
      });
      // A lost WebGPU device makes every later run fail: tell the pool at once so it fails over to WASM.
      deviceLost = loaded.deviceLost?.then((info) => {
        state = 'failed';
        post({ agentmem: 'device-lost', reason: info.reason, message: info.message });
        return info;
      });
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
        const lost = await Promise.race([
          deviceLost,
          new Promise<undefined>((r) => setTimeout(() => r(undefined), 100)),
        ]);
        if (lost) throw deviceLostError(lost.message);
      }
      throw error;
    }
  }

  /** A few cheap runs so the wasm tiers up before real work (runs are 3-5x slower for the first seconds). */
  async function warmup(runs: number): Promise<number> {
    const started = performance.now();
    for (let i = 0; i < runs; i++) await embed(warmupTexts);
    return performance.now() - started;
  }

  return {
    init: (options) => guard(() => init(options)),
    warmup: (runs) => guard(() => warmup(runs)),
    embed: async (texts) => {
      const result = await guard(() => embed(texts));
      return result.ok ? Comlink.transfer(result, [result.value.vectors.buffer]) : result;
    },
    loseDevice: () =>
      guard(async () => {
        if (!loaded?.loseDevice) return false;
        await loaded.loseDevice();
        return true;
      }),
    dispose: () =>
      guard(async () => {
        state = 'closed';
        await encoder?.release();
        encoder = undefined;
      }),
  };
}

async function guard<T>(work: () => Promise<T>): Promise<WorkerResult<T>> {
  try {
    return { ok: true, value: await work() };
  } catch (error) {
    return { ok: false, error: serializeError(error) };
  }
}

function deviceLostError(message: string): Error {
  const error = new Error(`The WebGPU device was lost: ${message}`);
  error.name = deviceLostErrorName;
  return error;
}
