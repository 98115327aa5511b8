/**
 * Mem0 v3 compatibility in real Chromium (real engine, real IndexedDB): both call shapes, limit/topK 0, trimmed
 * scope ids, metadata merge, Mem0-shaped history rows, and a Mem0 user's code run unchanged. The tests share one
 * page; the Mem0 user's code creates its Memory with a model of its own, the others use the page's engine.
 */
import { expect } from '@playwright/test';
import { onSharedPage } from './shared-page.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- page.evaluate bodies run in the page, typed loosely here */
declare const window: { t: any };

const test = onSharedPage('/test/pages/memory.html');

test("a Mem0 v3 user's code runs unchanged: add messages, search with filters + topK, getAll, update, history, delete", async ({
  page,
}) => {
  const out = await page.evaluate(async () => {
    const memory = await window.t.open({ dbName: 'mem0-user' }); // the one line that differs: how it is created
    // From here on, Mem0 v3's TypeScript OSS SDK code as its docs write it.
    const messages = [
      { role: 'user', content: "Hi, I'm Alex. I'm a vegetarian and I'm allergic to nuts." },
      { role: 'assistant', content: "Hello Alex! I see that you're a vegetarian with a nut allergy." },
    ];
    const added = await memory.add(messages, { userId: 'alex', metadata: { category: 'food' } });
    await memory.add('Alex plays chess on Tuesdays', { userId: 'alex', infer: false });
    await memory.add('Sam likes vegetarian food too', { userId: 'sam' });
    const results = await memory.search('vegetarian', { filters: { user_id: 'alex' }, topK: 2 });
    const camel = await memory.search('vegetarian', { filters: { userId: 'alex' }, topK: 2 });
    const all = await memory.getAll({ filters: { user_id: 'alex' } });
    const memoryId = all.results[0].id;
    await memory.update(memoryId, 'Alex is a vegetarian and allergic to nuts and shellfish');
    const history = await memory.history(memoryId);
    await memory.delete(memoryId);
    const afterDelete = await memory.getAll({ filters: { user_id: 'alex' }, topK: 10 });
    const deletedHistory = await memory.history(memoryId);
    await memory.close();
    return { added, results, camel, all, history, afterDelete, deletedHistory };
  });
  expect(out.added.results.map((r: any) => [r.memory, r.event])).toEqual([
    ["Hi, I'm Alex. I'm a vegetarian and I'm allergic to nuts.", 'ADD'],
    ["Hello Alex! I see that you're a vegetarian with a nut allergy.", 'ADD'],
  ]);
  // topK: 2 of alex's 3 memories, never sam's; the two vegetarian ones first.
  expect(out.results.results).toHaveLength(2);
  expect(out.results.results.every((r: any) => r.userId === 'alex' && r.metadata.category === 'food')).toBe(true);
  expect(out.results.results[0]).toMatchObject({
    id: expect.any(String),
    memory: expect.stringContaining('vegetarian'),
    hash: expect.stringMatching(/^[0-9a-f]{64}$/),
    score: expect.any(Number),
    createdAt: expect.any(String),
    updatedAt: expect.any(String),
  });
  expect(out.camel).toEqual(out.results);
  expect(out.all.results.map((r: any) => r.memory)).toEqual([
    "Hi, I'm Alex. I'm a vegetarian and I'm allergic to nuts.",
    "Hello Alex! I see that you're a vegetarian with a nut allergy.",
    'Alex plays chess on Tuesdays',
  ]);
  expect(out.history).toEqual([
    {
      id: expect.any(String),
      memoryId: out.all.results[0].id,
      previousValue: null,
      newValue: "Hi, I'm Alex. I'm a vegetarian and I'm allergic to nuts.",
      event: 'ADD',
      createdAt: out.all.results[0].createdAt,
      updatedAt: null,
      isDeleted: false,
    },
    {
      id: expect.any(String),
      memoryId: out.all.results[0].id,
      previousValue: "Hi, I'm Alex. I'm a vegetarian and I'm allergic to nuts.",
      newValue: 'Alex is a vegetarian and allergic to nuts and shellfish',
      event: 'UPDATE',
      createdAt: out.all.results[0].createdAt,
      updatedAt: expect.any(String),
      isDeleted: false,
    },
  ]);
  expect(out.afterDelete.results).toHaveLength(2);
  expect(out.deletedHistory.at(-1)).toMatchObject({ event: 'DELETE', newValue: null, isDeleted: true });
  expect(out.deletedHistory.at(-1).updatedAt >= out.history[1].updatedAt).toBe(true);
});

