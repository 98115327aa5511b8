/**
 * The shared Memory conformance suite (test/support/conformance.ts) against IndexedDB in real Chromium, with the
 * real engine (lexical model, WASM, one worker). The same cases run against libSQL in Node
 * (test/unit/memory-conformance.test.ts). As in Node, the cases share one engine, and so one page: each case opens
 * its own database (`conformance-<i>`) and closes what it opens, so a reopen or replay still starts from disk.
 */
import { test } from '@playwright/test';
import { cases } from '../support/conformance.js';
import { sharedPage } from './shared-page.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- page.evaluate bodies run in the page, typed loosely here */
declare const window: { t: any };

const page = sharedPage('/test/pages/memory.html');

cases.forEach((c, i) => {
  test(c.name, async () => {
    // A failed check rejects page.evaluate with the case's message.
    await page().evaluate(([name, dbName]) => window.t.conformance(name, dbName), [
      c.name,
      `conformance-${i}`,
    ] as const);
  });
});
