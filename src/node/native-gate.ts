/// <reference types="node" />
/**
 * Stopping a worker thread only while it is outside onnxruntime-node. `worker.terminate()` while the thread is
 * inside the addon (seen while it built a session; a run returns through the same N-API calls) makes those calls
 * fail, and node-addon-api throws a C++ exception nothing catches: `std::terminate` aborts the whole process. So
 * the thread counts its native calls in shared memory, and a stop waits until the count is zero.
 */

/** Bit set by the parent: stop requested. The bits below it count native calls in progress. */
const STOP = 1 << 30;
const COUNT = STOP - 1;
/** How often a waiting stop looks again: native calls last milliseconds to seconds. */
const POLL_MS = 2;

/** The shared word both sides see: made by the parent, passed to the thread in `workerData`. */
export function createGate(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(4));
}

/** What a native call gives once its thread is being stopped: nothing, ever (the thread is about to end). */
const never = new Promise<never>(() => undefined);

/**
 * In the thread: runs `call` (which enters the addon), counted until the promise it returns settles. Once the
 * thread is being stopped, no call starts and none delivers its result: the parent gave up on this thread, and a
 * batch in it must be lost whole, as in a crash, so that the pool retries it elsewhere exactly once.
 */
export async function native<T>(gate: Int32Array, call: () => Promise<T>): Promise<T> {
  for (;;) {
    const seen = Atomics.load(gate, 0);
    if (seen & STOP) return never;
    if (Atomics.compareExchange(gate, 0, seen, seen + 1) === seen) break;
  }
  let outcome: { ok: true; value: T } | { ok: false; error: unknown };
  try {
    outcome = { ok: true, value: await call() };
  } catch (error) {
    outcome = { ok: false, error };
  }
  Atomics.sub(gate, 0, 1);
  if (Atomics.load(gate, 0) & STOP) return never;
  if (!outcome.ok) throw outcome.error;
  return outcome.value;
}

/**
 * In the parent: marks the thread as stopping (no native call starts after this), waits until none is in
 * progress, then terminates it. Resolves once the thread has exited.
 */
export async function stopOutsideNative(gate: Int32Array, stop: () => Promise<unknown>): Promise<void> {
  Atomics.or(gate, 0, STOP);
  while ((Atomics.load(gate, 0) & COUNT) !== 0) await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  await stop();
}
