/**
 * The coalescer's invariants, deterministic in Node: every job is delivered exactly once with its own text's
 * result, the queue never exceeds maxQueue, a cancelled job is never run, batches never exceed maxBatch, and
 * batches grow when the workers are the bottleneck. The runner is a small real batch executor with N "workers"
 * that finish after a fixed delay (the browser tests run the real worker pool).
 */
import { describe, expect, it } from 'vitest';
import { Coalescer, type BatchRunner, type QueuedJob } from '../../src/engine/coalescer.js';
import type { ItemResult } from '../../src/engine/pool.js';

interface Job extends QueuedJob {
  readonly id: number;
}

class DelayRunner implements BatchRunner {
  readonly settings: { maxBatch: number; maxWaitMs: number };
  readonly batches: string[][] = [];
  busyWorkers = 0;
  inFlightItems = 0;
  /** Set to play a pool whose workers have all failed for good. */
  failure: Error | undefined;
  onFree: () => void = () => undefined;
  readonly #workers: number;
  readonly #ms: number;

  constructor(workers: number, ms: number, maxBatch: number, maxWaitMs = 2) {
    this.#workers = workers;
    this.#ms = ms;
    this.settings = { maxBatch, maxWaitMs };
  }

  get freeBatchPlaces(): number {
    return this.#workers - this.busyWorkers;
  }

  run(texts: readonly string[]): Promise<ItemResult[]> {
    if (this.freeBatchPlaces <= 0) throw new Error('run() without a free worker');
    this.batches.push([...texts]);
    this.busyWorkers++;
    this.inFlightItems += texts.length;
    return new Promise((resolve) =>
      setTimeout(() => {
        this.busyWorkers--;
        this.inFlightItems -= texts.length;
        resolve(texts.map((t) => new Float32Array([Number(t.slice(1))])));
        this.onFree();
      }, this.#ms),
    );
  }
}

function setup(runner: DelayRunner, maxQueue: number) {
  const delivered = new Map<number, number[]>();
  const coalescer = new Coalescer<Job>({
    pool: runner,
    maxQueue,
    deliver: (job, result) => {
      const seen = delivered.get(job.id) ?? [];
      seen.push(result instanceof Float32Array ? result[0]! : Number.NaN);
      delivered.set(job.id, seen);
    },
  });
  runner.onFree = () => coalescer.schedule();
  const job = (id: number): Job => ({ id, text: `t${id}`, stage: 'lookup', enqueuedAt: 0 });
  return { coalescer, delivered, job };
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setTimeout(r, 1));
}

