/**
 * A closed Memory is garbage-collected (issue 25): a page that opens and closes its memory for hours (an extension's
 * offscreen document, the demo's "Restart engine") keeps no workers, indexes, caches or database connections of
 * the closed ones. Measured on the page's JS heap after forced collections.
 */
import { expect, test } from '@playwright/test';
import type {} from '../pages/engine.js';

test.use({
  launchOptions: {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--disable-quic', '--js-flags=--expose-gc', '--enable-precise-memory-info'],
  },
});

test('5 create -> add -> search -> close cycles of a Memory leave the heap flat', async ({ page }) => {
  await page.goto('/test/pages/engine.html');
  await expect(page.locator('#status')).toHaveText('ready');
  const result = await page.evaluate(async () => {
    const { Memory } = window.agentmem;
    const { texts, heapAfterGc } = window.helpers;
    const heaps: number[] = [];
    const counts: number[] = [];
    for (let cycle = 0; cycle < 5; cycle++) {
      // One database across cycles, as an app restarting its memory: each cycle loads what the earlier ones stored.
      const memory = await Memory.create({ model: '/models/lexical', backend: 'wasm', workers: 2, dbName: 'leak' });
      await memory.addMany(texts(200, cycle + 1).map((text) => ({ text, userId: 'alice' })));
      await memory.add('I drink coffee every morning', { userId: 'alice' });
      const { results } = await memory.search('coffee', { userId: 'alice', limit: 2000 });
      counts.push(results.length);
      await memory.close();
      heaps.push(await heapAfterGc());
    }
    return { heaps, counts };
  });
  console.log(`heap after each cycle (MB): ${result.heaps.map((b) => (b / 2 ** 20).toFixed(1)).join(', ')}`);
  // Every cycle found what the earlier ones stored (the indexes were really built, not skipped).
  expect(result.counts).toEqual([201, 402, 603, 804, 1005]);
  // The first cycle loads code and one-time caches (its figure can even be the highest: some are let go later).
  // From the second on, growth per cycle stays under 2 MB (a leaked Memory held ~23 MB). Measured 0.3-1.4 MB per
  // cycle here while the database grows: whether that remainder is a small leak is still open (issue 25).
  expect((result.heaps[4]! - result.heaps[1]!) / 3).toBeLessThan(2 * 2 ** 20);
});
