/**
 * Which entries the persistent embedding cache drops when it outgrows `cache.maxEntries`: a run of neighbouring
 * keys, deleted by key range. Keys are SHA-256 digests, so a run starting at a random key is a random sample of the
 * entries: random eviction with one range request, and no timestamps, index or schema change.
 */
import type { CacheKeyRange } from './types.js';

export interface Eviction {
  /** The ranges to delete: one, or two when the run wraps past the greatest key. */
  readonly ranges: readonly CacheKeyRange[];
  /** The prefixes the ranges cover, of those the run was picked from. */
  readonly evicted: readonly number[];
}

/**
 * Entries kept after an eviction: an eighth below `maxEntries`, so the store is trimmed once per that many new
 * entries rather than at every write.
 */
export function keptAfterEviction(maxEntries: number): number {
  return maxEntries - Math.ceil(maxEntries / 8);
}

/**
 * `count` neighbouring prefixes of `sorted` (ascending, distinct: a key's first 13 hex digits as a number), starting
 * at the one `start` (0 to 1) points at and wrapping past the last. A range ends where the next prefix begins, so
 * every key under an evicted prefix, and none under a kept one, is in it (a key the list lacks, written by another
 * tab, may be).
 */
export function pickEviction(sorted: Float64Array, count: number, start: number): Eviction {
  const n = sorted.length;
  if (count <= 0) return { ranges: [], evicted: [] };
  if (count >= n) return { ranges: [{}], evicted: Array.from(sorted) };
  const first = Math.min(n - 1, Math.floor(start * n));
  const end = first + count;
  if (end <= n) {
    const from = hex(sorted[first]!);
    return {
      ranges: [end === n ? { from } : { from, to: hex(sorted[end]!) }],
      evicted: Array.from(sorted.subarray(first, end)),
    };
  }
  return {
    ranges: [{ from: hex(sorted[first]!) }, { to: hex(sorted[end - n]!) }],
    evicted: [...sorted.subarray(first), ...sorted.subarray(0, end - n)],
  };
}

/**
 * The first 13 hex digits of the SHA-256 key as a number (52 bits: exact in a double; a collision only costs one
 * read that misses). NaN for a key that is not hex, which no eviction picks.
 */
export function prefix(key: string): number {
  return Number.parseInt(key.slice(0, 13), 16);
}

/** A {@link prefix} as the 13 hex digits a key begins with: keys under it compare at or above it, below the next. */
export function hex(prefix: number): string {
  return prefix.toString(16).padStart(13, '0');
}
