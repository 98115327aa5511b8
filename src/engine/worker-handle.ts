/**
 * The real {@link PoolWorker}: a module Worker behind Comlink, with crash, timeout and device-lost detection. Every call races the worker's failure, so a worker that dies mid-batch rejects the
 * call with a {@link WorkerFailure} (the pool replaces it and retries the batch) instead of hanging forever.
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

export class WorkerHandle implements PoolWorker {
  readonly #worker: Worker;
  readonly #remote: Comlink.Remote<EmbedWorkerApi>;
  /** Aborted on terminate: removes every listener this handle put on the worker. */
  readonly #listeners = new AbortController();
  readonly #failed: Promise<never>;
  #fail!: (failure: WorkerFailure) => void;
  #failure: WorkerFailure | undefined;
  #onFailure: ((failure: WorkerFailure) => void) | undefined;

  constructor(label: string) {
    // `.js`, not `.ts`: the compiled library ships embed.worker.js next to this file, and Vite resolves the
    // name to the .ts source in our own build. Bundlers only recognise this exact `new Worker(new URL(...))` shape,
    // with static options (so no per-worker `name`: Vite 5 and webpack reject or ignore computed ones).
    this.#worker = new Worker(new URL('../worker/embed.worker.js', import.meta.url), { type: 'module' });
    this.#remote = Comlink.wrap<EmbedWorkerApi>(this.#worker);
    this.#failed = new Promise<never>((_, reject) => {
      this.#fail = (failure) => {
        if (this.#failure) return;
        this.#failure = failure;
        reject(failure);
        this.#onFailure?.(failure);
      };
    });
    this.#failed.catch(() => undefined); // observed through race(); never an unhandled rejection
    const signal = this.#listeners.signal;
    this.#worker.addEventListener(
      'error',
      (event) => {
        event.preventDefault();
        this.#fail(
          new WorkerFailure('crashed', `${label} crashed: ${event.message || 'uncaught error in the worker'}`),
        );
      },
      { signal },
    );
    this.#worker.addEventListener(
      'messageerror',
      () => this.#fail(new WorkerFailure('crashed', `${label} sent a message that could not be deserialised`)),
      { signal },
    );
    this.#worker.addEventListener(
      'message',
      (event: MessageEvent<unknown>) => {
        if (isWorkerEvent(event.data) && event.data.agentmem === 'device-lost') {
          this.#fail(
            new WorkerFailure(
              'lost its WebGPU device',
              `${label} lost its WebGPU device (${event.data.reason}): ${event.data.message}`,
            ),
          );
        }
      },
      { signal },
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
    this.#worker.terminate();
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
