import { errorDetail } from '../errors.js';
import { uuidv7 } from '../store/ids.js';
import type { PendingRecord } from '../store/records.js';
import type { AddRow, Store } from '../store/store.js';
import { AddCall, wrongVectors, type AddContext } from './add-call.js';
import { embedInto } from './engine.js';
import type { StoreWriter } from './store-writer.js';
import { addRows } from './rows.js';
import type { TextEmbedder } from './text-embedder.js';
import type { AddResult } from './types.js';

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
  readonly #embedder: TextEmbedder;
  readonly #onCommitted: IngestConfig['onCommitted'];
  readonly #context: AddContext;
  #idle: (() => void)[] = [];
  #inFlight = 0;
  #committed = 0;
  #replayed = 0;
  #replayFailed = 0;
  #replayError: string | undefined;

  constructor(config: IngestConfig) {
    this.#store = config.store;
    this.#embedder = config.embedder;
    this.#onCommitted = (rows, segments) => {
      if (rows.length === 0) return;
      this.#committed += rows.length;
      config.onCommitted(rows, segments);
    };
    config.writer.listen(this.#onCommitted);
    this.#context = {
      store: config.store,
      writer: config.writer,
      dimensions: config.embedder.dimensions,
      settled: (call) => {
        this.#inFlight -= call.batch.items.length;
        if (this.#inFlight === 0) for (const resolve of this.#idle.splice(0)) resolve();
      },
    };
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

  /** Resolves once every add made so far has settled. */
  settled(): Promise<void> {
    if (this.#inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  /**
   * The pending record is written while the texts are embedded (side by side: an add is durable once that record
   * is, whenever its embedding finishes, and the write's latency no longer delays the engine), then one grouped
   * transaction commits the memories once both are done. Resolves with the add's results once committed.
   */
  add(pending: PendingRecord[]): Promise<{ results: AddResult[] }> {
    if (pending.length === 0) return Promise.resolve({ results: [] });
    this.#inFlight += pending.length;
    return new Promise((resolve, reject) => {
      const call = new AddCall(this.#context, { id: uuidv7(), items: pending }, resolve, reject);
      this.#context.writer.push(call);
      this.#embed(call);
    });
  }

  /** Embeds texts, checking the embedder gave one vector of the right size for each. */
  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    const vectors =
      texts.length === 1 ? [await this.#embedder.embed(texts[0]!)] : await this.#embedder.embedMany(texts);
    const wrong = wrongVectors(texts.length, this.#embedder.dimensions, vectors);
    if (wrong) throw wrong;
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

  /** One engine call per add (the engine batches across callers): one slow or bad text holds or fails its add only. */
  #embed(call: AddCall): void {
    const pending = call.batch.items;
    if (pending.length <= EMBED_CHUNK)
      return embedInto(
        this.#embedder,
        pending.map((p) => p.text),
        call,
      );
    this.#vectors(pending).then(
      (vectors) => call.embedded(vectors),
      (error: unknown) => call.embedFailed(error),
    );
  }

  /** Embeds in chunks, so a huge addMany does not hold one giant batch in the engine. */
  async #vectors(pending: readonly PendingRecord[]): Promise<Float32Array[]> {
    const vectors: Float32Array[] = [];
    for (let start = 0; start < pending.length; start += EMBED_CHUNK)
      vectors.push(...(await this.embed(pending.slice(start, start + EMBED_CHUNK).map((p) => p.text))));
    return vectors;
  }

  /** The rows of a replayed batch. */
  async #rows(pending: readonly PendingRecord[]): Promise<AddRow[]> {
    return addRows(pending, await this.#vectors(pending));
  }
}
