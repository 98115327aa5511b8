/**
 * Validates the `EmbedderOptions` (p-queue-style messages) and derives the per-backend defaults.
 * Validation is synchronous and complete before anything is fetched; the derived settings need the backend,
 * which `auto` only knows after probing.
 */
import { ValidationError } from '../errors.js';
import type { ModelSpec } from '../models/config.js';
import { expected, integerInRange, nonEmptyString, numberInRange, oneOf, plainObject } from '../validate.js';
import type { Backend, RunPlan, Variant } from '../worker/protocol.js';
import type { EmbedderProgress, PersistentEmbeddingCache } from './types.js';

const known = new Set([
  'model',
  'backend',
  'variant',
  'workers',
  'threads',
  'maxBatch',
  'maxWaitMs',
  'maxQueue',
  'maxTokens',
  'timeoutMs',
  'cache',
  'persistentCache',
  'wasmPaths',
  'onProgress',
]);

/** The backends `backend` accepts in a browser; the Node entry accepts `native` instead of `webgpu`. */
export const browserBackends = ['auto', 'webgpu', 'wasm'] as const;

/** The ONNX file the native backend loads by default (bench/README.md, "Node": measured against fp32). */
export const nativeVariant: Variant = 'int8';

/** Tokens per text before truncation, unless `maxTokens` says otherwise (the model's own limit may be lower). */
export const DEFAULT_MAX_TOKENS = 256;

/**
 * Persistent cache entries kept unless `cache.maxEntries` says otherwise: enough that a typical app never evicts,
 * few enough that an app running for months keeps a bounded second copy of its vectors.
 */
export const DEFAULT_MAX_ENTRIES = 50_000;

export interface CheckedOptions {
  readonly model: string;
  readonly backend: 'auto' | Backend;
  readonly variant: Variant | undefined;
  readonly workers: number | undefined;
  readonly threads: number | undefined;
  readonly maxBatch: number | undefined;
  readonly maxWaitMs: number | undefined;
  readonly maxQueue: number;
  readonly maxTokens: number;
  readonly timeoutMs: number | undefined;
  /** 0 when caching is off. */
  readonly memoryEntries: number;
  /** Entries the persistent store may hold (`cache.maxEntries`); 0 when caching is off. */
  readonly maxEntries: number;
  readonly cacheEnabled: boolean;
  readonly persistentCache: PersistentEmbeddingCache | undefined;
  readonly wasmPaths: string | { readonly wasm?: string; readonly mjs?: string } | undefined;
  readonly onProgress: ((p: EmbedderProgress) => void) | undefined;
}

/** Settings once the backend is known. */
export interface BackendSettings {
  readonly backend: Backend;
  readonly workers: number;
  readonly threads: number;
  readonly maxBatch: number;
  readonly maxWaitMs: number;
  readonly timeoutMs: number;
  /** How each worker splits a batch into model runs and rounds their shapes. */
  readonly runPlan: RunPlan;
  /** Batches one worker holds at once: it prepares the next while the model runs the current one. */
  readonly pipelineDepth: number;
}

