import { uuidv7 } from '../store/ids.js';
import type { HistoryRecord, MemoryRecord, MessageContext, PendingRecord } from '../store/records.js';
import type { Hit } from '../search/search-index.js';
import type { AddResult, MemoryItem, MemoryScope, SearchResult } from './types.js';

/** Building stored records from API input, and API results from stored records. */

export function pendingRecord(
  text: string,
  scope: MemoryScope,
  metadata: Record<string, unknown>,
  createdAt: string,
  context?: MessageContext,
): PendingRecord {
  return { id: uuidv7(), text, ...scope, metadata, ...(context ? { context } : {}), createdAt };
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

export function toItem(record: MemoryRecord): MemoryItem {
  const { id, text, hash, metadata, userId, agentId, runId, createdAt, updatedAt } = record;
  return {
    id,
    memory: text,
    hash,
    // A deep copy: a caller editing a nested value in a result must not change the record the index filters on.
    metadata: structuredClone(metadata),
    ...(userId !== undefined ? { userId } : {}),
    ...(agentId !== undefined ? { agentId } : {}),
    ...(runId !== undefined ? { runId } : {}),
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
