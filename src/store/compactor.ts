import type { Store } from './store.js';

export interface CompactorConfig {
  readonly store: Store;
  /** Told each merged segment's id (other tabs that had not read a merged segment yet find its memories there). */
  readonly onMerged: (segment: string) => void;
}

/**
 * Merges a store's small segments in the background whenever the store says enough wait: after a commit or a
 * scope load made it due. One merge loop at a time; stop() ends it after the merge in progress.
 */
export class Compactor {
  readonly #store: Store;
  readonly #onMerged: (segment: string) => void;
  #running: Promise<void> | undefined;
  #stopped = false;
  #merged = 0;

  constructor(config: CompactorConfig) {
    this.#store = config.store;
    this.#onMerged = config.onMerged;
  }

  /** Segments merged so far. */
  get merged(): number {
    return this.#merged;
  }

  /** Starts merging when due (not awaited: the next commit's transaction queues behind it in IndexedDB). */
  start(): void {
    if (this.#store.compactionDue && !this.#running && !this.#stopped) this.#running = this.#run();
  }

  /** No merge starts after this; resolves once the one running, if any, has finished. */
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#running;
  }

  /** A failure changes nothing stored (one transaction) and only leaves the segments unmerged. */
  async #run(): Promise<void> {
    try {
      while (this.#store.compactionDue && !this.#stopped) {
        const id = await this.#store.compactSmall?.();
        if (id === undefined) break; // nothing merged (gone meanwhile): the next commit or scope load tries again
        this.#merged++;
        this.#onMerged(id);
      }
    } catch {
      // An optimisation: the memories are all still there, in more records.
    } finally {
      this.#running = undefined;
    }
  }
}
