/**
 * N embedding workers, one model session each. A batch goes to the least-loaded free worker; a worker that
 * crashes, times out or loses its WebGPU device is replaced and its batch retried on another worker, so no
 * caller loses a result or gets one twice. A failed batch is retried in halves; after {@link maxAttempts} failures
 * on its way, a part's callers get an `EmbeddingError`. A lost WebGPU device fails the whole pool over to WASM
 * without dropping queued batches. When no worker can be started any more, the pool fails for good: every batch
 * waiting in it, and every one sent later, gets the same `EmbeddingError` ({@link WorkerPool.failure}).
 *
 * The pool never queues work of its own beyond retries: the coalescer only sends a batch when
 * {@link WorkerPool.freeBatchPlaces} is positive, so batches keep growing in the coalescer while every worker is busy.
 * A worker holds up to `settings.pipelineDepth` batches: 1 on WASM (the run holds the worker's thread), 2 on
 * WebGPU, where the worker tokenises the next batch and pools the last one while the GPU runs.
 */
import { AgentMemError, ClosedError, EmbeddingError, ModelLoadError, errorMessage } from '../errors.js';
import type { Backend, WorkerInit } from '../worker/protocol.js';
import type { BackendSettings } from './options.js';
import { WorkerFailure, type PoolWorker, type WorkerFactory } from './pool-worker.js';
import type { EmbedderProgress, WorkerState, WorkerStats } from './types.js';
import { WorkerHandle, browserWorkerPort } from './worker-handle.js';

/** Tries of one batch (the first run plus retries) before its callers get an error. */
export const maxAttempts = 3;
/** Replacement workers that may fail to start in a row before a slot is given up. */
const maxRestartFailures = 3;
/** Runs that may fail in a row on one worker before it must prove it can still embed its warm-up texts. */
export const maxRunFailures = 3;

/** Everything a pool needs to start workers for one backend. */
export interface PoolSetup {
  readonly settings: BackendSettings;
  /** A fresh init message (with its own copy of the model bytes) for worker `index`. */
  readonly makeInit: (index: number) => WorkerInit;
  /** Short runs after the session is built, so Chromium tiers the wasm up before real work. */
  readonly warmupRuns: number;
}

export interface PoolOptions {
  readonly setup: PoolSetup;
  readonly onProgress: ((p: EmbedderProgress) => void) | undefined;
  /** A WASM setup to fail over to when a WebGPU device is lost (undefined: no failover, fail the batches). */
  readonly failover: (() => Promise<PoolSetup>) | undefined;
  /** Starts one worker. @default a module Worker ({@link WorkerHandle}) */
  readonly createWorker?: WorkerFactory;
}

/** Per-text outcome of a batch: a unit vector or the error for that text. */
export type ItemResult = Float32Array | Error;

interface Task {
  readonly texts: readonly string[];
  attempts: number;
  readonly failures: string[];
  readonly resolve: (results: ItemResult[]) => void;
  readonly reject: (error: Error) => void;
}

/** What a slot has done, across its replacements and a failover (the slot keeps its index, so its counters). */
type SlotStats = { -readonly [K in keyof Omit<WorkerStats, 'index' | 'backend' | 'state'>]: WorkerStats[K] };

