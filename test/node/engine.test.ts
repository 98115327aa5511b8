/**
 * The engine in Node, from the built package: round trips on both backends, native and WASM vectors agreeing,
 * models from paths and file: URLs, the same typed errors as in a browser, and a worker thread that dies
 * mid-batch losing nothing.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { MODELS, dot, hooks, lib } from './built.js';

const { Embedder, EmbeddingError, ModelLoadError, ValidationError } = lib;
type Embedder = import('../../src/node.js').Embedder;

const sentences = [
  'I drink coffee every morning',
  'Coffee is what I have for breakfast each day',
  'The stock market fell sharply on Tuesday',
  'User prefers window seats on morning flights',
  'Numbers 1 2 3 and punctuation!?',
  'ünïcödé, 日本語のテキスト and emoji 🎉',
];

const open: Embedder[] = [];
async function create(options: Parameters<typeof Embedder.create>[0]): Promise<Embedder> {
  const embedder = await Embedder.create(options);
  open.push(embedder);
  return embedder;
}
afterAll(async () => {
  await Promise.all(open.map((e) => e.close()));
  // A thread inside onnxruntime-node ends only when its native call returns: this fork must not exit before.
  await hooks.threadsStopped();
});

/** The model folders over http on a free local port. */
async function serveModels(): Promise<{ server: Server; port: number }> {
  const server = createServer((request, response) => {
    readFile(resolve(MODELS, `.${decodeURIComponent(new URL(request.url!, 'http://x').pathname)}`)).then(
      (bytes) => response.writeHead(200, { 'content-type': 'application/octet-stream' }).end(bytes),
      () => response.writeHead(404).end(),
    );
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return { server, port: (server.address() as { port: number }).port };
}

describe.each(['native', 'wasm'] as const)('backend %s', (backend) => {
  it('embeds use-lite from a relative folder path: unit vectors with meaning', async () => {
    const relative = `./${resolve(MODELS, 'use-lite').slice(process.cwd().length + 1)}`;
    const embedder = await create({ model: relative, backend, cache: false });
    expect(embedder.backend).toBe(backend);
    expect(embedder.variant).toBe('int8');
    expect(embedder.dimensions).toBe(512);
    expect(embedder.modelId).toMatch(/^use-lite#int8@[0-9a-f]{16}$/);
    expect(embedder.formerModelIds).toEqual([`${pathToFileURL(resolve(MODELS, 'use-lite')).href}/#int8`]);
    const [coffee, breakfast, market] = await embedder.embedMany(sentences.slice(0, 3));
    for (const v of [coffee!, breakfast!, market!]) expect(dot(v, v)).toBeCloseTo(1, 4);
    expect(dot(coffee!, breakfast!)).toBeGreaterThan(dot(coffee!, market!) + 0.2);
    expect(embedder.stats()).toMatchObject({ state: 'ready', backend, inferences: 3, failures: 0 });
  });
});

describe('native and wasm agree', () => {
  it.each(['int8', 'fp32'] as const)('the %s variant gives the same vectors (cosine >= 0.999)', async (variant) => {
    const model = resolve(MODELS, 'use-lite');
    const [native, wasm] = await Promise.all([
      create({ model, backend: 'native', variant, workers: 1, cache: false }),
      create({ model, backend: 'wasm', variant, workers: 1, cache: false }),
    ]);
    const [a, b] = await Promise.all([native.embedMany(sentences), wasm.embedMany(sentences)]);
    const cosines = a.map((v, i) => dot(v, b[i]!));
    expect(Math.min(...cosines)).toBeGreaterThanOrEqual(0.999);
    await Promise.all([native.close(), wasm.close()]);
  });
});

describe('the Node entry', () => {
  it("exports the browser entry's names, with this process's capabilities", async () => {
    const browser = (await import(
      /* @vite-ignore */ pathToFileURL(resolve(import.meta.dirname, '../../dist/lib/index.js')).href
    )) as Record<string, unknown>;
    expect(Object.keys(lib).sort()).toEqual(Object.keys(browser).sort());
    expect(await lib.capabilities()).toMatchObject({ hasWebGPU: false, hardwareConcurrency: availableParallelism() });
  });
});

describe('processes', () => {
  it('runs in a `node --input-type=module -e` script, whose process exits on its own without close()', () => {
    const entry = pathToFileURL(resolve(import.meta.dirname, '../../dist/lib/node.js')).href;
    const script = `import { Embedder } from ${JSON.stringify(entry)};
const e = await Embedder.create({ model: ${JSON.stringify(resolve(MODELS, 'lexical'))}, workers: 1 });
console.log(e.backend, (await e.embed('window seat')).length);`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(out.trim()).toBe('native 256');
  });
});

describe('models from the file system', () => {
  it('takes an absolute path and a file: URL; auto picks native', async () => {
    const url = pathToFileURL(resolve(MODELS, 'lexical')).href;
    const embedder = await create({ model: url, workers: 1 });
    expect(embedder.backend).toBe('native');
    expect(embedder.dimensions).toBe(256);
    const byPath = await create({ model: resolve(MODELS, 'lexical'), backend: 'native', workers: 1 });
    const [a, b] = await Promise.all([embedder.embed('window seat'), byPath.embed('window seat')]);
    expect(dot(a, b)).toBeGreaterThan(0.99999);
  });

  it('fetches an http URL (and only then touches the network)', async () => {
    const { server, port } = await serveModels();
    try {
      const fetched = await create({ model: `http://127.0.0.1:${port}/lexical`, backend: 'native', workers: 1 });
      const local = await create({ model: resolve(MODELS, 'lexical'), backend: 'native', workers: 1 });
      // One model served two ways has one id: its vectors (a database, a backup) are valid under either.
      expect(fetched.modelId).toBe(local.modelId);
      expect(fetched.formerModelIds).toEqual([`http://127.0.0.1:${port}/lexical/#int8`]);
      const [a, b] = await Promise.all([fetched.embed('window seat'), local.embed('window seat')]);
      expect(dot(a, b)).toBeGreaterThan(0.99999);
      await expect(Embedder.create({ model: `http://127.0.0.1:${port}/missing` })).rejects.toThrow(
        /Could not fetch the model file http:.*\/missing\/config\.json: HTTP 404/,
      );
    } finally {
      server.close();
    }
  });

  it('rejects a missing folder and a URL scheme it cannot read with ModelLoadError', async () => {
    await expect(Embedder.create({ model: resolve(MODELS, 'no-such-model') })).rejects.toThrow(
      new ModelLoadError(
        `Could not read the model file ${resolve(MODELS, 'no-such-model', 'config.json')}: no such file`,
      ),
    );
    await expect(Embedder.create({ model: 'ftp://example.test/models/x' })).rejects.toBeInstanceOf(ModelLoadError);
  });
});

describe('bad input: the same typed errors as in a browser', () => {
  it('rejects bad options before anything is read', async () => {
    const model = resolve(MODELS, 'lexical');
    await expect(Embedder.create({ model, backend: 'webgpu' })).rejects.toThrow(
      new ValidationError("Expected `backend` to be one of 'auto', 'native', 'wasm', got `\"webgpu\"` (string)"),
    );
    await expect(Embedder.create({ model, workers: 0 })).rejects.toBeInstanceOf(ValidationError);
    await expect(Embedder.create({ model, backend: 'native', workers: 4, threads: 4 })).rejects.toThrow(
      /Expected `workers` × `threads` to be at most the available cores/,
    );
    await expect(Embedder.create({ model, modle: 'x' } as never)).rejects.toThrow(/Unknown option `modle`/);
  });

  it('rejects bad texts with ValidationError and keeps working', async () => {
    const embedder = await create({ model: resolve(MODELS, 'lexical'), backend: 'native', workers: 1 });
    await expect(embedder.embed('   ')).rejects.toBeInstanceOf(ValidationError);
    await expect(embedder.embed(42 as unknown as string)).rejects.toBeInstanceOf(ValidationError);
    await expect(embedder.embedMany(['ok', ''])).rejects.toBeInstanceOf(ValidationError);
    expect((await embedder.embed('still works')).length).toBe(256);
  });
});

describe('failures', () => {
  it.each(['native', 'wasm'] as const)(
    '%s: a worker thread killed mid-batch loses nothing: its texts are retried on a replacement',
    async (backend) => {
      const model = resolve(MODELS, 'lexical');
      const texts = Array.from({ length: 160 }, (_, i) => `memory ${i}: ${sentences[i % sentences.length]} ${i * 7}`);
      const reference = await create({ model, backend, workers: 1, cache: false });
      const expected = await reference.embedMany(texts);
      await reference.close();

      const embedder = await create({ model, backend, workers: 2, maxBatch: 16, cache: false });
      const pending = embedder.embedMany(texts);
      const started = performance.now();
      while (embedder.stats().workers[0]!.state !== 'busy' && performance.now() - started < 30_000)
        await new Promise((r) => setTimeout(r, 1));
      expect(await hooks.killThread(embedder, 0)).toBe(true);
      const vectors = await pending;
      expect(vectors).toHaveLength(texts.length);
      const cosines = vectors.map((v, i) => dot(v, expected[i]!));
      expect(Math.min(...cosines)).toBeGreaterThan(0.9999);
      const stats = embedder.stats();
      expect(stats.failures).toBe(0);
      expect(stats.inferences).toBe(texts.length);
      expect(stats.retries).toBeGreaterThanOrEqual(1);
      // The slot gets a new thread (it may still be loading when the batch is done on the other worker).
      const waited = performance.now();
      while (embedder.stats().workers[0]!.restarts === 0 && performance.now() - waited < 60_000)
        await new Promise((r) => setTimeout(r, 10));
      expect(embedder.stats().workers[0]).toMatchObject({ restarts: 1, state: 'idle' });
    },
  );

  it('a batch that keeps timing out fails its callers with EmbeddingError after 3 attempts', async () => {
    const embedder = await create({
      model: resolve(MODELS, 'lexical'),
      backend: 'native',
      workers: 1,
      maxBatch: 1024,
      timeoutMs: 5,
      cache: false,
    });
    const input = Array.from({ length: 300 }, (_, i) => `${i} ${'coffee morning window seat '.repeat(40)}`);
    const error: unknown = await embedder.embedMany(input).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EmbeddingError);
    expect((error as Error).message).toBe(
      'Embedding failed after 3 attempts: worker 0 timed out; worker 0 timed out; worker 0 timed out',
    );
    const stats = embedder.stats();
    expect(stats.failures).toBe(300);
    expect(stats.workers[0]!.restarts).toBeGreaterThanOrEqual(6);
  });

  it('stopping a thread inside onnxruntime-node (loading or running) never aborts the process', () => {
    // Before the native gate, worker.terminate() there made the addon throw a C++ exception on return, and the
    // process died with "terminate called after throwing an instance of 'Napi::Error'" (3 runs of 3 here).
    const child = resolve(import.meta.dirname, 'stop-child.mjs');
    const dist = resolve(import.meta.dirname, '../../dist/lib');
    const result = spawnSync(process.execPath, [child, dist, resolve(MODELS, 'minilm-l6'), '16'], {
      encoding: 'utf8',
      timeout: 150_000,
    });
    expect(result.stderr).not.toContain('terminate called');
    expect({ status: result.status, signal: result.signal }).toEqual({ status: 0, signal: null });
    expect(result.stdout).toMatch(/^done 16 cycles/);
  });

  it('a worker replaced after an http model server went away still starts: Node keeps the bytes it read', async () => {
    const { server, port } = await serveModels();
    const embedder = await create({
      model: `http://127.0.0.1:${port}/lexical`,
      backend: 'wasm',
      workers: 1,
      cache: false,
    });
    const before = await embedder.embed('window seat');
    server.close();
    server.closeAllConnections();
    expect(await hooks.killThread(embedder, 0)).toBe(true);
    const after = await embedder.embed('window seat');
    expect(dot(before, after)).toBeGreaterThan(0.99999);
    expect(embedder.stats().workers[0]).toMatchObject({ restarts: 1, state: 'idle' });
  });

  it('close() rejects waiting and later callers with ClosedError', async () => {
    const embedder = await Embedder.create({ model: resolve(MODELS, 'lexical'), backend: 'native', workers: 1 });
    const pending = embedder.embedMany(Array.from({ length: 200 }, (_, i) => `text ${i}`));
    await embedder.close();
    await expect(pending).rejects.toBeInstanceOf(lib.ClosedError);
    await expect(embedder.embed('x')).rejects.toBeInstanceOf(lib.ClosedError);
  });
});
