/**
 * The engine's WebGPU path on a real GPU, under Node: Dawn (npm `webgpu`) provides `navigator.gpu`, onnxruntime-web's
 * browser build (the one the library ships) runs the WebGPU EP, and the engine's own parts do the work: the worker's
 * `SentenceEncoder` (tokenise, group by length, pad, run, mean-pool, L2-normalise) and the main-thread `Coalescer` with
 * the engine's WebGPU defaults (`settingsFor`: maxBatch 1024, maxWaitMs 10). What is left out: the Web Worker and
 * Comlink transport (Node has no Web Workers; the one worker's session runs in this process) and IndexedDB.
 *
 * Measures (same JSON shape as bench/results): texts/s of one `embed()` of batch 1/32/256/1024, and sustained adds:
 * CALLERS concurrent callers each embedding one text at a time through the coalescer for SUSTAINED_SECS.
 *
 * Env: MODEL_DIR (transformers.js-layout folder), ORT_DIR (onnxruntime-web dist: ort.min.mjs + its .wasm),
 * WEBGPU_MODULE (path of the `webgpu` package's index.js; default: the `webgpu` package), EP (webgpu | wasm; wasm
 * runs the same flow on the CPU, to test the script without a GPU), VARIANT (fp32 | fp16), BATCHES, SECS,
 * CALLERS, SUSTAINED_SECS, OUT_JSON, REQUIRE_HW=1 (fail on a software adapter).
 */
import { readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import os from 'node:os';
import { SentenceEncoder } from '../../src/worker/encoder.js';
import { createTokenizer } from '../../src/worker/tokenizer.js';
import { Coalescer, type BatchRunner, type QueuedJob } from '../../src/engine/coalescer.js';
import type { ItemResult } from '../../src/engine/pool.js';
import { checkOptions, settingsFor } from '../../src/engine/options.js';
import { readModelSpec } from '../../src/models/config.js';
import { textsFor, SEEDS } from '../lib/texts.js';
import { median, percentile, round } from '../lib/stats.js';
import type { Row } from '../lib/types.js';

const env = process.env;
const EP = (env['EP'] ?? 'webgpu') as 'webgpu' | 'wasm';
const VARIANT = env['VARIANT'] ?? 'fp32';
const MODEL_DIR = resolve(env['MODEL_DIR'] ?? 'public/models/minilm-l6');
const ORT_DIR = resolve(env['ORT_DIR'] ?? 'node_modules/onnxruntime-web/dist');
const BATCHES = (env['BATCHES'] ?? '1,32,256,1024').split(',').map(Number);
const SECS = Number(env['SECS'] ?? 3);
const CALLERS = (env['CALLERS'] ?? '1024,4096').split(',').map(Number);
const SUSTAINED_SECS = Number(env['SUSTAINED_SECS'] ?? 10);
const OUT_JSON = env['OUT_JSON'] ?? join(env['OUT'] ?? '.tmp', 'gpu-results.json');
const T0 = performance.now();
const log = (...a: unknown[]): void => console.log(`[gpu-bench +${((performance.now() - T0) / 1000).toFixed(1)}s]`, ...a);

interface AdapterInfo {
  vendor?: string;
  architecture?: string;
  description?: string;
  isFallbackAdapter?: boolean;
}

/** navigator.gpu from Dawn, with the two fixes ORT-web needs in Node (see /work/shared/GPU.md). */
async function installWebGpu(): Promise<Record<string, unknown>> {
  const modulePath = env['WEBGPU_MODULE'];
  const webgpu = (await import(modulePath ? pathToFileURL(modulePath).href : 'webgpu')) as {
    create(opts: string[]): { requestAdapter(o?: object): Promise<{ info: AdapterInfo; features: Set<string> } | null> };
    globals: Record<string, unknown>;
  };
  Object.assign(globalThis, webgpu.globals); // GPUBufferUsage, GPUMapMode, ... (ORT's JSEP uses them as globals)
  // dawn.node rejects a SharedArrayBuffer in writeBuffer (and crashes on a view of one): copy such uploads.
  const queue = (webgpu.globals['GPUQueue'] as { prototype: { writeBuffer: (this: unknown, ...a: unknown[]) => unknown } }).prototype;
  const original = queue.writeBuffer;
  queue.writeBuffer = function (this: unknown, ...a: unknown[]) {
    const [buffer, offset, data] = a;
    const dataOffset = a[3] as number | undefined;
    const size = a[4] as number | undefined;
    const shared = data instanceof SharedArrayBuffer || (ArrayBuffer.isView(data) && data.buffer instanceof SharedArrayBuffer);
    if (!shared) return original.apply(this, a);
    let bytes: Uint8Array;
    if (data instanceof SharedArrayBuffer) {
      const start = dataOffset ?? 0;
      bytes = new Uint8Array(data, start, size ?? data.byteLength - start);
    } else {
      const view = data as ArrayBufferView & { BYTES_PER_ELEMENT?: number };
      const es = view.BYTES_PER_ELEMENT ?? 1;
      const start = (dataOffset ?? 0) * es;
      bytes = new Uint8Array(view.buffer, view.byteOffset + start, size !== undefined ? size * es : view.byteLength - start);
    }
    return original.call(this, buffer, offset, bytes.slice());
  };
  const gpu = webgpu.create((env['DAWN_OPTS'] ?? '').split(';').filter(Boolean));
  Object.defineProperty(globalThis, 'navigator', { value: { gpu, hardwareConcurrency: os.cpus().length, userAgent: `node/${process.version}` }, configurable: true });
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) throw new Error('Dawn found no WebGPU adapter (see bench/gpu/README.md: Vulkan ICD)');
  const info = { vendor: adapter.info.vendor, architecture: adapter.info.architecture, description: adapter.info.description, isFallbackAdapter: adapter.info.isFallbackAdapter, shaderF16: adapter.features.has('shader-f16') };
  if (env['REQUIRE_HW'] === '1' && info.isFallbackAdapter) throw new Error(`Only a software adapter: ${JSON.stringify(info)}`);
  return info;
}

