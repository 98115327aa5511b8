import { describe, expect, it } from 'vitest';
import { compileFilter } from '../../src/search/filter.js';
import { ValidationError } from '../../src/errors.js';

const docs = [
  { name: 'a', category: 'food', priority: 1, tags: ['coffee', 'morning'], note: 'I like espresso', done: false, date: '2026-01-05' },
  { name: 'b', category: 'work', priority: 5, tags: ['meeting'], note: 'Standup at nine', done: true, date: '2026-03-01' },
  { name: 'c', category: 'food', priority: 3, tags: [], note: 'Lunch: ramen', done: true, date: '2026-02-10', extra: null },
  { name: 'd', priority: 10, note: 'no category here', date: '2025-12-31' },
];

function names(filter: unknown): string[] {
  const p = compileFilter(filter);
  return docs.filter((d) => p(d)).map((d) => d.name);
}

describe('compileFilter', () => {
  it('matches everything without filters, or with an empty object', () => {
    expect(names(undefined)).toEqual(['a', 'b', 'c', 'd']);
    expect(names({})).toEqual(['a', 'b', 'c', 'd']);
  });

  it('equality shorthand, with several fields meaning AND', () => {
    expect(names({ category: 'food' })).toEqual(['a', 'c']);
    expect(names({ category: 'food', done: true })).toEqual(['c']);
    expect(names({ priority: 5 })).toEqual(['b']);
    expect(names({ extra: null })).toEqual(['c']);
    expect(names({ tags: 'coffee' })).toEqual(['a']); // array field: one item equal
  });

  it('eq and ne', () => {
    expect(names({ category: { eq: 'work' } })).toEqual(['b']);
    expect(names({ category: { ne: 'food' } })).toEqual(['b', 'd']); // a missing field is "not equal"
    expect(names({ done: { eq: false } })).toEqual(['a']);
  });

  it('in and nin', () => {
    expect(names({ category: { in: ['work', 'travel'] } })).toEqual(['b']);
    expect(names({ priority: { in: [1, 3] } })).toEqual(['a', 'c']);
    expect(names({ category: { nin: ['food'] } })).toEqual(['b', 'd']);
    expect(names({ tags: { in: ['meeting', 'x'] } })).toEqual(['b']);
    expect(names({ category: { in: [] } })).toEqual([]);
  });

  it('gt, gte, lt, lte on numbers and strings (dates), like with like only', () => {
    expect(names({ priority: { gt: 3 } })).toEqual(['b', 'd']);
    expect(names({ priority: { gte: 3 } })).toEqual(['b', 'c', 'd']);
    expect(names({ priority: { lt: 3 } })).toEqual(['a']);
    expect(names({ priority: { lte: 3 } })).toEqual(['a', 'c']);
    expect(names({ priority: { gte: 3, lt: 10 } })).toEqual(['b', 'c']);
    expect(names({ date: { gte: '2026-01-01', lt: '2026-03-01' } })).toEqual(['a', 'c']);
    expect(names({ priority: { gt: '0' } })).toEqual([]); // a string never compares with a number
    expect(names({ missing: { lt: 100 } })).toEqual([]);
  });

  it('contains on strings (substring) and arrays (item)', () => {
    expect(names({ note: { contains: 'espresso' } })).toEqual(['a']);
    expect(names({ note: { contains: 'Espresso' } })).toEqual([]); // case-sensitive
    expect(names({ tags: { contains: 'morning' } })).toEqual(['a']);
    expect(names({ priority: { contains: 1 } })).toEqual([]);
  });

  it('AND, OR, NOT and their nesting', () => {
    expect(names({ AND: [{ category: 'food' }, { priority: { gt: 2 } }] })).toEqual(['c']);
    expect(names({ OR: [{ category: 'work' }, { priority: { gte: 10 } }] })).toEqual(['b', 'd']);
    expect(names({ NOT: { category: 'food' } })).toEqual(['b', 'd']);
    expect(names({ NOT: [{ category: 'food' }, { done: true }] })).toEqual(['d']); // none of them
    expect(names({ OR: [{ AND: [{ category: 'food' }, { done: false }] }, { NOT: { priority: { lt: 10 } } }] })).toEqual(['a', 'd']);
    expect(names({ category: 'food', OR: [{ priority: 1 }, { priority: 3 }], NOT: { done: false } })).toEqual(['c']);
    expect(names({ AND: [] })).toEqual(['a', 'b', 'c', 'd']);
    expect(names({ OR: [] })).toEqual([]);
  });

  it('rejects unknown operators and malformed filters with ValidationError', () => {
    const bad: [unknown, RegExp][] = [
      [{ priority: { between: [1, 2] } }, /operator to be one of eq, ne, in, nin, gt, gte, lt, lte, contains, got `between`/],
      [{ priority: { $gt: 1 } }, /got `\$gt`/],
      [{ OR: [{ priority: { like: 'x' } }] }, /filters\.OR\[0\]\.priority/],
      [{ NOT: { a: { eq: 1, nope: 2 } } }, /got `nope`/],
      [{ category: { in: 'food' } }, /filters\.category\.in` to be an array/],
      [{ priority: { gt: null } }, /to be a number or a string/],
      [{ priority: { gt: Number.NaN } }, /to be a number or a string/],
      [{ category: { eq: { nested: 1 } } }, /to be a string, number, boolean or null/],
      [{ AND: { category: 'food' } }, /filters\.AND` to be an array of filters/],
      [{ category: {} }, /at least one operator/],
      [{ category: [1, 2] }, /operator object/],
      ['food', /Expected `filters` to be a filter object/],
      [null, /Expected `filters` to be a filter object/],
    ];
    for (const [filter, message] of bad) {
      expect(() => compileFilter(filter), JSON.stringify(filter)).toThrow(ValidationError);
      expect(() => compileFilter(filter)).toThrow(message);
    }
  });
});
