import { afterEach, describe, expect, it } from 'vitest';
import { CommitQueue, type GroupLimit, type QueueEntry } from '../../src/memory/commit-queue.js';

/** A caller's write in these tests: its items, and a promise that settles as the queue tells the entry. */
interface Entry extends QueueEntry {
  readonly items: readonly string[];
}

/** The queue under test, with a promise per push and the commit seeing the items of its group. */
interface Queue {
  push(items: readonly string[]): Promise<void>;
  onIdle(): Promise<void>;
  stats(): ReturnType<CommitQueue<Entry>['stats']>;
}

const queues: CommitQueue<Entry>[] = [];
afterEach(() => {
  for (const q of queues.splice(0)) q.close();
});

function queue(
  commit: (items: string[]) => Promise<void>,
  limit?: { weight: (item: string) => number; maxWeight: number; urgent?: (item: string) => boolean },
): Queue {
  const entryLimit: GroupLimit<Entry> | undefined = limit && {
    weight: (e) => e.items.reduce((w, item) => w + limit.weight(item), 0),
    maxWeight: limit.maxWeight,
    ...(limit.urgent ? { urgent: (e: Entry) => e.items.some(limit.urgent!) } : {}),
  };
  const q = new CommitQueue<Entry>((entries) => commit(entries.flatMap((e) => [...e.items])), entryLimit);
  queues.push(q);
  return {
    push: (items) => new Promise((done, fail) => q.push({ items, done, fail })),
    onIdle: () => q.onIdle(),
    stats: () => q.stats(),
  };
}

describe('CommitQueue', () => {
  it('gathers callers of the same tick into one group, and callers arriving during a commit into the next', async () => {
    const groups: string[][] = [];
    let release!: () => void;
    let gate: Promise<void> | undefined = new Promise((r) => (release = r));
    const q = queue(async (items) => {
      groups.push(items);
      if (gate) await gate;
    });
    const first = ['a', 'b', 'c'].map((x) => q.push([x]));
    await new Promise((r) => setTimeout(r, 5)); // the first group is now committing (held by the gate)
    const second = ['d', 'e'].map((x) => q.push([x]));
    const third = q.push(['f', 'g']);
    gate = undefined;
    release();
    await Promise.all([...first, ...second, third]);
    expect(groups).toEqual([
      ['a', 'b', 'c'],
      ['d', 'e', 'f', 'g'],
    ]);
    expect(q.stats()).toEqual({ groups: 2, entries: 6, largest: 3 });
  });

  it('a failing group is retried caller by caller: only the caller whose items fail is rejected, with its own error', async () => {
    const committed: string[] = [];
    const attempts: string[][] = [];
    const q = queue(async (items) => {
      attempts.push(items);
      if (items.includes('bad')) throw new DOMException('disk full', 'QuotaExceededError');
      committed.push(...items);
    });
    await Promise.all([q.push(['a']), q.push(['b'])]);
    const results = await Promise.allSettled([q.push(['c1', 'c2']), q.push(['bad']), q.push(['e'])]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toMatchObject({ name: 'QuotaExceededError' });
    // The whole group first (one transaction: all or nothing, so nothing of it was written), then each caller alone.
    expect(attempts.slice(1)).toEqual([['c1', 'c2', 'bad', 'e'], ['c1', 'c2'], ['bad'], ['e']]);
    await q.push(['d']);
    expect(committed).toEqual(['a', 'b', 'c1', 'c2', 'e', 'd']);
    expect(q.stats()).toEqual({ groups: 4, entries: 5, largest: 2 });
  });

  it('a group of one that fails is not retried', async () => {
    let calls = 0;
    const q = queue(async () => {
      calls++;
      throw new Error('closed');
    });
    await expect(q.push(['x'])).rejects.toThrow('closed');
    expect(calls).toBe(1);
  });

  it("never splits one caller's items across groups, and onIdle waits for everything", async () => {
    const groups: string[][] = [];
    const q = queue(async (items) => {
      groups.push(items);
      await new Promise((r) => setTimeout(r, 2));
    });
    const all = [q.push(['x1', 'x2', 'x3']), q.push(['y1'])];
    await q.onIdle();
    expect(groups.flat()).toEqual(['x1', 'x2', 'x3', 'y1']);
    for (const g of groups) if (g.includes('x1')) expect(g).toEqual(expect.arrayContaining(['x1', 'x2', 'x3']));
    await Promise.all(all);
    await expect(q.onIdle()).resolves.toBeUndefined();
  });

  it('a flood is written in groups of at most maxWeight, in order', async () => {
    const groups: string[][] = [];
    const q = queue(
      async (items) => {
        groups.push(items);
      },
      { weight: (item) => (item.startsWith('big') ? 5 : 1), maxWeight: 4 },
    );
    const callers = Array.from({ length: 10 }, (_, i) => q.push([`a${i}`]));
    const big = q.push(['big1', 'big2']); // over the limit alone: its own group, never split
    const tail = q.push(['t1', 't2', 't3']);
    const done: string[] = [];
    await Promise.all([...callers, big, tail].map((p, i) => p.then(() => done.push(String(i)))));
    expect(groups).toEqual([
      ['a0', 'a1', 'a2', 'a3'],
      ['a4', 'a5', 'a6', 'a7'],
      ['a8', 'a9'],
      ['big1', 'big2'],
      ['t1', 't2', 't3'],
    ]);
    expect(done).toEqual(Array.from({ length: 12 }, (_, i) => String(i)));
    expect(q.stats()).toEqual({ groups: 5, entries: 12, largest: 4 });
  });

  it('urgent callers go first, up to the limit; the others keep their order', async () => {
    const groups: string[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let started!: () => void;
    const writing = new Promise<void>((r) => (started = r));
    const q = queue(
      async (items) => {
        groups.push(items);
        if (groups.length > 1) return;
        started();
        await gate;
      },
      { weight: () => 1, maxWeight: 3, urgent: (item) => item.startsWith('!') },
    );
    const first = q.push(['p0']);
    await writing; // p0's group is committing: the rest waits together
    const rest = ['p1', 'p2', '!c1', 'p3', '!c2', 'p4'].map((x) => q.push([x]));
    release();
    await Promise.all([first, ...rest]);
    expect(groups).toEqual([['p0'], ['!c1', '!c2', 'p1'], ['p2', 'p3', 'p4']]);
  });
});
