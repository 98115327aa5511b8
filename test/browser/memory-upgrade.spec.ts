/**
 * Schema upgrade: a database written by version 1 (one record per memory, test/pages/v1-fixture.ts) opens with
 * the current code, which moves every memory into segments inside the upgrade transaction: nothing lost, search,
 * get, getAll, history, update and delete all work on the moved memories, and keyword search finds exactly what
 * vector search finds (the text index is derived from the moved texts). The page's one engine embeds the
 * fixture and serves both opens.
 */
import { test, expect } from '@playwright/test';

/* eslint-disable @typescript-eslint/no-explicit-any -- page.evaluate bodies run in the page, typed loosely here */
declare const window: { t: any };

test('a version 1 database is upgraded in place: every memory moved into segments, history kept', async ({ page }) => {
  await page.goto('/test/pages/memory.html');
  await expect(page.locator('#status')).toHaveText('ready');
  const out = await page.evaluate(async () => {
    const { t } = window;
    const engine = await t.engine();
    const texts = [
      'I drink coffee every morning',
      'I play tennis on Sundays',
      'My cat is called Miso',
      'The planner prefers short answers',
    ];
    const vectors: Float32Array[] = await engine.embedMany([...texts, 'I drink black tea every morning']);
    const { modelId, dimensions } = engine;
    await engine.close();
    const id = (n: number) => `00000000-0000-7000-8000-${String(n).padStart(12, '0')}`;
    const at = (n: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString();
    const rows: any[] = [
      {
        id: id(1),
        text: texts[0],
        userId: 'alice',
        metadata: { kind: 'habit' },
        createdAt: at(1),
        vector: vectors[4],
        history: [
          { previousValue: texts[0], newValue: 'I drink black tea every morning', event: 'UPDATE', createdAt: at(100) },
        ],
      },
      { id: id(2), text: texts[1], userId: 'alice', createdAt: at(2), vector: vectors[1] },
      // An int8 row (a database once opened with quantize: 'int8').
      {
        id: id(3),
        text: texts[2],
        userId: 'alice',
        runId: 'r1',
        createdAt: at(3),
        vector: { q: Int8Array.from(vectors[2]!, (x: number) => Math.round(x * 127)), scale: 1 / 127 },
      },
      { id: id(4), text: texts[3], agentId: 'planner', createdAt: at(4), vector: vectors[3] },
    ];
    // 1,200 more for one user: the move reads version 1 in pages of 1,000, so this crosses a page boundary.
    for (let n = 0; n < 1200; n++)
      rows.push({
        id: id(1000 + n),
        text: `bulk memory ${n}`,
        userId: 'bulk',
        createdAt: at(5),
        vector: vectors[n % 4],
      });
    await t.writeV1('upgrade', { modelId, dimensions }, rows);
    const before = await t.describeDb('upgrade');

    const memory = await t.openShared({ dbName: 'upgrade' });
    const after = await t.describeDb('upgrade');
    const counts = await t.rawCounts('upgrade');
    const tea = await memory.search('tea', { userId: 'alice' });
    const cat = await memory.search('what is my cat called', { userId: 'alice', runId: 'r1' });
    const planner = await memory.getAll({ agentId: 'planner' });
    const bulk = await memory.getAll({ userId: 'bulk', limit: 5000 });
    // The keyword index is derived from the moved texts: it finds exactly what vector search and getAll find.
    const ids = (r: { results: { id: string }[] }) => r.results.map((x) => x.id).sort();
    const bulkKeyword = ids(await memory.search('bulk memory', { userId: 'bulk', limit: 5000, mode: 'keyword' }));
    const bulkVector = ids(await memory.search('bulk memory', { userId: 'bulk', limit: 5000, mode: 'vector' }));
    const teaKeyword = (await memory.search('tea', { userId: 'alice', mode: 'keyword' })).results.map(
      (r: any) => r.memory,
    );
    const got = await memory.get(id(1));
    const historyUpdated = await memory.history(id(1));
    const historyPlain = await memory.history(id(2));
    await memory.update(id(2), 'I play tennis on Saturdays');
    await memory.delete(id(4));
    const historyAfterUpdate = await memory.history(id(2));
    const historyDeleted = await memory.history(id(4));
    const tennis = await memory.search('tennis', { userId: 'alice', limit: 1 });
    const keywordAfter = async (m: any, q: string, scope: object) =>
      (await m.search(q, { ...scope, mode: 'keyword' })).results.map((r: any) => r.memory);
    const saturdays = await keywordAfter(memory, 'saturdays', { userId: 'alice' });
    const sundays = await keywordAfter(memory, 'sundays', { userId: 'alice' });
    const plannerGone = await keywordAfter(memory, 'planner', { agentId: 'planner' });
    await memory.close();
    const reopened = await t.openShared({ dbName: 'upgrade' });
    const again = (await reopened.getAll({ userId: 'alice' })).results.map((r: any) => r.memory);
    const saturdaysReopened = await keywordAfter(reopened, 'saturdays', { userId: 'alice' });
    await reopened.close();
    const ev = (h: any[]) => h.map((r) => [r.event, r.previousValue, r.newValue]);
    return {
      before,
      after,
      counts,
      tea: tea.results[0]?.memory,
      teaCount: tea.results.length,
      cat: cat.results.map((r: any) => r.memory),
      planner: planner.results.map((r: any) => r.memory),
      bulk: bulk.results.length,
      bulkOrdered: bulk.results.every((r: any, i: number) => r.memory === `bulk memory ${i}`),
      bulkListed: ids(bulk),
      bulkKeyword,
      bulkVector,
      teaKeyword,
      saturdays,
      sundays,
      plannerGone,
      saturdaysReopened,
      got,
      historyUpdated: ev(historyUpdated),
      historyPlain: ev(historyPlain),
      historyAfterUpdate: ev(historyAfterUpdate),
      historyDeleted: ev(historyDeleted),
      tennis: tennis.results[0]?.memory,
      again,
    };
  });
  expect(out.before).toEqual({
    version: 1,
    stores: ['embeddings', 'history', 'memories', 'meta', 'pending', 'vectors'],
  });
  expect(out.after).toEqual({
    version: 3,
    stores: ['embeddings', 'history', 'meta', 'pending', 'segmentVectors', 'segments'],
  });
  // 1,204 memories in pages of 1,000: two segments; version 1's history rows (1,204 ADD + 1 UPDATE) kept.
  expect(out.counts).toMatchObject({ memories: 1204, vectors: 1204, segments: 2, history: 1205, pending: 0 });
  expect(out.tea).toBe('I drink black tea every morning');
  expect(out.teaCount).toBe(3);
  expect(out.cat).toEqual(['My cat is called Miso']);
  expect(out.planner).toEqual(['The planner prefers short answers']);
  expect(out.bulk).toBe(1200);
  expect(out.bulkOrdered).toBe(true);
  expect(out.bulkKeyword).toEqual(out.bulkListed);
  expect(out.bulkVector).toEqual(out.bulkListed);
  expect(out.teaKeyword).toEqual(['I drink black tea every morning']);
  expect(out.got).toMatchObject({
    memory: 'I drink black tea every morning',
    userId: 'alice',
    metadata: { kind: 'habit' },
    createdAt: '2026-01-01T00:00:01.000Z',
  });
  expect(out.historyUpdated).toEqual([
    ['ADD', null, 'I drink coffee every morning'],
    ['UPDATE', 'I drink coffee every morning', 'I drink black tea every morning'],
  ]);
  expect(out.historyPlain).toEqual([['ADD', null, 'I play tennis on Sundays']]);
  expect(out.historyAfterUpdate).toEqual([
    ['ADD', null, 'I play tennis on Sundays'],
    ['UPDATE', 'I play tennis on Sundays', 'I play tennis on Saturdays'],
  ]);
  expect(out.historyDeleted).toEqual([
    ['ADD', null, 'The planner prefers short answers'],
    ['DELETE', 'The planner prefers short answers', null],
  ]);
  expect(out.tennis).toBe('I play tennis on Saturdays');
  expect(out.saturdays).toEqual(['I play tennis on Saturdays']);
  expect(out.sundays).toEqual([]);
  expect(out.plannerGone).toEqual([]);
  expect(out.saturdaysReopened).toEqual(['I play tennis on Saturdays']);
  expect(out.again).toEqual(['I drink black tea every morning', 'I play tennis on Saturdays', 'My cat is called Miso']);
});

test('a version 2 database opens as it is: one-record vectors are read, and rewritten in parts', async ({ page }) => {
  await page.goto('/test/pages/memory.html');
  await expect(page.locator('#status')).toHaveText('ready');
  const out = await page.evaluate(async () => {
    const { t } = window;
    const engine = await t.engine();
    const texts = Array.from({ length: 1000 }, (_, n) => `bulk memory ${n}`);
    texts[600] = 'My sister plays the cello';
    texts[999] = 'The lighthouse keeper paints boats';
    const vectors: Float32Array[] = await engine.embedMany(texts);
    const { modelId, dimensions } = engine;
    await engine.close();
    const id = (n: number) => `00000000-0000-7000-8000-${String(n).padStart(12, '0')}`;
    const segmentId = '00000000-0000-7000-9000-000000000001';
    const createdAt = '2026-01-01T00:00:00.000Z';
    const rows = texts.map((text, n) => ({ id: id(n), text, userId: 'alice', createdAt, vector: vectors[n]! }));
    await t.writeV2('v2', { modelId, dimensions }, segmentId, rows);
    const before = await t.rawKeys('v2', 'segmentVectors');
    const vectorSearch = async (m: any, q: string) =>
      (await m.search(q, { userId: 'alice', limit: 1, mode: 'vector' })).results[0]?.memory;
    const memory = await t.openShared({ dbName: 'v2' });
    const version = (await t.describeDb('v2')).version;
    const lighthouse = await vectorSearch(memory, 'lighthouse boats');
    const cello = await vectorSearch(memory, 'cello');
    const all = (await memory.getAll({ userId: 'alice', limit: 5000 })).results.length;
    await memory.update(id(999), 'The lighthouse keeper paints ships');
    const afterUpdate = await t.rawKeys('v2', 'segmentVectors');
    await memory.delete(id(0));
    const afterDelete = await t.rawKeys('v2', 'segmentVectors');
    // Row 600 is now row 599, in the second part: the update rewrites that part only.
    await memory.update(id(600), 'My sister plays the violin');
    await memory.close();
    const reopened = await t.openShared({ dbName: 'v2' });
    const ships = await vectorSearch(reopened, 'ships');
    const violin = await vectorSearch(reopened, 'violin');
    const lighthouseAgain = await vectorSearch(reopened, 'lighthouse keeper');
    const left = (await reopened.getAll({ userId: 'alice', limit: 5000 })).results.length;
    await reopened.close();
    return {
      segmentId,
      dimensions,
      before,
      version,
      lighthouse,
      cello,
      all,
      afterUpdate,
      afterDelete,
      ships,
      violin,
      lighthouseAgain,
      left,
      counts: await t.rawCounts('v2'),
      after: await t.rawKeys('v2', 'segmentVectors'),
    };
  });
  expect(out.before).toEqual([out.segmentId]);
  expect(out.version).toBe(3);
  expect(out.lighthouse).toBe('The lighthouse keeper paints boats');
  expect(out.cello).toBe('My sister plays the cello');
  expect(out.all).toBe(1000);
  // An update rewrites the record that holds the row: here the whole version 2 record.
  expect(out.afterUpdate).toEqual([out.segmentId]);
  // A delete rewrites the segment: 999 fp32 vectors of 256 dimensions in parts of at most 512 KiB, 512 rows each.
  expect(out.dimensions).toBe(256);
  const parts = [out.segmentId, `${out.segmentId}.0001`];
  expect(out.afterDelete).toEqual(parts);
  expect(out.ships).toBe('The lighthouse keeper paints ships');
  expect(out.violin).toBe('My sister plays the violin');
  expect(out.lighthouseAgain).toBe('The lighthouse keeper paints ships');
  expect(out.left).toBe(999);
  expect(out.counts).toMatchObject({ memories: 999, vectors: 999, segments: 1 });
  expect(out.after).toEqual(parts);
});
