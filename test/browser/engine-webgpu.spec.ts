/**
 * WebGPU (SwiftShader in this headless Chromium): `auto` passes over it (a fallback adapter, far slower than WASM)
 * but picks it when it is presented as a hardware adapter, a lost device fails the pool over to WASM
 * without losing queued work, a worker killed with two batches in hand loses neither, and two WebGPU workers share
 * the work. The small `lexical` model keeps SwiftShader's runs short.
 */
import { expect, test } from '@playwright/test';
import type {} from '../pages/engine.js';

// SwiftShader compiles a shader for every new input shape: each test gets two minutes.
test.describe.configure({ timeout: 120_000 });

test.beforeEach(async ({ page }) => {
  await page.goto('/test/pages/engine.html');
  await expect(page.locator('#status')).toHaveText('ready');
});

test('auto passes over a fallback adapter (SwiftShader, software WebGPU) and runs on WASM', async ({ page }) => {
  const result = await page.evaluate(async () => {
    const { Embedder, capabilities } = window.agentmem;
    const adapter = await navigator.gpu.requestAdapter();
    const caps = await capabilities();
    const auto = await Embedder.create({ model: '/models/lexical', cache: false });
    const autoBackend = auto.backend;
    const vector = await auto.embed('I drink coffee every morning');
    await auto.close();
    return { fallback: adapter?.info.isFallbackAdapter, caps, autoBackend, dims: vector.length };
  });
  expect(result.fallback).toBe(true);
  expect(result.caps.hasWebGPU).toBe(true);
  expect(result.caps.webgpuFallback).toBe(true);
  expect(result.autoBackend).toBe('wasm');
  expect(result.dims).toBeGreaterThan(0);
});

test('auto picks WebGPU when a hardware adapter exists (SwiftShader presented as one); a lost device fails over to WASM and every caller still resolves', async ({
  page,
}) => {
  // The page (not the workers, whose onnxruntime-web finds its own adapter) sees an adapter that says it is not a
  // fallback one: the same decision a browser with a GPU makes.
  await page.addInitScript(() => {
    // eslint-disable-next-line @typescript-eslint/unbound-method -- re-bound with apply() in the replacement below
    const request = GPU.prototype.requestAdapter;
    GPU.prototype.requestAdapter = async function (this: GPU, ...args: Parameters<GPU['requestAdapter']>) {
      const adapter = await request.apply(this, args);
      if (adapter)
        Object.defineProperty(adapter, 'info', {
          value: { vendor: adapter.info.vendor, architecture: adapter.info.architecture, isFallbackAdapter: false },
        });
      return adapter;
    };
  });
  await page.reload();
  await expect(page.locator('#status')).toHaveText('ready');
  const result = await page.evaluate(async () => {
    const { Embedder, capabilities } = window.agentmem;
    const { texts, cosine } = window.helpers;
    const caps = await capabilities();
    const input = texts(40, 21);
    const reference = await Embedder.create({
      model: '/models/lexical',
      backend: 'wasm',
      variant: 'fp32',
      workers: 1,
      cache: false,
    });
    const expected = await reference.embedMany(input);
    await reference.close();

    const embedder = await Embedder.create({ model: '/models/lexical', backend: 'auto', cache: false, maxBatch: 8 });
    const chosen = { backend: embedder.backend, variant: embedder.variant, workers: embedder.stats().workers.length };
    const pending = input.map((t) => embedder.embed(t));
    // Lose the device while work is queued (the first batch of 8 is on the GPU, the rest wait).
    await new Promise((r) => setTimeout(r, 0));
    const lost = await window.hooks.loseDevice(embedder, 0);
    const got = await Promise.all(pending);
    const stats = embedder.stats();
    await embedder.close();
    return {
      caps,
      chosen,
      lost,
      after: {
        backend: stats.backend,
        workers: stats.workers.map((w) => `${w.backend}:${w.state}`),
        variant: stats.variant,
      },
      worst: Math.min(...got.map((v, i) => cosine(v, expected[i]!))),
      inferences: stats.inferences,
      failures: stats.failures,
    };
  });
  console.log(JSON.stringify(result));
  expect(result.caps.hasWebGPU).toBe(true);
  expect(result.caps.webgpuFallback).toBe(false);
  expect(result.chosen).toEqual({ backend: 'webgpu', variant: 'fp32', workers: 1 });
  expect(result.lost).toBe(true);
  expect(result.after.backend).toBe('wasm');
  expect(result.after.variant).toBe('fp32'); // same variant, so vectors stay comparable with those made on the GPU
  expect(result.after.workers.every((w) => w.startsWith('wasm:'))).toBe(true);
  expect(result.worst).toBeGreaterThanOrEqual(0.999);
  expect(result.inferences).toBe(40);
  expect(result.failures).toBe(0);
});

