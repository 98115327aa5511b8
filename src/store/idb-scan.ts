import { StorageError } from '../errors.js';
import { inScope, scopeFields, type Scope } from '../search/search-index.js';
import type { HistoryRecord, MemoryRecord } from './records.js';
import type { Tx } from './idb-tx.js';
import { scopeIndex } from './schema.js';
import { compareIds } from './segments.js';
import { byMemoryId, withAdd, type ScanRequest, type ScanRow } from './store.js';
import { readRows, type VectorReader } from './vector-parts.js';

/** How many index keys past `limit` a page looks at to finish the segments it read. */
const LOOKAHEAD = 4;

/** A scoped scan: the scope and the segments that hold it. */
interface Scoped {
  readonly scope: Scope;
  readonly holding: ReadonlySet<string>;
}

/** A page, and the memory id the walk reached (undefined at the index's end): the next page reads on from there. */
interface Page {
  readonly rows: ScanRow[];
  readonly last: string | undefined;
}

/**
 * The next memories after `after` in id order (of `scope`, when given): at least `limit`, and on through the segments
 * read, so a segment is read once, not once per page it spans. With a scope only the segments that hold it are read;
 * a stretch of the id order without one is skipped by its index keys alone.
 */
export async function scanPage(tx: Tx, request: ScanRequest): Promise<ScanRow[]> {
  const { scope } = request;
  const fields = scope ? scopeFields.filter((f) => scope[f] !== undefined) : [];
  if (!scope || fields.length === 0) return (await pageAfter(tx, request, undefined)).rows;
  const scoped = { scope, holding: await segmentsHolding(tx, scope, fields) };
  if (scoped.holding.size === 0) return [];
  let after = request.after;
  for (;;) {
    // A page of the scope's segments may hold none of the scope itself: read on, since an empty page ends a scan.
    const { rows, last } = await pageAfter(tx, { ...request, after }, scoped);
    if (rows.length > 0 || last === undefined) return rows;
    after = last;
  }
}

/** The segments that hold every field of `scope` (an intersection of the scope indexes' keys). */
async function segmentsHolding(tx: Tx, scope: Scope, fields: readonly (keyof Scope)[]): Promise<Set<string>> {
  const segments = tx.objectStore('segments');
  const keys = await Promise.all(fields.map((f) => segments.index(scopeIndex[f]).getAllKeys(scope[f])));
  const [first, ...rest] = keys.map((k) => new Set(k));
  return new Set([...first!].filter((id) => rest.every((set) => set.has(id))));
}

/**
 * A page in id order. The `ids` index yields, in memory-id order, the segment holding each next memory: while those
 * are segments already read (or, scoped, segments that hold none of the scope), the next memory is among the read
 * ones (a merge moves a memory to another segment but never changes its id, so the walk neither skips nor repeats
 * one).
 */
async function pageAfter(tx: Tx, request: ScanRequest, scoped: Scoped | undefined): Promise<Page> {
  const { after, limit } = request;
  const index = tx.objectStore('segments').index('ids');
  const range = after === undefined ? undefined : IDBKeyRange.lowerBound(after, true);
  const keys = await index.getAllKeys(range, limit * LOOKAHEAD);
  const read = new Set<string>();
  let count = 0;
  for (const segment of keys) {
    if (scoped && !scoped.holding.has(segment)) continue;
    if (!read.has(segment)) {
      if (count >= limit) break;
      read.add(segment);
    }
    count++;
  }
  if (read.size > 0) return readPage(tx, { ...request, segmentIds: [...read], count }, scoped);
  if (keys.length < limit * LOOKAHEAD) return { rows: [], last: undefined };
  // None of the scope in this stretch: its last index key is where the next read starts.
  const cursor = await index.openKeyCursor(range);
  const end = keys.length > 1 ? await cursor?.advance(keys.length - 1) : cursor;
  return { rows: [], last: end?.key };
}

/**
 * The first `count` memories after `after` of the segments `segmentIds` (those of the scope, when scoped), with
 * history (and vectors).
 */
async function readPage(
  tx: Tx,
  request: ScanRequest & { segmentIds: readonly string[]; count: number },
  scoped: Scoped | undefined,
): Promise<Page> {
  const { segmentIds, after, count, vectors } = request;
  const segmentStore = tx.objectStore('segments');
  // Without vectors the transaction does not span their store: touching it would throw.
  const vectorStore = vectors ? tx.objectStore('segmentVectors') : undefined;
  const [segments, rows] = await Promise.all([
    Promise.all(segmentIds.map((id) => segmentStore.get(id))),
    vectorStore ? Promise.all(segmentIds.map((id) => readRows(vectorStore, id))) : [],
  ]);
  const found: { memory: MemoryRecord; segment: number; i: number }[] = [];
  segments.forEach((segment, s) => {
    segment?.memories.forEach((memory, i) => {
      if (after === undefined || memory.id > after) found.push({ memory, segment: s, i });
    });
  });
  found.sort((a, b) => compareIds(a.memory.id, b.memory.id));
  const walked = found.slice(0, count);
  const last = walked.at(-1)?.memory.id;
  const page = scoped ? walked.filter(({ memory }) => inScope(memory, scoped.scope)) : walked;
  if (page.length === 0) return { rows: [], last };
  const history = await historyOf(
    tx,
    page.map((p) => p.memory.id),
    scoped !== undefined,
  );
  return {
    last,
    rows: page.map(({ memory, segment, i }) => {
      const stored = history.get(memory.id) ?? [];
      const rowsOf: VectorReader | undefined = rows[segment];
      if (vectors && !rowsOf) throw new StorageError(`IndexedDB segment \`${segmentIds[segment]}\` has no vectors`);
      return {
        memory,
        history: withAdd(memory, stored),
        ...(rowsOf ? { vector: rowsOf.at(i) } : {}),
      };
    }),
  };
}

/**
 * The stored history rows of `ids` (in id order), by memory id: one range read over [first, last], or, for a scope's
 * page (whose ids may be far apart, other scopes' rows between them), one read per id.
 */
async function historyOf(tx: Tx, ids: readonly string[], perId: boolean): Promise<Map<string, HistoryRecord[]>> {
  const index = tx.objectStore('history').index('memoryId');
  if (!perId) return byMemoryId(await index.getAll(IDBKeyRange.bound(ids[0]!, ids[ids.length - 1]!)));
  return byMemoryId((await Promise.all(ids.map((id) => index.getAll(id)))).flat());
}
