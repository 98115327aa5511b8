/**
 * `cache.maxEntries` in real Chromium: a Memory's embedding cache (its own IndexedDB store) and a standalone
 * embedder's (IdbEmbeddingCache) stay within the bound however many distinct texts are embedded, and what the
 * bound evicts only costs an inference: adds, searches and vectors are what they are without it.
 */
import { expect, test } from '@playwright/test';
import { onMemoryPage } from './memory-page.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- page.evaluate bodies run in the page, typed loosely here */
declare const window: { t: any };

onMemoryPage();

test('a Memory keeps its IndexedDB embedding cache within cache.maxEntries; adds and searches are unaffected', async ({
  page,
}) => {
  const out = await page.evaluate(async () => {
    const { t } = window;
    const topics = ['coffee', 'tennis', 'Lisbon', 'the quarterly report', 'window seats', 'green tea', 'jazz'];
    const texts = Array.from({ length: 40 }, (_, i) => `Note ${i}: the user mentioned ${topics[i % 7]} on day ${i}`);
    const queries = ['what does the user drink?', 'travel plans in Portugal', 'music', 'day 17'];
    const run = async (dbName: string, cache: unknown) => {
      await t.rawDelete(dbName);
      const memory = await t.open({ dbName, cache });
      let added = 0;
      for (const text of texts.slice(0, 8)) added += (await memory.add(text, { userId: 'u' })).results.length;
      for (let i = 8; i < texts.length; i += 16) {
        const batch = texts.slice(i, i + 16).map((text: string) => ({ text, userId: 'u' }));
        added += (await memory.addMany(batch)).results.length;
      }
      const found: string[][] = [];
      for (const query of [...queries, ...queries]) {
        const { results } = await memory.search(query, { userId: 'u', limit: 5 });
        found.push(results.map((r: any) => `${r.memory} ${r.score.toFixed(6)}`));
      }
      const stats = memory.stats().embedder;
      await memory.close();
      return {
        added,
        found,
        inferences: stats.inferences,
        persistentErrors: stats.cache.persistentErrors,
        cached: (await t.rawKeys(dbName, 'embeddings')).length,
        memories: (await t.rawMemories(dbName)).length,
      };
    };
    return { bounded: await run('cache-bound', { maxEntries: 12 }), uncached: await run('cache-bound-off', false) };
  });
  expect(out.bounded.added).toBe(40);
  expect(out.bounded.memories).toBe(40);
  expect(out.bounded.found).toEqual(out.uncached.found);
  expect(out.bounded.found[0]).toHaveLength(5);
  expect(out.bounded.inferences).toBeGreaterThan(40); // far more distinct texts than the bound
  expect(out.bounded.persistentErrors).toBe(0);
  expect(out.bounded.cached).toBeGreaterThan(0);
  expect(out.bounded.cached).toBeLessThanOrEqual(12);
  expect(out.uncached.cached).toBe(0);
});

test('a standalone embedder keeps its own database within cache.maxEntries; kept texts hit, evicted ones re-embed the same', async ({
  page,
}) => {
  const out = await page.evaluate(async () => {
    const { t } = window;
    const { Embedder, IdbEmbeddingCache, embeddingCacheKey } = t.lib;
    const name = 'cache-bound-embeddings';
    await t.rawDelete(name);
    const texts = Array.from({ length: 30 }, (_, i) => `standalone text number ${i} about ${i % 2 ? 'tea' : 'trains'}`);
    const session = async (maxEntries: number) => {
      const persistentCache = new IdbEmbeddingCache(name);
      const embedder = await Embedder.create({
        model: '/models/lexical',
        backend: 'wasm',
        workers: 1,
        persistentCache,
        cache: { memoryEntries: 0, maxEntries },
      });
      const vectors: number[][] = [];
      for (const text of texts.slice(0, 6)) vectors.push(Array.from(await embedder.embed(text)));
      for (const v of await embedder.embedMany(texts.slice(6))) vectors.push(Array.from(v));
      const stats = embedder.stats();
      const modelId = embedder.modelId;
      await embedder.close();
      await persistentCache.close();
      return { vectors, stats, modelId, stored: await t.rawKeys(name, 'vectors') };
    };
    const first = await session(10);
    // Room for every text: no eviction can take a kept entry before it is read.
    const second = await session(1000);
    const keys = await Promise.all(texts.map((text) => embeddingCacheKey(first.modelId, text)));
    return {
      storedFirst: first.stored.length,
      storedSecond: second.stored.length,
      keptBetween: keys.filter((k) => first.stored.includes(k)).length,
      persistentHits: second.stats.cache.persistentHits,
      inferences: [first.stats.inferences, second.stats.inferences],
      errors: [first.stats.cache.persistentErrors, second.stats.cache.persistentErrors],
      largestDifference: Math.max(
        ...first.vectors.flatMap((v, i) => v.map((x, j) => Math.abs(x - second.vectors[i]![j]!))),
      ),
    };
  });
  expect(out.storedFirst).toBeGreaterThan(0);
  expect(out.storedFirst).toBeLessThanOrEqual(10);
  expect(out.storedSecond).toBe(30);
  // What the first session left is read back (a hit each); everything else is embedded again.
  expect(out.keptBetween).toBe(out.storedFirst);
  expect(out.persistentHits).toBe(out.keptBetween);
  expect(out.inferences).toEqual([30, 30 - out.keptBetween]);
  expect(out.errors).toEqual([0, 0]);
  expect(out.largestDifference).toBeLessThan(1e-6);
});
