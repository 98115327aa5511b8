import { describe, expect, it } from 'vitest';
import { planRuns, runCost, runShape } from '../../src/worker/length-groups.js';
import type { RunPlan } from '../../src/worker/protocol.js';

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Every partition of the sorted lengths into contiguous runs, for a brute-force optimum. */
function bruteForce(sorted: number[], plan: RunPlan, maxLength?: number): number {
  const { runOverheadTokens, maxTokensPerRun } = plan;
  const maxAttention = plan.maxAttentionPerRun ?? Number.POSITIVE_INFINITY;
  const n = sorted.length;
  let best = Number.POSITIVE_INFINITY;
  for (let mask = 0; mask < 2 ** (n - 1); mask++) {
    let cost = 0;
    let start = 0;
    let ok = true;
    for (let i = 0; i < n; i++) {
      if (i === n - 1 || mask & (1 << i)) {
        const count = i - start + 1;
        const [rows, len] = runShape(count, sorted[i]!, plan, maxLength);
        if (count > 1 && (rows * len > maxTokensPerRun || rows * len * len > maxAttention)) ok = false;
        cost += runCost(rows, len, runOverheadTokens);
        start = i + 1;
      }
    }
    if (ok) best = Math.min(best, cost);
  }
  return best;
}

/** planRuns' plan costs what the brute-force optimum costs (each run at its rounded shape). */
function expectOptimal(lengths: number[], plan: RunPlan, maxLength?: number): void {
  const runs = planRuns(lengths, plan, maxLength);
  const cost = runs.reduce(
    (s, r) => s + runCost(...runShape(r.indices.length, r.paddedLength, plan, maxLength), plan.runOverheadTokens),
    0,
  );
  expect(cost).toBeCloseTo(
    bruteForce(
      [...lengths].sort((a, b) => a - b),
      plan,
      maxLength,
    ),
    6,
  );
}

describe('planRuns', () => {
  it('covers every index exactly once, each run padded to its longest item', () => {
    const rand = seeded(3);
    const lengths = Array.from({ length: 200 }, () => 3 + Math.floor(rand() * 250));
    const runs = planRuns(lengths, { runOverheadTokens: 32, maxTokensPerRun: 4096 });
    const seen = runs.flatMap((r) => r.indices).sort((a, b) => a - b);
    expect(seen).toEqual(lengths.map((_, i) => i));
    for (const run of runs) {
      expect(run.paddedLength).toBe(Math.max(...run.indices.map((i) => lengths[i]!)));
      if (run.indices.length > 1) expect(run.indices.length * run.paddedLength).toBeLessThanOrEqual(4096);
    }
  });

  it('finds the optimal partition (checked by brute force)', () => {
    const rand = seeded(11);
    for (let trial = 0; trial < 30; trial++) {
      const n = 2 + Math.floor(rand() * 9);
      const lengths = Array.from({ length: n }, () => 2 + Math.floor(rand() * 120));
      expectOptimal(lengths, { runOverheadTokens: [0, 16, 64, 4096][trial % 4]!, maxTokensPerRun: 400 });
    }
  });

  it('with shape steps, costs each run at its rounded shape and still finds the optimum (brute force)', () => {
    const rand = seeded(5);
    for (let trial = 0; trial < 30; trial++) {
      const n = 2 + Math.floor(rand() * 9);
      const lengths = Array.from({ length: n }, () => 2 + Math.floor(rand() * 60));
      const shapeSteps = { count: [2, 4][trial % 2]!, length: [8, 16][(trial >> 1) % 2]! };
      expectOptimal(lengths, { runOverheadTokens: [0, 16, 64, 400][trial % 4]!, maxTokensPerRun: 400, shapeSteps }, 56);
    }
  });

  it('keeps each run under the attention bound (rows x length²) and still finds the optimum (brute force)', () => {
    const rand = seeded(17);
    for (let trial = 0; trial < 30; trial++) {
      const n = 2 + Math.floor(rand() * 9);
      const lengths = Array.from({ length: n }, () => 2 + Math.floor(rand() * 120));
      expectOptimal(lengths, {
        runOverheadTokens: [0, 16, 64, 4096][trial % 4]!,
        maxTokensPerRun: 4096,
        maxAttentionPerRun: 20_000,
      });
    }
    // Forty texts of 180 tokens: the token bound alone allows 22 per run, the attention bound 2 (2 x 180² = 64,800).
    const long = Array.from({ length: 40 }, () => 180);
    const capped = planRuns(long, { runOverheadTokens: 4096, maxTokensPerRun: 4096, maxAttentionPerRun: 65_536 });
    expect(capped).toHaveLength(20);
    expect(capped.every((r) => r.indices.length === 2)).toBe(true);
    expect(planRuns(long, { runOverheadTokens: 4096, maxTokensPerRun: 4096 })).toHaveLength(2);
    // Short texts are not affected: 64 x 30² = 57,600.
    expect(
      planRuns(
        Array.from({ length: 64 }, () => 30),
        { runOverheadTokens: 4096, maxTokensPerRun: 4096, maxAttentionPerRun: 65_536 },
      ),
    ).toHaveLength(1);
    // One text over the bound still gets its own run.
    expect(
      planRuns([300, 300], { runOverheadTokens: 0, maxTokensPerRun: 4096, maxAttentionPerRun: 65_536 }),
    ).toHaveLength(2);
  });

  it('rounds shapes: rows to powers of two below the row step and its multiples above, lengths up to the cap', () => {
    const plan = { runOverheadTokens: 0, maxTokensPerRun: 1 << 20, shapeSteps: { count: 64, length: 8 } };
    expect([1, 2, 3, 5, 33, 64, 65, 129, 1000].map((n) => runShape(n, 9, plan, 36)[0])).toEqual([
      1, 2, 4, 8, 64, 64, 128, 192, 1024,
    ]);
    expect([1, 8, 9, 30, 33, 36, 40].map((len) => runShape(1, len, plan, 36)[1])).toEqual([8, 8, 16, 32, 36, 36, 40]);
    expect(runShape(7, 9, { runOverheadTokens: 0, maxTokensPerRun: 100 })).toEqual([7, 9]); // no steps: exact
  });

  it('keeps a batch whole when runs are expensive (WebGPU) and splits it when they are cheap (WASM)', () => {
    const lengths = [8, 9, 10, 120, 8, 9, 130, 10];
    expect(planRuns(lengths, { runOverheadTokens: 4096, maxTokensPerRun: 32_768 })).toHaveLength(1);
    const wasm = planRuns(lengths, { runOverheadTokens: 32, maxTokensPerRun: 4096 });
    expect(wasm).toHaveLength(2);
    expect(wasm[0]!.paddedLength).toBe(10);
    expect(wasm[1]!.indices).toEqual([3, 6]);
  });

  it('handles empty and single batches, and a text longer than the token budget', () => {
    expect(planRuns([], { runOverheadTokens: 1, maxTokensPerRun: 10 })).toEqual([]);
    expect(planRuns([500], { runOverheadTokens: 1, maxTokensPerRun: 10 })).toEqual([
      { indices: [0], paddedLength: 500 },
    ]);
  });
});
