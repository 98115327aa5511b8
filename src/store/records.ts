/** What each object store holds. Plain, structured-cloneable records: no classes, no functions. */

export type HistoryEvent = 'ADD' | 'UPDATE' | 'DELETE';

export interface MemoryRecord extends PendingRecord {
  /** SHA-256 of the text, hex (Mem0 keeps an md5 for the same purpose: finding identical memories). */
  readonly hash: string;
  /** ISO 8601. */
  readonly updatedAt: string;
}

/**
 * The messages around a memory that came from a conversation (one `add(messages)`): indexed for keyword search
 * with the memory, never returned as its text. A short reply ("Lisbon, next week") is found by what it answers.
 */
export interface MessageContext {
  readonly before?: string;
  readonly after?: string;
}

/**
 * A segment: the memories of one commit (at most SEGMENT_MAX of them) in one record, so a batch of 1,000 adds is
 * a handful of writes instead of thousands (IndexedDB pays per record and per index entry). `ids` and the scope
 * lists exist for the multiEntry indexes: a memory is found by id, a scope's segments by user, agent or run.
 * Memories stay in id (= creation) order within a segment.
 */
export interface SegmentRecord {
  /** UUIDv7 of the commit: segments sort by the time they were written. */
  readonly id: string;
  readonly ids: readonly string[];
  readonly userIds: readonly string[];
  readonly agentIds: readonly string[];
  readonly runIds: readonly string[];
  readonly memories: readonly MemoryRecord[];
}

/**
 * The vectors of one segment (same key), kept in their own store so listing memories never reads vector bytes:
 * fp32 row-major `n x dimensions`, or int8 codes with one scale per row (see search/quantize.ts).
 */
export interface SegmentVectors {
  readonly id: string;
  readonly dimensions: number;
  readonly f32?: Float32Array;
  readonly q?: Int8Array;
  readonly scales?: Float32Array;
}

/**
 * A history row. The ADD row of a memory is its segment entry until the memory first changes: the transaction of
 * that first UPDATE or DELETE writes the ADD row (from the entry, still untouched) before its own row.
 */
export interface HistoryRecord {
  readonly id: string;
  readonly memoryId: string;
  readonly previousValue: string | null;
  readonly newValue: string | null;
  readonly event: HistoryEvent;
  readonly createdAt: string;
}

/**
 * The adds of one call (`add` or `addMany`), recorded before their texts are embedded, as one record (one write
 * per call, not per memory); deleted in the transaction that commits those memories.
 */
export interface PendingBatch {
  readonly id: string;
  readonly items: readonly PendingRecord[];
}

/** One add waiting in a PendingBatch: a memory's fields before its text is hashed and it is committed. */
export interface PendingRecord {
  /**
   * UUIDv7, so key order is creation order; chosen before embedding, so a replay after a crash commits under the
   * same id and cannot duplicate.
   */
  readonly id: string;
  readonly text: string;
  readonly userId?: string;
  readonly agentId?: string;
  readonly runId?: string;
  readonly metadata: Readonly<Record<string, unknown>>;
  readonly context?: MessageContext;
  /** When search and getAll stop returning it: `'YYYY-MM-DD'` (through that UTC day) or an ISO instant (memory/expiry.ts). */
  readonly expirationDate?: string;
  /** ISO 8601. */
  readonly createdAt: string;
}

/** Which model wrote the vectors: searching them with another model's queries would be silent nonsense. */
export interface ModelMeta {
  readonly modelId: string;
  readonly dimensions: number;
}
