/**
 * What one benchmark run measures: systems x workloads x backends, with sizes per mode. `--quick` keeps every
 * system and the cheap workloads on WASM (fewer repetitions and smaller sustained runs), and on WebGPU only
 * agentmem-web's W1; WebGPU here is SwiftShader (a CPU rasteriser, ~1 text/s), so its workloads are scaled down in
 * both modes and each row says so.
 */
import type { AddWorkload, Backend, Size, SystemSpec, Workload } from './types.js';

export type { Size };

export interface AddTask {
  kind: 'add';
  spec: SystemSpec;
  /** One page per task; the raw ceiling (no state) runs several sizes in one page after one warm-up. */
  sizes: Size[];
  warmupMs: number;
}

export interface SearchTask {
  kind: 'search';
  spec: SystemSpec;
  sizes: number[];
  queries: number;
}

export interface StartTask {
  kind: 'start';
  spec: SystemSpec;
  workload: 'W5-cold' | 'W5-cached';
  reps: number;
}

export type Task = AddTask | SearchTask | StartTask;

export interface Plan {
  backend: Backend;
  tasks: Task[];
  native?: { threads: number[]; sizes: Size[] };
  /** Rows recorded as errors without running (e.g. a system with no such backend). */
  unsupported: { spec: SystemSpec; reason: string }[];
  notes: string[];
}

const W = (workload: AddWorkload, callers: number, perCaller: number, reps: number, note?: string): Size => ({
  workload,
  callers,
  perCaller,
  items: callers * perCaller,
  reps,
  ...(note !== undefined ? { note } : {}),
});
const B = (workload: AddWorkload, items: number, reps: number, note?: string): Size => ({
  workload,
  callers: 1,
  perCaller: items,
  items,
  reps,
  ...(note !== undefined ? { note } : {}),
});

const agent = (backend: Backend, extra: Partial<SystemSpec> = {}): SystemSpec => ({
  system: 'agentmem-web',
  backend,
  ...extra,
});
const sys = (system: SystemSpec['system'], backend: Backend, extra: Partial<SystemSpec> = {}): SystemSpec => ({
  system,
  backend,
  ...extra,
});

/**
 * One page per system: its workloads run in order after one warm-up. Every page pays Chromium's wasm tier-up
 * (~6-10 s, per worker, not shared between pages or even between workers of one page), so a page per workload
 * spent most of a run warming up.
 */
function addTasks(specs: SystemSpec[], sizes: Size[], warmupMs: number): AddTask[] {
  return specs.map((spec) => ({ kind: 'add' as const, spec, sizes, warmupMs }));
}

