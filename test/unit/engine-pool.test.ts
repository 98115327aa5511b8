/**
 * The worker pool's failure handling in Node: halving around a bad text, replacing a crashed or sick worker,
 * giving up after 3 attempts, failing over from WebGPU to WASM, failing for good when no worker starts. The pool
 * runs unchanged; its workers are {@link InProcessWorker}s, a real PoolWorker that embeds in-process with a tiny
 * deterministic model (the browser tests run the real module Workers).
 */
import { describe, expect, it } from 'vitest';
import { EmbeddingError } from '../../src/errors.js';
import { checkOptions, settingsFor } from '../../src/engine/options.js';
import { WorkerFailure, type PoolWorker, type WorkerFactory } from '../../src/engine/pool-worker.js';
import { WorkerPool, type ItemResult, type PoolSetup } from '../../src/engine/pool.js';
import type { Backend, EmbedOutput, WorkerInit, WorkerReady } from '../../src/worker/protocol.js';

const dimensions = 8;

/** Letter counts in 8 buckets, unit length: the same text always gives the same vector, others differ. */
function embedText(text: string): Float32Array {
  const v = new Float32Array(dimensions);
  for (const ch of text) v[ch.charCodeAt(0) % dimensions]! += 1;
  let n = 0;
  for (const x of v) n += x * x;
  return v.map((x) => x / Math.sqrt(n));
}

const words = (text: string): number => text.split(' ').length;

/** What makes a run or a worker fail, shared by every worker of a test (as a text would be, or a sick browser). */
interface Faults {
  /** A run with a text containing this throws (bad input: it fails on any worker). */
  poison?: string;
  /** A worker that is given a text containing this crashes; `crashOnce` only the first time. */
  crash?: string;
  crashOnce?: boolean;
  /** Workers created from then on fail to start (as a blocked worker script). */
  refuseStart?: boolean;
}

/** A real PoolWorker: the protocol's calls, failure racing and lifecycle, with the model run in-process. */
class InProcessWorker implements PoolWorker {
  onFailure: ((failure: WorkerFailure) => void) | undefined;
  failure: WorkerFailure | undefined;
  readonly label: string;
  readonly batches: number[] = [];
  probes = 0;
  readonly #faults: Faults;
  readonly #failed: Promise<never>;
  #reject!: (failure: WorkerFailure) => void;
  #backend: Backend | undefined;
  #session: 'none' | 'ready' | 'released' = 'none';

  constructor(label: string, faults: Faults) {
    this.label = label;
    this.#faults = faults;
    this.#failed = new Promise<never>((_, reject) => (this.#reject = reject));
    this.#failed.catch(() => undefined);
  }

