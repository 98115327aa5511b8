import { describe, expect, it } from 'vitest';
import * as input from '../../src/memory/input.js';
import { ValidationError } from '../../src/errors.js';

describe('memory input checks', () => {
  it('texts: strings that are non-empty and well-formed', () => {
    expect(input.text('text', ' hi ')).toBe(' hi ');
    expect(input.text('text', 'emoji 😀 ok')).toBe('emoji 😀 ok');
    for (const bad of ['', '  \n', 42, null, undefined, {}, 'a\uD800b', 'a\uDC00', '\uD83D']) {
      expect(() => input.text('text', bad), JSON.stringify(bad)).toThrow(ValidationError);
    }
    expect(() => input.text('text', 42)).toThrow('Expected `text` to be a string, got `42` (number)');
  });

  it('texts: only control characters and whitespace is rejected like an empty text', () => {
    for (const bad of ['\0', '\0 \0\t', '\u0007', '\u007F', '\u0085\u009F', '\uFEFF\u00A0\u2003', '\r\n\0']) {
      expect(() => input.text('text', bad), JSON.stringify(bad)).toThrow(ValidationError);
    }
    expect(() => input.text('query', '\0')).toThrow(
      'Expected `query` to be a non-empty string (not only whitespace or control characters), got `"\\u0000"` (string)',
    );
    expect(input.text('text', 'a\0b')).toBe('a\0b'); // a control character beside real text is kept
    expect(() => input.text('text', '\0\uD800')).toThrow('lone UTF-16 surrogate');
  });

  it('limit: `0` asks for nothing (as in Mem0); Mem0 v3 `topK` is the same setting, both given must agree', () => {
    expect(input.limit({ limit: 0 }, 10)).toBe(0);
    expect(input.limit({ topK: 0 }, 10)).toBe(0);
    expect(input.limit({ topK: 20 }, 10)).toBe(20);
    expect(input.limit({ topK: 5, limit: 5 }, 10)).toBe(5);
    expect(() => input.limit({ topK: 5, limit: 6 }, 10)).toThrow(
      'Expected `options.limit` and `options.topK` to agree (they are one setting), got 6 and 5',
    );
  });

  it('scope ids: trimmed, as Mem0 trims them; empty or whitespace inside is a ValidationError', () => {
    expect(input.scope('o', { userId: '  alice ', agentId: '\tplanner\n' }, true)).toEqual({
      userId: 'alice',
      agentId: 'planner',
    });
    expect(input.scopeId('o.userId', 'ünï-çødé_42')).toBe('ünï-çødé_42');
    for (const bad of ['al ice', 'al\tice', 'a\u00A0b', ' a b ']) {
      expect(() => input.scope('o', { runId: bad }, true), JSON.stringify(bad)).toThrow(
        'Expected `o.runId` to be an id without whitespace inside',
      );
    }
    for (const bad of ['   ', '\n', '']) {
      expect(() => input.scope('o', { userId: bad }, true)).toThrow('Expected `o.userId` to be a non-empty string');
    }
    expect(() => input.scopeId('o.userId', 'a\uD800')).toThrow(ValidationError);
  });

  it('infer: only false (or left out), since texts are stored as given', () => {
    expect(() => input.infer(undefined)).not.toThrow();
    expect(() => input.infer(false)).not.toThrow();
    expect(() => input.infer(true)).toThrow(/Expected `options.infer` to be `false` or left out .*no LLM/);
    expect(() => input.infer('no')).toThrow(ValidationError);
  });

  it('scope: at least one non-empty key when required, only the three Mem0 keys', () => {
    expect(input.scope('o', { userId: 'u', other: 1 }, true)).toEqual({ userId: 'u' });
    expect(input.scope('o', { agentId: 'a', runId: 'r' }, true)).toEqual({ agentId: 'a', runId: 'r' });
    expect(input.scope('o', {}, false)).toEqual({});
    expect(() => input.scope('o', {}, true)).toThrow(/`userId`, `agentId` or `runId`/);
    expect(() => input.scope('o', { user_id: 'u' }, true)).toThrow(ValidationError);
    expect(() => input.scope('o', { userId: '' }, true)).toThrow('Expected `o.userId` to be a non-empty string');
    expect(() => input.scope('o', { userId: 7 }, true)).toThrow(ValidationError);
  });

  it('metadata: plain JSON objects, returned as a deep copy', () => {
    const original = {
      a: 1,
      s: 'x',
      ok: true,
      none: null,
      nested: { b: [1, 2, { c: [] }] },
      when: new Date(0).toISOString(),
    };
    const copy = input.metadata('m', original);
    expect(copy).toEqual(original);
    expect(copy).not.toBe(original);
    original.nested.b.push(3);
    (original.nested.b[2] as { c: number[] }).c.push(9);
    expect(copy.nested).toEqual({ b: [1, 2, { c: [] }] }); // the caller's later changes do not reach the copy
    expect(input.metadata('m', undefined)).toEqual({});
    expect(input.metadata('m', Object.create(null))).toEqual({});
    for (const bad of [new Date(), [1], 'x', 1, null, new Map()])
      expect(() => input.metadata('m', bad)).toThrow(ValidationError);
  });

  it('metadata: keys whose value is undefined are dropped, as JSON drops them', () => {
    const copy = input.metadata('m', { a: 1, gone: undefined, nested: { also: undefined, kept: 0 } });
    expect(copy).toStrictEqual({ a: 1, nested: { kept: 0 } });
    expect(Object.keys(copy)).toEqual(['a', 'nested']);
  });

  it('metadata: a shared (not circular) object is copied at each place, and `__proto__` stays a key', () => {
    const shared = { x: 1 };
    const copy = input.metadata('m', { a: shared, b: [shared] }) as { a: object; b: object[] };
    expect(copy).toEqual({ a: { x: 1 }, b: [{ x: 1 }] });
    expect(copy.a).not.toBe(copy.b[0]);
    const parsed = input.metadata('m', JSON.parse('{"__proto__": {"polluted": 1}}') as unknown);
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
    expect(Object.keys(parsed)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('metadata: what JSON cannot carry is a ValidationError naming the path and the reason', () => {
    class Point {
      x = 1;
    }
    const bad: [unknown, string | RegExp][] = [
      [
        { a: { b: 10n } },
        /^Expected `options\.metadata\.a\.b` to be a JSON value .*, got `10n` \(bigint\): JSON has no BigInt/,
      ],
      [
        { n: Number.NaN },
        'Expected `options.metadata.n` to be a finite number, got `NaN` (number): JSON writes it as null',
      ],
      [{ n: [Infinity] }, 'Expected `options.metadata.n[0]` to be a finite number, got `Infinity` (number)'],
      [{ n: { m: -Infinity } }, 'Expected `options.metadata.n.m` to be a finite number, got `-Infinity` (number)'],
      [
        { list: [1, undefined] },
        /`options\.metadata\.list\[1\]` .*got `undefined`: JSON writes undefined in an array as null; pass null/,
      ],
      // eslint-disable-next-line no-sparse-arrays -- the hole is the case under test
      [{ list: [1, , 3] }, /`options\.metadata\.list\[1\]` .*got `undefined`/], // a hole
      [{ fn: () => 1 }, /^Expected `options\.metadata\.fn` to be a JSON value .*, got `function` \(function\)$/],
      [{ s: Symbol('x') }, /`options\.metadata\.s` .*got `Symbol\(x\)` \(symbol\)$/],
      [{ 'my key': { m: new Map() } }, /`options\.metadata\["my key"\]\.m` .*got a Map: convert it/],
      [{ s: new Set([1]) }, /`options\.metadata\.s` .*got a Set/],
      [{ r: /x/ }, /`options\.metadata\.r` .*got a RegExp/],
      [{ t: new Uint8Array(2) }, /`options\.metadata\.t` .*got a Uint8Array/],
      [{ p: new Point() }, /`options\.metadata\.p` .*got a Point instance/],
      [{ b: new String('x') }, /`options\.metadata\.b` .*got a String/],
      [{ when: new Date(0) }, /`options\.metadata\.when` .*got a Date: pass `date\.toISOString\(\)` instead/],
    ];
    for (const [value, message] of bad) {
      expect(() => input.metadata('options.metadata', value), String(message)).toThrow(ValidationError);
      expect(() => input.metadata('options.metadata', value)).toThrow(message);
    }
  });

  it('metadata: circular references are a ValidationError naming both ends', () => {
    const self: Record<string, unknown> = { a: 1 };
    self.me = self;
    expect(() => input.metadata('options.metadata', self)).toThrow(
      /^Expected `options\.metadata\.me` to be a JSON value .*, got a circular reference to `options\.metadata`$/,
    );
    const inner: Record<string, unknown> = {};
    const list: unknown[] = [inner];
    inner.back = list;
    expect(() => input.metadata('m', { x: { list } })).toThrow(
      /`m\.x\.list\[0\]\.back` .*circular reference to `m\.x\.list`/,
    );
  });

  it('metadata: at most 64 levels of objects and arrays', () => {
    // `levels` containers in all: the metadata object holding `levels - 1` nested ones.
    const nest = (levels: number, wrap: (inner: unknown) => unknown): Record<string, unknown> => {
      let value: unknown = 'leaf';
      for (let i = 1; i < levels; i++) value = wrap(value);
      return { a: value };
    };
    for (const wrap of [(v: unknown) => ({ a: v }), (v: unknown) => [v]]) {
      expect(input.metadata('m', nest(64, wrap))).toEqual(nest(64, wrap));
      expect(() => input.metadata('m', nest(65, wrap))).toThrow(ValidationError);
      expect(() => input.metadata('m', nest(65, wrap))).toThrow(
        /to nest objects and arrays at most 64 levels deep, got level 65$/,
      );
      expect(() => input.metadata('m', nest(100_000, wrap))).toThrow(/at most 64 levels deep/); // never a RangeError
    }
  });

  it('messages: non-system messages become texts with their role', () => {
    expect(
      input.addInput([
        { role: 'system', content: 'ignored' },
        { role: 'user', content: 'hello' },
        { role: 'assistant', content: 'hi there' },
      ]),
    ).toEqual([
      { text: 'hello', role: 'user' },
      { text: 'hi there', role: 'assistant' },
    ]);
    expect(input.addInput([{ role: 'system', content: 'only system' }])).toEqual([]);
    expect(() => input.addInput([])).toThrow(ValidationError);
    expect(() => input.addInput([{ role: 'user', content: ' ' }])).toThrow('messages[0].content');
    expect(() => input.addInput([{ content: 'no role' }])).toThrow('messages[0].role');
    expect(() => input.addInput(['text'])).toThrow('messages[0]');
  });

  it('limit and threshold', () => {
    expect(input.limit({}, 10)).toBe(10);
    expect(input.limit({ limit: 3 }, 10)).toBe(3);
    for (const bad of [-1, 1.5, '3', Number.NaN, null]) {
      expect(() => input.limit({ limit: bad }, 10)).toThrow(ValidationError);
      expect(() => input.limit({ topK: bad }, 10)).toThrow(ValidationError);
    }
    expect(() => input.limit({ topK: -1 }, 10)).toThrow('Expected `options.topK` to be an integer from 0');
    expect(input.threshold(undefined)).toBeUndefined();
    expect(input.threshold(-0.5)).toBe(-0.5);
    expect(() => input.threshold(1.5)).toThrow(ValidationError);
  });
});
