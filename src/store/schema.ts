import type { DBSchema, IDBPDatabase, IDBPTransaction, StoreNames } from 'idb';
import type { HistoryRecord, MemoryRecord, ModelMeta, PendingBatch, VectorRecord } from './records.js';

/**
 * The IndexedDB schema. Bump SCHEMA_VERSION and add an `if (oldVersion < N)` step to `upgrade` for every change;
 * never edit a step that has shipped (a browser holding version N-1 runs only the steps after it).
 */
export const SCHEMA_VERSION = 1;

export interface MemoryDB extends DBSchema {
  memories: {
    key: string;
    value: MemoryRecord;
    indexes: { userId: string; agentId: string; runId: string; createdAt: string; hash: string };
  };
  vectors: {
    key: string;
    value: VectorRecord;
    indexes: { userId: string; agentId: string; runId: string };
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
  db: IDBPDatabase<MemoryDB>,
  oldVersion: number,
  _newVersion: number | null,
  _tx: IDBPTransaction<MemoryDB, StoreName[], 'versionchange'>,
): void {
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
  // if (oldVersion < 2) { ... } goes here.
}
