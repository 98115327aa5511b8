import { describe, expect, it } from 'vitest';
import { quantize } from '../../src/search/quantize.js';
import { uuidv7 } from '../../src/store/ids.js';
import type { MemoryRecord } from '../../src/store/records.js';
import {
  COMPACT_AT,
  SEGMENT_MAX,
  SMALL_SEGMENT,
  encodeVectors,
  inSegments,
  mergedRows,
  pickSmall,
  type Segment,
  type SegmentRow,
  type VectorEncoding,
  removeWhere,
  segmentRecord,
  vectorAt,
  vectorRows,
  withMemory,
  withVector,
} from '../../src/store/segments.js';

/** Rows cut into in-memory segments (record and joined vectors), each under a fresh id, as a merge reads them. */
function buildSegments(
  rows: readonly SegmentRow[],
  dimensions: number,
  encoding: VectorEncoding,
  max?: number,
): Segment[] {
  return inSegments(rows, max).map((chunk) => {
    const id = uuidv7();
    return {
      record: segmentRecord(
        id,
        chunk.map((r) => r.memory),
      ),
      vectors: encodeVectors(
        id,
        chunk.map((r) => r.vector),
        dimensions,
        encoding,
      ),
    };
  });
}

const D = 8;

function memory(
  i: number,
  scope: Partial<Pick<MemoryRecord, 'userId' | 'agentId' | 'runId'>> = { userId: 'alice' },
): MemoryRecord {
  return {
    id: uuidv7(),
    text: `memory ${i}`,
    hash: `h${i}`,
    ...scope,
    metadata: { i },
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
  };
}

function vector(i: number): Float32Array {
  const v = Float32Array.from({ length: D }, (_, j) => Math.sin(i * 7 + j));
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}

const rows = (n: number, scope?: Parameters<typeof memory>[1]) =>
  Array.from({ length: n }, (_, i) => ({ memory: memory(i, scope), vector: vector(i) }));

