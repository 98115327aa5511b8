/**
 * The Memory API in real Chromium with the real engine (lexical model, WASM, one worker) and real IndexedDB.
 * The tests share one page (and its context: a second tab is a new page in it), each on databases of its own names.
 * Where a test is about storage, sync or replay, not a Memory's own engine, its Memories embed with the page's
 * engine (`t.openShared`, `t.engine()`): an engine start costs ~3 s. A reload still starts the page afresh.
 */
import { expect } from '@playwright/test';
import { ready } from './memory-page.js';
import { onSharedPage } from './shared-page.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- page.evaluate bodies run in the page, typed loosely here */
declare const window: { t: any };

const test = onSharedPage('/test/pages/memory.html');

test('every method: add, addMany, search, get, getAll, update, delete, deleteAll, history, stats, reset, close', async ({
  page,
}) => {
  const out = await page.evaluate(async () => {
    const { t } = window;
    const memory = await t.open({ dbName: 'methods' });
    const add = await memory.add('I drink coffee every morning', {
      userId: 'alice',
      metadata: { category: 'food', priority: 2 },
    });
    const conversation = await memory.add(
      [
        { role: 'system', content: 'You are helpful' },
        { role: 'user', content: 'My sister lives in Lisbon' },
        { role: 'assistant', content: 'Noted, your sister lives in Lisbon' },
      ],
      { userId: 'alice', agentId: 'travel' },
    );
    const many = await memory.addMany([
      { text: 'I play tennis on Sundays', userId: 'alice', metadata: { category: 'sport', priority: 5 } },
      {
        text: 'The quarterly report is due Friday',
        userId: 'alice',
        runId: 'run-1',
        metadata: { category: 'work', priority: 9 },
      },
      { text: 'Bob drinks coffee too', userId: 'bob', metadata: { category: 'food' } },
    ]);
    const coffee = await memory.search('coffee', { userId: 'alice' });
    const coffeeBob = await memory.search('coffee', { userId: 'bob' });
    const travel = await memory.search('sister', { agentId: 'travel' });
    const aliceTravel = await memory.getAll({ userId: 'alice', agentId: 'travel' });
    const filtered = await memory.search('coffee tennis report', {
      userId: 'alice',
      filters: { priority: { gte: 5 } },
    });
    const orFilter = await memory.getAll({
      userId: 'alice',
      filters: { OR: [{ category: 'food' }, { category: { in: ['work'] } }] },
    });
    const limited = await memory.getAll({ userId: 'alice', limit: 2 });
    const thresholded = await memory.search('coffee', { userId: 'alice', threshold: 0.99 });
    const id = add.results[0].id;
    const got = await memory.get(id);
    const missing = await memory.get('no-such-id');
    const updatedText = await memory.update(id, 'I drink green tea every morning');
    const afterUpdate = await memory.search('tea', { userId: 'alice', limit: 1 });
    const updatedMeta = await memory.update(id, { metadata: { category: 'drinks' } });
    const replacedMeta = await memory.update(id, { metadata: { category: 'tea' }, replace: true });
    const tennisId = many.results[0].id;
    await memory.delete(tennisId);
    const afterDelete = await memory.get(tennisId);
    const searchAfterDelete = await memory.search('tennis', { userId: 'alice' });
    const history = await memory.history(id);
    const tennisHistory = await memory.history(tennisId);
    const deleted = await memory.deleteAll({ userId: 'alice', agentId: 'travel' });
    const aliceLeft = await memory.getAll({ userId: 'alice' });
    const stats = memory.stats();
    const counts = await t.rawCounts('methods');
    await memory.reset();
    const afterReset = {
      alice: await memory.getAll({ userId: 'alice' }),
      bob: await memory.search('coffee', { userId: 'bob' }),
      counts: await t.rawCounts('methods'),
    };
    await memory.close();
    const closedState = memory.state;
    return {
      add,
      conversation,
      many,
      coffee,
      coffeeBob,
      travel,
      aliceTravel,
      filtered,
      orFilter,
      limited,
      thresholded,
      got,
      missing,
      updatedText,
      afterUpdate,
      updatedMeta,
      replacedMeta,
      afterDelete,
      searchAfterDelete,
      history,
      tennisHistory,
      deleted,
      aliceLeft,
      stats,
      counts,
      afterReset,
      closedState,
    };
  });

  // add / addMany results, Mem0-shaped.
  expect(out.add.results).toEqual([{ id: expect.any(String), memory: 'I drink coffee every morning', event: 'ADD' }]);
  expect(out.conversation.results.map((r: any) => r.memory)).toEqual([
    'My sister lives in Lisbon',
    'Noted, your sister lives in Lisbon',
  ]);
  expect(out.many.results.map((r: any) => r.memory)).toEqual([
    'I play tennis on Sundays',
    'The quarterly report is due Friday',
    'Bob drinks coffee too',
  ]);
  // "coffee" finds the coffee memory first, never bob's.
  expect(out.coffee.results[0].memory).toBe('I drink coffee every morning');
  expect(out.coffee.results[0].score).toBeGreaterThan(out.coffee.results[1].score);
  expect(out.coffee.results.every((r: any) => r.userId === 'alice')).toBe(true);
  expect(out.coffee.results.length).toBe(5);
  expect(out.coffeeBob.results.map((r: any) => r.memory)).toEqual(['Bob drinks coffee too']);
  expect(out.coffee.results[0]).toMatchObject({
    metadata: { category: 'food', priority: 2 },
    userId: 'alice',
    createdAt: expect.any(String),
    updatedAt: expect.any(String),
  });
  // Scope by agent: only the conversation; roles land in metadata.
  expect(out.travel.results.map((r: any) => r.memory).sort()).toEqual([
    'My sister lives in Lisbon',
    'Noted, your sister lives in Lisbon',
  ]);
  expect(out.aliceTravel.results.map((r: any) => r.metadata.role)).toEqual(['user', 'assistant']);
  // Filters before scoring.
  expect(out.filtered.results.map((r: any) => r.memory).sort()).toEqual([
    'I play tennis on Sundays',
    'The quarterly report is due Friday',
  ]);
  expect(out.orFilter.results.map((r: any) => r.memory)).toEqual([
    'I drink coffee every morning',
    'The quarterly report is due Friday',
  ]);
  expect(out.limited.results.length).toBe(2);
  expect(out.thresholded.results.every((r: any) => r.score >= 0.99)).toBe(true);
  // get / update / delete.
  expect(out.got).toMatchObject({ memory: 'I drink coffee every morning', userId: 'alice' });
  expect(out.missing).toBeNull();
  expect(out.updatedText.memory).toBe('I drink green tea every morning');
  expect(out.updatedText.hash).not.toBe(out.got.hash);
  expect(out.afterUpdate.results[0].memory).toBe('I drink green tea every morning'); // re-embedded
  expect(out.updatedMeta).toMatchObject({
    memory: 'I drink green tea every morning',
    metadata: { category: 'drinks' },
  });
  expect(out.updatedMeta.metadata).toEqual({ category: 'drinks', priority: 2 }); // merged, as Mem0 merges
  expect(out.replacedMeta.metadata).toEqual({ category: 'tea' }); // replace: true, priority 2 is gone
  expect(out.afterDelete).toBeNull();
  expect(out.searchAfterDelete.results.map((r: any) => r.memory)).not.toContain('I play tennis on Sundays');
  // History: ADD, UPDATE (text), UPDATE (metadata, twice), and DELETE.
  expect(out.history.map((h: any) => [h.event, h.previousValue, h.newValue])).toEqual([
    ['ADD', null, 'I drink coffee every morning'],
    ['UPDATE', 'I drink coffee every morning', 'I drink green tea every morning'],
    ['UPDATE', 'I drink green tea every morning', 'I drink green tea every morning'],
    ['UPDATE', 'I drink green tea every morning', 'I drink green tea every morning'],
  ]);
  expect(out.history[0]).toMatchObject({
    id: expect.any(String),
    memoryId: out.add.results[0].id,
    createdAt: expect.any(String),
  });
  expect(out.tennisHistory.map((h: any) => [h.event, h.previousValue, h.newValue])).toEqual([
    ['ADD', null, 'I play tennis on Sundays'],
    ['DELETE', 'I play tennis on Sundays', null],
  ]);
  // deleteAll by a narrowed scope keeps the rest of alice.
  expect(out.deleted).toEqual({ deleted: 2 });
  expect(out.aliceLeft.results.map((r: any) => r.memory)).toEqual([
    'I drink green tea every morning',
    'The quarterly report is due Friday',
  ]);
  // On disk: memories and vectors agree, nothing pending.
  expect(out.counts).toMatchObject({ memories: 3, vectors: 3, pending: 0 });
  expect(out.stats).toMatchObject({
    state: 'ready',
    dbName: 'methods',
    dimensions: 256,
    quantize: 'none',
    committed: 6,
  });
  expect(out.afterReset.alice.results).toEqual([]);
  expect(out.afterReset.bob.results).toEqual([]);
  expect(out.afterReset.counts).toMatchObject({ memories: 0, vectors: 0, history: 0, pending: 0 });
  expect(out.closedState).toBe('closed');
});

