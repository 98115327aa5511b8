/**
 * The keyword half of search stays in step with the vector half: after adds, updates, deletes, a reload, a crash
 * replay and in another tab, a memory is found by keyword exactly when it is found by vector. Real engine (lexical
 * model, WASM), real IndexedDB. The tests share one page, and their Memories its engine (an engine start costs
 * ~3 s); a reload or another tab is still a page of its own.
 */
import { expect, type Page } from '@playwright/test';
import { ready } from './memory-page.js';
import { onSharedPage } from './shared-page.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- page.evaluate bodies run in the page, typed loosely here */
declare const window: { t: any };

/** Ids found by keyword, by vector and listed, for alice (every text holds the word "note"). */
function sides(page: Page) {
  return page.evaluate(async () => {
    const memory = window.t.memory;
    const ids = (r: { results: { id: string }[] }) => r.results.map((x) => x.id).sort();
    return {
      keyword: ids(await memory.search('note', { userId: 'alice', limit: 1000, mode: 'keyword' })),
      vector: ids(await memory.search('note', { userId: 'alice', limit: 1000, mode: 'vector' })),
      listed: ids(await memory.getAll({ userId: 'alice', limit: 1000 })),
    };
  });
}

async function expectInStep(page: Page, count: number): Promise<void> {
  const { keyword, vector, listed } = await sides(page);
  expect(listed.length).toBe(count);
  expect(keyword).toEqual(listed);
  expect(vector).toEqual(listed);
}

/** The keyword hits for `query` as [memory, keyword part] pairs, best first. */
function keywordHits(page: Page, query: string) {
  return page.evaluate(async (query) => {
    const { results } = await window.t.memory.search(query, { userId: 'alice', mode: 'keyword', explain: true });
    return results.map((r: any) => [r.memory, r.explain.keyword]);
  }, query);
}

const test = onSharedPage('/test/pages/memory.html');

test('keyword and vector search find the same memories through every change, a reload and another tab', async ({
  page,
  context,
}) => {
  const ids: string[] = await page.evaluate(async () => {
    const { t } = window;
    t.memory = await t.openShared({ dbName: 'kw' });
    const memory = t.memory;
    await memory.add('note: I drink coffee every morning', { userId: 'alice' });
    await memory.add(
      [
        { role: 'user', content: 'note: which city hosts the conference?' },
        { role: 'assistant', content: 'note: Lisbon, the week of the 14th' },
      ],
      { userId: 'alice' },
    );
    const { results } = await memory.addMany([
      { text: 'note: the dentist moved to Thursday', userId: 'alice' },
      { text: 'note: buy oat milk', userId: 'alice', metadata: { list: 'shopping' } },
      { text: 'note: the planner books trains', userId: 'alice', agentId: 'planner' },
      { text: 'note: call grandma on Sunday', userId: 'alice' },
    ]);
    return results.map((r: any) => r.id);
  });
  await expectInStep(page, 7);
  // The reply is its own text, found by the question it answers (its context), below the question itself.
  expect(await keywordHits(page, 'conference city')).toEqual([
    ['note: which city hosts the conference?', 1],
    ['note: Lisbon, the week of the 14th', expect.any(Number)],
  ]);

  await page.evaluate(async (ids) => {
    const { memory } = window.t;
    await memory.update(ids[0], 'note: the dentist moved to Friday');
    await memory.update(ids[1], { metadata: { list: 'errands' } });
    await memory.delete(ids[3]);
    await memory.deleteAll({ userId: 'alice', agentId: 'planner' });
  }, ids);
  await expectInStep(page, 5);
  expect(await keywordHits(page, 'Thursday')).toEqual([]);
  expect((await keywordHits(page, 'friday')).map((h: any) => h[0])).toEqual(['note: the dentist moved to Friday']);
  expect(await keywordHits(page, 'grandma')).toEqual([]);

  // A fresh page reads everything back, the conversation context included.
  await page.evaluate(async () => window.t.memory.close());
  await ready(page);
  await page.evaluate(async () => {
    window.t.memory = await window.t.openShared({ dbName: 'kw' });
  });
  await expectInStep(page, 5);
  expect((await keywordHits(page, 'conference')).map((h: any) => h[0])).toContain('note: Lisbon, the week of the 14th');

  // Another tab holding alice's scope follows this tab's adds and deletes.
  const second = await context.newPage();
  await ready(second);
  await second.evaluate(async () => {
    window.t.memory = await window.t.openShared({ dbName: 'kw' });
  });
  await expectInStep(second, 5);
  await page.evaluate(async (ids) => {
    const { memory } = window.t;
    await memory.add('note: a parcel from tab one', { userId: 'alice' });
    await memory.delete(ids[1]);
  }, ids);
  await expect.poll(async () => (await keywordHits(second, 'parcel')).length).toBe(1);
  await expectInStep(second, 5);
  await expect
    .poll(async () => (await keywordHits(second, 'parcel')).map((h: any) => h[0]))
    .toEqual(['note: a parcel from tab one']);
  expect(await keywordHits(second, 'oat milk')).toEqual([]);
  await second.evaluate(async () => window.t.memory.close());
  await page.evaluate(async () => window.t.memory.reset());
  await expectInStep(page, 0);
  await page.evaluate(async () => window.t.memory.close());
});

test('a conversation replayed after a crash is found by keyword with its context', async ({ page }) => {
  await page.evaluate(async () => {
    const { t } = window;
    const engine = await t.engine();
    const memory = await t.openShared({ dbName: 'kw-crash', embedder: t.holdAfter(engine, 0) });
    void memory
      .add(
        [
          { role: 'user', content: 'note: which city hosts the conference?' },
          { role: 'assistant', content: 'note: Lisbon, the week of the 14th' },
        ],
        { userId: 'alice' },
      )
      .catch(() => undefined);
    while ((await t.rawAll('kw-crash', 'pending')).length === 0) await new Promise((r) => setTimeout(r, 10));
  });
  await ready(page); // gone with the add in flight
  await page.evaluate(async () => {
    window.t.memory = await window.t.openShared({ dbName: 'kw-crash' });
  });
  expect(await page.evaluate(() => window.t.memory.stats().replayed)).toBe(2);
  await expectInStep(page, 2);
  expect((await keywordHits(page, 'conference')).map((h: any) => h[0])).toEqual([
    'note: which city hosts the conference?',
    'note: Lisbon, the week of the 14th',
  ]);
  await page.evaluate(async () => window.t.memory.close());
});
