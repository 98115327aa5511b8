/**
 * `npx tsx bench/node/run-store.ts [--sizes=10000,100000] [--quantize=int8]`: the Node store's W4 (persistence and
 * search at each size) with minilm-l6 run in this process by onnxruntime-node (int8, one session) until the Node
 * engine is wired in. Writes bench/results/node-store-latest.json and .md.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { embedNode, releaseNodeSessions } from '../../scripts/models/node-embed.js';
import type { TextEmbedder } from '../../src/memory/text-embedder.js';
import { benchNodeStore } from './store.js';
import { machine, writeLatest } from '../lib/results.js';

const root = resolve(import.meta.dirname, '../..');
const flag = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const sizes = (flag('sizes') ?? '10000,100000').split(',').map(Number);
const quantize = (flag('quantize') ?? 'none') as 'none' | 'int8';
const modelDir = join(root, 'public/models/minilm-l6');

const embedder: TextEmbedder = {
  modelId: 'minilm-l6',
  dimensions: 384,
  embed: async (text) => (await embedNode(modelDir, [text], 'int8'))[0]!,
  embedMany: (texts) => embedNode(modelDir, texts, 'int8'),
  stats: () => ({}),
  close: async () => undefined,
};

const dir = mkdtempSync(join(tmpdir(), 'agentmem-bench-'));
const path = join(dir, 'bench.db');
try {
  const rows = await benchNodeStore({ path, sizes, embedder, quantize });
  const fileBytes = statSync(path).size;
  const result = {
    ...machine(),
    quantize,
    store: 'libSQL (WAL, synchronous=FULL)',
    engine: 'minilm-l6 int8, onnxruntime-node in-process (stand-in for the Node engine)',
    fileBytes,
    rows,
  };
  const md = [
    `# Node store W4 (${result.date}, Node ${result.node}, ${result.cpus} cores, load ${result.load}, quantize ${quantize})`,
    '',
    `${result.store}; queries embedded by ${result.engine}. File at the largest size: ${(fileBytes / 2 ** 20).toFixed(1)} MiB.`,
    '',
    '| memories | persisted/s | seed s | first search ms | scan p50 / p95 ms | keyword p50 / p95 ms | end to end p50 / p95 ms | end to end, vector mode p50 / p95 ms |',
    '| -------: | ----------: | -----: | --------------: | ----------------: | -------------------: | ----------------------: | -----------------------------------: |',
    ...rows.map(
      (r) =>
        `| ${r.size.toLocaleString('en')} | ${r.persistPerSec.toLocaleString('en')} | ${(r.seedMs / 1000).toFixed(1)} | ${r.firstSearchMs} | ${r.scan.p50} / ${r.scan.p95} | ${r.keyword.p50} / ${r.keyword.p95} | ${r.endToEnd.p50} / ${r.endToEnd.p95} | ${r.endToEndVector.p50} / ${r.endToEndVector.p95} |`,
    ),
    '',
  ].join('\n');
  writeLatest(quantize === 'int8' ? 'node-store-int8' : 'node-store', result, md);
} finally {
  await releaseNodeSessions();
  rmSync(dir, { recursive: true, force: true });
}
