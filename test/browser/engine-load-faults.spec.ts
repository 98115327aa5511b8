/**
 * Loading under hostile conditions (issue 25): a page whose Content-Security-Policy forbids workers, and a
 * progress listener that throws.
 */
import { expect, test } from '@playwright/test';
import type {} from '../pages/engine.js';

test('a Content-Security-Policy that forbids workers fails create() with ModelLoadError instead of hanging', async ({
  page,
}) => {
  // The same page, served with a policy that allows everything but workers (as a strict extension page might).
  await page.route('**/test/pages/engine.html', async (route) => {
    const response = await route.fetch();
    await route.fulfill({
      response,
      headers: { ...response.headers(), 'content-security-policy': "worker-src 'none'" },
    });
  });
  const violations: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy/.test(m.text())) violations.push(m.text());
  });
  await page.goto('/test/pages/engine.html');
  await expect(page.locator('#status')).toHaveText('ready');
  const result = await page.evaluate(async () => {
    const { Embedder, ModelLoadError } = window.agentmem;
    const progress: string[] = [];
    const outcome = await Embedder.create({
      model: '/models/lexical',
      backend: 'wasm',
      workers: 2,
      cache: false,
      onProgress: (p) => progress.push(p.stage),
    }).then(
      async (e) => {
        await e.close();
        return 'created';
      },
      (e: unknown) =>
        e instanceof ModelLoadError
          ? `ModelLoadError: ${e.message} (cause: ${String((e.cause as Error | undefined)?.name)})`
          : `other: ${String(e)}`,
    );
    return { outcome, stages: [...new Set(progress)] };
  });
  expect(result.outcome).toMatch(/^ModelLoadError: Worker \d could not load the model on wasm: .+/);
  // The model was fetched (the page may fetch); each worker was created, and none reached its warm-up.
  expect(result.stages).toEqual(['fetch', 'session']);
  expect(violations.length).toBeGreaterThan(0);
});

test('an onProgress that throws does not stop the load: the error is reported as uncaught, once per call', async ({
  page,
}) => {
  const uncaught: string[] = [];
  page.on('pageerror', (error) => uncaught.push(error.message));
  await page.goto('/test/pages/engine.html');
  await expect(page.locator('#status')).toHaveText('ready');
  const result = await page.evaluate(async () => {
    const { Embedder } = window.agentmem;
    const stages: string[] = [];
    const embedder = await Embedder.create({
      model: '/models/lexical',
      backend: 'wasm',
      workers: 2,
      cache: false,
      onProgress: (p) => {
        stages.push(p.stage);
        throw new Error(`listener broke at ${p.stage}`);
      },
    });
    const dims = (await embedder.embed('coffee every morning')).length;
    const state = embedder.stats().state;
    await embedder.close();
    await new Promise((r) => setTimeout(r, 50)); // let the last report land
    return { dims, state, stages };
  });
  expect(result.dims).toBe(256);
  expect(result.state).toBe('ready');
  expect([...new Set(result.stages)]).toEqual(['fetch', 'session', 'warmup', 'ready']);
  // Every call's error reached the page as uncaught, with its own message.
  expect(uncaught).toEqual(result.stages.map((stage) => `listener broke at ${stage}`));
});
