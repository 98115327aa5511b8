/**
 * N embedding workers, one model session each. A batch goes to the least-loaded free worker; a worker that
 * crashes, times out or loses its WebGPU device is replaced and its batch retried on another worker, so no
 * caller loses a result or gets one twice. A failed batch is retried in halves; after three failures on its way, a
 * part's callers get an `EmbeddingError` (pool-task.ts). A lost WebGPU device fails the whole pool over to WASM
 * without dropping queued batches. When no worker can be started any more, the pool fails for good: every batch
 * waiting in it, and every one sent later, gets the same `EmbeddingError` ({@link WorkerPool.failure}).
 *
 * The pool never queues work of its own beyond retries: the coalescer only sends a batch when
 * {@link WorkerPool.freeBatchPlaces} is positive, so batches keep growing in the coalescer while every worker is busy.
 * A worker holds up to `settings.pipelineDepth` batches: 1 on WASM (the run holds the worker's thread), 2 on
 * WebGPU, where the worker tokenises the next batch and pools the last one while the GPU runs.
 */
import { ClosedError, EmbeddingError, ModelLoadError, errorMessage } from '../errors.js';
import type { Backend } from '../worker/protocol.js';
import type { BackendSettings } from './options.js';
import {
  assign,
  createSlots,
  drop,
  freeBatchPlaces,
  launchWorker,
  leastLoaded,
  record,
  release,
  retire,
  running,
  suspect,
  takeTasks,
  type PoolSetup,
  type Slot,
} from './pool-slot.js';
import { retryAfterFailure, splitAfterError, textsIn, type ItemResult, type Task } from './pool-task.js';
import { WorkerFailure, type PoolWorker, type WorkerFactory } from './pool-worker.js';
import type { EmbedderProgress, WorkerStats } from './types.js';
import { WorkerHandle, browserWorkerPort } from './worker-handle.js';

export type { PoolSetup } from './pool-slot.js';
export type { ItemResult } from './pool-task.js';

/** Replacement workers that may fail to start in a row before a slot is given up. */
const maxRestartFailures = 3;

export interface PoolOptions {
  readonly setup: PoolSetup;
  readonly onProgress: ((p: EmbedderProgress) => void) | undefined;
  /** A WASM setup to fail over to when a WebGPU device is lost (undefined: no failover, fail the batches). */
  readonly failover: (() => Promise<PoolSetup>) | undefined;
  /** Starts one worker. @default a module Worker ({@link WorkerHandle}) */
  readonly createWorker?: WorkerFactory;
}

export class WorkerPool {
  #onProgress: PoolOptions['onProgress'];
  #failover: PoolOptions['failover'];
  readonly #createWorker: WorkerFactory;
  #setup: PoolSetup;
  #slots: Slot[] = [];
  readonly #pending: Task[] = [];
  #state: 'ready' | 'failing-over' | 'failed' | 'closed' = 'ready';
  /** Why the pool failed for good (every text sent from then on gets it). */
  #failure: EmbeddingError | undefined;
  #dimensions = 0;
  #retries = 0;
  /** Called when a worker becomes free (the coalescer may send the next batch). Set by whoever feeds the pool. */
  onAvailable: () => void = () => undefined;

  private constructor(options: PoolOptions) {
    this.#onProgress = options.onProgress;
    this.#failover = options.failover;
    this.#createWorker = options.createWorker ?? ((label) => new WorkerHandle(label, browserWorkerPort(label)));
    this.#setup = options.setup;
  }

  /** Starts every worker (session + warm-up) and resolves once all are ready; any failure rejects and stops them. */
  static async start(options: PoolOptions): Promise<WorkerPool> {
    const pool = new WorkerPool(options);
    await pool.#startSlots(options.setup);
    return pool;
  }

  get backend(): Backend {
    return this.#setup.settings.backend;
  }

  get settings(): BackendSettings {
    return this.#setup.settings;
  }

  get dimensions(): number {
    return this.#dimensions;
  }

  get state(): 'ready' | 'failing-over' | 'failed' | 'closed' {
    return this.#state;
  }

  /** Set once the pool has failed for good: no worker will run again, and every text gets this error. */
  get failure(): EmbeddingError | undefined {
    return this.#failure;
  }

