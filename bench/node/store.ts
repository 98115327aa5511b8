/**
 * W4 for Node: seeds a libSQL file through the real add path (Memory.addMany, chunks of 5,000, a seeded-vector
 * embedder so no inference is timed), measures persistence (memories/s), then reopens it with a real engine and
 * times the first search (the scope's load from the file, keyword index built), scans (a query vector already
 * known) and end-to-end searches (a never-seen query embedded first). The same shape as the browser's W4.
 */
import { rmSync } from 'node:fs';
import { Memory, type MemoryOptions } from '../../src/memory/memory.js';
import type { TextEmbedder } from '../../src/memory/text-embedder.js';
import { nodeMemoryPlatform } from '../../src/memory/node-platform.js';
import { installMemoryPlatform } from '../../src/memory/platform.js';
import { SEEDS, textsFor } from '../lib/texts.js';
import { unitVector } from '../pages/systems/system.js';

export interface NodeStoreBenchOptions {
  /** The database file (removed first, with its WAL). */
  readonly path: string;
  /** Store sizes to seed to, ascending, e.g. [10_000, 100_000]. */
  readonly sizes: readonly number[];
  /** The real engine for the timed searches (its model id and dimensions also name the seeded vectors). */
  readonly embedder: TextEmbedder;
  /** Timed searches of each kind per size. @default 20 */
  readonly queries?: number;
  /** @default 'none' */
  readonly quantize?: 'none' | 'int8';
  /** Opens a Memory on `path` (the Node entry's Memory.create); default: Memory over the libSQL store. */
  readonly open?: (options: MemoryOptions) => Promise<Memory>;
}

export interface NodeStoreRow {
  readonly size: number;
  readonly persistPerSec: number;
  readonly seedMs: number;
  readonly firstSearchMs: number;
  readonly scan: Latencies;
  /** `mode: 'keyword'`: the in-memory BM25F index alone, no embedding. */
  readonly keyword: Latencies;
  readonly endToEnd: Latencies;
  /** End to end with `mode: 'vector'`: the query embedded, then the exact vector scan alone. */
  readonly endToEndVector: Latencies;
}

export interface Latencies {
  readonly p50: number;
  readonly p95: number;
  readonly n: number;
}

/** Memory over the libSQL store, as the Node entry opens it. */
function openLibsql(options: MemoryOptions): Promise<Memory> {
  installMemoryPlatform(nodeMemoryPlatform);
  return Memory.create(options);
}

const scope = { userId: 'bench' };

export async function benchNodeStore(options: NodeStoreBenchOptions): Promise<NodeStoreRow[]> {
  const { path, sizes, embedder } = options;
  const q = options.queries ?? 20;
  const quantize = options.quantize ?? 'none';
  const open = options.open ?? openLibsql;
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(`${path}${suffix}`, { force: true });
  const dims = embedder.dimensions;
  const texts = textsFor(SEEDS.store, sizes[sizes.length - 1]!);
  const queries = textsFor(SEEDS.queries, q * 2 * sizes.length);
  const rows: NodeStoreRow[] = [];
  let seeded = 0;
  for (const [si, size] of sizes.entries()) {
    const offset = seeded;
    // Made before the clock starts: the rate measures the add path and the store, not this generator.
    const vectors = Array.from({ length: size - seeded }, (_, i) => unitVector(offset + i, dims));
    const index = new Map(texts.slice(seeded, size).map((t, i) => [t, i]));
    const known = new Map<string, Float32Array>();
    const synthetic: TextEmbedder = {
      modelId: embedder.modelId,
      dimensions: dims,
      embed: async (text) => known.get(text) ?? vectors[index.get(text) ?? 0]!,
      embedMany: async (batch) => batch.map((text) => vectors[index.get(text) ?? 0]!),
      stats: () => ({}),
      close: async () => undefined,
    };
    const seeder = await open({ path, embedder: synthetic, quantize });
    const t0 = performance.now();
    for (let i = seeded; i < size; i += 5000)
      await seeder.addMany(texts.slice(i, Math.min(size, i + 5000)).map((text) => ({ text, ...scope })));
    const seedMs = performance.now() - t0;
    await seeder.close();
    seeded = size;

    // Scans: the seeded-vector engine answers these queries with known vectors (no inference, as the browser's
    // scan, whose query vectors come from the embedding cache).
    const scanQueries = queries.slice(si * 2 * q, si * 2 * q + q);
    scanQueries.forEach((text, k) => known.set(text, unitVector(1e7 + k, dims)));
    const scanner = await open({ path, embedder: synthetic, quantize });
    const tf = performance.now();
    await scanner.search(scanQueries[0]!, { ...scope, limit: 10 });
    const firstSearchMs = performance.now() - tf;
    for (const text of scanQueries.slice(0, 3)) await scanner.search(text, { ...scope, limit: 10 }); // JIT warm-up
    const scan: number[] = [];
    for (let pass = 0; pass < 2; pass++)
      for (const text of scanQueries) scan.push(await timed(() => scanner.search(text, { ...scope, limit: 10 })));
    const keyword: number[] = [];
    for (const text of scanQueries)
      keyword.push(await timed(() => scanner.search(text, { ...scope, limit: 10, mode: 'keyword' })));
    await scanner.close();

    const memory = await open({ path, embedder, quantize });
    await memory.search(queries[0]!, { ...scope, limit: 10 }); // the scope's load, outside the timings
    const e2e: number[] = [];
    const e2eVector: number[] = [];
    for (const [i, text] of queries.slice(si * 2 * q + q, si * 2 * q + 2 * q).entries()) {
      e2e.push(await timed(() => memory.search(text, { ...scope, limit: 10 })));
      // Another never-seen text: the same query again would hit the engine's cache.
      e2eVector.push(await timed(() => memory.search(`${text} ${i}`, { ...scope, limit: 10, mode: 'vector' })));
    }
    await memory.close();
    rows.push({
      size,
      persistPerSec: Math.round(((size - offset) / seedMs) * 1000),
      seedMs: Math.round(seedMs),
      firstSearchMs: Math.round(firstSearchMs),
      scan: latencies(scan),
      keyword: latencies(keyword),
      endToEnd: latencies(e2e),
      endToEndVector: latencies(e2eVector),
    });
  }
  return rows;
}

async function timed(call: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await call();
  return performance.now() - t;
}

function latencies(ms: number[]): Latencies {
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (p: number) => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]! * 100) / 100;
  return { p50: at(0.5), p95: at(0.95), n: sorted.length };
}
