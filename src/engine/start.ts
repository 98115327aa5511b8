/**
 * Engine start-up: picks the backend (`auto` probes WebGPU, or in Node the native runtime, by building a session
 * and running it), the variant (int8 on WASM; {@link nativeVariant} on native; fp16 on WebGPU only when the adapter
 * has `shader-f16` and a probe matches fp32), reads each variant's bytes once, and starts the worker pool with a
 * WASM failover for a lost WebGPU device.
 */
import type { Capabilities } from '../capabilities.js';
import { ModelLoadError } from '../errors.js';
import type { ModelFileReader } from '../models/fetch.js';
import { fetchVariant, modelFileUrl, type ModelFolder } from '../models/load.js';
import { modelFingerprint } from '../models/model-id.js';
import type { Backend, Variant, WorkerInit } from '../worker/protocol.js';
import { boundRunsForModel, nativeVariant, settingsFor, type CheckedOptions } from './options.js';
import type { EnginePlatform } from './platform.js';
import { WorkerPool, type PoolSetup } from './pool.js';

/** Warm-up runs per worker: enough for Chromium to tier the hot wasm functions up, cheap (two short texts each). */
const warmupRuns = 3;
/** Texts an fp16 session must reproduce (against fp32) before fp16 is chosen by default. */
const probeTexts = ['The quick brown fox jumps over the lazy dog.', 'fp16 probe', 'Numbers 1 2 3 and punctuation!?'];

export interface StartedEngine {
  readonly pool: WorkerPool;
  readonly variant: Variant;
  /** {@link modelFingerprint} of the folder and the variant the pool runs. */
  readonly fingerprint: string;
}

/**
 * The backends `auto` tries, in order: WebGPU first when a hardware adapter exists (the pool then probes it), else
 * only WASM. A fallback adapter (software WebGPU such as SwiftShader) is skipped: it runs a model two orders of
 * magnitude slower than WASM on the same CPU. `backend: 'webgpu'` still uses it.
 */
export function autoBackends(caps: Pick<Capabilities, 'hasWebGPU' | 'webgpuFallback'>): Backend[] {
  return caps.hasWebGPU && !caps.webgpuFallback ? ['webgpu', 'wasm'] : ['wasm'];
}

/** Starts the pool on the first backend that works: the platform's `autoBackends` for `auto`, else the one asked for. */
export async function startEngine(
  options: CheckedOptions,
  caps: Capabilities,
  folder: ModelFolder,
  platform: EnginePlatform,
): Promise<StartedEngine> {
  if (options.backend === 'webgpu' && !caps.hasWebGPU) {
    throw new ModelLoadError(
      "WebGPU is not available here (navigator.gpu.requestAdapter() gave no adapter); use backend 'wasm' or 'auto'",
    );
  }
  const loader = new VariantLoader(folder.url, options, platform.readModelFile);
  const candidates: Backend[] = options.backend === 'auto' ? platform.autoBackends(caps) : [options.backend];
  const start = { options, caps, folder, loader, platform };
  const last = candidates.at(-1);
  if (last === undefined) throw new ModelLoadError('No backend could load the model');
  let started: { pool: WorkerPool; variant: Variant } | undefined;
  for (const candidate of candidates.slice(0, -1)) {
    try {
      started = await startPool(candidate, start);
      break;
    } catch {
      // `auto` probes WebGPU (or native) by building a session and running it; any failure means "try the next".
    }
  }
  started ??= await startPool(last, start);
  try {
    return { ...started, fingerprint: await modelFingerprint(folder, await loader.bytes(started.variant)) };
  } catch (error) {
    started.pool.close();
    throw error;
  }
}

/** Fetches each model variant at most once, with progress. */
class VariantLoader {
  readonly #folderUrl: string;
  readonly #options: CheckedOptions;
  readonly #read: ModelFileReader;
  readonly #bytes = new Map<Variant, Promise<ArrayBuffer>>();

  constructor(folderUrl: string, options: CheckedOptions, read: ModelFileReader) {
    this.#folderUrl = folderUrl;
    this.#options = options;
    this.#read = read;
  }

  /** Whether the variant's file can be read; only a 404 or a missing file counts as absent (else `get` throws). */
  async exists(variant: Variant): Promise<boolean> {
    try {
      await this.get(variant);
      return true;
    } catch (error) {
      const cause = error instanceof ModelLoadError ? (error.cause as { status?: unknown; code?: unknown }) : undefined;
      return !(cause?.status === 404 || cause?.code === 'ENOENT');
    }
  }

  /**
   * The variant's bytes as `get` read them, or, where workers read the file themselves (Node) and nothing read it
   * here yet, read once without progress (the workers are loaded by then) and not kept.
   */
  bytes(variant: Variant): Promise<ArrayBuffer> {
    return this.#bytes.get(variant) ?? fetchVariant(this.#folderUrl, variant, undefined, this.#read);
  }

