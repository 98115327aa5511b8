/**
 * `npm run bench [-- --quick] [-- --backend=wasm|webgpu] [-- --only=system,system] [-- --kinds=add,search,start,node]`
 *
 * `--kinds=node` runs the Node benchmark (bench/lib/node-bench.ts, `--sweep` adds the settings behind its defaults);
 * alone, it needs no browser.
 *
 * Serves the site build (`vite preview`, own port), drives `bench/pages/bench.html` in headless Chromium through
 * Playwright with a fresh browser context per system x workload, adds the native onnxruntime-node ceiling from this
 * process, and writes `bench/results/<timestamp>.json`, `latest.json`, `latest.md`, `latest.svg`.
 */
import { chromium, type Browser } from '@playwright/test';
import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, platform, release } from 'node:os';
import { resolve, join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { makePlan, type Plan, type Task } from './lib/plan.js';
import { addRatios, errorRow, label, markdown, svg, toRow } from './lib/report.js';
import { startPreview } from './lib/server.js';
import { runNative } from './lib/native.js';
import { sampleCpu } from './lib/cpu.js';
import { runNodeBench } from './lib/node-bench.js';
import type { Backend, PageResult, ResultFile, Row, RunRequest, SystemSpec } from './lib/types.js';

const root = resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
const flag = (name: string): string | undefined => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const quick = args.includes('--quick');
const backends = (flag('backend')?.split(',') ?? ['wasm', 'webgpu']) as Backend[];
const only = flag('only')?.split(',');
/** --kinds=add,search,start: run only these kinds of task (W1-W3, W4, W5), e.g. to re-measure search alone. */
const kinds = flag('kinds')?.split(',');
const skipNative = args.includes('--no-native');
/** --smoke: the full plan's code paths with minimal sizes (1 repetition, a few items): checks the harness, not speed. */
const smoke = args.includes('--smoke');
const outDir = process.env['AGENTMEM_SITE_OUT'] ?? 'dist-site';
const port = Number(process.env['AGENTMEM_BENCH_PORT'] ?? 5190);
const resultsDir = resolve(root, flag('results') ?? 'bench/results');
const MODEL_URL = '/models/minilm-l6';
const modelDir = resolve(root, 'public/models/minilm-l6');
const started = new Date();
const t0 = performance.now();
const elapsed = (): string => `${((performance.now() - t0) / 1000).toFixed(0)}s`;
const log = (msg: string): void => console.log(`[bench +${elapsed()}] ${msg}`);

function prepareSite(): void {
  const site = resolve(root, outDir);
  if (!existsSync(join(site, 'bench/pages/bench.html')))
    throw new Error(
      `Expected a site build with bench/pages/bench.html in ${site}: run \`npm run build:site\` (npm run bench does)`,
    );
  if (!existsSync(join(modelDir, 'onnx/model_quantized.onnx')))
    throw new Error(`Expected the minilm-l6 model in ${modelDir}: run \`npm run models\``);
  // EntityDB loads the hard-coded id `Xenova/all-MiniLM-L6-v2` from the localModelPath it sets itself
  // ('/huggingface'): serve our model's files there (the same bytes as /models/minilm-l6).
  const alias = join(site, 'huggingface/Xenova/all-MiniLM-L6-v2');
  for (const f of ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model_quantized.onnx']) {
    mkdirSync(join(alias, f, '..'), { recursive: true });
    cpSync(join(site, 'models/minilm-l6', f), join(alias, f));
  }
}

function chromiumVersion(): string {
  try {
    return execFileSync('/usr/lib/chromium/chromium', ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

let browser: Browser | undefined;
const theBrowser = (): Browser => {
  if (!browser) throw new Error('Chromium is not running');
  return browser;
};
let baseUrl = '';
let runCounter = 0;

/** One fresh context + page, one `window.bench.run(request)`; the context (its IndexedDB, Cache API) is discarded. */
async function runInFreshContext(request: RunRequest, timeoutMs: number): Promise<PageResult[]> {
  const context = await theBrowser().newContext();
  try {
    return await runInContext(context, request, timeoutMs);
  } finally {
    await context.close();
  }
}

async function runInContext(
  context: Awaited<ReturnType<Browser['newContext']>>,
  request: RunRequest,
  timeoutMs: number,
): Promise<PageResult[]> {
  const page = await context.newPage();
  const consoleErrors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text().slice(0, 300));
  });
  page.on('pageerror', (e) => consoleErrors.push(String(e).slice(0, 300)));
  try {
    await page.exposeFunction('benchCpu', () => sampleCpu());
    await page.goto(`${baseUrl}/bench/pages/bench.html`);
    await page.waitForFunction(() => window.bench?.ready === true, null, { timeout: 30_000 });
    const run = page.evaluate((req) => window.bench.run(req), request);
    const timeout = new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`timed out after ${timeoutMs / 1000} s`)), timeoutMs),
    );
    return await Promise.race([run, timeout]);
  } catch (e) {
    const message = (e instanceof Error ? e.message : String(e)).replace(/^page\.evaluate: /, '').split('\n')[0]!;
    throw new Error(consoleErrors.length ? `${message} (console: ${consoleErrors.slice(-2).join(' | ')})` : message);
  } finally {
    await page.close();
  }
}