test('int8 vectors: stored quantised, same ranking on the lexical model', async ({ page }) => {
  const out = await page.evaluate(async () => {
    const { t } = window;
    const memory = await t.openShared({ dbName: 'int8', quantize: 'int8' });
    await memory.addMany(
      [
        'I drink coffee every morning',
        'I play tennis on Sundays',
        'My cat is called Miso',
        'The report is due Friday',
      ].map((text) => ({ text, userId: 'u' })),
    );
    const coffee = await memory.search('coffee', { userId: 'u' });
    const cat = await memory.search('what is my cat called', { userId: 'u' });
    const vectors = await t.rawAll('int8', 'segmentVectors');
    await memory.close();
    return { coffee: coffee.results.map((r: any) => r.memory), cat: cat.results[0].memory, vector: vectors[0] };
  });
  expect(out.coffee[0]).toBe('I drink coffee every morning');
  expect(out.cat).toBe('My cat is called Miso');
  // One segment for the addMany: 4 rows of int8 codes and 4 scales, no fp32 copy.
  expect(out.vector.f32).toBeUndefined();
  expect(out.vector.q).toBeInstanceOf(Int8Array);
  expect(out.vector.q.length).toBe(4 * 256);
  expect(out.vector.scales.length).toBe(4);
});

test('persists across a page reload', async ({ page }) => {
  const ids = await page.evaluate(async () => {
    const memory = await window.t.openShared({ dbName: 'persist' });
    const { results } = await memory.addMany([
      { text: 'I drink coffee every morning', userId: 'alice' },
      { text: 'The quarterly report is due Friday', userId: 'alice' },
    ]);
    await memory.update(results[1].id, 'The quarterly report is due Monday');
    await memory.close();
    return results.map((r: any) => r.id);
  });
  await ready(page);
  const out = await page.evaluate(async (ids) => {
    const memory = await window.t.openShared({ dbName: 'persist' });
    const found = await memory.search('coffee', { userId: 'alice' });
    const report = await memory.get(ids[1]);
    const history = await memory.history(ids[1]);
    await memory.close();
    return {
      first: found.results[0].memory,
      count: found.results.length,
      report: report.memory,
      events: history.map((h: any) => h.event),
    };
  }, ids);
  expect(out).toEqual({
    first: 'I drink coffee every morning',
    count: 2,
    report: 'The quarterly report is due Monday',
    events: ['ADD', 'UPDATE'],
  });
});