export function checkOptions(
  options: unknown,
  backends: readonly ['auto', ...Backend[]] = browserBackends,
): CheckedOptions {
  const o = plainObject('options', options);
  for (const key of Object.keys(o)) {
    if (!known.has(key))
      throw new ValidationError(
        `Unknown option \`${key}\`; expected one of ${[...known].map((k) => `\`${k}\``).join(', ')}`,
      );
  }
  const optional = <T>(key: string, check: (value: unknown) => T): T | undefined =>
    o[key] === undefined ? undefined : check(o[key]);

  const cache = o['cache'];
  let cacheEnabled = true;
  let memoryEntries = 10_000;
  let maxEntries = DEFAULT_MAX_ENTRIES;
  if (cache === false) {
    cacheEnabled = false;
    memoryEntries = 0;
    maxEntries = 0;
  } else if (cache !== undefined && cache !== true) {
    const c = plainObject('cache', cache);
    for (const key of Object.keys(c)) {
      if (key !== 'memoryEntries' && key !== 'maxEntries')
        throw new ValidationError(
          `Unknown option \`cache.${key}\`; expected \`cache.memoryEntries\` or \`cache.maxEntries\``,
        );
    }
    if (c['memoryEntries'] !== undefined)
      memoryEntries = integerInRange('cache.memoryEntries', c['memoryEntries'], 0, 10_000_000);
    if (c['maxEntries'] !== undefined) maxEntries = integerInRange('cache.maxEntries', c['maxEntries'], 0, 10_000_000);
  }

  const persistentCache = optional('persistentCache', (v) => {
    const p = v as Partial<PersistentEmbeddingCache> | null;
    if (p === null || typeof p !== 'object' || typeof p.getMany !== 'function' || typeof p.putMany !== 'function') {
      throw expected('persistentCache', 'an object with `getMany` and `putMany` methods', v);
    }
    return p as PersistentEmbeddingCache;
  });

  const wasmPaths = optional('wasmPaths', (v) => {
    if (typeof v === 'string') return v;
    const w = plainObject('wasmPaths', v);
    for (const key of Object.keys(w)) {
      if (key !== 'wasm' && key !== 'mjs')
        throw new ValidationError(`Unknown option \`wasmPaths.${key}\`; expected \`wasm\` or \`mjs\``);
      if (typeof w[key] !== 'string') throw expected(`wasmPaths.${key}`, 'a string', w[key]);
    }
    return w;
  });

  const onProgress = optional('onProgress', (v) => {
    if (typeof v !== 'function') throw expected('onProgress', 'a function', v);
    return reportingErrors(v as (p: EmbedderProgress) => void);
  });

  return {
    model: nonEmptyString('model', o['model']),
    backend: optional('backend', (v) => oneOf('backend', v, backends)) ?? 'auto',
    variant: optional('variant', (v) => oneOf('variant', v, ['fp32', 'fp16', 'int8'] as const)),
    workers: optional('workers', (v) => integerInRange('workers', v, 1, 16)),
    threads: optional('threads', (v) => integerInRange('threads', v, 1, 16)),
    maxBatch: optional('maxBatch', (v) => integerInRange('maxBatch', v, 1, 8192)),
    maxWaitMs: optional('maxWaitMs', (v) => numberInRange('maxWaitMs', v, 0, 10_000)),
    maxQueue: optional('maxQueue', (v) => integerInRange('maxQueue', v, 1, 1_000_000)) ?? 4096,
    maxTokens: optional('maxTokens', (v) => integerInRange('maxTokens', v, 2, 8192)) ?? DEFAULT_MAX_TOKENS,
    timeoutMs: optional('timeoutMs', (v) => numberInRange('timeoutMs', v, 1, 86_400_000)),
    memoryEntries,
    maxEntries,
    cacheEnabled,
    persistentCache: cacheEnabled ? persistentCache : undefined,
    wasmPaths,
    onProgress,
  };
}

/**
 * The caller's progress listener, made safe to call from the loader: an exception it throws is reported as
 * uncaught (as an event listener's would be) instead of failing the load or leaving started workers behind.
 */
function reportingErrors(listener: (p: EmbedderProgress) => void): (p: EmbedderProgress) => void {
  return (progress) => {
    try {
      listener(progress);
    } catch (error) {
      queueMicrotask(() => {
        throw error;
      });
    }
  };
}

/**
 * WebGPU: the size one run's largest float32 tensor may reach, the feed-forward activations (tokens x intermediate
 * size) or one layer's attention scores (rows x heads x length²); runs past it were several times slower per text.
 */
const GPU_RUN_TENSOR_BYTES = 128 * 2 ** 20;

/** Native intra-op threads per worker by default (bench/README.md, "Node"). */
const nativeThreads = 1;

/**
 * Per-backend defaults (measurements: bench/README.md, "How the engine's defaults were chosen"). WASM and native:
 * one single-threaded worker per core (at most 4), batches up to 64, cheap runs so batches split by length. WebGPU:
 * one worker per 4 cores (1-3), batches up to 1024, two per worker, costly runs so batches stay whole.
 */
