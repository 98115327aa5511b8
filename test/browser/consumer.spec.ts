/**
 * The package as a consumer meets it: `npm pack`, install the tarball into a fresh Vite app, build it with the
 * consumer's own bundler, serve it, and use the documented API in real Chromium. Workers, ORT's wasm and model
 * loading must survive someone else's build.
 */
import { test, expect, chromium, type Page } from '@playwright/test';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
  readFileSync,
} from 'node:fs';
import { resolve, join } from 'node:path';

const repo = resolve(import.meta.dirname, '../..');
const work = resolve(repo, '.tmp', `consumer-${process.env.AGENTMEM_PORT ?? 'main'}`);
const app = join(work, 'app');
const extension = join(work, 'extension');
let tarball = '';
const port = Number(process.env.AGENTMEM_PORT ?? 5180) + 7;
const devPort = port + 1;
let server: ChildProcess | undefined;
let devServer: ChildProcess | undefined;

function sh(cmd: string, args: string[], cwd: string): string {
  return execFileSync(cmd, args, {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, npm_config_loglevel: 'error' },
  });
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    return statSync(full).isDirectory() ? filesUnder(full) : [full];
  });
}

test.describe.configure({ mode: 'serial', timeout: 300_000 });

test.beforeAll(async () => {
  test.setTimeout(300_000);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  // npm pack runs `prepack` (tsc build of dist/lib); --ignore-scripts would skip it, so build first explicitly.
  sh('npm', ['run', 'build:lib', '--silent'], repo);
  tarball = sh('npm', ['pack', '--ignore-scripts', '--pack-destination', work, '--silent'], repo)
    .trim()
    .split('\n')
    .pop()!;
  installConsumer('app', app);
  sh('npx', ['vite', 'build'], app);
  // The app's own vite binary, not npx: killing npx would leave its vite child serving after the suite.
  server = spawn(
    join(app, 'node_modules/.bin/vite'),
    ['preview', '--port', String(port), '--strictPort', '--host', '127.0.0.1'],
    { cwd: app, stdio: 'ignore', detached: false },
  );
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/`)).ok) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('consumer preview server did not start');
});

/** Copies test/consumer/<name> to `dir`, installs the packed package and Vite into it, adds the model it loads. */
function installConsumer(name: string, dir: string): void {
  cpSync(resolve(repo, 'test/consumer', name), dir, { recursive: true });
  const vite = JSON.parse(readFileSync(resolve(repo, 'node_modules/vite/package.json'), 'utf8')).version as string;
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify(
      {
        name: `consumer-${name}`,
        private: true,
        type: 'module',
        dependencies: { 'agentmem-web': `file:../${tarball}` },
        devDependencies: { vite },
      },
      null,
      2,
    ),
  );
  // The model a consumer would put in its own public/ folder.
  cpSync(resolve(repo, 'public/models/lexical'), join(dir, 'public/models/lexical'), { recursive: true });
  sh('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund'], dir);
}

test.afterAll(() => {
  server?.kill();
  devServer?.kill();
});

type AppResult = Record<string, unknown>;

/** Loads the consumer app and checks what it did (main.js): the same assertions for the build and the dev server. */
async function runApp(page: Page, url: string): Promise<{ wasmFetched: string[] }> {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  // Which wasm files the workers fetched (names as served: hashed by a build, as published in dev).
  const wasmFetched: string[] = [];
  page.on('request', (r) => {
    const name = new URL(r.url()).pathname.split('/').pop()!;
    if (name.endsWith('.wasm')) wasmFetched.push(name);
  });
  await page.goto(url);
  await page.waitForFunction(() => (window as unknown as { __result?: unknown }).__result !== undefined, undefined, {
    timeout: 120_000,
  });
  const result = await page.evaluate(() => (window as unknown as { __result: AppResult }).__result);
  expect(result.error).toBeUndefined();
  expect((result.top as string[])[0]).toBe('I drink coffee every morning');
  expect(result.top).not.toContain('Bob likes tea');
  expect(result.validation).toBe('ValidationError');
  expect(result.webgpu).toMatchObject({ same: true, backend: 'webgpu' });
  // The export, restored from a Blob with its vectors: no text embedded again.
  expect(result.imported).toEqual({ listed: 3, inferences: 0 });
  expect(errors).toEqual([]);
  return { wasmFetched: [...new Set(wasmFetched)].sort() };
}

test('the packed package ships only compiled ESM, types and no model or wasm of its own', () => {
  const pkg = resolve(app, 'node_modules/agentmem-web');
  const files = filesUnder(pkg).map((f) => f.slice(pkg.length + 1));
  expect(files).toContain('dist/lib/index.js');
  expect(files).toContain('dist/lib/index.d.ts');
  expect(files).toContain('LICENSE');
  expect(files.filter((f) => f.endsWith('.wasm') || f.endsWith('.onnx'))).toEqual([]);
  expect(existsSync(resolve(app, 'node_modules/@huggingface/transformers'))).toBe(false);
});

test("the consumer's build carries ORT's WASM build and its WebGPU (JSEP) build, nothing more", () => {
  const assets = filesUnder(join(app, 'dist'));
  const wasm = assets
    .filter((f) => f.endsWith('.wasm'))
    .map((f) =>
      f
        .split('/')
        .pop()!
        .replace(/-[\w-]{8}\.wasm$/, '.wasm'),
    );
  expect(wasm.sort()).toEqual(['ort-wasm-simd-threaded.jsep.wasm', 'ort-wasm-simd-threaded.wasm']);
});

test('a fresh Vite app adds, searches and embeds through the documented API', async ({ page }) => {
  // The WASM workers fetch the plain build, the WebGPU worker the JSEP one.
  const { wasmFetched } = await runApp(page, `http://127.0.0.1:${port}/`);
  expect(wasmFetched.map((f) => f.replace(/-[\w-]{8}\.wasm$/, '.wasm')).sort()).toEqual([
    'ort-wasm-simd-threaded.jsep.wasm',
    'ort-wasm-simd-threaded.wasm',
  ]);
});

