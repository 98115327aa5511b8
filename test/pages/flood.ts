/**
 * Work per task under load (issue 25), shared by test/browser/memory-flood.spec.ts and `npm run bench:flood`: a flood
 * of concurrent adds (every add issued in one loop, long tasks recorded by a PerformanceObserver, the heap each
 * waiting add holds measured after forced collections, in Chromium with `--js-flags=--expose-gc
 * --enable-precise-memory-info`), and the first search of a big scope (its load into the search index).
 */
import { Memory } from '../../src/index.js';

export interface FloodRequest {
  readonly count: number;
  readonly model?: string;
  readonly dbName?: string;
  readonly workers?: number;
}

export interface FloodResult {
  readonly count: number;
  /** Adds that resolved / rejected. */
  readonly resolved: number;
  readonly failed: number;
  readonly firstError?: string;
  /** Memories of the scope after the flood, and how many distinct texts they hold. */
  readonly stored: number;
  readonly distinct: number;
  /** The caller's own loop issuing every add (the synchronous part of add(), in the caller's task). */
  readonly loopMs: number;
  readonly totalMs: number;
  /** Long tasks (over 50 ms) after the loop, while the library worked the flood off. */
  readonly longTasks: number[];
  /**
   * Heap the waiting adds hold beyond their texts, per add (bytes), right after the caller's loop and again when the
   * first add resolved (all pending records written by then, most adds waiting for the engine); null without gc().
   */
  readonly heapPerAdd: number | null;
  readonly heapPerAddLater: number | null;
  readonly stats: Record<string, unknown>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Synchronous, so the flood cannot move on while it measures. */
function heapAfterGc(): number | null {
  const gc = (globalThis as { gc?: () => void }).gc;
  const memory = (performance as { memory?: { usedJSHeapSize: number } }).memory;
  if (!gc || !memory) return null;
  for (let i = 0; i < 3; i++) gc();
  return memory.usedJSHeapSize;
}

/** Distinct texts of about 60 characters, so no add is served from another's cache entry. */
function texts(count: number): string[] {
  const words = ['coffee', 'garden', 'Lisbon', 'piano', 'river', 'tennis', 'winter', 'report', 'sister', 'bread'];
  return Array.from(
    { length: count },
    (_, i) => `Memory ${i}: ${words[i % 10]} and ${words[(i * 7) % 10]} on day ${i % 365} of the flood test`,
  );
}

async function flood(request: FloodRequest): Promise<FloodResult> {
  const { count } = request;
  const memory = await Memory.create({
    model: request.model ?? '/models/lexical',
    backend: 'wasm',
    workers: request.workers ?? 1,
    dbName: request.dbName ?? `flood-${Date.now()}`,
    cache: false,
  });
  try {
    // A search first, as an app would: the scope is then in the search index, which every commit updates.
    await memory.add('warm-up before the flood', { userId: 'flood' });
    await memory.search('warm-up', { userId: 'flood' });
    const all = texts(count);
    const before = heapAfterGc();
    const longTasks: number[] = [];
    let loopEnd = Infinity;
    // The measurement's own collections (at the first resolve) are not the library's: that task is left out.
    const measuring: [number, number] = [Infinity, Infinity];
    const observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        const end = entry.startTime + entry.duration;
        const measured = entry.startTime <= measuring[1] && end >= measuring[0];
        if (entry.startTime >= loopEnd && !measured) longTasks.push(entry.duration);
      }
    });
    observer.observe({ type: 'longtask', buffered: false });
    const t0 = performance.now();
    let failed = 0;
    let firstError: string | undefined;
    let later: number | null = null;
    const perAdd = (heap: number | null, waiting: number) =>
      before === null || heap === null ? null : (heap - before) / waiting;
    const adds = all.map((text) =>
      memory.add(text, { userId: 'flood' }).then(
        () => {
          if (later !== null || before === null) return;
          measuring[0] = performance.now();
          later = perAdd(heapAfterGc(), count);
          measuring[1] = performance.now();
        },
        (error: unknown) => {
          failed++;
          firstError ??= String(error);
        },
      ),
    );
    loopEnd = performance.now();
    // Still synchronous: nothing of the flood has run yet, every add waits.
    const heapPerAdd = perAdd(heapAfterGc(), count);
    await Promise.all(adds);
    const totalMs = performance.now() - t0;
    await sleep(100); // the observer reports a task after it ends
    observer.disconnect();
    const { results } = await memory.getAll({ userId: 'flood', limit: count + 10 });
    const flooded = results.filter((r) => r.memory.startsWith('Memory '));
    return {
      count,
      resolved: count - failed,
      failed,
      ...(firstError === undefined ? {} : { firstError }),
      stored: flooded.length,
      distinct: new Set(flooded.map((r) => r.memory)).size,
      loopMs: loopEnd - t0,
      totalMs,
      longTasks,
      heapPerAdd,
      heapPerAddLater: later,
      stats: memory.stats() as unknown as Record<string, unknown>,
    };
  } finally {
    await memory.close();
  }
}

export interface FirstSearchRequest {
  /** Memories in the scope. */
  readonly count: number;
  readonly model?: string;
}

export interface FirstSearchResult {
  readonly stored: number;
  readonly hits: number;
  /** The first search of the scope after a reopen: reading it and building its search index. */
  readonly searchMs: number;
  /** Long tasks (over 50 ms) during that search. */
  readonly longTasks: number[];
}

/** Stores `count` memories in one scope, reopens the database and searches it once, watching for long tasks. */
async function firstSearch(request: FirstSearchRequest): Promise<FirstSearchResult> {
  const options = {
    model: request.model ?? '/models/lexical',
    backend: 'wasm' as const,
    workers: 1,
    dbName: `first-search-${Date.now()}`,
    cache: false,
  };
  const all = texts(request.count);
  const seeding = await Memory.create(options);
  try {
    for (let i = 0; i < all.length; i += 1000)
      await seeding.addMany(all.slice(i, i + 1000).map((text) => ({ text, userId: 'big' })));
  } finally {
    await seeding.close();
  }
  const memory = await Memory.create(options);
  try {
    const longTasks: number[] = [];
    const observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) longTasks.push(entry.duration);
    });
    observer.observe({ type: 'longtask', buffered: false });
    const t0 = performance.now();
    const { results } = await memory.search('coffee and garden on day 7', { userId: 'big', limit: 5 });
    const searchMs = performance.now() - t0;
    await sleep(100); // the observer reports a task after it ends
    observer.disconnect();
    return { stored: memory.stats().index.vectors, hits: results.length, searchMs, longTasks };
  } finally {
    await memory.close();
  }
}

declare global {
  interface Window {
    flood: typeof flood;
    firstSearch: typeof firstSearch;
  }
}
window.flood = flood;
window.firstSearch = firstSearch;
document.getElementById('status')!.textContent = 'ready';
