import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** bench/results of this checkout. */
export const RESULTS_DIR = resolve(import.meta.dirname, '../results');

/** Writes `<dir>/<name>-latest.json` (the report) and `<name>-latest.md`, and prints the Markdown. */
export function writeLatest(name: string, report: unknown, md: string, dir: string = RESULTS_DIR): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${name}-latest.json`), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(dir, `${name}-latest.md`), md);
  console.log(md);
}
