import { contentHash } from '../store/ids.js';
import { notFound, type Store } from '../store/store.js';
import type { UpdateRequest } from './requests.js';
import { historyRecord, toItem, updatedRecord } from './rows.js';
import type { SyncTarget } from './sync.js';
import type { MemoryItem } from './types.js';

export interface UpdateConfig extends SyncTarget {
  readonly store: Store;
  /** Embeds texts with the checks an add applies (one vector of the right size each). */
  readonly embed: (texts: readonly string[]) => Promise<Float32Array[]>;
}

/** update(): applies `request` to memory `id` with an UPDATE history row, then updates this tab's index and others'. */
export async function updateMemory(config: UpdateConfig, id: string, request: UpdateRequest): Promise<MemoryItem> {
  const { store, index, sync } = config;
  const { text } = request;
  const current = await store.get(id);
  if (!current) throw notFound(id);
  // With a new text, embed before the transaction (an IndexedDB transaction cannot wait for a worker).
  const vector = text === undefined ? undefined : (await config.embed([text]))[0]!;
  const hash = text === undefined ? undefined : contentHash(text);
  const now = new Date().toISOString();
  const { next } = await store.replace(id, (previous) => {
    const memory = updatedRecord(previous, request, hash, now);
    return { memory, vector, history: historyRecord(id, previous.text, memory.text, 'UPDATE', now) };
  });
  if (next.vector) index.upsert(next.memory, next.vector);
  else index.updateRecord(next.memory);
  sync?.post({ type: 'upsert', entries: [{ memory: next.memory, vector: next.vector }] });
  return toItem(next.memory);
}
