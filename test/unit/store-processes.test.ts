/**
 * Memory over a libSQL file across real processes: what one process wrote another reads back whole; a process
 * SIGKILLed while adds are in flight loses nothing that was recorded and stores nothing twice; two processes on one
 * file get a clear StorageError, never a damaged file. Each step is a child process (test/node/memory-child.ts)
 * running the real store and a real ONNX model.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createClient } from '@libsql/client';
import { afterAll, describe, expect, it } from 'vitest';
import { embedNode } from '../../scripts/models/node-embed.js';
import { LibsqlStore } from '../../src/store/libsql-store.js';
import { openNodeMemory, lexicalDir } from '../node/lexical-embedder.js';

const childScript = resolve(import.meta.dirname, '../node/memory-child.ts');
const dir = mkdtempSync(join(tmpdir(), 'agentmem-processes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Event = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A child process running one mode; `events` fills with its stdout JSON lines. */
function child(mode: string, path: string, ...args: string[]) {
  const proc: ChildProcess = spawn(process.execPath, ['--import', 'tsx', childScript, mode, path, ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const events: Event[] = [];
  let stderr = '';
  let buffer = '';
  const waiters: { test: (e: Event) => boolean; resolve: (e: Event) => void }[] = [];
  proc.stdout!.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const event = JSON.parse(buffer.slice(0, nl)) as Event;
      buffer = buffer.slice(nl + 1);
      events.push(event);
      for (const w of [...waiters]) {
        if (!w.test(event)) continue;
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(event);
      }
    }
  });
  proc.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    proc.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    proc,
    events,
    exited,
    /** The first event (past or future) that passes `test`. */
    event(test: (e: Event) => boolean): Promise<Event> {
      const seen = events.find(test);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        waiters.push({ test, resolve });
        void exited.then(({ code }) => reject(new Error(`child ${mode} exited (${code}) first: ${stderr}`)));
      });
    },
    /** Waits for a clean exit and returns its events. */
    async done(): Promise<Event[]> {
      const { code } = await exited;
      if (code !== 0) throw new Error(`child ${mode} exited with ${code}: ${stderr}`);
      return events;
    },
  };
}

/** SQLite's own check of the file, outside the library. */
async function integrity(path: string): Promise<string> {
  const client = createClient({ url: `file:${path}` });
  try {
    const { rows } = await client.execute('PRAGMA integrity_check');
    // Out of WAL, this connection holds no lock once idle (it closes only when garbage-collected).
    await client.execute('PRAGMA journal_mode = DELETE');
    const cell = rows[0]![0];
    return typeof cell === 'string' ? cell : `unexpected ${typeof cell}`;
  } finally {
    client.close();
  }
}