function request(spec: SystemSpec, extra: Partial<RunRequest>): RunRequest {
  return {
    spec,
    model: spec.model !== undefined ? `/models/${spec.model}` : MODEL_URL,
    dbName: `bench-${++runCounter}`,
    warmupMs: 0,
    ...extra,
  };
}

/** After every task: what is measured so far, so a run that is stopped early still leaves its rows behind. */
let partialPath: string | undefined;
function savePartial(rows: Row[]): void {
  if (!partialPath) return;
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(
    partialPath,
    `${JSON.stringify({ partial: true, mode: smoke ? 'smoke' : quick ? 'quick' : 'full', startedAt: started.toISOString(), results: rows }, null, 2)}\n`,
  );
}

const specKey = (s: SystemSpec): string =>
  `${s.system}${s.model !== undefined ? `[${s.model}]` : ''}/${s.backend}/${s.defaults ? 'default' : `${s.workers ?? '-'}w/${s.coalescing === false ? 'off' : 'on'}`}`;

async function runPlan(plan: Plan, rows: Row[]): Promise<void> {
  let defaultWorkers: number | undefined;
  for (const { spec, reason } of plan.unsupported) {
    if (only && !only.includes(spec.system)) continue;
    rows.push(errorRow(spec.backend, spec, 'W1', reason));
  }
  for (const task of plan.tasks) {
    if (only && !only.includes(task.spec.system)) continue;
    if (kinds && !kinds.includes(task.kind)) continue;
    // The explicit configuration equal to the defaults is not run twice: the default row stands for it.
    if (
      task.kind === 'add' &&
      task.spec.system === 'agentmem-web' &&
      !task.spec.defaults &&
      task.spec.coalescing !== false &&
      task.spec.workers === defaultWorkers
    )
      continue;
    const started = performance.now();
    try {
      const results = await runTask(task);
      for (const r of results) {
        // A page's raw-ceiling rows: the same configuration, reported as that system (never as the default).
        const spec = r.system ? { ...task.spec, system: r.system, defaults: false, ceiling: false } : task.spec;
        const row = toRow(plan.backend, spec, r, noteFor(task, r));
        rows.push(row);
        if (task.spec.system === 'agentmem-web' && task.spec.defaults && row.workers !== null)
          defaultWorkers = row.workers;
      }
      log(
        `${plan.backend} ${specKey(task.spec)} ${results.map((r) => `${r.workload}: ${summary(r)}`).join(', ')} (${((performance.now() - started) / 1000).toFixed(1)} s)`,
      );
      savePartial(rows);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      log(`${plan.backend} ${specKey(task.spec)} ${taskName(task)} FAILED: ${message}`);
      for (const workload of taskWorkloads(task)) rows.push(errorRow(plan.backend, task.spec, workload, message));
    }
  }
}

function taskWorkloads(task: Task): Row['workload'][] {
  if (task.kind === 'add') return task.sizes.map((s) => s.workload);
  if (task.kind === 'start') return [task.workload];
  return task.sizes.flatMap((n) => [`W4-${n / 1000}k`, `W4-${n / 1000}k-scan`] as const);
}
const taskName = (task: Task): string => taskWorkloads(task).join(',');

function noteFor(task: Task, r: PageResult): string | undefined {
  if (task.kind === 'add') return task.sizes.find((s) => s.workload === r.workload)?.note;
  return undefined;
}