test('both call shapes, one behaviour: same results; a scope given twice must agree; typos still throw', async ({
  page,
}) => {
  const out = await page.evaluate(async () => {
    const { t } = window;
    const memory = await t.openShared({ dbName: 'shapes' });
    await memory.addMany([
      { text: 'I drink coffee every morning', userId: 'alice', metadata: { category: 'food' } },
      { text: 'Coffee beans from Ethiopia taste of berries', userId: 'alice', metadata: { category: 'food' } },
      { text: 'Decaf coffee after dinner', userId: 'alice', metadata: { category: 'food' } },
      { text: 'The coffee machine at work is broken', userId: 'alice', metadata: { category: 'work' } },
      { text: 'Bob drinks coffee too', userId: 'bob', metadata: { category: 'food' } },
      { text: 'Planner: buy coffee filters', userId: 'alice', agentId: 'planner', metadata: { category: 'food' } },
    ]);
    const shapes = {
      today: await memory.search('coffee', { userId: 'alice', filters: { category: 'food' }, limit: 2 }),
      snake: await memory.search('coffee', { filters: { user_id: 'alice', category: 'food' }, topK: 2 }),
      camel: await memory.search('coffee', { filters: { userId: 'alice', category: 'food' }, topK: 2 }),
      and: await memory.search('coffee', { filters: { AND: [{ user_id: 'alice' }, { category: 'food' }] }, topK: 2 }),
      twice: await memory.search('coffee', {
        userId: 'alice',
        filters: { user_id: 'alice', category: 'food' },
        topK: 2,
        limit: 2,
      }),
    };
    const narrowed = await memory.search('coffee', { filters: { user_id: 'alice', agent_id: 'planner' } });
    const getAll = {
      today: await memory.getAll({ userId: 'alice' }),
      v3: await memory.getAll({ filters: { user_id: 'alice' } }),
      v3Filtered: await memory.getAll({ filters: { user_id: 'alice', category: 'work' } }),
      topK: await memory.getAll({ filters: { user_id: 'alice' }, topK: 2 }),
    };
    const errors = {
      conflict: await t.thrown(() => memory.search('coffee', { userId: 'alice', filters: { user_id: 'bob' } })),
      conflictGetAll: await t.thrown(() => memory.getAll({ filters: { user_id: 'alice', userId: 'bob' } })),
      conflictAnd: await t.thrown(() =>
        memory.getAll({ filters: { agent_id: 'planner', AND: [{ agentId: 'other' }] } }),
      ),
      limitTopK: await t.thrown(() => memory.search('coffee', { userId: 'alice', limit: 2, topK: 3 })),
      nested: await t.thrown(() =>
        memory.search('coffee', { userId: 'alice', filters: { OR: [{ user_id: 'bob' }, { category: 'food' }] } }),
      ),
      wildcard: await t.thrown(() => memory.search('coffee', { filters: { user_id: '*' } })),
      noScope: await t.thrown(() => memory.search('coffee', { filters: { category: 'food' }, topK: 2 })),
      topLevelSnake: await t.thrown(() => memory.search('coffee', { user_id: 'alice' })),
      typo: await t.thrown(() => memory.getAll({ filters: { user_id: 'alice' }, top_k: 2 })),
      inferTrue: await t.thrown(() => memory.add('extract facts', { userId: 'alice', infer: true })),
    };
    const stored = (await t.rawMemories('shapes')).length;
    await memory.close();
    const ids = (r: any) => r.results.map((x: any) => [x.id, x.score]);
    return {
      shapes: Object.fromEntries(Object.entries(shapes).map(([k, v]) => [k, ids(v)])),
      narrowed: narrowed.results.map((r: any) => r.memory),
      getAll: Object.fromEntries(Object.entries(getAll).map(([k, v]) => [k, v.results.map((r: any) => r.memory)])),
      errors,
      stored,
    };
  });
  expect(out.shapes.today).toHaveLength(2);
  for (const shape of ['snake', 'camel', 'and', 'twice']) expect(out.shapes[shape], shape).toEqual(out.shapes.today);
  expect(out.narrowed).toEqual(['Planner: buy coffee filters']);
  expect(out.getAll.today).toHaveLength(5);
  expect(out.getAll.v3).toEqual(out.getAll.today);
  expect(out.getAll.v3Filtered).toEqual(['The coffee machine at work is broken']);
  expect(out.getAll.topK).toEqual(out.getAll.today.slice(0, 2));
  for (const [name, error] of Object.entries(out.errors)) {
    expect(error, name).toMatchObject({ name: 'ValidationError', isAgentMem: true });
  }
  expect(out.errors.conflict.message).toBe(
    'Expected one scope, got `options.userId` = "alice" and `options.filters.user_id` = "bob"; give it once (or the same id twice)',
  );
  expect(out.errors.conflictAnd.message).toContain('`options.filters.AND[0].agentId` = "other"');
  expect(out.errors.limitTopK.message).toContain('to agree');
  expect(out.errors.nested.message).toContain('cannot sit inside OR or NOT');
  expect(out.errors.topLevelSnake.message).toContain('Unknown option `options.user_id`');
  expect(out.errors.typo.message).toContain('Unknown option `options.top_k`');
  expect(out.errors.inferTrue.message).toContain('options.infer');
  expect(out.stored).toBe(6); // the rejected add wrote nothing
});

