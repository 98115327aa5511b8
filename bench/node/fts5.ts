/**
 * `npx tsx bench/node/fts5.ts [--n=20000]`: would SQLite's FTS5 serve keyword search in the Node store? Times
 * committing `n` memories in groups of 5,000 (WAL, synchronous=FULL, as LibsqlStore) without and with an FTS5 table
 * written in the same transactions, and FTS5 queries (the query's words OR-ed, BM25-ranked, top 10) over them.
 * Compare with the in-memory index's keyword searches (`keyword p50` in bench/node/run-store.ts). Writes
 * bench/results/node-fts5-latest.json and .md.
 */
import { createClient, type InValue } from '@libsql/client';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { SEEDS, textsFor } from '../lib/texts.js';
import { writeLatest } from '../lib/results.js';

const n = Number(process.argv.find((a) => a.startsWith('--n='))?.slice(4) ?? 20_000);
const texts = textsFor(SEEDS.store, n);
const queries = textsFor(SEEDS.queries, 40).map((q) =>
  q
    .replace(/[^\p{L}\p{N} ]/gu, ' ')
    .split(/\s+/)
    .filter(Boolean)
    .map((w) => `"${w}"`)
    .join(' OR '),
);
const dir = mkdtempSync(join(tmpdir(), 'agentmem-fts5-'));

async function run(fts: boolean): Promise<{ perSec: number; queryP50?: number }> {
  const client = createClient({ url: `file:${join(dir, `${fts}.db`)}`, concurrency: 1 });
  try {
    for (const sql of ['PRAGMA locking_mode = EXCLUSIVE', 'PRAGMA journal_mode = WAL', 'PRAGMA synchronous = FULL'])
      await client.execute(sql);
    await client.execute('CREATE TABLE m (id INTEGER PRIMARY KEY, user_id TEXT, record TEXT)');
    if (fts)
      await client.execute(
        "CREATE VIRTUAL TABLE f USING fts5(text, user_id UNINDEXED, tokenize = 'porter unicode61 remove_diacritics 2')",
      );
    const t0 = performance.now();
    for (let i = 0; i < n; i += 5000) {
      const tx = await client.transaction('write');
      for (let j = i; j < Math.min(n, i + 5000); j += 400) {
        const ids = Array.from({ length: Math.min(400, n - j, i + 5000 - j) }, (_, k) => j + k);
        const rows = (cols: number) => ids.map(() => `(${Array(cols).fill('?').join(', ')})`).join(', ');
        await tx.execute({
          sql: `INSERT INTO m VALUES ${rows(3)}`,
          args: ids.flatMap((id): InValue[] => [id, 'u', JSON.stringify({ text: texts[id] })]),
        });
        if (fts)
          await tx.execute({
            sql: `INSERT INTO f (rowid, text, user_id) VALUES ${rows(3)}`,
            args: ids.flatMap((id): InValue[] => [id, texts[id]!, 'u']),
          });
      }
      await tx.commit();
    }
    const perSec = Math.round((n / (performance.now() - t0)) * 1000);
    if (!fts) return { perSec };
    const latencies: number[] = [];
    for (const q of queries) {
      const t = performance.now();
      await client.execute({
        sql: "SELECT rowid FROM f WHERE f MATCH ? AND user_id = 'u' ORDER BY bm25(f) LIMIT 10",
        args: [q],
      });
      latencies.push(performance.now() - t);
    }
    latencies.sort((a, b) => a - b);
    return { perSec, queryP50: Math.round(latencies[latencies.length >> 1]! * 100) / 100 };
  } finally {
    client.close();
  }
}

try {
  const without = await run(false);
  const withFts = await run(true);
  const load = Math.round(loadavg()[0]! * 10) / 10; // other work on the machine inflates every figure
  const result = { date: new Date().toISOString(), node: process.version, load, n, without, withFts };
  const md = [
    `# FTS5 in the Node store? (${result.date}, ${n.toLocaleString('en')} memories, load ${load})`,
    '',
    '| | committed/s | keyword query p50 ms |',
    '| --- | ---: | ---: |',
    `| memories only | ${without.perSec.toLocaleString('en')} | – |`,
    `| memories + FTS5 | ${withFts.perSec.toLocaleString('en')} | ${withFts.queryP50} |`,
    '',
  ].join('\n');
  writeLatest('node-fts5', result, md);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
