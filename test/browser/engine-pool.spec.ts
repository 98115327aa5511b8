/**
 * The engine under load (issue 3): batch/worker invariance, many concurrent callers, a worker killed mid-batch,
 * backpressure, abort, the cache, validation and lifecycle. WASM; the small `lexical` model wherever the test is
 * not about the transformer itself.
 */
import { expect, test } from '@playwright/test';
import type {} from '../pages/engine.js';

test.beforeEach(async ({ page }) => {
  await page.goto('/test/pages/engine.html');
  await expect(page.locator('#status')).toHaveText('ready');
});

test('vectors equal the single-worker unbatched result whatever the batch sizes and worker counts', async ({
  page,
}) => {
  test.setTimeout(120_000);
  const result = await page.evaluate(async () => {
    const { Embedder } = window.agentmem;
    const { texts, cosine } = window.helpers;
    const input = texts(24, 7);
    const reference = await Embedder.create({
      model: '/models/minilm-l6',
      backend: 'wasm',
      workers: 1,
      maxBatch: 1,
      cache: false,
    });
    const expected: Float32Array[] = [];
    for (const t of input) expected.push(await reference.embed(t));
    await reference.close();

    const worst: Record<string, number> = {};
    const batchSizes: Record<string, Record<string, number>> = {};
    for (const [workers, maxBatch] of [
      [2, 64],
      [3, 5],
    ] as const) {
      const embedder = await Embedder.create({
        model: '/models/minilm-l6',
        backend: 'wasm',
        workers,
        maxBatch,
        cache: false,
      });
      // Concurrent callers, arriving in two waves so batches of several sizes form.
      const first = Promise.all(input.slice(0, 15).map((t) => embedder.embed(t)));
      await new Promise((r) => setTimeout(r, 5));
      const got = [...(await first), ...(await embedder.embedMany(input.slice(15)))];
      const name = `${workers} workers, maxBatch ${maxBatch}`;
      worst[name] = Math.min(...got.map((v, i) => cosine(v, expected[i]!)));
      batchSizes[name] = embedder.stats().batchSizes;
      await embedder.close();
    }
    return { worst, batchSizes };
  });
  console.log(JSON.stringify(result));
  for (const [name, cos] of Object.entries(result.worst)) expect(cos, name).toBeGreaterThanOrEqual(0.9999);
  // The texts really were batched (not all sent one by one).
  for (const sizes of Object.values(result.batchSizes))
    expect(Object.keys(sizes).some((bucket) => bucket !== '1')).toBe(true);
});

test('200 concurrent callers each get their own text’s vector', async ({ page }) => {
  const result = await page.evaluate(async () => {
    const { Embedder } = window.agentmem;
    const { texts, cosine } = window.helpers;
    const input = texts(200, 3);
    const reference = await Embedder.create({
      model: '/models/lexical',
      backend: 'wasm',
      workers: 1,
      maxBatch: 1,
      cache: false,
    });
    const expected: Float32Array[] = [];
    for (const t of input) expected.push(await reference.embed(t));
    await reference.close();

    const embedder = await Embedder.create({ model: '/models/lexical', backend: 'wasm', workers: 2, cache: false });
    const got = await Promise.all(input.map((t) => embedder.embed(t)));
    const stats = embedder.stats();
    await embedder.close();
    // Each vector must be closest to its own text's reference, not merely close to something.
    let own = 0;
    for (let i = 0; i < got.length; i++) {
      let best = -1;
      let bestCos = -2;
      for (let j = 0; j < expected.length; j++) {
        const c = cosine(got[i]!, expected[j]!);
        if (c > bestCos) [best, bestCos] = [j, c];
      }
      if (best === i && cosine(got[i]!, expected[i]!) >= 0.9999) own++;
    }
    return {
      own,
      inferences: stats.inferences,
      batches: stats.batches,
      items: stats.workers.reduce((s, w) => s + w.items, 0),
    };
  });
  expect(result.own).toBe(200);
  expect(result.inferences).toBe(200);
  expect(result.items).toBe(200);
  expect(result.batches).toBeLessThan(200); // they were coalesced
});