test('a reload in the middle of a batch: every pending add is committed once on the next create()', async ({
  page,
}) => {
  const texts = Array.from(
    { length: 50 },
    (_, i) => `note ${i}: the lighthouse keeper logs the weather and the ships ${i}`,
  );
  const before = await page.evaluate(async (texts) => {
    const { t } = window;
    // The real engine, answering only the first 20 texts: 20 adds commit, 30 are left in flight.
    const engine = await t.engine();
    const memory = await t.open({ dbName: 'crash', embedder: t.holdAfter(engine, 20) });
    // 30 single adds and one addMany of 20 (one pending record per call).
    texts.slice(0, 30).forEach((text: string) => void memory.add(text, { userId: 'alice' }).catch(() => undefined));
    void memory.addMany(texts.slice(30).map((text: string) => ({ text, userId: 'alice' }))).catch(() => undefined);
    for (;;) {
      const batches = (await t.rawAll('crash', 'pending')) as { items: unknown[] }[];
      const pending = batches.reduce((n, b) => n + b.items.length, 0);
      const memories = await t.rawMemories('crash');
      if (pending === 30 && memories.length === 20)
        return { pending, committed: memories.length, inFlight: memory.stats().inFlight };
      await new Promise((r) => setTimeout(r, 10));
    }
  }, texts);
  expect(before).toEqual({ pending: 30, committed: 20, inFlight: 30 });
  // The page goes away with 30 adds unresolved: no close(), no goodbye.
  await ready(page);
  const after = await page.evaluate(async () => {
    const { t } = window;
    const memory = await t.openShared({ dbName: 'crash' });
    const replayed = memory.stats().replayed;
    const all = await memory.getAll({ userId: 'alice', limit: 1000 });
    const found = await memory.search('note 42 lighthouse', { userId: 'alice', limit: 1 });
    const counts = await t.rawCounts('crash');
    const history = (await Promise.all(all.results.map((r: any) => memory.history(r.id)))).flat() as {
      event: string;
      memoryId: string;
    }[];
    await memory.close();
    return {
      replayed,
      texts: all.results.map((r: any) => r.memory),
      ids: all.results.map((r: any) => r.id),
      found: found.results[0]?.memory,
      counts,
      adds: history.filter((h) => h.event === 'ADD').length,
      historyIds: new Set(history.map((h) => h.memoryId)).size,
    };
  });
  expect(after.replayed).toBe(30);
  expect(after.texts.slice().sort()).toEqual(texts.slice().sort()); // 0 lost
  expect(new Set(after.ids).size).toBe(50); // 0 duplicated
  expect(after.found).toBe(texts[42]); // replayed memories are searchable
  // No stored history rows yet: an ADD row is written with a memory's first change (history() reads it from the entry).
  expect(after.counts).toMatchObject({ memories: 50, vectors: 50, pending: 0, history: 0 });
  expect(after.adds).toBe(50);
  expect(after.historyIds).toBe(50);
});

test("a second tab sees the first tab's adds, deletes and resets", async ({ page, context }) => {
  const second = await context.newPage();
  await ready(second);
  await page.evaluate(async () => {
    window.t.memory = await window.t.openShared({ dbName: 'tabs' });
    await window.t.memory.add('I drink coffee every morning', { userId: 'alice' });
  });
  // Tab 2 opens and loads alice's scope into its index.
  const initial = await second.evaluate(async () => {
    window.t.memory = await window.t.openShared({ dbName: 'tabs' });
    return (await window.t.memory.search('coffee', { userId: 'alice' })).results.map((r: any) => r.memory);
  });
  expect(initial).toEqual(['I drink coffee every morning']);
  const added = await page.evaluate(
    async () => (await window.t.memory.add('Espresso after lunch, coffee again', { userId: 'alice' })).results[0].id,
  );
  await expect
    .poll(() =>
      second.evaluate(async () =>
        (await window.t.memory.search('coffee', { userId: 'alice' })).results.map((r: any) => r.memory).sort(),
      ),
    )
    .toEqual(['Espresso after lunch, coffee again', 'I drink coffee every morning']);
  await page.evaluate(async (id) => window.t.memory.delete(id), added);
  await expect
    .poll(() =>
      second.evaluate(async () => (await window.t.memory.search('coffee', { userId: 'alice' })).results.length),
    )
    .toBe(1);
  // Tab 2 writes, tab 1 sees it.
  await second.evaluate(async () => window.t.memory.add('Tab two likes coffee', { userId: 'alice' }));
  await expect
    .poll(() => page.evaluate(async () => (await window.t.memory.search('coffee', { userId: 'alice' })).results.length))
    .toBe(2);
  await page.evaluate(async () => window.t.memory.reset());
  await expect
    .poll(() =>
      second.evaluate(async () => (await window.t.memory.search('coffee', { userId: 'alice' })).results.length),
    )
    .toBe(0);
  await second.evaluate(async () => window.t.memory.close());
  await page.evaluate(async () => window.t.memory.close());
});

test('one add at a time: every 32 small segments are merged into one, and no memory, update, delete or tab loses anything', async ({
  page,
  context,
}) => {
  const second = await context.newPage();
  await ready(second);
  await page.evaluate(async () => {
    window.t.memory = await window.t.openShared({ dbName: 'merge' });
  });
  // Tab 2 holds alice's scope in its search index, so it follows tab 1's commits (and the merge) over the channel.
  await second.evaluate(async () => {
    window.t.memory = await window.t.openShared({ dbName: 'merge' });
    await window.t.memory.search('coffee', { userId: 'alice' });
  });
  const out = await page.evaluate(async () => {
    const { t } = window;
    const memory = t.memory;
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) {
      ids.push((await memory.add(`coffee note number ${i}`, { userId: 'alice' })).results[0].id);
      // Before the merge: one memory changes and one is deleted (its one-memory segment with it).
      if (i === 9) {
        await memory.update(ids[3], 'coffee note three, rewritten with tea');
        await memory.delete(ids[5]);
      }
    }
    const stats = memory.stats();
    const counts = await t.rawCounts('merge');
    const listed = (await memory.getAll({ userId: 'alice', limit: 100 })).results.map((r: any) => ({
      id: r.id,
      memory: r.memory,
    }));
    const tea = (await memory.search('rewritten with tea', { userId: 'alice', limit: 1 })).results[0];
    const history = (await memory.history(ids[3])).map((h: any) => h.event);
    await memory.close();
    const reopened = await t.openShared({ dbName: 'merge' });
    const again = (await reopened.getAll({ userId: 'alice', limit: 100 })).results.map((r: any) => r.id);
    const found = (await reopened.search('coffee note number 7', { userId: 'alice', limit: 1 })).results[0]?.memory;
    await reopened.close();
    return {
      ids,
      compactions: stats.compactions,
      committed: stats.committed,
      counts,
      listed,
      tea: tea && { id: tea.id, memory: tea.memory },
      history,
      again,
      found,
    };
  });
  const expectedIds = out.ids.filter((_: string, i: number) => i !== 5);
  expect(out.committed).toBe(40);
  expect(out.compactions).toBe(1);
  // 32 one-memory segments committed, one of them deleted since: 31 merged into 1, then 8 more single adds.
  expect(out.counts).toMatchObject({ memories: 39, vectors: 39, segments: 9, pending: 0 });
  expect(out.listed.map((r: any) => r.id)).toEqual(expectedIds);
  expect(out.listed[3].memory).toBe('coffee note three, rewritten with tea');
  expect(out.listed[10].memory).toBe('coffee note number 11');
  expect(out.tea).toEqual({ id: out.ids[3], memory: 'coffee note three, rewritten with tea' });
  expect(out.history).toEqual(['ADD', 'UPDATE']);
  expect(out.again).toEqual(expectedIds);
  expect(out.found).toBe('coffee note number 7');
  // Tab 2 followed every commit and the merge: all 39 are in its index (search reads no storage for a held scope).
  await expect
    .poll(() =>
      second.evaluate(
        async () => (await window.t.memory.search('coffee note', { userId: 'alice', limit: 100 })).results.length,
      ),
    )
    .toBe(39);
  await second.evaluate(async () => window.t.memory.close());
});

