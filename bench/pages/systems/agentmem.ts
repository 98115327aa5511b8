/**
 * agentmem-web as users run it (Memory API), plus the two engine-level references built from the same parts:
 * - raw ceiling: the same workers (the agentmem-web Memory's own) fed ready-made full batches through
 *   `memory.embedder.embedMany`, no memory stored (the engine's cache entries are, as for any embedding);
 * - single session: one worker, one text per inference run, no cache, every add serialised behind a promise lock
 *   (the single-mutex design the project replaces).
 * Both agentmem-web (with a ceiling) and the single session also offer `embed()` on their engine, for E1.
 */
import { Embedder, Memory, type MemoryOptions, type TextEmbedder } from '../../../src/index.js';
import { PromiseLock, type BenchSystem } from './system.js';
import type { SystemSpec } from '../../lib/types.js';

const scope = { userId: 'bench' } as const;

/** Engine options for a spec: nothing for the defaults; explicit workers; coalescing off = one text per run. */
function engineOptions(spec: SystemSpec): MemoryOptions {
  if (spec.defaults) return { backend: spec.backend };
  return {
    backend: spec.backend,
    ...(spec.workers !== undefined ? { workers: spec.workers } : {}),
    ...(spec.coalescing === false ? { maxBatch: 1, maxWaitMs: 0 } : {}),
  };
}

function resolvedOf(stats: unknown, spec: SystemSpec): BenchSystem['resolved'] {
  const s = (stats ?? {}) as { workers?: unknown[] | number; backend?: string; variant?: string; embedder?: unknown };
  const e = (s.embedder ?? s) as {
    workers?: { backend?: string; variant?: string }[] | number;
    backend?: string;
    variant?: string;
  };
  const workers = Array.isArray(e.workers)
    ? e.workers.length
    : typeof e.workers === 'number'
      ? e.workers
      : spec.workers;
  const first = Array.isArray(e.workers) ? e.workers[0] : undefined;
  const backend = e.backend ?? first?.backend ?? spec.backend;
  const variant = e.variant ?? first?.variant;
  return {
    ...(workers !== undefined ? { workers } : {}),
    backend,
    ...(variant !== undefined ? { variant } : {}),
    coalescing: spec.coalescing ?? true,
  };
}

/** The engine statistics worth keeping in a result row: batch sizes, cache, inference count. */
function compact(stats: unknown): Record<string, unknown> {
  const s = stats as { embedder?: unknown; committed?: unknown; commitGroups?: unknown; largestGroup?: unknown };
  const e = (s.embedder ?? stats) as Record<string, unknown>;
  const workers = e['workers'] as { items?: number; batches?: number }[] | undefined;
  return {
    backend: e['backend'],
    variant: e['variant'],
    batches: e['batches'],
    inferences: e['inferences'],
    batchSizes: e['batchSizes'],
    targetBatch: e['targetBatch'],
    cache: e['cache'],
    perWorkerItems: workers?.map((w) => w.items),
    ...(s.embedder !== undefined
      ? { committed: s.committed, commitGroups: s.commitGroups, largestGroup: s.largestGroup }
      : {}),
  };
}

export async function createAgentmem(spec: SystemSpec, model: string, dbName: string): Promise<BenchSystem> {
  // Memory builds its own engine, as users run it (its cache writes share the adds' transactions). The raw ceiling
  // and E1 go through `memory.embedder`: the very workers the adds use, warmed up once, side by side.
  const open = async (): Promise<Memory> => await Memory.create({ dbName, model, ...engineOptions(spec) });
  let memory = await open();
  // Its own worker and database; idle (no CPU) while agentmem-web runs, and the other way round.
  const single = spec.single?.length
    ? await createSingleSession({ system: 'single-session', backend: spec.backend }, model, `${dbName}-single`)
    : undefined;
  return {
    resolved: resolvedOf(memory.stats(), spec),
    ...(single ? { single } : {}),
    ...(spec.ceiling
      ? {
          async ceiling(texts: string[]) {
            await memory.embedder.embedMany(texts);
          },
          async embed(text: string) {
            await memory.embedder.embed(text);
          },
        }
      : {}),
    async add(text) {
      await memory.add(text, scope);
    },
    async addMany(texts) {
      await memory.addMany(texts.map((text) => ({ text, ...scope })));
    },
    async seed(texts, vectors) {
      const how = await seedThroughMemory(memory, dbName, model, texts, vectors);
      memory = await open();
      return how;
    },
    stats: () => compact(memory.stats()),
    async search(query, limit) {
      return (await memory.search(query, { ...scope, limit })).results.length;
    },
    async prepareScan(queries) {
      for (const q of queries) await memory.search(q, { ...scope, limit: 10 });
    },
    async scan(query, _vector, limit) {
      // prepareScan searched this query once: its vector is in the embedding cache, so no inference here.
      return (await memory.search(query, { ...scope, limit })).results.length;
    },
    async scanVector(query, limit) {
      return (await memory.search(query, { ...scope, limit, mode: 'vector' })).results.length;
    },
    async close() {
      await memory.close();
      await single?.close();
    },
  };
}

/**
 * W4 seeding: a second Memory on the same database whose embedder returns seeded unit vectors (same model id and
 * dimensions), so 100k rows go through the real addMany/IndexedDB path without 100k inference runs. The caller then
 * reopens the database with the real engine for the timed searches.
 */
async function seedThroughMemory(
  memory: Memory,
  dbName: string,
  model: string,
  texts: string[],
  vectors: (i: number) => Float32Array,
): Promise<{ how: string; writeMs: number }> {
  const stats = memory.stats() as { modelId: string; dimensions: number };
  const index = new Map(texts.map((t, i) => [t, i]));
  const synthetic: TextEmbedder = {
    modelId: stats.modelId,
    dimensions: stats.dimensions,
    embed: async (text) => vectors(index.get(text) ?? 0),
    embedMany: async (batch) => batch.map((text) => vectors(index.get(text) ?? 0)),
    stats: () => ({}),
    close: async () => undefined,
  };
  await memory.close();
  const seeder = await Memory.create({ dbName, model, embedder: synthetic });
  const t0 = performance.now();
  for (let i = 0; i < texts.length; i += 5000)
    await seeder.addMany(texts.slice(i, i + 5000).map((text) => ({ text, ...scope })));
  const writeMs = performance.now() - t0;
  await seeder.close();
  return { how: 'Memory.addMany via a seeded-vector embedder (no inference), reopened with the real engine', writeMs };
}

export async function createSingleSession(spec: SystemSpec, model: string, dbName: string): Promise<BenchSystem> {
  // The engine built here and handed to Memory (what Memory.create({ model, ...these options }) builds itself), so E1
  // can call the same session's embed() behind the same lock.
  const embedder = await Embedder.create({
    model,
    backend: spec.backend,
    workers: 1,
    maxBatch: 1,
    maxWaitMs: 0,
    cache: false,
  });
  const memory = await Memory.create({ dbName, embedder });
  const lock = new PromiseLock();
  return {
    resolved: { ...resolvedOf(memory.stats(), spec), workers: 1, coalescing: false },
    async add(text) {
      await lock.run(() => memory.add(text, scope));
    },
    async embed(text) {
      await lock.run(() => embedder.embed(text));
    },
    async addMany(texts) {
      await lock.run(() => memory.addMany(texts.map((text) => ({ text, ...scope }))));
    },
    stats: () => compact(memory.stats()),
    async close() {
      await memory.close();
      await embedder.close();
    },
  };
}
