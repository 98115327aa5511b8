/**
 * The libSQL store on its own, on real files: what the Memory suites do not reach (int8 rows, a group whose
 * pending batch is gone, odd file names, a file from a newer version, the cache's order, a closed store).
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@libsql/client';
import { afterAll, describe, expect, it } from 'vitest';
import { StorageError, ValidationError } from '../../src/errors.js';
import { browserMemoryPlatform } from '../../src/memory/browser-platform.js';
import { openNodeMemory } from '../node/lexical-embedder.js';
import type { QuantizedVector } from '../../src/search/quantize.js';
import { quantize } from '../../src/search/quantize.js';
import { LOAD_PAGE } from '../../src/store/libsql-pages.js';
import { LibsqlStore } from '../../src/store/libsql-store.js';
import type { MemoryRecord, PendingBatch } from '../../src/store/records.js';
import { uuidv7 } from '../../src/store/ids.js';

const dir = mkdtempSync(join(tmpdir(), 'agentmem-libsql-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const createdAt = '2026-12-07T00:00:00.000Z';
function memory(text: string, userId = 'alice'): MemoryRecord {
  return { id: uuidv7(), text, hash: 'h', userId, metadata: { text }, createdAt, updatedAt: createdAt };
}
function vector(seed: number, dims = 16): Float32Array {
  const v = Float32Array.from({ length: dims }, (_, i) => Math.sin(seed * 7 + i));
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}
function pendingOf(rows: { memory: MemoryRecord }[]): PendingBatch {
  return { id: uuidv7(), items: rows.map(({ memory: { hash: _h, updatedAt: _u, ...p } }) => p) };
}

describe('LibsqlStore', () => {
  it('commits a group once: a group whose pending batch is gone is skipped', async () => {
    const store = await LibsqlStore.open({ path: join(dir, 'skip.db'), encoding: 'fp32' });
    const rows = [{ memory: memory('one'), vector: vector(1) }];
    const batch = pendingOf(rows);
    await store.write({ pending: [batch] });
    expect(await store.allPending()).toEqual([batch]);
    expect(await store.write({ groups: [{ batchId: batch.id, rows }] })).toEqual({ batches: [batch.id], segments: [] });
    // The same commit again (a replay raced it): nothing written twice.
    expect(await store.write({ groups: [{ batchId: batch.id, rows }] })).toEqual({ batches: [], segments: [] });
    expect(await store.count()).toEqual({ memories: 1, segments: 1, history: 0, pending: 0 });
    const [loaded] = await store.loadScope('userId', 'alice');
    expect(loaded!.memory).toEqual(rows[0]!.memory);
    expect(Array.from(loaded!.vector as Float32Array)).toEqual(Array.from(rows[0]!.vector));
    await store.close();
  });

  it('loads a scope a page at a time: every memory once, in id order, at and past a page boundary', async () => {
    const store = await LibsqlStore.open({ path: join(dir, 'pages.db'), encoding: 'fp32' });
    // Interleaved users: each page is a range of one user's index, not of the table.
    const rows = Array.from({ length: LOAD_PAGE * 2 + 500 }, (_, i) => ({
      memory: memory(`m${i}`, i % 2 === 0 ? 'alice' : 'bob'),
      vector: vector(i),
    }));
    const extra = Array.from({ length: 500 }, (_, i) => ({ memory: memory(`x${i}`, 'bob'), vector: vector(-i) }));
    const all = [...rows, ...extra];
    const batch = pendingOf(all);
    await store.write({ pending: [batch], groups: [{ batchId: batch.id, rows: all }] });
    const alice = await store.loadScope('userId', 'alice');
    const bob = await store.loadScope('userId', 'bob');
    const want = (userId: string) => all.filter((r) => r.memory.userId === userId).map((r) => r.memory.id);
    expect(alice).toHaveLength(LOAD_PAGE + 250);
    expect(bob).toHaveLength(LOAD_PAGE + 750);
    expect(alice.map((r) => r.memory.id)).toEqual(want('alice').sort());
    expect(bob.map((r) => r.memory.id)).toEqual(want('bob').sort());
    const byId = new Map(all.map((r) => [r.memory.id, r]));
    for (const row of [...alice, ...bob]) {
      expect(row.memory).toEqual(byId.get(row.memory.id)!.memory);
      expect(Array.from(row.vector as Float32Array)).toEqual(Array.from(byId.get(row.memory.id)!.vector));
    }
    // Exactly one page: the load reads a second, empty page and stops.
    await store.removeWhere(
      { field: 'userId', value: 'alice', accept: (m) => Number(m.text.slice(1)) >= LOAD_PAGE * 2 },
      null,
    );
    expect(await store.loadScope('userId', 'alice')).toHaveLength(LOAD_PAGE);
    await store.close();
  });

  it('stores int8 rows as codes with a scale, and re-encodes an updated vector', async () => {
    const store = await LibsqlStore.open({ path: join(dir, 'int8.db'), encoding: 'int8' });
    const rows = [0, 1, 2].map((i) => ({ memory: memory(`m${i}`), vector: vector(i) }));
    const batch = pendingOf(rows);
    await store.write({ pending: [batch], groups: [{ batchId: batch.id, rows }] });
    const loaded = (await store.loadScope('userId', 'alice')).map((r) => r.vector as QuantizedVector);
    loaded.forEach((v, i) => {
      const expected = quantize(rows[i]!.vector);
      expect(Array.from(v.q)).toEqual(Array.from(expected.q));
      expect(v.scale).toBeCloseTo(expected.scale, 6);
    });
    const id = rows[0]!.memory.id;
    await store.replace(id, (previous) => ({
      memory: { ...previous, text: 'changed' },
      vector: vector(9),
      history: { id: uuidv7(), memoryId: id, previousValue: 'm0', newValue: 'changed', event: 'UPDATE', createdAt },
    }));
    const [first] = await store.loadScope('userId', 'alice');
    expect(first!.memory.text).toBe('changed');
    expect(Array.from((first!.vector as QuantizedVector).q)).toEqual(Array.from(quantize(vector(9)).q));
    expect((await store.history(id)).map((h) => h.event)).toEqual(['ADD', 'UPDATE']);
    await store.close();
  });

  it('opens a file whose name holds spaces, ?, # and %', async () => {
    const path = join(dir, 'a b?c#d%20e.db');
    const store = await LibsqlStore.open({ path, encoding: 'fp32' });
    await store.putMeta({ modelId: 'm', dimensions: 16 });
    await store.close();
    const again = await LibsqlStore.open({ path, encoding: 'fp32' });
    expect(await again.getMeta()).toEqual({ modelId: 'm', dimensions: 16 });
    await again.close();
    expect(existsSync(path)).toBe(true);
    expect(readdirSync(dir).filter((f) => f.startsWith('a b'))).toEqual(['a b?c#d%20e.db']);
  });

  it('returns cache entries in the order asked, misses as undefined', async () => {
    const store = await LibsqlStore.open({ path: join(dir, 'cache.db'), encoding: 'fp32' });
    await store.write({
      cache: [
        ['k1', vector(1)],
        ['k2', vector(2)],
      ],
    });
    const got = await store.cacheGetMany(['k2', 'nope', 'k1']);
    expect(got.map((v) => v && Array.from(v))).toEqual([Array.from(vector(2)), undefined, Array.from(vector(1))]);
    expect((await store.cacheKeys()).sort()).toEqual(['k1', 'k2']);
    await store.clear();
    expect(await store.cacheKeys()).toEqual([]);
    await store.close();
  });

  it('evicts cache entries by key range: from inclusive, to exclusive, open ends', async () => {
    const store = await LibsqlStore.open({ path: join(dir, 'evict.db'), encoding: 'fp32' });
    const keys = ['a1', 'b2', 'b3', 'c4', 'd5'];
    const fill = () => store.write({ cache: keys.map((k, i) => [k, vector(i)] as const) });
    await fill();
    await store.cacheEvict({ from: 'b2', to: 'c4' });
    expect((await store.cacheKeys()).sort()).toEqual(['a1', 'c4', 'd5']);
    await store.cacheEvict({ from: 'c' });
    expect((await store.cacheKeys()).sort()).toEqual(['a1']);
    await fill();
    await store.cacheEvict({ to: 'b3' });
    expect((await store.cacheKeys()).sort()).toEqual(['b3', 'c4', 'd5']);
    await store.cacheEvict({});
    expect(await store.cacheKeys()).toEqual([]);
    await store.close();
  });

  it('refuses a file written by a newer schema, and any call made after close()', async () => {
    const path = join(dir, 'newer.db');
    const client = createClient({ url: `file:${path}` });
    await client.execute('PRAGMA user_version = 99');
    client.close();
    await expect(LibsqlStore.open({ path, encoding: 'fp32' })).rejects.toThrow(
      /schema version 1 or older, got version 99/,
    );

    const store = await LibsqlStore.open({ path: join(dir, 'closed.db'), encoding: 'fp32' });
    const before = store.putMeta({ modelId: 'm', dimensions: 2 }); // made before close(): it still runs
    await Promise.all([before, store.close()]);
    expect(store.isOpen).toBe(false);
    await expect(store.get('x')).rejects.toBeInstanceOf(StorageError);
  });

  it('names a directory that does not exist in a StorageError', async () => {
    const path = join(dir, 'no-such-dir', 'x.db');
    await expect(LibsqlStore.open({ path, encoding: 'fp32' })).rejects.toThrow(StorageError);
  });

  it('takes `path` in Node and `dbName` in a browser, each refused on the other side', async () => {
    await expect(openNodeMemory({ dbName: 'x' })).rejects.toThrow(ValidationError);
    await expect(openNodeMemory({ path: '' })).rejects.toThrow(ValidationError);
    await expect(browserMemoryPlatform.openStore({ path: join(dir, 'p.db'), encoding: 'fp32' })).rejects.toThrow(
      /no `path` in a browser/,
    );
    const path = join(dir, 'node.db');
    const memory = await openNodeMemory({ path });
    expect(memory.stats().dbName).toBe(path);
    // One opener at a time, in this process too; the lock goes with close().
    await expect(openNodeMemory({ path })).rejects.toThrow(/in use by another process or another open Memory/);
    await memory.close();
    await (await openNodeMemory({ path })).close();
  });
});