test('a commit deletes only its own pending batches when another add still in flight sits between them', async ({
  page,
}) => {
  const out = await page.evaluate(async () => {
    const { t } = window;
    // The real engine, except that a text starting with "held" waits for release(): its add stays pending.
    const engine = await t.engine();
    const embedder = t.holdTexts(engine, 'held');
    const memory = await t.openShared({ dbName: 'spans', embedder });
    // Made in one task: three pending batches with neighbouring ids, the held one in the middle.
    const first = memory.add('the first of three notes', { userId: 'alice' });
    const held = memory.add('held back until the others are committed', { userId: 'alice' });
    const last = memory.add('the last of three notes', { userId: 'alice' });
    await Promise.all([first, last]);
    const largestGroup = memory.stats().largestGroup;
    const during = await t.rawCounts('spans');
    embedder.release();
    await held;
    const after = await t.rawCounts('spans');
    // A clean neighbourhood: ten adds from one task, committed together.
    await Promise.all(
      Array.from({ length: 10 }, (_, i) => memory.add(`one of ten notes, number ${i}`, { userId: 'alice' })),
    );
    const end = await t.rawCounts('spans');
    const listed = (await memory.getAll({ userId: 'alice', limit: 100 })).results.map((r: any) => r.memory);
    await memory.close();
    await engine.close();
    return { largestGroup, during, after, end, listed };
  });
  // The first and the last were committed by one transaction, whose pending range holds the held batch too.
  expect(out.largestGroup).toBeGreaterThanOrEqual(2);
  expect(out.during).toMatchObject({ memories: 2, pending: 1 });
  expect(out.after).toMatchObject({ memories: 3, pending: 0 });
  expect(out.end).toMatchObject({ memories: 13, vectors: 13, pending: 0 });
  expect(out.listed).toHaveLength(13);
  expect(out.listed).toContain('held back until the others are committed');
});

test('a merge of small segments leaves a large segment that lies between them untouched', async ({ page }) => {
  const out = await page.evaluate(async () => {
    const { t } = window;
    const memory = await t.openShared({ dbName: 'merge-around' });
    const texts: string[] = [];
    const add = async (text: string) => {
      texts.push(text);
      await memory.add(text, { userId: 'alice' });
    };
    for (let i = 0; i < 16; i++) await add(`small note ${i}`);
    // One segment of 40 memories, newer than the first 16 small ones and older than the next 16.
    const bulk = Array.from({ length: 40 }, (_, i) => `bulk note ${i}`);
    texts.push(...bulk);
    await memory.addMany(bulk.map((text) => ({ text, userId: 'alice' })));
    for (let i = 16; i < 32; i++) await add(`small note ${i}`);
    for (let i = 0; i < 100 && memory.stats().compactions === 0; i++) await new Promise((r) => setTimeout(r, 50));
    const compactions = memory.stats().compactions;
    await memory.close();
    const counts = await t.rawCounts('merge-around');
    const reopened = await t.openShared({ dbName: 'merge-around' });
    const listed = (await reopened.getAll({ userId: 'alice', limit: 1000 })).results.map((r: any) => r.memory);
    const found = (await reopened.search('bulk note 17', { userId: 'alice', limit: 1 })).results[0]?.memory;
    await reopened.close();
    return { texts, compactions, counts, listed, found };
  });
  expect(out.compactions).toBe(1);
  // 32 small segments merged into one; the 40-memory segment between them is still there, whole.
  expect(out.counts).toMatchObject({ memories: 72, vectors: 72, segments: 2, pending: 0 });
  expect([...out.listed].sort()).toEqual([...out.texts].sort());
  expect(out.found).toBe('bulk note 17');
});

test('small segments earlier sessions left are merged once a scope load finds 32 of them', async ({ page }) => {
  const out = await page.evaluate(async () => {
    const { t } = window;
    const ids: string[] = [];
    // Two sessions of 20 single adds each: neither reaches 32 small segments of its own, so neither merges.
    for (let session = 0; session < 2; session++) {
      const memory = await t.openShared({ dbName: 'leftovers' });
      for (let i = 0; i < 20; i++)
        ids.push((await memory.add(`tea note ${session * 20 + i}`, { userId: 'alice' })).results[0].id);
      await memory.close();
    }
    const before = await t.rawCounts('leftovers');
    const memory = await t.openShared({ dbName: 'leftovers' });
    const found = (await memory.search('tea note 33', { userId: 'alice', limit: 1 })).results[0]?.memory;
    for (let i = 0; i < 100 && memory.stats().compactions === 0; i++) await new Promise((r) => setTimeout(r, 50));
    const compactions = memory.stats().compactions;
    await memory.close(); // waits for a merge in progress
    const after = await t.rawCounts('leftovers');
    const reopened = await t.openShared({ dbName: 'leftovers' });
    const listed = (await reopened.getAll({ userId: 'alice', limit: 100 })).results.map((r: any) => r.id);
    const again = (await reopened.search('tea note 7', { userId: 'alice', limit: 1 })).results[0]?.memory;
    await reopened.close();
    return { ids, before, found, compactions, after, listed, again };
  });
  expect(out.before).toMatchObject({ memories: 40, vectors: 40, segments: 40 });
  expect(out.found).toBe('tea note 33');
  expect(out.compactions).toBe(1);
  expect(out.after).toMatchObject({ memories: 40, vectors: 40, segments: 1, pending: 0 });
  expect(out.listed).toEqual(out.ids);
  expect(out.again).toBe('tea note 7');
});

