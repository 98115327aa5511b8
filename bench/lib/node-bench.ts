/**
 * `npm run bench -- --kinds=node [--quick] [--sweep]`: agentmem-web in Node, side by side in one process. Per model
 * (minilm-l6, use-lite): the Embedder with its defaults on `native` and on `wasm`, the public Memory at a path (the
 * libSQL file), the bare onnxruntime-node ceiling, the same at one thread (times the cores: the compute bound) and
 * one session behind a lock ({@link NodeSystem}s), for E1 (20 callers x 25 embeds; not the Memory), W1 (20 x 5),
 * W1-sustained (20 x 50) and W2-1000 (one batch call); repetitions interleave the systems, so each ratio is the
 * median of side-by-side pairs. Then cold start (a fresh process to its first embed, and to its first add) and W4
 * (persistence and search at 10k and 100k through the Memory). `--sweep` adds the settings the defaults were chosen
 * from (variants, workers x threads). Writes `bench/results/node-<time>.json`, `node-latest.json` and `.md`. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, platform, release, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { agentmemMemory, memoryW4 } from './node-memory.js';
import { addColdStart, embedColdStart } from './node-start.js';
import { agentmemEmbedder, bareCeiling, lockedSession, type NodeSystem, type SystemOptions } from './node-systems.js';
import type { NodeStoreRow } from '../node/store.js';
import { latencySummary, median, pairedRatios, repRate, round, spread } from './stats.js';
import { SEEDS, repTexts, textsFor } from './texts.js';

export interface NodeBenchOptions {
  readonly root: string;
  readonly resultsDir: string;
  readonly quick: boolean;
  readonly sweep: boolean;
  /** Minimal sizes, one repetition: checks the harness, not speed. */
  readonly smoke: boolean;
  readonly log: (message: string) => void;
}

interface Shape {
  readonly workload: 'E1' | 'W1' | 'W1-sustained' | 'W2-1000';
  readonly callers: number;
  readonly perCaller: number;
  /** One batch call of every text (W2): systems with `runBatch` or `runAll` only. */
  readonly batch?: boolean;
}

const fullShapes: readonly Shape[] = [
  { workload: 'E1', callers: 20, perCaller: 25 },
  { workload: 'W1', callers: 20, perCaller: 5 },
  { workload: 'W1-sustained', callers: 20, perCaller: 50 },
  { workload: 'W2-1000', callers: 1, perCaller: 1000, batch: true },
];

interface Rep {
  readonly ops: number;
  readonly ms: number;
  readonly latencies: number[];
}

export interface NodeRow {
  model: string;
  workload: string;
  system: string;
  label: string;
  resolved: Record<string, unknown>;
  opsPerSec: { median: number; min: number; max: number } | null;
  latencyMs: { p50: number; p95: number } | null;
  reps: number;
  items: number;
  /** Medians of the per-repetition ratios to the ceiling and to the lock, measured beside it. */
  ratioToCeiling?: number;
  ratioToLock?: number;
  error?: string;
}

interface Entry {
  readonly label: string;
  readonly start: () => Promise<NodeSystem>;
  /** Adds to a Memory: E1 (embed() calls) does not apply. */
  readonly memory?: boolean;
}

function entries(root: string, model: string, sweep: boolean): Entry[] {
  const ours = (label: string, o: SystemOptions): Entry => ({ label, start: () => agentmemEmbedder(root, model, o) });
  const list: Entry[] = [
    ours('agentmem-web native (defaults)', { backend: 'native' }),
    ours('agentmem-web wasm (defaults)', { backend: 'wasm' }),
    { label: 'bare onnxruntime-node, full batch, all cores', start: () => bareCeiling(model, 'int8') },
    { label: 'one session behind a lock, single calls', start: () => lockedSession(model, 'int8') },
    // Its rate x the cores: the most any worker/thread split could compute here (the 3x-the-lock goal's bound).
    { label: 'bare onnxruntime-node, full batch, 1 thread', start: () => bareCeiling(model, 'int8', 64, 1) },
    {
      label: 'agentmem-web Memory at a path (defaults)',
      start: () => agentmemMemory(root, model, {}),
      memory: true,
    },
  ];
  if (!sweep) return list;
  const cores = availableParallelism();
  for (const variant of ['int8', 'fp32'] as const) {
    list.push(ours(`native ${variant} ${cores}w x 1t`, { backend: 'native', variant, workers: cores, threads: 1 }));
    list.push(ours(`native ${variant} 1w x ${cores}t`, { backend: 'native', variant, workers: 1, threads: cores }));
    list.push(ours(`wasm ${variant} ${cores}w`, { backend: 'wasm', variant, workers: cores }));
  }
  list.push(
    { label: 'bare onnxruntime-node fp32, full batch, all cores', start: () => bareCeiling(model, 'fp32') },
    { label: 'bare onnxruntime-node int8, batch 32', start: () => bareCeiling(model, 'int8', 32) },
  );
  return list;
}

