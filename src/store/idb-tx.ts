import { unwrap, wrap, type IDBPTransaction } from 'idb';
import { StorageError } from '../errors.js';
import type { MemoryRecord, SegmentRecord, SegmentVectors } from './records.js';
import { readSpan, spanHoldsOnly } from './key-span.js';
import type { MemoryDB, StoreName } from './schema.js';
import {
  buildStored,
  deleteVectors,
  groupParts,
  lastPartKey,
  partOwner,
  putVectors,
  readVectors,
} from './vector-parts.js';
import type { StoredSegment, VectorReader } from './vector-parts.js';
import {
  compareIds,
  encodingOf,
  mergedRows,
  removeWhere,
  segmentRecord,
  type Segment,
  type SegmentRow,
  type VectorEncoding,
} from './segments.js';
import { addHistory, type AddGroup, type DeleteRow, type StoredRow } from './store.js';

/** What MemoryStore's transactions do to segments, vectors and history rows, one function per kind of write. */

export type Tx = IDBPTransaction<MemoryDB, StoreName[], 'readwrite'>;

/**
 * Commits the groups whose pending batch is still there: their rows go into new segments and the batches are
 * deleted. A group whose batch is gone is skipped (appending it again would store its memories twice).
 */
export async function commitGroups(
  tx: Tx,
  groups: readonly AddGroup[],
  encoding: VectorEncoding,
): Promise<{ todo: readonly AddGroup[]; written: StoredSegment[] }> {
  const pending = tx.objectStore('pending');
  const ids = groups.map((g) => g.batchId);
  // One request for the whole group when its batches are neighbours (the usual case), else one per batch.
  const span = await readSpan(pending, ids);
  const present =
    span?.keys ??
    new Set((await Promise.all(ids.map((id) => pending.getKey(id)))).filter((k) => k !== undefined).map(String));
  const todo = groups.filter((g) => present.has(g.batchId));
  const rows = todo.flatMap((g) => g.rows);
  const written = putNewSegments(tx, rows, encoding);
  const rawPending = unwrap(pending);
  const done = new Set(todo.map((g) => g.batchId));
  if (span && done.size > 1 && spanHoldsOnly(span, done)) rawPending.delete(span.range);
  else for (const id of done) rawPending.delete(id);
  return { todo, written };
}

/** New segments for `rows` (id order, fresh ids), put in `tx` with their vector parts; none when `rows` is empty. */
export function putNewSegments(tx: Tx, rows: readonly SegmentRow[], encoding: VectorEncoding): StoredSegment[] {
  const first = rows[0];
  if (!first) return [];
  const dimensions = first.vector instanceof Float32Array ? first.vector.length : first.vector.q.length;
  const written = buildStored(rows, dimensions, encoding);
  const segments = unwrap(tx.objectStore('segments'));
  const vectors = unwrap(tx.objectStore('segmentVectors'));
  for (const segment of written) {
    segments.put(segment.record);
    for (const part of segment.parts) vectors.put(part);
  }
  return written;
}

/**
 * Merges the small segments `ids` (as they are now: one deleted or merged since is skipped) into one new segment;
 * its id, or undefined when fewer than two were left to merge.
 */
export async function mergeSmall(
  tx: Tx,
  ids: readonly string[],
  encoding: VectorEncoding,
): Promise<string | undefined> {
  const segmentStore = tx.objectStore('segments');
  const vectorStore = tx.objectStore('segmentVectors');
  // The small segments are usually the only records of their id range (merged ones get newer ids): then two
  // requests read them all and two delete them, instead of four per segment.
  const span = await readSpan(segmentStore, ids);
  const whole = span !== undefined && spanHoldsOnly(span, new Set(ids));
  // The vector parts of the span's segments run on to the last part of its last segment.
  const partRange = whole
    ? IDBKeyRange.bound(span.range.lower as string, lastPartKey(span.range.upper as string))
    : undefined;
  const [records, vectors] = partRange
    ? await Promise.all([segmentStore.getAll(span!.range), vectorStore.getAll(partRange)])
    : await Promise.all([
        Promise.all(ids.map((id) => segmentStore.get(id))),
        Promise.all(ids.map((id) => readVectors(vectorStore, id))),
      ]);
  const present = vectors.filter((v): v is SegmentVectors => v !== undefined);
  const vectorsById = groupParts(present);
  const parts: Segment[] = [];
  for (const record of records) {
    const rows = record && vectorsById.get(record.id);
    if (record && rows && encodingOf(rows) === encoding) parts.push({ record, vectors: rows });
  }
  const dimensions = parts[0]?.vectors.dimensions;
  const same = parts.filter((p) => p.vectors.dimensions === dimensions);
  if (same.length < 2) return undefined;
  const merged = buildStored(mergedRows(same), dimensions!, encoding)[0]!;
  const rawSegments = unwrap(segmentStore);
  const rawVectors = unwrap(vectorStore);
  const taken = new Set(same.map((p) => p.record.id));
  // The deletes, the record and each vector part are put in tasks of their own (each request is made when the one
  // before succeeds): made at once, a merge of 1,000 memories serialised its 1.5 MB in one long task.
  let last: IDBRequest;
  // The range goes as a whole only when everything read from it is merged (a segment of another encoding or
  // dimension stays, and so would a vector row without its segment).
  if (
    partRange &&
    records.every((r) => r && taken.has(r.id)) &&
    vectors.every((v) => v && taken.has(partOwner(v.id)))
  ) {
    rawSegments.delete(span!.range);
    last = rawVectors.delete(partRange);
  } else {
    for (const id of taken) {
      rawSegments.delete(id);
      last = deleteVectors(rawVectors, id);
    }
  }
  await wrap(last!);
  await segmentStore.put(merged.record);
  for (const part of merged.parts) await vectorStore.put(part);
  await tx.done;
  return merged.record.id;
}

