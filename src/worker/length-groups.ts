/**
 * Splits a batch into model runs by token length, so short texts are not padded to the longest one.
 *
 * Cost model, in padded-token units: a run of `count` texts padded to `len` costs
 * `runOverheadTokens + count * len * (1 + len / 2048)` (the last factor is attention's quadratic share for a
 * MiniLM-sized model). The best partition of the length-sorted batch into contiguous runs is found exactly by
 * dynamic programming, O(n^2) for n texts (n <= 1024: well under a millisecond).
 * WebGPU runs cost ~the same whatever their size, so its {@link RunPlan} gives a large `runOverheadTokens` and
 * batches stay whole. Shape steps ({@link runShape}) round each run's shape so few distinct shapes occur (WebGPU: see
 * options.ts); the plan costs runs at their rounded shapes.
 */
import type { RunPlan } from './protocol.js';

/**
 * The shape a run of `count` texts padded to `len` has after the plan's shape steps, as [rows, length]: rows round up
 * to a power of two below `shapeSteps.count` and to a multiple of it from there (1, 2, 4, ..., 64, 128, 192, ... for
 * 64); the length rounds up to a multiple of `shapeSteps.length`, but not past `maxLength` (the encoder's
 * `maxTokens`). Extra rows repeat the first row and their output is dropped.
 */
export function runShape(
  count: number,
  len: number,
  plan: RunPlan,
  maxLength = Number.POSITIVE_INFINITY,
): [rows: number, length: number] {
  return [stepRows(count, plan.shapeSteps?.count ?? 1), stepLength(len, plan.shapeSteps?.length ?? 1, maxLength)];
}

function stepRows(count: number, step: number): number {
  if (count >= step) return Math.ceil(count / step) * step;
  let rows = 1;
  while (rows < count) rows *= 2;
  return Math.min(rows, step);
}

function stepLength(len: number, step: number, maxLength: number): number {
  return Math.max(len, Math.min(Math.ceil(len / step) * step, maxLength));
}

/** One model run: indices into the batch (ascending token length) and the length they are padded to. */
export interface PlannedRun {
  readonly indices: readonly number[];
  readonly paddedLength: number;
}

/** The cost model above: `runOverheadTokens` plus the run's padded tokens, attention's share included. */
export function runCost(count: number, len: number, runOverheadTokens: number): number {
  return runOverheadTokens + count * len * (1 + len / 2048);
}

/** The cheapest split of a batch into runs under `plan`'s bounds; `maxLength` as in {@link runShape}. */
export function planRuns(
  lengths: readonly number[],
  plan: RunPlan,
  maxLength = Number.POSITIVE_INFINITY,
): PlannedRun[] {
  const n = lengths.length;
  if (n === 0) return [];
  // Stable sort by length keeps equal-length texts in input order (deterministic plans).
  const order = lengths.map((_, i) => i).sort((a, b) => lengths[a]! - lengths[b]! || a - b);
  const sorted = order.map((i) => lengths[i]!);
  const best = new Float64Array(n + 1).fill(Number.POSITIVE_INFINITY);
  const cut = new Int32Array(n + 1);
  best[0] = 0;
  const countStep = plan.shapeSteps?.count ?? 1;
  const lengthStep = plan.shapeSteps?.length ?? 1;
  const maxAttention = plan.maxAttentionPerRun ?? Number.POSITIVE_INFINITY;
  for (let end = 1; end <= n; end++) {
    const len = sorted[end - 1]!; // the run [start, end) is padded to its last (longest) item
    const padded = stepLength(len, lengthStep, maxLength);
    for (let start = end - 1; start >= 0; start--) {
      const count = end - start;
      const rows = stepRows(count, countStep);
      // Runs that start earlier only get bigger.
      if (count > 1 && (rows * padded > plan.maxTokensPerRun || rows * padded * padded > maxAttention)) break;
      const cost = best[start]! + runCost(rows, padded, plan.runOverheadTokens);
      if (cost < best[end]!) {
        best[end] = cost;
        cut[end] = start;
      }
    }
  }
  const runs: PlannedRun[] = [];
  for (let end = n; end > 0; end = cut[end]!) {
    const start = cut[end]!;
    runs.push({ indices: order.slice(start, end), paddedLength: sorted[end - 1]! });
  }
  return runs.reverse();
}
