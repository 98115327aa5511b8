import { describe, expect, it } from 'vitest';
import * as input from '../../src/memory/input.js';
import { ValidationError } from '../../src/errors.js';

describe('memory input checks', () => {
  it('texts: strings that are non-empty and well-formed', () => {
    expect(input.text('text', ' hi ')).toBe(' hi ');
    expect(input.text('text', 'emoji 😀 ok')).toBe('emoji 😀 ok');
    for (const bad of ['', '  \n', 42, null, undefined, {}, 'a\uD800b', 'a\uDC00', '\uD83D']) {
      expect(() => input.text('text', bad), String(bad)).toThrow(ValidationError);
    }
    expect(() => input.text('text', 42)).toThrow('Expected `text` to be a string, got `42` (number)');
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

  it('metadata: plain, structured-cloneable objects, returned as a copy', () => {
    const original = { a: 1, nested: { b: [1, 2] }, when: new Date(0) };
    const copy = input.metadata('m', original);
    expect(copy).toEqual(original);
    expect(copy).not.toBe(original);
    expect(input.metadata('m', undefined)).toEqual({});
    expect(input.metadata('m', Object.create(null))).toEqual({});
    for (const bad of [new Date(), [1], 'x', 1, null, new Map()]) expect(() => input.metadata('m', bad)).toThrow(ValidationError);
    expect(() => input.metadata('m', { f: () => 1 })).toThrow(/structured-cloneable/);
    expect(() => input.metadata('m', { s: Symbol('x') })).toThrow(/structured-cloneable/);
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
    expect(input.limit(undefined, 10)).toBe(10);
    expect(input.limit(3, 10)).toBe(3);
    for (const bad of [0, -1, 1.5, '3', Number.NaN]) expect(() => input.limit(bad, 10)).toThrow(ValidationError);
    expect(input.threshold(undefined)).toBeUndefined();
    expect(input.threshold(-0.5)).toBe(-0.5);
    expect(() => input.threshold(1.5)).toThrow(ValidationError);
  });
});