test('a worker terminated mid-batch loses nothing and duplicates nothing', async ({ page }) => {
  test.setTimeout(120_000);
  const result = await page.evaluate(async () => {
    const { Embedder } = window.agentmem;
    const { texts, cosine } = window.helpers;
    const input = texts(64, 11);
    const embedder = await Embedder.create({
      model: '/models/minilm-l6',
      backend: 'wasm',
      workers: 2,
      maxBatch: 16,
      cache: false,
    });
    let settled = 0;
    const pending = input.map((t) =>
      embedder.embed(t).finally(() => {
        settled++;
      }),
    );
    // Wait until a worker is inside a batch, then kill it.
    let victim = -1;
    while (victim < 0) {
      await new Promise((r) => setTimeout(r, 1));
      victim = embedder.stats().workers.findIndex((w) => w.state === 'busy');
    }
    const settledBefore = settled;
    const killed = window.hooks.terminateWorker(embedder, victim);
    const got = await Promise.all(pending);
    const stats = embedder.stats();
    // The replacement worker comes up in the background (the survivor may have drained the queue already).
    while (embedder.stats().workers[victim]!.state !== 'idle') await new Promise((r) => setTimeout(r, 10));
    const restarts = embedder.stats().workers[victim]!.restarts;
    // The reference: the same texts again, on the recovered pool at rest (batching does not change vectors).
    const expected = await embedder.embedMany(input);
    await embedder.close();
    return {
      killed,
      settledBefore,
      worst: Math.min(...got.map((v, i) => cosine(v, expected[i]!))),
      retries: stats.retries,
      restarts,
      items: stats.workers.reduce((s, w) => s + w.items, 0),
      inferences: stats.inferences,
      failures: stats.failures,
    };
  });
  expect(result.killed).toBe(true);
  expect(result.settledBefore).toBeLessThan(64);
  expect(result.worst).toBeGreaterThanOrEqual(0.9999);
  expect(result.retries).toBeGreaterThanOrEqual(1);
  expect(result.restarts).toBe(1);
  // Every text was embedded successfully exactly once: the killed batch's texts are counted once, by the retry.
  expect(result.items).toBe(64);
  expect(result.inferences).toBe(64);
  expect(result.failures).toBe(0);
});

test('the only worker crashing mid-batch is replaced and the queue drains', async ({ page }) => {
  test.setTimeout(120_000);
  const result = await page.evaluate(async () => {
    const { Embedder } = window.agentmem;
    const input = window.helpers.texts(24, 13);
    const embedder = await Embedder.create({
      model: '/models/minilm-l6',
      backend: 'wasm',
      workers: 1,
      maxBatch: 8,
      cache: false,
    });
    const pending = Promise.all(input.map((t) => embedder.embed(t)));
    await new Promise((r) => setTimeout(r, 0));
    const busy = embedder.stats().workers[0]!.state === 'busy';
    window.hooks.terminateWorker(embedder, 0);
    const got = await pending;
    const again = await embedder.embedMany(input); // the replacement worker, at rest
    const stats = embedder.stats();
    await embedder.close();
    return {
      busy,
      equal: got.every((v, i) => v.every((x, j) => x === again[i]![j])),
      restarts: stats.workers[0]!.restarts,
      retries: stats.retries,
      items: stats.workers[0]!.items,
    };
  });
  expect(result.busy).toBe(true);
  expect(result.equal).toBe(true);
  expect(result.restarts).toBe(1);
  expect(result.retries).toBe(1);
  expect(result.items).toBe(48); // 24 after the crash (the killed batch once, by its retry) + 24 again
});

test('a worker whose every run fails while it stays up is replaced; no caller gets an error', async ({ page }) => {
  const result = await page.evaluate(async () => {
    const { Embedder } = window.agentmem;
    const input = window.helpers.texts(24, 19);
    const embedder = await Embedder.create({
      model: '/models/lexical',
      backend: 'wasm',
      workers: 1,
      maxBatch: 8,
      cache: false,
    });
    const before = await embedder.embedMany(input);
    // The session goes away but the worker does not crash: every run on it now throws.
    const disposed = await window.hooks.disposeSession(embedder, 0);
    const outcome = await Promise.all(input.map((t) => embedder.embed(t))).then(
      (vectors) => vectors.every((v, i) => v.every((x, j) => x === before[i]![j])),
      (e: unknown) => `rejected: ${String(e)}`,
    );
    const stats = embedder.stats();
    await embedder.close();
    return {
      disposed,
      outcome,
      restarts: stats.workers[0]!.restarts,
      failures: stats.failures,
      retries: stats.retries,
    };
  });
  expect(result.disposed).toBe(true);
  // The same vectors as before the session went away, from the replacement worker.
  expect(result.outcome).toBe(true);
  expect(result.restarts).toBe(1);
  expect(result.failures).toBe(0);
  expect(result.retries).toBeGreaterThanOrEqual(1);
});

