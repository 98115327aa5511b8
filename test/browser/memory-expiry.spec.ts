/**
 * Expiry in real Chromium (real engine, real IndexedDB, real tabs): expired memories are hidden from search() and
 * getAll() (unless showExpired), kept by default as Mem0 keeps them, purged in the background with
 * `purgeExpired: true`; dates survive a crash replay and changes reach other tabs. The tests share one page, and
 * their Memories its engine (an engine start costs ~3 s); a reload or another tab is still a page of its own.
 */
import { expect } from '@playwright/test';
import { ready } from './memory-page.js';
import { onSharedPage } from './shared-page.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- page.evaluate bodies run in the page, typed loosely here */
declare const window: { t: any };

const test = onSharedPage('/test/pages/memory.html');

test('expired memories: hidden from search and getAll, shown with showExpired, kept, returned by get(); update sets and clears', async ({
  page,
}) => {
  const out = await page.evaluate(async () => {
    const { t } = window;
    const memory = await t.openShared({ dbName: 'expiry' });
    const add = async (text: string, expirationDate?: unknown) =>
      (await memory.add(text, { userId: 'alice', ...(expirationDate === undefined ? {} : { expirationDate }) }))
        .results[0].id;
    const past = await add('note: the trial ended in 2001', '2001-01-01');
    const future = await add('note: the passport is valid until 2999', '2999-12-31');
    const plain = await add('note: the cat is called Miso');
    // An instant a few seconds ahead, added last so the first reads below happen before it passes.
    const soonAt = new Date(Date.now() + 4000);
    const soon = await add('note: the parking permit runs out soon', soonAt);
    const read = async (options: Record<string, unknown> = {}) => ({
      search: (await memory.search('note', { userId: 'alice', ...options })).results.map((r: any) => r.id).sort(),
      getAll: (await memory.getAll({ filters: { user_id: 'alice' }, ...options })).results.map((r: any) => r.id).sort(),
    });
    const before = await read();
    // The expired memory matches this query best: the one result is the best visible one, not none.
    const topOne = (await memory.search('the trial ended in 2001', { userId: 'alice', limit: 1 })).results;
    const shown = await read({ showExpired: true });
    const got = await memory.get(past);
    const soonItem = await memory.get(soon);
    while (Date.now() <= soonAt.getTime()) await new Promise((r) => setTimeout(r, 100));
    const afterSoon = await read();
    const cleared = await memory.update(past, { expirationDate: null });
    const expiredNow = await memory.update(plain, { expirationDate: '2020-02-29' });
    const afterUpdates = await read();
    const errors = {
      addWord: await t.thrown(() => memory.add('x', { userId: 'alice', expirationDate: 'tomorrow' })),
      addNoZone: await t.thrown(() => memory.add('x', { userId: 'alice', expirationDate: '2030-01-31T10:00' })),
      addManyDay: await t.thrown(() => memory.addMany([{ text: 'x', userId: 'alice', expirationDate: '2030-02-30' }])),
      updateNumber: await t.thrown(() => memory.update(future, { expirationDate: 1_900_000_000_000 })),
      showExpired: await t.thrown(() => memory.search('x', { userId: 'alice', showExpired: 'yes' })),
    };
    const stored = (await t.rawMemories('expiry')) as { id: string; expirationDate?: string }[];
    const history = await memory.history(soon);
    await memory.close();
    return {
      ids: { past, future, plain, soon },
      topOne: topOne.map((r: any) => r.id),
      before,
      shown,
      got,
      soonItem,
      soonIso: soonAt.toISOString(),
      afterSoon,
      cleared,
      expiredNow,
      afterUpdates,
      errors,
      stored: stored.map((m) => [m.id, m.expirationDate ?? null]),
      history: history.map((h: any) => h.event),
    };
  });
  const { past, future, plain, soon } = out.ids;
  const sorted = (...ids: string[]) => ids.sort();
  expect(out.before).toEqual({ search: sorted(future, plain, soon), getAll: sorted(future, plain, soon) });
  expect(out.topOne).toHaveLength(1);
  expect([future, plain, soon]).toContain(out.topOne[0]);
  expect(out.shown).toEqual({ search: sorted(past, future, plain, soon), getAll: sorted(past, future, plain, soon) });
  expect(out.got).toMatchObject({ id: past, expirationDate: '2001-01-01' }); // get() returns it, as in Mem0
  expect(out.soonItem.expirationDate).toBe(out.soonIso); // a Date comes back as its ISO string
  expect(out.afterSoon).toEqual({ search: sorted(future, plain), getAll: sorted(future, plain) });
  expect(out.cleared.expirationDate).toBeUndefined(); // null cleared it: visible again
  expect(out.expiredNow.expirationDate).toBe('2020-02-29');
  expect(out.afterUpdates).toEqual({ search: sorted(past, future), getAll: sorted(past, future) });
  for (const [name, error] of Object.entries(out.errors)) {
    expect(error, name).toMatchObject({ name: 'ValidationError', isAgentMem: true });
  }
  expect(out.errors.addManyDay.message).toContain('`items[0].expirationDate`');
  // Hidden, not deleted (Mem0's behaviour without purgeExpired): all four on disk, no DELETE row.
  expect(out.stored.sort()).toEqual(
    [
      [past, null],
      [future, '2999-12-31'],
      [plain, '2020-02-29'],
      [soon, out.soonIso],
    ].sort(),
  );
  expect(out.history).toEqual(['ADD']);
});

