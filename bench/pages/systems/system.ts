/** What every benchmarked system offers the workloads in the page. */
export interface BenchSystem {
  /** What the system actually runs with, reported in the row. */
  readonly resolved: { workers?: number; backend?: string; variant?: string; coalescing?: boolean };
  /** One memory add, resolved when stored (or, for the raw ceiling, embedded). */
  add(text: string): Promise<void>;
  /** A batch of adds, resolved when all are stored. */
  addMany(texts: string[]): Promise<void>;
  /**
   * Fills the store with `texts` as fast as the system allows (W4 seeding); may use precomputed vectors. Returns
   * how, and the milliseconds spent writing (the persistence rate: no inference, no reopening).
   */
  seed?(texts: string[], vectors: (i: number) => Float32Array): Promise<{ how: string; writeMs: number }>;
  /** End-to-end search: embed the query, then scan. */
  search?(query: string, limit: number): Promise<number>;
  /** Makes the scan's query vectors known without inference at timing (agentmem-web: one search fills its cache). */
  prepareScan?(queries: string[]): Promise<void>;
  /** The scan alone: the query vector is already known. */
  scan?(query: string, vector: Float32Array | null, limit: number): Promise<number>;
  /** The scan in vector mode (agentmem-web): timed beside each hybrid scan, so the difference is what fusion costs. */
  scanVector?(query: string, limit: number): Promise<number>;
  /** One `embed()` of the system's embedding engine, nothing stored (E1: agentmem-web with a ceiling, single session). */
  embed?(text: string): Promise<void>;
  /** The raw ceiling on the same workers: embed `texts` as ready-made batches, store nothing (agentmem-web). */
  ceiling?(texts: string[]): Promise<void>;
  /** The single session, built on the same page and measured beside this system, repetition by repetition. */
  single?: BenchSystem;
  /** Engine statistics after the run (batch sizes, cache hits), recorded in the row's `extra`. */
  stats?(): unknown;
  close(): Promise<void>;
}

/** Serialises async calls: the single-mutex design agentmem-web replaces. */
export class PromiseLock {
  #tail: Promise<unknown> = Promise.resolve();
  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(fn, fn);
    this.#tail = result.catch(() => undefined);
    return result;
  }
}

/** Seeded unit vectors for seeding stores without inference (W4: the scan cost does not depend on the values). */
export function unitVector(i: number, dims: number): Float32Array {
  const v = new Float32Array(dims);
  let s = (i + 1) * 2654435761;
  let norm = 0;
  for (let d = 0; d < dims; d++) {
    s = (Math.imul(s ^ (s >>> 15), 2246822507) + 0x9e3779b9) >>> 0;
    const x = s / 4294967296 - 0.5;
    v[d] = x;
    norm += x * x;
  }
  const k = 1 / Math.sqrt(norm);
  for (let d = 0; d < dims; d++) v[d]! *= k;
  return v;
}

/** A minimal promise wrapper over one IndexedDB object store, for the baselines that "write one put per add". */
export async function openStore(dbName: string, store: string): Promise<IDBDatabase> {
  return await new Promise((resolve, reject) => {
    const req = indexedDB.open(dbName, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(store, { keyPath: 'id', autoIncrement: true });
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

export async function put(db: IDBDatabase, store: string, value: unknown): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const tx = db.transaction(store, 'readwrite');
    tx.objectStore(store).put(value);
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
}

export async function putMany(db: IDBDatabase, store: string, values: unknown[]): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const tx = db.transaction(store, 'readwrite');
    const os = tx.objectStore(store);
    for (const v of values) os.put(v);
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
}

export async function getAll<T>(db: IDBDatabase, store: string): Promise<T[]> {
  return await new Promise((resolve, reject) => {
    const req = db.transaction(store, 'readonly').objectStore(store).getAll();
    req.onsuccess = () => resolve(req.result as T[]);
    req.onerror = () => reject(req.error);
  });
}
