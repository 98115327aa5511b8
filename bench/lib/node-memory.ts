/**
 * The Memory-level systems of the Node benchmark: the public `Memory` from the built Node entry over a libSQL file
 * (`path`), with the engine's defaults; adds are real (inference, commit groups, the durable pending queue). Also
 * W4 (persistence and search at 100k through that Memory).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { MemoryOptions } from '../../src/memory/memory.js';
import { benchNodeStore, type NodeStoreRow } from '../node/store.js';
import type { NodeSystem, SystemOptions } from './node-systems.js';

type NodeEntry = typeof import('../../src/node.js');

const scope = { userId: 'bench' };

async function entry(root: string): Promise<NodeEntry> {
  return (await import(pathToFileURL(resolve(root, 'dist/lib/node.js')).href)) as NodeEntry;
}

/** `memory.add(text, { userId })` per caller; `addMany` for a batch. A fresh database file in a temporary folder. */
export async function agentmemMemory(root: string, model: string, options: SystemOptions): Promise<NodeSystem> {
  const { Memory } = await entry(root);
  const dir = mkdtempSync(join(tmpdir(), 'agentmem-bench-memory-'));
  const memory = await Memory.create({ path: join(dir, 'memory.db'), model, ...options });
  const engine = memory.stats().embedder as { backend?: string; workers?: unknown[] };
  return {
    name: 'agentmem-web-memory',
    resolved: {
      store: 'libSQL file',
      ...(engine.backend === undefined ? {} : { backend: engine.backend }),
      ...(engine.workers === undefined ? {} : { workers: engine.workers.length }),
    },
    run: (text) => memory.add(text, scope),
    runBatch: (texts) => memory.addMany(texts.map((text) => ({ text, ...scope }))),
    close: async () => {
      await memory.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * W4 through the public Memory at `path`: seeded through `addMany` with known vectors (no inference timed), then
 * searched with the Node engine's defaults (`bench/node/store.ts` has the shape).
 */
export async function memoryW4(root: string, model: string, sizes: readonly number[]): Promise<NodeStoreRow[]> {
  const { Memory, Embedder } = await entry(root);
  const embedder = await Embedder.create({ model });
  const dir = mkdtempSync(join(tmpdir(), 'agentmem-bench-w4-'));
  try {
    return await benchNodeStore({
      path: join(dir, 'w4.db'),
      sizes,
      embedder,
      open: (o: MemoryOptions) => Memory.create(o),
    });
  } finally {
    await embedder.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
