import type { MemoryRecord } from '../store/records.js';

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
