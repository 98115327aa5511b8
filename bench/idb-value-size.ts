/**
 * `npm run build:site && npx tsx bench/idb-value-size.ts [--out=dist-site] [--port=5187] [--rounds=3]`: how fast
 * Chromium's IndexedDB writes and reads one segment's vectors (1,000 random fp32 vectors of 384 dimensions, 1.5 MB)
 * depending on how many values they are cut into. 40 segments per size, one transaction each, nothing else in the
 * page. This chose the vector part size of schema 3 (src/store/vector-parts.ts). Writes
 * bench/results/idb-value-size-latest.json and .md.
 */
import { chromium } from '@playwright/test';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { startPreview } from './lib/server.js';
import { writeLatest } from './lib/results.js';

const root = resolve(import.meta.dirname, '..');
const flag = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const outDir = flag('out') ?? process.env['AGENTMEM_SITE_OUT'] ?? 'dist-site';
const port = Number(flag('port') ?? 5187);
const rounds = Number(flag('rounds') ?? 3);
const splits = [1, 2, 4, 8, 12, 24, 96];

const preview = await startPreview(root, outDir, port);
const browser = await chromium.launch({ executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium' });
const runs: Record<string, { write: number; read: number }>[] = [];
try {
  const page = await browser.newPage();
  await page.goto(`${preview.url}/test/pages/memory.html`);
  for (let round = 0; round < rounds; round++) {
    // A string, not a function: tsx would wrap named inner functions in a helper the page does not have.
    const result = await page.evaluate(`(async () => {
      const splits = ${JSON.stringify(splits)};
      const name = 'value-size-' + Math.random();
      const db = await new Promise((ok, no) => {
        const request = indexedDB.open(name, 1);
        request.onupgradeneeded = () => request.result.createObjectStore('vectors');
        request.onsuccess = () => ok(request.result);
        request.onerror = () => no(request.error);
      });
      const segments = 40;
      const vectors = Array.from({ length: segments }, () => {
        const a = new Float32Array(384 * 1000);
        for (let i = 0; i < a.length; i++) a[i] = Math.random();
        return a;
      });
      const out = {};
      for (const parts of splits) {
        const per = 384000 / parts;
        let t = performance.now();
        for (let s = 0; s < segments; s++) {
          const tx = db.transaction('vectors', 'readwrite');
          for (let k = 0; k < parts; k++)
            tx.objectStore('vectors').put(vectors[s].slice(k * per, (k + 1) * per), parts + '-' + s + '-' + String(k).padStart(3, '0'));
          await new Promise((ok) => (tx.oncomplete = ok));
        }
        const write = Math.round((segments * 1000) / ((performance.now() - t) / 1000));
        t = performance.now();
        for (let s = 0; s < segments; s++) {
          const tx = db.transaction('vectors', 'readonly');
          const range = IDBKeyRange.bound(parts + '-' + s + '-', parts + '-' + s + '-~');
          await new Promise((ok) => (tx.objectStore('vectors').getAll(range).onsuccess = ok));
        }
        const read = Math.round((segments * 1000) / ((performance.now() - t) / 1000));
        out[parts] = { write, read };
      }
      db.close();
      indexedDB.deleteDatabase(name);
      return out;
    })()`);
    runs.push(result as Record<string, { write: number; read: number }>);
  }
} finally {
  await browser.close();
  await preview.stop();
}
const load = Math.round(loadavg()[0]! * 10) / 10;
const range = (values: number[]) =>
  `${Math.min(...values).toLocaleString('en')}-${Math.max(...values).toLocaleString('en')}`;
const report = { date: new Date().toISOString(), cpus: cpus().length, load, rounds, splits, runs };
const md = [
  `# IndexedDB value size (${report.date}, ${report.cpus} cores, load ${load})`,
  '',
  `1,000 fp32 vectors of 384 dimensions (1.5 MB) per segment, cut into N values; 40 segments, one transaction each; ${rounds} rounds (min-max).`,
  '',
  '| values per segment | KB each | write vectors/s | read (getAll) vectors/s |',
  '| -----------------: | ------: | --------------: | ----------------------: |',
  ...splits.map(
    (n) =>
      `| ${n} | ${Math.round(1500 / n)} | ${range(runs.map((r) => r[n]!.write))} | ${range(runs.map((r) => r[n]!.read))} |`,
  ),
  '',
].join('\n');
writeLatest('idb-value-size', report, md);
