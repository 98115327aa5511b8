import { expected } from '../validate.js';

/**
 * Expiry as Mem0 has it: once a memory's `expirationDate` has passed, search() and getAll() leave it out (unless
 * `showExpired`), while get() still returns it and clearing the date brings it back. Dates are stored in one of two
 * forms whose string order is time order, so a scan compares strings and parses nothing:
 * - `'YYYY-MM-DD'` (Mem0's form): the memory stays visible through that whole UTC day;
 * - `Date#toISOString()` (`'2030-01-31T12:00:00.000Z'`): it expires at that instant.
 */

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME =
  /^(\d{4}-\d{2}-\d{2})T([01]\d|2[0-3]):([0-5]\d)(:[0-5]\d(\.\d{1,9})?)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$/;
const WANTED = "a 'YYYY-MM-DD' date, an ISO 8601 date-time with a time zone ('2030-01-31T18:00:00Z') or a Date";

/** A valid expiration date, normalised to its stored form. A date in the past is kept (the memory is hidden at once). */
export function expirationDate(name: string, value: unknown): string {
  if (value instanceof Date) return instant(name, value.getTime(), value);
  if (typeof value !== 'string') throw expected(name, WANTED, value);
  if (DAY.test(value)) {
    if (!isCalendarDay(value)) throw expected(name, `${WANTED} (no such day)`, value);
    return value;
  }
  const match = DATE_TIME.exec(value);
  if (!match) throw expected(name, WANTED, value);
  if (!isCalendarDay(match[1]!)) throw expected(name, `${WANTED} (no such day)`, value);
  return instant(name, Date.parse(value), value);
}

/** `undefined`: not given; `null`: clear the date (update) or none (add); else a valid date. */
export function optionalExpirationDate(name: string, value: unknown): string | null | undefined {
  if (value === undefined || value === null) return value;
  return expirationDate(name, value);
}

/** True once `stored` has passed at `now` (a `Date#toISOString()`). */
export function isExpired(stored: string | undefined, now: string): boolean {
  if (stored === undefined) return false;
  return stored.length === 10 ? now.slice(0, 10) > stored : now >= stored;
}

/**
 * What a search() or getAll() returns of the records it reads: those `filter` passes (all when undefined) that have
 * not expired (unless `showExpired`). Each expired record it meets goes into `expired`, for a purge.
 */
export function visible<R extends { readonly id: string; readonly expirationDate?: string }>(
  filter: ((record: R) => boolean) | undefined,
  showExpired: boolean,
  expired?: Set<string>,
): ((record: R) => boolean) | undefined {
  if (showExpired) return filter;
  const now = new Date().toISOString();
  const live = (record: R) => {
    if (!isExpired(record.expirationDate, now)) return true;
    expired?.add(record.id);
    return false;
  };
  return filter ? (record: R) => live(record) && filter(record) : live;
}

function instant(name: string, ms: number, value: unknown): string {
  if (!Number.isFinite(ms)) throw expected(name, WANTED, value);
  const iso = new Date(ms).toISOString();
  // Years 0000-9999 only: beyond them toISOString() writes '+010000-…', which would break the string order.
  if (!/^\d{4}-/.test(iso)) throw expected(name, `${WANTED} from year 0000 to 9999`, value);
  return iso;
}

function isCalendarDay(day: string): boolean {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const date = new Date(0);
  date.setUTCFullYear(y, m - 1, d);
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}
