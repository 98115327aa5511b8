import { afterEach, describe, expect, it } from 'vitest';
import { CommitQueue } from '../../src/memory/commit-queue.js';

const queues: CommitQueue<string>[] = [];
afterEach(() => {
  for (const q of queues.splice(0)) q.close();
});

function queue(commit: (items: string[]) => Promise<void>): CommitQueue<string> {
  const q = new CommitQueue(commit);
  queues.push(q);
  return q;
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
    expect(groups).toEqual([['a', 'b', 'c'], ['d', 'e', 'f', 'g']]);
    expect(q.stats()).toEqual({ groups: 2, items: 7, largest: 4 });
  });

  it('a failing group rejects exactly its callers with the commit error; the next group commits', async () => {
    const committed: string[] = [];
    const q = queue(async (items) => {
      if (items.includes('bad')) throw new DOMException('disk full', 'QuotaExceededError');
      committed.push(...items);
    });
    await Promise.all([q.push(['a']), q.push(['b'])]);
    const results = await Promise.allSettled([q.push(['bad']), q.push(['c'])]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']); // one transaction: all or nothing
    expect((results[0] as PromiseRejectedResult).reason).toBeInstanceOf(DOMException);
    await q.push(['d']);
    expect(committed).toEqual(['a', 'b', 'd']);
    expect(q.stats().groups).toBe(2);
  });

  it('never splits one caller\'s items across groups, and onIdle waits for everything', async () => {
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
});
