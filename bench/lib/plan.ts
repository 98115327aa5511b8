/**
 * What one benchmark run measures: systems x workloads x backends, with sizes per mode. `--quick` keeps every
 * system and the cheap workloads on WASM (fewer repetitions and smaller sustained runs); WebGPU here is SwiftShader
 * (a CPU rasteriser, ~6 texts/s), so its workloads are scaled down in both modes and each row says so.
 */
import type { AddWorkload, Backend, Size, SystemSpec } from './types.js';

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
const B = (workload: AddWorkload, items: number, reps: number, note?: string): Size => ({ workload, callers: 1, perCaller: items, items, reps, ...(note !== undefined ? { note } : {}) });

const agent = (backend: Backend, extra: Partial<SystemSpec> = {}): SystemSpec => ({ system: 'agentmem-web', backend, ...extra });
const sys = (system: SystemSpec['system'], backend: Backend, extra: Partial<SystemSpec> = {}): SystemSpec => ({ system, backend, ...extra });

function addTasks(specs: SystemSpec[], sizes: Size[], warmupMs: number): AddTask[] {
  return specs.flatMap((spec) => sizes.map((s) => ({ kind: 'add' as const, spec, sizes: [s], warmupMs })));
}

export function makePlan(backend: Backend, quick: boolean): Plan {
  const notes: string[] = [];
  if (backend === 'wasm') {
    const unsupported: Plan['unsupported'] = [];
    const sizes = [W('W1', 20, 5, 3), W('W1-sustained', 20, 50, 3), B('W2-100', 100, 3), B('W2-1000', 1000, 3), W('W3', 20, 5, 3)];
    const [w1, , w2, , w3] = sizes as [Size, Size, Size, Size, Size];
    // The most warm-up may take; past half of it, it stops once throughput is stable. Chromium tiers the wasm up for
    // ~6 s after a session starts: a shorter cap (--quick once had 5 s) halved every browser figure, the ceiling's too.
    const warm = 10_000;
    const tasks: Task[] = [];
    // The defaults first: the runner learns their worker count and skips the identical explicit configuration.
    tasks.push(...addTasks([agent(backend, { defaults: true })], quick ? [w1, w2, w3] : sizes, warm));
    if (quick) {
      tasks.push(...addTasks([agent(backend, { workers: 1 }), agent(backend, { coalescing: false })], [w1], warm));
      tasks.push(...addTasks([agent(backend, { model: 'use-lite' })], [w1, w2], warm));
      tasks.push({ kind: 'add', spec: sys('raw-ceiling', backend, { defaults: true }), sizes: [w1, w2, w3], warmupMs: warm });
      tasks.push(...addTasks([sys('single-session', backend)], [w1], warm));
      tasks.push(...addTasks([sys('naive-transformers-js', backend)], [w1, w2], warm));
      tasks.push(...addTasks([sys('entity-db', backend)], [w1], 0));
      tasks.push({ kind: 'search', spec: agent(backend, { defaults: true }), sizes: [1000], queries: 10 });
      tasks.push({ kind: 'search', spec: sys('naive-transformers-js', backend), sizes: [1000], queries: 5 });
      tasks.push({ kind: 'start', spec: agent(backend, { defaults: true }), workload: 'W5-cold', reps: 2 });
      tasks.push({ kind: 'start', spec: agent(backend, { defaults: true }), workload: 'W5-cached', reps: 2 });
      notes.push('--quick: only agentmem-web\'s defaults run W1, W2-100 and W3 (no W1-sustained, W2-1000, W4-10k/100k); EntityDB runs W1 only; W5 has 2 repetitions. `npm run bench` runs everything.');
      return { backend, tasks, native: { threads: [1, 2], sizes: [w1, w2] }, unsupported, notes };
    }
    // Worker count and coalescing matter under concurrency and for bulk adds: W1, W1-sustained, W2-1000.
    const variants = [1, 2, 4].flatMap((w) => [agent(backend, { workers: w }), agent(backend, { workers: w, coalescing: false })]);
    tasks.push(...addTasks(variants, [sizes[0]!, sizes[1]!, sizes[3]!], warm));
    // The real semantic model (USE-Lite, 512-d, int8 on WASM) through the same defaults: its own throughput.
    tasks.push(...addTasks([agent(backend, { model: 'use-lite' })], [w1, w2, sizes[3]!], warm));
    for (const w of [1, 2, 4]) tasks.push({ kind: 'add', spec: sys('raw-ceiling', backend, { workers: w }), sizes, warmupMs: warm });
    tasks.push(...addTasks([sys('single-session', backend), sys('naive-transformers-js', backend), sys('entity-db', backend)], sizes, warm));
    tasks.push({ kind: 'search', spec: agent(backend, { defaults: true }), sizes: [1000, 10_000, 100_000], queries: 30 });
    tasks.push({ kind: 'search', spec: sys('naive-transformers-js', backend), sizes: [1000, 10_000], queries: 10 });
    tasks.push({ kind: 'search', spec: sys('entity-db', backend), sizes: [1000], queries: 5 });
    notes.push('W4 for the baselines stops at 10k (naive) and 1k (EntityDB) memories: their searches read and score every row on the main thread (EntityDB ~0.5 s per query at 1k).');
    for (const spec of [agent(backend, { defaults: true }), sys('naive-transformers-js', backend), sys('entity-db', backend)]) {
      tasks.push({ kind: 'start', spec, workload: 'W5-cold', reps: 3 }, { kind: 'start', spec, workload: 'W5-cached', reps: 3 });
    }
    return { backend, tasks, native: { threads: [1, 2], sizes }, unsupported, notes };
  }
  // WebGPU on SwiftShader: a run costs ~0.5-2 s here (and new input shapes compile new shaders), so sizes shrink;
  // on a real GPU use bench/gpu/.
  const unsupported = [{ spec: sys('entity-db', backend), reason: 'EntityDB embeds with transformers.js v2 (onnxruntime-web 1.14), which has no WebGPU backend' }];
  const w1 = quick ? W('W1', 4, 1, 1, 'SwiftShader: 4 x 1, 1 repetition') : W('W1', 4, 1, 3, 'SwiftShader: 4 x 1');
  const sizes = [
    w1,
    W('W1-sustained', 4, 2, 3, 'SwiftShader: 4 x 2'),
    B('W2-100', 4, 3, 'SwiftShader: 4 items'),
    B('W2-1000', 8, 3, 'SwiftShader: 8 items'),
    W('W3', 4, 1, 3, 'SwiftShader: 4 x 1, 2 texts repeated'),
  ];
  const [, , w2, , w3] = sizes as [Size, Size, Size, Size, Size];
  // No warm-up: on SwiftShader the first runs of each input shape compile shaders, which no warm-up length fixes.
  const tasks: Task[] = [];
  if (quick) {
    tasks.push(...addTasks([agent(backend, { defaults: true })], [w1], 0));
    tasks.push({ kind: 'add', spec: sys('raw-ceiling', backend, { defaults: true }), sizes: [w1], warmupMs: 0 });
    tasks.push(...addTasks([sys('naive-transformers-js', backend)], [w1], 0));
  } else {
    tasks.push(...addTasks([agent(backend, { defaults: true })], sizes, 0));
    tasks.push(...addTasks([agent(backend, { coalescing: false }), sys('single-session', backend)], [w1], 0));
    tasks.push({ kind: 'add', spec: sys('raw-ceiling', backend, { defaults: true }), sizes: [w1, w2, w3], warmupMs: 0 });
    tasks.push(...addTasks([sys('naive-transformers-js', backend)], [w1, w2], 0));
  }
  if (!quick) tasks.push({ kind: 'search', spec: agent(backend, { defaults: true }), sizes: [1000], queries: 3 });
  tasks.push({ kind: 'start', spec: agent(backend, { defaults: true }), workload: 'W5-cold', reps: quick ? 1 : 2 });
  if (!quick) tasks.push({ kind: 'start', spec: agent(backend, { defaults: true }), workload: 'W5-cached', reps: 2 });
  notes.push(
    `WebGPU here is SwiftShader (software, on the CPU, ~1 text/s, new input shapes compile new shaders): sizes are tiny (each row's items x reps and note), ` +
      `${quick ? '--quick runs W1 (1 repetition) and W5-cold only' : 'only the default configuration runs W1-sustained and W2-1000, W4 stops at 1k and W5 has 2 repetitions'}; ` +
      'these rows show the path works, not GPU speed (bench/gpu/ measures a real GPU).',
  );
  return { backend, tasks, unsupported, notes };
}