test("bad input: each a typed error, and every other caller's write still lands", async ({ page }) => {
  const out = await page.evaluate(async () => {
    const { t } = window;
    const memory = await t.openShared({ dbName: 'bad' });
    const good = Array.from({ length: 20 }, (_, i) => memory.add(`good memory number ${i}`, { userId: 'alice' }));
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    const huge = 'coffee '.repeat(150_000); // ~1 MB
    const cases: Record<string, () => unknown> = {
      empty: () => memory.add('', { userId: 'alice' }),
      whitespace: () => memory.add(' \n\t ', { userId: 'alice' }),
      nonString: () => memory.add(42, { userId: 'alice' }),
      nullText: () => memory.add(null, { userId: 'alice' }),
      loneSurrogate: () => memory.add('broken \uD800 text', { userId: 'alice' }),
      loneLowSurrogate: () => memory.add('broken \uDC00 text', { userId: 'alice' }),
      missingScope: () => memory.add('no owner', {}),
      missingOptions: () => memory.add('no owner'),
      emptyScope: () => memory.add('no owner', { userId: '' }),
      searchMissingScope: () => memory.search('coffee', {}),
      deleteAllMissingScope: () => memory.deleteAll({}),
      unknownOperator: () => memory.search('coffee', { userId: 'alice', filters: { priority: { between: [1, 2] } } }),
      unknownOperatorGetAll: () => memory.getAll({ userId: 'alice', filters: { AND: [{ x: { like: 'a' } }] } }),
      functionMetadata: () => memory.add('with a function', { userId: 'alice', metadata: { fn: () => 1 } }),
      symbolMetadata: () => memory.add('with a symbol', { userId: 'alice', metadata: { s: Symbol('x') } }),
      dateMetadata: () => memory.add('not a plain object', { userId: 'alice', metadata: new Date() }),
      arrayMetadata: () => memory.add('not a plain object', { userId: 'alice', metadata: [1, 2] }),
      badLimit: () => memory.search('coffee', { userId: 'alice', limit: -1 }),
      badThreshold: () => memory.search('coffee', { userId: 'alice', threshold: 2 }),
      badMode: () => memory.search('coffee', { userId: 'alice', mode: 'semantic' }),
      badKeywordWeight: () => memory.search('coffee', { userId: 'alice', keywordWeight: 1.5 }),
      badExplain: () => memory.search('coffee', { userId: 'alice', explain: 'yes' }),
      nulText: () => memory.add('\0 \0\t', { userId: 'alice' }),
      emptyMessages: () => memory.add([], { userId: 'alice' }),
      badMessage: () => memory.add([{ role: 'user', content: '' }], { userId: 'alice' }),
      addManyOneBad: () =>
        memory.addMany([
          { text: 'fine', userId: 'alice' },
          { text: '   ', userId: 'alice' },
        ]),
      updateUnknown: () => memory.update('no-such-id', 'new text'),
      deleteUnknown: () => memory.delete('no-such-id'),
      updateEmptyPatch: () => memory.update('no-such-id', {}),
      createNoModel: () => t.lib.Memory.create({ dbName: 'x' }),
      createBadQuantize: () => t.lib.Memory.create({ model: '/models/lexical', quantize: 'int4' }),
      // Typos: an unknown key would otherwise be ignored, and a search silently unfiltered or wider than meant.
      searchFilterTypo: () => memory.search('coffee', { userId: 'alice', filter: { priority: 1 } }),
      getAllSnakeCase: () => memory.getAll({ userId: 'alice', agent_id: 'bot' }),
      addMetaTypo: () => memory.add('typo', { userId: 'alice', meta: { a: 1 } }),
      addManyItemTypo: () => memory.addMany([{ text: 'typo', userId: 'alice', runid: 'r1' }]),
      updateTypo: () => memory.update('no-such-id', { txt: 'new text' }),
      deleteAllTypo: () => memory.deleteAll({ userId: 'alice', limit: 5 }),
    };
    const errors: Record<string, any> = {};
    for (const [name, fn] of Object.entries(cases)) errors[name] = await t.thrown(fn);
    const cyclic = await t.thrown(() =>
      memory.add('cyclic metadata has no JSON form', { userId: 'alice', metadata: circular }),
    );
    const hugeAdd = await memory.add(huge, { userId: 'alice', metadata: { size: 'huge' } });
    await Promise.all(good);
    const hugeBack = await memory.get(hugeAdd.results[0].id);
    const all = await memory.getAll({ userId: 'alice', limit: 1000 });
    const counts = await t.rawCounts('bad');
    await memory.close();
    const afterClose: Record<string, unknown> = {
      add: await t.thrown(() => memory.add('late', { userId: 'alice' })),
      search: await t.thrown(() => memory.search('late', { userId: 'alice' })),
      get: await t.thrown(() => memory.get('x')),
      reset: await t.thrown(() => memory.reset()),
      closeAgain: await t.thrown(() => memory.close()),
    };
    return {
      errors,
      cyclic,
      hugeLength: hugeBack.memory.length,
      hugeInput: huge.length,
      all: all.results.map((r: any) => r.memory),
      counts,
      afterClose,
    };
  });
  const validation = [
    'empty',
    'whitespace',
    'nonString',
    'nullText',
    'loneSurrogate',
    'loneLowSurrogate',
    'missingScope',
    'missingOptions',
    'emptyScope',
    'searchMissingScope',
    'deleteAllMissingScope',
    'unknownOperator',
    'unknownOperatorGetAll',
    'functionMetadata',
    'symbolMetadata',
    'dateMetadata',
    'arrayMetadata',
    'badLimit',
    'badThreshold',
    'badMode',
    'badKeywordWeight',
    'badExplain',
    'nulText',
    'emptyMessages',
    'badMessage',
    'addManyOneBad',
    'updateEmptyPatch',
    'createNoModel',
    'createBadQuantize',
  ];
  for (const name of validation) {
    expect(out.errors[name], name).toMatchObject({
      name: 'ValidationError',
      isAgentMem: true,
      message: expect.stringMatching(/^Expected `/),
    });
  }
  expect(out.errors.unknownOperator.message).toContain('got `between`');
  expect(out.errors.searchFilterTypo).toMatchObject({
    name: 'ValidationError',
    message:
      'Unknown option `options.filter`; expected `userId`, `agentId`, `runId`, `filters`, `limit`, `topK`, `threshold`, `mode`, `keywordWeight`, `explain`, `showExpired`',
  });
  for (const [name, key] of [
    ['getAllSnakeCase', 'options.agent_id'],
    ['addMetaTypo', 'options.meta'],
    ['addManyItemTypo', 'items[0].runid'],
    ['updateTypo', 'change.txt'],
    ['deleteAllTypo', 'options.limit'],
  ]) {
    expect(out.errors[name!], name).toMatchObject({
      name: 'ValidationError',
      isAgentMem: true,
      message: expect.stringContaining(`Unknown option \`${key}\``),
    });
  }
  expect(out.errors.loneSurrogate.message).toContain('lone UTF-16 surrogate');
  expect(out.errors.missingScope.message).toContain('`userId`, `agentId` or `runId`');
  expect(out.errors.functionMetadata.message).toContain('JSON');
  expect(out.errors.addManyOneBad.message).toContain('items[1].text');
  expect(out.errors.updateUnknown).toMatchObject({ name: 'NotFoundError', isAgentMem: true });
  expect(out.errors.deleteUnknown).toMatchObject({ name: 'NotFoundError', isAgentMem: true });
  expect(out.cyclic).toMatchObject({ name: 'ValidationError', message: expect.stringContaining('circular') });
  expect(out.hugeLength).toBe(out.hugeInput); // embedded truncated, stored whole
  for (const [name, error] of Object.entries(out.afterClose)) {
    if (name === 'closeAgain') expect(error).toBeNull();
    else expect(error, name).toMatchObject({ name: 'ClosedError', isAgentMem: true });
  }
  // The 20 good adds and the huge one landed; none of the bad ones did (not even addMany's good half).
  expect(out.all.filter((m: string) => m.startsWith('good memory number')).length).toBe(20);
  expect(out.all).not.toContain('fine');
  expect(out.all.length).toBe(21);
  expect(out.counts).toMatchObject({ memories: 21, vectors: 21, history: 0, pending: 0 });
});