/**
 * `callers` concurrent loops of `perCaller` awaited calls each; or, for the ceiling, every text at once; for a
 * batch shape, one batch call. Undefined: the system has no such call.
 */
async function measure(system: NodeSystem, shape: Shape, texts: readonly string[]): Promise<Rep | undefined> {
  const latencies: number[] = [];
  const started = performance.now();
  if (shape.batch) {
    if (system.runBatch) await system.runBatch(texts);
    else if (system.runAll) await system.runAll(texts);
    else return undefined;
  } else if (system.runAll) {
    await system.runAll(texts);
  } else {
    await Promise.all(
      Array.from({ length: shape.callers }, async (_, c) => {
        for (let i = 0; i < shape.perCaller; i++) {
          const t = performance.now();
          await system.run(texts[c * shape.perCaller + i]!);
          latencies.push(performance.now() - t);
        }
      }),
    );
  }
  return { ops: texts.length, ms: performance.now() - started, latencies };
}

async function benchModel(
  options: NodeBenchOptions,
  model: string,
  reps: number,
  shapes: readonly Shape[],
): Promise<NodeRow[]> {
  const dir = resolve(options.root, 'public/models', model);
  const started: Array<{ entry: Entry; system?: NodeSystem; error?: string }> = [];
  for (const entry of entries(options.root, dir, options.sweep)) {
    try {
      const system = await entry.start();
      // Warm-up: the engine's first batches and ORT's first runs of each shape are slower.
      const warm = textsFor(SEEDS.warmup, options.smoke ? 20 : 200);
      await Promise.all(
        Array.from({ length: 20 }, async (_, c) => {
          for (let i = c; i < warm.length; i += 20) await system.run(warm[i]!);
        }),
      );
      started.push({ entry, system });
    } catch (error) {
      started.push({ entry, error: error instanceof Error ? error.message : String(error) });
    }
  }
  const measured = new Map<string, Rep[]>();
  for (let r = 0; r < reps; r++) {
    for (const shape of shapes) {
      const texts = repTexts(`node-${shape.workload}`, r, shape.callers * shape.perCaller);
      for (const { entry, system } of started) {
        if (!system || (entry.memory && shape.workload === 'E1')) continue;
        const rep = await measure(system, shape, texts);
        if (!rep) continue;
        const key = `${shape.workload}|${entry.label}`;
        measured.set(key, [...(measured.get(key) ?? []), rep]);
        options.log(`node ${model} ${shape.workload} ${entry.label}: ${repRate(rep).toFixed(0)}/s`);
      }
    }
  }
  for (const { system } of started) await system?.close();
  const rows: NodeRow[] = [];
  for (const shape of shapes) {
    const rates = (label: string): number[] => (measured.get(`${shape.workload}|${label}`) ?? []).map(repRate);
    const ceiling = rates(entries(options.root, dir, false)[2]!.label);
    const lock = rates(entries(options.root, dir, false)[3]!.label);
    for (const { entry, system, error } of started) {
      const reps = measured.get(`${shape.workload}|${entry.label}`) ?? [];
      if (reps.length === 0 && !error) continue;
      const mine = reps.map(repRate);
      const toCeiling = pairedRatios(mine, ceiling);
      const toLock = pairedRatios(mine, lock);
      rows.push({
        model,
        workload: shape.workload,
        system: system?.name ?? 'error',
        label: entry.label,
        resolved: system?.resolved ?? {},
        opsPerSec: spread(mine),
        latencyMs: latencySummary(reps.flatMap((x) => x.latencies)),
        reps: reps.length,
        items: shape.callers * shape.perCaller,
        ...(toCeiling.length ? { ratioToCeiling: round(median(toCeiling)) } : {}),
        ...(toLock.length ? { ratioToLock: round(median(toLock)) } : {}),
        ...(error ? { error } : {}),
      });
    }
  }
  return rows;
}

function markdown(rows: NodeRow[], machine: Record<string, unknown>, command: string): string {
  const lines = [
    `# Node benchmark`,
    '',
    `\`${command}\` on ${String(machine['cpuModel'])} (${String(machine['cores'])} cores), Node ${String(machine['node'])}, ${String(machine['date'])}.`,
    'Ops/s: median (min-max) over repetitions; ratios: medians of side-by-side pairs.',
    '',
    '| model | workload | system | ran with | ops/s | p50 / p95 ms | x ceiling | x lock |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const r of rows) {
    const ops = r.opsPerSec ? `${r.opsPerSec.median} (${r.opsPerSec.min}-${r.opsPerSec.max})` : (r.error ?? '-');
    const lat = r.latencyMs ? `${r.latencyMs.p50} / ${r.latencyMs.p95}` : '-';
    const ran = Object.entries(r.resolved)
      .map(([k, v]) => `${k} ${String(v)}`)
      .join(', ');
    lines.push(
      `| ${r.model} | ${r.workload} | ${r.label} | ${ran} | ${ops} | ${lat} | ${r.ratioToCeiling ?? '-'} | ${r.ratioToLock ?? '-'} |`,
    );
  }
  const cores = Number(machine['cores']);
  const bounds = rows.filter((r) => r.label.endsWith('1 thread') && r.opsPerSec && r.ratioToLock !== undefined);
  if (bounds.length) lines.push('', `Compute bound (${cores} x the 1-thread full-batch rate), against the lock:`, '');
  for (const r of bounds)
    lines.push(
      `- ${r.model} ${r.workload}: ${Math.round(r.opsPerSec!.median * cores)}/s = ${round(r.ratioToLock! * cores)}x the lock`,
    );
  return `${lines.join('\n')}\n`;
}

