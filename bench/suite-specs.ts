/**
 * Seconds per browser spec file from Playwright JSON reports (`--reporter=json`), a run before beside a run after:
 * `npx tsx bench/suite-specs.ts <name> <before.json> <after.json> [note]` -> bench/results/<name>.json and .md.
 * A file's seconds are its wall span, first test start to last test end (a shared page's beforeAll included).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

interface Result {
  startTime: string;
  duration: number;
  status: string;
}
interface Suite {
  file?: string;
  specs?: { tests: { results: Result[] }[] }[];
  suites?: Suite[];
}
interface Report {
  stats: { startTime: string; duration: number };
  suites: Suite[];
}
export interface SpecSeconds {
  tests: number;
  seconds: number;
  failed: number;
}

/** Per spec file (by base name, so a copy of the specs in another folder lines up): tests, span, failures. */
function specs(path: string): { wall: number; files: Map<string, SpecSeconds> } {
  const report = JSON.parse(readFileSync(path, 'utf8')) as Report;
  const spans = new Map<string, { tests: number; start: number; end: number; failed: number }>();
  const walk = (suite: Suite, file: string): void => {
    const name = (suite.file ?? file).split('/').pop()!;
    for (const spec of suite.specs ?? [])
      for (const test of spec.tests)
        for (const r of test.results) {
          const start = Date.parse(r.startTime);
          const e = spans.get(name) ?? { tests: 0, start, end: start, failed: 0 };
          e.tests++;
          e.start = Math.min(e.start, start);
          e.end = Math.max(e.end, start + r.duration);
          if (r.status !== 'passed') e.failed++;
          spans.set(name, e);
        }
    for (const child of suite.suites ?? []) walk(child, name);
  };
  for (const suite of report.suites) walk(suite, suite.file ?? '');
  const files = new Map<string, SpecSeconds>();
  for (const [name, e] of spans)
    files.set(name, { tests: e.tests, seconds: Math.round((e.end - e.start) / 100) / 10, failed: e.failed });
  return { wall: Math.round(report.stats.duration / 100) / 10, files };
}

const [name, beforePath, afterPath, note = ''] = process.argv.slice(2);
if (!name || !beforePath || !afterPath) {
  console.error('usage: npx tsx bench/suite-specs.ts <name> <before.json> <after.json> [note]');
  process.exit(2);
}
const before = specs(beforePath);
const after = specs(afterPath);
const names = [...new Set([...before.files.keys(), ...after.files.keys()])].sort(
  (a, b) => (before.files.get(b)?.seconds ?? 0) - (before.files.get(a)?.seconds ?? 0),
);
const rows = names.map((spec) => ({ spec, before: before.files.get(spec), after: after.files.get(spec) }));
const out = resolve('bench/results', name);
writeFileSync(
  `${out}.json`,
  `${JSON.stringify({ note, wall: { before: before.wall, after: after.wall }, specs: rows }, null, 2)}\n`,
);
const cell = (s: SpecSeconds | undefined) =>
  s ? `${s.seconds} s (${s.tests}${s.failed ? `, ${s.failed} failed` : ''})` : '-';
const ratio = (a?: SpecSeconds, b?: SpecSeconds) => (a && b ? `${(b.seconds / a.seconds).toFixed(2)}x` : '');
const md = [
  note,
  '',
  '| spec | before: s (tests) | after: s (tests) | ratio |',
  '| ---- | ----------------: | ---------------: | ----: |',
  ...rows.map((r) => `| ${r.spec} | ${cell(r.before)} | ${cell(r.after)} | ${ratio(r.before, r.after)} |`),
  `| **whole run (wall)** | ${before.wall} s | ${after.wall} s | ${(after.wall / before.wall).toFixed(2)}x |`,
  '',
].join('\n');
writeFileSync(`${out}.md`, md);
console.log(md);
