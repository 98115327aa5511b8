/**
 * `npx tsx bench/node-variants.ts`: which ONNX variant onnxruntime-node runs fastest on this CPU, per model, as one
 * worker of the native backend runs it (one intra-op thread, batches of 16 texts). The variants alternate batch by
 * batch, so a busy second on a shared machine hits both; prints the median ms per text of each.
 */
import { resolve } from 'node:path';
import { bareEncoder } from './lib/node-systems.js';
import { median } from './lib/stats.js';
import { textsFor } from './lib/texts.js';

const root = resolve(import.meta.dirname, '..');
const rounds = Number(process.argv[2] ?? 40);
for (const model of ['minilm-l6', 'use-lite']) {
  const dir = resolve(root, 'public/models', model);
  const encoders = {
    int8: await bareEncoder(dir, 'int8', 1),
    fp32: await bareEncoder(dir, 'fp32', 1),
  };
  const perText: Record<string, number[]> = { int8: [], fp32: [] };
  const texts = textsFor(4242, rounds * 16);
  for (let r = -3; r < rounds; r++) {
    const batch = texts.slice(Math.max(0, r) * 16, Math.max(0, r) * 16 + 16);
    for (const [variant, encoder] of Object.entries(encoders)) {
      const started = performance.now();
      await encoder.embed(batch);
      if (r >= 0) perText[variant]!.push((performance.now() - started) / batch.length); // r < 0: warm-up
    }
  }
  const int8 = median(perText['int8']!);
  const fp32 = median(perText['fp32']!);
  console.log(
    `${model}: int8 ${int8.toFixed(2)} ms/text, fp32 ${fp32.toFixed(2)} ms/text (fp32/int8 ${(fp32 / int8).toFixed(2)}, ${rounds} alternating batches of 16)`,
  );
  await Promise.all(Object.values(encoders).map((e) => e.release()));
}
