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
  if (cache === false) {
    cacheEnabled = false;
    memoryEntries = 0;
  } else if (cache !== undefined && cache !== true) {
    const c = plainObject('cache', cache);
    for (const key of Object.keys(c)) {
      if (key !== 'memoryEntries')
        throw new ValidationError(`Unknown option \`cache.${key}\`; expected \`cache.memoryEntries\``);
    }
    if (c['memoryEntries'] !== undefined)
      memoryEntries = integerInRange('cache.memoryEntries', c['memoryEntries'], 0, 10_000_000);
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
 * WebGPU: the size one run's largest float32 tensor may reach, the feed-forward activations (tokens x
 * intermediate size) or one layer's attention scores (rows x heads x length²). Runs past it were several times
 * slower per text on an H200 (see `maxTokensPerRun` in settingsFor); minilm-l6's sizes give the default bounds.
 */
const GPU_RUN_TENSOR_BYTES = 128 * 2 ** 20;

/** Native intra-op threads per worker by default (bench/README.md, "Node"). */
const nativeThreads = 1;

/**
 * Per-backend defaults. WASM and native (onnxruntime-node's CPU runtime in each worker thread): one single-threaded
 * worker per core (at most 4), batches up to 64, a small per-run cost so batches split by length eagerly. WebGPU: one worker per 4 cores (1-3), batches up to 1024 (a run costs
 * ~15-20 ms whatever its size up to ~32 texts), a large per-run cost so batches stay whole, two batches per worker.
 */
export function settingsFor(
  options: CheckedOptions,
  backend: Backend,
  env: { readonly hardwareConcurrency: number; readonly crossOriginIsolated: boolean },
): BackendSettings {
  // WebGPU: a run's CPU work (tokenising, recording ~150 GPU commands) is single-threaded per worker, and bounded
  // one worker at ~4-5k texts/s on an H200 where 3 workers reached ~9-10k (bench/results/gpu-2026-11-26-*.json).
  // One worker per 4 cores, at most 3: a 2-4 core laptop keeps one session (and one copy of the weights on its GPU).
  // ORT-web drops to one thread without cross-origin isolation; so do we, quietly (the user's setting is kept).
  // Native: onnxruntime-node's intra-op threads, no isolation needed.
  const threads =
    backend === 'native'
      ? (options.threads ?? nativeThreads)
      : backend === 'wasm' && env.crossOriginIsolated
        ? (options.threads ?? 1)
        : 1;
  // WASM and native: one worker per core, or per `threads` cores when each worker runs several threads; at most 4.
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
      // A run's fixed cost in padded tokens. WASM, measured in Chromium (bare onnxruntime-web, minilm-l6 int8, one
      // thread): ~2 ms per run + ~0.42 ms per token, i.e. ~5 tokens; 8 covers our tensor and pooling work. At 32 a
      // batch of ~10 mixed-length texts was padded 17% (5% at 8), and a 20 callers x 5 adds probe ran ~110 adds/s (~143 at 8).
      runOverheadTokens: webgpu ? 4096 : 8,
      // Bounds on one run's size. WebGPU: a run whose largest intermediate tensors pass ~128 MiB (the feed-forward
      // activations, tokens x 1,536 floats for minilm-l6: 21,845 tokens; the attention scores, rows x 12 heads x
      // length² floats: 2.8M rows x length², 128 MiB / 48 bytes) was several times slower per text here. H200,
      // 3 workers, 4,096 callers adding paragraphs of ~80-230 tokens: 216-244 adds/s at the earlier 32,768 tokens and
      // no attention bound, 809 at 21,504 tokens alone, 953-1,174 at 16,384 tokens alone, 1,001 and 928 with both
      // bounds as shipped (bench/results/gpu-2026-11-27-{2,3,4,5}-*.json); sentences (9-37 tokens) keep the same runs,
      // 11,373 / 10,900. A wider model lowers both ({@link boundRunsForModel}).
      maxTokensPerRun: webgpu ? 21_504 : 4096,
      // WASM: a run's attention scores (rows x length² per head, in float32) that outgrow the CPU caches cost more per
      // token, not less. One worker, minilm-l6 int8, medians of 8 alternating rounds: 182-token texts 93-95 ms each in
      // runs of 1-2 texts, 99-111 ms in runs of 3-12; 62-token texts 27.9 ms in runs of 6-12, 29.5 in runs of 24;
      // 18-token texts flat from 16 to 64 per run (7.7-7.9 ms). Two workers, embedMany(64 texts of ~180 tokens):
      // 1.10x with this bound (14 pairs, 11 of them faster); short and mixed texts: the same plans, no change.
      maxAttentionPerRun: webgpu ? Math.floor(GPU_RUN_TENSOR_BYTES / (12 * 4)) : 65_536,
      // WebGPU: ORT-web builds GPU programs and buffers per input shape, and batches of real texts gave a new shape
      // almost every run. Rounding rows to 64s (powers of two below) and lengths to 8s: sustained adds on an H100 with
      // 3 workers 12,198 / 12,166 vs 8,997 / 7,841 exact, one worker 5,476 vs 4,724; H200 12,074 / 11,359 vs
      // 8,720 / 7,797; for ~5% more padded tokens (bench/results/gpu-2026-11-26-{6,7}-*.json). WASM: exact shapes
      // (its kernels take any shape; rounding would only add work).
      shapeSteps: webgpu ? { count: 64, length: 8 } : undefined,
    },
    // WebGPU: the CPU work around a run (tokenising, tensors, pooling, the transfer) is ~half a GPU run at batch
    // 1024, and overlaps it with a second batch in hand. WASM and native (onnxruntime-node runs synchronously on the
    // calling thread too): the run holds the worker's thread; a second batch
    // would only wait there instead of in the coalescer, where it can still grow or go to another worker.
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