function w4Markdown(rows: readonly NodeStoreRow[]): string {
  const lines = [
    '',
    '## W4: the public Memory at a path (libSQL), minilm-l6, the engine with its defaults',
    '',
    '| memories | persisted/s while seeding | first search ms | scan p50 / p95 ms | end to end p50 / p95 ms | end to end, vector mode p50 / p95 ms |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows.map(
      (r) =>
        `| ${r.size} | ${r.persistPerSec} | ${r.firstSearchMs} | ${r.scan.p50} / ${r.scan.p95} | ${r.endToEnd.p50} / ${r.endToEnd.p95} | ${r.endToEndVector.p50} / ${r.endToEndVector.p95} |`,
    ),
  ];
  return `${lines.join('\n')}\n`;
}

export async function runNodeBench(options: NodeBenchOptions): Promise<void> {
  const started = new Date();
  options.log('node: building the library (dist/lib)');
  execFileSync('npx', ['tsc', '-p', 'tsconfig.lib.json'], { cwd: options.root, stdio: 'inherit' });
  const reps = options.smoke ? 1 : options.quick ? 2 : 5;
  const shapes = options.smoke ? fullShapes.map((s) => ({ ...s, callers: 4, perCaller: 2 })) : fullShapes;
  const rows: NodeRow[] = [];
  for (const model of ['minilm-l6', 'use-lite']) rows.push(...(await benchModel(options, model, reps, shapes)));
  const coldReps = options.smoke ? 1 : options.quick ? 2 : 5;
  for (const model of ['minilm-l6', 'use-lite']) {
    const dir = resolve(options.root, 'public/models', model);
    const starts = [
      {
        label: 'agentmem-web auto (native)',
        what: 'first embed',
        time: () => embedColdStart(options.root, dir, 'auto'),
      },
      { label: 'agentmem-web wasm', what: 'first embed', time: () => embedColdStart(options.root, dir, 'wasm') },
      { label: 'agentmem-web Memory at a path', what: 'first add', time: () => addColdStart(options.root, dir) },
    ];
    for (const start of starts) {
      const times: number[] = [];
      try {
        for (let i = 0; i < coldReps; i++) times.push(await start.time());
      } catch (error) {
        options.log(`node cold start ${model} ${start.label} FAILED: ${String(error)}`);
      }
      options.log(`node cold start ${model} ${start.label}: ${times.map((t) => t.toFixed(0)).join(', ')} ms`);
      rows.push({
        model,
        workload: `cold start (process start to ${start.what}, ms)`,
        system: 'agentmem-web',
        label: start.label,
        resolved: {},
        opsPerSec: null,
        latencyMs: latencySummary(times),
        reps: times.length,
        items: 1,
      });
    }
  }
  // W4 with minilm-l6 (the goals' model): seeded through the public Memory, searched with the engine's defaults.
  const w4Sizes = options.smoke ? [1000] : [10_000, 100_000];
  options.log(`node W4 minilm-l6 at ${w4Sizes.join(', ')}`);
  const w4 = await memoryW4(options.root, resolve(options.root, 'public/models/minilm-l6'), w4Sizes);
  const machine = {
    cores: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    os: `${platform()} ${release()}`,
    node: process.version,
    date: started.toISOString(),
  };
  const mode = options.smoke ? ' --smoke' : options.quick ? ' --quick' : '';
  const command = `npm run bench -- --kinds=node${mode}${options.sweep ? ' --sweep' : ''}`;
  const file = { machine, command, startedAt: started.toISOString(), results: rows, w4 };
  mkdirSync(options.resultsDir, { recursive: true });
  const json = `${JSON.stringify(file, null, 2)}\n`;
  const stamp = started.toISOString().replace(/[:.]/g, '-');
  writeFileSync(
    join(options.resultsDir, `node-${stamp}${options.smoke ? '-smoke' : options.quick ? '-quick' : ''}.json`),
    json,
  );
  writeFileSync(join(options.resultsDir, 'node-latest.json'), json);
  const md = markdown(rows, machine, command) + w4Markdown(w4);
  writeFileSync(join(options.resultsDir, 'node-latest.md'), md);
  console.log(`\n${md}`);
}
