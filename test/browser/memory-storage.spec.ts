/**
 * IndexedDB failures reaching callers as StorageError, in real Chromium:
 * - a real QuotaExceededError, from a quota lowered through the DevTools protocol (Storage.overrideQuotaForOrigin);
 * - a connection closed underneath the instance (another party deletes the database).
 */
import { test, expect, type Page } from '@playwright/test';

/* eslint-disable @typescript-eslint/no-explicit-any -- page.evaluate bodies run in the page, typed loosely here */
declare const window: { t: any };

async function ready(page: Page): Promise<void> {
  await page.goto('/test/pages/memory.html');
  await expect(page.locator('#status')).toHaveText('ready');
}

test('QuotaExceededError: the failing add gets StorageError, the others commit, the database stays consistent', async ({ page, context }) => {
  await ready(page);
  const usage = await page.evaluate(async () => {
    window.t.memory = await window.t.open({ dbName: 'quota', persistentCache: false });
    await window.t.memory.add('small memory before', { userId: 'alice' });
    return (await navigator.storage.estimate()).usage as number;
  });
  const cdp = await context.newCDPSession(page);
  const origin = new URL(page.url()).origin;
  // Room for small writes, none for a 4 MB text.
  await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: usage + 1024 * 1024 });
  const out = await page.evaluate(async () => {
    const { t } = window;
    const memory = t.memory;
    const quota = (await navigator.storage.estimate()).quota;
    const big = await t.thrown(() => memory.add('x'.repeat(4 * 1024 * 1024), { userId: 'alice' }));
    const after = await t.thrown(() => memory.add('small memory after', { userId: 'alice' }));
    const all = await memory.getAll({ userId: 'alice' });
    const search = await memory.search('small memory', { userId: 'alice' });
    const counts = await t.rawCounts('quota');
    await memory.close();
    return { quota, big, after, all: all.results.map((r: any) => r.memory), search: search.results.length, counts };
  });
  await cdp.send('Storage.overrideQuotaForOrigin', { origin });
  console.log(`quota test: quota ${out.quota} B, error: ${out.big?.message}`);
  expect(out.big).toMatchObject({ name: 'StorageError', isAgentMem: true, cause: 'QuotaExceededError' });
  expect(out.after).toBeNull();
  expect(out.all).toEqual(['small memory before', 'small memory after']);
  expect(out.search).toBe(2);
  expect(out.counts).toMatchObject({ memories: 2, vectors: 2, history: 2, pending: 0 });
});

test('a connection closed underneath: StorageError, and a new instance works on the recreated database', async ({ page }) => {
  await ready(page);
  const out = await page.evaluate(async () => {
    const { t } = window;
    const memory = await t.open({ dbName: 'yanked' });
    await memory.add('before the database was deleted', { userId: 'alice' });
    // Another party deletes the database: our connection gets `versionchange`, steps aside, and the delete goes through.
    const deletion = await t.rawDelete('yanked');
    const add = await t.thrown(() => memory.add('after', { userId: 'alice' }));
    const get = await t.thrown(() => memory.getAll({ userId: 'alice' }));
    await memory.close();
    const fresh = await t.open({ dbName: 'yanked' });
    const empty = (await fresh.getAll({ userId: 'alice' })).results.length;
    await fresh.add('a new start', { userId: 'alice' });
    const found = (await fresh.search('new start', { userId: 'alice' })).results.map((r: any) => r.memory);
    await fresh.close();
    return { deletion, add, get, empty, found };
  });
  expect(out.deletion).toBe('deleted');
  expect(out.add).toMatchObject({ name: 'StorageError', isAgentMem: true, cause: 'InvalidStateError' });
  expect(out.get).toMatchObject({ name: 'StorageError', isAgentMem: true, cause: 'InvalidStateError' });
  expect(out.empty).toBe(0);
  expect(out.found).toEqual(['a new start']);
});
