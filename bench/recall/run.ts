/**
 * `npm run eval:recall -- <conversations.json> [--results=bench/results]`
 *
 * Evidence recall of the real library in headless Chromium on a conversation data set (format: bench/README.md,
 * "Recall"), per search mode and question category, beside a plain BM25 over single turns. Writes
 * `recall-<timestamp>.json` and `recall-latest.md` next to the benchmark's results.
 */
import { chromium } from '@playwright/test';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { startPreview } from '../lib/server.js';
import { plainBm25 } from './plain-bm25.js';
import { recallMarkdown, recallRows } from './measure.js';
import type { Conversation, RecallMode } from './types.js';

const root = resolve(import.meta.dirname, '../..');
const args = process.argv.slice(2);
const file = args.find((a) => !a.startsWith('--'));
const flag = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
if (!file) throw new Error('Expected the path of a conversations JSON file: npm run eval:recall -- <path>');
const data = JSON.parse(readFileSync(file, 'utf8')) as Conversation[];
const modes: RecallMode[] = ['hybrid', 'vector', 'keyword'];
const outDir = process.env['AGENTMEM_SITE_OUT'] ?? 'dist-site';
if (!existsSync(resolve(root, outDir, 'bench/pages/recall.html')))
  throw new Error(`Expected a site build in ${outDir}: run \`npm run build:site\``);

const preview = await startPreview(root, outDir, Number(process.env['AGENTMEM_BENCH_PORT'] ?? 5191));
const browser = await chromium.launch({
  executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
  args: ['--disable-quic'],
});
try {
  const page = await browser.newPage();
  await page.goto(`${preview.url}/bench/pages/recall.html`);
  await page.waitForFunction(() => 'recall' in window);
  const started = new Date();
  const out = await page.evaluate((request) => window.recall.run(request), { data, modes, model: '/models/use-lite' });
  const rows = recallRows(data, [...out.ranked, ...plainBm25(data)]);
  const resultsDir = resolve(root, flag('results') ?? 'bench/results');
  mkdirSync(resultsDir, { recursive: true });
  const stamp = started.toISOString().replace(/[:.]/g, '-');
  const meta = {
    data: basename(file),
    model: 'use-lite',
    limit: 10,
    memories: out.memories,
    addMs: Math.round(out.addMs),
    date: started.toISOString(),
  };
  writeFileSync(resolve(resultsDir, `recall-${stamp}.json`), JSON.stringify({ ...meta, rows }, null, 1));
  const md = recallMarkdown(
    `Recall on ${meta.data}: ${meta.memories} memories, use-lite, limit 10 (${meta.date})`,
    rows,
  );
  writeFileSync(resolve(resultsDir, 'recall-latest.md'), md);
  console.log(md);
} finally {
  await browser.close();
  await preview.stop();
}
