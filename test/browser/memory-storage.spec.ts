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
  const cdp = await context.newCDPSession(page);
  const origin = new URL(page.url()).origin;
  // Chromium applies a quota override only if it is set before the origin first touches storage (checked on
  // Chromium 156), so: a fixed 24 MB before anything is opened. navigator.storage.estimate() does not show it.
  await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: 24 * 1024 * 1024 });
  const out = await page.evaluate(async () => {
    const { t } = window;
    const memory = await t.open({ dbName: 'quota', persistentCache: false });
    await memory.add('small memory before', { userId: 'alice' });
    // Seeded random letters: Chromium compresses IndexedDB values, so a repeated character would always fit.
    let seed = 12345;
    const bigText = (n: number) =>
      Array.from({ length: 4 * 1024 * 1024 }, () => {
        seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
        return String.fromCharCode(97 + ((seed >>> 16) % 26));
      }).join('') + ` ${n}`;
    const attempts: { ok: boolean; error?: any }[] = [];
    for (let n = 0; n < 8; n++) {
      const error = await t.thrown(() => memory.add(bigText(n), { userId: 'alice', metadata: { big: n } }));
      attempts.push(error ? { ok: false, error } : { ok: true });
      if (error) break;
    }
    const after = await t.thrown(() => memory.add('small memory after', { userId: 'alice' }));
    const all = await memory.getAll({ userId: 'alice' });
    const search = await memory.search('small memory', { userId: 'alice' });
    const counts = await t.rawCounts('quota');
    await memory.close();
    return { attempts, after, all: all.results.map((r: any) => (r.memory.length > 100 ? `big ${r.metadata.big}` : r.memory)), search: search.results.length, counts };
  });
  await cdp.send('Storage.overrideQuotaForOrigin', { origin });
  const failed = out.attempts.at(-1)!;
  const committed = out.attempts.filter((a) => a.ok).length;
  console.log(`quota test: ${committed} big adds committed, then: ${failed.error?.message}`);
  expect(failed.ok).toBe(false);
  expect(failed.error).toMatchObject({ name: 'StorageError', isAgentMem: true, cause: 'QuotaExceededError' });
  expect(out.after).toBeNull();
  const bigs = Array.from({ length: committed }, (_, i) => `big ${i}`);
  expect(out.all).toEqual(['small memory before', ...bigs, 'small memory after']);
  expect(out.search).toBe(committed + 2);
  expect(out.counts).toMatchObject({ memories: committed + 2, vectors: committed + 2, history: committed + 2, pending: 0 });
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
