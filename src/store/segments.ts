import { quantize, type VectorEncoding } from '../search/quantize.js';
import type { StoredVector } from '../search/scope-index.js';
import type { ScopeField } from '../search/search-index.js';
import type { MemoryRecord, SegmentRecord, SegmentVectors } from './records.js';

/**
 * Building and editing segments: pure functions over plain records, so the layout is tested without a browser.
 * A segment never changes in place: every edit returns new records for the store to put.
 */

/** Most memories one segment holds: a batch is a few puts, and rewriting a segment for an update stays cheap. */
export const SEGMENT_MAX = 1000;

/** Re-exported: the store modules name the encoding of what they write. */
export type { VectorEncoding };

/** A memory with its vector, as committed (int8 codes only into an int8 segment, as a restore writes them). */
export interface SegmentRow {
  readonly memory: MemoryRecord;
  readonly vector: StoredVector;
}

export interface Segment {
  readonly record: SegmentRecord;
  readonly vectors: SegmentVectors;
}

/** Rows in id (creation) order, cut into groups of at most `max`: the memories of each new segment. */
export function inSegments<R extends SegmentRow>(rows: readonly R[], max = SEGMENT_MAX): R[][] {
  const sorted = [...rows].sort((a, b) => compareIds(a.memory.id, b.memory.id));
  const out: R[][] = [];
  for (let start = 0; start < sorted.length; start += max) out.push(sorted.slice(start, start + max));
  return out;
}

/**
 * Segments committed with fewer memories than this are "small": a store merges its own small segments once
 * {@link COMPACT_AT} of them wait. An agent adding one memory at a time otherwise wrote one segment per add, and
 * loading 3,000 of them made the first search of a scope take ~300 ms instead of ~50.
 */
export const SMALL_SEGMENT = 32;
/** How many small segments a store lets accumulate before merging them into one. */
export const COMPACT_AT = 32;

/**
 * The small segments one merge takes, oldest first: as many as fit in one segment ({@link SEGMENT_MAX} memories), and
 * none when fewer than two would (a merge of one changes nothing).
 */
export function pickSmall(small: ReadonlyMap<string, number>, max: number = SEGMENT_MAX): string[] {
  const picked: string[] = [];
  let total = 0;
  for (const [id, count] of small) {
    if (total + count > max) break;
    picked.push(id);
    total += count;
  }
  return picked.length >= 2 ? picked : [];
}

/**
 * Every entry of `parts` with its vector (a view), in id order: the rows of the segment that merges them. The parts
 * must share their dimensions and encoding; int8 rows keep their codes.
 */
export function mergedRows(parts: readonly Segment[]): SegmentRow[] {
  const first = parts[0];
  if (!first) throw new RangeError('Expected at least one segment to merge');
  const { dimensions } = first.vectors;
  const encoding = encodingOf(first.vectors);
  const rows: { memory: MemoryRecord; vector: StoredVector }[] = [];
  for (const { record, vectors } of parts) {
    if (vectors.dimensions !== dimensions || encodingOf(vectors) !== encoding) {
      throw new RangeError(
        `Expected segments of ${dimensions} dimensions (${encoding}), got \`${vectors.id}\` with ${vectors.dimensions} (${encodingOf(vectors)})`,
      );
    }
    record.memories.forEach((memory, i) => rows.push({ memory, vector: vectorAt(vectors, i) }));
  }
  return rows.sort((a, b) => compareIds(a.memory.id, b.memory.id));
}

/** How a segment's vectors are encoded. */
export function encodingOf(vectors: SegmentVectors): VectorEncoding {
  return vectors.f32 ? 'fp32' : 'int8';
}

/** The segment record for `memories` (in order) under `id`, with its index lists. */
export function segmentRecord(id: string, memories: readonly MemoryRecord[]): SegmentRecord {
  return {
    id,
    ids: memories.map((m) => m.id),
    userIds: distinct(memories, 'userId'),
    agentIds: distinct(memories, 'agentId'),
    runIds: distinct(memories, 'runId'),
    memories,
  };
}

/** Row `i` of a segment's vectors: a view, not a copy. */
export function vectorAt(vectors: SegmentVectors, i: number): StoredVector {
  const d = vectors.dimensions;
  if (vectors.f32) return vectors.f32.subarray(i * d, (i + 1) * d);
  if (vectors.q && vectors.scales) return { q: vectors.q.subarray(i * d, (i + 1) * d), scale: vectors.scales[i]! };
  throw new RangeError(`Segment \`${vectors.id}\` holds neither \`f32\` nor \`q\` + \`scales\``);
}