test('limit/topK 0 return no results; scope ids are trimmed everywhere, whitespace inside is rejected everywhere', async ({
  page,
}) => {
  const out = await page.evaluate(async () => {
    const { t } = window;
    const memory = await t.openShared({ dbName: 'trim' });
    const one = await memory.add('I drink coffee every morning', { userId: '  alice ', agentId: 'barista\n' });
    await memory.addMany([{ text: 'Coffee beans from Ethiopia', userId: '\talice' }]);
    const got = await memory.get(one.results[0].id);
    const search = {
      plain: await memory.search('coffee', { userId: 'alice' }),
      padded: await memory.search('coffee', { userId: ' alice  ' }),
      inFilters: await memory.search('coffee', { filters: { user_id: 'alice\t', agent_id: ' barista' } }),
      limit0: await memory.search('coffee', { userId: 'alice', limit: 0 }),
      topK0: await memory.search('coffee', { filters: { user_id: 'alice' }, topK: 0 }),
    };
    const getAll = {
      padded: await memory.getAll({ userId: 'alice ' }),
      limit0: await memory.getAll({ userId: 'alice', limit: 0 }),
      topK0: await memory.getAll({ filters: { user_id: 'alice' }, topK: 0 }),
    };
    const inner = 'al ice';
    const errors = {
      add: await t.thrown(() => memory.add('x', { userId: inner })),
      addMany: await t.thrown(() => memory.addMany([{ text: 'x', runId: 'run 1' }])),
      search: await t.thrown(() => memory.search('x', { agentId: 'bar\tista' })),
      searchFilters: await t.thrown(() => memory.search('x', { filters: { user_id: inner } })),
      getAll: await t.thrown(() => memory.getAll({ userId: inner })),
      getAllFilters: await t.thrown(() => memory.getAll({ filters: { run_id: 'a\u00A0b' } })),
      deleteAll: await t.thrown(() => memory.deleteAll({ userId: inner })),
      blank: await t.thrown(() => memory.add('x', { userId: '   ' })),
      limitNegative: await t.thrown(() => memory.search('x', { userId: 'alice', topK: -1 })),
    };
    const deleted = await memory.deleteAll({ userId: ' alice ' });
    const left = (await t.rawMemories('trim')).length;
    await memory.close();
    const texts = (r: any) => r.results.map((x: any) => x.memory).sort();
    return {
      got: { userId: got.userId, agentId: got.agentId },
      search: Object.fromEntries(Object.entries(search).map(([k, v]) => [k, texts(v)])),
      getAll: Object.fromEntries(Object.entries(getAll).map(([k, v]) => [k, texts(v)])),
      errors,
      deleted,
      left,
    };
  });
  expect(out.got).toEqual({ userId: 'alice', agentId: 'barista' });
  const both = ['Coffee beans from Ethiopia', 'I drink coffee every morning'];
  expect(out.search.plain).toEqual(both);
  expect(out.search.padded).toEqual(both);
  expect(out.search.inFilters).toEqual(['I drink coffee every morning']);
  expect(out.search.limit0).toEqual([]);
  expect(out.search.topK0).toEqual([]);
  expect(out.getAll).toEqual({ padded: both, limit0: [], topK0: [] });
  for (const [name, error] of Object.entries(out.errors)) {
    expect(error, name).toMatchObject({ name: 'ValidationError', isAgentMem: true });
  }
  expect(out.errors.add.message).toBe(
    'Expected `options.userId` to be an id without whitespace inside, got `"al ice"` (string)',
  );
  expect(out.errors.addMany.message).toContain('`items[0].runId`');
  expect(out.errors.searchFilters.message).toContain('`options.filters.user_id`');
  expect(out.deleted).toEqual({ deleted: 2 });
  expect(out.left).toBe(0);
});

