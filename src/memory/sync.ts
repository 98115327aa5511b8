import type { SearchIndex } from '../search/search-index.js';
import type { MemoryRecord } from '../store/records.js';
import type { AddRow, RestoreResult, RestoreRow, Store } from '../store/store.js';
import type { Sync } from './platform.js';

/**
 * What one tab tells the others about the database they share, over a BroadcastChannel named after it.
 * IndexedDB is the truth; these messages only keep each tab's in-memory search index in step without a re-read.
 */
export type SyncMessage =
  /** Segments another tab committed: read them from IndexedDB (posting 1,000 vectors would cost the writer more). */
  | { readonly type: 'segments'; readonly ids: readonly string[] }
  | {
      readonly type: 'upsert';
      readonly entries: readonly { readonly memory: MemoryRecord; readonly vector?: Float32Array | undefined }[];
    }
  | { readonly type: 'remove'; readonly ids: readonly string[] }
  | { readonly type: 'clear' };

export class SyncChannel {
  readonly #channel: BroadcastChannel | undefined;

  constructor(dbName: string, onMessage: (message: SyncMessage) => void) {
    // Workers without BroadcastChannel (old Safari) still work, as a single tab.
    if (typeof BroadcastChannel !== 'function') return;
    this.#channel = new BroadcastChannel(`agentmem:${dbName}`);
    this.#channel.onmessage = (event: MessageEvent<SyncMessage>) => onMessage(event.data);
  }

  post(message: SyncMessage): void {
    this.#channel?.postMessage(message);
  }

  close(): void {
    this.#channel?.close();
  }
}

export interface SyncApplyConfig {
  readonly store: Store;
  readonly index: SearchIndex<MemoryRecord>;
  /** True once this Memory is closed: messages after that change nothing. */
  readonly closed: () => boolean;
}

/** Applies other tabs' messages to this tab's search index, one after another. */
export class SyncApply {
  readonly #store: Store;
  readonly #index: SearchIndex<MemoryRecord>;
  readonly #closed: () => boolean;
  /** A segment read must not overtake a later delete. */
  #tail: Promise<void> = Promise.resolve();

  constructor(config: SyncApplyConfig) {
    this.#store = config.store;
    this.#index = config.index;
    this.#closed = config.closed;
  }

  receive(message: SyncMessage): void {
    this.#tail = this.#tail.then(() => this.#apply(message)).catch(() => undefined); // a closed store: nothing to keep in step
  }

  async #apply(message: SyncMessage): Promise<void> {
    if (this.#closed()) return;
    switch (message.type) {
      case 'segments':
        // Only scopes this tab holds need the rows; the others read storage when first searched.
        if (this.#index.stats().scopes === 0 || !this.#store.readSegments) return;
        for (const { memory, vector } of await this.#store.readSegments(message.ids))
          this.#index.upsert(memory, vector);
        break;
      case 'upsert':
        // Messages from different tabs arrive in no set order: apply an update only while storage still holds that
        // very version. A late message about a memory deleted or updated again since is dropped (the message about
        // the newer state does the work, before or after it).
        for (const { memory, vector } of message.entries) {
          const stored = await this.#store.get(memory.id);
          if (!stored) this.#index.remove(memory.id);
          else if (stored.updatedAt !== memory.updatedAt) continue;
          else if (vector) this.#index.upsert(memory, vector);
          else this.#index.updateRecord(memory);
        }
        break;
      case 'remove':
        for (const id of message.ids) this.#index.remove(id);
        break;
      case 'clear':
        this.#index.clear();
        break;
    }
  }
}

/** This tab's search index and the channel to the other tabs: what a write here keeps in step. */
export interface SyncTarget {
  readonly index: SearchIndex<MemoryRecord>;
  readonly sync: Sync | undefined;
}

/** Adds committed rows to this tab's index and tells the other tabs which segments to read. */
export function indexCommitted(target: SyncTarget, rows: readonly AddRow[], segments: readonly string[]): void {
  for (const row of rows) target.index.upsert(row.memory, row.vector);
  if (segments.length > 0) target.sync?.post({ type: 'segments', ids: segments });
}

/** Applies an import batch to this tab's index (replaced memories out, restored rows in), and to the other tabs'. */
export function indexRestored(target: SyncTarget, rows: readonly RestoreRow[], result: RestoreResult): void {
  for (const id of result.replaced) target.index.remove(id);
  for (const row of rows) target.index.upsert(row.memory, row.vector);
  if (result.replaced.length > 0) target.sync?.post({ type: 'remove', ids: result.replaced });
  if (result.segments.length > 0) target.sync?.post({ type: 'segments', ids: result.segments });
}