/** The entry of memory `id` in a segment the `ids` index returned for it. */
export function entry(segment: SegmentRecord, id: string): { memory: MemoryRecord; index: number } {
  const index = segment.ids.indexOf(id);
  if (index < 0)
    throw new StorageError(`IndexedDB segment \`${segment.id}\` is indexed under \`${id}\` but does not hold it`);
  return { memory: segment.memories[index]!, index };
}

/**
 * The memories of `segments` that `keep` selects, each with its vector (a view into its segment's array). A segment
 * read back without its vectors (never written apart) or gone since is skipped: a memory without a vector cannot be
 * searched.
 */
export function withVectors(
  segments: readonly (SegmentRecord | undefined)[],
  vectors: readonly (VectorReader | undefined)[],
  keep: (memory: MemoryRecord) => boolean,
): StoredRow[] {
  const out: StoredRow[] = [];
  segments.forEach((segment, s) => {
    const rows = vectors[s];
    if (!segment || !rows) return;
    segment.memories.forEach((memory, i) => {
      if (keep(memory)) out.push({ memory, vector: rows.at(i) });
    });
  });
  return out;
}

/** Sorts by id unless already sorted (the usual case: segments and their entries are in creation order). */
export function inIdOrder<T>(items: T[], id: (item: T) => string): T[] {
  for (let i = 1; i < items.length; i++) {
    if (id(items[i - 1]!) > id(items[i]!)) return items.sort((a, b) => compareIds(id(a), id(b)));
  }
  return items;
}

/** Writes the ADD row of each memory that has none yet (its first change is in this transaction). */
export async function logAdds(tx: Tx, memories: readonly MemoryRecord[]): Promise<void> {
  const history = tx.objectStore('history');
  const present = await Promise.all(memories.map((m) => history.getKey(`${m.id}:add`)));
  const raw = unwrap(history);
  memories.forEach((m, i) => {
    if (present[i] === undefined) raw.put(addHistory(m));
  });
}

/**
 * Puts `record` (with its vectors `rows`) again without the entries `drop` selects, or deletes it with its vector
 * parts when none is left; returns the memories dropped. A segment whose vectors are missing (never written apart,
 * but be lenient in a delete) is rewritten as records only.
 */
export function rewriteWithout(
  tx: Tx,
  record: SegmentRecord,
  rows: SegmentVectors | undefined,
  drop: (memory: MemoryRecord) => boolean,
): MemoryRecord[] {
  const segments = unwrap(tx.objectStore('segments'));
  const vectors = unwrap(tx.objectStore('segmentVectors'));
  if (!rows) {
    const kept = record.memories.filter((m) => !drop(m));
    if (kept.length > 0) segments.put(segmentRecord(record.id, kept));
    else segments.delete(record.id);
    return record.memories.filter(drop);
  }
  const { segment, removed } = removeWhere({ record, vectors: rows }, drop);
  if (segment) {
    segments.put(segment.record);
    putVectors(vectors, segment.vectors, true);
  } else {
    segments.delete(record.id);
    deleteVectors(vectors, record.id);
  }
  return removed;
}

/** Removes the entries `drop` selects from `segments` (rewriting or deleting each), with their history rows. */
export async function dropFrom(
  tx: Tx,
  segments: readonly SegmentRecord[],
  drop: (memory: MemoryRecord) => boolean,
  history: DeleteRow,
): Promise<MemoryRecord[]> {
  const touched = segments.filter((s) => s.memories.some(drop));
  const vectorStore = tx.objectStore('segmentVectors');
  const vectors = await Promise.all(touched.map((s) => readVectors(vectorStore, s.id)));
  const removed: MemoryRecord[] = [];
  touched.forEach((record, s) => removed.push(...rewriteWithout(tx, record, vectors[s], drop)));
  if (history) {
    await logAdds(tx, removed);
    const rawHistory = unwrap(tx.objectStore('history'));
    for (const memory of removed) rawHistory.put(history(memory));
  }
  await tx.done;
  return removed;
}

/** The name a write's failure gives it: what the transaction was for. */
export function describeWrite(pending: number, groups: number, cache: number): string {
  const parts = [
    pending > 0 && 'record pending adds',
    groups > 0 && 'commit memories',
    cache > 0 && 'write the embedding cache',
  ];
  return parts
    .filter(Boolean)
    .join(', ')
    .replace(/, ([^,]*)$/, ' and $1');
}
