/**
 * The GPU bench's knobs, read once from the environment (documented in gpu-bench.ts and bench/gpu/README.md).
 */
import { join, resolve } from 'node:path';
import type { ShapeSteps } from '../../src/worker/protocol.js';

export const env = process.env;
export const EP = (env['EP'] ?? 'webgpu') as 'webgpu' | 'wasm';
export const VARIANT = env['VARIANT'] ?? 'fp32';
export const MODEL_DIR = resolve(env['MODEL_DIR'] ?? 'public/models/minilm-l6');
export const ORT_DIR = resolve(env['ORT_DIR'] ?? 'node_modules/onnxruntime-web/dist');
export const BATCHES = (env['BATCHES'] ?? '1,32,256,1024,2048').split(',').filter(Boolean).map(Number);
export const SECS = Number(env['SECS'] ?? 3);
/**
 * Sustained configurations, `callers/maxBatch/depth/pooling/runCap/workers/overhead/steps/attention`: `default` (or
 * left out) takes the engine's WebGPU setting for this machine (`overhead` = `runOverheadTokens`, the run cost length
 * grouping uses; `steps` = `LxC`, each run's padded length rounded up to a multiple of L and its rows to a multiple of
 * C, or `none` for exact shapes; `attention` = `maxAttentionPerRun`, rows x padded length² per run, or `none`).
 * The first is the engine as shipped; the others are what it was chosen
 * over: one worker, one batch per worker, pooling on the CPU, bigger batches, more workers.
 */
export const SUSTAINED = (
  env['SUSTAINED'] ??
  '12288/default/default/graph/default/default;4096/1024/2/graph/default/1;4096/1024/1/graph/default/1;4096/1024/2/cpu/default/1;16384/2048/2/graph/default/default;12288/1024/2/graph/default/4'
)
  .split(';')
  .filter(Boolean)
  .map((spec) => {
    const [callers, maxBatch, depth, pooling, runCap, threads, overhead, steps, attention] = spec.split('/');
    const number = (v: string | undefined): number | undefined =>
      v === undefined || v === 'default' ? undefined : Number(v);
    return {
      callers: Number(callers),
      maxBatch: maxBatch === 'default' ? undefined : Number(maxBatch),
      depth: depth === 'default' ? undefined : Number(depth),
      pooling: pooling === 'cpu' ? ('cpu' as const) : ('graph' as const),
      runCap: number(runCap),
      workers: number(threads),
      overhead: number(overhead),
      steps: shapeSteps(steps),
      attention: attention === 'none' ? null : number(attention),
    };
  });
/** `LxC` -> shape steps; `none` -> null (exact shapes); `default` or nothing -> undefined (the engine's). */
export function shapeSteps(spec: string | undefined): ShapeSteps | null | undefined {
  if (spec === undefined || spec === 'default' || spec === '') return undefined;
  if (spec === 'none') return null;
  const [length, count] = spec.split('x').map(Number);
  if (!Number.isInteger(length) || !Number.isInteger(count) || length! < 1 || count! < 1)
    throw new Error(`Expected shape steps like 8x64, got ${spec}`);
  return { length: length!, count: count! };
}
/** Shape steps for the batch rows, e.g. `default,none,16x64`. */
export const BATCH_STEPS = (env['BATCH_STEPS'] ?? 'default').split(',').map(shapeSteps);
export const RUN_CAPS = (env['RUN_CAPS'] ?? 'default').split(',').map((c) => (c === 'default' ? undefined : Number(c)));
export const FIXED = (env['FIXED'] ?? '')
  .split(',')
  .filter(Boolean)
  .map((f) => f.split('x').map(Number) as [number, number]);
export const SUSTAINED_SECS = Number(env['SUSTAINED_SECS'] ?? 10);
export const FP16 = env['FP16'] ?? 'auto';
export const TEXTS = env['TEXTS'] === 'paragraphs' ? 'paragraphs' : 'sentences';
export const OUT_JSON = env['OUT_JSON'] ?? join(env['OUT'] ?? '.tmp', 'gpu-results.json');
export const T0 = performance.now();
export const log = (...a: unknown[]): void =>
  console.log(`[gpu-bench +${((performance.now() - T0) / 1000).toFixed(1)}s]`, ...a);
