/**
 * A database as version 1 of agentmem-web (schema 1, before segments) left it: written with raw IndexedDB, a
 * frozen copy of that layout, so the upgrade path is tested against what real browsers hold, not against
 * whatever the current code would write.
 */
export interface V1Row {
  id: string;
  text: string;
  userId?: string;
  agentId?: string;
  runId?: string;
  metadata?: Record<string, unknown>;
  createdAt: string;
  vector: Float32Array | { q: Int8Array; scale: number };
  /** Extra history rows after the ADD row (an UPDATE that already happened). */
  history?: { previousValue: string | null; newValue: string | null; event: 'UPDATE' | 'DELETE'; createdAt: string }[];
}

/** Resolves when `tx` commits, rejects when it fails. */
export const done = (tx: IDBTransaction) =>
  new Promise<void>((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });

/** Opens (creating) database `dbName` at `version`; `create` makes its stores when it is new. */
export function openAt(dbName: string, version: number, create: (db: IDBDatabase) => void): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(dbName, version);
    request.onupgradeneeded = () => create(request.result);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

export async function writeV1(
  dbName: string,
  model: { modelId: string; dimensions: number },
  rows: readonly V1Row[],
): Promise<void> {
  const db = await openAt(dbName, 1, (db) => {
    const memories = db.createObjectStore('memories', { keyPath: 'id' });
    for (const f of ['userId', 'agentId', 'runId', 'createdAt', 'hash']) memories.createIndex(f, f);
    const vectors = db.createObjectStore('vectors', { keyPath: 'id' });
    for (const f of ['userId', 'agentId', 'runId']) vectors.createIndex(f, f);
    db.createObjectStore('history', { keyPath: 'id' }).createIndex('memoryId', 'memoryId');
    db.createObjectStore('embeddings');
    db.createObjectStore('pending', { keyPath: 'id' });
    db.createObjectStore('meta');
  });
  const tx = db.transaction(['memories', 'vectors', 'history', 'meta'], 'readwrite');
  tx.objectStore('meta').put(model, 'model');
  rows.forEach((row, n) => {
    const scope = {
      ...(row.userId ? { userId: row.userId } : {}),
      ...(row.agentId ? { agentId: row.agentId } : {}),
      ...(row.runId ? { runId: row.runId } : {}),
    };
    const last = row.history?.at(-1);
    const text = last?.newValue ?? row.text;
    tx.objectStore('memories').put({
      id: row.id,
      text,
      hash: `v1-hash-${n}`,
      ...scope,
      metadata: row.metadata ?? {},
      createdAt: row.createdAt,
      updatedAt: last?.createdAt ?? row.createdAt,
    });
    const vector =
      row.vector instanceof Float32Array ? { vector: row.vector } : { q: row.vector.q, scale: row.vector.scale };
    tx.objectStore('vectors').put({ id: row.id, ...scope, ...vector });
    tx.objectStore('history').put({
      id: `${row.id}:add`,
      memoryId: row.id,
      previousValue: null,
      newValue: row.text,
      event: 'ADD',
      createdAt: row.createdAt,
    });
    row.history?.forEach((h, i) => tx.objectStore('history').put({ id: `${row.id}:h${i}`, memoryId: row.id, ...h }));
  });
  await done(tx);
  db.close();
}

/** The object stores and version a database has now. */
export async function describeDb(dbName: string): Promise<{ version: number; stores: string[] }> {
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const request = indexedDB.open(dbName);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  const out = { version: db.version, stores: [...db.objectStoreNames].sort() };
  db.close();
  return out;
}
