/**
 * `npm run bench:export [-- --size=100000] [-- --quantize=none,int8]`: export and import of a libSQL store with
 * vectors (bench/node/export.ts), each quantize mode in turn. Writes bench/results/export-latest.json and .md.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchExport, type ExportBenchResult } from './export.js';
import { machine, writeLatest } from '../lib/results.js';

const flag = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const size = Number(flag('size') ?? 100_000);
const modes = (flag('quantize') ?? 'none,int8').split(',') as ('none' | 'int8')[];

const rows: ExportBenchResult[] = [];
for (const quantize of modes) {
  const dir = mkdtempSync(join(tmpdir(), 'agentmem-export-'));
  try {
    rows.push(await benchExport({ dir, size, quantize }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
const result = {
  ...machine(),
  gc: typeof (globalThis as { gc?: unknown }).gc === 'function',
  store: 'libSQL (WAL, synchronous=FULL)',
  rows,
};
const md = [
  `# Export and import (${result.date}, Node ${result.node}, ${result.cpus} cores, load ${result.load})`,
  '',
  `${result.store}; seeded vectors (384 dimensions), 10 users. Import reads the export file as a stream with its vectors (no inference), onConflict 'error'. Heap growth: peak heapUsed during the phase minus heapUsed after a GC before it.`,
  '',
  "| memories | quantize | file MiB | export /s | export /CPU s | export peak heap MiB | one user's export ms (of the whole's) | import /s | import /CPU s | import peak heap MiB | re-export identical |",
  '| -------: | :------- | -------: | --------: | ------------: | -------------------: | ----------------------------------: | --------: | ------------: | -------------------: | :------------------ |',
  ...rows.map(
    (r) =>
      `| ${r.size.toLocaleString('en')} | ${r.quantize} | ${r.fileMiB} | ${r.export.perSec.toLocaleString('en')} | ${r.export.perCpuSec.toLocaleString('en')} | ${r.export.peakHeapGrowthMiB} | ${r.scopedExport.ms.toLocaleString('en')} (${Math.round((r.scopedExport.ms / r.export.ms) * 100)}%) | ${r.import.perSec.toLocaleString('en')} | ${r.import.perCpuSec.toLocaleString('en')} | ${r.import.peakHeapGrowthMiB} | ${r.identical ? 'yes' : 'NO'} |`,
  ),
  '',
].join('\n');
writeLatest('export', result, md);
if (rows.some((r) => !r.identical || r.imported !== size || r.reembedded !== 0)) {
  console.error('export/import round trip lost or changed memories');
  process.exitCode = 1;
}