test('update merges metadata by default (replace: true replaces); history rows are shaped like Mem0 rows', async ({
  page,
}) => {
  const out = await page.evaluate(async () => {
    const { t } = window;
    const memory = await t.openShared({ dbName: 'merge' });
    const { results } = await memory.add('Weekly sync with the design team', {
      userId: 'alice',
      metadata: { team: 'design', when: { day: 'Mon', hour: 10 }, priority: 2 },
    });
    const id = results[0].id;
    const merged = await memory.update(id, { metadata: { when: { day: 'Tue' }, room: 'B2' } });
    const found = await memory.search('design sync', { userId: 'alice', filters: { room: 'B2', team: 'design' } });
    const replaced = await memory.update(id, { metadata: { team: 'product' }, replace: true });
    const replaceAlone = await t.thrown(() => memory.update(id, { replace: true }));
    const afterReplace = await memory.getAll({ userId: 'alice', filters: { priority: '*' } });
    await memory.delete(id);
    const history = await memory.history(id);
    await memory.close();
    return {
      merged: merged.metadata,
      found: found.results.map((r: any) => r.id),
      id,
      replaced: replaced.metadata,
      replaceAlone,
      afterReplace: afterReplace.results.length,
      history,
    };
  });
  // Merged key by key, as Mem0 merges: a nested object is replaced whole.
  expect(out.merged).toEqual({ team: 'design', when: { day: 'Tue' }, priority: 2, room: 'B2' });
  expect(out.found).toEqual([out.id]); // the index filters on the merged metadata
  expect(out.replaced).toEqual({ team: 'product' });
  expect(out.replaceAlone).toMatchObject({ name: 'ValidationError', message: expect.stringContaining('replace') });
  expect(out.afterReplace).toBe(0);
  expect(out.history.map((h: any) => Object.keys(h))).toEqual(
    Array(4).fill(['id', 'memoryId', 'previousValue', 'newValue', 'event', 'createdAt', 'updatedAt', 'isDeleted']),
  );
  expect(out.history.map((h: any) => [h.event, h.isDeleted, h.updatedAt === null])).toEqual([
    ['ADD', false, true],
    ['UPDATE', false, false],
    ['UPDATE', false, false],
    ['DELETE', true, false],
  ]);
  expect(new Set(out.history.map((h: any) => h.createdAt)).size).toBe(1); // the memory's creation, on every row
  const times = out.history.slice(1).map((h: any) => h.updatedAt);
  expect(times).toEqual(times.slice().sort());
  expect(times[0] >= out.history[0].createdAt).toBe(true);
});