describe('segments', () => {
  it('cuts rows into segments of at most `max`, in id order, every vector in its row', () => {
    const input = rows(25);
    const shuffled = [...input].reverse();
    const segments = buildSegments(shuffled, D, 'fp32', 10);
    expect(segments.map((s) => s.record.memories.length)).toEqual([10, 10, 5]);
    const flat = segments.flatMap((s) =>
      s.record.memories.map((m, i) => ({ id: m.id, vector: vectorAt(s.vectors, i) as Float32Array })),
    );
    expect(flat.map((r) => r.id)).toEqual(input.map((r) => r.memory.id));
    flat.forEach((r, i) => expect(Array.from(r.vector)).toEqual(Array.from(input[i]!.vector)));
    for (const s of segments) {
      expect(s.vectors.id).toBe(s.record.id);
      expect(s.record.ids).toEqual(s.record.memories.map((m) => m.id));
      expect(vectorRows(s.vectors)).toBe(s.record.memories.length);
    }
    expect(new Set(segments.map((s) => s.record.id)).size).toBe(3);
  });

  it('merges segments into one under a new id: every entry once, in id order, with its own vector (int8 codes kept)', () => {
    for (const encoding of ['fp32', 'int8'] as const) {
      const input = rows(7, { userId: 'a' }).concat(rows(3, { userId: 'b', runId: 'r' }));
      // Single adds interleaved with a larger commit: parts overlap in time, so merging must sort.
      const parts = [input.slice(0, 1), input.slice(3, 9), input.slice(1, 2), input.slice(9), input.slice(2, 3)].map(
        (part) => buildSegments(part, D, encoding)[0]!,
      );
      const [merged] = buildSegments(mergedRows(parts), D, encoding);
      if (!merged) throw new Error('expected one segment');
      expect(parts.map((p) => p.record.id)).not.toContain(merged.record.id);
      expect(merged.vectors.id).toBe(merged.record.id);
      expect(merged.record.ids).toEqual(input.map((r) => r.memory.id));
      expect(merged.record.userIds).toEqual(['a', 'b']);
      expect(merged.record.runIds).toEqual(['r']);
      expect(vectorRows(merged.vectors)).toBe(10);
      input.forEach((r, i) => {
        const part = parts.find((p) => p.record.ids.includes(r.memory.id))!;
        const before = vectorAt(part.vectors, part.record.ids.indexOf(r.memory.id));
        const after = vectorAt(merged.vectors, i);
        if (encoding === 'fp32') expect(Array.from(after as Float32Array)).toEqual(Array.from(before as Float32Array));
        else {
          expect(Array.from((after as { q: Int8Array }).q)).toEqual(Array.from((before as { q: Int8Array }).q));
          expect((after as { scale: number }).scale).toBe((before as { scale: number }).scale);
        }
      });
    }
    const [fp32] = buildSegments(rows(1), D, 'fp32');
    const [int8] = buildSegments(rows(1), D, 'int8');
    expect(() => mergedRows([fp32!, int8!])).toThrow(/Expected segments of 8 dimensions \(fp32\)/);
    expect(() => mergedRows([])).toThrow(RangeError);
  });

  it('lists each scope value once, and only those present', () => {
    const record = segmentRecord('s', [
      memory(0, { userId: 'a', runId: 'r1' }),
      memory(1, { userId: 'a', agentId: 'p' }),
      memory(2, { userId: 'b', runId: 'r1' }),
    ]);
    expect(record.userIds).toEqual(['a', 'b']);
    expect(record.agentIds).toEqual(['p']);
    expect(record.runIds).toEqual(['r1']);
  });

  it('int8 segments hold the same codes and scales as quantize()', () => {
    const input = rows(3);
    const [segment] = buildSegments(input, D, 'int8');
    expect(segment!.vectors.f32).toBeUndefined();
    input.forEach((r, i) => {
      const stored = vectorAt(segment!.vectors, i) as { q: Int8Array; scale: number };
      const expected = quantize(r.vector);
      expect(Array.from(stored.q)).toEqual(Array.from(expected.q));
      expect(stored.scale).toBeCloseTo(expected.scale, 6);
    });
  });

  it('replaces one entry and one vector without touching the others or the input', () => {
    for (const encoding of ['fp32', 'int8'] as const) {
      const [segment] = buildSegments(rows(4), D, encoding);
      const before = vectorAt(segment!.vectors, 1);
      const changed = { ...segment!.record.memories[2]!, text: 'changed' };
      const record = withMemory(segment!.record, 2, changed);
      const vectors = withVector(segment!.vectors, 2, vector(99));
      expect(record.memories[2]!.text).toBe('changed');
      expect(segment!.record.memories[2]!.text).toBe('memory 2');
      expect(record.ids).toEqual(segment!.record.ids);
      expect(vectorAt(vectors, 1)).toEqual(before);
      const now = vectorAt(vectors, 2);
      const then = vectorAt(segment!.vectors, 2);
      expect(now).not.toEqual(then);
      if (encoding === 'fp32') expect(Array.from(now as Float32Array)).toEqual(Array.from(vector(99)));
      else expect(Array.from((now as { q: Int8Array }).q)).toEqual(Array.from(quantize(vector(99)).q));
      expect(() => withVector(segment!.vectors, 0, new Float32Array(D + 1))).toThrow(RangeError);
    }
  });

  it('removes entries with their vectors, keeps the rest aligned, and empties to null', () => {
    for (const encoding of ['fp32', 'int8'] as const) {
      const input = [...rows(3, { userId: 'a' }), ...rows(3, { userId: 'b' })];
      const [segment] = buildSegments(input, D, encoding);
      const { segment: left, removed } = removeWhere(segment!, (m) => m.userId === 'a');
      expect(removed.map((m) => m.userId)).toEqual(['a', 'a', 'a']);
      expect(left!.record.userIds).toEqual(['b']);
      expect(vectorRows(left!.vectors)).toBe(3);
      left!.record.memories.forEach((m, i) => {
        const original = segment!.record.memories.findIndex((o) => o.id === m.id);
        expect(vectorAt(left!.vectors, i)).toEqual(vectorAt(segment!.vectors, original));
      });
      expect(removeWhere(segment!, () => false).segment).toBe(segment);
      expect(removeWhere(segment!, () => true)).toEqual({ segment: null, removed: segment!.record.memories });
    }
  });

  it('an int8 segment keeps codes it is given as they are; an fp32 segment refuses them', () => {
    const given = { q: Int8Array.from({ length: D }, (_, j) => j - 4), scale: 0.5 };
    const vectors = encodeVectors('s', [vector(1), given], D, 'int8');
    expect(vectorAt(vectors, 1)).toEqual({ q: given.q, scale: 0.5 });
    expect(Array.from((vectorAt(vectors, 0) as { q: Int8Array }).q)).toEqual(Array.from(quantize(vector(1)).q));
    expect(() => encodeVectors('s', [given], D, 'fp32')).toThrow(RangeError);
  });

  it('refuses vectors of the wrong length', () => {
    expect(() => buildSegments([{ memory: memory(0), vector: new Float32Array(D - 1) }], D, 'fp32')).toThrow(
      RangeError,
    );
  });
});

describe('pickSmall', () => {
  it('takes the oldest small segments that fit in one segment, and none when fewer than two would', () => {
    const small = new Map([
      ['a', 10],
      ['b', 31],
      ['c', 5],
      ['d', 1],
    ]);
    expect(pickSmall(small, 1000)).toEqual(['a', 'b', 'c', 'd']);
    expect(pickSmall(small, 46)).toEqual(['a', 'b', 'c']);
    expect(pickSmall(small, 41)).toEqual(['a', 'b']);
    expect(pickSmall(small, 40)).toEqual([]); // only 'a' fits: merging one segment changes nothing
    expect(pickSmall(new Map(), 1000)).toEqual([]);
  });

  it('COMPACT_AT small segments always fit in one merge (the store counts on it: a due merge always takes them)', () => {
    expect(COMPACT_AT * (SMALL_SEGMENT - 1)).toBeLessThanOrEqual(SEGMENT_MAX);
    const fullest = new Map(
      Array.from({ length: COMPACT_AT }, (_, i) => [`s${i}`, SMALL_SEGMENT - 1] as [string, number]),
    );
    expect(pickSmall(fullest)).toHaveLength(COMPACT_AT);
  });

  it('caps a merge at SEGMENT_MAX memories: 3,000 one-memory segments take three merges', () => {
    const small = new Map(Array.from({ length: 3000 }, (_, i) => [`s${i}`, 1] as [string, number]));
    const first = pickSmall(small);
    expect(first).toHaveLength(SEGMENT_MAX);
    expect(first[0]).toBe('s0');
  });
});
