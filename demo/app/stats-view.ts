/**
 * Turns successive `memory.stats()` snapshots into what the stats panel draws. Per-worker load is busy time over
 * wall time across the last few seconds. A worker's `busyMs` grows only when a batch finishes, and a large batch
 * can take longer than the polling interval, so a worker seen `busy` also counts the time since it was first seen
 * busy on the current batch; when the batch ends, that estimate is replaced by the real figure.
 */
import type { MemoryStats } from '../../src/index.js';
import type { Bar } from '../ui/charts.js';
import type { StatsView, WorkerView } from '../ui/stats-panel.js';
import type { RateMeter } from './rate-meter.js';

/** The engine part of the stats, as far as the demo reads it. */
interface EngineStatsShape {
  readonly backend?: string;
  readonly variant?: string;
  readonly queueDepth?: number;
  readonly batchSizes?: Readonly<Record<string, number>>;
  readonly cache?: { readonly hits?: number; readonly misses?: number };
  readonly workers?: ReadonlyArray<{
    readonly index: number;
    readonly backend: string;
    readonly batches: number;
    readonly items: number;
    readonly busyMs: number;
    readonly state?: string;
  }>;
}

/** Load is averaged over this window. */
const LOAD_WINDOW_MS = 3000;

interface WorkerTrack {
  busyMs: number;
  /** When the worker was first seen busy with the current `busyMs` (its running batch), else undefined. */
  busySince: number | undefined;
  /** (time, effective busy ms) samples, oldest first, covering the window. */
  samples: Array<{ at: number; busy: number }>;
}

function engineOf(stats: MemoryStats): EngineStatsShape {
  const engine = stats.embedder;
  return typeof engine === 'object' && engine !== null ? engine : {};
}

/** The engine's power-of-two buckets: '1', '2-3', '4-7', '8-15', ... */
function bucketLabel(from: number): string {
  return from === 1 ? '1' : `${from}-${from * 2 - 1}`;
}

/** Every bucket from '1' up to the largest one used, empty ones included, so the bars read as a histogram. */
function batchBars(buckets: Readonly<Record<string, number>> | undefined): Bar[] {
  const used = Object.entries(buckets ?? {}).filter(([, count]) => count > 0);
  if (used.length === 0) return [];
  const largest = Math.max(...used.map(([label]) => Number.parseInt(label, 10)));
  const bars: Bar[] = [];
  for (let from = 1; from <= largest; from *= 2)
    bars.push({ label: bucketLabel(from), value: buckets?.[bucketLabel(from)] ?? 0 });
  // Labels this code does not know (the engine changed its buckets) are still shown, after the known ones.
  const known = new Set(bars.map((bar) => bar.label));
  for (const [label, value] of used) if (!known.has(label)) bars.push({ label, value });
  return bars;
}

export class StatsSampler {
  #tracks = new Map<number, WorkerTrack>();

  /** Forget the workers' history (after a restart their counters start from zero again). */
  reset(): void {
    this.#tracks.clear();
  }

  #load(index: number, busyMs: number, busyNow: boolean, now: number): number {
    let track = this.#tracks.get(index);
    if (!track || busyMs < track.busyMs) {
      track = { busyMs, busySince: undefined, samples: [] };
      this.#tracks.set(index, track);
    }
    if (busyMs !== track.busyMs) {
      track.busyMs = busyMs;
      track.busySince = undefined; // The batch finished; its time is now inside busyMs.
    }
    if (busyNow) track.busySince ??= now;
    else track.busySince = undefined;
    const effective = busyMs + (track.busySince === undefined ? 0 : now - track.busySince);
    track.samples.push({ at: now, busy: effective });
    while (track.samples.length > 2 && now - track.samples[1]!.at >= LOAD_WINDOW_MS) track.samples.shift();
    const first = track.samples[0]!;
    const elapsed = now - first.at;
    return elapsed <= 0 ? 0 : Math.max(0, Math.min(1, (effective - first.busy) / elapsed));
  }

  view(
    stats: MemoryStats | undefined,
    meter: RateMeter,
    memories: number | undefined,
    now = performance.now(),
  ): StatsView {
    const engine = stats ? engineOf(stats) : {};
    const workers: WorkerView[] = (engine.workers ?? []).map((worker) => ({
      name: `#${worker.index + 1}`,
      backend: worker.backend,
      load: this.#load(worker.index, worker.busyMs, worker.state === 'busy', now),
      items: worker.items,
      batches: worker.batches,
    }));
    const hits = engine.cache?.hits ?? 0;
    const misses = engine.cache?.misses;
    return {
      addsPerSecond: meter.perSecond(2000, now),
      queueDepth: engine.queueDepth ?? 0,
      cacheHits: hits,
      cacheLookups: misses === undefined ? undefined : hits + misses,
      memories,
      rateSeries: meter.series(now),
      batchSizes: batchBars(engine.batchSizes),
      workers,
    };
  }
}

/** Facts for the Engine card: what actually runs (the backend `auto` chose, the ONNX variant, the workers). */
export function engineFacts(stats: MemoryStats): Array<[string, string]> {
  const engine = engineOf(stats);
  const facts: Array<[string, string]> = [];
  if (engine.backend) facts.push(['Running on', engine.backend === 'webgpu' ? 'WebGPU' : 'WASM (SIMD)']);
  if (engine.variant) facts.push(['Weights', engine.variant]);
  facts.push(['Workers', String(engine.workers?.length ?? 0)]);
  facts.push(['Dimensions', String(stats.dimensions)]);
  facts.push(['Database', stats.dbName]);
  return facts;
}

export function runningBackend(stats: MemoryStats): string | undefined {
  return engineOf(stats).backend;
}
