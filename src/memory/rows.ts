import { contentHash, uuidv7 } from '../store/ids.js';
import type { AddRow } from '../store/store.js';
import type { HistoryRecord, MemoryRecord, MessageContext, PendingRecord } from '../store/records.js';
import type { Hit } from '../search/search-index.js';
import type { UpdateRequest } from './requests.js';
import type { AddResult, HistoryEntry, MemoryItem, MemoryScope, SearchResult } from './types.js';

/** Building stored records from API input, and API results from stored records. */

/** What one add stores besides its text. */
export interface PendingFields {
  scope: MemoryScope;
  metadata: Record<string, unknown>;
  createdAt: string;
  context?: MessageContext | undefined;
  expirationDate?: string | undefined;
}

export function pendingRecord(text: string, fields: PendingFields): PendingRecord {
  const { scope, metadata, createdAt, context, expirationDate } = fields;
  return {
    id: uuidv7(),
    text,
    ...scope,
    metadata,
    ...(context ? { context } : {}),
    ...(expirationDate !== undefined ? { expirationDate } : {}),
    createdAt,
  };
}

/** The committed rows of pending records, one vector each, in order. */
export function addRows(pending: readonly PendingRecord[], vectors: readonly Float32Array[]): AddRow[] {
  return pending.map((p, i) => ({
    memory: { ...p, hash: contentHash(p.text), updatedAt: p.createdAt },
    vector: vectors[i]!,
  }));
}

export function addResult(p: PendingRecord): AddResult {
  return { id: p.id, memory: p.text, event: 'ADD' };
}

export function historyRecord(
  memoryId: string,
  previousValue: string | null,
  newValue: string | null,
  event: HistoryRecord['event'],
  createdAt: string,
): HistoryRecord {
  return { id: uuidv7(), memoryId, previousValue, newValue, event, createdAt };
}

/**
 * The DELETE row of memory `memoryId`: its `previousValue` is left out (null) and {@link historyEntries} takes it
 * from the row before, so a delete does not write the text again: on a full disk it must free space, not need it.
 */
export function deleteHistory(memoryId: string, createdAt: string): HistoryRecord {
  return historyRecord(memoryId, null, null, 'DELETE', createdAt);
}

export function toItem(record: MemoryRecord): MemoryItem {
  const { id, text, hash, metadata, userId, agentId, runId, expirationDate, createdAt, updatedAt } = record;
  return {
    id,
    memory: text,
    hash,
    // A deep copy: a caller editing a nested value in a result must not change the record the index filters on.
    metadata: structuredClone(metadata),
    ...(userId !== undefined ? { userId } : {}),
    ...(agentId !== undefined ? { agentId } : {}),
    ...(runId !== undefined ? { runId } : {}),
    ...(expirationDate !== undefined ? { expirationDate } : {}),
    createdAt,
    updatedAt,
  };
}

export function searchResult(hit: Hit<MemoryRecord>, explain: boolean): SearchResult {
  const { record, score, semantic, keyword } = hit;
  const item: SearchResult = { ...toItem(record), score };
  if (explain)
    item.explain = {
      score,
      ...(semantic !== undefined ? { semantic } : {}),
      ...(keyword !== undefined ? { keyword } : {}),
    };
  return item;
}

/**
 * Stored history rows (oldest first) as Mem0 shapes them: `createdAt` is the memory's creation (its ADD row's
 * time), `updatedAt` the time of this change, `isDeleted` marks the DELETE row.
 */
export function historyEntries(rows: readonly HistoryRecord[]): HistoryEntry[] {
  const created = rows.find((row) => row.event === 'ADD')?.createdAt;
  return rows.map(({ id, memoryId, previousValue, newValue, event, createdAt }, i) => ({
    id,
    memoryId,
    // A DELETE row stores no text (deleteHistory): its previous value is the last one before it.
    previousValue: event === 'DELETE' && previousValue === null ? (rows[i - 1]?.newValue ?? null) : previousValue,
    newValue,
    event,
    createdAt: created ?? createdAt,
    updatedAt: event === 'ADD' ? null : createdAt,
    isDeleted: event === 'DELETE',
  }));
}

/** update()'s new version of `previous`: `hash` with a new text, `expiration` null clears the date. */
export function updatedRecord(
  previous: MemoryRecord,
  change: UpdateRequest,
  hash: string | undefined,
  now: string,
): MemoryRecord {
  const { text, metadata, replace, expiration } = change;
  const { expirationDate: _cleared, ...kept } = previous;
  return {
    ...(expiration === undefined ? previous : kept),
    ...(text !== undefined && hash !== undefined ? { text, hash } : {}),
    ...(metadata !== undefined ? { metadata: replace ? metadata : { ...previous.metadata, ...metadata } } : {}),
    ...(typeof expiration === 'string' ? { expirationDate: expiration } : {}),
    updatedAt: now,
  };
}
