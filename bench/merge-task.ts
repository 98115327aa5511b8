/**
 * `npm run build:site && npx tsx bench/merge-task.ts [--rounds=5] [build ...]`: the longest task of one compaction
 * merge in Chromium. Commits 32 small segments of 31 memories (384-dimension fp32 vectors, no inference) through a
 * MemoryStore, then merges them (`compactSmall`, 992 memories into one segment) with a PerformanceObserver for long
 * tasks around it. Each site build named (default: dist-site) runs once per round, in turn, in a fresh page. Writes
 * bench/results/merge-task-latest.json and .md.
 */
import { chromium } from '@playwright/test';
import { resolve } from 'node:path';
import { startPreview } from './lib/server.js';
import { machine, writeLatest } from './lib/results.js';

const root = resolve(import.meta.dirname, '..');
const flag = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const rounds = Number(flag('rounds') ?? 5);
const builds = process.argv.slice(2).filter((a) => !a.startsWith('--'));
if (builds.length === 0) builds.push(process.env['AGENTMEM_SITE_OUT'] ?? 'dist-site');

interface Run {
  readonly build: string;
  readonly round: number;
  readonly mergeMs: number;
  readonly longestTaskMs: number;
  readonly longTasks: number;
}

// A string, not a function: tsx would wrap named inner functions in a helper the page does not have.
const merge = `(async () => {
  const { MemoryStore } = window.t;
  const name = 'merge-task-' + Math.random();
  const store = await MemoryStore.open(name, 'fp32');
  let seq = 0;
  const id = () => '01930000-0000-7000-8000-' + String(++seq).padStart(12, '0');
  for (let c = 0; c < 32; c++) {
    const rows = Array.from({ length: 31 }, (_, i) => {
      const vector = new Float32Array(384);
      for (let k = 0; k < 384; k++) vector[k] = Math.sin(c * 1000 + i * 384 + k);
      const memory = { id: id(), text: 'memory ' + c + ' ' + i + ' about something said in a chat', hash: 'f'.repeat(64),
        userId: 'u', metadata: {}, createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z' };
      return { memory, vector };
    });
    const batchId = id();
    await store.write({ pending: [{ id: batchId, items: rows.map((r) => r.memory) }] });
    await store.write({ groups: [{ batchId, rows }] });
  }
  const tasks = [];
  const observer = new PerformanceObserver((list) => { for (const e of list.getEntries()) tasks.push(e.duration); });
  observer.observe({ type: 'longtask' });
  await new Promise((ok) => setTimeout(ok, 100));
  tasks.length = 0;
  const t = performance.now();
  const merged = await store.compactSmall();
  const ms = performance.now() - t;
  await new Promise((ok) => setTimeout(ok, 100));
  observer.disconnect();
  store.close();
  indexedDB.deleteDatabase(name);
  if (!merged) throw new Error('nothing merged');
  return { mergeMs: Math.round(ms), longestTaskMs: Math.round(Math.max(0, ...tasks)), longTasks: tasks.length };
})()`;

const browser = await chromium.launch({ executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium' });
const previews = await Promise.all(builds.map((build, i) => startPreview(root, build, 5160 + i)));
const runs: Run[] = [];
try {
  for (let round = 1; round <= rounds; round++) {
    for (const [i, build] of builds.entries()) {
      const page = await browser.newPage();
      await page.goto(`${previews[i]!.url}/test/pages/memory.html`);
      await page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready');
      const result = await page.evaluate<Omit<Run, 'build' | 'round'>>(merge);
      runs.push({ build, round, ...result });
      await page.close();
    }
  }
} finally {
  await browser.close();
  for (const preview of previews) await preview.stop();
}
const report = { ...machine(), runs };
const md = [
  `# Longest task of a merge (${report.date}, ${report.cpus} cores, load ${report.load})`,
  '',
  '32 small segments of 31 memories (384-dimension fp32) merged into one by `compactSmall`.',
  '',
  '| build | round | merge ms | longest task ms | long tasks |',
  '| :---- | ----: | -------: | --------------: | ---------: |',
  ...runs.map((r) => `| ${r.build} | ${r.round} | ${r.mergeMs} | ${r.longestTaskMs} | ${r.longTasks} |`),
  '',
].join('\n');
writeLatest('merge-task', report, md);