/** ORT-web's threaded build preloads its .mjs with fetch(): Node's fetch cannot read file: URLs. */
function patchFileFetch(): void {
  const original = globalThis.fetch;
  const urls = new WeakMap<Blob, string>();
  globalThis.fetch = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (url.startsWith('file:')) {
      const buf = readFileSync(fileURLToPath(url));
      const blob = new Blob([buf]);
      urls.set(blob, url);
      // blob() must hand back this Blob: createObjectURL below maps it to the file URL, which import() can load.
      const response = new Response(buf, { status: 200 });
      Object.defineProperty(response, 'blob', { value: async () => blob });
      return response;
    }
    return original(input, init);
  }) as typeof fetch;
  const create = URL.createObjectURL.bind(URL);
  URL.createObjectURL = (o: Blob) => urls.get(o) ?? create(o);
}

type Ort = typeof import('onnxruntime-web');

async function loadEncoder(ort: Ort): Promise<{ encoder: SentenceEncoder; settings: ReturnType<typeof settingsFor>; file: string }> {
  const config = JSON.parse(readFileSync(join(MODEL_DIR, 'config.json'), 'utf8')) as unknown;
  const tokenizerConfig = JSON.parse(readFileSync(join(MODEL_DIR, 'tokenizer_config.json'), 'utf8')) as Record<string, unknown>;
  const spec = readModelSpec(config, tokenizerConfig, join(MODEL_DIR, 'config.json'));
  const tokenizer = createTokenizer('huggingface', JSON.parse(readFileSync(join(MODEL_DIR, 'tokenizer.json'), 'utf8')), tokenizerConfig);
  const settings = settingsFor(checkOptions({ model: MODEL_DIR, backend: EP }), EP, { hardwareConcurrency: os.cpus().length, crossOriginIsolated: false });
  const file = VARIANT === 'fp16' ? 'onnx/model_fp16.onnx' : VARIANT === 'int8' ? 'onnx/model_quantized.onnx' : 'onnx/model.onnx';
  const session = await ort.InferenceSession.create(readFileSync(join(MODEL_DIR, file)), { executionProviders: [EP], graphOptimizationLevel: 'all', logSeverityLevel: 3 });
  const encoder = new SentenceEncoder({
    session,
    Tensor: ort.Tensor,
    tokenizer,
    pooling: spec.pooling,
    output: spec.output,
    maxTokens: Math.min(256, spec.maxPositions ?? 256), // the engine's default truncation
    runOverheadTokens: settings.runOverheadTokens,
    maxTokensPerRun: settings.maxTokensPerRun,
  });
  return { encoder, settings, file };
}

