/**
 * Splits a batch into model runs by token length, so short texts are not padded to the longest one.
 *
 * Cost model, in padded-token units: a run of `count` texts padded to `len` costs
 * `overhead + count * len * (1 + len / 2048)` (the last factor is attention's quadratic share for a
 * MiniLM-sized model). The best partition of the length-sorted batch into contiguous runs is found exactly by
 * dynamic programming, O(n^2) for n texts (n <= 1024: well under a millisecond).
 * WebGPU runs cost ~20 ms whatever their size, so the worker gives a large `overhead` there and batches stay whole.
 */
export interface RunPlanOptions {
  /** Fixed cost of one `session.run`, in padded-token units. */
  readonly overhead: number;
  /** Upper bound on `count * len` for one run (a single longer text still gets its own run). */
  readonly maxTokensPerRun: number;
}

/** One model run: indices into the batch (ascending token length) and the length they are padded to. */
export interface PlannedRun {
  readonly indices: readonly number[];
  readonly paddedLength: number;
}

export function runCost(count: number, len: number, overhead: number): number {
  return overhead + count * len * (1 + len / 2048);
}

export function planRuns(lengths: readonly number[], options: RunPlanOptions): PlannedRun[] {
  const n = lengths.length;
  if (n === 0) return [];
  // Stable sort by length keeps equal-length texts in input order (deterministic plans).
  const order = lengths.map((_, i) => i).sort((a, b) => lengths[a]! - lengths[b]! || a - b);
  const sorted = order.map((i) => lengths[i]!);
  const best = new Float64Array(n + 1).fill(Number.POSITIVE_INFINITY);
  const cut = new Int32Array(n + 1);
  best[0] = 0;
  for (let end = 1; end <= n; end++) {
    const len = sorted[end - 1]!; // the run [start, end) is padded to its last (longest) item
    for (let start = end - 1; start >= 0; start--) {
      const count = end - start;
      if (count > 1 && count * len > options.maxTokensPerRun) break; // longer runs only get bigger
      const cost = best[start]! + runCost(count, len, options.overhead);
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