  init(init: WorkerInit): Promise<WorkerReady> {
    return this.#call(() => {
      this.#backend = init.backend;
      this.#session = 'ready';
      return {
        backend: init.backend,
        dimensions,
        inputNames: ['input_ids'],
        outputName: 'sentence_embedding',
        pooled: true,
        sessionMs: 0,
      };
    });
  }

  warmup(runs: number): Promise<number> {
    return this.#call(() => {
      this.probes++;
      for (let i = 0; i < runs; i++) this.#run(['warm up']);
      return 0;
    });
  }

  embed(texts: readonly string[]): Promise<EmbedOutput> {
    return this.#call(() => {
      this.batches.push(texts.length);
      const { crash, crashOnce } = this.#faults;
      if (crash !== undefined && texts.some((t) => t.includes(crash))) {
        if (crashOnce) delete this.#faults.crash;
        this.terminate(new WorkerFailure('crashed', `${this.label} crashed`));
      }
      return this.#run(texts);
    });
  }

  dispose(): Promise<void> {
    return this.#call(() => void (this.#session = 'released'));
  }

  loseDevice(): Promise<boolean> {
    if (this.#backend !== 'webgpu') return Promise.resolve(false);
    // As the real worker: the device goes, then its lost event arrives.
    setTimeout(
      () => this.terminate(new WorkerFailure('lost its WebGPU device', `${this.label} lost its WebGPU device`)),
      0,
    );
    return Promise.resolve(true);
  }

  terminate(failure?: WorkerFailure): void {
    if (this.failure) return;
    this.failure = failure ?? new WorkerFailure('was terminated', 'The worker was terminated');
    this.#reject(this.failure);
    const listener = this.onFailure;
    this.onFailure = undefined;
    listener?.(this.failure);
  }

  #run(texts: readonly string[]): EmbedOutput {
    if (this.#session !== 'ready')
      throw new EmbeddingError(`Expected the worker to be ready for \`embed()\`, but it is ${this.#session}`);
    const poison = this.#faults.poison;
    if (poison !== undefined && texts.some((t) => t.includes(poison)))
      throw new Error('the model cannot take this text');
    const vectors = new Float32Array(texts.length * dimensions);
    texts.forEach((t, i) => vectors.set(embedText(t), i * dimensions));
    const longest = Math.max(...texts.map(words));
    const realTokens = texts.reduce((s, t) => s + words(t), 0);
    return { vectors, dimensions, runs: 1, paddedTokens: longest * texts.length, realTokens, ms: 0 };
  }

  /** Answers in a later task, as a worker would; a failure meanwhile wins the race. */
  async #call<T>(work: () => T): Promise<T> {
    if (this.failure) throw this.failure;
    const answer = new Promise<T>((resolve, reject) =>
      setTimeout(() => {
        try {
          resolve(work());
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      }, 1),
    );
    return Promise.race([answer, this.#failed]);
  }
}

function setupFor(backend: Backend, workers: number): PoolSetup {
  const settings = settingsFor(checkOptions({ model: '/models/test', workers }), backend, {
    hardwareConcurrency: 8,
    crossOriginIsolated: false,
  });
  return {
    settings,
    warmupRuns: backend === 'wasm' ? 1 : 0,
    makeInit: (index): WorkerInit => ({
      index,
      backend,
      model: new ArrayBuffer(0),
      tokenizerJson: '{}',
      tokenizerConfigJson: '{}',
      tokenizer: 'huggingface',
      pooling: 'none',
      output: undefined,
      maxTokens: 256,
      threads: 1,
      runPlan: settings.runPlan,
    }),
  };
}

async function startPool(options: { workers: number; faults?: Faults; backend?: Backend; failover?: boolean }) {
  const faults = options.faults ?? {};
  const made: InProcessWorker[] = [];
  const createWorker: WorkerFactory = (label) => {
    if (faults.refuseStart) throw new Error(`Refused to create ${label}`);
    const worker = new InProcessWorker(label, faults);
    made.push(worker);
    return worker;
  };
  const backend = options.backend ?? 'wasm';
  const pool = await WorkerPool.start({
    setup: setupFor(backend, options.workers),
    onProgress: undefined,
    failover: options.failover ? () => Promise.resolve(setupFor('wasm', options.workers)) : undefined,
    createWorker,
  });
  return { pool, made, faults };
}

const texts = (n: number, tag = 't'): string[] =>
  Array.from({ length: n }, (_, i) => `${tag}${i} ${'word '.repeat(i % 5)}end`);

/** Each result is its own text's vector, or the error's message. */
function outcomes(input: readonly string[], results: readonly ItemResult[]): Array<true | string> {
  return results.map((r, i) =>
    r instanceof Float32Array
      ? r.every((x, d) => x === embedText(input[i]!)[d]) || `wrong vector for ${i}`
      : `${r.name}: ${r.message}`,
  );
}

const total = (pool: WorkerPool, key: 'items' | 'realTokens' | 'restarts') =>
  pool.stats().reduce((s, w) => s + w[key], 0);

describe('WorkerPool', () => {
  it('splits a batch around a bad text: only that text fails, and its healthy worker stays', async () => {
    const { pool, made } = await startPool({ workers: 1, faults: { poison: 'poison' } });
    const input = texts(8);
    input[5] = 'poison pill';
    const results = await pool.run(input);
    pool.close();
    expect(outcomes(input, results)).toEqual([
      true,
      true,
      true,
      true,
      true,
      'EmbeddingError: Embedding failed: the model cannot take this text',
      true,
      true,
    ]);
    expect(made).toHaveLength(1); // never replaced
    expect(made[0]!.batches).toEqual([8, 4, 4, 2, 1, 1, 2]);
    expect(made[0]!.probes).toBe(2); // the start-up warm-up, and the check before the lone text got its error
    expect(pool.retries).toBe(0);
  });

  it('replaces a worker whose session broke while it stays up; every text still gets its vector', async () => {
    const { pool, made } = await startPool({ workers: 1 });
    await pool.run(['before']);
    await made[0]!.dispose();
    const input = texts(16);
    const results = await pool.run(input);
    pool.close();
    expect(outcomes(input, results)).toEqual(input.map(() => true));
    expect(made).toHaveLength(2);
    expect(made[0]!.failure?.kind).toBe('kept failing');
    expect(made[0]!.batches).toEqual([1, 16, 8, 4]); // three failures in a row, then the check failed too
    expect(pool.stats()[0]!.restarts).toBe(1);
    expect(total(pool, 'items')).toBe(17);
  });

  it('retries the batch of a worker that crashed mid-run once, on the other worker, and replaces it', async () => {
    const { pool, made } = await startPool({ workers: 2, faults: { crash: 'boom', crashOnce: true } });
    const input = texts(12);
    input[3] = 'boom once';
    const results = await Promise.all([pool.run(input.slice(0, 6)), pool.run(input.slice(6))]);
    while (made.length < 3 || pool.stats().some((w) => w.state !== 'idle')) await new Promise((r) => setTimeout(r, 5));
    pool.close();
    expect(outcomes(input, results.flat())).toEqual(input.map(() => true));
    expect(pool.retries).toBe(1);
    expect(total(pool, 'restarts')).toBe(1);
    expect(total(pool, 'items')).toBe(12); // the crashed batch is counted once, by its retry
  });

  it('fails a text that crashes every worker after 3 attempts, naming each failure; the rest of its batch succeeds', async () => {
    const { pool } = await startPool({ workers: 1, faults: { crash: 'boom' } });
    const input = ['a b', 'c', 'boom always', 'd e f'];
    const results = await pool.run(input);
    pool.close();
    expect(outcomes(input, results)).toEqual([
      true,
      true,
      'EmbeddingError: Embedding failed after 3 attempts: worker 0 crashed; worker 0 crashed; worker 0 crashed',
      true,
    ]);
    expect(pool.retries).toBe(2);
  });

  it('fails over from a lost WebGPU device to WASM without losing a batch; each slot keeps all its counters', async () => {
    const { pool, made } = await startPool({ workers: 2, backend: 'webgpu', failover: true });
    const first = texts(10, 'a');
    const second = texts(10, 'b');
    const firstResults = await Promise.all([pool.run(first.slice(0, 5)), pool.run(first.slice(5))]);
    const before = pool.stats();
    expect(await made[0]!.loseDevice()).toBe(true);
    const secondResults = await Promise.all([pool.run(second.slice(0, 5)), pool.run(second.slice(5))]);
    pool.close();
    expect(pool.backend).toBe('wasm');
    expect(made.map((w) => w.label)).toEqual([
      'agentmem embed worker 0 (webgpu)',
      'agentmem embed worker 1 (webgpu)',
      'agentmem embed worker 0 (wasm)',
      'agentmem embed worker 1 (wasm)',
    ]);
    expect(outcomes([...first, ...second], [...firstResults.flat(), ...secondResults.flat()])).toEqual(
      [...first, ...second].map(() => true),
    );
    const after = pool.stats();
    for (const key of ['batches', 'items', 'runs', 'paddedTokens', 'realTokens', 'busyMs'] as const) {
      for (const slot of [0, 1])
        expect(after[slot]![key], `${key} of slot ${slot}`).toBeGreaterThanOrEqual(before[slot]![key]);
    }
    expect(total(pool, 'items')).toBe(20);
    expect(total(pool, 'realTokens')).toBe([...first, ...second].reduce((s, t) => s + words(t), 0));
  });

  it('fails for good when no replacement starts: waiting and later batches get the same EmbeddingError', async () => {
    const { pool, made, faults } = await startPool({ workers: 1 });
    faults.refuseStart = true;
    const waiting = pool.run(texts(4));
    made[0]!.terminate(new WorkerFailure('crashed', 'worker 0 crashed'));
    const message = 'EmbeddingError: Every embedding worker has failed and could not be restarted';
    expect(outcomes(texts(4), await waiting)).toEqual(Array(4).fill(message));
    expect(pool.state).toBe('failed');
    expect(outcomes(['later'], await pool.run(['later']))).toEqual([message]);
    pool.close();
  });
});
