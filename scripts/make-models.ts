/**
 * Generates every model the tests, the demo and the benchmark need, into `public/models/` (git-ignored).
 * Runs from `npm install` (the `prepare` script, so never in a consumer's install) and again before
 * `npm test` / `npm run demo` / `npm run bench`; each generator skips work when its files are current.
 *
 * Each generator module exports `generate(outRoot: string): Promise<void>`.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = resolve(import.meta.dirname, '..');
const outRoot = resolve(root, 'public/models');
const generators = ['models/index.ts', 'use-lite/index.ts'];

for (const rel of generators) {
  const file = resolve(import.meta.dirname, rel);
  if (!existsSync(file)) continue;
  const started = performance.now();
  const mod = (await import(pathToFileURL(file).href)) as { generate(outRoot: string): Promise<void> };
  await mod.generate(outRoot);
  console.log(`[models] ${rel} ready in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
