/**
 * use-lite through the engine in real Chromium, on WASM and on WebGPU (SwiftShader): the vectors of the 100 parity
 * sentences against the original TF.js model (run here, in Node, on the TF.js WASM backend its package brings), and retrieval of paraphrased
 * memories with the engine's default variant.
 */
import { expect, test } from '@playwright/test';
import type {} from '../pages/use-lite.js';
import { MEMORY_CASES, recallAt1 } from '../unit/use-lite-memories.js';
import { loadUseReference } from '../unit/use-lite-reference.js';
import { USE_LITE_SENTENCES } from '../unit/use-lite-sentences.js';
import { cosine } from '../support/cosine.js';

// The engine rejects empty and whitespace-only texts; everything else of the parity set goes through it.
const texts = USE_LITE_SENTENCES.filter((s) => s.trim().length > 0);
// WebGPU here is SwiftShader (a CPU): a run of 4 rows x 128 tokens takes ~17 s, one of 32 rows minutes. So WebGPU
// gets one run of four: three short ones of different kinds, padded (and masked) to the fourth's full 128 tokens.
const longest = texts.reduce((a, b) => (b.length > a.length ? b : a));
const webgpuTexts = ['Hello world', 'Does the user have any food allergies?', '你好，世界', longest];
let expected: Map<string, Float32Array>;

test.beforeAll(async () => {
  const reference = await loadUseReference();
  const vectors = await reference.embed(texts);
  expected = new Map(texts.map((t, i) => [t, vectors[i]!]));
});

test.beforeEach(async ({ page }) => {
  page.on('pageerror', (e) => console.log('[pageerror]', e.message));
  await page.goto('/test/pages/use-lite.html');
  await expect(page.locator('#status')).toHaveText('ready');
});

for (const [backend, subset] of [
  ['wasm', texts],
  ['webgpu', webgpuTexts],
] as const) {
  test(`${backend}: fp32 vectors match TF.js (cosine >= 0.999 on each of ${subset.length} sentences)`, async ({
    page,
  }) => {
    test.setTimeout(backend === 'webgpu' ? 400_000 : 120_000);
    if (backend === 'webgpu') expect(await page.evaluate(() => window.useLite.hasWebGpuAdapter())).toBe(true);
    const out = await page.evaluate(({ texts, backend }) => window.useLite.embed(texts, backend, 'fp32'), {
      texts: [...subset],
      backend,
    });
    expect(out.backend).toBe(backend);
    expect(out.variant).toBe('fp32');
    expect(out.dimensions).toBe(512);
    expect(out.vectors).toHaveLength(subset.length);
    const wanted = subset.map((t) => expected.get(t)!);
    const cosines = out.vectors.map((v, i) => cosine(v, wanted[i]!));
    let maxAbs = 0;
    out.vectors.forEach((v, i) => v.forEach((x, k) => (maxAbs = Math.max(maxAbs, Math.abs(x - wanted[i]![k]!)))));
    console.log(
      `[use-lite] engine ${backend} fp32: min cos ${Math.min(...cosines)}, max |Δ| ${maxAbs.toExponential(2)}`,
    );
    cosines.forEach((c, i) => expect(c, subset[i]).toBeGreaterThanOrEqual(0.999));
  });
}

test('wasm, default variant: paraphrased memories found (recall@1 >= 0.8)', async ({ page }) => {
  const memories = MEMORY_CASES.map((c) => c.memory);
  const queries = MEMORY_CASES.map((c) => c.query);
  const out = await page.evaluate(({ all }) => window.useLite.embed(all, 'wasm'), { all: [...memories, ...queries] });
  const vectors = out.vectors.map((v) => Float32Array.from(v));
  const recall = recallAt1(vectors.slice(0, memories.length), vectors.slice(memories.length));
  console.log(`[use-lite] engine wasm ${out.variant}: recall@1 ${recall}`);
  expect(recall).toBeGreaterThanOrEqual(0.8);
});