function summary(r: PageResult): string {
  const ops = r.reps.map((x) => x.ops / (x.ms / 1000)).sort((a, b) => a - b);
  return `${ops[Math.floor(ops.length / 2)]?.toFixed(1) ?? '?'}/s`;
}

async function runTask(task: Task): Promise<PageResult[]> {
  if (task.kind === 'add') {
    // A page runs every workload of its system (twice the texts with a paired raw ceiling); SwiftShader takes ~1-3 s a text.
    const work = task.sizes.reduce((n, s) => n + s.items * s.reps, 0) * (task.spec.ceiling ? 2 : 1);
    return await runInFreshContext(
      request(task.spec, { adds: task.sizes, warmupMs: task.warmupMs }),
      120_000 + work * (task.spec.backend === 'webgpu' ? 4000 : 200),
    );
  }
  if (task.kind === 'search') {
    return await runInFreshContext(
      request(task.spec, { search: { sizes: task.sizes, queries: task.queries } }),
      600_000,
    );
  }
  // W5: cold = a fresh context per repetition (empty Cache API and HTTP cache); cached = one context primed by a
  // first create+add, then a fresh page per repetition.
  const reps: PageResult[] = [];
  if (task.workload === 'W5-cold') {
    for (let i = 0; i < task.reps; i++)
      reps.push(...(await runInFreshContext(request(task.spec, { start: 'W5-cold' }), 180_000)));
  } else {
    const context = await theBrowser().newContext();
    try {
      await runInContext(context, request(task.spec, { start: 'W5-cold' }), 180_000);
      for (let i = 0; i < task.reps; i++)
        reps.push(...(await runInContext(context, request(task.spec, { start: 'W5-cached' }), 180_000)));
    } finally {
      await context.close();
    }
  }
  return [
    {
      workload: task.workload,
      reps: reps.flatMap((r) => r.reps),
      ...(reps[0]?.resolved ? { resolved: reps[0].resolved } : {}),
    },
  ];
}

async function nativeRows(plan: Plan): Promise<Row[]> {
  if (!plan.native || skipNative || (only && !only.includes('native-ort')) || (kinds && !kinds.includes('add')))
    return [];
  const spec: SystemSpec = { system: 'native-ort', backend: 'wasm' };
  try {
    const results = await runNative(
      modelDir,
      plan.native.sizes.map((s) => ({ workload: s.workload, n: s.items })),
      plan.native.threads,
      plan.native.sizes[0]!.reps,
      quick ? 1500 : 3000,
    );
    return results.map((r) => {
      const row = toRow(
        'wasm',
        spec,
        { workload: r.workload, reps: r.reps },
        `onnxruntime-node CPU EP in Node, intraOpNumThreads=${r.threads}, batch 32, outside the browser (listed with the CPU backend)`,
      );
      return { ...row, workers: r.threads, coalescing: false };
    });
  } catch (e) {
    return [errorRow('wasm', spec, 'W1', `onnxruntime-node failed: ${e instanceof Error ? e.message : String(e)}`)];
  }
}

function shrink(plan: Plan): Plan {
  const tiny = <T extends { workload: string; items: number; callers: number; perCaller: number; reps: number }>(
    s: T,
  ): T => ({
    ...s,
    callers: Math.min(s.callers, 4),
    perCaller: 1,
    items: s.workload.startsWith('W2') ? 8 : Math.min(s.callers, 4),
    reps: 1,
  });
  const tasks = plan.tasks.map((t): Task => {
    if (t.kind === 'add') return { ...t, sizes: t.sizes.map((s) => tiny(s)), warmupMs: 0 };
    if (t.kind === 'search') return { ...t, queries: 2 };
    return { ...t, reps: 1 };
  });
  return {
    ...plan,
    tasks,
    ...(plan.native ? { native: { ...plan.native, sizes: plan.native.sizes.map((s) => tiny(s)) } } : {}),
    notes: ['--smoke: minimal sizes, 1 repetition: not a measurement.', ...plan.notes],
  };
}

