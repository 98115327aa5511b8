/** What each object store holds. Plain, structured-cloneable records: no classes, no functions. */

export type HistoryEvent = 'ADD' | 'UPDATE' | 'DELETE';

export interface MemoryRecord {
  /** UUIDv7: sorts by creation time, so key order is insertion order. */
  readonly id: string;
  readonly text: string;
  /** SHA-256 of the text, hex (Mem0 keeps an md5 for the same purpose: finding identical memories). */
  readonly hash: string;
  readonly userId?: string;
  readonly agentId?: string;
  readonly runId?: string;
  readonly metadata: Readonly<Record<string, unknown>>;
  /** ISO 8601. */
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** A vector row: fp32, or int8 with one scale (see search/quantize.ts). Scope keys repeated so a scope loads by index. */
export interface VectorRecord {
  readonly id: string;
  readonly userId?: string;
  readonly agentId?: string;
  readonly runId?: string;
  readonly vector?: Float32Array;
  readonly q?: Int8Array;
  readonly scale?: number;
}

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

/** One add waiting in a PendingBatch. */
export interface PendingRecord {
  /** The id the memory will get: a replay after a crash commits under the same id, so it cannot duplicate. */
  readonly id: string;
  readonly text: string;
  readonly userId?: string;
  readonly agentId?: string;
  readonly runId?: string;
  readonly metadata: Readonly<Record<string, unknown>>;
  readonly createdAt: string;
}

/** Which model wrote the vectors: searching them with another model's queries would be silent nonsense. */
export interface ModelMeta {
  readonly modelId: string;
  readonly dimensions: number;
}
