/**
 * A database as schema version 2 left it (segments, each segment's vectors in one record), written with raw
 * IndexedDB: a frozen copy of that layout, so opening it is tested against what real browsers hold.
 */
import { done, openAt } from './v1-fixture.js';

export interface V2Row {
  id: string;
  text: string;
  userId: string;
  createdAt: string;
  vector: Float32Array;
}

export async function writeV2(
  dbName: string,
  model: { modelId: string; dimensions: number },
  segmentId: string,
  rows: readonly V2Row[],
): Promise<void> {
  const db = await openAt(dbName, 2, (db) => {
    const segments = db.createObjectStore('segments', { keyPath: 'id' });
    for (const name of ['ids', 'userIds', 'agentIds', 'runIds']) segments.createIndex(name, name, { multiEntry: true });
    db.createObjectStore('segmentVectors', { keyPath: 'id' });
    db.createObjectStore('history', { keyPath: 'id' }).createIndex('memoryId', 'memoryId');
    db.createObjectStore('embeddings');
    db.createObjectStore('pending', { keyPath: 'id' });
    db.createObjectStore('meta');
  });
  const d = model.dimensions;
  const f32 = new Float32Array(rows.length * d);
  rows.forEach((row, i) => f32.set(row.vector, i * d));
  const tx = db.transaction(['segments', 'segmentVectors', 'meta'], 'readwrite');
  tx.objectStore('meta').put(model, 'model');
  tx.objectStore('segments').put({
    id: segmentId,
    ids: rows.map((r) => r.id),
    userIds: [...new Set(rows.map((r) => r.userId))],
    agentIds: [],
    runIds: [],
    memories: rows.map((r, n) => ({
      id: r.id,
      text: r.text,
      hash: `v2-hash-${n}`,
      userId: r.userId,
      metadata: {},
      createdAt: r.createdAt,
      updatedAt: r.createdAt,
    })),
  });
  tx.objectStore('segmentVectors').put({ id: segmentId, dimensions: d, f32 });
  await done(tx);
  db.close();
}