export function makePlan(backend: Backend, quick: boolean): Plan {
  const notes: string[] = [];
  if (backend === 'wasm') {
    const unsupported: Plan['unsupported'] = [];
    // Repetitions: short workloads get more, because their ratios are per pair and this machine's speed swings by
    // +-15% between few-second windows (W1 is ~1 s a repetition; W2-1000 ~5 s).
    const sizes = [
      W('W1', 20, 5, 7),
      W('W1-sustained', 20, 50, 5),
      B('W2-100', 100, 5),
      B('W2-1000', 1000, 3),
      W('W3', 20, 5, 5),
    ];
    const [w1, , w2, , w3] = sizes as [Size, Size, Size, Size, Size];
    // E1: W1's 20 callers one layer down, calling the engine's embed() (no storage): issue 3's goals, paired with
    // the raw ceiling on the default page and against the single session's own embed() behind its lock.
    const e1 = W('E1', 20, 25, 7, '20 concurrent callers x 25 embed() calls each, nothing stored');
    // W6-long: W1 with conversation notes of ~80-230 tokens (an agent storing excerpts whole): per text ~8x the
    // compute of a sentence, so batching saves little and the gain must come from the workers.
    const w6 = W('W6-long', 20, 3, 5, 'paragraphs of 5-12 sentences, ~80-230 tokens');
    // The most warm-up may take (bench.ts stops it once tier-up is over): Chromium tiers each worker's wasm up for
    // ~6-10 s; a 5 s cap once halved every browser figure, the ceiling's too.
    const warm = 14_000;
    const tasks: Task[] = [];
    // Cold start first: it opens fresh contexts anyway, and the browser process and disk caches are warm by the time
    // the throughput pages start (the first page of a run used to warm up at a fraction of the usual rate).
    const starts: [SystemSpec, number][] = quick
      ? [[agent(backend, { defaults: true }), 2]]
      : [
          [agent(backend, { defaults: true }), 3],
          [sys('naive-transformers-js', backend), 2],
          [sys('entity-db', backend), 2],
        ];
    for (const [spec, reps] of starts)
      tasks.push(
        { kind: 'start', spec, workload: 'W5-cold', reps },
        { kind: 'start', spec, workload: 'W5-cached', reps },
      );
    // Then the defaults: the runner learns their worker count and skips the identical explicit configuration.
    // The single session is measured on the defaults' page too, beside each repetition (issue 3's 2.5x, paired);
    // on this machine two runs of the same code had it 20-25% apart when it ran on a page of its own.
    const single: Workload[] = quick ? ['W1', 'E1'] : ['W1', 'W1-sustained', 'W2-100', 'W3', 'E1', 'W6-long'];
    tasks.push(
      ...addTasks(
        [agent(backend, { defaults: true, ceiling: true, single })],
        quick ? [w1, e1, w2, w3] : [...sizes, e1, w6],
        warm,
      ),
    );
    if (quick) {
      tasks.push(...addTasks([agent(backend, { coalescing: false })], [w1], warm));
      tasks.push(...addTasks([sys('naive-transformers-js', backend)], [w1, w2], warm));
      tasks.push(...addTasks([sys('entity-db', backend)], [w1], 0));
      tasks.push({ kind: 'search', spec: agent(backend, { defaults: true }), sizes: [1000], queries: 10 });
      tasks.push({ kind: 'search', spec: sys('naive-transformers-js', backend), sizes: [1000], queries: 5 });
      notes.push(
        "--quick: only agentmem-web's defaults run W1, E1, W2-100 and W3 (no W1-sustained, W2-1000, W4-10k/100k); of the worker and coalescing variants only coalescing off runs (W1); no use-lite rows; EntityDB runs W1 only; W5 has 2 repetitions. `npm run bench` runs everything.",
      );
      return { backend, tasks, native: { threads: [1, 2], sizes: [w1, w2] }, unsupported, notes };
    }
    // Worker count and coalescing matter most under concurrency: W1 and W1-sustained (the defaults' page has the
    // rest). The raw ceiling for each worker count is measured on the coalescing-on page's own workers.
    const variants = [1, 2, 4].flatMap((w) => [
      agent(backend, { workers: w, ceiling: true }),
      agent(backend, { workers: w, coalescing: false }),
    ]);
    tasks.push(...addTasks(variants, [sizes[0]!, sizes[1]!], warm));
    // The real semantic model (USE-Lite, 512-d, int8 on WASM; the demo's) through the same defaults: its own
    // throughput, and against its own raw ceiling on the same workers; W1-sustained is the headline's 20 callers.
    tasks.push(
      ...addTasks([agent(backend, { model: 'use-lite', ceiling: true })], [w1, sizes[1]!, w2, sizes[3]!], warm),
    );
    // The baselines: naive transformers.js runs everything (every ratio is to it); the single session ran beside the
    // defaults; EntityDB (one insert at a time, ~50/s) skips W2-1000 and W1-sustained to keep the run short.
    tasks.push(...addTasks([sys('naive-transformers-js', backend)], [...sizes, w6], warm));

    tasks.push(...addTasks([sys('entity-db', backend)], [w1, w2, w3], warm));
    tasks.push({
      kind: 'search',
      spec: agent(backend, { defaults: true }),
      sizes: [1000, 10_000, 100_000],
      queries: 30,
    });
    tasks.push({ kind: 'search', spec: sys('naive-transformers-js', backend), sizes: [1000, 10_000], queries: 10 });
    tasks.push({ kind: 'search', spec: sys('entity-db', backend), sizes: [1000], queries: 5 });
    notes.push(
      'W4 for the baselines stops at 10k (naive) and 1k (EntityDB) memories: their searches read and score every row on the main thread (EntityDB ~0.5 s per query at 1k).',
    );
    return { backend, tasks, native: { threads: [1, 2], sizes }, unsupported, notes };
  }
  // WebGPU on SwiftShader: a run costs ~0.5-2 s here (and new input shapes compile new shaders), so sizes shrink;
  // on a real GPU use bench/gpu/.
  const unsupported = [
    {
      spec: sys('entity-db', backend),
      reason: 'EntityDB embeds with transformers.js v2 (onnxruntime-web 1.14), which has no WebGPU backend',
    },
  ];
  const w1 = quick ? W('W1', 4, 1, 1, 'SwiftShader: 4 x 1, 1 repetition') : W('W1', 4, 1, 3, 'SwiftShader: 4 x 1');
  const sizes = [
    w1,
    W('W1-sustained', 4, 2, 3, 'SwiftShader: 4 x 2'),
    B('W2-100', 4, 3, 'SwiftShader: 4 items'),
    B('W2-1000', 8, 3, 'SwiftShader: 8 items'),
    W('W3', 4, 1, 3, 'SwiftShader: 4 x 1, 2 texts repeated'),
  ];
  // No warm-up: on SwiftShader the first runs of each input shape compile shaders, which no warm-up length fixes.
  const tasks: Task[] = [];
  if (quick) {
    // The path, not the speed: SwiftShader's figures mean nothing on a real GPU (bench/gpu/ measures one).
    tasks.push(...addTasks([agent(backend, { defaults: true })], [w1], 0));
  } else {
    // Every system on W1 (the raw ceiling paired on the default page), agentmem-web also W2-100 and W3; no
    // W1-sustained, W2-1000 or worker variants: on a ~1 text/s rasteriser they would cost minutes to compare shader
    // compiles. These rows show the paths work.
    tasks.push(...addTasks([agent(backend, { defaults: true, ceiling: true })], [w1, sizes[2]!, sizes[4]!], 0));
    tasks.push(...addTasks([sys('single-session', backend), sys('naive-transformers-js', backend)], [w1], 0));
    tasks.push({ kind: 'search', spec: agent(backend, { defaults: true }), sizes: [1000], queries: 3 });
    tasks.push({ kind: 'start', spec: agent(backend, { defaults: true }), workload: 'W5-cold', reps: 1 });
    tasks.push({ kind: 'start', spec: agent(backend, { defaults: true }), workload: 'W5-cached', reps: 1 });
  }
  notes.push(
    `WebGPU here is SwiftShader (software, on the CPU, ~1 text/s, new input shapes compile new shaders): sizes are tiny (each row's items x reps and note), ` +
      `${quick ? "--quick runs agentmem-web's W1 only (1 repetition)" : 'every system runs W1, agentmem-web also W2-100 and W3, W4 stops at 1k and W5 has 1 repetition'}; ` +
      'these rows show the path works, not GPU speed (bench/gpu/ measures a real GPU).',
  );
  return { backend, tasks, unsupported, notes };
}
