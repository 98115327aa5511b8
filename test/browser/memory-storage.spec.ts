/**
 * IndexedDB failures reaching callers as StorageError, in real Chromium:
 * - a real QuotaExceededError, from a quota lowered through the DevTools protocol (Storage.overrideQuotaForOrigin);
 * - a connection closed underneath the instance (another party deletes the database).
 */
import { test, expect } from '@playwright/test';
import { ready } from './memory-page.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- page.evaluate bodies run in the page, typed loosely here */
declare const window: { t: any };

test('QuotaExceededError: the failing add gets StorageError, the others commit, the database stays consistent', async ({
  page,
  context,
}) => {
  await ready(page);
  const cdp = await context.newCDPSession(page);
  const origin = new URL(page.url()).origin;
  // Chromium applies a quota override only if it is set before the origin first touches storage (checked on
  // Chromium 156), so: a fixed 24 MB before anything is opened. navigator.storage.estimate() does not show it.
  await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: 24 * 1024 * 1024 });
  const out = await page.evaluate(async () => {
    const { t } = window;
    const memory = await t.open({ dbName: 'quota', cache: false });
    await memory.add('small memory before', { userId: 'alice' });
    // Seeded random letters: Chromium compresses IndexedDB values, so a repeated character would always fit.
    let seed = 12345;
    const bigText = (size: number, n: number) =>
      Array.from({ length: size }, () => {
        seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
        return String.fromCharCode(97 + ((seed >>> 16) % 26));
      }).join('') + ` ${n}`;
    // Fill the quota with big adds, halving the size after each refusal. An add writes its text once in the
    // pending store, then again in the commit (its segment), so as the room shrinks the refusal
    // comes at one stage or the other; the geometric sizes make a commit-stage refusal (a failing group) happen.
    const attempts: { ok: boolean; size: number; error?: any }[] = [];
    let size = 4 * 1024 * 1024;
    for (let n = 0; n < 40 && size >= 16 * 1024; n++) {
      const error = await t.thrown(() => memory.add(bigText(size, n), { userId: 'alice', metadata: { big: n } }));
      attempts.push(error ? { ok: false, size, error } : { ok: true, size });
      if (error?.message.includes('commit memories')) break;
      if (error) size /= 2;
    }
    const after = await t.thrown(() => memory.add('small memory after', { userId: 'alice' }));
    const all = await memory.getAll({ userId: 'alice', limit: 1000 });
    const search = await memory.search('small memory', { userId: 'alice', limit: 1000 });
    const counts = await t.rawCounts('quota');
    await memory.close();
    return {
      attempts,
      after,
      all: all.results.map((r: any) => (r.memory.length > 100 ? `big ${r.metadata.big}` : r.memory)),
      search: search.results.length,
      counts,
    };
  });
  await cdp.send('Storage.overrideQuotaForOrigin', { origin });
  const refused = out.attempts.filter((a) => !a.ok);
  const committed = out.attempts.flatMap((a, n) => (a.ok ? [`big ${n}`] : []));
  console.log(
    `quota test: ${out.attempts.map((a) => (a.ok ? `${a.size}:ok` : `${a.size}:${a.error.message.includes('commit') ? 'commit' : 'pending'}`)).join(' ')}`,
  );
  expect(refused.length).toBeGreaterThan(0);
  for (const a of refused)
    expect(a.error).toMatchObject({ name: 'StorageError', isAgentMem: true, cause: 'QuotaExceededError' });
  // At least one refusal came from the grouped commit transaction (segment + vectors + pending delete).
  expect(refused.some((a) => a.error.message.startsWith('IndexedDB could not commit memories'))).toBe(true);
  expect(out.after).toBeNull();
  expect(out.all).toEqual(['small memory before', ...committed, 'small memory after']);
  expect(out.search).toBe(committed.length + 2);
  const n = committed.length + 2;
  expect(out.counts).toMatchObject({ memories: n, vectors: n, history: 0, pending: 0 });
});

test('a connection closed underneath: StorageError, and a new instance works on the recreated database', async ({
  page,
}) => {
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

test('a full disk: delete still frees space (without its history rows, counted), then an add fits again', async ({
  page,
  context,
}) => {
  await ready(page);
  const cdp = await context.newCDPSession(page);
  const origin = new URL(page.url()).origin;
  await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: 16 * 1024 * 1024 });
  const out = await page.evaluate(async () => {
    const { t } = window;
    const memory = await t.open({ dbName: 'full', cache: false });
    let seed = 777;
    const bigText = (size: number, n: number) =>
      Array.from({ length: size }, () => {
        seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
        return String.fromCharCode(97 + ((seed >>> 16) % 26));
      }).join('') + ` ${n}`;
    // Fill until even a 16 KB add is refused: the disk is full.
    const ids: string[] = [];
    let size = 2 * 1024 * 1024;
    for (let n = 0; n < 60 && size >= 16 * 1024; n++) {
      try {
        const { results } = await memory.add(bigText(size, n), { userId: 'alice' });
        ids.push(results[0].id);
      } catch {
        size /= 2;
      }
    }
    const refused = await t.thrown(() => memory.add(bigText(512 * 1024, 100), { userId: 'alice' }));
    const victim = ids[0]!;
    const deleted = await t.thrown(() => memory.delete(victim));
    const dropped = memory.stats().historyDropped;
    const after = await t.thrown(() => memory.add(bigText(512 * 1024, 101), { userId: 'alice' }));
    const history = (await memory.history(victim)).map((h: any) => h.event);
    const left = (await memory.getAll({ userId: 'alice', limit: 1000 })).results.map((r: any) => r.id);
    const counts = await t.rawCounts('full');
    await memory.close();
    return { ids, refused, deleted, dropped, after, history, left, victim, counts };
  });
  await cdp.send('Storage.overrideQuotaForOrigin', { origin });
  expect(out.ids.length).toBeGreaterThan(2);
  expect(out.refused).toMatchObject({ name: 'StorageError', cause: 'QuotaExceededError' });
  // The delete with its history rows (the text once more, in the ADD row) did not fit; the one without them did.
  expect(out.deleted).toBeNull();
  expect(out.dropped).toBe(1);
  expect(out.after).toBeNull();
  expect(out.history).toEqual([]);
  expect(out.left).not.toContain(out.victim);
  expect(out.left).toHaveLength(out.ids.length); // the others, and the add after the delete
  expect(out.counts).toMatchObject({ memories: out.ids.length, history: 0, pending: 0 });
});