export function settingsFor(
  options: CheckedOptions,
  backend: Backend,
  env: { readonly hardwareConcurrency: number; readonly crossOriginIsolated: boolean },
): BackendSettings {
  // ORT-web drops to one thread without cross-origin isolation; so do we, quietly (the user's setting is kept).
  // Native: onnxruntime-node's intra-op threads, no isolation needed.
  const threads =
    backend === 'native'
      ? (options.threads ?? nativeThreads)
      : backend === 'wasm' && env.crossOriginIsolated
        ? (options.threads ?? 1)
        : 1;
  // WASM and native: one worker per core, or per `threads` cores when each worker runs several threads; at most 4.
  // WebGPU: a run's CPU work is single-threaded per worker, so a few workers help; a small machine keeps one.
  const workers =
    options.workers ??
    (backend === 'webgpu'
      ? Math.min(3, Math.max(1, Math.floor(env.hardwareConcurrency / 4)))
      : Math.max(1, Math.min(Math.floor(env.hardwareConcurrency / threads), 4)));
  // Single-threaded workers may outnumber the cores (the benchmark compares 4 on 2); threaded ones may not.
  if (threads > 1 && workers * threads > env.hardwareConcurrency) {
    const count = options.workers === undefined ? `${workers} (the default)` : `${workers}`;
    const cores = backend === 'native' ? 'the available cores' : 'navigator.hardwareConcurrency';
    throw new ValidationError(
      `Expected \`workers\` × \`threads\` to be at most ${cores} (${env.hardwareConcurrency}), got ${count} × ${threads}`,
    );
  }
  const webgpu = backend === 'webgpu';
  return {
    backend,
    workers,
    threads,
    maxBatch: options.maxBatch ?? (webgpu ? 1024 : 64),
    maxWaitMs: options.maxWaitMs ?? (webgpu ? 10 : 4),
    timeoutMs: options.timeoutMs ?? (webgpu ? 120_000 : 60_000),
    runPlan: {
      // A run's fixed cost in padded tokens: small on the CPU; on WebGPU a run costs ~the same up to ~32 texts.
      runOverheadTokens: webgpu ? 4096 : 8,
      // WebGPU: minilm-l6's largest tensors stay under ~128 MiB; a wider model lowers both ({@link boundRunsForModel}).
      // WASM: attention scores that outgrow the CPU caches cost more per token, not less.
      maxTokensPerRun: webgpu ? 21_504 : 4096,
      maxAttentionPerRun: webgpu ? Math.floor(GPU_RUN_TENSOR_BYTES / (12 * 4)) : 65_536,
      // ORT-web builds GPU programs and buffers per input shape: rounded shapes let it reuse them. WASM kernels take
      // any shape, so rounding would only add work.
      shapeSteps: webgpu ? { count: 64, length: 8 } : undefined,
    },
    // WebGPU: a second batch in hand is tokenised while the GPU runs the first. WASM and native: the run holds the
    // worker's thread, so a second batch would only wait there instead of in the coalescer, where it can still grow.
    pipelineDepth: webgpu ? 2 : 1,
  };
}

/**
 * WebGPU run bounds for a model bigger than minilm-l6: a wider feed-forward layer or more attention heads lower
 * them, so its runs stay under the same tensor size ({@link GPU_RUN_TENSOR_BYTES}). Never raised; WASM unchanged.
 */
export function boundRunsForModel(
  settings: BackendSettings,
  model: Pick<ModelSpec, 'intermediateSize' | 'attentionHeads'>,
): BackendSettings {
  if (settings.backend !== 'webgpu') return settings;
  const floatsPerTensor = GPU_RUN_TENSOR_BYTES / 4;
  const tokens = model.intermediateSize === undefined ? Infinity : Math.floor(floatsPerTensor / model.intermediateSize);
  const scores = model.attentionHeads === undefined ? Infinity : Math.floor(floatsPerTensor / model.attentionHeads);
  return {
    ...settings,
    runPlan: {
      ...settings.runPlan,
      maxTokensPerRun: Math.min(settings.runPlan.maxTokensPerRun, tokens),
      maxAttentionPerRun: Math.min(settings.runPlan.maxAttentionPerRun ?? Infinity, scores),
    },
  };
}
