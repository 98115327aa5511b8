import { describe, expect, it } from 'vitest';
import { halfToFloat, l2Normalize, poolRow, toFloat32 } from '../../src/worker/pooling.js';
import { EmbeddingError } from '../../src/errors.js';

describe('poolRow', () => {
  // batch 2, seq 3, dim 2; row 1 has one padded position holding garbage that must not count.
  const hidden = new Float32Array([1, 2, 3, 4, 5, 6, /* row 1 */ 10, 20, 30, 40, 999, -999]);
  const mask = [1, 1, 1, 1, 1, 0];

  it('mean-pools only unmasked tokens', () => {
    const out = new Float32Array(4);
    poolRow(hidden, 3, 2, mask, 0, 'mean', out, 0);
    poolRow(hidden, 3, 2, mask, 1, 'mean', out, 2);
    expect(Array.from(out)).toEqual([3, 4, 20, 30]);
  });

  it('cls takes the first token', () => {
    const out = new Float32Array(2);
    poolRow(hidden, 3, 2, mask, 1, 'cls', out, 0);
    expect(Array.from(out)).toEqual([10, 20]);
  });

  it('refuses a row with no tokens', () => {
    expect(() => poolRow(hidden, 3, 2, [0, 0, 0, 0, 0, 0], 0, 'mean', new Float32Array(2), 0)).toThrow(EmbeddingError);
  });
});

describe('l2Normalize', () => {
  it('scales to unit length in place, at an offset', () => {
    const v = new Float32Array([9, 3, 4, 9]);
    l2Normalize(v, 1, 2);
    expect(Array.from(v)).toEqual([9, 0.6000000238418579, 0.800000011920929, 9]);
  });

  it('rejects zero and non-finite vectors instead of returning NaN', () => {
    expect(() => l2Normalize(new Float32Array([0, 0]), 0, 2)).toThrow(/zero vector/);
    expect(() => l2Normalize(new Float32Array([Number.NaN, 1]), 0, 2)).toThrow(/non-finite/);
  });
});

describe('float16 outputs', () => {
  it('decodes IEEE half values', () => {
    expect([0x3c00, 0xc000, 0x0000, 0x7bff, 0x0001, 0x3555].map(halfToFloat)).toEqual([
      1,
      -2,
      0,
      65504,
      2 ** -24,
      0.333251953125,
    ]);
    expect(halfToFloat(0x7c00)).toBe(Number.POSITIVE_INFINITY);
    expect(halfToFloat(0x7e00)).toBeNaN();
  });

  it('converts ORT float16 data (Uint16Array) and passes float32 through', () => {
    expect(Array.from(toFloat32('float16', new Uint16Array([0x3c00, 0x3800])))).toEqual([1, 0.5]);
    const f = new Float32Array([1]);
    expect(toFloat32('float32', f)).toBe(f);
    expect(() => toFloat32('int32', new Int32Array(1))).toThrow(/float32 or float16/);
  });
});
