/**
 * `npx tsx bench/node-batches.ts [rounds]`: onnxruntime-node's cost per text by batch size and intra-op threads,
 * per model (int8, the engine's tokenizer and encoder). Shows what batching leaves on the table for the native
 * workers (1 thread each), and bounds the 3x-the-lock goal: the lock runs batch 1 on all cores; no split of the
 * cores computes faster than cores x the 1-thread rate at full batch. Settings alternate batch by batch, so a busy
 * second on a shared machine hits them all; prints the median ms per text of each.
 */
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { bareEncoder } from './lib/node-systems.js';
import { median } from './lib/stats.js';
import { textsFor } from './lib/texts.js';

const root = resolve(import.meta.dirname, '..');
const rounds = Number(process.argv[2] ?? 12);
const cores = availableParallelism();
const batches = [1, 4, 16, 64];
for (const model of ['minilm-l6', 'use-lite']) {
  const dir = resolve(root, 'public/models', model);
  const encoders = { 1: await bareEncoder(dir, 'int8', 1), [cores]: await bareEncoder(dir, 'int8', cores) };
  const perText = new Map<string, number[]>();
  const texts = textsFor(4343, 64);
  for (let r = -2; r < rounds; r++) {
    for (const [threads, encoder] of Object.entries(encoders))
      for (const size of batches) {
        // Batch 1 runs 16 single calls, so each setting's sample covers more than one run.
        const started = performance.now();
        if (size === 1) for (const text of texts.slice(0, 16)) await encoder.embed([text]);
        else await encoder.embed(texts.slice(0, size));
        const ms = (performance.now() - started) / (size === 1 ? 16 : size);
        const key = `${threads}|${size}`;
        if (r >= 0) perText.set(key, [...(perText.get(key) ?? []), ms]); // r < 0: warm-up
      }
  }
  const at = (threads: number, size: number): number => median(perText.get(`${threads}|${size}`)!);
  for (const threads of Object.keys(encoders).map(Number))
    console.log(
      `${model}, ${threads} thread(s): ${batches.map((b) => `batch ${b} ${at(threads, b).toFixed(2)}`).join(', ')} ms/text`,
    );
  const lock = 1000 / at(cores, 1);
  const bound = (cores * 1000) / at(1, 64);
  console.log(
    `${model}: the lock (batch 1, ${cores} threads) ${lock.toFixed(0)}/s; ${cores} x 1 thread at batch 64 ${bound.toFixed(0)}/s = ${(bound / lock).toFixed(2)}x the lock`,
  );
  await Promise.all(Object.values(encoders).map((e) => e.release()));
}
