/**
 * The engine's WebGPU path on a real GPU, under Node: Dawn (npm `webgpu`) provides `navigator.gpu`, onnxruntime-web's
 * browser build (the one the library ships) runs the WebGPU EP, and the engine's own parts do the work: the worker's
 * `SentenceEncoder` (tokenise, group by length, pad, run, mean-pool, L2-normalise) and the main-thread `Coalescer` with
 * the engine's WebGPU defaults (`settingsFor`: maxBatch 1024, maxWaitMs 10). What is left out: the Web Worker and
 * Comlink transport (Node has no Web Workers; the one worker's session runs in this process) and IndexedDB.
 *
 * Measures (same JSON shape as bench/results): texts/s of one `embed()` of batch 1 ... 4096, and sustained adds:
 * concurrent callers each embedding one text at a time through the coalescer for SUSTAINED_SECS, in several
 * configurations side by side (callers, maxBatch, batches a worker holds, pooling in the graph or on the CPU), so the
 * engine's defaults are compared with the alternatives in one run. When the adapter has `shader-f16`, the fp16
 * variant is checked against fp32 (as the engine's start-up does) and measured too.
 *
 * Env: MODEL_DIR (transformers.js-layout folder), ORT_DIR (onnxruntime-web dist: ort.min.mjs + its .wasm),
 * WEBGPU_MODULE (path of the `webgpu` package's index.js; default: the `webgpu` package), EP (webgpu | wasm; wasm
 * runs the same flow on the CPU, to test the script without a GPU), VARIANT (fp32 | fp16), BATCHES, SECS,
 * SUSTAINED (`callers/maxBatch/depth/pooling/runCap/workers;...`, pooling `graph` or `cpu`; `default` or left out =
 * the engine's setting; `workers` > 1 spreads the batches over that many worker threads, each with its own Dawn
 * device, session and encoder, as the engine's pool spreads them over Web Workers: each batch's CPU work
 * (tokenising, recording the GPU commands) then runs in parallel),
 * RUN_CAPS (padded tokens per model run for the batch rows, e.g. `4096,32768`; default: the engine's), FIXED
 * (`1024x16,...`: batch rows of texts that are all exactly that many tokens long, the shape of /work/shared/GPU.md),
 * SUSTAINED_SECS, FP16 (auto | 0), OUT_JSON, REQUIRE_HW=1 (fail on a software adapter).
 */
import { readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import os from 'node:os';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
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
const BATCHES = (env['BATCHES'] ?? '1,32,256,1024,2048').split(',').map(Number);
const SECS = Number(env['SECS'] ?? 3);
/**
 * Sustained configurations, `callers/maxBatch/depth/pooling/runCap/workers`: `default` (or left out) takes the
 * engine's WebGPU setting for this machine. The first is the engine as shipped; the others are what it was chosen
 * over: one worker, one batch per worker, pooling on the CPU, bigger batches, more workers.
 */
const SUSTAINED = (
  env['SUSTAINED'] ??
  '12288/default/default/graph/default/default;4096/1024/2/graph/default/1;4096/1024/1/graph/default/1;4096/1024/2/cpu/default/1;16384/2048/2/graph/default/default;12288/1024/2/graph/default/4'
)
  .split(';')
  .filter(Boolean)
  .map((spec) => {
    const [callers, maxBatch, depth, pooling, runCap, threads] = spec.split('/');
    return {
      callers: Number(callers),
      maxBatch: maxBatch === 'default' ? undefined : Number(maxBatch),
      depth: depth === 'default' ? undefined : Number(depth),
      pooling: pooling === 'cpu' ? ('cpu' as const) : ('graph' as const),
      runCap: runCap === undefined || runCap === 'default' ? undefined : Number(runCap),
      workers: threads === undefined || threads === 'default' ? undefined : Number(threads),
    };
  });
const RUN_CAPS = (env['RUN_CAPS'] ?? 'default').split(',').map((c) => (c === 'default' ? undefined : Number(c)));
const FIXED = (env['FIXED'] ?? '').split(',').filter(Boolean).map((f) => f.split('x').map(Number) as [number, number]);
const SUSTAINED_SECS = Number(env['SUSTAINED_SECS'] ?? 10);
const FP16 = env['FP16'] ?? 'auto';
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

interface Loaded {
  /**
   * An encoder on the session: pooling in the graph (`sentence_embedding`, the engine's default for our models) or
   * on the CPU; `runCap` padded tokens per model run (default: the engine's). Encoders on one session take turns.
   */
  encoder(pooling: 'graph' | 'cpu', runCap?: number): SentenceEncoder;
  readonly settings: ReturnType<typeof settingsFor>;
  readonly file: string;
  release(): Promise<void>;
}

/** One session of `variant`, read two ways: the graph's pooled output, and every token's vector pooled on the CPU. */
async function load(ort: Ort, variant: string): Promise<Loaded> {
  const config = JSON.parse(readFileSync(join(MODEL_DIR, 'config.json'), 'utf8')) as unknown;
  const tokenizerConfig = JSON.parse(readFileSync(join(MODEL_DIR, 'tokenizer_config.json'), 'utf8')) as Record<string, unknown>;
  const spec = readModelSpec(config, tokenizerConfig, join(MODEL_DIR, 'config.json'));
  const tokenizer = createTokenizer('huggingface', JSON.parse(readFileSync(join(MODEL_DIR, 'tokenizer.json'), 'utf8')), tokenizerConfig);
  const settings = settingsFor(checkOptions({ model: MODEL_DIR, backend: EP }), EP, { hardwareConcurrency: os.cpus().length, crossOriginIsolated: false });
  const file = variant === 'fp16' ? 'onnx/model_fp16.onnx' : variant === 'int8' ? 'onnx/model_quantized.onnx' : 'onnx/model.onnx';
  const session = await ort.InferenceSession.create(readFileSync(join(MODEL_DIR, file)), { executionProviders: [EP], graphOptimizationLevel: 'all', logSeverityLevel: 3 });
  const make = (output: string | undefined, runCap: number): SentenceEncoder =>
    new SentenceEncoder({
      session,
      Tensor: ort.Tensor,
      tokenizer,
      pooling: spec.pooling,
      output,
      maxTokens: Math.min(256, spec.maxPositions ?? 256), // the engine's default truncation
      runOverheadTokens: settings.runOverheadTokens,
      maxTokensPerRun: runCap,
    });
  const made = new Map<string, SentenceEncoder>();
  const encoder = (pooling: 'graph' | 'cpu', runCap = settings.maxTokensPerRun): SentenceEncoder => {
    const output = pooling === 'graph' ? spec.output : undefined;
    const key = `${output}/${runCap}`;
    if (!made.has(key)) made.set(key, make(output, runCap));
    return made.get(key)!;
  };
  return { encoder, settings, file, release: () => session.release() };
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
async function batchThroughput(encoder: SentenceEncoder, batch: number, pool: string[], label: string): Promise<Row> {
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
  let runs = 0;
  let padded = 0;
  const started = performance.now();
  let windowStart = started;
  let windowTexts = 0;
  while (perRun.length < 3 || performance.now() - started < SECS * 1000) {
    const t = performance.now();
    const out = await encoder.embed(next());
    perRun.push(performance.now() - t);
    runs += out.runs;
    padded += out.paddedTokens;
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
  // The CPU's share: tokenising one batch, alone.
  const texts = next();
  const t = performance.now();
  for (const text of texts) encoder.tokenize(text);
  const tokenizeMs = performance.now() - t;
  return row(label, false, windows, perRun, batch, `one embed() of ${batch} texts per call (texts/s per ~1 s window; latency = one call)`, {
    runsPerCall: round(runs / perRun.length),
    paddedTokensPerCall: Math.round(padded / perRun.length),
    tokenizeMs: round(tokenizeMs),
  });
}

interface Job extends QueuedJob {
  resolve(result: ItemResult): void;
}

/** Whatever embeds a batch: the in-process encoder, or a worker thread holding one. */
interface EmbedTarget {
  embed(texts: readonly string[]): Promise<{ readonly vectors: Float32Array; readonly dimensions: number }>;
}

interface SustainedConfig {
  readonly callers: number;
  readonly maxBatch: number;
  readonly maxWaitMs: number;
  /** Batches the one worker holds at once (the pool's `pipelineDepth`). */
  readonly depth: number;
  readonly pooling: 'graph' | 'cpu';
}

/**
 * `callers` concurrent callers, one text at a time each, through the engine's coalescer; batches go to the target
 * holding the fewest (at most `depth` each), as the engine's pool feeds its workers.
 */
async function sustained(targets: readonly EmbedTarget[], config: SustainedConfig, pool: string[], label: string): Promise<Row> {
  const { callers, depth } = config;
  const held = targets.map(() => 0);
  let inFlight = 0;
  let coalescer: Coalescer<Job> | undefined;
  const runner: BatchRunner = {
    settings: { maxBatch: config.maxBatch, maxWaitMs: config.maxWaitMs },
    get freeWorkers() {
      return held.reduce((free, n) => free + depth - n, 0);
    },
    get busyWorkers() {
      return held.filter((n) => n > 0).length;
    },
    workers: targets.length,
    get inFlightItems() {
      return inFlight;
    },
    async run(texts) {
      let k = 0;
      for (let i = 1; i < held.length; i++) if (held[i]! < held[k]!) k = i;
      held[k]!++;
      inFlight += texts.length;
      try {
        const out = await targets[k]!.embed(texts);
        const d = out.dimensions;
        return texts.map((_, i) => out.vectors.slice(i * d, (i + 1) * d));
      } catch (error) {
        return texts.map(() => (error instanceof Error ? error : new Error(String(error))));
      } finally {
        held[k]!--;
        inFlight -= texts.length;
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
    label,
    true,
    windows.length ? windows : [total],
    latencies,
    adds,
    `${callers} concurrent callers, one add at a time each, through the engine's Coalescer (maxBatch ${config.maxBatch}, maxWaitMs ${config.maxWaitMs}), ${targets.length} worker(s)${targets.length > 1 ? ' (threads)' : ''} holding ${depth} batch(es) each, pooling ${config.pooling === 'graph' ? 'in the graph' : 'on the CPU'}, for ${SUSTAINED_SECS} s; overall ${Math.round(total)} adds/s`,
    { overallAddsPerSec: round(total), batchSizes: coalescer.histogram, batches: coalescer.batches, finalTarget: coalescer.target, workers: targets.length, ...config },
  );
}

async function loadOrt(): Promise<Ort> {
  patchFileFetch();
  const ortFile = join(ORT_DIR, 'ort.min.mjs');
  if (!existsSync(ortFile)) throw new Error(`Expected onnxruntime-web's ort.min.mjs in ORT_DIR=${ORT_DIR}`);
  const ort = (await import(pathToFileURL(ortFile).href)) as Ort;
  ort.env.wasm.wasmPaths = `${pathToFileURL(ORT_DIR).href}/`;
  ort.env.wasm.numThreads = Number(env['THREADS'] ?? 1);
  ort.env.logLevel = 'error';
  return ort;
}

interface ThreadRequest {
  readonly id: number;
  readonly texts: readonly string[];
}
type ThreadReply = { readonly id: number; readonly vectors: Float32Array; readonly dimensions: number } | { readonly id: number; readonly error: string };

/** A worker thread's life: its own Dawn device, ORT, session and encoder; batches in, vectors out (transferred). */
async function threadMain(): Promise<void> {
  const { runCap } = workerData as { runCap: number | undefined };
  if (EP === 'webgpu') await installWebGpu();
  const loaded = await load(await loadOrt(), VARIANT);
  const encoder = loaded.encoder('graph', runCap);
  await encoder.embed(['warm up', 'a second text to warm the session up']);
  parentPort!.on('message', (request: ThreadRequest) => {
    encoder.embed(request.texts).then(
      (out) => parentPort!.postMessage({ id: request.id, vectors: out.vectors, dimensions: out.dimensions } satisfies ThreadReply, [out.vectors.buffer as ArrayBuffer]),
      (error: unknown) => parentPort!.postMessage({ id: request.id, error: error instanceof Error ? error.message : String(error) } satisfies ThreadReply),
    );
  });
  parentPort!.postMessage('ready');
}

/** `count` worker threads running {@link threadMain} from this same file. */
async function startThreads(count: number, runCap: number | undefined): Promise<{ targets: EmbedTarget[]; stop(): Promise<void> }> {
  const workers = Array.from({ length: count }, () => new Worker(new URL(import.meta.url), { workerData: { role: 'thread', runCap } }));
  await Promise.all(
    workers.map(
      (w) =>
        new Promise<void>((resolve, reject) => {
          w.once('error', reject);
          w.once('message', (m) => (m === 'ready' ? resolve() : reject(new Error(`Expected ready, got ${JSON.stringify(m)}`))));
        }),
    ),
  );
  let nextId = 0;
  const targets = workers.map((w): EmbedTarget => {
    const waiting = new Map<number, { resolve(r: { vectors: Float32Array; dimensions: number }): void; reject(e: Error): void }>();
    w.on('message', (reply: ThreadReply) => {
      const call = waiting.get(reply.id)!;
      waiting.delete(reply.id);
      if ('error' in reply) call.reject(new Error(reply.error));
      else call.resolve(reply);
    });
    w.on('error', (error: Error) => {
      for (const call of waiting.values()) call.reject(error);
      waiting.clear();
    });
    return {
      embed: (texts) =>
        new Promise((resolve, reject) => {
          const id = nextId++;
          waiting.set(id, { resolve, reject });
          w.postMessage({ id, texts } satisfies ThreadRequest);
        }),
    };
  });
  return { targets, stop: async () => void (await Promise.all(workers.map((w) => w.terminate()))) };
}

async function main(): Promise<void> {
  let adapter: Record<string, unknown> | null = null;
  if (EP === 'webgpu') adapter = await installWebGpu();
  if (env['PROBE'] === '1') {
    console.log('ADAPTER', JSON.stringify(adapter));
    return;
  }
  const ort = await loadOrt();
  log(`ort ${ort.env.versions?.web ?? '?'} ep=${EP} variant=${VARIANT} model=${MODEL_DIR} adapter=${JSON.stringify(adapter)}`);
  const fp32 = await load(ort, VARIANT);
  let threads: Awaited<ReturnType<typeof startThreads>> | undefined;
  const workersOf = (c: (typeof SUSTAINED)[number]): number => c.workers ?? fp32.settings.workers;
  const mostThreads = Math.max(0, ...SUSTAINED.map(workersOf).filter((n) => n > 1));
  const pool = textsFor(SEEDS.measured, 50_000);
  const rows: Row[] = [];
  const measure = async (loaded: Loaded, variant: string, batches: readonly number[], configs: readonly (typeof SUSTAINED)[number][]): Promise<void> => {
    const tag = variant === 'fp32' ? '' : `-${variant}`;
    for (const batch of batches) {
      for (const cap of RUN_CAPS) {
        const label = `GPU-batch-${batch}${cap === undefined ? '' : `-cap${cap}`}${tag}`;
        const r = await batchThroughput(loaded.encoder('graph', cap), batch, pool, label);
        rows.push(r);
        log(`${label}: ${r.opsPerSec?.median} texts/s (call p50 ${r.latencyMs?.p50} ms) ${JSON.stringify(r.extra)}`);
      }
    }
    for (const [batch, tokens] of variant === VARIANT ? FIXED : []) {
      // All texts exactly `tokens` long ([CLS] + words + [SEP]): one run of one shape, as in /work/shared/GPU.md.
      const fixed = Array.from({ length: batch * 4 }, (_, i) => Array.from({ length: tokens - 2 }, (_, w) => ['alpha', 'beta', 'gamma', 'delta'][(i + w) % 4]).join(' '));
      const label = `GPU-batch-${batch}x${tokens}-fixed${tag}`;
      const r = await batchThroughput(loaded.encoder('graph', 1 << 20), batch, fixed, label);
      rows.push(r);
      log(`${label}: ${r.opsPerSec?.median} texts/s (call p50 ${r.latencyMs?.p50} ms) ${JSON.stringify(r.extra)}`);
    }
    for (const c of configs) {
      const config: SustainedConfig = {
        callers: c.callers,
        maxBatch: c.maxBatch ?? loaded.settings.maxBatch,
        maxWaitMs: loaded.settings.maxWaitMs,
        depth: c.depth ?? loaded.settings.pipelineDepth,
        pooling: c.pooling,
      };
      // One worker: the session in this thread. More: worker threads, as the engine's pool has Web Workers.
      const workers = workersOf(c);
      let targets: EmbedTarget[] = [loaded.encoder(config.pooling, c.runCap)];
      if (workers > 1) {
        // One set of threads for every threaded row (graph pooling, the first threaded row's run cap): sessions
        // take ~30 s each to build and compile.
        if (!threads) {
          const t = performance.now();
          threads = await startThreads(mostThreads, c.runCap);
          log(`${mostThreads} worker threads ready in ${((performance.now() - t) / 1000).toFixed(1)} s`);
        }
        targets = threads.targets.slice(0, workers);
      }
      const label = `GPU-sustained-${config.callers}-b${config.maxBatch}-d${config.depth}-${config.pooling}${c.runCap === undefined ? '' : `-cap${c.runCap}`}-w${workers}${tag}`;
      const r = await sustained(targets, config, pool, label);
      rows.push(r);
      log(`${label}: ${r.extra?.['overallAddsPerSec']} adds/s; p50 ${r.latencyMs?.p50} ms p95 ${r.latencyMs?.p95} ms; batches ${JSON.stringify(r.extra?.['batchSizes'])}`);
    }
  };
  await measure(fp32, VARIANT, BATCHES, SUSTAINED);
  // fp16 as the engine would choose it: only with shader-f16, and only if a probe matches fp32.
  let fp16Note = 'fp16 not tried (FP16=0 or not WebGPU)';
  if (EP === 'webgpu' && FP16 !== '0' && VARIANT === 'fp32') {
    if (!adapter?.['shaderF16']) fp16Note = 'fp16 not run: the adapter has no shader-f16 (the engine uses fp32 then)';
    else {
      const fp16 = await load(ort, 'fp16');
      const probe = pool.slice(0, 256);
      const [a, b] = [await fp16.encoder('graph').embed(probe), await fp32.encoder('graph').embed(probe)];
      let minCos = 1;
      for (let i = 0; i < probe.length; i++) {
        let dot = 0;
        for (let d = 0; d < a.dimensions; d++) dot += a.vectors[i * a.dimensions + d]! * b.vectors[i * b.dimensions + d]!;
        minCos = Math.min(minCos, dot);
      }
      fp16Note = `fp16 vs fp32 over ${probe.length} texts: min cosine ${minCos.toFixed(6)} (the engine needs >= 0.995 to use fp16)`;
      log(fp16Note);
      if (minCos >= 0.995) await measure(fp16, 'fp16', BATCHES.filter((b) => b >= 256), SUSTAINED.slice(0, 1));
      await fp16.release();
    }
  }
  await threads?.stop();
  await fp32.release();
  const out = {
    machine: { gpu: env['GPU_NAME'] ?? null, cores: os.cpus().length, cpuModel: os.cpus()[0]?.model, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version, adapter, date: new Date().toISOString() },
    model: `minilm-l6-${VARIANT}`,
    mode: 'gpu',
    command: `${['EP', 'VARIANT', 'BATCHES', 'RUN_CAPS', 'FIXED', 'SUSTAINED', 'SECS', 'SUSTAINED_SECS', 'FP16'].filter((k) => env[k] !== undefined).map((k) => `${k}='${env[k]}'`).join(' ')} bash bench/gpu/run.sh .tmp/gpu-carry`,
    startedAt: new Date(Date.now() - (performance.now() - T0)).toISOString(),
    durationS: Math.round((performance.now() - T0) / 1000),
    notes: [
      `The engine's SentenceEncoder and Coalescer with its ${EP} defaults (maxBatch ${fp32.settings.maxBatch}, maxWaitMs ${fp32.settings.maxWaitMs}, ${fp32.settings.pipelineDepth} batches per worker), onnxruntime-web ${ort.env.versions?.web ?? '?'} (${fp32.file}) in Node${EP === 'webgpu' ? ' + Dawn' : ''}; no Web Worker/Comlink transport, no IndexedDB.`,
      fp16Note,
    ],
    results: rows,
  };
  mkdirSync(dirname(resolve(OUT_JSON)), { recursive: true });
  writeFileSync(OUT_JSON, `${JSON.stringify(out, null, 2)}\n`);
  log(`wrote ${OUT_JSON}`);
}

try {
  if (isMainThread) await main();
  else await threadMain();
  if (isMainThread) process.exit(0); // dawn.node keeps the event loop alive
} catch (error) {
  console.error('FATAL', error instanceof Error ? error.stack : error);
  process.exit(1);
}