/** Number of rows in a segment's vectors. */
export function vectorRows(vectors: SegmentVectors): number {
  if (vectors.f32) return vectors.f32.length / vectors.dimensions;
  return vectors.scales?.length ?? 0;
}

/** The segment record with entry `i` replaced by `memory` (same id, same scope). */
export function withMemory(record: SegmentRecord, i: number, memory: MemoryRecord): SegmentRecord {
  const memories = record.memories.slice();
  memories[i] = memory;
  return segmentRecord(record.id, memories);
}

/** The segment's vectors with row `i` replaced by `vector`, in the segment's encoding. */
export function withVector(vectors: SegmentVectors, i: number, vector: Float32Array): SegmentVectors {
  const { id, dimensions: d, f32, q, scales } = vectors;
  if (vector.length !== d) throw new RangeError(`Expected a vector of ${d} dimensions, got ${vector.length}`);
  if (f32) {
    const next = f32.slice();
    next.set(vector, i * d);
    return { id, dimensions: d, f32: next };
  }
  const code = quantize(vector);
  const nextQ = q!.slice();
  nextQ.set(code.q, i * d);
  const nextScales = scales!.slice();
  nextScales[i] = code.scale;
  return { id, dimensions: d, q: nextQ, scales: nextScales };
}

/** The segment without the entries `drop` selects (null when none is left), and the memories dropped. */
export function removeWhere(
  segment: Segment,
  drop: (memory: MemoryRecord) => boolean,
): { segment: Segment | null; removed: MemoryRecord[] } {
  const keep: number[] = [];
  const removed: MemoryRecord[] = [];
  segment.record.memories.forEach((m, i) => (drop(m) ? removed.push(m) : keep.push(i)));
  if (removed.length === 0) return { segment, removed };
  if (keep.length === 0) return { segment: null, removed };
  const { id, dimensions: d, f32, q, scales } = segment.vectors;
  const memories = keep.map((i) => segment.record.memories[i]!);
  const gather = <A extends Float32Array | Int8Array>(from: A, make: (n: number) => A, width: number): A => {
    const to = make(keep.length * width);
    keep.forEach((i, j) => to.set(from.subarray(i * width, (i + 1) * width), j * width));
    return to;
  };
  const vectors: SegmentVectors = f32
    ? { id, dimensions: d, f32: gather(f32, (n) => new Float32Array(n), d) }
    : {
        id,
        dimensions: d,
        q: gather(q!, (n) => new Int8Array(n), d),
        scales: gather(scales!, (n) => new Float32Array(n), 1),
      };
  return { segment: { record: segmentRecord(id, memories), vectors }, removed };
}

/**
 * The vectors of one segment, fp32 rows or int8 codes + scales. Vectors already quantised keep their codes (int8
 * only: fp32 needs every vector in fp32).
 */
export function encodeVectors(
  id: string,
  vectors: readonly StoredVector[],
  dimensions: number,
  encoding: VectorEncoding,
): SegmentVectors {
  for (const v of vectors) {
    const length = v instanceof Float32Array ? v.length : v.q.length;
    if (length !== dimensions) throw new RangeError(`Expected vectors of ${dimensions} dimensions, got ${length}`);
  }
  if (encoding === 'fp32') {
    const f32 = new Float32Array(vectors.length * dimensions);
    vectors.forEach((v, i) => {
      if (!(v instanceof Float32Array))
        throw new RangeError('Expected fp32 vectors for an fp32 segment, got int8 codes');
      f32.set(v, i * dimensions);
    });
    return { id, dimensions, f32 };
  }
  const q = new Int8Array(vectors.length * dimensions);
  const scales = new Float32Array(vectors.length);
  vectors.forEach((v, i) => {
    const code = v instanceof Float32Array ? quantize(v) : v;
    q.set(code.q, i * dimensions);
    scales[i] = code.scale;
  });
  return { id, dimensions, q, scales };
}

export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function distinct(memories: readonly MemoryRecord[], field: ScopeField): string[] {
  const seen = new Set<string>();
  for (const m of memories) {
    const value = m[field];
    if (value !== undefined) seen.add(value);
  }
  return [...seen];
}
