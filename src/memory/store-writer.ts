import type { AddGroup, AddRow, Store } from '../store/store.js';
import type { PendingBatch } from '../store/records.js';
import { CommitQueue, type QueueEntry } from './commit-queue.js';

/**
 * An add as the writer carries it: pushed once to record its pending batch, and again (stage `commit`) to commit
 * its embedded rows. The add itself hears the outcome (QueueEntry), so a waiting add holds no promise here.
 */
export interface AddWrite extends QueueEntry {
  readonly stage: 'pending' | 'commit';
  readonly batch: PendingBatch;
  /** The rows to commit; read at stage `commit` only. */
  readonly rows: readonly AddRow[] | undefined;
  /** Its commit found the batch no longer pending (another tab replayed it, or a reset() cleared it): nothing written. */
  skip(): void;
}

/** Embedding-cache entries: the engine's writes, which await a promise. */
class CacheWrite implements QueueEntry {
  readonly entries: ReadonlyArray<readonly [string, Float32Array]>;
  readonly done: () => void;
  readonly fail: (error: unknown) => void;

  constructor(entries: CacheWrite['entries'], done: () => void, fail: (error: unknown) => void) {
    this.entries = entries;
    this.done = done;
    this.fail = fail;
  }
}

type WriteJob = AddWrite | CacheWrite;

/**
 * The most memories (pending records, committed rows, cache entries) one transaction writes, unless a single
 * caller's write is larger: each transaction is its own task, so a flood of adds becomes many short tasks with the
 * page responsive between them (bench/README.md, "Add flood").
 */
const MAX_WRITE = 64;

/** Called once per transaction that committed adds (the index and the other tabs learn of them there). */
export type CommittedListener = (rows: readonly AddRow[], segments: readonly string[]) => void;

/**
 * Every write an add makes, gathered per tick into one store transaction: the pending records of new adds, the
 * commits of adds whose embedding came back, and the engine's embedding-cache entries: a transaction's fixed cost in
 * the browser is CPU the workers lack on a small machine. When a combined transaction fails, each caller's write is
 * retried alone (CommitQueue), so a full disk or a bad record fails only its own caller.
 */
export class StoreWriter {
  readonly #store: Store;
  readonly #queue: CommitQueue<WriteJob>;
  #listener: CommittedListener | undefined;
  #transactions = 0;
  #commitTransactions = 0;
  #largestCommit = 0;

  constructor(store: Store) {
    this.#store = store;
    this.#queue = new CommitQueue((jobs) => this.#write(jobs), {
      weight: jobWeight,
      maxWeight: MAX_WRITE,
      // A commit resolves its add and frees its vectors; behind a flood's pending records they would pile up.
      urgent: (job) => !(job instanceof CacheWrite) && job.stage === 'commit',
    });
  }

  /** Sets who hears of committed adds (the Memory, once it exists: the engine that shares this writer comes first). */
  listen(listener: CommittedListener): void {
    this.#listener = listener;
  }

  /**
   * Writes the add's pending batch (stage `pending`: the add is durable from then on) or commits its rows (stage
   * `commit`, in one transaction with other adds' writes); the add's `done()` or `fail()` says how it went.
   */
  push(add: AddWrite): void {
    this.#queue.push(add);
  }

  /** Resolves once the entries are in the persistent embedding cache. */
  cache(entries: ReadonlyArray<readonly [string, Float32Array]>): Promise<void> {
    return new Promise((resolve, reject) => this.#queue.push(new CacheWrite(entries, resolve, reject)));
  }

  onIdle(): Promise<void> {
    return this.#queue.onIdle();
  }

  /** Transactions written; those that committed adds; the most add calls one of them committed. */
  stats(): { transactions: number; commitTransactions: number; largestCommit: number } {
    return {
      transactions: this.#transactions,
      commitTransactions: this.#commitTransactions,
      largestCommit: this.#largestCommit,
    };
  }

  /** Call after onIdle(). */
  close(): void {
    this.#queue.close();
  }

  async #write(jobs: readonly WriteJob[]): Promise<void> {
    const pending: PendingBatch[] = [];
    const groups: AddGroup[] = [];
    const adds: AddWrite[] = [];
    const cache: (readonly [string, Float32Array])[] = [];
    for (const job of jobs) {
      if (job instanceof CacheWrite) cache.push(...job.entries);
      else if (job.stage === 'pending') pending.push(job.batch);
      else {
        groups.push({ batchId: job.batch.id, rows: job.rows ?? [] });
        adds.push(job);
      }
    }
    const { batches, segments } = await this.#store.write({ pending, groups, cache });
    this.#transactions++;
    if (groups.length === 0) return;
    // Only what this transaction wrote reaches the index: a skipped group's memories are not in storage.
    const written = new Set(batches);
    const rows: AddRow[] = [];
    let committed = 0;
    for (const add of adds) {
      if (!written.has(add.batch.id)) add.skip();
      else {
        committed++;
        for (const row of add.rows ?? []) rows.push(row);
      }
    }
    if (committed === 0) return;
    this.#commitTransactions++;
    this.#largestCommit = Math.max(this.#largestCommit, committed);
    this.#listener?.(rows, segments);
  }
}

function jobWeight(job: WriteJob): number {
  if (job instanceof CacheWrite) return job.entries.length;
  return job.stage === 'pending' ? job.batch.items.length : (job.rows?.length ?? 0);
}
