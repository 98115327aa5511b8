/**
 * `npx tsx bench/backup-browser.ts [--size=100000] [--out=dist-site] [--port=5188] [--source=blob|stream]`: import
 * and export of an IndexedDB Memory in headless Chromium. Writes a synthetic export (seeded unit vectors, real hashes
 * and ids) of `size` memories into the site build, imports it (from a Blob, or `fetch()`'s stream) with its vectors
 * (no inference), then
 * exports it back, consuming the lines as a download would. The heap is sampled over CDP every 100 ms after a GC
 * before each phase. Writes bench/results/export-browser-latest.json and .md. Run `npm run build:site` first.
 */
import { chromium, type CDPSession } from '@playwright/test';
import { createWriteStream, rmSync } from 'node:fs';
import { once } from 'node:events';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import type * as lib from '../src/index.js';
import type { Memory } from '../src/index.js';
import { quantize } from '../src/search/quantize.js';
import { contentHash, uuidv7 } from '../src/store/ids.js';
import { startPreview } from './lib/server.js';
import { SEEDS, textsFor } from './lib/texts.js';
import { unitVector } from './pages/systems/system.js';
import { writeLatest } from './lib/results.js';

const root = resolve(import.meta.dirname, '..');
const flag = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const size = Number(flag('size') ?? 100_000);
const outDir = flag('out') ?? process.env['AGENTMEM_SITE_OUT'] ?? 'dist-site';
const port = Number(flag('port') ?? 5188);
const source = flag('source') === 'stream' ? 'stream' : 'blob';
const int8 = flag('quantize') === 'int8';
const model = '/models/minilm-l6';

// What the Memory test page puts on `window` (page.evaluate bodies run there).
declare const window: { t: { lib: typeof lib }; bench: Memory; file?: Blob };