test('a batch that keeps timing out fails its callers with EmbeddingError after 3 attempts', async ({ page }) => {
  const result = await page.evaluate(async () => {
    const { Embedder, EmbeddingError } = window.agentmem;
    // One batch of 300 long texts takes far more than 5 ms to tokenise and run, so every attempt times out
    // (sessions load under a separate, longer limit).
    const embedder = await Embedder.create({
      model: '/models/lexical',
      backend: 'wasm',
      workers: 1,
      maxBatch: 1024,
      timeoutMs: 5,
      cache: false,
    });
    const input = window.helpers.texts(300, 17).map((t) => `${t} ${'coffee morning window seat '.repeat(40)}`);
    const outcome = await embedder.embedMany(input).then(
      () => 'resolved',
      (e: unknown) => (e instanceof EmbeddingError ? e.message : `other: ${String(e)}`),
    );
    const stats = embedder.stats();
    await embedder.close();
    return {
      outcome,
      failures: stats.failures,
      retries: stats.retries,
      restarts: stats.workers[0]!.restarts,
      batches: stats.batches,
    };
  });
  expect(result.outcome).toMatch(
    /^Embedding failed after 3 attempts: worker 0 timed out; worker 0 timed out; worker 0 timed out$/,
  );
  expect(result.batches).toBe(1);
  expect(result.failures).toBe(300);
  // Retried in halves: 300 -> 2 x 150 -> 4 x 75, each part failing its third try.
  expect(result.retries).toBe(3);
  expect(result.restarts).toBeGreaterThanOrEqual(6);
});

test('when no worker can be restarted, every waiting and later call rejects with EmbeddingError (none hangs)', async ({
  page,
}) => {
  const result = await page.evaluate(async () => {
    const { Embedder } = window.agentmem;
    const embedder = await Embedder.create({
      model: '/models/lexical',
      backend: 'wasm',
      workers: 1,
      maxBatch: 4,
      maxQueue: 8,
      cache: false,
    });
    (window as unknown as { engine: unknown }).engine = embedder;
    return embedder.stats().workers.length;
  });
  expect(result).toBe(1);
  // From now on the worker script cannot be loaded: every replacement fails to start.
  let blocked = 0;
  await page.route('**/embed.worker*.js', (route) => {
    blocked++;
    return route.abort();
  });
  const outcome = await page.evaluate(async () => {
    const embedder = (window as unknown as { engine: Awaited<ReturnType<typeof window.agentmem.Embedder.create>> })
      .engine;
    const { EmbeddingError } = window.agentmem;
    const input = window.helpers.texts(40, 23); // 4 running, 8 queued, 28 waiting for space
    const settled = input.map((t) =>
      embedder.embed(t).then(
        () => 'vector',
        (e: unknown) => (e instanceof EmbeddingError ? 'EmbeddingError' : `other: ${String(e)}`),
      ),
    );
    await new Promise((r) => setTimeout(r, 0));
    const waiting = embedder.stats().waitingForSpace;
    window.hooks.terminateWorker(embedder, 0);
    const outcomes = await Promise.all(settled);
    const later = await embedder.embed('a text after the failure').then(
      () => 'vector',
      (e: unknown) => (e instanceof EmbeddingError ? `EmbeddingError: ${e.message}` : `other: ${String(e)}`),
    );
    const stats = embedder.stats();
    await embedder.close();
    return {
      waiting,
      outcomes: [...new Set(outcomes)],
      later,
      state: stats.state,
      queued: stats.queueDepth + stats.waitingForSpace,
    };
  });
  expect(outcome.waiting).toBeGreaterThan(0);
  expect(outcome.outcomes).toEqual(['EmbeddingError']);
  expect(outcome.later).toBe('EmbeddingError: Every embedding worker has failed and could not be restarted');
  expect(outcome.state).toBe('failed');
  expect(outcome.queued).toBe(0);
  expect(blocked).toBe(3); // three replacements tried, each refused its script
});

