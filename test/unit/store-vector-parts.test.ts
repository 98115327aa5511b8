import { describe, expect, it } from 'vitest';
import type { SegmentVectors } from '../../src/store/records.js';
import {
  PART_BYTES,
  buildStored,
  groupParts,
  joinParts,
  lastPartKey,
  partKey,
  partOwner,
  readerOf,
  rowsPerPart,
  splitParts,
  withRow,
} from '../../src/store/vector-parts.js';
import { vectorAt, vectorRows } from '../../src/store/segments.js';

const SEGMENT = '01900000-0000-7000-8000-000000000001';
const OTHER = '01900000-0000-7000-8000-000000000002';

function fp32(id: string, rows: number, d: number): SegmentVectors {
  return { id, dimensions: d, f32: Float32Array.from({ length: rows * d }, (_, i) => (i % 97) / 97) };
}

function int8(id: string, rows: number, d: number): SegmentVectors {
  return {
    id,
    dimensions: d,
    q: Int8Array.from({ length: rows * d }, (_, i) => (i % 255) - 127),
    scales: Float32Array.from({ length: rows }, (_, i) => i / 1000),
  };
}

/** Element-wise equality (toEqual walks a 384,000-element array for a second). */
function same(a: ArrayLike<number> | undefined, b: ArrayLike<number> | undefined): boolean {
  if (!a || !b || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

describe('vector parts', () => {
  it('splits 1,000 fp32 vectors of 384 dimensions into 3 records of at most PART_BYTES, keys in order', () => {
    const whole = fp32(SEGMENT, 1000, 384);
    const parts = splitParts(whole);
    expect(rowsPerPart(384, 'fp32')).toBe(341);
    // A 1,000-row int8 segment of 384 dimensions (388 KB) stays one record.
    expect(rowsPerPart(384, 'int8')).toBe(1351);
    expect(parts.map((p) => p.f32!.length / 384)).toEqual([341, 341, 318]);
    expect(parts.map((p) => p.id)).toEqual([SEGMENT, `${SEGMENT}.0001`, `${SEGMENT}.0002`]);
    for (const p of parts) {
      expect(p.f32!.byteLength).toBeLessThanOrEqual(PART_BYTES);
      // A copy, not a view: structured clone would store a view's whole buffer.
      expect(p.f32!.buffer.byteLength).toBe(p.f32!.byteLength);
      expect(p.id >= SEGMENT && p.id <= lastPartKey(SEGMENT)).toBe(true);
      expect(partOwner(p.id)).toBe(SEGMENT);
    }
    expect([...parts.map((p) => p.id)].sort()).toEqual(parts.map((p) => p.id));
    const joined = joinParts(parts)!;
    expect(joined.id).toBe(SEGMENT);
    expect(joined.dimensions).toBe(384);
    expect(same(joined.f32, whole.f32)).toBe(true);
  });

  it('splits and joins int8 codes with their scales', () => {
    const whole = int8(SEGMENT, 1000, 1024);
    const parts = splitParts(whole);
    expect(parts.map((p) => p.scales!.length)).toEqual([510, 490]);
    for (const p of parts) expect(p.q!.byteLength + p.scales!.byteLength).toBeLessThanOrEqual(PART_BYTES);
    const joined = joinParts(parts)!;
    expect(same(joined.q, whole.q)).toBe(true);
    expect(same(joined.scales, whole.scales)).toBe(true);
    expect(joined.f32).toBeUndefined();
  });

  it('keeps vectors that fit in one record as they are, and reads one record as it is', () => {
    const small = fp32(SEGMENT, 100, 384);
    expect(splitParts(small)).toEqual([small]);
    expect(splitParts(small)[0]).toBe(small);
    expect(joinParts([small])).toBe(small);
    expect(joinParts([])).toBeUndefined();
  });

  it('pads part numbers so that keys sort as parts do, past ten parts', () => {
    const parts = splitParts(fp32(SEGMENT, 200, 8192));
    expect(parts).toHaveLength(13);
    expect(parts[12]!.id).toBe(partKey(SEGMENT, 12));
    expect([...parts.map((p) => p.id)].sort()).toEqual(parts.map((p) => p.id));
  });

  it('groups the parts of several segments read by one range, and refuses parts that disagree', () => {
    const a = fp32(SEGMENT, 500, 384);
    const b = int8(OTHER, 300, 384);
    const groups = groupParts([...splitParts(a), ...splitParts(b)]);
    expect([...groups.keys()]).toEqual([SEGMENT, OTHER]);
    expect(same(groups.get(SEGMENT)!.f32, a.f32)).toBe(true);
    expect(same(groups.get(OTHER)!.q, b.q)).toBe(true);
    const mixed = [fp32(SEGMENT, 10, 384), { ...fp32(partKey(SEGMENT, 1), 10, 384), dimensions: 128 }];
    expect(joinParts(mixed)).toBeUndefined();
    expect(joinParts([fp32(SEGMENT, 10, 384), int8(partKey(SEGMENT, 1), 10, 384)])).toBeUndefined();
  });

  it('reads every row through its part without joining the parts, for fp32 and int8', () => {
    for (const whole of [fp32(SEGMENT, 1000, 384), int8(SEGMENT, 1000, 1024), fp32(SEGMENT, 7, 384)]) {
      const reader = readerOf(splitParts(whole))!;
      expect(reader.id).toBe(SEGMENT);
      for (let i = 0; i < vectorRows(whole); i++) {
        const got = reader.at(i);
        const want = vectorAt(whole, i);
        if (got instanceof Float32Array) expect(same(got, want as Float32Array)).toBe(true);
        else {
          const w = want as { q: Int8Array; scale: number };
          expect(same(got.q, w.q) && got.scale === w.scale).toBe(true);
        }
      }
    }
    expect(readerOf([])).toBeUndefined();
  });

  it('builds new segments straight into parts: id order, at most 1,000 memories, every vector in its row', () => {
    const d = 384;
    const rows = Array.from({ length: 2500 }, (_, n) => ({
      memory: {
        id: `01900000-0000-7000-8000-${String(n).padStart(12, '0')}`,
        text: `memory ${n}`,
        hash: 'h',
        metadata: {},
        createdAt: '2026-01-01T00:00:00.000Z',
        updatedAt: '2026-01-01T00:00:00.000Z',
      },
      vector: Float32Array.from({ length: d }, (_, i) => n + i / d),
    }));
    const shuffled = [...rows].sort((a, b) => ((a.vector[5]! * 7919) % 13) - ((b.vector[5]! * 7919) % 13));
    const stored = buildStored(shuffled, d, 'fp32');
    expect(stored.map((s) => s.record.memories.length)).toEqual([1000, 1000, 500]);
    let n = 0;
    for (const { record, parts } of stored) {
      expect(parts.map((p) => p.id)).toEqual(parts.map((_, k) => partKey(record.id, k)));
      const reader = readerOf(parts)!;
      record.memories.forEach((memory, i) => {
        expect(memory.id).toBe(rows[n]!.memory.id);
        expect(same(reader.at(i) as Float32Array, rows[n]!.vector)).toBe(true);
        n++;
      });
    }
    const int8 = buildStored(rows.slice(0, 600), d, 'int8');
    expect(int8[0]!.parts.map((p) => p.scales!.length)).toEqual([600]);
  });

  it('replaces one row in the part that holds it, and in a whole (one-record) segment', () => {
    const whole = fp32(SEGMENT, 1000, 384);
    const parts = splitParts(whole);
    const v = Float32Array.from({ length: 384 }, (_, i) => -i);
    const changed = withRow(parts, 700, v)!;
    // Row 700 is row 18 of part 2 (341 rows each).
    expect(changed.id).toBe(partKey(SEGMENT, 2));
    expect(same(vectorAt(changed, 18) as Float32Array, v)).toBe(true);
    expect(same(vectorAt(changed, 17) as Float32Array, vectorAt(parts[2]!, 17) as Float32Array)).toBe(true);
    expect(withRow(parts, 300, v)!.id).toBe(SEGMENT);
    expect(withRow(parts, 1000, v)).toBeUndefined();
    const one = withRow([whole], 999, v)!;
    expect(one.id).toBe(SEGMENT);
    expect(same(vectorAt(one, 999) as Float32Array, v)).toBe(true);
    expect(withRow([], 0, v)).toBeUndefined();
    const v1024 = Float32Array.from({ length: 1024 }, (_, i) => i / 1024);
    const q = withRow(splitParts(int8(SEGMENT, 1000, 1024)), 700, v1024)!;
    expect(q.id).toBe(partKey(SEGMENT, 1));
    expect(q.q).toBeDefined();
  });
});
