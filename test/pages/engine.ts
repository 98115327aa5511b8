/**
 * Browser-test page for the embedding engine: exposes the library and a few helpers on `window` for
 * `test/browser/engine*.spec.ts` (which drive it with `page.evaluate`).
 */
import * as agentmem from '../../src/index.js';
import * as hooks from '../../src/engine/test-hooks.js';
import { cosine } from '../support/cosine.js';

function norm(a: Float32Array): number {
  let s = 0;
  for (const v of a) s += v * v;
  return Math.sqrt(s);
}

/** Deterministic mixed-length texts (seeded). */
function texts(count: number, seed = 1): string[] {
  const words = [
    'coffee',
    'morning',
    'window',
    'seat',
    'flight',
    'memory',
    'agent',
    'browser',
    'vector',
    'search',
    'user',
    'prefers',
    'tea',
    'night',
    'train',
    'Paris',
    'numbers',
    '42',
    'café',
    'déjà',
    'vu',
    'résumé',
    'emoji',
    'naïve',
  ];
  let state = seed >>> 0;
  const next = (): number => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  return Array.from({ length: count }, (_, i) => {
    const len = 1 + Math.floor(next() * (i % 5 === 0 ? 60 : 12));
    return `${i}: ${Array.from({ length: len }, () => words[Math.floor(next() * words.length)]).join(' ')}.`;
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * The page's used JS heap after full collections. Needs Chromium with `--js-flags=--expose-gc` and
 * `--enable-precise-memory-info` (else `performance.memory` is coarse). Collects several times with a task between:
 * FinalizationRegistry callbacks (Comlink's proxy registry) run after a collection and free more on the next.
 */
async function heapAfterGc(): Promise<number> {
  const gc = (globalThis as { gc?: () => void }).gc;
  const memory = (performance as { memory?: { usedJSHeapSize: number } }).memory;
  if (!gc || !memory) throw new Error('heapAfterGc() needs Chromium started with --js-flags=--expose-gc');
  for (let i = 0; i < 4; i++) {
    gc();
    await sleep(20);
  }
  return memory.usedJSHeapSize;
}

const helpers = { cosine, norm, texts, sleep, heapAfterGc };

declare global {
  interface Window {
    agentmem: typeof agentmem;
    helpers: typeof helpers;
    /** Fault injection (not part of the package's API). */
    hooks: typeof hooks;
  }
}

window.agentmem = agentmem;
window.helpers = helpers;
window.hooks = hooks;
document.getElementById('status')!.textContent = 'ready';