test('an add writes two transactions: its pending record, then its commit with the engine cache entry in one', async ({
  page,
}) => {
  const out = await page.evaluate(async () => {
    const { t } = window;
    const memory = await t.open({ dbName: 'one-tx' });
    const before = memory.stats().writeTransactions;
    await memory.add('the first memory of this database', { userId: 'alice' });
    const afterOne = memory.stats().writeTransactions;
    const countsOne = await t.rawCounts('one-tx');
    await memory.add('a second memory, another text', { userId: 'alice' });
    const afterTwo = memory.stats().writeTransactions;
    const countsTwo = await t.rawCounts('one-tx');
    await memory.close();
    return { before, afterOne, afterTwo, countsOne, countsTwo };
  });
  expect(out.before).toBe(0);
  // Three kinds of write (pending record, commit, cache entry) in two transactions per add.
  expect(out.afterOne).toBe(2);
  expect(out.countsOne).toMatchObject({ memories: 1, vectors: 1, pending: 0, embeddings: 1 });
  expect(out.afterTwo).toBe(4);
  expect(out.countsTwo).toMatchObject({ memories: 2, vectors: 2, pending: 0, embeddings: 2 });
});

test('concurrent adds commit in grouped transactions, all of them, and the embedding cache lives in the same database', async ({
  page,
}) => {
  const out = await page.evaluate(async () => {
    const { t } = window;
    const memory = await t.open({ dbName: 'groups' });
    const texts = Array.from({ length: 200 }, (_, i) => `memory ${i} about topic ${i % 7}`);
    const results = await Promise.all(texts.map((text, i) => memory.add(text, { userId: `user-${i % 3}` })));
    const stats = memory.stats();
    const counts = await t.rawCounts('groups');
    const perUser = await Promise.all(
      [0, 1, 2].map(async (u) => (await memory.getAll({ userId: `user-${u}`, limit: 1000 })).results.length),
    );
    await memory.close();
    return { ids: new Set(results.map((r: any) => r.results[0].id)).size, stats, counts, perUser };
  });
  expect(out.ids).toBe(200);
  expect(out.stats.committed).toBe(200);
  // Coalesced: far fewer write transactions than adds (the exact number depends on timing, so only the bound is asserted).
  expect(out.stats.commitGroups).toBeLessThan(200);
  expect(out.stats.largestGroup).toBeGreaterThan(1);
  expect(out.stats.writeTransactions).toBeLessThan(200);
  expect(out.perUser).toEqual([67, 67, 66]);
  expect(out.counts).toMatchObject({ memories: 200, vectors: 200, history: 0, pending: 0 });
  // The engine's persistent cache was handed the memory database's `embeddings` store.
  expect(out.counts.embeddings).toBeGreaterThan(0);
});

test('Memory.create({ embedder }) uses a caller-owned embedder and leaves it open on close()', async ({ page }) => {
  const out = await page.evaluate(async () => {
    const { t } = window;
    const embedder = await t.Embedder.create({ model: '/models/lexical', backend: 'wasm', workers: 1 });
    const memory = await t.open({ dbName: 'own', embedder });
    await memory.add('I drink coffee every morning', { userId: 'alice' });
    await memory.add('My cat is called Miso', { userId: 'alice' });
    const first = (await memory.search('coffee', { userId: 'alice' })).results[0].memory;
    await memory.close();
    const stillWorks = (await embedder.embed('still open')).length;
    await embedder.close();
    return { first, stillWorks, dims: embedder.dimensions };
  });
  expect(out).toEqual({ first: 'I drink coffee every morning', stillWorks: out.dims, dims: 256 });
});

