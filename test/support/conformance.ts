/**
 * One suite of Memory behaviours, run against every store: IndexedDB in Chromium
 * (test/browser/memory-conformance.spec.ts through test/pages/memory.ts) and libSQL in Node
 * (test/unit/memory-conformance.test.ts). Each runner supplies a {@link Harness} over its own store and the real
 * lexical model. Only type imports here: the Playwright runner imports the case names in Node.
 */
import type { Memory, MemoryOptions, TextEmbedder } from '../../src/index.js';
import type { PendingBatch } from '../../src/store/records.js';
import type { Store } from '../../src/store/store.js';

export interface Harness {
  /** A Memory on this case's store (one fresh store per case), with the runner's real engine. */
  open(options?: Partial<MemoryOptions>): Promise<Memory>;
  /** This case's store, opened bare (close it before open(): a libSQL file admits one opener). */
  store(): Promise<Store>;
  /** A separate real engine, for a Memory given its `embedder`. */
  embedder(): Promise<TextEmbedder>;
}

export interface ConformanceCase {
  readonly name: string;
  run(h: Harness): Promise<void>;
}

/** Thrown by a failed check: the runners report its message. */
function fail(message: string): never {
  throw new Error(`conformance: ${message}`);
}

/** Key-order-independent JSON, so deep equality reads the same in both runtimes. */
function stable(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );
}

function equal(actual: unknown, expected: unknown, what: string): void {
  if (stable(actual) !== stable(expected)) fail(`${what}: expected ${stable(expected)}, got ${stable(actual)}`);
}

function ok(condition: boolean, what: string): void {
  if (!condition) fail(what);
}

/** Expects `call` to reject with an error named `name` (the class name: it survives bundling and realms). */
async function rejects(call: () => Promise<unknown>, name: string, what: string): Promise<Error> {
  try {
    await call();
  } catch (error) {
    const e = error as Error;
    if (e.name !== name) fail(`${what}: expected ${name}, got ${e.name}: ${e.message}`);
    return e;
  }
  return fail(`${what}: expected ${name}, nothing was thrown`);
}

const texts = (results: readonly { memory: string }[]) => results.map((r) => r.memory);

async function seeded(h: Harness): Promise<{ memory: Memory; ids: string[] }> {
  const memory = await h.open();
  const { results } = await memory.addMany([
    { text: 'I drink coffee every morning', userId: 'alice', metadata: { category: 'food', priority: 2 } },
    { text: 'I play tennis on Sundays', userId: 'alice', metadata: { category: 'sport', priority: 5 } },
    {
      text: 'The quarterly report is due Friday',
      userId: 'alice',
      runId: 'run-1',
      metadata: { category: 'work', priority: 9, tags: ['finance', 'q3'] },
    },
    { text: 'My sister lives in Lisbon', userId: 'alice', agentId: 'travel', metadata: {} },
    { text: 'Bob drinks coffee too', userId: 'bob', metadata: { category: 'food' } },
  ]);
  return { memory, ids: results.map((r) => r.id) };
}

