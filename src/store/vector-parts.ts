import { concat } from '../concat.js';
import type { StoredVector } from '../search/scope-index.js';
import { uuidv7 } from './ids.js';
import type { SegmentRecord, SegmentVectors } from './records.js';
import { encodeVectors, inSegments, segmentRecord, vectorAt, vectorRows, withVector } from './segments.js';
import type { SegmentRow, VectorEncoding } from './segments.js';

/**
 * How IndexedDB holds a segment's vectors: in parts of at most {@link PART_BYTES}, one record each. Part 0 is keyed
 * by the segment id (a segment written whole by schema version 2 reads as one part); part k > 0 by the segment id,
 * `.` and k in four digits, so a segment's parts are the keys from its id to its id + U+FFFF, in order.
 */

/**
 * Most bytes of vector data one record holds. Chromium writes a segment's vectors (1.5 MB for 1,000 fp32 vectors of
 * 384 dimensions) faster as a few values of this size than as one value (bench/README.md, "Vector parts").
 */
export const PART_BYTES = 512 * 1024;

/** The key of part `k` of segment `segment`. */
export function partKey(segment: string, k: number): string {
  return k === 0 ? segment : `${segment}.${String(k).padStart(4, '0')}`;
}

/** The segment a part key belongs to (segment ids are UUIDs: they hold no `.`). */
export function partOwner(key: string): string {
  const dot = key.indexOf('.');
  return dot < 0 ? key : key.slice(0, dot);
}

/** The greatest key a part of the segment with key `segment` may have: a range to it holds all its parts. */
export function lastPartKey(segment: string): string {
  return `${segment}\uffff`;
}

/** Rows per part for vectors of `dimensions` in this encoding (at least one). */
export function rowsPerPart(dimensions: number, encoding: VectorEncoding): number {
  const bytes = encoding === 'fp32' ? dimensions * 4 : dimensions + 4;
  return Math.max(1, Math.floor(PART_BYTES / bytes));
}

/** A new segment as IndexedDB stores it: its record and its vector parts. */
export interface StoredSegment {
  readonly record: SegmentRecord;
  readonly parts: readonly SegmentVectors[];
}

/**
 * New segments for `rows` (id order, at most SEGMENT_MAX each, fresh ids), each vector copied once, straight into
 * its part: building the whole segment's array and cutting it cost two more copies of every vector.
 */
export function buildStored(
  rows: readonly SegmentRow[],
  dimensions: number,
  encoding: VectorEncoding,
): StoredSegment[] {
  const per = rowsPerPart(dimensions, encoding);
  return inSegments(rows).map((chunk) => {
    const id = uuidv7();
    const parts: SegmentVectors[] = [];
    for (let k = 0, start = 0; start < chunk.length; k++, start += per) {
      const vectors = chunk.slice(start, start + per).map((row) => row.vector);
      parts.push(encodeVectors(partKey(id, k), vectors, dimensions, encoding));
    }
    return {
      record: segmentRecord(
        id,
        chunk.map((row) => row.memory),
      ),
      parts,
    };
  });
}

/** A segment's vectors as the records to put: itself when it fits in {@link PART_BYTES}, else copies of its rows. */
export function splitParts(vectors: SegmentVectors): SegmentVectors[] {
  const { id, dimensions: d, f32, q, scales } = vectors;
  const rows = f32 ? f32.length / d : (scales?.length ?? 0);
  const per = rowsPerPart(d, f32 ? 'fp32' : 'int8');
  if (rows <= per) return [vectors];
  const parts: SegmentVectors[] = [];
  for (let k = 0, start = 0; start < rows; k++, start += per) {
    const end = Math.min(rows, start + per);
    const key = partKey(id, k);
    // Copies, not views: structured clone would store a view's whole buffer in every part.
    parts.push(
      f32
        ? { id: key, dimensions: d, f32: f32.slice(start * d, end * d) }
        : { id: key, dimensions: d, q: q!.slice(start * d, end * d), scales: scales!.slice(start, end) },
    );
  }
  return parts;
}

