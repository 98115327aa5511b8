/**
 * Closing releases everything (issue 25): an app that creates and closes embedders for hours (an extension's
 * offscreen page, a "restart engine" button) must not keep any of them alive. Measured on the page's JS heap
 * after forced collections, so Chromium runs with `gc()` exposed and precise `performance.memory`.
 */
import { expect, test } from '@playwright/test';
import type {} from '../pages/engine.js';

test.use({
  launchOptions: {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--disable-quic', '--js-flags=--expose-gc', '--enable-precise-memory-info'],
  },
});

test.beforeEach(async ({ page }) => {
  await page.goto('/test/pages/engine.html');
  await expect(page.locator('#status')).toHaveText('ready');
});

test('a closed embedder is garbage-collected: 5 create -> embed -> close cycles leave the heap flat', async ({
  page,
}) => {
  const result = await page.evaluate(async () => {
    const { Embedder } = window.agentmem;
    const { texts, heapAfterGc } = window.helpers;
    const heaps: number[] = [];
    for (let cycle = 0; cycle < 5; cycle++) {
      // Two workers and the embedder's own caches (memory LRU and IndexedDB), as an app would have them.
      const embedder = await Embedder.create({ model: '/models/lexical', backend: 'wasm', workers: 2 });
      await embedder.embedMany(texts(40, cycle + 1));
      await embedder.close();
      heaps.push(await heapAfterGc());
    }
    return heaps;
  });
  console.log(`heap after each cycle (MB): ${result.map((b) => (b / 2 ** 20).toFixed(1)).join(', ')}`);
  // The first cycle loads code and fills one-time caches (capabilities, the model's Cache API entry); after it, flat.
  expect(result[4]! - result[0]!).toBeLessThan(4 * 2 ** 20);
});

test('a closed embedder the app still references holds no model bytes, vectors or workers', async ({ page }) => {
  const result = await page.evaluate(async () => {
    const { Embedder } = window.agentmem;
    const { texts, heapAfterGc } = window.helpers;
    const kept: unknown[] = [];
    const heaps: number[] = [];
    for (let cycle = 0; cycle < 5; cycle++) {
      // 2,000 cached vectors of 256 floats (2 MB) and the model's 7.6 MB of int8 weights per embedder.
      const embedder = await Embedder.create({ model: '/models/lexical', backend: 'wasm', workers: 1, maxBatch: 256 });
      await embedder.embedMany(texts(2000, cycle + 1));
      await embedder.close();
      kept.push(embedder);
      heaps.push(await heapAfterGc());
    }
    return { heaps, kept: kept.length };
  });
  console.log(
    `heap after each cycle, embedders kept (MB): ${result.heaps.map((b) => (b / 2 ** 20).toFixed(1)).join(', ')}`,
  );
  expect(result.kept).toBe(5);
  expect(result.heaps[4]! - result.heaps[0]!).toBeLessThan(4 * 2 ** 20);
});