describe('Memory over libSQL across processes', () => {
  it('reads back in another process what one process wrote: memories, vectors, history, keyword search', async () => {
    const path = join(dir, 'persist.db');
    const [wrote] = await child('write', path).done();
    const { coffee, tennis, written } = wrote!;
    const [seen] = await child('read', path, JSON.stringify({ coffee, tennis })).done();
    const { alice, bob, tea, keyword, hybrid, coffeeHistory, tennisHistory, stats } = seen!;

    expect(alice.map((m: Event) => m.memory)).toEqual(['I drink green tea every morning', 'My sister lives in Lisbon']);
    expect(alice[0]).toMatchObject({ id: coffee, userId: 'alice', metadata: { topic: 'food' } });
    expect(alice[1]).toMatchObject({ agentId: 'travel' });
    expect(bob.map((m: Event) => m.memory)).toEqual(written.bob);
    expect(tea[0]).toMatchObject({ id: coffee, memory: 'I drink green tea every morning' });
    expect(keyword.map((m: Event) => m.memory)).toEqual(['My sister lives in Lisbon']);
    expect(hybrid[0].memory).toBe('Bob works on the quarterly report');
    expect(coffeeHistory.map((h: Event) => [h.event, h.previousValue, h.newValue])).toEqual([
      ['ADD', null, 'I drink coffee every morning'],
      ['UPDATE', 'I drink coffee every morning', 'I drink green tea every morning'],
    ]);
    expect(tennisHistory.map((h: Event) => h.event)).toEqual(['ADD', 'DELETE']);
    expect(stats).toMatchObject({ replayed: 0, dbName: path });

    // The vectors on disk are the model's, bit for bit (the file, read outside Memory).
    const store = await LibsqlStore.open({ path, encoding: 'fp32' });
    const rows = await store.loadScope('userId', 'bob');
    expect(await store.count()).toMatchObject({ memories: 4, pending: 0 });
    await store.close();
    const expected = await embedNode(lexicalDir, written.bob, 'int8', { batchSize: 64 });
    expect(rows.map((r) => Array.from(r.vector as Float32Array))).toEqual(expected.map((v) => Array.from(v)));
    expect(await integrity(path)).toBe('ok');
  }, 60_000);

  it('replays the adds of a process SIGKILLed mid-batch: nothing lost, nothing twice', async () => {
    const path = join(dir, 'killed.db');
    const flood = child('flood', path);
    await flood.event((e) => e.open === true);
    // Let several commit groups land, then kill while 20 callers have adds pending or committing.
    await flood.event(() => flood.events.filter((e) => e.resolved).length >= 60);
    flood.proc.kill('SIGKILL');
    expect((await flood.exited).signal).toBe('SIGKILL');
    const resolved = new Map<string, string>(flood.events.flatMap((e) => e.resolved ?? []));

    expect(await integrity(path)).toBe('ok');
    const store = await LibsqlStore.open({ path, encoding: 'fp32' });
    const pending = (await store.allPending()).flatMap((b) => b.items);
    const before = await store.count();
    await store.close();
    // The kill left recorded adds unfinished (else this test would prove nothing about replay).
    expect(pending.length).toBeGreaterThan(0);

    const memory = await openNodeMemory({ path, model: lexicalDir });
    const stats = memory.stats();
    const all = (await memory.getAll({ userId: 'flood', limit: 1_000_000 })).results;
    const found = await memory.search(pending[0]!.text, { userId: 'flood', mode: 'keyword', limit: 1 });
    await memory.close();

    expect(stats.replayed).toBe(pending.length);
    expect(all.length).toBe(before.memories + pending.length);
    // Nothing twice: ids and texts unique.
    expect(new Set(all.map((m) => m.id)).size).toBe(all.length);
    expect(new Set(all.map((m) => m.memory)).size).toBe(all.length);
    // Nothing lost: every add that resolved, and every pending one under the id its caller was given.
    const byId = new Map(all.map((m) => [m.id, m.memory]));
    for (const [id, text] of resolved) expect(byId.get(id)).toBe(text);
    for (const p of pending) expect(byId.get(p.id)).toBe(p.text);
    expect(found.results[0]!.memory).toBe(pending[0]!.text);

    const reopened = await LibsqlStore.open({ path, encoding: 'fp32' });
    expect(await reopened.count()).toMatchObject({ memories: all.length, pending: 0 });
    await reopened.close();
  }, 120_000);

  it('refuses a second process with a StorageError while the first holds the file, then lets it in', async () => {
    const path = join(dir, 'shared.db');
    const holder = child('hold', path);
    await holder.event((e) => e.open === true);
    const [refused] = await child('try', path).done();
    expect(refused).toMatchObject({
      error: 'StorageError',
      message: expect.stringContaining('in use by another process'),
    });

    holder.proc.stdin!.end();
    await holder.done();
    const [admitted] = await child('try', path).done();
    expect(admitted).toEqual({
      opened: true,
      holder: ['held by the first process', 'written after the other process failed'],
    });
    expect(await integrity(path)).toBe('ok');
  }, 60_000);

  it('lets the next process in once the holder is killed, with its committed memories intact', async () => {
    const path = join(dir, 'killed-holder.db');
    const holder = child('hold', path);
    await holder.event((e) => e.open === true);
    holder.proc.kill('SIGKILL');
    await holder.exited;
    const [admitted] = await child('try', path).done();
    expect(admitted).toEqual({ opened: true, holder: ['held by the first process'] });
    expect(await integrity(path)).toBe('ok');
  }, 60_000);
});