/**
 * One segment's vectors from its part records in key order (one part is returned as is). Undefined when there
 * are none, or when the parts do not agree on dimensions and encoding (a segment is written whole, so they do).
 */
export function joinParts(parts: readonly SegmentVectors[]): SegmentVectors | undefined {
  const first = parts[0];
  if (!first || parts.length === 1) return first;
  const { dimensions } = first;
  const id = partOwner(first.id);
  if (parts.some((p) => p.dimensions !== dimensions || !p.f32 !== !first.f32)) return undefined;
  if (first.f32)
    return {
      id,
      dimensions,
      f32: concat(
        parts.map((p) => p.f32!),
        Float32Array,
      ),
    };
  return {
    id,
    dimensions,
    q: concat(
      parts.map((p) => p.q!),
      Int8Array,
    ),
    scales: concat(
      parts.map((p) => p.scales!),
      Float32Array,
    ),
  };
}

/** A segment's vectors as read, row by row: views into its parts, never joined (joining copied every vector). */
export interface VectorReader {
  readonly id: string;
  at(i: number): StoredVector;
}

/** A reader over the part records of one segment in key order; undefined when there are none. */
export function readerOf(parts: readonly SegmentVectors[]): VectorReader | undefined {
  const first = parts[0];
  if (!first) return undefined;
  const id = partOwner(first.id);
  if (parts.length === 1) return { id, at: (i) => vectorAt(first, i) };
  // Every part but the last holds as many rows as the first.
  const per = vectorRows(first);
  return { id, at: (i) => vectorAt(parts[Math.floor(i / per)]!, i % per) };
}

/**
 * The part (of one segment's parts, in key order) that holds row `i`, with that row replaced by `vector`: an update
 * rewrites one part (at most PART_BYTES), not the whole segment. Undefined when no part holds row `i`.
 */
export function withRow(parts: readonly SegmentVectors[], i: number, vector: Float32Array): SegmentVectors | undefined {
  const first = parts[0];
  if (!first) return undefined;
  const per = vectorRows(first);
  const part = parts[Math.floor(i / per)];
  if (!part || i % per >= vectorRows(part)) return undefined;
  return withVector(part, i % per, vector);
}

/** Part records of several segments (in key order) joined per segment, by segment id. */
export function groupParts(records: readonly SegmentVectors[]): Map<string, SegmentVectors> {
  const bySegment = new Map<string, SegmentVectors[]>();
  for (const record of records) {
    const owner = partOwner(record.id);
    const list = bySegment.get(owner);
    if (list) list.push(record);
    else bySegment.set(owner, [record]);
  }
  const out = new Map<string, SegmentVectors>();
  for (const [owner, list] of bySegment) {
    const joined = joinParts(list);
    if (joined) out.set(owner, joined);
  }
  return out;
}

/** What reading parts needs of the `segmentVectors` store (idb's wrapper has it). */
export interface PartReader {
  getAll(query: IDBKeyRange): Promise<SegmentVectors[]>;
}

/** The key range holding every part of segment `segment`. */
export function partsRange(segment: string): IDBKeyRange {
  return IDBKeyRange.bound(segment, lastPartKey(segment));
}

/** A segment's vectors (one request for all its parts), or undefined when it has none. */
export async function readVectors(store: PartReader, segment: string): Promise<SegmentVectors | undefined> {
  return joinParts(await store.getAll(partsRange(segment)));
}

/** A reader over a segment's vectors (one request for all its parts), or undefined when it has none. */
export async function readRows(store: PartReader, segment: string): Promise<VectorReader | undefined> {
  return readerOf(await store.getAll(partsRange(segment)));
}

/** Puts a segment's vectors on a raw store; `replace` first deletes the parts it had (a rewrite may have fewer). */
export function putVectors(store: IDBObjectStore, vectors: SegmentVectors, replace = false): void {
  if (replace) store.delete(partsRange(vectors.id));
  for (const part of splitParts(vectors)) store.put(part);
}

/** Deletes every part of segment `segment` (one request). */
export function deleteVectors(store: IDBObjectStore, segment: string): IDBRequest {
  return store.delete(partsRange(segment));
}