  /** Batch places free on running workers, less those claimed by a retry: how many batches the coalescer may send now. */
  get freeBatchPlaces(): number {
    if (this.#state !== 'ready') return 0;
    return freeBatchPlaces(this.#slots, this.#setup.settings.pipelineDepth) - this.#pending.length;
  }

  /** Workers running or ready to run (a worker may hold `pipelineDepth` batches). */
  get workers(): number {
    return this.#slots.filter(running).length;
  }

  get busyWorkers(): number {
    return this.#slots.filter((s) => s.state === 'busy').length;
  }

  /** Texts in batches that workers are running or that wait for a retry. */
  get inFlightItems(): number {
    return this.#slots.reduce((n, s) => n + textsIn(s.tasks), textsIn(this.#pending));
  }

  get inFlight(): number {
    return this.busyWorkers + this.#pending.length;
  }

  /** Batches sent again after a worker crashed, timed out or lost its device. */
  get retries(): number {
    return this.#retries;
  }

  /** Embeds one batch. Resolves with one result per text (never rejects for one text's failure). */
  run(texts: readonly string[]): Promise<ItemResult[]> {
    if (this.#state === 'closed') return Promise.reject(new ClosedError('The embedder is closed'));
    if (this.#failure) return Promise.resolve(texts.map(() => this.#failure!));
    return new Promise((resolve, reject) => {
      this.#pending.push({ texts, attempts: 0, failures: [], resolve, reject });
      this.#pump();
    });
  }

  stats(): WorkerStats[] {
    return this.#slots.map((s) => ({ index: s.index, backend: s.backend, state: s.state, ...s.stats }));
  }

  /** The running worker in slot `index`, if any (for the test hooks). */
  workerAt(index: number): PoolWorker | undefined {
    const slot = this.#slots[index];
    return slot && slot.state !== 'closed' && slot.state !== 'failed' ? slot.handle : undefined;
  }

  close(): void {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    const closed = new ClosedError('The embedder was closed before this text was embedded');
    for (const task of this.#pending.splice(0)) task.reject(closed);
    for (const slot of this.#slots) {
      for (const task of slot.tasks.splice(0)) task.reject(closed);
      slot.state = 'closed';
      retire(slot);
    }
    // Nothing starts again: let go of the model bytes (held by makeInit and the failover) and of the feeder.
    this.#setup = {
      ...this.#setup,
      makeInit: () => {
        throw closed;
      },
    };
    this.#failover = undefined;
    this.#onProgress = undefined;
    this.onAvailable = () => undefined;
  }

  async #startSlots(setup: PoolSetup): Promise<void> {
    const slots = createSlots(setup.settings.workers, setup.settings.backend, this.#slots);
    this.#slots = slots;
    try {
      await Promise.all(slots.map((slot) => this.#startWorker(slot, setup)));
    } catch (error) {
      for (const slot of slots) drop(slot);
      throw error;
    }
  }

  async #startWorker(slot: Slot, setup: PoolSetup): Promise<void> {
    const { handle, ready } = await launchWorker(slot, setup, this.#createWorker, this.#onProgress);
    // Closed, replaced meanwhile, or a slot left behind by a failover: this worker is not wanted any more.
    if (this.#state === 'closed' || slot.handle !== handle || !this.#slots.includes(slot)) {
      handle.terminate();
      return;
    }
    if (this.#dimensions !== 0 && ready.dimensions !== this.#dimensions) {
      handle.terminate();
      throw new ModelLoadError(
        `Worker ${slot.index} reports ${ready.dimensions} dimensions, expected ${this.#dimensions}`,
      );
    }
    this.#dimensions = ready.dimensions;
    handle.onFailure = (failure) => this.#onWorkerFailure(slot, handle, failure);
    slot.state = 'idle';
    // A replacement worker is new capacity: the coalescer may be holding texts for it.
    this.#available();
  }

  #pump(): void {
    if (this.#state !== 'ready') return;
    const depth = this.#setup.settings.pipelineDepth;
    while (this.#pending.length > 0) {
      const best = leastLoaded(this.#slots, depth);
      if (!best) return;
      this.#dispatch(best, this.#pending.shift()!);
    }
  }

  #dispatch(slot: Slot, task: Task): void {
    const handle = slot.handle!;
    assign(slot, task);
    handle.embed(task.texts, this.#setup.settings.timeoutMs).then(
      (output) => {
        if (!release(slot, task)) return; // failed over or closed meanwhile; the task was already handed on
        slot.runFailures = 0;
        record(slot, task.texts.length, output);
        const dim = output.dimensions;
        task.resolve(task.texts.map((_, i) => output.vectors.slice(i * dim, (i + 1) * dim)));
        this.#available();
      },
      (error: unknown) => {
        if (error instanceof WorkerFailure) {
          // The slot is being replaced: #onWorkerFailure hands every batch it held (this one too) to a retry.
          this.#onWorkerFailure(slot, handle, error);
          return;
        }
        if (!slot.tasks.includes(task)) return;
        if (suspect(slot, task, error)) {
          if (!slot.checking) this.#check(slot, handle);
          return;
        }
        release(slot, task);
        this.#runtimeError(task, error);
        this.#available();
      },
    );
  }

  /**
   * Bad input fails on any worker; a sick session (its memory exhausted, its state broken) fails every run. The
   * warm-up texts, which this worker ran at start, tell them apart: if they fail too, the worker is retired and
   * replaced like a crashed one, and its batches are retried elsewhere; else the suspects are split as usual.
   */
  #check(slot: Slot, handle: PoolWorker): void {
    slot.checking = true;
    handle.warmup(1, this.#setup.settings.timeoutMs).then(
      () => {
        if (slot.handle !== handle) return; // failed, replaced or closed meanwhile: the batches were handed on
        slot.checking = false;
        slot.runFailures = 0;
        for (const { task, error } of slot.suspects.splice(0)) if (release(slot, task)) this.#runtimeError(task, error);
        this.#available();
      },
      (probeError: unknown) => {
        // A WorkerFailure has already reached #onWorkerFailure through the handle's onFailure.
        if (slot.handle !== handle || probeError instanceof WorkerFailure) return;
        const last = slot.suspects.at(-1)?.error;
        const why = `failed ${slot.runFailures} runs in a row (the last: ${errorMessage(last)}) and then its warm-up texts: ${errorMessage(probeError)}`;
        handle.terminate(new WorkerFailure('kept failing', `Worker ${slot.index} ${why}`));
      },
    );
  }

  /** A run that threw on a healthy worker: the batch is split until the failing text is alone. */
  #runtimeError(task: Task, error: unknown): void {
    this.#pending.unshift(...splitAfterError(task, error));
  }

  /** A batch whose worker failed: retried in halves, or failed after `maxAttempts` tries. */
  #retry(task: Task, why: string): void {
    const again = retryAfterFailure(task, why, this.#failure);
    if (again.length === 0) return;
    this.#retries++;
    this.#pending.unshift(...again);
    this.#pump();
  }

  #onWorkerFailure(slot: Slot, handle: PoolWorker, failure: WorkerFailure): void {
    if (slot.handle !== handle || this.#state === 'closed') return;
    slot.handle = undefined;
    handle.terminate();
    const failed = takeTasks(slot);
    slot.state = 'initializing'; // before the retries below, so none is sent back to this slot
    // A lost device first takes every worker off WebGPU (synchronously), so the retries below wait for WASM
    // instead of going to another WebGPU worker that is about to be dropped.
    const lost = failure.kind === 'lost its WebGPU device';
    if (lost) void this.#failOver(failure);
    // Newest first: each retry goes to the front of the queue, so the oldest batch ends up first again.
    for (const task of failed.reverse()) this.#retry(task, `worker ${slot.index} ${failure.kind}`);
    if (!lost) void this.#restart(slot);
  }

  async #restart(slot: Slot): Promise<void> {
    // Only while ready: a failover replaces every slot itself, and a closed or failed pool starts nothing.
    while (this.#state === 'ready' && this.#slots.includes(slot)) {
      try {
        await this.#startWorker(slot, this.#setup);
        slot.stats.restarts++;
        slot.restartFailures = 0;
        return;
      } catch {
        if (++slot.restartFailures >= maxRestartFailures) {
          slot.state = 'failed';
          this.#checkAllFailed();
          return;
        }
      }
    }
  }

  async #failOver(cause: WorkerFailure): Promise<void> {
    if (this.#state !== 'ready') return;
    const failover = this.#failover;
    this.#state = 'failing-over';
    for (const slot of this.#slots) {
      // These batches did not fail (their worker is dropped with the device's pool): their try is not counted.
      const moved = drop(slot);
      for (const task of moved) task.attempts--;
      this.#pending.unshift(...moved);
    }
    if (!failover) {
      this.#state = 'failed';
      this.#failPending(`The WebGPU device was lost and no fallback is configured: ${cause.message}`);
      return;
    }
    try {
      const setup = await failover();
      if (this.#state !== 'failing-over') return;
      this.#setup = setup;
      await this.#startSlots(setup);
      if (this.#state !== 'failing-over') return;
      this.#state = 'ready';
      this.#pump();
      this.#available();
    } catch (error) {
      if (this.#state !== 'failing-over') return;
      this.#state = 'failed';
      this.#failPending(`The WebGPU device was lost and the WASM fallback failed: ${errorMessage(error)}`);
    }
  }

  #checkAllFailed(): void {
    if (this.#state !== 'ready' || this.#slots.some((s) => s.state !== 'failed')) return;
    this.#state = 'failed';
    this.#failPending('Every embedding worker has failed and could not be restarted');
  }

  /** The pool is done for: every batch waiting here, and every text sent from now on, gets the same error. */
  #failPending(why: string): void {
    const error = new EmbeddingError(why);
    this.#failure = error;
    for (const task of this.#pending.splice(0)) task.resolve(task.texts.map(() => error));
    this.#available();
  }

  #available(): void {
    this.#pump();
    this.onAvailable();
  }
}
