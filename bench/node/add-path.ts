/**
 * `npx tsx bench/node/add-path.ts [model] [reps]`: where an add's time goes in Node, the Embedder and the public
 * Memory at a path side by side (W1-sustained: 20 callers x 50, alternating): rate, the main thread's busy time per
 * operation (event-loop utilisation: CPU and blocking calls alike) and the process's CPU per operation (all
 * threads). A gap between the two per-add figures is time the main thread waits inside a synchronous call.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';

type NodeEntry = typeof import('../../src/node.js');
const root = resolve(import.meta.dirname, '../..');
const { Memory, Embedder } = (await import(pathToFileURL(resolve(root, 'dist/lib/node.js')).href)) as NodeEntry;
const model = resolve(root, 'public/models', process.argv[2] ?? 'minilm-l6');
const reps = Number(process.argv[3] ?? 3);
const dir = mkdtempSync(join(tmpdir(), 'agentmem-add-path-'));
const memory = await Memory.create({ path: join(dir, 'memory.db'), model });
const embedder = await Embedder.create({ model });

let n = 0;
const text = (): string => `memory ${n++}: window seats on morning flights, coffee at ${n % 24}h, ${n * 7} notes`;

async function sustained(call: (text: string) => Promise<unknown>): Promise<Record<string, number>> {
  const elu = performance.eventLoopUtilization();
  const cpu = process.cpuUsage();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: 20 }, async () => {
      for (let i = 0; i < 50; i++) await call(text());
    }),
  );
  const ms = performance.now() - started;
  const used = process.cpuUsage(cpu);
  return {
    perSec: Math.round((1000 / ms) * 1000),
    mainBusyMsPerOp: Math.round(performance.eventLoopUtilization(elu).active) / 1000,
    cpuMsPerOp: Math.round((used.user + used.system) / 1000) / 1000,
  };
}

const add = (t: string) => memory.add(t, { userId: 'bench' });
await sustained((t) => embedder.embed(t)); // warm-up
await sustained(add);
for (let r = 0; r < reps; r++) {
  const embed = await sustained((t) => embedder.embed(t));
  const before = memory.stats();
  const adds = await sustained(add);
  const after = memory.stats();
  const groups = after.commitGroups - before.commitGroups;
  const transactions = after.writeTransactions - before.writeTransactions;
  console.log(JSON.stringify({ embed, memory: adds, commitGroups: groups, writeTransactions: transactions }));
}
await Promise.all([memory.close(), embedder.close()]);
rmSync(dir, { recursive: true, force: true });
