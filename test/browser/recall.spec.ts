/**
 * Recall on the project's own conversation set (test/recall/agent-user.json: 200 memories, 60 questions about an
 * agent's users: names, dates, preferences, paraphrases) through the public API in Chromium, with use-lite: the
 * default hybrid search must find more evidence than either of its signals alone.
 */
import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type {} from '../../bench/pages/recall.js';
import { recallRows } from '../../bench/recall/measure.js';
import type { Conversation } from '../../bench/recall/types.js';

const data = JSON.parse(
  readFileSync(resolve(import.meta.dirname, '../recall/agent-user.json'), 'utf8'),
) as Conversation[];

test('hybrid search recalls more evidence than vector or keyword search alone', async ({ page }) => {
  test.setTimeout(180_000);
  page.on('pageerror', (e) => console.log('[pageerror]', e.message));
  await page.goto('/bench/pages/recall.html');
  await page.waitForFunction(() => 'recall' in window);
  const out = await page.evaluate((request) => window.recall.run(request), {
    data,
    modes: ['hybrid', 'vector', 'keyword'] as const,
    model: '/models/use-lite',
  });
  expect(out.memories).toBe(200);
  const all = new Map(
    recallRows(data, out.ranked)
      .filter((r) => r.category === 'all')
      .map((r) => [r.mode, r]),
  );
  const r10 = (mode: string) => all.get(mode)!.r10;
  console.log(
    `R@10 hybrid ${r10('hybrid').toFixed(3)}, vector ${r10('vector').toFixed(3)}, keyword ${r10('keyword').toFixed(3)}`,
  );
  expect(all.get('hybrid')!.questions).toBe(60);
  expect(r10('hybrid')).toBeGreaterThan(r10('vector'));
  expect(r10('hybrid')).toBeGreaterThan(r10('keyword'));
});
