/**
 * The engine's WebGPU path on a real GPU, under Node: Dawn (npm `webgpu`) provides `navigator.gpu`, onnxruntime-web's
 * browser build (the one the library ships) runs the WebGPU EP, and the engine's own parts do the work: the worker's
 * `SentenceEncoder` (tokenise, group by length, pad, run, read the pooled output, L2-normalise) and the main-thread
 * `Coalescer` with the engine's WebGPU settings (`settingsFor`). Several workers are `worker_threads` threads
 * (threads.ts) in place of the pool's Web Workers; IndexedDB is left out.
 *
 * Measures (same JSON shape as bench/results): texts/s of one `embed()` of batch 1 ... 2048, and sustained adds:
 * concurrent callers each embedding one text at a time through the coalescer for SUSTAINED_SECS, in several
 * configurations side by side (callers, maxBatch, batches a worker holds, pooling in the graph or on the CPU), so the
 * engine's defaults are compared with the alternatives in one run. When the adapter has `shader-f16`, the fp16
 * variant is checked against fp32 (as the engine's start-up does) and measured too.
 *
 * Env: MODEL_DIR (transformers.js-layout folder), ORT_DIR (onnxruntime-web dist: ort.min.mjs + its .wasm),
 * WEBGPU_MODULE (path of the `webgpu` package's index.js; default: the `webgpu` package), EP (webgpu | wasm; wasm
 * runs the same flow on the CPU, to test the script without a GPU), VARIANT (fp32 | fp16), BATCHES, SECS,
 * SUSTAINED (`callers/maxBatch/depth/pooling/runCap/workers/overhead;...`, pooling `graph` or `cpu`; `default` or left out =
 * the engine's setting; `workers` > 1 spreads the batches over that many worker threads, each with its own Dawn
 * device, session and encoder, as the engine's pool spreads them over Web Workers: each batch's CPU work
 * (tokenising, recording the GPU commands) then runs in parallel),
 * RUN_CAPS (padded tokens per model run for the batch rows, e.g. `4096,32768`; default: the engine's), FIXED
 * (`1024x16,...`: batch rows of texts that are all exactly that many tokens long),
 * SUSTAINED_SECS, FP16 (auto | 0), OUT_JSON, REQUIRE_HW=1 (fail on a software adapter), TEXTS (`sentences`, the
 * default: the benchmark's 9-37-token memories; `paragraphs`: W6-long's conversation notes of ~80-230 tokens).
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import os from 'node:os';
import { isMainThread } from 'node:worker_threads';
import { paragraphsFor, textsFor, SEEDS } from '../lib/texts.js';
import type { Row } from '../lib/types.js';
import {
  BATCH_STEPS,
  BATCHES,
  EP,
  FIXED,
  FP16,
  MODEL_DIR,
  OUT_JSON,
  RUN_CAPS,
  SUSTAINED,
  T0,
  TEXTS,
  VARIANT,
  env,
  log,
} from './config.js';
import type { ShapeSteps } from '../../src/worker/protocol.js';
import { batchThroughput, sustained, type EmbedTarget, type SustainedConfig } from './measure.js';
import { installWebGpu, load, loadOrt, type Loaded } from './runtime.js';
import { startThreads, threadMain, type RunSettings, type Threads } from './threads.js';

const stepsTag = (steps: ShapeSteps | null | undefined): string =>
  steps === null ? '-exact' : steps ? `-s${steps.length}x${steps.count}` : '';

async function main(): Promise<void> {
  let adapter: Record<string, unknown> | null = null;
  if (EP === 'webgpu') adapter = await installWebGpu();
  if (env['PROBE'] === '1') {
    console.log('ADAPTER', JSON.stringify(adapter));
    return;
  }
  const ort = await loadOrt();
  log(
    `ort ${ort.env.versions?.web ?? '?'} ep=${EP} variant=${VARIANT} model=${MODEL_DIR} adapter=${JSON.stringify(adapter)}`,
  );
  const fp32 = await load(ort, VARIANT);
  const workersOf = (c: (typeof SUSTAINED)[number]): number => c.workers ?? fp32.settings.workers;
  // Rows with several workers run on one set of worker threads (sessions take ~30 s each to build and compile),
  // each batch with its row's run settings. The threads pool in the graph: a row asking for CPU pooling on several
  // workers would be labelled with a setting it did not run.
  for (const c of SUSTAINED) {
    if (workersOf(c) > 1 && c.pooling !== 'graph')
      throw new Error(`Rows with several workers pool in the graph; got ${c.pooling}`);
  }
  const mostThreads = Math.max(0, ...SUSTAINED.map(workersOf));
  let threads: Threads | undefined;
  const threadsFor = async (count: number, settings: RunSettings): Promise<EmbedTarget[]> => {
    if (!threads) {
      const t = performance.now();
      threads = await startThreads(new URL(import.meta.url), mostThreads);
      log(`${mostThreads} worker threads ready in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    }
    return threads.targets(count, settings);
  };
  const pool = TEXTS === 'paragraphs' ? paragraphsFor(SEEDS.measured, 20_000) : textsFor(SEEDS.measured, 50_000);
  const rows: Row[] = [];
  const measure = async (
    loaded: Loaded,
    variant: string,
    batches: readonly number[],
    configs: readonly (typeof SUSTAINED)[number][],
  ): Promise<void> => {
    const tag = variant === 'fp32' ? '' : `-${variant}`;
    for (const batch of batches) {
      for (const cap of RUN_CAPS) {
        for (const steps of BATCH_STEPS) {
          const label = `GPU-batch-${batch}${cap === undefined ? '' : `-cap${cap}`}${stepsTag(steps)}${tag}`;
          const r = await batchThroughput(loaded.encoder('graph', cap, undefined, steps), batch, pool, label);
          rows.push(r);
          log(`${label}: ${r.opsPerSec?.median} texts/s (call p50 ${r.latencyMs?.p50} ms) ${JSON.stringify(r.extra)}`);
        }
      }
    }
    for (const [batch, tokens] of variant === VARIANT ? FIXED : []) {
      // All texts exactly `tokens` long ([CLS] + words + [SEP]): one run of one shape.
      const fixed = Array.from({ length: batch * 4 }, (_, i) =>
        Array.from({ length: tokens - 2 }, (_, w) => ['alpha', 'beta', 'gamma', 'delta'][(i + w) % 4]).join(' '),
      );
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
        runCap: c.runCap ?? loaded.settings.runPlan.maxTokensPerRun,
        runOverheadTokens: c.overhead ?? loaded.settings.runPlan.runOverheadTokens,
        shapeSteps: c.steps === undefined ? (loaded.settings.runPlan.shapeSteps ?? null) : c.steps,
      };
      // One worker: the session in this thread. More: worker threads, as the engine's pool has Web Workers.
      const workers = workersOf(c);
      const targets: EmbedTarget[] =
        workers > 1
          ? await threadsFor(workers, {
              runCap: c.runCap,
              overhead: c.overhead,
              steps: c.steps,
              attention: c.attention,
            })
          : [loaded.encoder(config.pooling, c.runCap, c.overhead, c.steps, c.attention)];
      const attentionTag = c.attention === undefined ? '' : `-att${c.attention ?? 'none'}`;
      const label = `GPU-sustained-${config.callers}-b${config.maxBatch}-d${config.depth}-${config.pooling}${c.runCap === undefined ? '' : `-cap${c.runCap}`}${c.overhead === undefined ? '' : `-o${c.overhead}`}${stepsTag(c.steps)}${attentionTag}-w${workers}${tag}`;
      const r = await sustained(targets, config, pool, label);
      rows.push(r);
      log(
        `${label}: ${String(r.extra?.['overallAddsPerSec'])} adds/s; p50 ${r.latencyMs?.p50} ms p95 ${r.latencyMs?.p95} ms; batches ${JSON.stringify(r.extra?.['batchSizes'])}`,
      );
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
        for (let d = 0; d < a.dimensions; d++)
          dot += a.vectors[i * a.dimensions + d]! * b.vectors[i * b.dimensions + d]!;
        minCos = Math.min(minCos, dot);
      }
      fp16Note = `fp16 vs fp32 over ${probe.length} texts: min cosine ${minCos.toFixed(6)} (the engine needs >= 0.995 to use fp16)`;
      log(fp16Note);
      if (minCos >= 0.995)
        await measure(
          fp16,
          'fp16',
          BATCHES.filter((b) => b >= 256),
          SUSTAINED.slice(0, 1),
        );
      await fp16.release();
    }
  }
  await threads?.stop();
  await fp32.release();
  const out = {
    machine: {
      gpu: env['GPU_NAME'] ?? null,
      cores: os.cpus().length,
      cpuModel: os.cpus()[0]?.model,
      memoryGiB: Math.round(os.totalmem() / 2 ** 30),
      node: process.version,
      adapter,
      date: new Date().toISOString(),
    },
    model: `minilm-l6-${VARIANT}`,
    mode: 'gpu',
    command: `${[
      'EP',
      'VARIANT',
      'BATCHES',
      'BATCH_STEPS',
      'RUN_CAPS',
      'FIXED',
      'SUSTAINED',
      'SECS',
      'SUSTAINED_SECS',
      'FP16',
      'TEXTS',
    ]
      .filter((k) => env[k] !== undefined)
      .map((k) => `${k}='${env[k]}'`)
      .join(' ')} bash bench/gpu/run.sh .tmp/gpu-carry`,
    startedAt: new Date(Date.now() - (performance.now() - T0)).toISOString(),
    durationS: Math.round((performance.now() - T0) / 1000),
    notes: [
      `The engine's SentenceEncoder and Coalescer with its ${EP} defaults (maxBatch ${fp32.settings.maxBatch}, maxWaitMs ${fp32.settings.maxWaitMs}, ${fp32.settings.pipelineDepth} batches per worker, ${fp32.settings.workers} worker(s), run overhead ${fp32.settings.runPlan.runOverheadTokens} tokens, at most ${fp32.settings.runPlan.maxTokensPerRun} padded tokens and ${fp32.settings.runPlan.maxAttentionPerRun} rows x length² per run, shape steps ${fp32.settings.runPlan.shapeSteps ? `${fp32.settings.runPlan.shapeSteps.length} tokens x ${fp32.settings.runPlan.shapeSteps.count} rows` : 'none'}), onnxruntime-web ${ort.env.versions?.web ?? '?'} (${fp32.file}) in Node${EP === 'webgpu' ? ' + Dawn' : ''}; no Web Worker/Comlink transport, no IndexedDB.`,
      fp16Note,
      TEXTS === 'paragraphs'
        ? 'Texts: paragraphs of 5-12 sentences (~80-230 tokens, median ~150; the W6-long workload).'
        : "Texts: the benchmark's sentences (9-37 tokens, median 19).",
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
