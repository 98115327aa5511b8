import { EmbeddingError, StorageError } from '../errors.js';
import { describe } from '../validate.js';
import type { PendingBatch } from '../store/records.js';
import type { AddRow, Store } from '../store/store.js';
import { addResult, addRows } from './rows.js';
import type { AddWrite, StoreWriter } from './store-writer.js';
import type { AddResult } from './types.js';

/** What every add of one Memory shares: one object, so a waiting add holds a single reference to it. */
export interface AddContext {
  readonly store: Store;
  readonly writer: StoreWriter;
  /** The embedder's vector size: what each of an add's vectors must have. */
  readonly dimensions: number;
  /** Called once per add when it has settled (resolved or rejected). */
  readonly settled: (call: AddCall) => void;
}

/**
 * One add() or addMany() call on its way to storage, and the only record a waiting add holds besides its promise:
 * the writer records its pending batch, the embedder's vectors come back (in either order), then the writer commits
 * its rows. It resolves only once the memories are committed; a failure rejects this call alone.
 */
export class AddCall implements AddWrite {
  stage: 'pending' | 'commit' = 'pending';
  readonly batch: PendingBatch;
  rows: AddRow[] | undefined;
  readonly #context: AddContext;
  readonly #resolve: (result: { results: AddResult[] }) => void;
  readonly #reject: (error: unknown) => void;
  #recorded = false;
  #skipped = false;
  /** The embedding failed before the pending batch was recorded: reported once it is. */
  #embedFailure: { error: unknown } | undefined;

  constructor(
    context: AddContext,
    batch: PendingBatch,
    resolve: (result: { results: AddResult[] }) => void,
    reject: (error: unknown) => void,
  ) {
    this.#context = context;
    this.batch = batch;
    this.#resolve = resolve;
    this.#reject = reject;
  }

  /** The vectors of the batch's items, in order. */
  embedded(vectors: readonly Float32Array[]): void {
    const wrong = wrongVectors(this.batch.items.length, this.#context.dimensions, vectors);
    if (wrong) return this.embedFailed(wrong);
    this.rows = addRows(this.batch.items, vectors);
    if (this.#recorded) this.#commit();
  }

  embedFailed(error: unknown): void {
    if (this.#recorded) void this.#failed(error);
    else this.#embedFailure = { error };
  }

  /** The writer finished this add's current stage. */
  done(): void {
    if (this.stage === 'commit') {
      if (this.#skipped) void this.#failed(this.#discarded());
      else this.#settle(undefined);
      return;
    }
    this.#recorded = true;
    if (this.rows) this.#commit();
    else if (this.#embedFailure) void this.#failed(this.#embedFailure.error);
  }

  fail(error: unknown): void {
    // The pending batch could not be written: nothing of this add is stored.
    if (this.stage === 'pending') this.#settle({ error });
    else void this.#failed(error);
  }

  skip(): void {
    this.#skipped = true;
  }

  #commit(): void {
    this.stage = 'commit';
    this.#context.writer.push(this);
  }

  /** The pending batch was gone at the commit: the caller must not hear "ADD". */
  #discarded(): StorageError {
    return new StorageError(
      `The add of \`${this.batch.items[0]!.id}\` was discarded before it was committed: its pending record was removed (reset(), in this tab or another)`,
    );
  }

  /** After the pending batch was recorded, the embedding or the commit failed. */
  async #failed(failure: unknown): Promise<void> {
    const { store } = this.#context;
    // Another tab may have replayed this add meanwhile (it finds in-flight adds pending): then it is stored.
    if (await store.get(this.batch.items[0]!.id).catch(() => undefined)) return this.#settle(undefined);
    // The caller is told this add failed, so it must not resurface as a memory on the next create().
    await store.deletePending([this.batch.id]).catch(() => undefined);
    this.#settle({ error: failure });
  }

  #settle(failure: { error: unknown } | undefined): void {
    this.rows = undefined;
    this.#context.settled(this);
    if (failure) this.#reject(failure.error);
    else this.#resolve({ results: this.batch.items.map(addResult) });
  }
}

/** An EmbeddingError unless `vectors` holds `count` vectors of `dimensions` floats (an embedder's answer is checked). */
export function wrongVectors(
  count: number,
  dimensions: number,
  vectors: readonly Float32Array[],
): EmbeddingError | undefined {
  if (vectors.length === count && vectors.every((v) => v instanceof Float32Array && v.length === dimensions)) return;
  return new EmbeddingError(
    `Expected ${count} vectors of ${dimensions} dimensions from the embedder, got ${describe(vectors.map((v) => v?.length))}`,
  );
}
