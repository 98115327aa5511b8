/**
 * `npx tsx bench/node/scope-load.ts [--size=100000] [--reps=2]`: how long a libSQL scope load holds Node's event
 * loop. Fills a file with one user's memories (384-dimension seeded vectors, no inference), then loads the scope on
 * one connection both ways, alternating: in pages (`loadScopePaged`, what the store does) and as one query (what it
 * did before). A 1 ms `setInterval` marks the longest gap between its ticks. Writes
 * bench/results/scope-load-latest.json and .md.
 */
import { createClient, type Client } from '@libsql/client';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { uuidv7 } from '../../src/store/ids.js';
import { LOAD_PAGE, loadScopePaged, type Read } from '../../src/store/libsql-pages.js';
import { recordOf, vectorOf } from '../../src/store/libsql-schema.js';
import { LibsqlStore } from '../../src/store/libsql-store.js';
import { unitVector } from '../pages/systems/system.js';
import { machine, writeLatest } from '../lib/results.js';

const flag = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const size = Number(flag('size') ?? 100_000);
const reps = Number(flag('reps') ?? 2);
const createdAt = '2026-12-07T00:00:00.000Z';

interface Run {
  readonly way: 'pages' | 'one query';
  readonly rows: number;
  readonly ms: number;
  readonly longestBlockMs: number;
}

async function fill(path: string): Promise<void> {
  const store = await LibsqlStore.open({ path, encoding: 'fp32' });
  for (let start = 0; start < size; start += 5000) {
    const rows = Array.from({ length: Math.min(5000, size - start) }, (_, i) => ({
      memory: {
        id: uuidv7(),
        text: `memory ${start + i}`,
        hash: 'h',
        userId: 'alice',
        metadata: {},
        createdAt,
        updatedAt: createdAt,
      },
      vector: unitVector(start + i, 384),
    }));
    const id = uuidv7();
    const items = rows.map(({ memory: { hash: _h, updatedAt: _u, ...pending } }) => pending);
    await store.write({ pending: [{ id, items }], groups: [{ batchId: id, rows }] });
  }
  await store.close();
}

/** Runs `load` with a 1 ms interval beside it: the longest time between two ticks (or the start and the end). */
async function probe(way: Run['way'], load: () => Promise<number>): Promise<Run> {
  const start = performance.now();
  let last = start;
  let longest = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
  }, 1);
  const rows = await load();
  const end = performance.now();
  clearInterval(timer);
  longest = Math.max(longest, end - last);
  return { way, rows, ms: Math.round(end - start), longestBlockMs: Math.round(longest) };
}

function oneQuery(client: Client): Promise<number> {
  const sql = 'SELECT record, vector, scale FROM memories WHERE user_id = ? ORDER BY id';
  return client
    .execute({ sql, args: ['alice'] })
    .then(({ rows }) => rows.map((row) => ({ memory: recordOf(row), vector: vectorOf(row) })).length);
}

const dir = mkdtempSync(join(tmpdir(), 'agentmem-scope-load-'));
const runs: Run[] = [];
try {
  const path = join(dir, 'scope.db');
  await fill(path);
  const client = createClient({ url: `file:${path}` });
  const read: Read = async (sql, args) => (await client.execute({ sql, args })).rows;
  for (let r = 0; r < reps; r++) {
    runs.push(await probe('pages', async () => (await loadScopePaged(read, 'userId', 'alice')).length));
    runs.push(await probe('one query', () => oneQuery(client)));
  }
  client.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const result = {
  ...machine(),
  size,
  page: LOAD_PAGE,
  runs,
};
const md = [
  `# libSQL scope load (${result.date}, Node ${result.node}, ${result.cpus} cores, load ${result.load})`,
  '',
  `One user's ${size.toLocaleString('en')} memories (384-dimension fp32 vectors) from a file; pages of ${LOAD_PAGE}.`,
  '',
  '| way | rows | total ms | longest event-loop block ms |',
  '| :-- | ---: | -------: | --------------------------: |',
  ...runs.map((r) => `| ${r.way} | ${r.rows.toLocaleString('en')} | ${r.ms} | ${r.longestBlockMs} |`),
  '',
].join('\n');
writeLatest('scope-load', result, md);