test("memory.embedder embeds with the Memory's own engine and cache, stores nothing, and ends with the Memory", async ({
  page,
}) => {
  const out = await page.evaluate(async () => {
    const { t } = window;
    const memory = await t.open({ dbName: 'view' });
    const text = 'I drink coffee every morning';
    await memory.add(text, { userId: 'alice' });
    const before = memory.embedder.stats() as { inferences: number; cache: { hits: number } };
    const again = await memory.embedder.embed(text); // the add's text: a cache hit, no inference
    const [fresh, other] = await memory.embedder.embedMany(['never stored before', 'nor this one']);
    const after = memory.embedder.stats() as { inferences: number; cache: { hits: number } };
    const reference = await t.engine();
    const expected = await reference.embedMany([text, 'never stored before']);
    await reference.close();
    const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i]!, 0);
    const stored = (await memory.getAll({ userId: 'alice' })).results.length;
    const counts = await t.rawCounts('view');
    const hasClose = 'close' in memory.embedder;
    await memory.close();
    const afterClose = await t.thrown(() => memory.embedder.embed(text));
    return {
      dims: [again.length, fresh.length, other.length, memory.embedder.dimensions],
      cos: [dot(again, expected[0]), dot(fresh, expected[1])],
      hits: after.cache.hits - before.cache.hits,
      inferences: after.inferences - before.inferences,
      stored,
      memories: counts.memories,
      hasClose,
      afterClose,
    };
  });
  expect(out.dims).toEqual([256, 256, 256, 256]);
  for (const c of out.cos) expect(c).toBeGreaterThan(0.9999);
  expect(out.hits).toBe(1);
  expect(out.inferences).toBe(2);
  expect(out.stored).toBe(1);
  expect(out.memories).toBe(1);
  expect(out.hasClose).toBe(false);
  expect(out.afterClose).toMatchObject({ name: 'ClosedError', isAgentMem: true });
});

test('a second tab replays the adds a live tab still has in flight; when that tab finishes them, nothing is duplicated', async ({
  page,
  context,
}) => {
  const texts = Array.from({ length: 30 }, (_, i) => `shared note ${i} about the harbour`);
  await page.evaluate(async (texts) => {
    const { t } = window;
    const engine = await t.engine();
    t.held = t.holdAfter(engine, 10);
    t.memory = await t.openShared({ dbName: 'race', embedder: t.held });
    t.adds = Promise.all(texts.map((text: string) => t.memory.add(text, { userId: 'alice' })));
    for (;;) {
      const batches = (await t.rawAll('race', 'pending')) as unknown[];
      if (batches.length === 20) return;
      await new Promise((r) => setTimeout(r, 10));
    }
  }, texts);
  // Tab 2 opens the database while tab 1 is alive with 20 adds in flight, and replays them.
  const second = await context.newPage();
  await ready(second);
  const replayed = await second.evaluate(async () => {
    window.t.memory = await window.t.openShared({ dbName: 'race' });
    return window.t.memory.stats().replayed;
  });
  expect(replayed).toBe(20);
  // Tab 1's embedder answers now: it commits the same 20 adds under the same ids.
  const out = await page.evaluate(async () => {
    const { t } = window;
    t.held.release();
    const results = await t.adds;
    const all = await t.memory.getAll({ userId: 'alice', limit: 1000 });
    const counts = await t.rawCounts('race');
    await t.memory.close();
    return { resolved: results.length, ids: all.results.map((r: any) => r.id), counts };
  });
  expect(out.resolved).toBe(30);
  expect(new Set(out.ids).size).toBe(30);
  expect(out.counts).toMatchObject({ memories: 30, vectors: 30, history: 0, pending: 0 });
  const seen = await second.evaluate(
    async () => (await window.t.memory.search('harbour', { userId: 'alice', limit: 100 })).results.length,
  );
  expect(seen).toBe(30);
  await second.evaluate(async () => window.t.memory.close());
});

