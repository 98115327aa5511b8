/**
 * The shared Memory conformance suite (test/support/conformance.ts) against IndexedDB in real Chromium, with the
 * real engine (lexical model, WASM, one worker). The same cases run against libSQL in Node
 * (test/unit/memory-conformance.test.ts).
 */
import { test, expect } from '@playwright/test';
import { cases } from '../support/conformance.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- page.evaluate bodies run in the page, typed loosely here */
declare const window: { t: any };

test.beforeEach(async ({ page }) => {
  page.on('pageerror', (error) => console.log(`[pageerror] ${error.message}`));
  await page.goto('/test/pages/memory.html');
  await expect(page.locator('#status')).toHaveText('ready');
});

cases.forEach((c, i) => {
  test(c.name, async ({ page }) => {
    // A failed check rejects page.evaluate with the case's message.
    await page.evaluate(([name, dbName]) => window.t.conformance(name, dbName), [c.name, `conformance-${i}`] as const);
  });
});