describe('Coalescer', () => {
  it('delivers every job exactly once, its own result, within maxBatch and maxQueue', async () => {
    const runner = new DelayRunner(2, 3, 8);
    const { coalescer, delivered, job } = setup(runner, 16);
    let maxDepth = 0;
    for (let i = 0; i < 200; i++) {
      coalescer.submit(job(i));
      maxDepth = Math.max(maxDepth, coalescer.queueDepth);
    }
    expect(coalescer.waitingForSpace).toBe(200 - 16);
    await until(() => delivered.size === 200);
    expect([...delivered.entries()].every(([id, results]) => results.length === 1 && results[0] === id)).toBe(true);
    expect(maxDepth).toBe(16);
    expect(Math.max(...runner.batches.map((b) => b.length))).toBe(8);
    expect(runner.batches.flat().sort()).toEqual(Array.from({ length: 200 }, (_, i) => `t${i}`).sort());
    // FIFO: texts are sent in submission order.
    expect(runner.batches.flat()).toEqual(Array.from({ length: 200 }, (_, i) => `t${i}`));
  });

  it('sends a lone text at once on an idle engine', async () => {
    const runner = new DelayRunner(2, 1, 64);
    const { coalescer, delivered, job } = setup(runner, 100);
    coalescer.submit(job(1));
    await Promise.resolve();
    expect(runner.batches).toEqual([['t1']]);
    await until(() => delivered.size === 1);
  });

  it('grows batches while every worker is busy and shrinks them back when load stops', async () => {
    const runner = new DelayRunner(1, 10, 64);
    const { coalescer, delivered, job } = setup(runner, 1000);
    for (let i = 0; i < 100; i++) coalescer.submit(job(i));
    await until(() => delivered.size === 100);
    expect(runner.batches.map((b) => b.length)).toEqual([64, 36]);
    expect(coalescer.target).toBeGreaterThan(1);
    for (let i = 100; i < 110; i++) {
      coalescer.submit(job(i));
      await until(() => delivered.size === i + 1);
    }
    expect(runner.batches.slice(-3).map((b) => b.length)).toEqual([1, 1, 1]);
    expect(coalescer.target).toBe(1);
  });

  it('cancels queued and waiting jobs (never run), but not dispatched ones', async () => {
    const runner = new DelayRunner(1, 5, 2);
    const { coalescer, delivered, job } = setup(runner, 2);
    const jobs = Array.from({ length: 6 }, (_, i) => job(i));
    for (const j of jobs) coalescer.submit(j);
    await Promise.resolve();
    // t0,t1 dispatched; t2,t3 queued; t4,t5 waiting for space.
    expect(jobs.map((j) => j.stage)).toEqual([
      'dispatched',
      'dispatched',
      'queued',
      'queued',
      'waiting-space',
      'waiting-space',
    ]);
    expect(coalescer.cancel(jobs[0]!)).toBe(false);
    expect(coalescer.cancel(jobs[2]!)).toBe(true);
    expect(coalescer.cancel(jobs[5]!)).toBe(true);
    expect(jobs[4]!.stage).toBe('queued'); // admitted into the space the cancel freed
    await until(() => delivered.size === 4);
    expect([...delivered.keys()].sort()).toEqual([0, 1, 3, 4]);
    expect(runner.batches.flat()).toEqual(['t0', 't1', 't3', 't4']);
  });

  it('a runner that fails for good settles every held job, and every later one, with its error', async () => {
    const runner = new DelayRunner(1, 5, 1);
    const outcomes = new Map<number, string>();
    const coalescer = new Coalescer<Job>({
      pool: runner,
      maxQueue: 2,
      deliver: (job, r) => outcomes.set(job.id, r instanceof Error ? r.message : `vector ${r[0]}`),
    });
    runner.onFree = () => coalescer.schedule();
    const jobs = Array.from({ length: 6 }, (_, i): Job => ({ id: i, text: `t${i}`, stage: 'lookup', enqueuedAt: 0 }));
    for (const j of jobs) coalescer.submit(j);
    await Promise.resolve();
    expect(jobs.map((j) => j.stage)).toEqual([
      'dispatched',
      'queued',
      'queued',
      'waiting-space',
      'waiting-space',
      'waiting-space',
    ]);
    runner.failure = new Error('every worker failed');
    coalescer.schedule(); // the pool calls it when it fails
    await Promise.resolve();
    expect([...outcomes.keys()].sort()).toEqual([1, 2, 3, 4, 5]);
    expect(new Set(outcomes.values())).toEqual(new Set(['every worker failed']));
    expect(coalescer.queueDepth + coalescer.waitingForSpace).toBe(0);
    coalescer.submit({ id: 9, text: 't9', stage: 'lookup', enqueuedAt: 0 });
    await Promise.resolve();
    expect(outcomes.get(9)).toBe('every worker failed');
    await until(() => outcomes.has(0)); // the batch already running still answers
    expect(outcomes.get(0)).toBe('vector 0');
    expect(runner.batches).toEqual([['t0']]);
  });

  it('close() settles every job not yet sent with a ClosedError', async () => {
    const runner = new DelayRunner(1, 5, 1);
    const errors: string[] = [];
    const coalescer = new Coalescer<Job>({
      pool: runner,
      maxQueue: 1,
      deliver: (_, r) => errors.push(r instanceof Error ? r.name : 'vector'),
    });
    for (let i = 0; i < 4; i++) coalescer.submit({ id: i, text: `t${i}`, stage: 'lookup', enqueuedAt: 0 });
    await Promise.resolve();
    coalescer.close();
    coalescer.submit({ id: 9, text: 't9', stage: 'lookup', enqueuedAt: 0 });
    expect(errors).toEqual(['ClosedError', 'ClosedError', 'ClosedError', 'ClosedError']);
  });
});
