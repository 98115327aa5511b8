/**
 * `backend: 'auto'` in a browser without WebGPU (launched without `--enable-unsafe-webgpu`, so
 * `navigator.gpu.requestAdapter()` gives null): the engine runs on WASM; asking for WebGPU explicitly fails clearly.
 */
import { chromium, expect, test } from '@playwright/test';
import type {} from '../pages/engine.js';

test('auto falls back to WASM when no WebGPU adapter exists', async ({ baseURL }) => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--disable-quic'],
  });
  try {
    const page = await browser.newPage(baseURL === undefined ? {} : { baseURL });
    await page.goto('/test/pages/engine.html');
    await expect(page.locator('#status')).toHaveText('ready');
    const result = await page.evaluate(async () => {
      const { Embedder, capabilities, ModelLoadError } = window.agentmem;
      const adapter = 'gpu' in navigator ? await navigator.gpu.requestAdapter() : null;
      const caps = await capabilities();
      const embedder = await Embedder.create({ model: '/models/lexical' });
      const vector = await embedder.embed('I drink coffee every morning');
      const stats = embedder.stats();
      await embedder.close();
      const explicit = await Embedder.create({ model: '/models/lexical', backend: 'webgpu' }).then(
        () => 'created',
        (e: unknown) => `${e instanceof ModelLoadError ? 'ModelLoadError' : 'other'}: ${(e as Error).message}`,
      );
      return {
        adapter: adapter !== null,
        hasWebGPU: caps.hasWebGPU,
        backend: stats.backend,
        variant: stats.variant,
        workers: stats.workers.length,
        hardwareConcurrency: navigator.hardwareConcurrency,
        dims: vector.length,
        explicit,
      };
    });
    expect(result.adapter).toBe(false);
    expect(result.hasWebGPU).toBe(false);
    expect(result.backend).toBe('wasm');
    expect(result.variant).toBe('int8');
    expect(result.workers).toBe(Math.min(result.hardwareConcurrency, 4));
    expect(result.dims).toBe(256);
    expect(result.explicit).toMatch(/^ModelLoadError: WebGPU is not available here/);
  } finally {
    await browser.close();
  }
});