function row(workload: string, coalescing: boolean, opsPerSec: number[], latencies: number[], items: number, note: string, extra: Record<string, unknown> = {}): Row {
  return {
    backend: EP === 'webgpu' ? 'webgpu' : 'wasm',
    workload: workload as Row['workload'],
    system: 'agentmem-web',
    workers: 1,
    coalescing,
    opsPerSec: opsPerSec.length ? { median: round(median(opsPerSec)), min: round(Math.min(...opsPerSec)), max: round(Math.max(...opsPerSec)) } : null,
    latencyMs: latencies.length ? { p50: round(percentile(latencies, 50)), p95: round(percentile(latencies, 95)) } : null,
    ratioToNaive: null,
    ratioToRawCeiling: null,
    items,
    reps: opsPerSec.length,
    note,
    extra,
  };
}

/** One embed() of `batch` texts, repeated for SECS: the engine's worker path at a fixed batch size. */
async function batchThroughput(encoder: SentenceEncoder, batch: number, pool: string[]): Promise<Row> {
  let offset = 0;
  const next = (): string[] => {
    if (offset + batch > pool.length) offset = 0;
    const texts = pool.slice(offset, offset + batch);
    offset += batch;
    return texts;
  };
  for (let w = 0; w < 2; w++) await encoder.embed(next());
  const perRun: number[] = [];
  const windows: number[] = [];
  const started = performance.now();
  let windowStart = started;
  let windowTexts = 0;
  while (perRun.length < 3 || performance.now() - started < SECS * 1000) {
    const t = performance.now();
    const out = await encoder.embed(next());
    perRun.push(performance.now() - t);
    windowTexts += batch;
    if (out.vectors.length !== batch * encoder.dimensions) throw new Error(`Expected ${batch} vectors, got ${out.vectors.length / encoder.dimensions}`);
    // Throughput per ~1 s window, so the row has a median, min and max like the browser rows.
    if (performance.now() - windowStart >= 1000) {
      windows.push(windowTexts / ((performance.now() - windowStart) / 1000));
      windowStart = performance.now();
      windowTexts = 0;
    }
  }
  if (windows.length === 0) windows.push(windowTexts / ((performance.now() - windowStart) / 1000));
  return row(`GPU-batch-${batch}`, false, windows, perRun, batch, `one embed() of ${batch} texts per run (texts/s per ~1 s window; latency = one run)`);
}

interface Job extends QueuedJob {
  resolve(result: ItemResult): void;
}

/** CALLERS concurrent callers, one text at a time each, through the engine's coalescer and its WebGPU defaults. */
async function sustained(encoder: SentenceEncoder, settings: ReturnType<typeof settingsFor>, callers: number, pool: string[]): Promise<Row> {
  let busy = false;
  let inFlight = 0;
  let coalescer: Coalescer<Job> | undefined;
  const runner: BatchRunner = {
    settings: { maxBatch: settings.maxBatch, maxWaitMs: settings.maxWaitMs },
    get freeWorkers() {
      return busy ? 0 : 1;
    },
    get busyWorkers() {
      return busy ? 1 : 0;
    },
    get inFlightItems() {
      return inFlight;
    },
    async run(texts) {
      busy = true;
      inFlight = texts.length;
      try {
        const out = await encoder.embed(texts);
        const d = out.dimensions;
        return texts.map((_, i) => out.vectors.slice(i * d, (i + 1) * d));
      } catch (error) {
        return texts.map(() => (error instanceof Error ? error : new Error(String(error))));
      } finally {
        busy = false;
        inFlight = 0;
        coalescer?.schedule();
      }
    },
  };
  coalescer = new Coalescer<Job>({ pool: runner, maxQueue: 4096, deliver: (job, result) => job.resolve(result) });
  const embed = (text: string): Promise<ItemResult> =>
    new Promise((resolve) => coalescer!.submit({ text, stage: 'lookup', enqueuedAt: 0, resolve }));
  let next = 0;
  const take = (): string => pool[next++ % pool.length]!;
  const runFor = async (ms: number, record: boolean): Promise<{ adds: number; latencies: number[]; windows: number[] }> => {
    const end = performance.now() + ms;
    const latencies: number[] = [];
    const windows: number[] = [];
    let adds = 0;
    let windowStart = performance.now();
    let windowAdds = 0;
    let failures = 0;
    await Promise.all(
      Array.from({ length: callers }, async () => {
        while (performance.now() < end) {
          const t = performance.now();
          const result = await embed(take());
          if (result instanceof Error) {
            failures++;
            if (failures === 1) log('add failed:', result.message);
            continue;
          }
          adds++;
          windowAdds++;
          if (record) latencies.push(performance.now() - t);
          const now = performance.now();
          if (now - windowStart >= 1000) {
            windows.push(windowAdds / ((now - windowStart) / 1000));
            windowStart = now;
            windowAdds = 0;
          }
        }
      }),
    );
    if (failures) throw new Error(`${failures} adds failed`);
    return { adds, latencies, windows };
  };
  await runFor(Math.min(3000, SUSTAINED_SECS * 300), false); // let the coalescer's batch target grow
  const started = performance.now();
  const { adds, latencies, windows } = await runFor(SUSTAINED_SECS * 1000, true);
  const total = adds / ((performance.now() - started) / 1000);
  return row(
    `GPU-sustained-${callers}`,
    true,
    windows.length ? windows : [total],
    latencies,
    adds,
    `${callers} concurrent callers, one add at a time each, through the engine's Coalescer (maxBatch ${settings.maxBatch}, maxWaitMs ${settings.maxWaitMs}) for ${SUSTAINED_SECS} s; overall ${Math.round(total)} adds/s`,
    { overallAddsPerSec: round(total), batchSizes: coalescer.histogram, batches: coalescer.batches, finalTarget: coalescer.target },
  );
}