/** A valid export of `size` memories for `modelId`, written into the site build where the page can fetch it. */
async function writeExport(file: string, modelId: string, dimensions: number): Promise<void> {
  const out = createWriteStream(file);
  const encoding = int8 ? 'int8' : 'float32';
  const header = { format: 'agentmem-web/export', version: 1, modelId, dimensions, encoding };
  out.write(`${JSON.stringify({ ...header, count: size, exportedAt: new Date().toISOString() })}\n`);
  const texts = textsFor(SEEDS.store, size);
  const start = Date.parse('2026-01-01T00:00:00Z');
  let chunk = '';
  for (let i = 0; i < size; i++) {
    const id = uuidv7(start + i);
    const createdAt = new Date(start + i).toISOString();
    const text = texts[i]!;
    const v = unitVector(i, dimensions);
    const q = int8 ? quantize(v) : undefined;
    const bytes = q ? q.q : v;
    const memory = { id, text, hash: contentHash(text), userId: `user-${i % 10}`, metadata: { n: i } };
    const history = [{ id: `${id}:add`, memoryId: id, previousValue: null, newValue: text, event: 'ADD', createdAt }];
    const vector = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
    const line = { ...memory, createdAt, updatedAt: createdAt, history, vector, ...(q ? { scale: q.scale } : {}) };
    chunk += `${JSON.stringify(line)}\n`;
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
  const { modelId, dimensions } = await page.evaluate(
    async ({ model, quantize }) => {
      const options = { model, backend: 'wasm', workers: 1, dbName: 'bench-export', quantize } as const;
      const memory = await window.t.lib.Memory.create(options);
      await memory.reset();
      window.bench = memory;
      const { modelId, dimensions } = memory.stats();
      return { modelId, dimensions };
    },
    { model, quantize: int8 ? ('int8' as const) : ('none' as const) },
  );
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
  // The ceiling: the segments the import wrote, written again into a scratch database of the same layout by
  // IndexedDB alone (read outside the clock, one transaction per segment as the import does), with no parsing or
  // hashing.
  const ceiling = await page.evaluate<{ memories: number; ms: number }>(`(async () => {
    const open = (name, stores) => new Promise((ok, no) => {
      const request = stores ? indexedDB.open(name, 1) : indexedDB.open(name);
      // The store's own layout: segments listed by each memory id and scope value they hold.
      request.onupgradeneeded = () => stores?.forEach((store) => {
        const created = request.result.createObjectStore(store, { keyPath: 'id' });
        if (store === 'segments')
          for (const name of ['ids', 'userIds', 'agentIds', 'runIds']) created.createIndex(name, name, { multiEntry: true });
      });
      request.onsuccess = () => ok(request.result);
      request.onerror = () => no(request.error);
    });
    const done = (request) => new Promise((ok, no) => {
      request.onsuccess = () => ok(request.result);
      request.onerror = () => no(request.error);
    });
    const stores = ['segments', 'segmentVectors'];
    const from = await open('bench-export');
    const to = await open('bench-export-ceiling', stores);
    const keys = await done(from.transaction('segments').objectStore('segments').getAllKeys());
    let ms = 0;
    let memories = 0;
    for (const key of keys) {
      const read = from.transaction(stores);
      // Every part of the segment's vectors: the keys from its id to its id + U+FFFF.
      const [segment, parts] = await Promise.all([
        done(read.objectStore('segments').get(key)),
        done(read.objectStore('segmentVectors').getAll(IDBKeyRange.bound(key, key + '\\uffff'))),
      ]);
      const t = performance.now();
      const write = to.transaction(stores, 'readwrite');
      write.objectStore('segments').put(segment);
      for (const part of parts) write.objectStore('segmentVectors').put(part);
      await new Promise((ok, no) => { write.oncomplete = ok; write.onerror = () => no(write.error); });
      ms += performance.now() - t;
      memories += segment.memories.length;
    }
    from.close();
    to.close();
    await done(indexedDB.deleteDatabase('bench-export-ceiling'));
    return { memories, ms: Math.round(ms) };
  })()`);
  // The store's write side alone: the memories the import wrote, read back a page of 1,000 at a time outside the
  // clock and restored into a scratch store (what an import does after parsing). Absent from a build whose test page
  // does not expose MemoryStore.
  const restoreAlone = await page.evaluate<{ memories: number; ms: number } | null>(`(async () => {
    const { MemoryStore } = window.t;
    if (!MemoryStore) return null;
    const encoding = ${JSON.stringify(int8 ? 'int8' : 'fp32')};
    const from = await MemoryStore.open('bench-export', encoding);
    const to = await MemoryStore.open('bench-export-restore', encoding);
    let after;
    let ms = 0;
    let memories = 0;
    for (;;) {
      const rows = await from.scan({ after, limit: 1000, vectors: true });
      if (rows.length === 0) break;
      after = rows[rows.length - 1].memory.id;
      const t = performance.now();
      await to.restore(rows, 'error');
      ms += performance.now() - t;
      memories += rows.length;
    }
    from.close();
    to.close();
    await new Promise((ok) => (indexedDB.deleteDatabase('bench-export-restore').onsuccess = ok));
    return { memories, ms: Math.round(ms) };
  })()`);
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
    encoding: int8 ? 'int8' : 'float32',
    modelId,
    dimensions,
    import: { ...imported, perSec: rate(imported.ms), ...result },
    export: { ...exported, perSec: rate(exported.ms), lines },
    indexedDbAlone: { ...ceiling, perSec: Math.round((ceiling.memories / ceiling.ms) * 1000) },
    restoreAlone: restoreAlone && {
      ...restoreAlone,
      perSec: Math.round((restoreAlone.memories / restoreAlone.ms) * 1000),
    },
  };
  const ofCeiling = Math.round((report.import.perSec / report.indexedDbAlone.perSec) * 100) / 100;
  const md = [
    `# Export and import in Chromium (${report.date}, ${report.browser}, ${report.cpus} cores, load ${load})`,
    '',
    `IndexedDB, ${dimensions}-dimension ${report.encoding} vectors (${modelId}), 10 users. Import: ${source === 'blob' ? 'a Blob of the export file (what a file input gives)' : '`fetch()` stream of the export file'}, vectors reused (no inference), onConflict 'error'. Export: every line consumed in the page. IndexedDB alone: the segments the import wrote, written again into a scratch database one transaction each, nothing else (the ceiling). Store restore alone: those memories read back and restored into a scratch store, 1,000 per transaction (the import's write side without its parsing). Heap: peak \`Runtime.getHeapUsage\` (sampled every 100 ms) minus the heap after a GC before the phase.`,
    '',
    '| memories | vectors | import /s | store restore alone /s | IndexedDB alone /s | import / alone | import peak heap MiB | export /s | export peak heap MiB |',
    '| -------: | ------- | --------: | ---------------------: | -----------------: | -------------: | -------------------: | --------: | -------------------: |',
    `| ${size.toLocaleString('en')} | ${report.encoding} | ${report.import.perSec.toLocaleString('en')} | ${report.restoreAlone?.perSec.toLocaleString('en') ?? '–'} | ${report.indexedDbAlone.perSec.toLocaleString('en')} | ${ofCeiling} | ${imported.peakMiB} | ${report.export.perSec.toLocaleString('en')} | ${exported.peakMiB} |`,
    '',
  ].join('\n');
  writeLatest('export-browser', report, md);
  if (result.imported !== size || result.reembedded !== 0 || lines !== size + 1) {
    console.error(`expected ${size} imported without inference and ${size + 1} lines back`);
    process.exitCode = 1;
  }
} finally {
  await browser.close();
  await preview.stop();
  rmSync(file, { force: true });
}
