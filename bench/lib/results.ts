import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
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

/**
 * When and where a report was made. Other work on the machine inflates every figure: the 1-minute load average at the
 * end says how much.
 */
export function machine(): { date: string; node: string; cpus: number; cpu: string | undefined; load: number } {
  return {
    date: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    cpu: cpus()[0]?.model,
    load: Math.round(loadavg()[0]! * 10) / 10,
  };
}
