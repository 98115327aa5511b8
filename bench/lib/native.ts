/**
 * Native ceiling: onnxruntime-node's CPU EP in the runner process, same int8 model, same tokenizer, same texts,
 * batch 32, 1 and 2 intra-op threads. Outside the browser: what this CPU can do with the same model.
 * Uses `embedNode` from `scripts/models/node-embed.ts` (tokenise, run, mean-pool, L2-normalise).
 */
import { resolve } from 'node:path';
import { embedNode, releaseNodeSessions } from '../../scripts/models/node-embed.js';
import { repTexts, textsFor, SEEDS } from './texts.js';
import type { AddWorkload, Rep } from './types.js';

export interface NativeResult {
  threads: number;
  workload: AddWorkload;
  reps: Rep[];
}

export async function runNative(
  modelDir: string,
  workloads: { workload: AddWorkload; n: number }[],
  threads: number[],
  reps: number,
  warmupMs: number,
): Promise<NativeResult[]> {
  const dir = resolve(modelDir);
  const out: NativeResult[] = [];
  for (const t of threads) {
    const options = { batchSize: 32, threads: t };
    const warm = textsFor(SEEDS.warmup, 4000);
    const t0 = performance.now();
    for (let i = 0; performance.now() - t0 < warmupMs && i < warm.length; i += 32)
      await embedNode(dir, warm.slice(i, i + 32), 'int8', options);
    const byN = new Map<number, Rep[]>(); // like the raw ceiling: one measurement per text count
    for (const { workload, n } of workloads) {
      const same = byN.get(n);
      if (same) {
        out.push({ threads: t, workload, reps: same });
        continue;
      }
      const measured: Rep[] = [];
      for (let r = 0; r < reps; r++) {
        const texts = repTexts(workload, r, n); // like the raw ceiling: distinct texts, no cache
        const s = performance.now();
        await embedNode(dir, texts, 'int8', options);
        measured.push({ ops: n, ms: performance.now() - s, latencies: [] });
      }
      byN.set(n, measured);
      out.push({ threads: t, workload, reps: measured });
    }
  }
  await releaseNodeSessions();
  return out;
}