interface Slot {
  readonly index: number;
  backend: Backend;
  handle: PoolWorker | undefined;
  state: WorkerState;
  /** Batches sent to this worker and not answered yet, oldest first (at most `pipelineDepth`). */
  tasks: Task[];
  /** When the worker last went from idle to busy (for `busyMs`: wall time with at least one batch). */
  busySince: number;
  stats: SlotStats;
  restartFailures: number;
  /** Runs that threw since this worker's last success. */
  runFailures: number;
  /** The worker is running its warm-up texts to tell a sick session from bad input; it takes no batch meanwhile. */
  checking: boolean;
  /** Batches that threw and wait (still on the worker) for the check's verdict. */
  suspects: Array<{ readonly task: Task; readonly error: unknown }>;
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
  retries = 0;
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
    const depth = this.#setup.settings.pipelineDepth;
    let free = 0;
    for (const s of this.#slots) if (takesWork(s)) free += depth - s.tasks.length;
    return free - this.#pending.length;
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
    let n = 0;
    for (const s of this.#slots) for (const t of s.tasks) n += t.texts.length;
    for (const t of this.#pending) n += t.texts.length;
    return n;
  }

  get inFlight(): number {
    return this.busyWorkers + this.#pending.length;
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
    const slots = Array.from({ length: setup.settings.workers }, (_, index): Slot => ({
      index,
      backend: setup.settings.backend,
      handle: undefined,
      state: 'initializing',
      tasks: [],
      busySince: 0,
      // A slot that survives a failover (same index) keeps its counters, so stats stay cumulative.
      stats: this.#slots[index]?.stats ?? {
        batches: 0,
        items: 0,
        busyMs: 0,
        runs: 0,
        paddedTokens: 0,
        realTokens: 0,
        restarts: 0,
      },
      restartFailures: 0,
      runFailures: 0,
      checking: false,
      suspects: [],
    }));
    this.#slots = slots;
    try {
      await Promise.all(slots.map((slot) => this.#startWorker(slot, setup)));
    } catch (error) {
      for (const slot of slots) {
        retire(slot);
        slot.state = 'failed';
      }
      throw error;
    }
  }

  async #startWorker(slot: Slot, setup: PoolSetup): Promise<void> {
    const { settings } = setup;
    slot.state = 'initializing';
    slot.backend = settings.backend;
    slot.runFailures = 0;
    slot.checking = false;
    slot.suspects = [];
    let handle: PoolWorker | undefined;
    let ready;
    try {
      // Inside the try: a page whose Content-Security-Policy forbids the worker throws right here.
      handle = this.#createWorker(`agentmem embed worker ${slot.index} (${settings.backend})`);
      slot.handle = handle;
      this.#onProgress?.({ stage: 'session', worker: slot.index });
      const initTimeout = Math.max(settings.timeoutMs, 120_000);
      ready = await handle.init(setup.makeInit(slot.index), initTimeout);
      this.#onProgress?.({ stage: 'warmup', worker: slot.index });
      if (setup.warmupRuns > 0) await handle.warmup(setup.warmupRuns, initTimeout);
    } catch (error) {
      handle?.terminate();
      if (error instanceof AgentMemError) throw error;
      throw new ModelLoadError(
        `Worker ${slot.index} could not load the model on ${settings.backend}: ${errorMessage(error)}`,
        { cause: error },
      );
    }
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
      // Least-loaded: fewest batches in hand, then the one that has worked least so far (spreads tier-up and wear).
      let best: Slot | undefined;
      for (const s of this.#slots) {
        if (!takesWork(s) || s.tasks.length >= depth) continue;
        if (
          !best ||
          s.tasks.length < best.tasks.length ||
          (s.tasks.length === best.tasks.length && s.stats.busyMs < best.stats.busyMs)
        )
          best = s;
      }
      if (!best) return;
      this.#dispatch(best, this.#pending.shift()!);
    }
  }

  #dispatch(slot: Slot, task: Task): void {
    const handle = slot.handle!;
    if (slot.tasks.length === 0) slot.busySince = performance.now();
    slot.state = 'busy';
    slot.tasks.push(task);
    task.attempts++;
    handle.embed(task.texts, this.#setup.settings.timeoutMs).then(
      (output) => {
        if (!this.#release(slot, task)) return; // failed over or closed meanwhile; the task was already handed on
        slot.runFailures = 0;
        const stats = slot.stats;
        stats.batches++;
        stats.items += task.texts.length;
        stats.runs += output.runs;
        stats.paddedTokens += output.paddedTokens;
        stats.realTokens += output.realTokens;
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
        slot.runFailures++;
        // A text failing alone gets its error only from a worker that proves healthy; so do N failures in a row.
        if (slot.checking || slot.runFailures >= maxRunFailures || task.texts.length === 1) {
          slot.suspects.push({ task, error });
          if (!slot.checking) this.#check(slot, handle);
          return;
        }
        this.#release(slot, task);
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
        for (const { task, error } of slot.suspects.splice(0))
          if (this.#release(slot, task)) this.#runtimeError(task, error);
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

  /** Takes an answered batch off its worker; false when it was handed on already (worker failure, close). */
  #release(slot: Slot, task: Task): boolean {
    const at = slot.tasks.indexOf(task);
    if (at < 0) return false;
    slot.tasks.splice(at, 1);
    if (slot.tasks.length === 0 && slot.state === 'busy') {
      slot.state = 'idle';
      slot.stats.busyMs += performance.now() - slot.busySince;
    }
    return true;
  }

  /**
   * The worker is fine but the run threw (out of memory on a huge batch, a text the model cannot take).
   * Split the batch in halves until the failing text is alone, so one bad text rejects only its own caller.
   */
  #runtimeError(task: Task, error: unknown): void {
    if (task.texts.length === 1) {
      const reason =
        error instanceof AgentMemError
          ? error
          : new EmbeddingError(`Embedding failed: ${errorMessage(error)}`, { cause: error });
      task.resolve([reason]);
      return;
    }
    this.#pending.unshift(...halves(task, 0));
  }

  /**
   * A batch whose worker failed. It is tried again in halves (each keeping the attempts so far), so a text that
   * crashes its worker or makes its batch outrun the timeout takes fewer callers down with it, and a batch too big
   * for the timeout gets smaller ones. After {@link maxAttempts} failures on its way, a part's callers get an error.
   */
  #retry(task: Task, why: string): void {
    task.failures.push(why);
    if (task.attempts >= maxAttempts || this.#failure) {
      const error =
        this.#failure ??
        new EmbeddingError(`Embedding failed after ${task.attempts} attempts: ${task.failures.join('; ')}`);
      task.resolve(task.texts.map(() => error));
      return;
    }
    this.retries++;
    this.#pending.unshift(...(task.texts.length === 1 ? [task] : halves(task, task.attempts)));
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
      const moved = takeTasks(slot);
      for (const task of moved) task.attempts--;
      this.#pending.unshift(...moved);
      retire(slot);
      slot.state = 'failed';
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

/** Two tasks for the halves of a batch, with `attempts` tries counted already; `task` settles with both, in order. */
function halves(task: Task, attempts: number): [Task, Task] {
  const half = Math.ceil(task.texts.length / 2);
  const parts = [task.texts.slice(0, half), task.texts.slice(half)].map((texts) => {
    let resolve!: (results: ItemResult[]) => void;
    let reject!: (error: Error) => void;
    const done = new Promise<ItemResult[]>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { task: { texts, attempts, failures: [...task.failures], resolve, reject }, done };
  });
  Promise.all(parts.map((p) => p.done)).then((results) => task.resolve(results.flat()), task.reject);
  return [parts[0]!.task, parts[1]!.task];
}

/** Takes every batch off a slot whose worker is going away, and stops its busy clock. */
function takeTasks(slot: Slot): Task[] {
  if (slot.tasks.length > 0) slot.stats.busyMs += performance.now() - slot.busySince;
  return slot.tasks.splice(0);
}

/** Stops a slot's worker quietly: the handle leaves the slot first, so its failure event is not taken for a crash. */
function retire(slot: Slot): void {
  const handle = slot.handle;
  slot.handle = undefined;
  handle?.terminate();
}

/** A worker that is up: idle, or holding batches (and maybe room for another). */
function running(slot: Slot): boolean {
  return slot.state === 'idle' || slot.state === 'busy';
}

/** A running worker that may be sent a batch (not while it proves it is healthy). */
function takesWork(slot: Slot): boolean {
  return running(slot) && !slot.checking;
}
