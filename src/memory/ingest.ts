import { EmbeddingError, StorageError, errorDetail } from '../errors.js';
import { describe } from '../validate.js';
import { contentHash, uuidv7 } from '../store/ids.js';
import type { PendingBatch, PendingRecord } from '../store/records.js';
import type { AddRow, Store } from '../store/store.js';
import type { StoreWriter } from './store-writer.js';
import type { TextEmbedder } from './text-embedder.js';

/** Texts handed to the embedder per call from one add (it batches further across callers). */
const EMBED_CHUNK = 256;

export interface IngestConfig {
  readonly store: Store;
  readonly writer: StoreWriter;
  readonly embedder: TextEmbedder;
  /** Called with the rows of each commit (its own, a replay's; never none) and the segments they went into. */
  readonly onCommitted: (rows: readonly AddRow[], segments: readonly string[]) => void;
}

/** What `Memory.stats()` reports of adds and crash replay. */
export interface IngestStats {
  readonly inFlight: number;
  readonly committed: number;
  readonly replayed: number;
  readonly replayFailed: number;
  readonly replayError?: string;
}

/** The add path: pending records, embedding, the grouped commit; and the replay of what a closed tab left pending. */
export class Ingest {
  readonly #store: Store;
  readonly #writer: StoreWriter;
  readonly #embedder: TextEmbedder;
  readonly #onCommitted: IngestConfig['onCommitted'];
  #inFlight = 0;
  #committed = 0;
  #replayed = 0;
  #replayFailed = 0;
  #replayError: string | undefined;

  constructor(config: IngestConfig) {
    this.#store = config.store;
    this.#writer = config.writer;
    this.#embedder = config.embedder;
    this.#onCommitted = (rows, segments) => {
      if (rows.length === 0) return;
      this.#committed += rows.length;
      config.onCommitted(rows, segments);
    };
    this.#writer.listen(this.#onCommitted);
  }

  stats(): IngestStats {
    return {
      inFlight: this.#inFlight,
      committed: this.#committed,
      replayed: this.#replayed,
      replayFailed: this.#replayFailed,
      ...(this.#replayError === undefined ? {} : { replayError: this.#replayError }),
    };
  }

  /**
   * The pending record is written while the texts are embedded (side by side: an add is durable once that record
   * is, whenever its embedding finishes, and the write's latency no longer delays the engine), then one grouped
   * transaction commits the memories once both are done.
   */
  async add(pending: PendingRecord[]): Promise<void> {
    this.#inFlight += pending.length;
    const batch: PendingBatch = { id: uuidv7(), items: pending };
    const recorded = this.#writer.record(batch);
    const embedded = this.#rows(pending);
    embedded.catch(() => undefined); // awaited below, unless the pending write failed first
    try {
      await recorded;
      let failure: unknown;
      try {
        const rows = await embedded;
        if (await this.#writer.commit({ batchId: batch.id, rows })) return;
        // The pending batch was gone at the commit: another tab's replay committed it, or a reset() (here or in
        // another tab) cleared it. Then the caller must not hear "ADD".
        failure = new StorageError(
          `The add of \`${pending[0]!.id}\` was discarded before it was committed: its pending record was removed (reset(), in this tab or another)`,
        );
      } catch (error) {
        failure = error;
      }
      // Another tab may have replayed this add meanwhile (it finds in-flight adds pending): then it is stored.
      if (await this.#store.get(pending[0]!.id).catch(() => undefined)) return;
      // The caller is told this add failed, so it must not resurface as a memory on the next create().
      await this.#store.deletePending([batch.id]).catch(() => undefined);
      throw failure;
    } finally {
      this.#inFlight -= pending.length;
    }
  }

  /** Embeds texts, checking the embedder gave one vector of the right size for each. */
  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    const vectors =
      texts.length === 1 ? [await this.#embedder.embed(texts[0]!)] : await this.#embedder.embedMany(texts);
    const d = this.#embedder.dimensions;
    if (vectors.length !== texts.length || vectors.some((v) => !(v instanceof Float32Array) || v.length !== d)) {
      throw new EmbeddingError(
        `Expected ${texts.length} vectors of ${d} dimensions from the embedder, got ${describe(vectors.map((v) => v?.length))}`,
      );
    }
    return vectors;
  }

  /**
   * Embeds and commits what a closed tab left in the pending store, under the ids it had chosen. A batch that fails
   * (its embedding, or a full disk) stays pending for the next create() and is counted in `stats().replayFailed`:
   * it must not lock the database out, where reset() or deleteAll() could free the space it needs.
   */
  async replay(): Promise<void> {
    for (const batch of await this.#store.allPending()) {
      try {
        const rows = await this.#rows(batch.items);
        // Skipped when no longer pending: another tab may be replaying, or still finishing, the same adds.
        const { batches, segments } = await this.#store.write({ groups: [{ batchId: batch.id, rows }] });
        if (batches.length === 0) continue;
        this.#replayed += rows.length;
        this.#onCommitted(rows, segments);
      } catch (error) {
        this.#replayFailed += batch.items.length;
        this.#replayError = errorDetail(error);
      }
    }
  }

  /** Embeds (in chunks, so a huge addMany does not hold one giant batch in the engine) and builds the rows. */
  async #rows(pending: readonly PendingRecord[]): Promise<AddRow[]> {
    const rows: AddRow[] = [];
    for (let start = 0; start < pending.length; start += EMBED_CHUNK) {
      const chunk = pending.slice(start, start + EMBED_CHUNK);
      const vectors = await this.embed(chunk.map((p) => p.text));
      chunk.forEach((p, i) => {
        rows.push({ memory: { ...p, hash: contentHash(p.text), updatedAt: p.createdAt }, vector: vectors[i]! });
      });
    }
    return rows;
  }
}