async function main(): Promise<void> {
  let adapter: Record<string, unknown> | null = null;
  if (EP === 'webgpu') adapter = await installWebGpu();
  if (env['PROBE'] === '1') {
    console.log('ADAPTER', JSON.stringify(adapter));
    return;
  }
  patchFileFetch();
  const ortFile = join(ORT_DIR, 'ort.min.mjs');
  if (!existsSync(ortFile)) throw new Error(`Expected onnxruntime-web's ort.min.mjs in ORT_DIR=${ORT_DIR}`);
  const ort = (await import(pathToFileURL(ortFile).href)) as Ort;
  ort.env.wasm.wasmPaths = `${pathToFileURL(ORT_DIR).href}/`;
  ort.env.wasm.numThreads = Number(env['THREADS'] ?? 1);
  ort.env.logLevel = 'error';
  log(`ort ${ort.env.versions?.web ?? '?'} ep=${EP} variant=${VARIANT} model=${MODEL_DIR} adapter=${JSON.stringify(adapter)}`);
  const { encoder, settings, file } = await loadEncoder(ort);
  const pool = textsFor(SEEDS.measured, 50_000);
  const rows: Row[] = [];
  for (const batch of BATCHES) {
    const r = await batchThroughput(encoder, batch, pool);
    rows.push(r);
    log(`batch ${batch}: ${r.opsPerSec?.median} texts/s (run p50 ${r.latencyMs?.p50} ms)`);
  }
  for (const callers of CALLERS) {
    const r = await sustained(encoder, settings, callers, pool);
    rows.push(r);
    log(`sustained, ${callers} callers: ${r.note}; p50 ${r.latencyMs?.p50} ms p95 ${r.latencyMs?.p95} ms; batches ${JSON.stringify(r.extra?.['batchSizes'])}`);
  }
  await encoder.release();
  const out = {
    machine: { cores: os.cpus().length, cpuModel: os.cpus()[0]?.model, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version, adapter, date: new Date().toISOString() },
    model: `minilm-l6-${VARIANT}`,
    mode: 'gpu',
    command: `bash bench/gpu/run.sh (EP=${EP} VARIANT=${VARIANT} BATCHES=${BATCHES} CALLERS=${CALLERS} SECS=${SECS} SUSTAINED_SECS=${SUSTAINED_SECS})`,
    startedAt: new Date(Date.now() - (performance.now() - T0)).toISOString(),
    durationS: Math.round((performance.now() - T0) / 1000),
    notes: [
      `The engine's SentenceEncoder and Coalescer with its ${EP} defaults, onnxruntime-web ${ort.env.versions?.web ?? '?'} (${file}) in Node${EP === 'webgpu' ? ' + Dawn' : ''}; no Web Worker/Comlink transport, no IndexedDB.`,
    ],
    results: rows,
  };
  mkdirSync(dirname(resolve(OUT_JSON)), { recursive: true });
  writeFileSync(OUT_JSON, `${JSON.stringify(out, null, 2)}\n`);
  log(`wrote ${OUT_JSON}`);
}

try {
  await main();
  process.exit(0); // dawn.node keeps the event loop alive
} catch (error) {
  console.error('FATAL', error instanceof Error ? error.stack : error);
  process.exit(1);
}
