/**
 * Types shared by the runner (Node) and the benchmark page (browser): what the runner asks for, what the page
 * measures, and the result rows written to `bench/results/*.json` (the format other tools read: issue 5).
 */
export type Backend = 'wasm' | 'webgpu';

export type SystemName =
  'agentmem-web' | 'raw-ceiling' | 'single-session' | 'naive-transformers-js' | 'entity-db' | 'native-ort';

/**
 * Add workloads run inside one page; W4 (search) and W5 (cold start) have their own shapes. `E1` is W1 one layer down:
 * the same concurrent callers calling the embedding engine's `embed()` (no storage), the measure of issue 3's goals.
 * `W6-long` is W1 with paragraph-long memories (conversation notes of ~80-230 tokens instead of one sentence).
 */
export type AddWorkload = 'W1' | 'W1-sustained' | 'W2-100' | 'W2-1000' | 'W3' | 'E1' | 'W6-long';
export type Workload = AddWorkload | `W4-${string}` | 'W5-cached' | 'W5-cold';

/** One system configuration, as the page builds it. */
export interface SystemSpec {
  system: SystemName;
  backend: Backend;
  /** Worker count passed to the engine; undefined = the library's default. */
  workers?: number;
  /** false = coalescing off (one text per inference run). */
  coalescing?: boolean;
  /** true = no options at all: the library's defaults. */
  defaults?: boolean;
  /** Another model folder under /models/ than the benchmark's minilm-l6 (e.g. 'use-lite'); its rows carry `model`. */
  model?: string;
  /** agentmem-web: also measure the raw ceiling on this page's workers (rows of system `raw-ceiling`). */
  ceiling?: boolean;
  /**
   * agentmem-web: also measure the single session on this page in these workloads, each repetition next to the
   * workload's (rows of system `single-session`), so the ratio to it is paired like the ceiling's.
   */
  single?: readonly Workload[];
}

/** One add workload's size: concurrent callers x adds each (W1, W3) or items per addMany (W2). */
export interface Size {
  workload: AddWorkload;
  callers: number;
  perCaller: number;
  items: number;
  reps: number;
  note?: string;
}

/** What `window.bench.run()` receives: exactly one of `adds`, `search`, `start`. */
export interface RunRequest {
  spec: SystemSpec;
  /** Model folder URL, e.g. '/models/minilm-l6'. */
  model: string;
  /** Unique per run: the IndexedDB name, so nothing leaks from one run to the next. */
  dbName: string;
  warmupMs: number;
  /** Add workloads, run in order on one system instance (one entry, except for the stateless raw ceiling). */
  adds?: Size[];
  /** W4: store sizes to seed (ascending) and queries per size and measure. */
  search?: { sizes: number[]; queries: number };
  /** W5: time from create() to the first add resolved. */
  start?: 'W5-cold' | 'W5-cached';
}

/** One repetition as measured in the page. */
export interface Rep {
  ops: number;
  ms: number;
  /** Per-operation latencies (ms). */
  latencies: number[];
  /** CPU the browser spent during the repetition (the runner samples /proc on Linux), when measured. */
  cpu?: CpuSplit;
}

/**
 * CPU milliseconds of the browser's threads: the model's workers, the page's main thread, the browser's own
 * processes (IndexedDB works there) and the rest (GPU process, renderer helper threads). bench/lib/cpu.ts.
 */
export interface CpuSplit {
  workers: number;
  page: number;
  browser: number;
  other: number;
}

/** What `window.bench.run()` returns for one workload (W4 returns one entry per size and measure). */
export interface PageResult {
  workload: Workload;
  /** A row for another system than the page's (the raw ceiling, measured on an agentmem-web page's workers). */
  system?: SystemName;
  reps: Rep[];
  /** What the system actually ran with (resolved workers, backend, variant), for the row. */
  resolved?: { workers?: number; backend?: string; variant?: string; coalescing?: boolean };
  note?: string;
  error?: string;
  extra?: Record<string, unknown>;
}

export interface Row {
  backend: Backend;
  workload: Workload;
  system: SystemName;
  workers: number | null;
  coalescing: boolean;
  default?: true;
  /** Set when the row used another model than the file's `model` (no ratios then: other compute). */
  model?: string;
  opsPerSec: { median: number; min: number; max: number } | null;
  latencyMs: { p50: number; p95: number } | null;
  ratioToNaive: number | null;
  /** Median of the per-pair ratios when the page paired its repetitions with the ceiling's, else median / median. */
  ratioToRawCeiling: number | null;
  /** The spread of the per-pair ratios behind {@link ratioToRawCeiling}, when paired. */
  ceilingPairs?: { min: number; max: number; pairs: number };
  /** Median of the per-pair ratios to the single session measured beside it on the same page, with their spread. */
  singlePairs?: { median: number; min: number; max: number; pairs: number };
  /** Operations per repetition and repetitions measured. */
  items: number;
  reps: number;
  note?: string;
  error?: string;
  extra?: Record<string, unknown>;
}

export interface ResultFile {
  machine: Record<string, unknown>;
  model: string;
  mode: 'quick' | 'full' | 'smoke';
  command: string;
  startedAt: string;
  durationS: number;
  notes: string[];
  results: Row[];
}
