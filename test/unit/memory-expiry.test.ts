import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import { expirationDate, isExpired, optionalExpirationDate, visible } from '../../src/memory/expiry.js';
import { deleteHistory, historyEntries } from '../../src/memory/rows.js';

describe('expiration dates', () => {
  it("accepts Mem0's YYYY-MM-DD as given, and instants (ISO with a zone, or a Date) as toISOString()", () => {
    expect(expirationDate('d', '2030-01-31')).toBe('2030-01-31');
    expect(expirationDate('d', '2024-02-29')).toBe('2024-02-29');
    expect(expirationDate('d', '2030-01-31T18:00:00Z')).toBe('2030-01-31T18:00:00.000Z');
    expect(expirationDate('d', '2030-01-31T18:00+02:00')).toBe('2030-01-31T16:00:00.000Z');
    expect(expirationDate('d', '2030-01-31T18:00:00.123456-05:30')).toBe('2030-01-31T23:30:00.123Z');
    expect(expirationDate('d', new Date(Date.UTC(2030, 0, 31, 12)))).toBe('2030-01-31T12:00:00.000Z');
    expect(expirationDate('d', '2001-01-01')).toBe('2001-01-01'); // in the past: stored anyway, as Mem0 does
  });

  it('rejects what is not one day or one instant, naming the option', () => {
    const bad: unknown[] = [
      '2030-02-30', // no such day
      '2023-02-29',
      '2030-13-01',
      '2030-1-31',
      '31/01/2030',
      '2030-01-31T18:00:00', // no zone: a different instant on every device
      '2030-01-31T25:00Z',
      '2030-02-31T10:00Z',
      'tomorrow',
      '',
      1_900_000_000_000,
      new Date(Number.NaN),
      new Date(Date.UTC(10000, 0, 1)),
      {},
    ];
    for (const value of bad) {
      expect(() => expirationDate('options.expirationDate', value), String(value)).toThrow(ValidationError);
    }
    expect(() => expirationDate('options.expirationDate', '2030-02-30')).toThrow(
      /^Expected `options\.expirationDate` to be a 'YYYY-MM-DD' date, .* \(no such day\), got `"2030-02-30"` \(string\)$/,
    );
    expect(optionalExpirationDate('d', undefined)).toBeUndefined();
    expect(optionalExpirationDate('d', null)).toBeNull();
  });

  it("a day is visible through that whole UTC day (Mem0's rule); an instant expires at that instant", () => {
    expect(isExpired(undefined, '2030-01-31T12:00:00.000Z')).toBe(false);
    expect(isExpired('2030-01-31', '2030-01-31T23:59:59.999Z')).toBe(false);
    expect(isExpired('2030-01-31', '2030-02-01T00:00:00.000Z')).toBe(true);
    expect(isExpired('2030-01-31T12:00:00.000Z', '2030-01-31T11:59:59.999Z')).toBe(false);
    expect(isExpired('2030-01-31T12:00:00.000Z', '2030-01-31T12:00:00.000Z')).toBe(true);
    expect(isExpired('0999-12-31', '2026-01-01T00:00:00.000Z')).toBe(true);
  });

  it('visible(): hides expired records and collects them unless showExpired; keeps the filter', () => {
    type Row = { id: string; n: number; expirationDate?: string };
    const live: Row = { id: 'a', n: 1 };
    const dead: Row = { id: 'b', n: 1, expirationDate: '2001-01-01' };
    const later: Row = { id: 'c', n: 2, expirationDate: '9999-12-31' };
    const expired = new Set<string>();
    const accept = visible<Row>((r) => r.n === 1, false, expired)!;
    expect([live, dead, later].filter(accept).map((r) => r.id)).toEqual(['a']);
    expect([...expired]).toEqual(['b']);
    expect(visible(undefined, true)).toBeUndefined(); // nothing to test: the scan's fast path stays
    const all = visible<Row>(undefined, false)!;
    expect([live, dead, later].filter(all).map((r) => r.id)).toEqual(['a', 'c']);
  });
});

describe('history rows', () => {
  it("are shaped like Mem0's: createdAt of the memory, updatedAt of the change, isDeleted on DELETE", () => {
    const rows = [
      { id: 'm:add', memoryId: 'm', previousValue: null, newValue: 'a', event: 'ADD' as const, createdAt: 't1' },
      { id: 'h2', memoryId: 'm', previousValue: 'a', newValue: 'b', event: 'UPDATE' as const, createdAt: 't2' },
      { id: 'h3', memoryId: 'm', previousValue: 'b', newValue: null, event: 'DELETE' as const, createdAt: 't3' },
    ];
    expect(historyEntries(rows)).toEqual([
      { ...rows[0], createdAt: 't1', updatedAt: null, isDeleted: false },
      { ...rows[1], createdAt: 't1', updatedAt: 't2', isDeleted: false },
      { ...rows[2], createdAt: 't1', updatedAt: 't3', isDeleted: true },
    ]);
  });

  it('a DELETE row stored without its text (deleteHistory) shows the last value as previousValue', () => {
    const rows = [
      { id: 'm:add', memoryId: 'm', previousValue: null, newValue: 'a', event: 'ADD' as const, createdAt: 't1' },
      { id: 'h2', memoryId: 'm', previousValue: 'a', newValue: 'b', event: 'UPDATE' as const, createdAt: 't2' },
      { ...deleteHistory('m', 't3'), id: 'h3' },
    ];
    expect(rows[2]).toMatchObject({ previousValue: null, newValue: null, event: 'DELETE' });
    expect(historyEntries(rows).map((e) => [e.event, e.previousValue, e.newValue])).toEqual([
      ['ADD', null, 'a'],
      ['UPDATE', 'a', 'b'],
      ['DELETE', 'b', null],
    ]);
    expect(historyEntries([rows[0]!, rows[2]!])[1]).toMatchObject({ previousValue: 'a', isDeleted: true });
  });
});
