import type { StoredVector } from '../search/scope-index.js';
import type { MemoryRecord, SegmentVectors } from './records.js';
import { SEGMENT_MAX, encodeVectors, segmentRecord } from './segments.js';
import { uuidv7 } from './ids.js';
import { putVectors } from './vector-parts.js';

/** A version 1 vector row: one per memory, fp32 or int8 + scale. */
interface V1Vector {
  readonly id: string;
  readonly vector?: Float32Array;
  readonly q?: Int8Array;
  readonly scale?: number;
}

/**
 * Schema step 2: reads version 1's `memories` in pages of SEGMENT_MAX (id order), joins each page with its
 * `vectors`, writes one segment per page, and drops both stores at the end. Runs inside the versionchange
 * transaction on raw requests (the transaction stays alive while one is pending), so the whole move is atomic:
 * an exception aborts the upgrade and leaves version 1 as it was. A memory without a vector (which version 1
 * never wrote) is dropped: it could not be searched.
 */
export function migrateV1(db: IDBDatabase, tx: IDBTransaction): void {
  const memories = tx.objectStore('memories');
  const vectors = tx.objectStore('vectors');
  const segments = tx.objectStore('segments');
  const segmentVectors = tx.objectStore('segmentVectors');
  const page = (after: string | undefined) => {
    const request = memories.getAll(after === undefined ? null : IDBKeyRange.lowerBound(after, true), SEGMENT_MAX);
    request.onsuccess = () => {
      const rows = request.result as MemoryRecord[];
      if (rows.length === 0) {
        db.deleteObjectStore('memories');
        db.deleteObjectStore('vectors');
        return;
      }
      const span = IDBKeyRange.bound(rows[0]!.id, rows[rows.length - 1]!.id);
      const vectorRequest = vectors.getAll(span);
      vectorRequest.onsuccess = () => {
        const byId = new Map((vectorRequest.result as V1Vector[]).map((v) => [v.id, v]));
        const kept = rows.filter((m) => byId.has(m.id));
        if (kept.length > 0) {
          const id = uuidv7();
          segments.put(segmentRecord(id, kept));
          putVectors(
            segmentVectors,
            joinVectors(
              id,
              kept.map((m) => byId.get(m.id)!),
            ),
          );
        }
        page(rows[rows.length - 1]!.id);
      };
    };
  };
  page(undefined);
}

/** One segment's vectors from version 1 rows: fp32 when every row is, else int8 (int8 rows keep their codes). */
function joinVectors(id: string, rows: readonly V1Vector[]): SegmentVectors {
  const vectors: StoredVector[] = rows.map((r) => r.vector ?? { q: r.q!, scale: r.scale! });
  const d = vectors[0] instanceof Float32Array ? vectors[0].length : vectors[0]!.q.length;
  return encodeVectors(id, vectors, d, rows.every((r) => r.vector) ? 'fp32' : 'int8');
}
