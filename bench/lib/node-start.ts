/**
 * Cold start in Node: a fresh process, from its start to its first embed (an Embedder) or first add (a Memory at a
 * new path), the model on disk and nothing cached.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Runs `script` (an ES module) in a new process; the time until it prints `first`; waits for its exit. */
async function timeToFirst(script: string): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | null>((done) => child.on('exit', done));
  let first: number | undefined;
  child.stdout.on('data', (chunk: Buffer) => {
    if (first === undefined && chunk.toString().includes('first')) first = performance.now() - started;
  });
  const code = await exited;
  if (first === undefined) throw new Error(`the cold-start process exited with code ${code} before its first call`);
  return first;
}

const entry = (root: string): string => JSON.stringify(pathToFileURL(resolve(root, 'dist/lib/node.js')).href);

export function embedColdStart(root: string, model: string, backend: 'auto' | 'wasm'): Promise<number> {
  return timeToFirst(`import { Embedder } from ${entry(root)};
const e = await Embedder.create({ model: ${JSON.stringify(model)}, backend: '${backend}' });
await e.embed('The first memory of a fresh process');
process.stdout.write('first\\n');
await e.close();`);
}

export async function addColdStart(root: string, model: string): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'agentmem-bench-cold-'));
  try {
    return await timeToFirst(`import { Memory } from ${entry(root)};
const m = await Memory.create({ path: ${JSON.stringify(join(dir, 'cold.db'))}, model: ${JSON.stringify(model)} });
await m.add('The first memory of a fresh process', { userId: 'bench' });
process.stdout.write('first\\n');
await m.close();`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