export const cases: readonly ConformanceCase[] = [
  {
    name: 'scopes: a search or list never returns another scope',
    async run(h) {
      const { memory } = await seeded(h);
      const alice = await memory.search('coffee', { userId: 'alice' });
      equal(alice.results[0]?.memory, 'I drink coffee every morning', 'best match for alice');
      ok(
        alice.results.every((r) => r.userId === 'alice'),
        'alice sees only alice',
      );
      equal(texts((await memory.search('coffee', { userId: 'bob' })).results), ['Bob drinks coffee too'], 'bob');
      equal(texts((await memory.getAll({ agentId: 'travel' })).results), ['My sister lives in Lisbon'], 'by agent');
      equal(
        texts((await memory.getAll({ userId: 'alice', runId: 'run-1' })).results),
        ['The quarterly report is due Friday'],
        'a narrowed scope',
      );
      equal((await memory.search('coffee', { userId: 'carol' })).results, [], 'an empty scope');
      equal((await memory.getAll({ userId: 'alice', limit: 2 })).results.length, 2, 'limit');
      await memory.close();
    },
  },
  {
    name: 'filters: Mem0 operators on search and getAll',
    async run(h) {
      const { memory } = await seeded(h);
      const high = await memory.search('coffee tennis report', { userId: 'alice', filters: { priority: { gte: 5 } } });
      equal(
        texts(high.results).sort(),
        ['I play tennis on Sundays', 'The quarterly report is due Friday'],
        'gte on search',
      );
      const either = await memory.getAll({
        userId: 'alice',
        filters: { OR: [{ category: 'food' }, { category: { in: ['work'] } }] },
      });
      equal(
        texts(either.results),
        ['I drink coffee every morning', 'The quarterly report is due Friday'],
        'OR and in on getAll',
      );
      equal(
        texts((await memory.getAll({ userId: 'alice', filters: { tags: 'finance' } })).results),
        ['The quarterly report is due Friday'],
        'one item of an array field',
      );
      equal(
        texts((await memory.getAll({ userId: 'alice', filters: { category: '*' } })).results).length,
        3,
        'field exists',
      );
      await rejects(
        () => memory.search('x', { userId: 'alice', filters: { priority: { near: 3 } } }),
        'ValidationError',
        'an unknown operator',
      );
      await memory.close();
    },
  },
  {
    name: 'update: a new text is embedded again, metadata merges (or is replaced), history records each',
    async run(h) {
      const { memory, ids } = await seeded(h);
      const coffee = ids[0]!;
      const before = (await memory.get(coffee))!;
      const changed = await memory.update(coffee, 'I drink green tea every morning');
      equal(changed.memory, 'I drink green tea every morning', 'updated text');
      ok(changed.hash !== before.hash, 'a new hash');
      equal(
        (await memory.search('green tea', { userId: 'alice', mode: 'vector', limit: 1 })).results[0]?.id,
        coffee,
        'found by its new meaning',
      );
      equal(
        (await memory.search('coffee', { userId: 'alice', mode: 'keyword' })).results.map((r) => r.id).includes(coffee),
        false,
        'not by its old words',
      );
      const merged = await memory.update(coffee, { metadata: { category: 'drinks' } });
      equal(merged.metadata, { ...before.metadata, category: 'drinks' }, 'metadata merged, as Mem0 does');
      const meta = await memory.update(coffee, { metadata: { category: 'drinks' }, replace: true });
      equal(meta.metadata, { category: 'drinks' }, 'metadata replaced with replace: true');
      equal(
        (await memory.history(coffee)).map((r) => [r.event, r.previousValue, r.newValue]),
        [
          ['ADD', null, 'I drink coffee every morning'],
          ['UPDATE', 'I drink coffee every morning', 'I drink green tea every morning'],
          ['UPDATE', 'I drink green tea every morning', 'I drink green tea every morning'],
          ['UPDATE', 'I drink green tea every morning', 'I drink green tea every morning'],
        ],
        'history',
      );
      await rejects(() => memory.update('no-such-id', 'x'), 'NotFoundError', 'an unknown id');
      await rejects(() => memory.update(coffee, {}), 'ValidationError', 'an empty change');
      await memory.close();
    },
  },
  {
    name: 'delete: gone from get, search and getAll; its history ends with DELETE',
    async run(h) {
      const { memory, ids } = await seeded(h);
      const tennis = ids[1]!;
      await memory.delete(tennis);
      equal(await memory.get(tennis), null, 'get');
      ok(
        !texts((await memory.search('tennis', { userId: 'alice' })).results).includes('I play tennis on Sundays'),
        'search',
      );
      ok(!texts((await memory.getAll({ userId: 'alice' })).results).includes('I play tennis on Sundays'), 'getAll');
      equal(
        (await memory.history(tennis)).map((r) => [r.event, r.previousValue, r.newValue]),
        [
          ['ADD', null, 'I play tennis on Sundays'],
          ['DELETE', 'I play tennis on Sundays', null],
        ],
        'history',
      );
      await rejects(() => memory.delete(tennis), 'NotFoundError', 'a second delete');
      equal(await memory.history('never-existed'), [], 'history of an unknown id');
      await memory.close();
    },
  },
  {
    name: 'deleteAll: only the named scope, with a DELETE row each',
    async run(h) {
      const { memory, ids } = await seeded(h);
      equal(await memory.deleteAll({ userId: 'alice', runId: 'run-1' }), { deleted: 1 }, 'a narrowed scope');
      equal(await memory.deleteAll({ userId: 'alice' }), { deleted: 3 }, 'the rest of alice');
      equal((await memory.getAll({ userId: 'alice' })).results, [], 'alice is empty');
      equal(texts((await memory.getAll({ userId: 'bob' })).results), ['Bob drinks coffee too'], 'bob is kept');
      equal(
        (await memory.history(ids[0]!)).map((r) => r.event),
        ['ADD', 'DELETE'],
        'history',
      );
      await rejects(() => memory.deleteAll({}), 'ValidationError', 'no scope');
      const store = await (async () => (await memory.close(), h.store()))();
      equal((await store.count()).memories, 1, 'one memory stored');
      await store.close();
    },
  },
  {
    name: 'reset: everything goes, and the memory works on',
    async run(h) {
      const { memory } = await seeded(h);
      await memory.reset();
      equal((await memory.getAll({ userId: 'alice' })).results, [], 'alice');
      equal((await memory.search('coffee', { userId: 'bob' })).results, [], 'bob');
      await memory.add('A memory after the reset', { userId: 'alice' });
      equal(texts((await memory.getAll({ userId: 'alice' })).results), ['A memory after the reset'], 'add after reset');
      await memory.close();
      const store = await h.store();
      equal(await store.count(), { memories: 1, segments: 1, history: 0, pending: 0 }, 'stored');
      await store.close();
    },
  },
  {
    name: 'reopen: memories, vectors, history and keyword search survive close()',
    async run(h) {
      const first = await seeded(h);
      await first.memory.update(first.ids[0]!, 'I drink green tea every morning');
      const before = (await first.memory.search('green tea', { userId: 'alice', explain: true })).results;
      await first.memory.close();
      const memory = await h.open();
      const after = (await memory.search('green tea', { userId: 'alice', explain: true })).results;
      equal(after, before, 'the same search, the same scores');
      equal(
        texts((await memory.search('Lisbon', { userId: 'alice', mode: 'keyword' })).results),
        ['My sister lives in Lisbon'],
        'keyword search',
      );
      equal(
        (await memory.history(first.ids[0]!)).map((r) => r.event),
        ['ADD', 'UPDATE'],
        'history',
      );
      equal(memory.stats().replayed, 0, 'nothing to replay');
      await memory.close();
    },
  },
  {
    name: 'replay: adds a crashed session left pending are committed once, under their ids',
    async run(h) {
      const store = await h.store();
      const createdAt = new Date().toISOString();
      const batch: PendingBatch = {
        id: '01900000-0000-7000-8000-000000000001',
        items: [
          {
            id: '01900000-0000-7000-8000-0000000000a1',
            text: 'Left pending: the cat sleeps all day',
            userId: 'alice',
            metadata: {},
            createdAt,
          },
          {
            id: '01900000-0000-7000-8000-0000000000a2',
            text: 'Left pending: buy milk and bread',
            userId: 'alice',
            metadata: { n: 2 },
            createdAt,
          },
        ],
      };
      await store.write({ pending: [batch] });
      equal((await store.count()).pending, 1, 'recorded');
      await store.close();

      const memory = await h.open();
      equal(memory.stats().replayed, 2, 'replayed');
      equal(
        (await memory.getAll({ userId: 'alice' })).results.map((r) => [r.id, r.memory, r.metadata]),
        batch.items.map((p) => [p.id, p.text, p.metadata]),
        'committed under their ids',
      );
      equal(
        (await memory.search('milk', { userId: 'alice', limit: 1 })).results[0]?.id,
        batch.items[1]!.id,
        'searchable',
      );
      await memory.close();
      const again = await h.open();
      equal(again.stats().replayed, 0, 'not replayed twice');
      equal((await again.getAll({ userId: 'alice' })).results.length, 2, 'stored once');
      await again.close();
      const after = await h.store();
      equal((await after.count()).pending, 0, 'nothing left pending');
      await after.close();
    },
  },
  {
    name: 'bad input: a ValidationError, and nothing written',
    async run(h) {
      const memory = await h.open();
      await memory.add('The only memory', { userId: 'alice' });
      await rejects(() => memory.add('no scope', {}), 'ValidationError', 'an add without a scope');
      await rejects(() => memory.add('   ', { userId: 'alice' }), 'ValidationError', 'a blank text');
      await rejects(() => memory.add('typo', { user_id: 'alice' } as never), 'ValidationError', 'an unknown key');
      await rejects(
        () => memory.add('x', { userId: 'alice', metadata: { f: () => 1 } }),
        'ValidationError',
        'metadata JSON cannot carry',
      );
      await rejects(
        () =>
          memory.addMany([
            { text: 'fine', userId: 'alice' },
            { text: '', userId: 'alice' },
          ]),
        'ValidationError',
        'one bad item of addMany',
      );
      await rejects(() => memory.search('q', { userId: 'alice', limit: -1 }), 'ValidationError', 'limit -1');
      await rejects(() => memory.get(42 as never), 'ValidationError', 'a numeric id');
      equal(texts((await memory.getAll({ userId: 'alice' })).results), ['The only memory'], 'nothing written');
      await memory.close();
      await rejects(() => memory.add('late', { userId: 'alice' }), 'ClosedError', 'after close()');
      const store = await h.store();
      equal((await store.count()).memories, 1, 'one memory stored');
      await store.close();
    },
  },
  {
    name: 'model: a store filled by one model refuses another',
    async run(h) {
      const memory = await h.open();
      await memory.add('Embedded by the lexical model', { userId: 'alice' });
      await memory.close();
      const engine = await h.embedder();
      const other: TextEmbedder = {
        modelId: 'another-model',
        dimensions: engine.dimensions,
        embed: (text, options) => engine.embed(text, options),
        embedMany: (list, options) => engine.embedMany(list, options),
        stats: () => engine.stats(),
        close: async () => undefined,
      };
      const error = await rejects(() => h.open({ embedder: other }), 'ValidationError', 'another model');
      ok(error.message.includes('another-model'), 'the message names the model');
      await engine.close();
      const again = await h.open();
      equal((await again.getAll({ userId: 'alice' })).results.length, 1, 'the store is untouched');
      await again.close();
    },
  },
];
