/**
 * Fault injection for the browser tests, kept off the public classes: the test pages import this module directly
 * (the package does not export it). An embedder registers its pool here; a WeakMap, so a closed one is still freed.
 */
import type { Embedder } from './embedder.js';
import { WorkerFailure, type PoolWorker } from './pool-worker.js';
import type { WorkerPool } from './pool.js';

const pools = new WeakMap<object, WorkerPool>();

export function registerPool(owner: object, pool: WorkerPool): void {
  pools.set(owner, pool);
}

/** The running worker in slot `index` of the embedder's pool, if any. */
export function workerAt(embedder: Embedder, index: number): PoolWorker | undefined {
  return pools.get(embedder)?.workerAt(index);
}

/** Kills worker `index` as a crash would (its batches, if any, are retried elsewhere). */
export function terminateWorker(embedder: Embedder, index: number): boolean {
  const worker = pools.get(embedder)?.workerAt(index);
  worker?.terminate(new WorkerFailure('crashed', `Worker ${index} was terminated by a test hook`));
  return worker !== undefined;
}

/** Releases worker `index`'s session while the worker stays up, so every run on it fails. */
export async function disposeSession(embedder: Embedder, index: number): Promise<boolean> {
  const worker = pools.get(embedder)?.workerAt(index);
  await worker?.dispose();
  return worker !== undefined;
}

/** Destroys worker `index`'s WebGPU device (the real `device.lost` path). */
export async function loseDevice(embedder: Embedder, index: number): Promise<boolean> {
  return (await pools.get(embedder)?.workerAt(index)?.loseDevice()) ?? false;
}
