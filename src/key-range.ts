/**
 * A run of cache keys, and how each store asks for it: the engine picks the range, IndexedDB and libSQL delete it.
 * Both order string keys as JavaScript compares them (IndexedDB by UTF-16 code units, SQLite's BINARY collation by
 * bytes: the same order for hex digests). Here, not in engine/ or store/, so neither layer imports the other.
 */

/**
 * A run of neighbouring cache keys: every key `k` with `from <= k < to` (an absent bound leaves that end open, so
 * `{}` is every key). Keys compare as strings, as IndexedDB and SQLite order them.
 */
export interface CacheKeyRange {
  readonly from?: string;
  readonly to?: string;
}

/** What deleting a range needs of an IndexedDB object store (idb's wrapper has it). */
interface DeletableStore {
  delete(range: IDBKeyRange): Promise<unknown>;
  clear(): Promise<unknown>;
}

/** Deletes the keys of `range` from an IndexedDB object store: one request (a clear for every key). */
export function deleteKeyRange(store: DeletableStore, { from, to }: CacheKeyRange): Promise<unknown> {
  if (from !== undefined && to !== undefined) return store.delete(IDBKeyRange.bound(from, to, false, true));
  if (from !== undefined) return store.delete(IDBKeyRange.lowerBound(from));
  if (to !== undefined) return store.delete(IDBKeyRange.upperBound(to, true));
  return store.clear();
}

/** A `WHERE` clause on the `key` column (empty for every key) and its arguments. */
export function sqlKeyRange({ from, to }: CacheKeyRange): { where: string; args: string[] } {
  const conditions: string[] = [];
  const args: string[] = [];
  if (from !== undefined) {
    conditions.push('key >= ?');
    args.push(from);
  }
  if (to !== undefined) {
    conditions.push('key < ?');
    args.push(to);
  }
  return { where: conditions.length === 0 ? '' : ` WHERE ${conditions.join(' AND ')}`, args };
}
