import type { Scope } from '../search/search-index.js';
import type { VectorEncoding } from '../store/segments.js';
import type { ScanRow, Store } from '../store/store.js';
import { FORMAT, VERSION, deletedLine, headerLine, memoryLine } from './backup-format.js';
import type { ExportRequest } from './backup-options.js';

/** Memories read per store transaction: a page of lines is all an export holds at once. */
const PAGE = 500;

export interface ExportConfig {
  readonly store: Store;
  readonly modelId: string;
  readonly dimensions: number;
  readonly encoding: VectorEncoding;
  /** Throws once the Memory is closed (checked before each page an export reads, each batch an import writes). */
  readonly assertOpen: () => void;
}

/**
 * The export's lines: the header, then each memory of the scope (expired ones included) in id order, read a page
 * per transaction, then (in a whole export) the history of each deleted memory. A memory added while the export runs
 * is included when its id sorts after the page read last.
 */
export async function* exportLines(config: ExportConfig, request: ExportRequest): AsyncGenerator<string> {
  const { store, assertOpen } = config;
  const { scope, vectors, onProgress } = request;
  const scoped = Object.keys(scope).length > 0;
  const pages = (withVectors: boolean) => scan(store, assertOpen, { vectors: withVectors, scope });
  let total = 0;
  assertOpen();
  if (!scoped) total = (await store.count()).memories;
  else for await (const page of pages(false)) total += page.length;
  yield headerLine({
    format: FORMAT,
    version: VERSION,
    modelId: config.modelId,
    dimensions: config.dimensions,
    encoding: config.encoding === 'fp32' ? 'float32' : 'int8',
    count: total,
    exportedAt: new Date().toISOString(),
  });
  let done = 0;
  onProgress?.({ done, total });
  for await (const page of pages(vectors)) {
    for (const row of page) {
      yield memoryLine(row);
      done++;
    }
    onProgress?.({ done, total });
  }
  // A deleted memory's history names no scope: only a whole export carries it.
  if (scoped) return;
  const deleted = paged(
    assertOpen,
    (after) => store.scanDeleted({ after, limit: PAGE }),
    (entry) => entry.memoryId,
  );
  for await (const page of deleted) for (const entry of page) yield deletedLine(entry);
}

/** Memory pages in id order (of the scope: the store reads only what holds it). */
function scan(
  store: Store,
  assertOpen: () => void,
  request: { vectors: boolean; scope: Scope },
): AsyncGenerator<ScanRow[]> {
  return paged(
    assertOpen,
    (after) => store.scan({ after, limit: PAGE, ...request }),
    (row) => row.memory.id,
  );
}

/**
 * The pages `read` gives, each after the last key of the one before, until an empty one; the next page is read while
 * the consumer formats this one.
 */
async function* paged<T>(
  assertOpen: () => void,
  readPage: (after: string | undefined) => Promise<T[]>,
  keyOf: (item: T) => string,
): AsyncGenerator<T[]> {
  const read = (after: string | undefined) => {
    const page = Promise.resolve().then(() => {
      assertOpen();
      return readPage(after);
    });
    // Thrown where it is awaited; a consumer that stops early leaves it unawaited, so never unhandled.
    page.catch(() => undefined);
    return page;
  };
  let next = read(undefined);
  for (;;) {
    let page: T[];
    try {
      page = await next;
    } catch (error) {
      // A read cut short by close() says the Memory is closed, not what the closing database said.
      assertOpen();
      throw error;
    }
    if (page.length === 0) return;
    next = read(keyOf(page[page.length - 1]!));
    yield page;
  }
}
