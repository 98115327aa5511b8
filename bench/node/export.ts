/**
 * Export and import at scale in Node (libSQL): seeds a file through the real add path with seeded vectors (no
 * inference), exports it to a JSON-lines file, imports that file into a fresh database with its vectors (the path
 * measured), and exports the copy again to check the round trip byte for byte. The heap is sampled at every page
 * and batch (after a GC before each phase, when Node runs with --expose-gc).
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { Memory, type MemoryOptions } from '../../src/memory/memory.js';
import type { TextEmbedder } from '../../src/memory/text-embedder.js';
import { nodeMemoryPlatform } from '../../src/memory/node-platform.js';
import { installMemoryPlatform } from '../../src/memory/platform.js';
import { SEEDS, textsFor } from '../lib/texts.js';
import { unitVector } from '../pages/systems/system.js';

export interface ExportBenchOptions {
  /** A folder for the two databases and the export file. */
  readonly dir: string;
  readonly size: number;
  readonly quantize: 'none' | 'int8';
  /** @default 384 (minilm-l6) */
  readonly dimensions?: number;
}

export interface PhaseResult {
  readonly ms: number;
  readonly perSec: number;
  /** Memories per second of this process's CPU time (user + system): less swayed by other work on the machine. */
  readonly perCpuSec: number;
  /** Highest heap used during the phase minus the heap after a GC before it, MiB. */
  readonly peakHeapGrowthMiB: number;
}

export interface ExportBenchResult {
  readonly size: number;
  readonly quantize: 'none' | 'int8';
  readonly dimensions: number;
  readonly seedMs: number;
  readonly fileMiB: number;
  readonly export: PhaseResult;
  /** An export of one user's memories (a tenth of them), to a file like the whole one. */
  readonly scopedExport: PhaseResult;
  readonly import: PhaseResult;
  /** The copy's export equals the original's (header time aside), byte for byte. */
  readonly identical: boolean;
  readonly imported: number;
  readonly reembedded: number;
}

const users = 10;

export async function benchExport(options: ExportBenchOptions): Promise<ExportBenchResult> {
  const { dir, size, quantize } = options;
  const dims = options.dimensions ?? 384;
  installMemoryPlatform(nodeMemoryPlatform);
  const texts = textsFor(SEEDS.store, size);
  const index = new Map(texts.map((t, i) => [t, i]));
  const embedder: TextEmbedder = {
    modelId: 'minilm-l6',
    dimensions: dims,
    embed: async (text) => unitVector(index.get(text) ?? 0, dims),
    embedMany: async (batch) => batch.map((text) => unitVector(index.get(text) ?? 0, dims)),
    stats: () => ({}),
    close: async () => undefined,
  };
  const open = (path: string) => {
    for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(`${path}${suffix}`, { force: true });
    return Memory.create({ path, embedder, quantize } satisfies MemoryOptions);
  };
  const source = await open(`${dir}/source.db`);
  const t0 = performance.now();
  for (let i = 0; i < size; i += 5000)
    await source.addMany(
      texts.slice(i, Math.min(size, i + 5000)).map((text, k) => ({ text, userId: `user-${(i + k) % users}` })),
    );
  const seedMs = performance.now() - t0;

  const file = `${dir}/export.jsonl`;
  const exported = await measure(size, (sample) => writeExport(source, file, sample));
  const scopedExport = await measure(size / users, (sample) =>
    writeExport(source, `${dir}/scoped.jsonl`, sample, { userId: 'user-0' }),
  );
  await source.close();

  const copy = await open(`${dir}/copy.db`);
  let result = { imported: 0, reembedded: 0 };
  const imported = await measure(size, async (sample) => {
    result = await copy.import(createReadStream(file, { highWaterMark: 1 << 20 }), {
      onConflict: 'error',
      onProgress: sample,
    });
  });
  const again = `${dir}/again.jsonl`;
  await writeExport(copy, again, () => undefined);
  await copy.close();
  const identical = (await bodyHash(file)) === (await bodyHash(again));
  return {
    size,
    quantize,
    dimensions: dims,
    seedMs: Math.round(seedMs),
    fileMiB: Math.round((statSync(file).size / 2 ** 20) * 10) / 10,
    export: exported,
    scopedExport,
    import: imported,
    identical,
    imported: result.imported,
    reembedded: result.reembedded,
  };
}

/** Streams an export into `file`, a page of lines per write, waiting for the disk when its buffer is full. */
async function writeExport(
  memory: Memory,
  file: string,
  sample: () => void,
  scope: { userId?: string } = {},
): Promise<void> {
  const out = createWriteStream(file);
  let buffered: string[] = [];
  for await (const line of memory.export({ scope, onProgress: sample })) {
    buffered.push(line);
    if (buffered.length < 500) continue;
    if (!out.write(buffered.join(''))) await once(out, 'drain');
    buffered = [];
  }
  out.end(buffered.join(''));
  await once(out, 'finish');
}

async function measure(size: number, run: (sample: () => void) => Promise<void>): Promise<PhaseResult> {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const base = process.memoryUsage().heapUsed;
  let peak = base;
  const sample = () => {
    peak = Math.max(peak, process.memoryUsage().heapUsed);
  };
  const cpu = process.cpuUsage();
  const t = performance.now();
  await run(sample);
  const ms = performance.now() - t;
  const used = process.cpuUsage(cpu);
  sample();
  return {
    ms: Math.round(ms),
    perSec: Math.round((size / ms) * 1000),
    perCpuSec: Math.round((size / ((used.user + used.system) / 1000)) * 1000),
    peakHeapGrowthMiB: Math.round(((peak - base) / 2 ** 20) * 10) / 10,
  };
}

/** SHA-256 of a file after its first line (the header holds the export's time). */
async function bodyHash(file: string): Promise<string> {
  const hash = createHash('sha256');
  let header = true;
  for await (const chunk of createReadStream(file)) {
    let bytes = chunk as Buffer;
    if (header) {
      const nl = bytes.indexOf(10);
      if (nl < 0) continue;
      bytes = bytes.subarray(nl + 1);
      header = false;
    }
    hash.update(bytes);
  }
  return hash.digest('hex');
}
