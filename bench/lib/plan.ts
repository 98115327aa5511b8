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
  const unsupported = [{ spec: sys('entity-db', 'webgpu'), reason: 'EntityDB embeds with transformers.js v2 (onnxruntime-web 1.14), which has no WebGPU backend' }];
  if (backend === 'wasm') {
    const full = [W('W1', 20, 5, 3), W('W1-sustained', 20, 50, 3), B('W2-100', 100, 3), B('W2-1000', 1000, 3), W('W3', 20, 5, 3)];
    const small = quick
      ? [W('W1', 20, 5, 3), W('W1-sustained', 20, 10, 3, 'quick: 20 x 10 instead of 20 x 50'), B('W2-100', 100, 3), B('W2-1000', 300, 3, 'quick: 300 items instead of 1,000'), W('W3', 20, 5, 3)]
      : full;
    const warm = quick ? 1500 : 4000;
    const tasks: Task[] = [];
    // The defaults first: the runner learns their worker count and skips the identical explicit configuration.
    tasks.push(...addTasks([agent(backend, { defaults: true })], small, warm));
    const variants = quick
      ? [agent(backend, { workers: 1 }), agent(backend, { coalescing: false })]
      : [1, 2, 4].flatMap((w) => [agent(backend, { workers: w }), agent(backend, { workers: w, coalescing: false })]);
    tasks.push(...addTasks(variants, quick ? [small[0]!] : small, warm));
    for (const w of quick ? [undefined] : [1, 2, 4]) {
      tasks.push({ kind: 'add', spec: sys('raw-ceiling', backend, w !== undefined ? { workers: w } : { defaults: true }), sizes: small, warmupMs: warm });
    }
    tasks.push(...addTasks([sys('single-session', backend)], quick ? [small[0]!, small[2]!] : small, warm));
    tasks.push(...addTasks([sys('naive-transformers-js', backend)], quick ? [small[0]!, small[2]!, small[4]!] : small, warm));
    tasks.push(...addTasks([sys('entity-db', backend)], quick ? [small[0]!, small[2]!] : small, warm));
    const sizes = quick ? [1000] : [1000, 10_000, 100_000];
    tasks.push({ kind: 'search', spec: agent(backend, { defaults: true }), sizes, queries: quick ? 10 : 30 });
    tasks.push({ kind: 'search', spec: sys('naive-transformers-js', backend), sizes: quick ? [1000] : [1000, 10_000], queries: quick ? 5 : 10 });
    tasks.push({ kind: 'search', spec: sys('entity-db', backend), sizes: quick ? [1000] : [1000, 10_000], queries: quick ? 5 : 10 });
    if (!quick) notes.push('W4 for the baselines stops at 10k memories: their search reads and scores every row on the main thread (seconds per query at 100k).');
    const startSpecs = quick ? [agent(backend, { defaults: true })] : [agent(backend, { defaults: true }), sys('naive-transformers-js', backend), sys('entity-db', backend)];
    for (const spec of startSpecs) {
      tasks.push({ kind: 'start', spec, workload: 'W5-cold', reps: quick ? 2 : 3 }, { kind: 'start', spec, workload: 'W5-cached', reps: quick ? 2 : 3 });
    }
    if (quick) notes.push('--quick: W1-sustained is 20 x 10 and W2-1000 is 300 items; only the default configuration runs every workload; W5 has 2 repetitions.');
    return { backend, tasks, native: { threads: [1, 2], sizes: quick ? [small[0]!, small[2]!] : small }, unsupported, notes };
  }
  // WebGPU on SwiftShader: a run costs hundreds of ms, so sizes shrink; on a real GPU use bench/gpu/.
  const sizes = quick
    ? [W('W1', 10, 1, 1, 'SwiftShader: 10 x 1, 1 repetition'), B('W2-100', 32, 1, 'SwiftShader: 32 items, 1 repetition')]
    : [
        W('W1', 20, 1, 3, 'SwiftShader: 20 x 1'),
        W('W1-sustained', 20, 3, 3, 'SwiftShader: 20 x 3'),
        B('W2-100', 32, 3, 'SwiftShader: 32 items'),
        B('W2-1000', 128, 3, 'SwiftShader: 128 items'),
        W('W3', 20, 1, 3, 'SwiftShader: 20 x 1'),
      ];
  const warm = quick ? 0 : 1000;
  const tasks: Task[] = [];
  tasks.push(...addTasks([agent(backend, { defaults: true })], sizes, warm));
  if (!quick) tasks.push(...addTasks([agent(backend, { coalescing: false })], [sizes[0]!], warm));
  tasks.push({ kind: 'add', spec: sys('raw-ceiling', backend, { defaults: true }), sizes, warmupMs: warm });
  tasks.push(...addTasks([sys('single-session', backend)], [sizes[0]!], warm));
  tasks.push(...addTasks([sys('naive-transformers-js', backend)], quick ? [sizes[0]!] : [sizes[0]!, sizes[2]!], warm));
  tasks.push({ kind: 'search', spec: agent(backend, { defaults: true }), sizes: quick ? [1000] : [1000, 10_000], queries: quick ? 3 : 5 });
  tasks.push({ kind: 'start', spec: agent(backend, { defaults: true }), workload: 'W5-cold', reps: quick ? 1 : 3 });
  tasks.push({ kind: 'start', spec: agent(backend, { defaults: true }), workload: 'W5-cached', reps: quick ? 1 : 3 });
  notes.push('WebGPU here is SwiftShader (software, CPU): workload sizes and repetitions are scaled down (see each row); its numbers say nothing about a real GPU (bench/gpu/ measures that).');
  return { backend, tasks, unsupported, notes };
}