test('backpressure holds the queue at maxQueue; an aborted text rejects with the signal’s reason, the rest complete', async ({
  page,
}) => {
  const result = await page.evaluate(async () => {
    const { Embedder } = window.agentmem;
    const { texts } = window.helpers;
    const embedder = await Embedder.create({
      model: '/models/lexical',
      backend: 'wasm',
      workers: 1,
      maxBatch: 4,
      maxQueue: 8,
      cache: false,
    });
    const input = texts(120, 5);
    const controllers = input.map(() => new AbortController());
    const outcomes: Array<'ok' | 'aborted' | 'other'> = [];
    const reasons = new Map<number, unknown>();
    let maxDepth = 0;
    let maxWaiting = 0;
    let done = false;
    const sampler = (async () => {
      while (!done) {
        const s = embedder.stats();
        maxDepth = Math.max(maxDepth, s.queueDepth);
        maxWaiting = Math.max(maxWaiting, s.waitingForSpace);
        await new Promise((r) => setTimeout(r, 0));
      }
    })();
    const all = input.map((t, i) =>
      embedder.embed(t, { signal: controllers[i]!.signal }).then(
        () => void (outcomes[i] = 'ok'),
        (e: unknown) => void (outcomes[i] = e === reasons.get(i) ? 'aborted' : 'other'),
      ),
    );
    // Abort every 10th text while it waits (in the queue or for space).
    await new Promise((r) => setTimeout(r, 0));
    for (let i = 5; i < input.length; i += 10) {
      const reason = new Error(`stop ${i}`);
      reasons.set(i, reason);
      controllers[i]!.abort(reason);
    }
    await Promise.all(all);
    done = true;
    await sampler;
    // An already-aborted signal rejects at once with its reason.
    const early = new AbortController();
    early.abort('too late');
    const earlyOutcome = await embedder.embed('never sent', { signal: early.signal }).then(
      () => 'resolved',
      (e: unknown) => e,
    );
    const stats = embedder.stats();
    await embedder.close();
    return {
      maxDepth,
      maxWaiting,
      ok: outcomes.filter((o) => o === 'ok').length,
      aborted: outcomes.filter((o) => o === 'aborted').length,
      other: outcomes.filter((o) => o === 'other').length,
      earlyOutcome,
      inferences: stats.inferences,
    };
  });
  expect(result.maxDepth).toBe(8);
  expect(result.maxWaiting).toBeGreaterThan(0);
  expect(result.aborted).toBe(12);
  expect(result.ok).toBe(108);
  expect(result.other).toBe(0);
  expect(result.inferences).toBe(108); // aborted texts were never embedded
  expect(result.earlyOutcome).toBe('too late');
});

test('an abort after the text reached a worker rejects only that caller; one sharing the text resolves, and the vector is cached', async ({
  page,
}) => {
  const result = await page.evaluate(async () => {
    const { Embedder } = window.agentmem;
    // minilm-l6: a run lasts long enough (~20 ms) to abort while the worker has the text.
    const embedder = await Embedder.create({ model: '/models/minilm-l6', backend: 'wasm', workers: 1, maxBatch: 1 });
    const onWorker = async () => {
      while (embedder.stats().workers[0]!.state !== 'busy') await new Promise((r) => setTimeout(r, 0));
      return embedder.stats().workers[0]!.state;
    };
    const settle = (p: Promise<Float32Array>) =>
      p.then(
        (v) => `vector ${v.length}`,
        (e: unknown) => `rejected: ${String(e)}`,
      );
    // Two callers share one text; the first aborts while the worker embeds it.
    const first = new AbortController();
    const shared = [
      settle(embedder.embed('shared text', { signal: first.signal })),
      settle(embedder.embed('shared text')),
    ];
    const sharedStage = await onWorker();
    first.abort('first gave up');
    const sharedOutcomes = await Promise.all(shared);
    // A lone caller aborts while its text is on the worker: it rejects at once, the result still lands in the cache.
    const lone = new AbortController();
    const lonePromise = settle(embedder.embed('lone text', { signal: lone.signal }));
    const loneStage = await onWorker();
    lone.abort('lone gave up');
    const loneOutcome = await lonePromise;
    while (embedder.stats().inferences < 2) await new Promise((r) => setTimeout(r, 5)); // the worker finishes the abandoned text
    const again = await settle(embedder.embed('lone text'));
    const stats = embedder.stats();
    await embedder.close();
    return {
      sharedStage,
      sharedOutcomes,
      loneStage,
      loneOutcome,
      again,
      inferences: stats.inferences,
      hits: stats.cache.hits,
    };
  });
  expect(result.sharedStage).toBe('busy');
  expect(result.sharedOutcomes).toEqual(['rejected: first gave up', 'vector 384']);
  expect(result.loneStage).toBe('busy');
  expect(result.loneOutcome).toBe('rejected: lone gave up');
  expect(result.again).toBe('vector 384');
  expect(result.inferences).toBe(2);
  expect(result.hits).toBe(1);
});