test('reset() while an add is embedding: the add rejects with StorageError and leaves no trace, not even in the index', async ({
  page,
}) => {
  const out = await page.evaluate(async () => {
    const { t } = window;
    const engine = await t.engine();
    const held = t.holdTexts(engine, 'held');
    const memory = await t.openShared({ dbName: 'reset-race', embedder: held });
    await memory.add('kept before the reset', { userId: 'alice' });
    const add = t.thrown(() => memory.add('held: coffee at the harbour', { userId: 'alice' }));
    while (((await t.rawAll('reset-race', 'pending')) as unknown[]).length === 0)
      await new Promise((r) => setTimeout(r, 10));
    await memory.reset();
    // A search loads the (now empty) scope before the held add's commit arrives.
    const before = (await memory.search('harbour', { userId: 'alice' })).results.length;
    held.release();
    const error = await add;
    const after = await memory.search('coffee at the harbour', { userId: 'alice' });
    const all = await memory.getAll({ userId: 'alice' });
    const counts = await t.rawCounts('reset-race');
    await memory.close();
    await engine.close();
    return {
      before,
      error,
      found: after.results.map((r: { memory: string }) => r.memory),
      all: all.results.length,
      counts,
    };
  });
  expect(out.before).toBe(0);
  expect(out.error).toMatchObject({ name: 'StorageError', isAgentMem: true });
  expect(out.error!.message).toMatch(
    /was discarded before it was committed: its pending record was removed \(reset\(\)/,
  );
  expect(out.found).toEqual([]);
  expect(out.all).toBe(0);
  expect(out.counts).toMatchObject({ memories: 0, pending: 0 });
});

test('a replay that fails does not lock the database out: create() succeeds, the batch stays pending for the next one', async ({
  page,
}) => {
  await page.evaluate(async () => {
    const { t } = window;
    const engine = await t.engine();
    const memory = await t.openShared({ dbName: 'replay-fail', embedder: t.holdAfter(engine, 0) });
    for (const text of [
      'poison: a note the next engine cannot embed',
      'a note about the harbour',
      'a note about the lighthouse',
    ]) {
      void memory.add(text, { userId: 'alice' }).catch(() => undefined);
    }
    while (((await t.rawAll('replay-fail', 'pending')) as unknown[]).length < 3)
      await new Promise((r) => setTimeout(r, 10));
  });
  await ready(page); // the tab goes away with three adds pending
  const out = await page.evaluate(async () => {
    const { t } = window;
    const engine = await t.engine();
    const failing = await t.openShared({ dbName: 'replay-fail', embedder: t.failTexts(engine, 'poison') });
    const first = failing.stats();
    const usable = (await failing.search('harbour', { userId: 'alice' })).results.map(
      (r: { memory: string }) => r.memory,
    );
    await failing.close();
    const pendingBetween = ((await t.rawAll('replay-fail', 'pending')) as unknown[]).length;
    const healthy = await t.openShared({ dbName: 'replay-fail', embedder: engine });
    const second = healthy.stats();
    const all = (await healthy.getAll({ userId: 'alice' })).results.map((r: { memory: string }) => r.memory).sort();
    const counts = await t.rawCounts('replay-fail');
    await healthy.close();
    await engine.close();
    return {
      first: [first.replayed, first.replayFailed, first.replayError],
      usable,
      pendingBetween,
      second: [second.replayed, second.replayFailed],
      all,
      counts,
    };
  });
  expect(out.first[0]).toBe(2);
  expect(out.first[1]).toBe(1);
  expect(out.first[2]).toMatch(/^EmbeddingError: Embedding failed: injected for `poison/);
  expect(out.usable.slice().sort()).toEqual(['a note about the harbour', 'a note about the lighthouse']);
  expect(out.pendingBetween).toBe(1);
  expect(out.second).toEqual([1, 0]);
  expect(out.all).toEqual([
    'a note about the harbour',
    'a note about the lighthouse',
    'poison: a note the next engine cannot embed',
  ]);
  expect(out.counts).toMatchObject({ memories: 3, pending: 0 });
});

test('results are copies all the way down, and a second close() waits for the same shutdown', async ({ page }) => {
  const out = await page.evaluate(async () => {
    const { t } = window;
    const memory = await t.open({ dbName: 'copies' });
    await memory.add('likes green tea', { userId: 'alice', metadata: { tags: ['drinks'], prefs: { sweet: false } } });
    const first = await memory.search('tea', { userId: 'alice' });
    first.results[0]!.metadata.tags.push('food');
    first.results[0]!.metadata.prefs.sweet = true;
    const byTag = await memory.search('tea', { userId: 'alice', filters: { tags: { contains: 'food' } } });
    const again = await memory.search('tea', { userId: 'alice' });
    // Two close() calls at once: the second must not resolve before the first one's shutdown is over.
    let firstDone = false;
    void memory.close().then(() => (firstDone = true));
    await memory.close();
    return { byTag: byTag.results.length, metadata: again.results[0]!.metadata, firstDone };
  });
  expect(out.byTag).toBe(0);
  expect(out.metadata).toEqual({ tags: ['drinks'], prefs: { sweet: false } });
  expect(out.firstDone).toBe(true);
});

test('a late update message from another tab does not bring back a deleted memory or an older text', async ({
  page,
}) => {
  const out = await page.evaluate(async () => {
    const { t } = window;
    // Two instances on one database (two tabs, as far as the library can tell) and a raw channel that records and
    // replays their messages late, as BroadcastChannel may deliver messages from different tabs in any order.
    const a = await t.openShared({ dbName: 'late' });
    const b = await t.openShared({ dbName: 'late' });
    const spy = new BroadcastChannel('agentmem:late');
    const seen: { type: string }[] = [];
    spy.onmessage = (event) => seen.push(event.data);
    const settle = () => new Promise((r) => setTimeout(r, 200));
    const gone = (await a.add('harbour note to delete', { userId: 'alice' })).results[0].id;
    const kept = (await a.add('harbour note version one', { userId: 'alice' })).results[0].id;
    await b.search('harbour', { userId: 'alice' }); // b holds the scope in its index
    await a.update(gone, 'harbour note updated, then deleted');
    await a.update(kept, 'harbour note version two');
    await settle();
    const updates = seen.filter((m) => m.type === 'upsert');
    await a.update(kept, 'harbour note version three');
    await a.delete(gone);
    await settle();
    for (const message of updates) spy.postMessage(message); // delivered late
    await settle();
    const texts = (await b.search('harbour note', { userId: 'alice', limit: 10 })).results.map(
      (r: { memory: string }) => r.memory,
    );
    spy.close();
    await a.close();
    await b.close();
    return { updates: updates.length, texts };
  });
  expect(out.updates).toBe(2);
  expect(out.texts).toEqual(['harbour note version three']);
});

test('an add whose own embedding fails after another tab replayed it resolves: the memory is stored, once', async ({
  page,
  context,
}) => {
  await page.evaluate(async () => {
    const { t } = window;
    const engine = await t.engine();
    // This tab's engine holds the text, then fails it.
    t.held = t.holdTexts(t.failTexts(engine, 'doomed'), 'doomed');
    t.memory = await t.openShared({ dbName: 'replayed-then-failed', embedder: t.held });
    t.add = t.thrown(
      async () => (t.added = await t.memory.add('doomed here, saved by the other tab', { userId: 'alice' })),
    );
    while (((await t.rawAll('replayed-then-failed', 'pending')) as unknown[]).length === 0)
      await new Promise((r) => setTimeout(r, 10));
  });
  const second = await context.newPage();
  await ready(second);
  const replayed = await second.evaluate(async () => {
    window.t.memory = await window.t.openShared({ dbName: 'replayed-then-failed' });
    return window.t.memory.stats().replayed;
  });
  expect(replayed).toBe(1);
  const out = await page.evaluate(async () => {
    const { t } = window;
    t.held.release();
    const error = await t.add;
    const all = await t.memory.getAll({ userId: 'alice' });
    const counts = await t.rawCounts('replayed-then-failed');
    await t.memory.close();
    return { error, event: t.added?.results[0].event, sameId: t.added?.results[0].id === all.results[0]?.id, counts };
  });
  expect(out.error).toBeNull();
  expect(out.event).toBe('ADD');
  expect(out.sameId).toBe(true);
  expect(out.counts).toMatchObject({ memories: 1, pending: 0 });
  await second.evaluate(async () => window.t.memory.close());
});
