import { unwrap } from 'idb';
import type { SegmentRecord } from './records.js';
import { putNewSegments, rewriteWithout, type Tx } from './idb-tx.js';
import { compareIds, type VectorEncoding } from './segments.js';
import { readVectors } from './vector-parts.js';
import { byMemoryId, byTime, conflict, onlyDerivedAdd } from './store.js';
import type { DeletedHistory, DeletedRestoreResult, DeletedScanRequest, OnConflict } from './store.js';
import type { RestoreResult, RestoreRow } from './store.js';

/**
 * The import side of {@link MemoryStore} (its memory page scan is in idb-scan.ts): a bulk restore, and a scan and restore
 * of the history deleted memories leave.
 */

/**
 * Writes `rows` into new segments (at most SEGMENT_MAX memories each) with their history, in `tx`. Existing ids are
 * found with one count over the batch's id range (usually zero: then no per-id read), and skipped, replaced or
 * refused as `onConflict` says. Returns what was written and the new segments.
 */
export async function restoreRows(
  tx: Tx,
  rows: readonly RestoreRow[],
  onConflict: OnConflict,
  encoding: VectorEncoding,
): Promise<RestoreResult & { records: SegmentRecord[] }> {
  const sorted = [...rows].sort((a, b) => compareIds(a.memory.id, b.memory.id));
  const empty = { written: [], replaced: [], skipped: [], segments: [], records: [] };
  if (sorted.length === 0) return empty;
  const ids = tx.objectStore('segments').index('ids');
  const range = IDBKeyRange.bound(sorted[0]!.memory.id, sorted[sorted.length - 1]!.memory.id);
  const existing = new Map<string, string>();
  if ((await ids.count(range)) > 0) {
    const keys = await Promise.all(sorted.map((row) => ids.getKey(row.memory.id)));
    keys.forEach((segment, i) => {
      if (segment !== undefined) existing.set(sorted[i]!.memory.id, segment);
    });
  }
  const first = existing.keys().next();
  if (onConflict === 'error' && !first.done) throw conflict(first.value);
  const todo = onConflict === 'skip' ? sorted.filter((row) => !existing.has(row.memory.id)) : sorted;
  const skipped = onConflict === 'skip' ? [...existing.keys()] : [];
  const replaced = onConflict === 'replace' ? [...existing.keys()] : [];
  if (replaced.length > 0) await dropReplaced(tx, existing);
  const written = putNewSegments(tx, todo, encoding);
  const history = unwrap(tx.objectStore('history'));
  for (const row of todo) {
    // A memory that never changed keeps its ADD row implicit, as one added here would.
    if (onlyDerivedAdd(row.memory, row.history)) continue;
    for (const entry of row.history) history.put(entry);
  }
  await tx.done;
  return {
    written: todo.map((row) => row.memory.id),
    replaced,
    skipped,
    segments: written.map((s) => s.record.id),
    records: written.map((s) => s.record),
  };
}

/** Removes the memories being replaced from their segments, with their vectors and history rows. */
async function dropReplaced(tx: Tx, existing: ReadonlyMap<string, string>): Promise<void> {
  const bySegment = new Map<string, Set<string>>();
  for (const [id, segment] of existing) {
    const set = bySegment.get(segment) ?? new Set<string>();
    set.add(id);
    bySegment.set(segment, set);
  }
  const segmentStore = tx.objectStore('segments');
  const vectorStore = tx.objectStore('segmentVectors');
  const historyIndex = tx.objectStore('history').index('memoryId');
  const ids = [...bySegment.keys()];
  const [records, vectors, historyKeys] = await Promise.all([
    Promise.all(ids.map((id) => segmentStore.get(id))),
    Promise.all(ids.map((id) => readVectors(vectorStore, id))),
    Promise.all([...existing.keys()].map((id) => historyIndex.getAllKeys(id))),
  ]);
  records.forEach((record, s) => {
    if (!record) return;
    const drop = bySegment.get(record.id)!;
    rewriteWithout(tx, record, vectors[s], (m) => drop.has(m.id));
  });
  const rawHistory = unwrap(tx.objectStore('history'));
  for (const keys of historyKeys) for (const key of keys) rawHistory.delete(key);
}

/** History rows read at once while looking for deleted memories. */
const HISTORY_PAGE = 1000;

/**
 * Reads the history in memory-id order a page of rows at a time and keeps the memories no segment holds (one count per
 * memory, all in flight at once): at least `limit` of them, or all that are left.
 */
export async function scanDeletedPage(tx: Tx, request: DeletedScanRequest): Promise<DeletedHistory[]> {
  const history = tx.objectStore('history').index('memoryId');
  const ids = tx.objectStore('segments').index('ids');
  const out: DeletedHistory[] = [];
  let after = request.after;
  while (out.length < request.limit) {
    const range = after === undefined ? undefined : IDBKeyRange.lowerBound(after, true);
    const rows = await history.getAll(range, HISTORY_PAGE);
    if (rows.length === 0) break;
    const groups = byMemoryId(rows);
    const full = rows.length === HISTORY_PAGE;
    const last = rows[rows.length - 1]!.memoryId;
    // A full page may cut its last memory's rows short: read again from there, or whole when it is the only one.
    if (full && groups.size > 1) groups.delete(last);
    else if (full) groups.set(last, await history.getAll(last));
    const memoryIds = [...groups.keys()];
    const live = await Promise.all(memoryIds.map((id) => ids.count(id)));
    memoryIds.forEach((memoryId, i) => {
      if (live[i] === 0) out.push({ memoryId, history: groups.get(memoryId)!.sort(byTime) });
    });
    if (!full) break;
    after = memoryIds[memoryIds.length - 1];
  }
  return out;
}

/** Puts deleted memories' history rows, leaving out (or, with `'error'`, refusing) ids a segment holds. */
export async function restoreDeletedRows(
  tx: Tx,
  entries: readonly DeletedHistory[],
  onConflict: OnConflict,
): Promise<DeletedRestoreResult> {
  const ids = tx.objectStore('segments').index('ids');
  const live = await Promise.all(entries.map((entry) => ids.count(entry.memoryId)));
  const skipped = entries.filter((_, i) => live[i]! > 0).map((entry) => entry.memoryId);
  if (onConflict === 'error' && skipped.length > 0) throw conflict(skipped[0]!);
  const todo = entries.filter((_, i) => live[i] === 0);
  const raw = unwrap(tx.objectStore('history'));
  for (const entry of todo) for (const row of entry.history) raw.put(row);
  await tx.done;
  return { written: todo.map((entry) => entry.memoryId), skipped };
}