async function main(): Promise<void> {
  if (kinds?.includes('node')) {
    await runNodeBench({ root, resultsDir, quick, smoke, sweep: args.includes('--sweep'), log });
    if (kinds.length === 1) return;
  }
  prepareSite();
  partialPath = join(resultsDir, `${started.toISOString().replace(/[:.]/g, '-')}.partial.json`);
  const preview = await startPreview(root, outDir, port);
  // Ctrl-C or a kill must not leave the preview server (its own process group) or Chromium behind.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      setTimeout(() => process.exit(130), 5000).unref();
      void Promise.allSettled([browser?.close(), preview.stop()]).then(() => process.exit(130));
    });
  }
  baseUrl = preview.url;
  browser = await chromium.launch({
    executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
    args: ['--disable-quic', '--enable-unsafe-webgpu'],
  });
  const rows: Row[] = [];
  const notes: string[] = [];
  let pageInfo: Record<string, unknown> = {};
  try {
    const ctx = await theBrowser().newContext();
    const page = await ctx.newPage();
    await page.goto(`${baseUrl}/bench/pages/bench.html`);
    await page.waitForFunction(() => window.bench?.ready === true);
    pageInfo = await page.evaluate(() => window.bench.info());
    await ctx.close();
    log(`${smoke ? 'smoke' : quick ? 'quick' : 'full'} run; page: ${JSON.stringify(pageInfo)}`);
    for (const backend of backends) {
      if (backend === 'webgpu' && !(pageInfo['webgpuAdapter'] as { vendor?: string } | null)?.vendor) {
        notes.push('WebGPU: no adapter in this browser; WebGPU rows skipped.');
        continue;
      }
      const plan = smoke ? shrink(makePlan(backend, false)) : makePlan(backend, quick);
      notes.push(...plan.notes);
      await runPlan(plan, rows);
      const native = await nativeRows(plan);
      rows.push(...native);
      if (native.length)
        log(
          `native-ort: ${native.map((r) => `${r.workers}t ${r.workload} ${r.opsPerSec?.median ?? r.error}`).join(', ')}`,
        );
    }
  } finally {
    await browser?.close();
    await preview.stop();
  }
  addRatios(rows);
  notes.push(
    'W4 stores are seeded without inference (see "seeded with"): the scan cost does not depend on the vector values. "scan" times a search whose query vector needs no inference (agentmem-web: the query is in the embedding cache; baselines: a ready vector); "end to end" embeds a never-seen query first.',
    'W5 "not cached" opens a fresh browser context (empty Cache API and HTTP cache); "cached" reuses a context where one create+add already ran.',
  );
  const file: ResultFile = {
    machine: {
      cores: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      os: `${platform()} ${release()}`,
      node: process.version,
      chromium: chromiumVersion(),
      userAgent: pageInfo['userAgent'],
      hardwareConcurrency: pageInfo['hardwareConcurrency'],
      crossOriginIsolated: pageInfo['crossOriginIsolated'],
      webgpuAdapter: pageInfo['webgpuAdapter'],
      date: started.toISOString(),
    },
    model: 'minilm-l6-int8',
    mode: smoke ? 'smoke' : quick ? 'quick' : 'full',
    command: `npm run bench${args.length ? ` -- ${args.join(' ')}` : ''}`,
    startedAt: started.toISOString(),
    durationS: Math.round((performance.now() - t0) / 1000),
    notes,
    results: rows,
  };
  mkdirSync(resultsDir, { recursive: true });
  const json = `${JSON.stringify(file, null, 2)}\n`;
  const stamp = started.toISOString().replace(/[:.]/g, '-');
  writeFileSync(join(resultsDir, `${stamp}${smoke ? '-smoke' : quick ? '-quick' : ''}.json`), json);
  writeFileSync(join(resultsDir, 'latest.json'), json);
  rmSync(partialPath, { force: true });
  const md = markdown(file);
  writeFileSync(join(resultsDir, 'latest.md'), md);
  writeFileSync(join(resultsDir, 'latest.svg'), svg(file));
  console.log(`\n${md}`);
  const failed = rows.filter((r) => r.error);
  log(
    `done in ${file.durationS} s: ${rows.length} rows (${failed.length} with an error: ${failed.map((r) => `${label(r)} ${r.workload}`).join(', ') || 'none'}); results in ${resultsDir}`,
  );
}

await main();
// onnxruntime-node's thread pool (the native rows) keeps the event loop alive: leave explicitly.
process.exit(0);
