import { unwrap, type DBSchema, type IDBPDatabase, type IDBPTransaction, type StoreNames } from 'idb';
import { migrateV1 } from './migrate-v1.js';
import type { HistoryRecord, ModelMeta, PendingBatch, SegmentRecord, SegmentVectors } from './records.js';

/**
 * The IndexedDB schema. Bump SCHEMA_VERSION and add an `if (oldVersion < N)` step to `upgrade` for every change;
 * never edit a step that has shipped (a browser holding version N-1 runs only the steps after it).
 *
 * Version 1 (one record per memory in `memories` and `vectors`) wrote ~4,000 memories/s: IndexedDB pays per
 * record and per index entry, and an add cost three records and nine index entries. Version 2 keeps memories and
 * vectors in segments (one record each per commit of up to 1,000 memories) and writes the ADD history row only
 * when a memory first changes. Version 3 stores a segment's vectors in parts of at most 512 KiB
 * (vector-parts.ts): version 2's code would read only the first part, so it must not open such a database.
 */
export const SCHEMA_VERSION = 3;

/** The segments' multiEntry index of each scope field. */
export const scopeIndex = { userId: 'userIds', agentId: 'agentIds', runId: 'runIds' } as const;

export interface MemoryDB extends DBSchema {
  segments: {
    key: string;
    value: SegmentRecord;
    /** All multiEntry: a segment is listed under each memory id and each scope value it holds. */
    indexes: { ids: string; userIds: string; agentIds: string; runIds: string };
  };
  /** The vectors of a segment, in parts: the first under the segment's key (vector-parts.ts). */
  segmentVectors: {
    key: string;
    value: SegmentVectors;
  };
  history: {
    key: string;
    value: HistoryRecord;
    indexes: { memoryId: string };
  };
  /** Embedding cache, out-of-line keys chosen by the engine (model + text digest). */
  embeddings: {
    key: string;
    value: Float32Array;
  };
  pending: {
    key: string;
    value: PendingBatch;
  };
  meta: {
    key: string;
    value: ModelMeta;
  };
}

export type StoreName = StoreNames<MemoryDB>;

export function upgrade(
  wrapped: IDBPDatabase<MemoryDB>,
  oldVersion: number,
  _newVersion: number | null,
  wrappedTx: IDBPTransaction<MemoryDB, StoreName[], 'versionchange'>,
): void {
  // Raw handles: the steps create and drop stores that the current typed schema no longer names.
  const db: IDBDatabase = unwrap(wrapped);
  const tx: IDBTransaction = unwrap(wrappedTx);
  if (oldVersion < 1) {
    const memories = db.createObjectStore('memories', { keyPath: 'id' });
    memories.createIndex('userId', 'userId');
    memories.createIndex('agentId', 'agentId');
    memories.createIndex('runId', 'runId');
    memories.createIndex('createdAt', 'createdAt');
    memories.createIndex('hash', 'hash');
    const vectors = db.createObjectStore('vectors', { keyPath: 'id' });
    vectors.createIndex('userId', 'userId');
    vectors.createIndex('agentId', 'agentId');
    vectors.createIndex('runId', 'runId');
    const history = db.createObjectStore('history', { keyPath: 'id' });
    history.createIndex('memoryId', 'memoryId');
    db.createObjectStore('embeddings');
    db.createObjectStore('pending', { keyPath: 'id' });
    db.createObjectStore('meta');
  }
  if (oldVersion < 2) {
    const segments = db.createObjectStore('segments', { keyPath: 'id' });
    for (const name of ['ids', 'userIds', 'agentIds', 'runIds']) segments.createIndex(name, name, { multiEntry: true });
    db.createObjectStore('segmentVectors', { keyPath: 'id' });
    // Moves version 1's rows into segments, then drops `memories` and `vectors` (their ADD history rows stay).
    migrateV1(db, tx);
  }
  // Version 3 changes no store: a version 2 segment's vectors are one part, which version 3 reads as they are.
  // if (oldVersion < 4) { ... } goes here.
}