test('the same app under the Vite dev server (`vite`, what a developer runs first) works, with no warning from Vite', async ({
  page,
}) => {
  // Vite pre-bundles dependencies in dev and resolves the package's workers and source maps itself: a worker URL
  // or a source map that only survives a production build would break or warn here.
  let output = '';
  // The app's own vite binary (as for preview): npx would also add npm's warnings about this repository's .npmrc.
  devServer = spawn(
    join(app, 'node_modules/.bin/vite'),
    ['--port', String(devPort), '--strictPort', '--host', '127.0.0.1'],
    { cwd: app, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  devServer.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  devServer.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  for (let i = 0; i < 100 && !output.includes('ready in'); i++) await new Promise((r) => setTimeout(r, 200));
  expect(output).toContain('ready in');
  const { wasmFetched } = await runApp(page, `http://127.0.0.1:${devPort}/`);
  expect(wasmFetched).toEqual(['ort-wasm-simd-threaded.jsep.wasm', 'ort-wasm-simd-threaded.wasm']);
  devServer.kill();
  devServer = undefined;
  // e.g. "Sourcemap for .../agentmem-web/dist/lib/errors.js points to missing source files" (maps without sources).
  const complaints = output.split('\n').filter((line) => /sourcemap|warn|error/i.test(line));
  expect(complaints).toEqual([]);
});

test('an MV3 extension (test/consumer/extension) keeps memories in its offscreen document across its closing; its popup goes through the service worker', async () => {
  // The README's recipe as an extension author follows it: the packed package bundled by Vite into an offscreen
  // page, the service worker relaying calls there, the model inside the extension. Loaded unpacked into Chromium.
  installConsumer('extension', extension);
  sh(join(extension, 'node_modules/.bin/vite'), ['build'], extension);
  const dist = join(extension, 'dist');
  const profile = mkdtempSync(join(work, 'profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--disable-quic',
      '--enable-unsafe-webgpu',
      `--disable-extensions-except=${dist}`,
      `--load-extension=${dist}`,
    ],
  });
  try {
    const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'));
    expect(worker.url()).toMatch(/^chrome-extension:\/\/\w+\/background\.js$/);
    type Found = { results: { memory: string }[] };
    type Extension = {
      /** The example's service worker API (test/consumer/extension/public/background.js). */
      memory: (op: string, ...args: unknown[]) => Promise<unknown>;
      chrome: { offscreen: { closeDocument(): Promise<void>; hasDocument(): Promise<boolean> } };
    };
    const result = await worker.evaluate(async () => {
      const { memory, chrome } = globalThis as unknown as Extension;
      await memory('add', 'I drink coffee every morning', { userId: 'alice' });
      await Promise.all([
        memory('add', 'The cat sleeps on the red sofa', { userId: 'alice' }),
        memory('add', 'Bob likes tea', { userId: 'bob' }),
      ]);
      const first = (await memory('search', 'coffee', { userId: 'alice' })) as Found;
      let rejected = '';
      try {
        await memory('add', '', { userId: 'alice' });
      } catch (error) {
        rejected = (error as Error).name;
      }
      const capabilities = await memory('capabilities');
      const stats = (await memory('stats')) as { embedder: { backend: string } };
      // Chrome closes offscreen documents when it likes; the next call opens a new one on the same database.
      await chrome.offscreen.closeDocument();
      const closed = !(await chrome.offscreen.hasDocument());
      const again = (await memory('search', 'coffee', { userId: 'alice' })) as Found;
      const all = (await memory('getAll', { userId: 'alice' })) as Found;
      const texts = (r: Found) => r.results.map((x) => x.memory);
      return {
        first: texts(first),
        again: texts(again),
        all: texts(all),
        rejected,
        capabilities,
        backend: stats.embedder.backend,
        closed,
      };
    });
    expect(result.first[0]).toBe('I drink coffee every morning');
    expect(result.first).not.toContain('Bob likes tea');
    expect(result.rejected).toBe('ValidationError');
    // The manifest's COOP/COEP keys make the offscreen document cross-origin isolated (threads are possible).
    expect(result.capabilities).toMatchObject({ crossOriginIsolated: true, cacheStorage: true });
    expect(result.backend).toBe('wasm');
    expect(result.closed).toBe(true);
    expect(result.again).toEqual(result.first);
    expect(result.all.sort()).toEqual(['I drink coffee every morning', 'The cat sleeps on the red sofa']);

    // The toolbar popup, opened as a tab: its calls go through the service worker's relay.
    const popup = await context.newPage();
    await popup.goto(worker.url().replace('background.js', 'popup.html'));
    await popup.fill('#text', 'Alice is allergic to peanuts');
    await popup.click('#add');
    await expect(popup.locator('#results li')).toHaveText(['Remembered: Alice is allergic to peanuts']);
    await popup.fill('#text', 'peanuts');
    await popup.click('#search');
    await expect(popup.locator('#results li').first()).toContainText('Alice is allergic to peanuts');
    await popup.fill('#text', '   ');
    await popup.click('#add');
    await expect(popup.locator('#results li')).toHaveText([
      /^ValidationError: Expected `text` to be a non-empty string/,
    ]);
  } finally {
    await context.close();
  }
});