  get(variant: Variant): Promise<ArrayBuffer> {
    let bytes = this.#bytes.get(variant);
    if (!bytes) {
      const onProgress = this.#options.onProgress;
      bytes = fetchVariant(
        this.#folderUrl,
        variant,
        onProgress
          ? (p) =>
              onProgress({ stage: 'fetch', loaded: p.loaded, ...(p.total === undefined ? {} : { total: p.total }) })
          : undefined,
        this.#read,
      );
      this.#bytes.set(variant, bytes);
    }
    return bytes;
  }
}

/** What every pool start of one engine shares. */
interface StartContext {
  readonly options: CheckedOptions;
  readonly caps: Capabilities;
  readonly folder: ModelFolder;
  readonly loader: VariantLoader;
  readonly platform: EnginePlatform;
}

async function setupFor(
  backend: Backend,
  variant: Variant,
  { options, caps, folder, loader, platform }: StartContext,
  workers?: number,
): Promise<PoolSetup> {
  const base = boundRunsForModel(settingsFor(options, backend, caps), folder.spec);
  const settings = workers === undefined ? base : { ...base, workers };
  const modelPath = platform.localModelPath?.(modelFileUrl(folder.url, variant));
  const bytes = modelPath === undefined ? await loader.get(variant) : new ArrayBuffer(0);
  const maxTokens = Math.min(options.maxTokens, folder.spec.maxPositions ?? Number.POSITIVE_INFINITY);
  return {
    settings,
    // WebGPU and native have no wasm tier-up to wait for; the session's first (probe) run did the rest.
    warmupRuns: backend === 'wasm' ? warmupRuns : 0,
    makeInit: (index): WorkerInit => ({
      index,
      backend,
      model: bytes.slice(0), // each worker gets (and takes ownership of) its own copy
      modelPath,
      tokenizerJson: folder.tokenizerJson,
      tokenizerConfigJson: folder.tokenizerConfigJson,
      tokenizer: folder.spec.tokenizer,
      pooling: folder.spec.pooling,
      output: folder.spec.output,
      maxTokens,
      threads: settings.threads,
      wasmPaths: options.wasmPaths,
      runPlan: settings.runPlan,
    }),
  };
}

async function startPool(backend: Backend, context: StartContext): Promise<{ pool: WorkerPool; variant: Variant }> {
  const { options, caps, folder, loader, platform } = context;
  let variant: Variant =
    options.variant ??
    (backend === 'wasm' ? 'int8' : backend === 'native' ? nativeVariant : caps.webgpuF16 ? 'fp16' : 'fp32');
  // A folder without the default variant's file (e.g. only onnx/model.onnx) still loads: fp32 is the fallback.
  // A variant the caller named must exist.
  if (options.variant === undefined && variant !== 'fp32' && !(await loader.exists(variant))) variant = 'fp32';
  const start = async (v: Variant): Promise<WorkerPool> =>
    WorkerPool.start({
      setup: await setupFor(backend, v, context),
      onProgress: options.onProgress,
      createWorker: platform.createWorker,
      // A lost WebGPU device: same variant on WASM (fp16 -> fp32, which the CPU runs), so vectors stay comparable.
      failover: backend === 'webgpu' ? () => setupFor('wasm', v === 'fp16' ? 'fp32' : v, context) : undefined,
    });
  let pool = await start(variant);
  if (variant === 'fp16' && options.variant === undefined && !(await fp16MatchesFp32(pool, context))) {
    // Without a working shader-f16 path ORT-web returns wrong numbers silently: use fp32 instead.
    pool.close();
    variant = 'fp32';
    pool = await start(variant);
  }
  if (folder.spec.dimensions !== undefined && folder.spec.dimensions !== pool.dimensions) {
    pool.close();
    throw new ModelLoadError(
      `The model config says ${folder.spec.dimensions} dimensions but the model outputs ${pool.dimensions}`,
    );
  }
  return { pool, variant };
}

async function fp16MatchesFp32(fp16: WorkerPool, context: StartContext): Promise<boolean> {
  let reference: WorkerPool;
  try {
    reference = await WorkerPool.start({
      setup: await setupFor('webgpu', 'fp32', context, 1),
      onProgress: undefined,
      failover: undefined,
      createWorker: context.platform.createWorker,
    });
  } catch {
    return false; // no fp32 reference, no proof: the caller falls back to fp32 (or, for `auto`, to WASM)
  }
  try {
    const [a, b] = await Promise.all([fp16.run(probeTexts), reference.run(probeTexts)]);
    return a.every((v, i) => {
      const w = b[i];
      if (!(v instanceof Float32Array) || !(w instanceof Float32Array)) return false;
      let dot = 0;
      for (let d = 0; d < v.length; d++) dot += v[d]! * w[d]!;
      return dot >= 0.995;
    });
  } finally {
    reference.close();
  }
}
