/**
 * Export and import (test/support/backup-cases.ts) against IndexedDB in real Chromium, with the real engine
 * (lexical model, WASM, one worker). The same cases run against libSQL in Node (test/unit/memory-backup.test.ts).
 * The cases share one page and its engine: each opens its own databases (`backup-<i>`, `-other`, `-static`) and
 * closes what it opens.
 */
import { test } from '@playwright/test';
import { backupCases } from '../support/backup-cases.js';
import { sharedPage } from './shared-page.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- page.evaluate bodies run in the page, typed loosely here */
declare const window: { t: any };

const page = sharedPage('/test/pages/memory.html');

backupCases.forEach((c, i) => {
  test(c.name, async () => {
    // A failed check rejects page.evaluate with the case's message.
    await page().evaluate(([name, dbName]) => window.t.backup(name, dbName), [c.name, `backup-${i}`] as const);
  });
});
