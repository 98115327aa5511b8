/**
 * `npx tsx bench/flood.ts [--count=10000] [--models=lexical,minilm-l6] [--reps=3] [--baseline=<site build>]`
 * (`npm run bench:flood` builds the site first): a flood of concurrent `memory.add()` calls in headless Chromium
 * (test/pages/flood.html), per model. Reports the longest task after the caller's loop, the tasks over 50 ms, the
 * caller's loop itself and the heap each waiting add holds beyond its text. `--baseline` names a second site build
 * (say, of the previous commit, with test/pages/flood.* copied in) run alternately with this one, for ratios from
 * one run. Writes bench/results/flood-latest.json and .md. `--first-search=<memories>` instead stores that many
 * memories in one scope, reopens it and reports the tasks of its first search (bench/results/first-search-latest.*).
 */
import { chromium, type Page } from '@playwright/test';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { startPreview } from './lib/server.js';
import type { FloodResult } from '../test/pages/flood.js';
import { writeLatest } from './lib/results.js';

const root = resolve(import.meta.dirname, '..');
const flag = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const count = Number(flag('count') ?? 10_000);
const models = (flag('models') ?? 'lexical,minilm-l6').split(',');
const reps = Number(flag('reps') ?? 3);
const outDir = process.env['AGENTMEM_SITE_OUT'] ?? 'dist-site';
const port = Number(process.env['AGENTMEM_BENCH_PORT'] ?? 5191);
const baseline = flag('baseline');
const firstSearch = flag('first-search');

interface Row {
  site: string;
  model: string;
  rep: number;
  resolved: number;
  stored: number;
  distinct: number;
  loopMs: number;
  totalMs: number;
  longestMs: number;
  over50: number;
  longTasks: number[];
  heapPerAdd: number | null;
  heapPerAddLater: number | null;
  writeTransactions: unknown;
}

const sites = [
  { label: 'this build', preview: await startPreview(root, outDir, port) },
  ...(baseline ? [{ label: 'baseline', preview: await startPreview(root, baseline, port + 100) }] : []),
];
const browser = await chromium.launch({
  executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
  args: ['--disable-quic', '--js-flags=--expose-gc', '--enable-precise-memory-info'],
});
const rows: Row[] = [];
try {
  if (firstSearch) {
    await runFirstSearch(Number(firstSearch));
    process.exit(0);
  }
  for (const model of models) {
    await eachRun(async (page, label, rep) => {
      const r: FloodResult = await page.evaluate((request) => window.flood(request), {
        count,
        model: `/models/${model}`,
      });
      const row: Row = {
        site: label,
        model,
        rep,
        resolved: r.resolved,
        stored: r.stored,
        distinct: r.distinct,
        loopMs: Math.round(r.loopMs),
        totalMs: Math.round(r.totalMs),
        longestMs: Math.round(Math.max(0, ...r.longTasks)),
        over50: r.longTasks.length,
        longTasks: r.longTasks.map(Math.round),
        heapPerAdd: r.heapPerAdd === null ? null : Math.round(r.heapPerAdd),
        heapPerAddLater: r.heapPerAddLater === null ? null : Math.round(r.heapPerAddLater),
        writeTransactions: r.stats['writeTransactions'],
      };
      console.log(JSON.stringify(row));
      rows.push(row);
    });
  }
} finally {
  await browser.close();
  for (const { preview } of sites) await preview.stop();
}

const load = Math.round(loadavg()[0]! * 10) / 10;
const result = {
  date: new Date().toISOString(),
  cpus: cpus().length,
  cpu: cpus()[0]?.model,
  load,
  count,
  baseline,
  rows,
};
const md = [
  `# Add flood (${result.date}, ${result.cpus} cores, load ${load}): ${count.toLocaleString('en')} concurrent adds`,
  '',
  'Long tasks are those a PerformanceObserver saw after the caller issued every add (the library working the flood',
  "off); the caller's loop is its own task. Heap per add: after forced collections, beyond its text (the caller keeps",
  'the texts and one promise per add), right after the loop and when the first add resolved (pending records written).',
  '',
  '| build | model | run | resolved / stored / distinct | loop ms | total s | longest task ms | tasks > 50 ms | heap per waiting add, after the loop / at the first resolve (bytes) | write transactions |',
  '| ----- | ----- | --: | ---------------------------: | ------: | ------: | --------------: | ------------: | ------------------------------------------------------------------: | -----------------: |',
  ...rows.map(
    (r) =>
      `| ${r.site} | ${r.model} | ${r.rep + 1} | ${r.resolved} / ${r.stored} / ${r.distinct} | ${r.loopMs} | ${(r.totalMs / 1000).toFixed(1)} | ${r.longestMs} | ${r.over50} | ${r.heapPerAdd ?? 'n/a'} / ${r.heapPerAddLater ?? 'n/a'} | ${String(r.writeTransactions)} |`,
  ),
  '',
].join('\n');
writeLatest('flood', result, md, resolve(root, flag('results') ?? 'bench/results'));

/** `run` on a fresh page of the flood test page, per repetition and build; odd repetitions take the builds in the
 * other order, so neither always runs first. */
async function eachRun(run: (page: Page, label: string, rep: number) => Promise<void>): Promise<void> {
  for (let i = 0; i < reps * sites.length; i++) {
    const rep = Math.floor(i / sites.length);
    const { label, preview } = sites[rep % 2 === 0 ? i % sites.length : sites.length - 1 - (i % sites.length)]!;
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${preview.url}/test/pages/flood.html`);
    await page.locator('#status', { hasText: 'ready' }).waitFor();
    await run(page, label, rep);
    await page.context().close();
  }
}

/** The first search of a scope of `size` memories (lexical), per build and repetition: its long tasks. */
async function runFirstSearch(size: number): Promise<void> {
  const out: { site: string; rep: number; searchMs: number; longestMs: number; over50: number }[] = [];
  try {
    await eachRun(async (page, label, rep) => {
      const r = await page.evaluate((count) => window.firstSearch({ count }), size);
      const row = {
        site: label,
        rep,
        searchMs: Math.round(r.searchMs),
        longestMs: Math.round(Math.max(0, ...r.longTasks)),
        over50: r.longTasks.length,
      };
      console.log(JSON.stringify(row));
      out.push(row);
    });
  } finally {
    await browser.close();
    for (const { preview } of sites) await preview.stop();
  }
  const load = Math.round(loadavg()[0]! * 10) / 10;
  const date = new Date().toISOString();
  const md = [
    `# First search of a scope of ${size.toLocaleString('en')} memories (${date}, ${cpus().length} cores, load ${load})`,
    '',
    '| build | run | first search ms | longest task ms | tasks > 50 ms |',
    '| ----- | --: | --------------: | --------------: | ------------: |',
    ...out.map((r) => `| ${r.site} | ${r.rep + 1} | ${r.searchMs} | ${r.longestMs} | ${r.over50} |`),
    '',
  ].join('\n');
  writeLatest(
    'first-search',
    { date, load, size, baseline, rows: out },
    md,
    resolve(root, flag('results') ?? 'bench/results'),
  );
}
