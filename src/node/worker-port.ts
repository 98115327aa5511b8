/// <reference types="node" />
/**
 * A worker thread as the engine's {@link WorkerPort}: `embed.worker.js` beside this file, spoken to with Comlink
 * through a small adapter (Node's `MessagePort` emits data, not `MessageEvent`s). Unref'd: an idle embedder does
 * not keep the process alive; a call in flight does, through its timeout timer.
 */
import { Worker } from 'node:worker_threads';
import type { Endpoint } from 'comlink';
import type { WorkerPort } from '../engine/worker-handle.js';
import { errorMessage } from '../errors.js';
import { createGate, stopOutsideNative } from './native-gate.js';

export interface NodeWorkerPort extends WorkerPort {
  /** Ends the thread once it is outside onnxruntime-node (as terminate() does); resolves when it has exited. */
  stop(): Promise<void>;
}

/** Threads being stopped: a native call can keep one alive for a while after its pool has let go of it. */
const stopping = new Set<Promise<void>>();

/** Settles once every thread stopped so far has exited (tests wait for it before their process ends). */
export async function threadsStopped(): Promise<void> {
  while (stopping.size > 0) await Promise.all(stopping);
}

export function nodeWorkerPort(label: string): NodeWorkerPort {
  const gate = createGate();
  const worker = new Worker(new URL('./embed.worker.js', import.meta.url), {
    name: label,
    workerData: { gate },
    // A thread inherits the process's flags, but `--input-type` (a `node --input-type=module -e` script) makes
    // Node refuse to start it: its code is a file, not --eval input.
    execArgv: process.execArgv.filter((flag) => !flag.startsWith('--input-type')),
  });
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    if (stopped) return stopped;
    const done = stopOutsideNative(gate, () => worker.terminate());
    stopped = done.finally(() => stopping.delete(done));
    stopping.add(done);
    return stopped;
  };
  return {
    endpoint: endpointOf(worker),
    listen(on, signal) {
      const onError = (error: unknown): void => on.crash(`${label} crashed: ${errorMessage(error)}`);
      const onExit = (code: number): void => on.crash(`${label} exited with code ${code}`);
      const onMessageError = (): void => on.crash(`${label} sent a message that could not be deserialised`);
      const onMessage = (data: unknown): void => on.event(data);
      worker.on('error', onError).on('exit', onExit).on('messageerror', onMessageError).on('message', onMessage);
      // After every listener (Comlink's too): a 'message' listener refs the thread's port again.
      worker.unref();
      signal.addEventListener(
        'abort',
        () => {
          worker.off('error', onError).off('exit', onExit).off('messageerror', onMessageError);
          worker.off('message', onMessage);
        },
        { once: true },
      );
    },
    stop,
    terminate: () => void stop(),
  };
}

type Listener = EventListenerOrEventListenerObject;

/** Comlink's endpoint shape over a Node `Worker` or `MessagePort` (as comlink's own node-adapter does). */
export function endpointOf(port: {
  postMessage(message: unknown, transfer?: readonly Transferable[]): void;
  on(event: 'message', listener: (data: unknown) => void): unknown;
  off(event: 'message', listener: (data: unknown) => void): unknown;
}): Endpoint {
  const wrapped = new WeakMap<Listener, (data: unknown) => void>();
  return {
    postMessage: (message: unknown, transfer?: Transferable[]) => port.postMessage(message, transfer),
    addEventListener: (_type: string, listener: Listener) => {
      const forward = (data: unknown): void => {
        const event = { data } as MessageEvent;
        if (typeof listener === 'function') listener(event);
        else listener.handleEvent(event);
      };
      wrapped.set(listener, forward);
      port.on('message', forward);
    },
    removeEventListener: (_type: string, listener: Listener) => {
      const forward = wrapped.get(listener);
      if (forward) port.off('message', forward);
      wrapped.delete(listener);
    },
  };
}