test('a crash with adds in flight: the replay commits them with their expiration dates', async ({ page }) => {
  const before = await page.evaluate(async () => {
    const { t } = window;
    const engine = await t.engine();
    const memory = await t.open({ dbName: 'expiry-crash', embedder: t.holdTexts(engine, 'held') });
    await memory.add('the office closes at six', { userId: 'alice', expirationDate: '2001-01-01' });
    void memory.add('held: the trial ended', { userId: 'alice', expirationDate: '2001-01-01' }).catch(() => 0);
    void memory
      .addMany([{ text: 'held: the plan renews in 2999', userId: 'alice', expirationDate: '2999-12-31T12:00:00Z' }])
      .catch(() => 0);
    for (;;) {
      const batches = (await t.rawAll('expiry-crash', 'pending')) as { items: { expirationDate?: string }[] }[];
      if (batches.length === 2) return batches.flatMap((b) => b.items.map((i) => i.expirationDate)).sort();
      await new Promise((r) => setTimeout(r, 10));
    }
  });
  expect(before).toEqual(['2001-01-01', '2999-12-31T12:00:00.000Z']);
  await ready(page); // the page goes away with both adds unresolved
  const after = await page.evaluate(async () => {
    const { t } = window;
    const memory = await t.openShared({ dbName: 'expiry-crash' });
    const replayed = memory.stats().replayed;
    const visible = await memory.getAll({ userId: 'alice' });
    const found = await memory.search('held trial plan', { userId: 'alice' });
    const all = await memory.getAll({ userId: 'alice', showExpired: true });
    const counts = await t.rawCounts('expiry-crash');
    await memory.close();
    const pairs = (r: any) => r.results.map((x: any) => [x.memory, x.expirationDate ?? null]);
    return { replayed, visible: pairs(visible), found: pairs(found), all: pairs(all), counts };
  });
  expect(after.replayed).toBe(2);
  expect(after.visible).toEqual([['held: the plan renews in 2999', '2999-12-31T12:00:00.000Z']]);
  expect(after.found).toEqual(after.visible);
  expect(after.all.sort()).toEqual(
    [
      ['the office closes at six', '2001-01-01'],
      ['held: the trial ended', '2001-01-01'],
      ['held: the plan renews in 2999', '2999-12-31T12:00:00.000Z'],
    ].sort(),
  );
  expect(after.counts).toMatchObject({ memories: 3, vectors: 3, pending: 0 });
});

test('another tab hides a memory once this tab sets its date; purgeExpired deletes it in the background, everywhere', async ({
  page,
  context,
}) => {
  const ids = await page.evaluate(async () => {
    const { t } = window;
    t.memory = await t.openShared({ dbName: 'expiry-tabs', purgeExpired: true });
    const { results } = await t.memory.addMany([
      { text: 'note: water the plants', userId: 'alice' },
      { text: 'note: the trial ended', userId: 'alice', expirationDate: '2001-01-01' },
      { text: 'note: the lease ends in 2999', userId: 'alice', expirationDate: '2999-01-01' },
    ]);
    return results.map((r: any) => r.id);
  });
  const [plants, trial, lease] = ids;
  // Tab 2 (no purge) holds alice's scope in its index, expired memory included.
  const second = await context.newPage();
  await ready(second);
  const seen = (options: Record<string, unknown> = {}) =>
    second.evaluate(
      async (options) =>
        (await window.t.memory.search('note', { userId: 'alice', ...options })).results.map((r: any) => r.id).sort(),
      options,
    );
  await second.evaluate(async () => {
    window.t.memory = await window.t.openShared({ dbName: 'expiry-tabs' });
  });
  expect(await seen({ showExpired: true })).toEqual([plants, trial, lease].sort());
  expect(await seen()).toEqual([plants, lease].sort());

  // A date set in tab 1 reaches tab 2's index: the memory is hidden there too.
  await page.evaluate(async (id) => window.t.memory.update(id, { expirationDate: '2001-06-01' }), lease);
  await expect.poll(() => seen()).toEqual([plants]);

  // A search that shows expired memories purges nothing.
  const shown = await page.evaluate(async () => {
    const { t } = window;
    const results = (await t.memory.search('note', { userId: 'alice', showExpired: true })).results.length;
    await new Promise((r) => setTimeout(r, 300));
    return { results, stored: (await t.rawMemories('expiry-tabs')).length };
  });
  expect(shown).toEqual({ results: 3, stored: 3 });

  // A plain search answers at once and purges in the background: DELETE rows, gone from disk and from tab 2.
  const answered = await page.evaluate(async () =>
    (await window.t.memory.search('note', { userId: 'alice' })).results.map((r: any) => r.memory),
  );
  expect(answered).toEqual(['note: water the plants']);
  await expect
    .poll(() => page.evaluate(async () => (await window.t.rawMemories('expiry-tabs')).map((m: any) => m.id)))
    .toEqual([plants]);
  const history = await page.evaluate(async (id) => window.t.memory.history(id), trial);
  expect(history.map((h: any) => [h.event, h.isDeleted])).toEqual([
    ['ADD', false],
    ['DELETE', true],
  ]);
  await expect.poll(() => seen({ showExpired: true })).toEqual([plants]);
  const gone = await second.evaluate(async (id) => window.t.memory.get(id), trial);
  expect(gone).toBeNull();
  await second.evaluate(async () => window.t.memory.close());
  await page.evaluate(async () => window.t.memory.close());
});
