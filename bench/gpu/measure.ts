/**
 * The GPU bench's two measurements: one `embed()` of a fixed batch repeated (the worker path alone), and sustained
 * adds from many callers through the engine's coalescer onto one or more workers.
 */
import { Coalescer, type BatchRunner, type QueuedJob } from '../../src/engine/coalescer.js';
import type { ItemResult } from '../../src/engine/pool.js';
import type { SentenceEncoder } from '../../src/worker/encoder.js';
import { latencySummary, round, spread } from '../lib/stats.js';
import type { Row } from '../lib/types.js';
import type { ShapeSteps } from '../../src/worker/protocol.js';
import { EP, SECS, SUSTAINED_SECS, log } from './config.js';

function row(
  workload: string,
  workers: number,
  coalescing: boolean,
  opsPerSec: number[],
  latencies: number[],
  items: number,
  note: string,
  extra: Record<string, unknown> = {},
): Row {
  return {
    backend: EP === 'webgpu' ? 'webgpu' : 'wasm',
    workload: workload as Row['workload'],
    system: 'agentmem-web',
    workers,
    coalescing,
    opsPerSec: spread(opsPerSec),
    latencyMs: latencySummary(latencies),
    ratioToNaive: null,
    ratioToRawCeiling: null,
    items,
    reps: opsPerSec.length,
    note,
    extra,
  };
}

/** One embed() of `batch` texts, repeated for SECS: the engine's worker path at a fixed batch size. */
export async function batchThroughput(
  encoder: SentenceEncoder,
  batch: number,
  pool: string[],
  label: string,
): Promise<Row> {
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
    if (out.vectors.length !== batch * encoder.dimensions)
      throw new Error(`Expected ${batch} vectors, got ${out.vectors.length / encoder.dimensions}`);
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
  return row(
    label,
    1,
    false,
    windows,
    perRun,
    batch,
    `one embed() of ${batch} texts per call (texts/s per ~1 s window; latency = one call)`,
    {
      runsPerCall: round(runs / perRun.length),
      paddedTokensPerCall: Math.round(padded / perRun.length),
      tokenizeMs: round(tokenizeMs),
    },
  );
}

interface Job extends QueuedJob {
  resolve(result: ItemResult): void;
}

/** A batch's vectors and how its model runs were shaped (the encoder's `EmbedOutput`). */
export interface EmbedTargetOutput {
  readonly vectors: Float32Array;
  readonly dimensions: number;
  readonly runs: number;
  readonly paddedTokens: number;
  readonly realTokens: number;
}

/** Whatever embeds a batch: the in-process encoder, or a worker thread holding one. */
export interface EmbedTarget {
  embed(texts: readonly string[]): Promise<EmbedTargetOutput>;
}

export interface SustainedConfig {
  readonly callers: number;
  readonly maxBatch: number;
  readonly maxWaitMs: number;
  /** Batches the one worker holds at once (the pool's `pipelineDepth`). */
  readonly depth: number;
  readonly pooling: 'graph' | 'cpu';
  /** Recorded with the row: padded tokens per model run, and the run cost length grouping assumed. */
  readonly runCap: number;
  readonly runOverheadTokens: number;
  readonly shapeSteps: ShapeSteps | null;
}

/**
 * `callers` concurrent callers, one text at a time each, through the engine's coalescer; batches go to the target
 * holding the fewest (at most `depth` each), as the engine's pool feeds its workers.
 */
export async function sustained(
  targets: readonly EmbedTarget[],
  config: SustainedConfig,
  pool: string[],
  label: string,
): Promise<Row> {
  const { callers, depth } = config;
  const held = targets.map(() => 0);
  let inFlight = 0;
  const shape = { runs: 0, paddedTokens: 0, realTokens: 0 };
  let coalescer: Coalescer<Job> | undefined;
  const runner: BatchRunner = {
    settings: { maxBatch: config.maxBatch, maxWaitMs: config.maxWaitMs },
    get freeBatchPlaces() {
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
        shape.runs += out.runs;
        shape.paddedTokens += out.paddedTokens;
        shape.realTokens += out.realTokens;
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
    new Promise((resolve) => coalescer.submit({ text, stage: 'lookup', enqueuedAt: 0, resolve }));
  let next = 0;
  const take = (): string => pool[next++ % pool.length]!;
  const runFor = async (
    ms: number,
    record: boolean,
  ): Promise<{ adds: number; latencies: number[]; windows: number[] }> => {
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
  const batchesBefore = coalescer.batches;
  Object.assign(shape, { runs: 0, paddedTokens: 0, realTokens: 0 });
  const started = performance.now();
  const { adds, latencies, windows } = await runFor(SUSTAINED_SECS * 1000, true);
  const total = adds / ((performance.now() - started) / 1000);
  return row(
    label,
    targets.length,
    true,
    windows.length ? windows : [total],
    latencies,
    adds,
    `${callers} concurrent callers, one add at a time each, through the engine's Coalescer (maxBatch ${config.maxBatch}, maxWaitMs ${config.maxWaitMs}), ${targets.length} worker(s)${targets.length > 1 ? ' (threads)' : ''} holding ${depth} batch(es) each, pooling ${config.pooling === 'graph' ? 'in the graph' : 'on the CPU'}, for ${SUSTAINED_SECS} s; overall ${Math.round(total)} adds/s`,
    {
      overallAddsPerSec: round(total),
      batchSizes: coalescer.histogram,
      batches: coalescer.batches,
      finalTarget: coalescer.target,
      workers: targets.length,
      // How the measured window's batches were run (batches still in flight at its end count in full).
      runsPerBatch: round(shape.runs / Math.max(1, coalescer.batches - batchesBefore)),
      paddingShare: round(1 - shape.realTokens / Math.max(1, shape.paddedTokens)),
      ...config,
    },
  );
}
