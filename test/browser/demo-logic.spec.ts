/**
 * The demo's DOM-free logic, run by the Playwright runner in Node (no browser needed): the filter box's parser,
 * the seeded sample generator and the adds/s meter.
 */
import { test, expect } from '@playwright/test';
import { combineFilters, FilterSyntaxError, parseFilter } from '../../demo/app/filter-expr.js';
import { RateMeter } from '../../demo/app/rate-meter.js';
import { CATEGORIES, sampleMemories } from '../../demo/samples.js';

test('filter box: each operator, typed values, quotes, and clauses joined with and', () => {
  expect(parseFilter('')).toBeUndefined();
  expect(parseFilter('   ')).toBeUndefined();
  expect(parseFilter('category = travel')).toEqual({ AND: [{ category: 'travel' }] });
  expect(parseFilter('importance >= 4 and category != food')).toEqual({
    AND: [{ importance: { gte: 4 } }, { category: { ne: 'food' } }],
  });
  expect(parseFilter('a > 1 AND b < 2.5 and c <= -3 and d == x')).toEqual({
    AND: [{ a: { gt: 1 } }, { b: { lt: 2.5 } }, { c: { lte: -3 } }, { d: 'x' }],
  });
  expect(parseFilter('title contains window seat')).toEqual({ AND: [{ title: { contains: 'window seat' } }] });
  expect(parseFilter('flag = true and code = "007"')).toEqual({ AND: [{ flag: true }, { code: '007' }] });
  expect(() => parseFilter('category ~ travel')).toThrow(FilterSyntaxError);
  expect(() => parseFilter('= travel')).toThrow('Expected `key = value`');
  expect(() => parseFilter('importance >= 4 and')).toThrow(FilterSyntaxError);
});

test('filter box combined with the category select', () => {
  expect(combineFilters('', '')).toBeUndefined();
  expect(combineFilters('travel', '')).toEqual({ AND: [{ category: 'travel' }] });
  expect(combineFilters('travel', 'importance > 2')).toEqual({
    AND: [{ category: 'travel' }, { importance: { gt: 2 } }],
  });
});

test('sample memories: deterministic per seed, distinct, every category, beyond the plain template space', () => {
  const a = sampleMemories(1000);
  expect(a).toHaveLength(1000);
  expect(sampleMemories(1000)).toEqual(a);
  expect(sampleMemories(1000, 7).map((m) => m.text)).not.toEqual(a.map((m) => m.text));
  expect(new Set(a.map((m) => m.text)).size).toBe(1000);
  expect(new Set(a.map((m) => m.metadata.category))).toEqual(new Set(CATEGORIES));
  const odd = a.filter(
    (m) => !/^User\b/.test(m.text) || /[{}]/.test(m.text) || m.metadata.importance < 1 || m.metadata.importance > 5,
  );
  expect(odd).toEqual([]);
  const many = sampleMemories(5000);
  expect(new Set(many.map((m) => m.text)).size).toBe(5000);
});

test('rate meter: per-second figures from completions, a padded series, old buckets dropped', () => {
  const meter = new RateMeter(10, 1000);
  for (let i = 0; i < 50; i++) meter.record(1, 10_000 + i * 10); // 50 in the second [10 s, 11 s)
  meter.record(30, 11_500);
  expect(meter.total).toBe(80);
  // At 12.0 s: the last 2 whole seconds hold 80 completions.
  expect(meter.perSecond(2000, 12_000)).toBeCloseTo(40, 5);
  const series = meter.series(12_000);
  expect(series).toHaveLength(10);
  expect(series.slice(-2)).toEqual([50, 30]);
  expect(series.slice(0, -2).every((v) => v === 0)).toBe(true);
  // 30 s later everything has scrolled out of the 10 s window.
  expect(meter.series(42_000).every((v) => v === 0)).toBe(true);
  expect(meter.perSecond(2000, 42_000)).toBe(0);

  const half = new RateMeter(5, 500);
  half.record(10, 1_000);
  expect(half.series(1_600).at(-1)).toBe(20); // 10 in a 0.5 s bucket = 20/s
});
