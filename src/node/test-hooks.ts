/**
 * Fault injection for the Node tests, like `src/engine/test-hooks.ts` for the browser's: not exported by the
 * package; the tests import the built file directly.
 */
import type { Embedder } from '../engine/embedder.js';
import { workerAt } from '../engine/test-hooks.js';
import { workerThreads } from './platform.js';

/**
 * Stops worker `index`'s thread from outside, as a crash would: the engine sees the thread exit (not a
 * terminate() of its own) and must retry the thread's batch on a replacement. Like every stop, it waits for a
 * native call in progress to return (native-gate.ts), whose result the thread then withholds.
 */
export async function killThread(embedder: Embedder, index: number): Promise<boolean> {
  const handle = workerAt(embedder, index);
  const thread = handle && workerThreads.get(handle);
  if (!thread) return false;
  await thread.stop();
  return true;
}

export { terminateWorker } from '../engine/test-hooks.js';
export { threadsStopped } from './worker-port.js';
