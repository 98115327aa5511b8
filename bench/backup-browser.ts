/**
 * `npx tsx bench/backup-browser.ts [--size=100000] [--out=dist-site] [--port=5188] [--source=blob|stream]`: import
 * and export of an IndexedDB Memory in headless Chromium. Writes a synthetic export (seeded unit vectors, real hashes
 * and ids) of `size` memories into the site build, imports it (from a Blob, or `fetch()`'s stream) with its vectors
 * (no inference), then
 * exports it back, consuming the lines as a download would. The heap is sampled over CDP every 100 ms after a GC
 * before each phase. Writes bench/results/export-browser-latest.json and .md. Run `npm run build:site` first.
 */
import { chromium, type CDPSession } from '@playwright/test';
import { createWriteStream, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import type * as lib from '../src/index.js';
import type { Memory } from '../src/index.js';
import { contentHash, uuidv7 } from '../src/store/ids.js';
import { startPreview } from './lib/server.js';
import { SEEDS, textsFor } from './lib/texts.js';
import { unitVector } from './pages/systems/system.js';

const root = resolve(import.meta.dirname, '..');
const flag = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const size = Number(flag('size') ?? 100_000);
const outDir = flag('out') ?? process.env['AGENTMEM_SITE_OUT'] ?? 'dist-site';
const port = Number(flag('port') ?? 5188);
const source = flag('source') === 'stream' ? 'stream' : 'blob';
const model = '/models/minilm-l6';

// What the Memory test page puts on `window` (page.evaluate bodies run there).
declare const window: { t: { lib: typeof lib }; bench: Memory; file?: Blob };

/** A valid export of `size` memories for `modelId`, written into the site build where the page can fetch it. */
async function writeExport(file: string, modelId: string, dimensions: number): Promise<void> {
  const out = createWriteStream(file);
  const header = { format: 'agentmem-web/export', version: 1, modelId, dimensions, encoding: 'float32' };
  out.write(`${JSON.stringify({ ...header, count: size, exportedAt: new Date().toISOString() })}\n`);
  const texts = textsFor(SEEDS.store, size);
  const start = Date.parse('2026-01-01T00:00:00Z');
  let chunk = '';
  for (let i = 0; i < size; i++) {
    const id = uuidv7(start + i);
    const createdAt = new Date(start + i).toISOString();
    const text = texts[i]!;
    const v = unitVector(i, dimensions);
    const memory = { id, text, hash: contentHash(text), userId: `user-${i % 10}`, metadata: { n: i } };
    const history = [{ id: `${id}:add`, memoryId: id, previousValue: null, newValue: text, event: 'ADD', createdAt }];
    const vector = Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');
    chunk += `${JSON.stringify({ ...memory, createdAt, updatedAt: createdAt, history, vector })}\n`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');
}

/** Runs `phase` while sampling the page's heap; returns its time and the peak heap growth over a GC'd baseline. */
async function measured(cdp: CDPSession, phase: () => Promise<unknown>): Promise<{ ms: number; peakMiB: number }> {
  await cdp.send('HeapProfiler.collectGarbage');
  const base = (await cdp.send('Runtime.getHeapUsage')).usedSize;
  let peak = base;
  let running = true;
  const sampler = (async () => {
    while (running) {
      peak = Math.max(peak, (await cdp.send('Runtime.getHeapUsage')).usedSize);
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  const t = performance.now();
  await phase();
  const ms = performance.now() - t;
  running = false;
  await sampler;
  return { ms: Math.round(ms), peakMiB: Math.round(((peak - base) / 2 ** 20) * 10) / 10 };
}

const file = join(root, outDir, 'bench-export.jsonl');
const preview = await startPreview(root, outDir, port);
const browser = await chromium.launch({ executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium' });
try {
  const page = await browser.newPage();
  page.on('pageerror', (error) => console.log(`[pageerror] ${error.message}`));
  await page.goto(`${preview.url}/test/pages/memory.html`);
  await page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready');
  const { modelId, dimensions } = await page.evaluate(async (model) => {
    const memory = await window.t.lib.Memory.create({ model, backend: 'wasm', workers: 1, dbName: 'bench-export' });
    await memory.reset();
    window.bench = memory;
    const { modelId, dimensions } = memory.stats();
    return { modelId, dimensions };
  }, model);
  await writeExport(file, modelId, dimensions);
  // `blob`: what a file input gives (a File read from disk), fetched before the clock starts; `stream`: the response
  // body straight off the local server, whose own pace is then part of the figure.
  if (source === 'blob')
    await page.evaluate(async () => {
      window.file = await (await fetch('/bench-export.jsonl')).blob();
    });
  const cdp = await page.context().newCDPSession(page);
  let result: { imported: number; reembedded: number } = { imported: 0, reembedded: 0 };
  const imported = await measured(cdp, async () => {
    result = await page.evaluate(async () => {
      const file = window.file ?? (await fetch('/bench-export.jsonl')).body!;
      return window.bench.import(file, { onConflict: 'error' });
    });
  });
  let lines = 0;
  const exported = await measured(cdp, async () => {
    lines = await page.evaluate(async () => {
      let n = 0;
      for await (const line of window.bench.export()) n += line.length > 0 ? 1 : 0;
      return n;
    });
  });
  await page.evaluate(async () => window.bench.close());
  const rate = (ms: number) => Math.round((size / ms) * 1000);
  const load = Math.round(loadavg()[0]! * 10) / 10;
  const report = {
    date: new Date().toISOString(),
    browser: browser.version(),
    cpus: cpus().length,
    cpu: cpus()[0]?.model,
    load,
    size,
    source,
    modelId,
    dimensions,
    import: { ...imported, perSec: rate(imported.ms), ...result },
    export: { ...exported, perSec: rate(exported.ms), lines },
  };
  const md = [
    `# Export and import in Chromium (${report.date}, ${report.browser}, ${report.cpus} cores, load ${load})`,
    '',
    `IndexedDB, ${dimensions}-dimension float32 vectors (${modelId}), 10 users. Import: \`fetch()\` stream of the export file, vectors reused (no inference), onConflict 'error'. Export: every line consumed in the page. Heap: peak \`Runtime.getHeapUsage\` (sampled every 100 ms) minus the heap after a GC before the phase.`,
    '',
    '| memories | import /s | import peak heap MiB | export /s | export peak heap MiB |',
    '| -------: | --------: | -------------------: | --------: | -------------------: |',
    `| ${size.toLocaleString('en')} | ${report.import.perSec.toLocaleString('en')} | ${imported.peakMiB} | ${report.export.perSec.toLocaleString('en')} | ${exported.peakMiB} |`,
    '',
  ].join('\n');
  const out = join(root, 'bench/results');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'export-browser-latest.json'), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(out, 'export-browser-latest.md'), md);
  console.log(md);
  if (result.imported !== size || result.reembedded !== 0 || lines !== size + 1) {
    console.error(`expected ${size} imported without inference and ${size + 1} lines back`);
    process.exitCode = 1;
  }
} finally {
  await browser.close();
  await preview.stop();
  rmSync(file, { force: true });
}
