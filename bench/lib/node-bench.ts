/**
 * `npm run bench -- --kinds=node [--quick] [--sweep]`: the engine in Node, side by side in one process. Per model
 * (minilm-l6, use-lite): agentmem-web's Embedder with its defaults on `native` and on `wasm`, the bare
 * onnxruntime-node ceiling and one session behind a lock ({@link NodeSystem}s), for E1 (20 callers x 25 embeds) and
 * W1-sustained (20 x 50); repetitions interleave the systems, so each ratio is the median of side-by-side pairs.
 * Then cold start: a fresh process from its start to its first embed. `--sweep` adds the settings the defaults were
 * chosen from (variants, workers x threads). Writes `bench/results/node-<time>.json`, `node-latest.json` and `.md`.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, platform, release, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { agentmemEmbedder, bareCeiling, lockedSession, type NodeSystem, type SystemOptions } from './node-systems.js';
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
  readonly workload: 'E1' | 'W1-sustained';
  readonly callers: number;
  readonly perCaller: number;
}

const fullShapes: readonly Shape[] = [
  { workload: 'E1', callers: 20, perCaller: 25 },
  { workload: 'W1-sustained', callers: 20, perCaller: 50 },
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
}

function entries(root: string, model: string, sweep: boolean): Entry[] {
  const ours = (label: string, o: SystemOptions): Entry => ({ label, start: () => agentmemEmbedder(root, model, o) });
  const list: Entry[] = [
    ours('agentmem-web native (defaults)', { backend: 'native' }),
    ours('agentmem-web wasm (defaults)', { backend: 'wasm' }),
    { label: 'bare onnxruntime-node, full batch, all cores', start: () => bareCeiling(model, 'int8') },
    { label: 'one session behind a lock, single calls', start: () => lockedSession(model, 'int8') },
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

/** `callers` concurrent loops of `perCaller` awaited calls each; or, for the ceiling, every text at once. */
async function measure(system: NodeSystem, shape: Shape, texts: readonly string[]): Promise<Rep> {
  const latencies: number[] = [];
  const started = performance.now();
  if (system.runAll) {
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
        if (!system) continue;
        const rep = await measure(system, shape, texts);
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

/** Process start to first embed: a fresh Node process imports the built entry, creates an Embedder, embeds once. */
async function coldStart(root: string, model: string, backend: 'auto' | 'wasm'): Promise<number> {
  const entry = pathToFileURL(resolve(root, 'dist/lib/node.js')).href;
  const script = `import { Embedder } from ${JSON.stringify(entry)};
const e = await Embedder.create({ model: ${JSON.stringify(resolve(root, 'public/models', model))}, backend: '${backend}' });
await e.embed('The first memory of a fresh process');
process.stdout.write('embedded\\n');
await e.close();`;
  const started = performance.now();
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let done = false;
    child.stdout.on('data', (chunk: Buffer) => {
      if (!done && chunk.toString().includes('embedded')) {
        done = true;
        resolvePromise(performance.now() - started);
      }
    });
    child.on('exit', (code) => {
      if (!done) reject(new Error(`the cold-start process exited with code ${code} before its first embed`));
    });
  });
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
  for (const model of ['minilm-l6', 'use-lite']) {
    for (const backend of ['auto', 'wasm'] as const) {
      const times: number[] = [];
      try {
        for (let i = 0; i < (options.smoke ? 1 : options.quick ? 2 : 5); i++)
          times.push(await coldStart(options.root, model, backend));
      } catch (error) {
        options.log(`node cold start ${model} ${backend} FAILED: ${String(error)}`);
      }
      options.log(`node cold start ${model} ${backend}: ${times.map((t) => t.toFixed(0)).join(', ')} ms`);
      rows.push({
        model,
        workload: 'cold start (process start to first embed, ms)',
        system: 'agentmem-web',
        label: `agentmem-web ${backend === 'auto' ? 'auto (native)' : 'wasm'}`,
        resolved: { backend },
        opsPerSec: null,
        latencyMs: latencySummary(times),
        reps: times.length,
        items: 1,
      });
    }
  }
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
  const file = { machine, command, startedAt: started.toISOString(), results: rows };
  mkdirSync(options.resultsDir, { recursive: true });
  const json = `${JSON.stringify(file, null, 2)}\n`;
  const stamp = started.toISOString().replace(/[:.]/g, '-');
  writeFileSync(
    join(options.resultsDir, `node-${stamp}${options.smoke ? '-smoke' : options.quick ? '-quick' : ''}.json`),
    json,
  );
  writeFileSync(join(options.resultsDir, 'node-latest.json'), json);
  const md = markdown(rows, machine, command);
  writeFileSync(join(options.resultsDir, 'node-latest.md'), md);
  console.log(`\n${md}`);
}