test('a cache hit returns the identical vector without inference; identical texts in flight are embedded once', async ({
  page,
}) => {
  const result = await page.evaluate(async () => {
    const { Embedder, embeddingCacheKey } = window.agentmem;
    const text = 'I drink coffee every morning';
    let embedder = await Embedder.create({ model: '/models/lexical', backend: 'wasm', workers: 1 });
    const first = await embedder.embed(text);
    const afterFirst = embedder.stats();
    const second = await embedder.embed(text);
    const afterSecond = embedder.stats();
    first[0] = 42; // a caller scribbling on its vector must not change the cache
    const third = await embedder.embed(text);
    const same = await Promise.all(Array.from({ length: 5 }, () => embedder.embed('five callers, one text')));
    const afterSame = embedder.stats();
    const modelId = embedder.modelId;
    await embedder.close();

    // A new embedder (as after a reload) finds the vector in IndexedDB.
    embedder = await Embedder.create({ model: '/models/lexical', backend: 'wasm', workers: 1 });
    const fourth = await embedder.embed(text);
    const afterReload = embedder.stats();
    await embedder.close();
    const key = await embeddingCacheKey(modelId, text);
    return {
      secondIdentical: Array.from(second).every((v, i) => Object.is(v, third[i])) && second.length === 256,
      reloadIdentical: Array.from(fourth).every((v, i) => Object.is(v, second[i])),
      inferences: [afterFirst.inferences, afterSecond.inferences, afterSame.inferences, afterReload.inferences],
      hits: afterSecond.cache.hits,
      memoryHits: afterSecond.cache.memoryHits,
      persistentHits: afterReload.cache.persistentHits,
      deduplicated: afterSame.cache.deduplicated,
      sameEqual: same.every((v) => Array.from(v).every((x, i) => x === same[0]![i])),
      key,
      modelId,
    };
  });
  expect(result.secondIdentical).toBe(true);
  expect(result.reloadIdentical).toBe(true);
  expect(result.inferences).toEqual([1, 1, 2, 0]);
  expect(result.hits).toBe(1);
  expect(result.memoryHits).toBe(1);
  expect(result.persistentHits).toBe(1);
  expect(result.deduplicated).toBe(4);
  expect(result.sameEqual).toBe(true);
  expect(result.key).toMatch(/^[0-9a-f]{64}$/);
  expect(result.modelId).toMatch(/^lexical#int8@[0-9a-f]{16}$/);
});

test('a text cut at another maxTokens is cached apart: the persistent cache never hands back a vector of another length', async ({
  page,
}) => {
  const result = await page.evaluate(async () => {
    const { Embedder } = window.agentmem;
    const text = 'coffee morning window seat flight memory agent browser vector search user prefers tea night train';
    const run = async (maxTokens?: number) => {
      const embedder = await Embedder.create({
        model: '/models/lexical',
        backend: 'wasm',
        workers: 1,
        ...(maxTokens ? { maxTokens } : {}),
      });
      const vector = await embedder.embed(text);
      const stats = embedder.stats();
      await embedder.close();
      return { vector: Array.from(vector), inferences: stats.inferences, persistentHits: stats.cache.persistentHits };
    };
    const full = await run();
    const cut = await run(4);
    const cutAgain = await run(4);
    const fullAgain = await run();
    const same = (a: number[], b: number[]) => a.every((v, i) => Object.is(v, b[i]));
    return {
      cutDiffers: !same(cut.vector, full.vector),
      fromCache: [full, cut, cutAgain, fullAgain].map((r) => `${r.inferences}/${r.persistentHits}`),
      cutAgainSame: same(cutAgain.vector, cut.vector),
      fullAgainSame: same(fullAgain.vector, full.vector),
    };
  });
  expect(result.cutDiffers).toBe(true);
  // inferences / persistent hits: the first of each length embeds, the second comes from IndexedDB.
  expect(result.fromCache).toEqual(['1/0', '1/0', '0/1', '0/1']);
  expect(result.cutAgainSame).toBe(true);
  expect(result.fullAgainSame).toBe(true);
});

test('embedInto tells its sink once: the vectors embedMany gives, or the typed error', async ({ page }) => {
  const r = await page.evaluate(async () => {
    const { Embedder } = window.agentmem;
    const embedder = await Embedder.create({ model: '/models/lexical', backend: 'wasm', workers: 1 });
    // Every call the sink gets, a tick after the first: a second call would show.
    const into = (texts: string[]) =>
      new Promise<{ calls: string[]; vectors?: number[][] }>((resolve) => {
        const calls: string[] = [];
        let vectors: number[][] | undefined;
        const done = () => setTimeout(() => resolve({ calls, ...(vectors ? { vectors } : {}) }), 50);
        embedder.embedInto(texts, {
          embedded: (v) => {
            vectors = v.map((x) => Array.from(x));
            if (calls.push('embedded') === 1) done();
          },
          embedFailed: (e) => {
            if (calls.push((e as Error).name) === 1) done();
          },
        });
      });
    const texts = ['coffee at dawn', 'a walk by the river', 'coffee at dawn'];
    const good = await into(texts);
    const many = (await embedder.embedMany(texts)).map((v) => Array.from(v));
    const bad = await into(['fine', '\0 \t']);
    const none = await into([]);
    await embedder.close();
    const closed = await into(['after close']);
    return { good, many, bad, none, closed };
  });
  expect(r.good.calls).toEqual(['embedded']);
  expect(r.good.vectors).toEqual(r.many);
  expect(r.bad.calls).toEqual(['ValidationError']);
  expect(r.none).toEqual({ calls: ['embedded'], vectors: [] });
  expect(r.closed.calls).toEqual(['ClosedError']);
});

test('bad options and bad texts are rejected with ValidationError; only the bad caller fails', async ({ page }) => {
  const result = await page.evaluate(async () => {
    const { Embedder, ValidationError } = window.agentmem;
    const optionErrors: string[] = [];
    const bad: unknown[] = [
      { model: '/models/lexical', workers: 0 },
      { model: '/models/lexical', backend: 'cuda' },
      { model: '', workers: 1 },
      { model: '/models/lexical', maxBatch: 2.5 },
      { model: '/models/lexical', worker: 2 },
      { model: '/models/lexical', cache: { memoryEntries: -1 } },
    ];
    for (const options of bad) {
      try {
        await Embedder.create(options as never);
        optionErrors.push('no error');
      } catch (e) {
        optionErrors.push(e instanceof ValidationError ? e.message : `other: ${String(e)}`);
      }
    }
    const embedder = await Embedder.create({ model: '/models/lexical', backend: 'wasm', workers: 1 });
    const inputs: unknown[] = [
      'fine text',
      '',
      '   ',
      '\0 \0\t',
      42,
      'lone \uD800 surrogate',
      null,
      'another fine text',
    ];
    const settled = await Promise.allSettled(inputs.map((t) => embedder.embed(t as string)));
    const many = await embedder.embedMany(['ok', 7 as unknown as string]).then(
      () => 'resolved',
      (e: unknown) => (e instanceof ValidationError ? e.message : String(e)),
    );
    await embedder.close();
    return {
      optionErrors,
      texts: settled.map((s) =>
        s.status === 'fulfilled'
          ? 'ok'
          : s.reason instanceof ValidationError
            ? s.reason.message
            : `other: ${String(s.reason)}`,
      ),
      many,
    };
  });
  expect(result.optionErrors).toEqual([
    'Expected `workers` to be an integer from 1 to 16, got `0` (number)',
    "Expected `backend` to be one of 'auto', 'webgpu', 'wasm', got `\"cuda\"` (string)",
    'Expected `model` to be a non-empty string (not only whitespace), got `""` (string)',
    'Expected `maxBatch` to be an integer from 1 to 8192, got `2.5` (number)',
    expect.stringContaining('Unknown option `worker`'),
    'Expected `cache.memoryEntries` to be an integer from 0 to 10000000, got `-1` (number)',
  ]);
  expect(result.texts).toEqual([
    'ok',
    'Expected `text` to be a non-empty string (not only whitespace or control characters), got `""` (string)',
    'Expected `text` to be a non-empty string (not only whitespace or control characters), got `"   "` (string)',
    'Expected `text` to be a non-empty string (not only whitespace or control characters), got `"\\u0000 \\u0000\\t"` (string)',
    'Expected `text` to be a string, got `42` (number)',
    'Expected `text` to be well-formed UTF-16, got a lone surrogate at index 5',
    'Expected `text` to be a string, got `null` (null)',
    'ok',
  ]);
  expect(result.many).toBe('Expected `texts[1]` to be a string, got `7` (number)');
});

test('model loading: a missing file names its URL, a missing default variant falls back to fp32; close() is idempotent and rejects waiting callers', async ({
  page,
}) => {
  // As if the folder held only fp32 weights (as a hand-made export might).
  for (const file of ['model_fp16.onnx', 'model_quantized.onnx']) {
    await page.route(`**/models/lexical/onnx/${file}`, (route) => route.fulfill({ status: 404, body: 'not here' }));
  }
  const result = await page.evaluate(async () => {
    const { Embedder, ModelLoadError, ClosedError } = window.agentmem;
    const describe = (e: unknown): string =>
      `${e instanceof ModelLoadError ? 'ModelLoadError' : 'other'}: ${String((e as Error).message)}`;
    const missingVariant = await Embedder.create({ model: '/models/lexical', backend: 'wasm', variant: 'fp16' }).then(
      () => 'created',
      describe,
    );
    const missingFolder = await Embedder.create({ model: '/models/no-such-model', backend: 'wasm' }).then(
      () => 'created',
      describe,
    );
    // The default WASM variant (int8) is missing: fp32 loads instead; with `threads` (the page is cross-origin isolated).
    const fallback = await Embedder.create({
      model: '/models/lexical',
      backend: 'wasm',
      workers: 1,
      threads: Math.min(2, navigator.hardwareConcurrency),
    });
    const fallbackInfo = {
      variant: fallback.variant,
      modelId: fallback.modelId,
      dims: (await fallback.embed('coffee')).length,
    };
    await fallback.close();
    const progress: string[] = [];
    const embedder = await Embedder.create({
      model: '/models/lexical',
      backend: 'wasm',
      workers: 1,
      maxBatch: 2,
      cache: false,
      onProgress: (p) => progress.push(p.stage),
    });
    const pending = window.helpers.texts(30, 9).map((t) =>
      embedder.embed(t).then(
        () => 'ok',
        (e: unknown) => (e instanceof ClosedError ? 'closed' : String(e)),
      ),
    );
    await Promise.all([embedder.close(), embedder.close()]);
    const outcomes = await Promise.all(pending);
    const after = await embedder.embed('after close').then(
      () => 'ok',
      (e: unknown) => (e instanceof ClosedError ? 'closed' : String(e)),
    );
    return {
      missingVariant,
      missingFolder,
      fallbackInfo,
      closed: outcomes.filter((o) => o === 'closed').length,
      other: outcomes.filter((o) => o !== 'closed' && o !== 'ok'),
      after,
      stages: [...new Set(progress)],
      state: embedder.stats().state,
    };
  });
  expect(result.missingVariant).toMatch(
    /^ModelLoadError: Could not fetch the model file http:\/\/.*\/models\/lexical\/onnx\/model_fp16\.onnx: HTTP 404/,
  );
  expect(result.missingFolder).toMatch(/^ModelLoadError: .*\/models\/no-such-model\/config\.json/);
  expect(result.fallbackInfo).toEqual({
    variant: 'fp32',
    modelId: expect.stringMatching(/^lexical#fp32@[0-9a-f]{16}$/),
    dims: 256,
  });
  expect(result.closed).toBeGreaterThan(0);
  expect(result.other).toEqual([]);
  expect(result.after).toBe('closed');
  expect(result.stages).toEqual(['fetch', 'session', 'warmup', 'ready']);
  expect(result.state).toBe('closed');
});

test('model files are fetched once: a second load comes from the Cache API with no network', async ({ page }) => {
  const requests: string[] = [];
  page.on('request', (r) => {
    if (r.url().includes('/models/lexical/')) requests.push(new URL(r.url()).pathname);
  });
  const firstBytes = await page.evaluate(async () => {
    let loaded = 0;
    const e = await window.agentmem.Embedder.create({
      model: '/models/lexical',
      backend: 'wasm',
      workers: 2,
      cache: false,
      onProgress: (p) => {
        if (p.stage === 'fetch') loaded = p.loaded ?? 0;
      },
    });
    await e.close();
    return loaded;
  });
  expect(firstBytes).toBeGreaterThan(1_000_000);
  expect(requests.sort()).toEqual([
    '/models/lexical/config.json',
    '/models/lexical/onnx/model_quantized.onnx', // once, although two workers load it
    '/models/lexical/tokenizer.json',
    '/models/lexical/tokenizer_config.json',
  ]);
  await page.route('**/models/**', (route) => route.abort('internetdisconnected'));
  const second = await page.evaluate(async () => {
    const totals: Array<number | undefined> = [];
    const e = await window.agentmem.Embedder.create({
      model: '/models/lexical',
      backend: 'wasm',
      workers: 1,
      cache: false,
      onProgress: (p) => {
        if (p.stage === 'fetch') totals.push(p.total);
      },
    });
    const dims = (await e.embed('offline coffee')).length;
    await e.close();
    return { dims, total: totals.at(-1) };
  });
  expect(second).toEqual({ dims: 256, total: firstBytes });
});

test('a Hugging Face folder without our config block (as downloaded) loads by convention, from an absolute URL', async ({
  page,
  baseURL,
}) => {
  // The lexical model's config as a stock Hugging Face export would have it: no `agentmem` block.
  await page.route('**/hf-style/**', async (route) => {
    const url = new URL(route.request().url());
    const real = url.pathname.replace('/hf-style/', '/models/lexical/');
    const response = await route.fetch({ url: new URL(real, url).href });
    if (!url.pathname.endsWith('/config.json')) return route.fulfill({ response });
    const config = (await response.json()) as Record<string, unknown>;
    delete config['agentmem'];
    return route.fulfill({ response, json: config });
  });
  const result = await page.evaluate(async (base) => {
    const { Embedder, helpers } = { ...window.agentmem, helpers: window.helpers };
    const hf = await Embedder.create({
      model: new URL('/hf-style', base).href,
      backend: 'wasm',
      workers: 1,
      cache: false,
    });
    const ours = await Embedder.create({ model: '/models/lexical', backend: 'wasm', workers: 1, cache: false });
    const text = 'I drink coffee every morning';
    const [a, b] = [await hf.embed(text), await ours.embed(text)];
    const out = { dims: hf.dimensions, modelId: hf.modelId, cos: helpers.cosine(a, b) };
    await Promise.all([hf.close(), ours.close()]);
    return out;
  }, baseURL!);
  expect(result.dims).toBe(256); // from hidden_size
  expect(result.modelId).toMatch(/^hf-style#int8@[0-9a-f]{16}$/);
  expect(result.cos).toBeGreaterThanOrEqual(0.9999); // mean pooling, the convention, is what the block said too
});

test('a sentence-level model (use-lite: rank-2 output, own tokenizer, 128 positions) runs through the same path', async ({
  page,
}) => {
  const result = await page.evaluate(async () => {
    const { Embedder } = window.agentmem;
    const { cosine, norm } = window.helpers;
    const embedder = await Embedder.create({
      model: '/models/use-lite',
      backend: 'wasm',
      variant: 'fp32',
      workers: 1,
      cache: false,
    });
    const input = [
      'User prefers window seats on morning flights',
      'Where does the user like to sit on planes?',
      'The cat sat on the mat.',
      'word '.repeat(300),
    ];
    const batch = await embedder.embedMany(input);
    const singles: Float32Array[] = [];
    for (const t of input) singles.push(await embedder.embed(t));
    await embedder.close();
    return {
      dims: embedder.dimensions,
      norms: batch.map(norm),
      batchVsSingle: Math.min(...batch.map((v, i) => cosine(v, singles[i]!))),
      related: cosine(batch[0]!, batch[1]!),
      unrelated: cosine(batch[0]!, batch[2]!),
    };
  });
  expect(result.dims).toBe(512);
  for (const n of result.norms) expect(n).toBeCloseTo(1, 5);
  expect(result.batchVsSingle).toBeGreaterThanOrEqual(0.9999);
  expect(result.related).toBeGreaterThan(result.unrelated);
});
