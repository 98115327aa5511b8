import { describe, expect, it } from 'vitest';
import { compileFilter, MAX_FILTER_DEPTH, type Filter } from '../../src/search/filter.js';
import { ValidationError } from '../../src/errors.js';

const docs = [
  {
    name: 'a',
    category: 'food',
    priority: 1,
    tags: ['coffee', 'morning'],
    note: 'I like espresso',
    done: false,
    date: '2026-01-05',
  },
  {
    name: 'b',
    category: 'work',
    priority: 5,
    tags: ['meeting'],
    note: 'Standup at nine',
    done: true,
    date: '2026-03-01',
  },
  {
    name: 'c',
    category: 'food',
    priority: 3,
    tags: [],
    note: 'Lunch: ramen',
    done: true,
    date: '2026-02-10',
    extra: null,
  },
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
    expect(
      names({ OR: [{ AND: [{ category: 'food' }, { done: false }] }, { NOT: { priority: { lt: 10 } } }] }),
    ).toEqual(['a', 'd']);
    expect(names({ category: 'food', OR: [{ priority: 1 }, { priority: 3 }], NOT: { done: false } })).toEqual(['c']);
    expect(names({ AND: [] })).toEqual(['a', 'b', 'c', 'd']);
    expect(names({ OR: [] })).toEqual([]);
  });

  it('`*`: the field exists, with any value (null included)', () => {
    expect(names({ category: '*' })).toEqual(['a', 'b', 'c']);
    expect(names({ extra: '*' })).toEqual(['c']); // null is a value
    expect(names({ missing: '*' })).toEqual([]);
    expect(names({ constructor: '*' })).toEqual([]); // own fields only, never Object.prototype's
    expect(names({ NOT: { category: '*' } })).toEqual(['d']);
    expect(names({ category: { eq: '*' } })).toEqual([]); // inside an operator, '*' is a plain string
  });

  it('a list as the value is shorthand for `in`', () => {
    expect(names({ category: ['work', 'travel'] })).toEqual(['b']);
    expect(names({ category: ['work', 'travel'] })).toEqual(names({ category: { in: ['work', 'travel'] } }));
    expect(names({ priority: [1, 10] })).toEqual(['a', 'd']);
    expect(names({ tags: ['meeting', 'morning'] })).toEqual(['a', 'b']); // array field: one item in the list
    expect(names({ category: [] })).toEqual([]);
  });

  it('icontains: case-insensitive substring of a string, or of any string item of an array', () => {
    expect(names({ note: { icontains: 'ESPRESSO' } })).toEqual(['a']);
    expect(names({ note: { icontains: 'standup AT' } })).toEqual(['b']);
    expect(names({ tags: { icontains: 'MORN' } })).toEqual(['a']); // substring of an item
    expect(names({ priority: { icontains: '1' } })).toEqual([]); // numbers are not strings
    expect(names({ note: { icontains: '' } })).toEqual(['a', 'b', 'c', 'd']);
  });

  it('$and, $or and $not are aliases of AND, OR and NOT', () => {
    expect(names({ $and: [{ category: 'food' }, { priority: { gt: 2 } }] })).toEqual(
      names({ AND: [{ category: 'food' }, { priority: { gt: 2 } }] }),
    );
    expect(names({ $or: [{ category: 'work' }, { priority: { gte: 10 } }] })).toEqual(['b', 'd']);
    expect(names({ $not: { category: 'food' } })).toEqual(['b', 'd']);
    expect(names({ $not: [{ category: 'food' }, { done: true }] })).toEqual(['d']);
    expect(names({ $and: [{ $or: [{ priority: 1 }, { priority: 5 }] }], AND: [{ done: true }] })).toEqual(['b']); // both spellings hold
  });

  // Rows Mem0's default store gets wrong (a second condition on a key overwrites the first, OR inside AND is dropped).
  it('a range on one field: gte and lte both hold', () => {
    expect(names({ priority: { gte: 1, lte: 5 } })).toEqual(['a', 'b', 'c']);
    expect(names({ priority: { gte: 2, lte: 4 } })).toEqual(['c']);
    expect(names({ priority: { gt: 1, lt: 5 } })).toEqual(['c']);
  });

  it('two conditions on one key inside AND: both hold', () => {
    expect(names({ AND: [{ priority: { gt: 1 } }, { priority: { lt: 5 } }] })).toEqual(['c']);
    expect(names({ AND: [{ category: { ne: 'work' } }, { category: { ne: 'food' } }] })).toEqual(['d']);
  });

  it('OR nested in AND', () => {
    expect(names({ AND: [{ OR: [{ category: 'work' }, { priority: 1 }] }, { priority: { lt: 10 } }] })).toEqual([
      'a',
      'b',
    ]);
    expect(names({ AND: [{ done: true }, { OR: [{ category: 'food' }, { tags: 'meeting' }] }] })).toEqual(['b', 'c']);
  });

  it(`nesting: at most ${MAX_FILTER_DEPTH} levels of AND / OR / NOT, deeper is a ValidationError naming the limit`, () => {
    const nest = (levels: number, key: 'AND' | 'OR' | 'NOT' | '$not'): unknown => {
      let f: unknown = { category: 'food' };
      for (let i = 0; i < levels; i++) f = key === 'NOT' || key === '$not' ? { [key]: f } : { [key]: [f] };
      return f;
    };
    expect(names(nest(MAX_FILTER_DEPTH, 'AND'))).toEqual(['a', 'c']);
    expect(names(nest(MAX_FILTER_DEPTH, 'NOT'))).toEqual(['a', 'c']); // an even number of NOTs
    for (const key of ['AND', 'OR', 'NOT', '$not'] as const) {
      expect(() => compileFilter(nest(MAX_FILTER_DEPTH + 1, key)), key).toThrow(ValidationError);
      expect(() => compileFilter(nest(MAX_FILTER_DEPTH + 1, key))).toThrow(
        /at most 64 levels deep, got `\$?\w+` at level 65/,
      );
    }
    // Far deeper (or circular) filters fail the same way, never with a RangeError from the stack.
    expect(() => compileFilter(nest(100_000, 'AND'), 'options.filters')).toThrow(
      /^Expected `options\.filters\.AND\[0\]/,
    );
    const circular: Record<string, unknown> = {};
    circular.OR = [circular];
    expect(() => compileFilter(circular)).toThrow(ValidationError);
  });

  it('types: `*`, lists, operators and both spellings of AND / OR / NOT are a Filter', () => {
    const filters: Filter[] = [
      { category: '*' },
      { category: ['work', 'travel'], priority: { gte: 1, lte: 5 } },
      { note: { icontains: 'espresso' } },
      { $and: [{ $or: [{ done: true }, { tags: 'x' }] }], $not: { extra: null } },
      { AND: [{ n: { gt: 1 } }, { n: { lt: 5 } }], NOT: [{ a: 1 }] },
    ];
    for (const f of filters) expect(() => compileFilter(f)).not.toThrow();
  });

  it('rejects unknown operators and malformed filters with ValidationError', () => {
    const bad: [unknown, RegExp][] = [
      [
        { priority: { between: [1, 2] } },
        /operator to be one of eq, ne, in, nin, gt, gte, lt, lte, contains, icontains, got `between`/,
      ],
      [{ priority: { $gt: 1 } }, /got `\$gt`/],
      [{ OR: [{ priority: { like: 'x' } }] }, /filters\.OR\[0\]\.priority/],
      [{ NOT: { a: { eq: 1, nope: 2 } } }, /got `nope`/],
      [{ category: { in: 'food' } }, /filters\.category\.in` to be an array/],
      [{ priority: { gt: null } }, /to be a number or a string/],
      [{ priority: { gt: Number.NaN } }, /to be a number or a string/],
      [{ category: { eq: { nested: 1 } } }, /to be a string, number, boolean or null/],
      [{ AND: { category: 'food' } }, /filters\.AND` to be an array of filters/],
      [{ $or: { category: 'food' } }, /filters\.\$or` to be an array of filters/],
      [{ category: {} }, /at least one operator/],
      [{ category: [{ a: 1 }] }, /filters\.category\[0\]` to be a string, number, boolean or null/],
      [{ $AND: [{ category: 'food' }] }, /filters\.\$AND\[0\]` to be a string/], // not an alias: a field with a list of objects
      [{ note: { icontains: 1 } }, /filters\.note\.icontains` to be a string, got `1` \(number\)/],
      [{ when: new Date(0) }, /operator object/],
      ['food', /Expected `filters` to be a filter object/],
      [null, /Expected `filters` to be a filter object/],
    ];
    for (const [filter, message] of bad) {
      expect(() => compileFilter(filter), JSON.stringify(filter)).toThrow(ValidationError);
      expect(() => compileFilter(filter)).toThrow(message);
    }
  });
});
