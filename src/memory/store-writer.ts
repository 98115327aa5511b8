import type { AddGroup, AddRow, Store } from '../store/store.js';
import type { PendingBatch } from '../store/records.js';
import { CommitQueue } from './commit-queue.js';

/** One caller's write: a new pending batch, the commit of an embedded add, or embedding-cache entries. */
type WriteJob =
  | { readonly kind: 'pending'; readonly batch: PendingBatch }
  | { readonly kind: 'commit'; readonly group: AddGroup }
  | { readonly kind: 'cache'; readonly entries: ReadonlyArray<readonly [string, Float32Array]> };

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
  /** Batches a commit found no longer pending (their commit() reports false). */
  readonly #skipped = new Set<string>();
  #transactions = 0;
  #commitTransactions = 0;
  #largestCommit = 0;

  constructor(store: Store) {
    this.#store = store;
    this.#queue = new CommitQueue((jobs) => this.#write(jobs), {
      weight: jobWeight,
      maxWeight: MAX_WRITE,
      // A commit resolves its add and frees its vectors; behind a flood's pending records they would pile up.
      urgent: (job) => job.kind === 'commit',
    });
  }

  /** Sets who hears of committed adds (the Memory, once it exists: the engine that shares this writer comes first). */
  listen(listener: CommittedListener): void {
    this.#listener = listener;
  }

  /** Resolves once the batch is recorded as pending (the add is durable from then on). */
  record(batch: PendingBatch): Promise<void> {
    return this.#queue.push([{ kind: 'pending', batch }]);
  }

  /**
   * Resolves once the group's transaction is done: true when it committed the memories, false when their pending
   * batch was gone by then (another tab replayed it, or a reset() cleared it) and nothing was written for them.
   */
  async commit(group: AddGroup): Promise<boolean> {
    await this.#queue.push([{ kind: 'commit', group }]);
    return !this.#skipped.delete(group.batchId);
  }

  /** Resolves once the entries are in the persistent embedding cache. */
  cache(entries: ReadonlyArray<readonly [string, Float32Array]>): Promise<void> {
    return this.#queue.push([{ kind: 'cache', entries }]);
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
    const cache: (readonly [string, Float32Array])[] = [];
    for (const job of jobs) {
      if (job.kind === 'pending') pending.push(job.batch);
      else if (job.kind === 'commit') groups.push(job.group);
      else cache.push(...job.entries);
    }
    const { batches, segments } = await this.#store.write({ pending, groups, cache });
    this.#transactions++;
    if (groups.length === 0) return;
    // Only what this transaction wrote reaches the index: a skipped group's memories are not in storage.
    const written = new Set(batches);
    const committed = groups.filter((g) => written.has(g.batchId));
    for (const g of groups) if (!written.has(g.batchId)) this.#skipped.add(g.batchId);
    if (committed.length === 0) return;
    this.#commitTransactions++;
    this.#largestCommit = Math.max(this.#largestCommit, committed.length);
    this.#listener?.(
      committed.flatMap((g) => g.rows),
      segments,
    );
  }
}

function jobWeight(job: WriteJob): number {
  if (job.kind === 'pending') return job.batch.items.length;
  return job.kind === 'commit' ? job.group.rows.length : job.entries.length;
}
