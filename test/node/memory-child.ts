/**
 * A child process for test/unit/store-processes.test.ts: one real Node process per step, using Memory over a
 * libSQL file, reporting what it did as one JSON object per stdout line.
 *
 *   write <path>  adds, updates and deletes a fixed set of memories, then closes
 *   read <path>   reopens and reports everything a caller can see
 *   flood <path>  20 concurrent callers add until the process is killed, reporting each add that resolved
 *   hold <path>   opens and keeps the file open until its stdin ends, then closes
 *   try <path>    tries to open and reports the outcome
 */
import { createInterface } from 'node:readline';
import { openNodeMemory, lexicalDir } from './lexical-embedder.js';

const [mode, path] = process.argv.slice(2) as [string, string];
const report = (event: object): void => void process.stdout.write(`${JSON.stringify(event)}\n`);
const open = () => openNodeMemory({ path, model: lexicalDir });

const written = {
  alice: ['I drink coffee every morning', 'My sister lives in Lisbon', 'I play tennis on Sundays'],
  bob: ['Bob drinks coffee too', 'Bob works on the quarterly report'],
};

async function write(): Promise<void> {
  const memory = await open();
  const first = await memory.add(written.alice[0]!, { userId: 'alice', metadata: { topic: 'food' } });
  const rest = await memory.addMany([
    ...written.alice.slice(1).map((text) => ({ text, userId: 'alice', agentId: 'travel' })),
    ...written.bob.map((text) => ({ text, userId: 'bob' })),
  ]);
  const coffee = first.results[0]!.id;
  await memory.update(coffee, 'I drink green tea every morning');
  const tennis = rest.results[1]!.id;
  await memory.delete(tennis);
  await memory.close();
  report({ coffee, tennis, ids: [coffee, ...rest.results.map((r) => r.id)], written });
}

async function read(): Promise<void> {
  const memory = await open();
  const { coffee, tennis } = JSON.parse(process.argv[4]!) as { coffee: string; tennis: string };
  report({
    alice: (await memory.getAll({ userId: 'alice' })).results,
    bob: (await memory.getAll({ userId: 'bob' })).results,
    tea: (await memory.search('green tea', { userId: 'alice', mode: 'vector' })).results,
    keyword: (await memory.search('Lisbon', { userId: 'alice', mode: 'keyword' })).results,
    hybrid: (await memory.search('quarterly report', { userId: 'bob' })).results,
    coffeeHistory: await memory.history(coffee),
    tennisHistory: await memory.history(tennis),
    stats: memory.stats(),
  });
  await memory.close();
}

async function flood(): Promise<void> {
  const memory = await open();
  report({ open: true });
  let next = 0;
  const caller = async (): Promise<never> => {
    for (;;) {
      const i = next++;
      // Single adds and small addMany calls, so batches of several memories are pending when the kill comes.
      if (i % 3 === 0) {
        const texts = [`flood ${i} a`, `flood ${i} b`, `flood ${i} c`];
        const { results } = await memory.addMany(texts.map((text) => ({ text, userId: 'flood' })));
        report({ resolved: results.map((r) => [r.id, r.memory]) });
      } else {
        const { results } = await memory.add(`flood ${i}`, { userId: 'flood' });
        report({ resolved: results.map((r) => [r.id, r.memory]) });
      }
    }
  };
  await Promise.all(Array.from({ length: 20 }, caller));
}

async function hold(): Promise<void> {
  const memory = await open();
  const { results } = await memory.add('held by the first process', { userId: 'holder' });
  report({ open: true, id: results[0]!.id });
  for await (const _line of createInterface({ input: process.stdin })) break;
  await memory.add('written after the other process failed', { userId: 'holder' });
  await memory.close();
  report({ closed: true });
}

async function attempt(): Promise<void> {
  try {
    const memory = await open();
    report({ opened: true, holder: (await memory.getAll({ userId: 'holder' })).results.map((r) => r.memory) });
    await memory.close();
  } catch (error) {
    const e = error as Error;
    report({ error: e.name, message: e.message });
  }
}

const modes: Record<string, () => Promise<void>> = { write, read, flood, hold, try: attempt };
await modes[mode]!();