test('webgpu asked for by name runs on a fallback adapter; its worker killed holding two batches (tokenising one while the GPU runs the other): both are retried, nothing lost or duplicated', async ({
  page,
}) => {
  const result = await page.evaluate(async () => {
    const { Embedder } = window.agentmem;
    const { texts, cosine } = window.helpers;
    const adapter = await navigator.gpu.requestAdapter();
    const input = texts(40, 33);
    const embedder = await Embedder.create({
      model: '/models/lexical',
      backend: 'webgpu',
      workers: 1,
      maxBatch: 8,
      cache: false,
    });
    const chosen = { backend: embedder.backend, worker: embedder.stats().workers[0]!.backend };
    const pending = input.map((t) => embedder.embed(t));
    // The coalescer sends the first batch, then at once a second one: the worker holds two (pipelineDepth 2).
    while (embedder.stats().workers[0]!.state !== 'busy') await new Promise((r) => setTimeout(r, 0));
    await new Promise((r) => setTimeout(r, 0));
    const killed = window.hooks.terminateWorker(embedder, 0);
    const got = await Promise.all(pending);
    const stats = embedder.stats();
    const expected = await embedder.embedMany(input); // at rest, on the replacement worker
    const replacement = embedder.stats().workers[0]!.backend;
    await embedder.close();
    return {
      fallback: adapter?.info.isFallbackAdapter,
      chosen,
      replacement,
      killed,
      retries: stats.retries,
      items: stats.workers.reduce((s, w) => s + w.items, 0),
      inferences: stats.inferences,
      failures: stats.failures,
      worst: Math.min(...got.map((v, i) => cosine(v, expected[i]!))),
    };
  });
  console.log(JSON.stringify(result));
  expect(result.fallback).toBe(true);
  expect(result.chosen).toEqual({ backend: 'webgpu', worker: 'webgpu' });
  expect(result.replacement).toBe('webgpu');
  expect(result.killed).toBe(true);
  expect(result.retries).toBe(2); // both batches it held went to the replacement
  expect(result.items).toBe(40);
  expect(result.inferences).toBe(40);
  expect(result.failures).toBe(0);
  expect(result.worst).toBeGreaterThanOrEqual(0.9999);
});

// One pair of WebGPU sessions for both halves (on SwiftShader each costs ~10 s).
test('two WebGPU workers (the default from 8 cores), each with its own device and session, share the work and agree with WASM, run shapes rounded; a lost device sends both to WASM, no WebGPU worker is started again, every caller resolves once', async ({
  page,
}) => {
  test.setTimeout(240_000);
  const result = await page.evaluate(async () => {
    const { Embedder } = window.agentmem;
    const { texts, cosine } = window.helpers;
    const shared = texts(48, 45);
    // 8 batches when the device is lost: more than the two workers hold (two each), so some wait in the queue.
    const queued = texts(64, 47);
    const reference = await Embedder.create({
      model: '/models/lexical',
      backend: 'wasm',
      variant: 'fp32',
      workers: 1,
      cache: false,
    });
    const expected = await reference.embedMany([...shared, ...queued]);
    await reference.close();
    const sessions: number[] = [];
    let lostAt = -1;
    const embedder = await Embedder.create({
      model: '/models/lexical',
      backend: 'webgpu',
      workers: 2,
      maxBatch: 8,
      cache: false,
      onProgress: (p) => {
        if (p.stage === 'session' && lostAt >= 0) sessions.push(p.worker ?? -1);
      },
    });
    const got = await Promise.all(shared.map((t) => embedder.embed(t)));
    const share = embedder.stats();
    const pending = queued.map((t) => embedder.embed(t));
    await new Promise((r) => setTimeout(r, 0));
    lostAt = performance.now();
    const lost = await window.hooks.loseDevice(embedder, 0);
    const after = await Promise.all(pending);
    await new Promise((r) => setTimeout(r, 500)); // a stray restart would show up here
    const stats = embedder.stats();
    await embedder.close();
    const worst = (vectors: Float32Array[], from: number) =>
      Math.min(...vectors.map((v, i) => cosine(v, expected[from + i]!)));
    return {
      shared: {
        workers: share.workers.map((w) => ({
          backend: w.backend,
          items: w.items,
          padded: w.paddedTokens,
          real: w.realTokens,
        })),
        worst: worst(got, 0),
        inferences: share.inferences,
      },
      lost,
      sessions: sessions.sort(),
      workers: stats.workers.map((w) => `${w.backend}:${w.state}`),
      worst: worst(after, shared.length),
      inferences: stats.inferences,
      failures: stats.failures,
    };
  });
  console.log(JSON.stringify(result));
  expect(result.shared.workers).toHaveLength(2);
  for (const w of result.shared.workers) {
    expect(w.backend).toBe('webgpu');
    expect(w.items).toBeGreaterThan(0);
    // WebGPU rounds every run's shape (lengths to multiples of 8, rows up to powers of two): the same vectors anyway.
    expect(w.padded % 8).toBe(0);
    expect(w.padded).toBeGreaterThan(w.real);
  }
  expect(result.shared.workers[0]!.items + result.shared.workers[1]!.items).toBe(48);
  expect(result.shared.inferences).toBe(48);
  expect(result.shared.worst).toBeGreaterThanOrEqual(0.999);

  expect(result.lost).toBe(true);
  // Exactly the two WASM workers of the failover: dropping the healthy WebGPU worker did not start a replacement.
  expect(result.sessions).toEqual([0, 1]);
  expect(result.workers).toEqual(['wasm:idle', 'wasm:idle']);
  expect(result.inferences).toBe(48 + 64);
  expect(result.failures).toBe(0);
  expect(result.worst).toBeGreaterThanOrEqual(0.999);
});
