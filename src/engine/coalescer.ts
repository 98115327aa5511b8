/**
 * The main-thread coalescer: gathers texts from any number of concurrent `embed()` callers into batches and
 * sends each batch to the pool when a worker is free ({@link decide} says when and how many).
 *
 * The queue is bounded: at `maxQueue` waiting texts, further texts wait for space outside it (backpressure you
 * can await: their callers' promises simply stay pending, and an AbortSignal still cancels them). Jobs are owned
 * by the embedder (which deduplicates identical texts and fans results out to callers); the coalescer only moves
 * them: waiting for space -> queued -> dispatched -> delivered.
 */
import { ClosedError } from '../errors.js';
import { decide, nextTarget, sizeBucket, type PolicyInput } from './batch-policy.js';
import type { ItemResult } from './pool.js';

export interface QueuedJob {
  readonly text: string;
  /** `lookup` belongs to the embedder (cache lookup); the coalescer moves the job through the rest. */
  stage: 'lookup' | 'waiting-space' | 'queued' | 'dispatched' | 'done';
  enqueuedAt: number;
}

/** What the coalescer needs from the pool (the `WorkerPool` in the engine; anything that runs batches in a test). */
export interface BatchRunner {
  readonly settings: { readonly maxBatch: number; readonly maxWaitMs: number };
  /** Batch places free now; the coalescer only sends when this is positive. */
  readonly freeBatchPlaces: number;
  readonly busyWorkers: number;
  /** Live workers, when one holds more than one batch (see {@link PolicyInput.workers}). */
  readonly workers?: number;
  readonly inFlightItems: number;
  /**
   * Set once the runner can never run a batch again (every worker failed and none could be restarted): the
   * coalescer then settles everything it holds, and every later text, with this error instead of waiting for space.
   */
  readonly failure?: Error | undefined;
  /** One result per text, in order. Must call the coalescer's `schedule()` when a worker frees up (or it fails). */
  run(texts: readonly string[]): Promise<ItemResult[]>;
}

export interface CoalescerOptions<J extends QueuedJob> {
  readonly pool: BatchRunner;
  readonly maxQueue: number;
  /** Called once per job with its vector or error. */
  readonly deliver: (job: J, result: ItemResult) => void;
}

export class Coalescer<J extends QueuedJob> {
  readonly #pool: BatchRunner;
  readonly #maxQueue: number;
  readonly #deliver: (job: J, result: ItemResult) => void;
  #queue: J[] = [];
  #waitingSpace: J[] = [];
  #target = 1;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #scheduled = false;
  #closed = false;
  readonly #histogram: Record<string, number> = {};
  batches = 0;

  constructor(options: CoalescerOptions<J>) {
    this.#pool = options.pool;
    this.#maxQueue = options.maxQueue;
    this.#deliver = options.deliver;
  }

  get queueDepth(): number {
    return this.#queue.length;
  }
  get waitingForSpace(): number {
    return this.#waitingSpace.length;
  }
  get target(): number {
    return this.#target;
  }
  get histogram(): Readonly<Record<string, number>> {
    return { ...this.#histogram };
  }

  submit(job: J): void {
    if (this.#closed) {
      job.stage = 'done';
      this.#deliver(job, new ClosedError('The embedder is closed'));
      return;
    }
    job.enqueuedAt = performance.now();
    if (this.#queue.length < this.#maxQueue && this.#waitingSpace.length === 0) {
      job.stage = 'queued';
      this.#queue.push(job);
    } else {
      job.stage = 'waiting-space';
      this.#waitingSpace.push(job);
    }
    this.schedule();
  }

  /** Takes a job back if it has not been dispatched yet (its callers all aborted). */
  cancel(job: J): boolean {
    const list = job.stage === 'queued' ? this.#queue : job.stage === 'waiting-space' ? this.#waitingSpace : undefined;
    const at = list?.indexOf(job) ?? -1;
    if (!list || at < 0) return false;
    list.splice(at, 1);
    job.stage = 'done';
    this.#admit();
    return true;
  }

  /** Re-evaluates from a microtask: every `embed()` made in the current task lands in the same decision. */
  schedule(): void {
    if (this.#scheduled || this.#closed) return;
    this.#scheduled = true;
    queueMicrotask(() => {
      this.#scheduled = false;
      this.#pump();
    });
  }

  /** Settles every job not yet dispatched with a ClosedError (dispatched ones settle when the pool closes). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#timer);
    const jobs = [...this.#queue, ...this.#waitingSpace];
    this.#queue = [];
    this.#waitingSpace = [];
    const error = new ClosedError('The embedder was closed before this text was embedded');
    for (const job of jobs) {
      job.stage = 'done';
      this.#deliver(job, error);
    }
  }

  #pump(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const settings = this.#pool.settings;
    const failure = this.#pool.failure;
    if (failure) {
      this.#fail(failure);
      return;
    }
    for (;;) {
      if (this.#closed) return;
      const queued = this.#queue.length;
      const input: PolicyInput = {
        queued,
        freeBatchPlaces: this.#pool.freeBatchPlaces,
        busyWorkers: this.#pool.busyWorkers,
        workers: this.#pool.workers,
        inFlightItems: this.#pool.inFlightItems,
        oldestAgeMs: queued > 0 ? performance.now() - this.#queue[0]!.enqueuedAt : 0,
        target: this.#target,
        // A batch never waits to be bigger than the queue can hold (a small maxQueue bounds it).
        maxBatch: Math.min(settings.maxBatch, this.#maxQueue),
        maxWaitMs: settings.maxWaitMs,
      };
      const decision = decide(input);
      this.#target = nextTarget(input, decision);
      if (decision.kind === 'wait') {
        this.#timer = setTimeout(() => this.#pump(), decision.ms);
        return;
      }
      if (decision.kind !== 'flush') return; // empty, or hold until the pool says a worker is free
      this.#flush(decision.size);
    }
  }

  #flush(size: number): void {
    const jobs = this.#queue.splice(0, size);
    this.#admit();
    for (const job of jobs) job.stage = 'dispatched';
    this.batches++;
    const bucket = sizeBucket(jobs.length);
    this.#histogram[bucket] = (this.#histogram[bucket] ?? 0) + 1;
    this.#pool.run(jobs.map((j) => j.text)).then(
      (results) => jobs.forEach((job, i) => this.#settle(job, results[i]!)),
      (error: unknown) => {
        const reason = error instanceof Error ? error : new Error(String(error));
        for (const job of jobs) this.#settle(job, reason);
      },
    );
  }

  /** The pool can run nothing any more: every job held here, queued or waiting for space, gets its error. */
  #fail(failure: Error): void {
    const jobs = [...this.#queue, ...this.#waitingSpace];
    this.#queue = [];
    this.#waitingSpace = [];
    for (const job of jobs) this.#settle(job, failure);
  }

  #settle(job: J, result: ItemResult): void {
    if (job.stage === 'done') return;
    job.stage = 'done';
    this.#deliver(job, result);
  }

  /** Moves texts waiting for space into the queue, oldest first. */
  #admit(): void {
    while (this.#waitingSpace.length > 0 && this.#queue.length < this.#maxQueue) {
      const job = this.#waitingSpace.shift()!;
      job.stage = 'queued';
      job.enqueuedAt = performance.now();
      this.#queue.push(job);
    }
  }
}
