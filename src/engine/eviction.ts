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
  readonly evicted: readonly string[];
}

/**
 * Entries kept after an eviction: an eighth below `maxEntries`, so the store is trimmed once per that many new
 * entries rather than at every write.
 */
export function keptAfterEviction(maxEntries: number): number {
  return maxEntries - Math.ceil(maxEntries / 8);
}

/**
 * `count` neighbouring prefixes of `sorted` (ascending, distinct), starting at the one `start` (0 to 1) points at
 * and wrapping past the last. A range ends where the next prefix begins, so every key under an evicted prefix, and
 * none under a kept one, is in it (a key the list lacks, written by another tab, may be).
 */
export function pickEviction(sorted: readonly string[], count: number, start: number): Eviction {
  const n = sorted.length;
  if (count <= 0) return { ranges: [], evicted: [] };
  if (count >= n) return { ranges: [{}], evicted: sorted };
  const first = Math.min(n - 1, Math.floor(start * n));
  const end = first + count;
  if (end <= n) {
    const to = sorted[end];
    return {
      ranges: [to === undefined ? { from: sorted[first]! } : { from: sorted[first]!, to }],
      evicted: sorted.slice(first, end),
    };
  }
  return {
    ranges: [{ from: sorted[first]! }, { to: sorted[end - n]! }],
    evicted: [...sorted.slice(first), ...sorted.slice(0, end - n)],
  };
}
