/**
 * Key ranges for requests on many neighbouring keys. In Chromium every IndexedDB request costs the browser and the
 * page ~0.1 ms of CPU whatever its size (a transaction of 10 small puts ~1.6 ms, of 1 put ~0.45 ms, and a 15 KB
 * value costs what a 1.5 KB one does), and on a 2-core machine that CPU is taken from the model's workers. Our keys
 * are UUIDv7s, which sort in creation order, so the pending batches a commit finishes, or the small segments a merge
 * takes, are usually all the keys of one range: one `getAllKeys` tells whether they are, and then one request reads
 * or deletes them all instead of one request per key.
 */

/** What {@link readSpan} needs of an object store (idb's wrapper has it). */
export interface KeyLister {
  getAllKeys(query: IDBKeyRange, count?: number): Promise<IDBValidKey[]>;
}

/** The keys an object store holds from the least to the greatest of some ids, and that range. */
export interface KeySpan {
  readonly range: IDBKeyRange;
  readonly keys: ReadonlySet<string>;
}

/**
 * More keys than this beyond the ids themselves, and the span is not worth reading: the caller goes key by key
 * (a range that holds many other records, e.g. another tab's long-running batches, would only cost more).
 */
export const SPAN_SLACK = 16;

/**
 * One request: the keys stored between the least and greatest of `ids` (inclusive), or undefined when there are
 * more than `ids.length + SPAN_SLACK` of them (the caller then asks key by key). Keys compare as IndexedDB orders
 * strings, by UTF-16 code units, which is how JavaScript compares them.
 */
export async function readSpan(store: KeyLister, ids: readonly string[]): Promise<KeySpan | undefined> {
  if (ids.length === 0) return undefined;
  let low = ids[0]!;
  let high = ids[0]!;
  for (const id of ids) {
    if (id < low) low = id;
    if (id > high) high = id;
  }
  const range = IDBKeyRange.bound(low, high);
  const limit = ids.length + SPAN_SLACK;
  const keys = await store.getAllKeys(range, limit);
  if (keys.length >= limit) return undefined;
  return { range, keys: new Set(keys.map(String)) };
}

/** True when the span holds no key outside `ids`: a request on its range touches those records and no other. */
export function spanHoldsOnly(span: KeySpan, ids: ReadonlySet<string>): boolean {
  for (const key of span.keys) if (!ids.has(key)) return false;
  return true;
}
