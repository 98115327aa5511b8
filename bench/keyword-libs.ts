/**
 * `npx tsx bench/keyword-libs.ts [--n=100000]`: our KeywordIndex against MiniSearch on the benchmark's texts, in
 * Node: the time to index n memories (what the first search of a scope pays) and keyword search p50/p95 for 40
 * queries (top 10). Writes bench/results/keyword-libs-latest.{json,md}.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import MiniSearch from 'minisearch';
import { KeywordIndex } from '../src/search/keyword-index.js';
import { tokenize } from '../src/search/tokenize.js';
import { percentile } from './lib/stats.js';
import { SEEDS, textsFor } from './lib/texts.js';

const n = Number(process.argv.find((a) => a.startsWith('--n='))?.slice(4) ?? 100_000);
const texts = textsFor(SEEDS.store, n);
const queries = textsFor(SEEDS.queries, 40);
const records = texts.map((text, i) => ({ id: `m${i}`, text }));

interface Row {
  index: string;
  buildMs: number;
  p50: number;
  p95: number;
}

function time(search: (q: string) => unknown): { p50: number; p95: number } {
  for (const q of queries.slice(0, 5)) search(q); // JIT warm-up
  const ms: number[] = [];
  for (let pass = 0; pass < 3; pass++)
    for (const q of queries) {
      const t = performance.now();
      search(q);
      ms.push(performance.now() - t);
    }
  return { p50: percentile(ms, 50), p95: percentile(ms, 95) };
}

const rows: Row[] = [];
{
  const t = performance.now();
  const ours = new KeywordIndex<(typeof records)[number]>((r) => ({ text: r.text }));
  for (const r of records) ours.upsert(r);
  const buildMs = performance.now() - t;
  rows.push({ index: 'ours: BM25F, our tokenizer', buildMs, ...time((q) => ours.search(tokenize(q), 10)) });
}
for (const [label, tokenizer] of [
  ['MiniSearch 7, its own tokenizer', undefined],
  ['MiniSearch 7, our tokenizer', (text: string) => tokenize(text)],
] as const) {
  const t = performance.now();
  const mini = new MiniSearch({
    fields: ['text'],
    idField: 'id',
    ...(tokenizer ? { tokenize: tokenizer, processTerm: (term: string) => term } : {}),
  });
  mini.addAll(records);
  const buildMs = performance.now() - t;
  // OR of the query's words, BM25 ranking: what a keyword half of hybrid search needs.
  rows.push({ index: label, buildMs, ...time((q) => mini.search(q).slice(0, 10)) });
}

const fmt = (x: number, d = 1) => x.toFixed(d);
const md = [
  `Keyword index over ${n.toLocaleString('en')} benchmark memories, Node ${process.version}, 40 queries x 3 (top 10).`,
  '',
  '| index | build ms | search p50 ms | search p95 ms |',
  '|---|---:|---:|---:|',
  ...rows.map((r) => `| ${r.index} | ${fmt(r.buildMs, 0)} | ${fmt(r.p50, 2)} | ${fmt(r.p95, 2)} |`),
  '',
].join('\n');
const out = resolve(import.meta.dirname, 'results');
writeFileSync(resolve(out, 'keyword-libs-latest.json'), JSON.stringify({ n, node: process.version, rows }, null, 2));
writeFileSync(resolve(out, 'keyword-libs-latest.md'), md);
console.log(md);
