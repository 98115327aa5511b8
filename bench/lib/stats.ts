/** Order statistics for benchmark rows. Nearest-rank percentiles: no interpolation, every value was observed. */
import type { CpuSplit } from './types.js';

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export const median = (values: readonly number[]): number => percentile(values, 50);

/** Operations per second of one repetition. */
export const repRate = (rep: { readonly ops: number; readonly ms: number }): number => rep.ops / (rep.ms / 1000);

/**
 * Rate ratios of measurements taken side by side: a[i] / b[i] for every pair both sides have (a paired row's
 * ratio is the median of these, so a slow few seconds on the machine cancel out within their pair).
 */
export function pairedRatios(a: readonly number[], b: readonly number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < Math.min(a.length, b.length); i++)
    if (b[i]! > 0 && Number.isFinite(a[i]! / b[i]!)) out.push(a[i]! / b[i]!);
  return out;
}

/** A row's rate: median, min and max of its repetitions (or windows), rounded; null without any. */
export function spread(values: readonly number[]): { median: number; min: number; max: number } | null {
  return values.length
    ? { median: round(median(values)), min: round(Math.min(...values)), max: round(Math.max(...values)) }
    : null;
}

/** A row's latency: p50 and p95, rounded; null without any. */
export function latencySummary(values: readonly number[]): { p50: number; p95: number } | null {
  return values.length ? { p50: round(percentile(values, 50)), p95: round(percentile(values, 95)) } : null;
}

/** Rounds to 3 significant digits for the JSON (timings are not more precise than that). */
export function round(x: number): number {
  if (!Number.isFinite(x) || x === 0) return x;
  const digits = Math.max(0, 2 - Math.floor(Math.log10(Math.abs(x))));
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** `after - before`, or undefined when either is missing. */
export function cpuDelta(
  before: CpuSplit | null | undefined,
  after: CpuSplit | null | undefined,
): CpuSplit | undefined {
  if (!before || !after) return undefined;
  return {
    workers: after.workers - before.workers,
    page: after.page - before.page,
    browser: after.browser - before.browser,
    other: after.other - before.other,
  };
}

/** CPU milliseconds per operation over the repetitions that carry a sample (summed, not a median: ticks are coarse). */
export function cpuPerOp(reps: readonly { ops: number; cpu?: CpuSplit | undefined }[]): CpuSplit | undefined {
  const sampled = reps.filter((r) => r.cpu !== undefined && r.ops > 0);
  if (sampled.length === 0) return undefined;
  const ops = sampled.reduce((n, r) => n + r.ops, 0);
  const sum = (key: keyof CpuSplit) => Math.round((sampled.reduce((n, r) => n + r.cpu![key], 0) / ops) * 100) / 100;
  return { workers: sum('workers'), page: sum('page'), browser: sum('browser'), other: sum('other') };
}
