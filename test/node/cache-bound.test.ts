/**
 * `cache.maxEntries` on a Memory over a real libSQL file, from the built package: the embedding cache in the file
 * stays within the bound however many distinct texts are embedded, entries an earlier session left (a former
 * model's) are trimmed too, and adds and searches give what a Memory without a persistent cache gives.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createClient } from '@libsql/client';
import { afterAll, describe, expect, it } from 'vitest';
import { MODELS, hooks, lib } from './built.js';

const { Memory } = lib;
type Memory = import('../../src/node.js').Memory;
type EmbedderStats = import('../../src/node.js').EmbedderStats;
type CacheSetting = NonNullable<import('../../src/node.js').MemoryOptions['cache']>;

const dir = mkdtempSync(join(tmpdir(), 'agentmem-cache-bound-'));
afterAll(async () => {
  await hooks.threadsStopped();
  rmSync(dir, { recursive: true, force: true });
});

const model = resolve(MODELS, 'lexical');
const topics = ['coffee', 'tennis', 'Lisbon', 'the quarterly report', 'window seats', 'green tea', 'jazz', 'hiking'];
const texts = Array.from(
  { length: 72 },
  (_, i) => `Note ${i}: the user mentioned ${topics[i % topics.length]} on day ${i}`,
);
const queries = ['what does the user drink?', 'travel plans in Portugal', 'music', 'day 17', 'report'];

function open(path: string, cache: CacheSetting): Promise<Memory> {
  return Memory.create({ path, model, workers: 1, cache });
}

/** Rows of the file's embedding cache (opened after the Memory closed: it holds the file's lock while open). */
async function cacheKeys(path: string): Promise<string[]> {
  const client = createClient({ url: `file:${path}` });
  try {
    return (await client.execute('SELECT key FROM embeddings')).rows.map((row) => row['key'] as string);
  } finally {
    client.close();
  }
}

/** Adds every text (single adds and addMany, as an app mixes them), then runs the queries. */
async function fill(memory: Memory): Promise<{ added: number; found: string[][] }> {
  let added = 0;
  for (const text of texts.slice(0, 12)) added += (await memory.add(text, { userId: 'u' })).results.length;
  for (let i = 12; i < texts.length; i += 20) {
    const batch = texts.slice(i, i + 20).map((text) => ({ text, userId: 'u' }));
    added += (await memory.addMany(batch)).results.length;
  }
  const found: string[][] = [];
  for (const query of [...queries, ...queries]) {
    const { results } = await memory.search(query, { userId: 'u', limit: 5 });
    found.push(results.map((r) => `${r.memory} ${r.score.toFixed(6)}`));
  }
  return { added, found };
}

describe('cache.maxEntries over a libSQL file', () => {
  it('keeps the embedding cache at or under the bound while adds and searches give what they give uncached', async () => {
    const bounded = join(dir, 'bounded.db');
    const memory = await open(bounded, { maxEntries: 20 });
    const got = await fill(memory);
    const stats = memory.stats().embedder as EmbedderStats;
    await memory.close();

    const reference = await open(join(dir, 'uncached.db'), false);
    const expected = await fill(reference);
    await reference.close();

    expect(got.added).toBe(texts.length);
    expect(got.found).toEqual(expected.found);
    expect(got.found[0]!.length).toBe(5);
    // 72 texts and 5 queries embedded, 5 queries asked again: far more distinct texts than the bound.
    expect(stats.inferences).toBeGreaterThan(40);
    expect(stats.cache.persistentErrors).toBe(0);
    const keys = await cacheKeys(bounded);
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.length).toBeLessThanOrEqual(20);
  });

  it('trims what an earlier session left, a former model’s entries included, once it lists them', async () => {
    const path = join(dir, 'orphans.db');
    const first = await open(path, true);
    await first.add('I drink coffee every morning', { userId: 'u' });
    await first.close();
    // 200 entries of a model this file no longer uses: keys no text of ours hashes to.
    const client = createClient({ url: `file:${path}` });
    const orphans = Array.from({ length: 200 }, (_, i) => i.toString(16).padStart(4, '0').repeat(16));
    await client.batch(
      orphans.map((key) => ({
        sql: 'INSERT INTO embeddings (key, vector) VALUES (?, ?)',
        args: [key, new Uint8Array(8)],
      })),
    );
    client.close();
    expect(await cacheKeys(path)).toHaveLength(201);

    const memory = await open(path, { maxEntries: 30 });
    const { results } = await memory.search('coffee in the morning', { userId: 'u' });
    expect(results.map((r) => r.memory)).toEqual(['I drink coffee every morning']);
    await memory.add('I play tennis on Sundays', { userId: 'u' });
    await memory.close();
    const keys = await cacheKeys(path);
    expect(keys.length).toBeLessThanOrEqual(30);
  });

  it('with maxEntries 0 writes no cache entries and deletes those left', async () => {
    const path = join(dir, 'zero.db');
    const first = await open(path, true);
    await first.addMany(texts.slice(0, 10).map((text) => ({ text, userId: 'u' })));
    await first.close();
    expect((await cacheKeys(path)).length).toBe(10);

    const memory = await open(path, { maxEntries: 0 });
    await memory.add('I play tennis on Sundays', { userId: 'u' });
    const { results } = await memory.search('tennis', { userId: 'u', limit: 1 });
    expect(results.map((r) => r.memory)).toEqual(['I play tennis on Sundays']);
    await memory.close();
    expect(await cacheKeys(path)).toEqual([]);
  });
});
