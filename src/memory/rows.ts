import { quantize as toInt8 } from '../search/quantize.js';
import type { StoredVector } from '../search/scope-index.js';
import { uuidv7 } from '../store/ids.js';
import type { HistoryRecord, MemoryRecord, PendingRecord, VectorRecord } from '../store/records.js';
import type { AddResult, MemoryItem, MemoryScope } from './types.js';

/** Building stored records from API input, and API results from stored records. */

export function pendingRecord(text: string, scope: MemoryScope, metadata: Record<string, unknown>, createdAt: string): PendingRecord {
  return { id: uuidv7(), text, ...scope, metadata, createdAt };
}

export function addResult(p: PendingRecord): AddResult {
  return { id: p.id, memory: p.text, event: 'ADD' };
}

export function historyRecord(memoryId: string, previousValue: string | null, newValue: string | null, event: HistoryRecord['event'], createdAt: string): HistoryRecord {
  return { id: uuidv7(), memoryId, previousValue, newValue, event, createdAt };
}

export function stored(vector: VectorRecord): StoredVector {
  if (vector.vector) return vector.vector;
  if (vector.q && vector.scale !== undefined) return { q: vector.q, scale: vector.scale };
  throw new RangeError(`Vector record \`${vector.id}\` holds neither \`vector\` nor \`q\` + \`scale\``);
}

export function toItem(record: MemoryRecord): MemoryItem {
  const { id, text, hash, metadata, userId, agentId, runId, createdAt, updatedAt } = record;
  return {
    id,
    memory: text,
    hash,
    metadata: { ...metadata },
    ...(userId !== undefined ? { userId } : {}),
    ...(agentId !== undefined ? { agentId } : {}),
    ...(runId !== undefined ? { runId } : {}),
    createdAt,
    updatedAt,
  };
}

/** The vector row of `memory`: fp32, or int8 + scale. Scope keys repeated so a scope loads by index. */
export function vectorRecord(memory: MemoryRecord, vector: Float32Array, quantize: 'none' | 'int8'): VectorRecord {
  const { id, userId, agentId, runId } = memory;
  const scope = { id, ...(userId !== undefined ? { userId } : {}), ...(agentId !== undefined ? { agentId } : {}), ...(runId !== undefined ? { runId } : {}) };
  if (quantize === 'int8') {
    const { q, scale } = toInt8(vector);
    return { ...scope, q, scale };
  }
  return { ...scope, vector };
}
