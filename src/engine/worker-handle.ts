/**
 * The real {@link PoolWorker}: a worker behind Comlink, with crash, timeout and device-lost detection. Every call
 * races the worker's failure, so a worker that dies mid-batch rejects the call with a {@link WorkerFailure} (the
 * pool replaces it and retries the batch) instead of hanging forever. The worker itself comes from a
 * {@link WorkerPort}: a module Web Worker in a browser ({@link browserWorkerPort}), a worker thread in Node.
 */
import * as Comlink from 'comlink';
import { deserializeError } from '../errors.js';
import { WorkerFailure, type PoolWorker } from './pool-worker.js';
import {
  deviceLostErrorName,
  isWorkerEvent,
  type EmbedOutput,
  type EmbedWorkerApi,
  type WorkerInit,
  type WorkerReady,
  type WorkerResult,
} from '../worker/protocol.js';

/** What a handle needs from the platform's worker: a Comlink endpoint, its deaths and events, and a way to stop it. */
export interface WorkerPort {
  readonly endpoint: Comlink.Endpoint;
  /**
   * Routes the worker's own death (`crash`, with a message naming the worker) and the events it posts outside
   * Comlink's calls (`event`) until `signal` aborts.
   */
  listen(on: { crash(message: string): void; event(data: unknown): void }, signal: AbortSignal): void;
  terminate(): void;
}

/** A module Web Worker running `embed.worker.js`. */
export function browserWorkerPort(label: string): WorkerPort {
  // `.js`, not `.ts`: the compiled library ships embed.worker.js next to this file, and Vite resolves the
  // name to the .ts source in our own build. Bundlers only recognise this exact `new Worker(new URL(...))` shape,
  // with static options (so no per-worker `name`: Vite 5 and webpack reject or ignore computed ones).
  const worker = new Worker(new URL('../worker/embed.worker.js', import.meta.url), { type: 'module' });
  return {
    endpoint: worker,
    listen(on, signal) {
      worker.addEventListener(
        'error',
        (event) => {
          event.preventDefault();
          on.crash(`${label} crashed: ${event.message || 'uncaught error in the worker'}`);
        },
        { signal },
      );
      worker.addEventListener(
        'messageerror',
        () => on.crash(`${label} sent a message that could not be deserialised`),
        { signal },
      );
      worker.addEventListener('message', (event: MessageEvent<unknown>) => on.event(event.data), { signal });
    },
    terminate: () => worker.terminate(),
  };
}

export class WorkerHandle implements PoolWorker {
  readonly #port: WorkerPort;
  readonly #remote: Comlink.Remote<EmbedWorkerApi>;
  /** Aborted on terminate: removes every listener this handle put on the worker. */
  readonly #listeners = new AbortController();
  readonly #failed: Promise<never>;
  #fail!: (failure: WorkerFailure) => void;
  #failure: WorkerFailure | undefined;
  #onFailure: ((failure: WorkerFailure) => void) | undefined;

  constructor(label: string, port: WorkerPort) {
    this.#port = port;
    this.#remote = Comlink.wrap<EmbedWorkerApi>(port.endpoint);
    this.#failed = new Promise<never>((_, reject) => {
      this.#fail = (failure) => {
        if (this.#failure) return;
        this.#failure = failure;
        reject(failure);
        this.#onFailure?.(failure);
      };
    });
    this.#failed.catch(() => undefined); // observed through race(); never an unhandled rejection
    port.listen(
      {
        crash: (message) => this.#fail(new WorkerFailure('crashed', message)),
        event: (data) => {
          if (isWorkerEvent(data) && data.agentmem === 'device-lost') {
            this.#fail(
              new WorkerFailure(
                'lost its WebGPU device',
                `${label} lost its WebGPU device (${data.reason}): ${data.message}`,
              ),
            );
          }
        },
      },
      this.#listeners.signal,
    );
  }

  get onFailure(): ((failure: WorkerFailure) => void) | undefined {
    return this.#onFailure;
  }

  set onFailure(listener: ((failure: WorkerFailure) => void) | undefined) {
    this.#onFailure = listener;
  }

  get failure(): WorkerFailure | undefined {
    return this.#failure;
  }

  init(init: WorkerInit, timeoutMs: number): Promise<WorkerReady> {
    return this.#call(() => this.#remote.init(Comlink.transfer(init, [init.model])), timeoutMs, 'loading the model');
  }

  warmup(runs: number, timeoutMs: number): Promise<number> {
    return this.#call(() => this.#remote.warmup(runs), timeoutMs, 'warming up');
  }

  embed(texts: readonly string[], timeoutMs: number): Promise<EmbedOutput> {
    return this.#call(() => this.#remote.embed(texts), timeoutMs, `a batch of ${texts.length}`);
  }

  dispose(): Promise<void> {
    return this.#call(() => this.#remote.dispose(), 30_000, 'releasing the session');
  }

  loseDevice(): Promise<boolean> {
    return this.#call(() => this.#remote.loseDevice(), 30_000, 'losing the device');
  }

  /**
   * Also lets go of everything that could keep this handle alive: Comlink's module-level FinalizationRegistry
   * holds the Worker while the proxy lives, and the Worker's listeners hold this handle (and, via onFailure, the pool).
   */
  terminate(failure?: WorkerFailure): void {
    this.#port.terminate();
    this.#fail(failure ?? new WorkerFailure('was terminated', 'The worker was terminated'));
    if (this.#listeners.signal.aborted) return;
    this.#listeners.abort();
    this.#onFailure = undefined;
    this.#remote[Comlink.releaseProxy]();
  }

  async #call<T>(send: () => Promise<WorkerResult<T>>, timeoutMs: number, what: string): Promise<T> {
    if (this.#failure) throw this.#failure;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const failure = new WorkerFailure('timed out', `The worker took longer than ${timeoutMs} ms on ${what}`);
        reject(failure);
        this.terminate(failure);
      }, timeoutMs);
    });
    try {
      const result = await Promise.race([send(), this.#failed, timeout]);
      if (result.ok) return result.value;
      if (result.error.name === deviceLostErrorName) {
        const failure = new WorkerFailure('lost its WebGPU device', result.error.message);
        this.#fail(failure);
        throw this.#failure ?? failure;
      }
      throw deserializeError(result.error);
    } finally {
      clearTimeout(timer);
    }
  }
}
