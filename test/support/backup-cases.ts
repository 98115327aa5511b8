/**
 * Export and import cases, run against every store: IndexedDB in Chromium (test/browser/memory-backup.spec.ts
 * through test/pages/memory.ts) and libSQL in Node (test/unit/memory-backup.test.ts). Only type imports here.
 */
import type { ImportSource, Memory, MemoryOptions } from '../../src/index.js';
import type { Harness } from './conformance.js';

export interface BackupHarness extends Harness {
  /** A Memory on a second, fresh store of this case (same engine). */
  other(options?: Partial<MemoryOptions>): Promise<Memory>;
  /** The Memory class, for its static import(). */
  readonly Memory: typeof Memory;
  /** Options that open {@link other}'s store with Memory.create / Memory.import. */
  otherOptions(): MemoryOptions;
}

export interface BackupCase {
  readonly name: string;
  run(h: BackupHarness): Promise<void>;
}

function fail(message: string): never {
  throw new Error(`backup: ${message}`);
}

function equal(actual: unknown, expected: unknown, what: string): void {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a === e) return;
  let i = 0;
  while (a[i] === e[i]) i++;
  const near = (text: string) => text.slice(Math.max(0, i - 120), i + 120);
  fail(`${what}: differs at character ${i}: expected …${near(e)}…, got …${near(a)}…`);
}

function ok(condition: boolean, what: string): void {
  if (!condition) fail(what);
}

async function rejects(call: () => Promise<unknown>, name: string, pattern: RegExp, what: string): Promise<void> {
  try {
    await call();
  } catch (error) {
    const e = error as Error;
    if (e.name !== name) fail(`${what}: expected ${name}, got ${e.name}: ${e.message}`);
    if (!pattern.test(e.message)) fail(`${what}: expected a message matching ${pattern}, got ${e.message}`);
    return;
  }
  fail(`${what}: expected ${name}, nothing was thrown`);
}

async function collect(lines: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const line of lines) out.push(line);
  return out;
}

/** The lines without the header's export time, for comparing two exports. */
function comparable(lines: readonly string[]): string[] {
  const [header, ...rest] = lines;
  const { exportedAt: _, ...kept } = JSON.parse(header!) as Record<string, unknown>;
  return [JSON.stringify(kept), ...rest];
}

/** The memory lines without their vectors (an engine's batches may round a re-embedded vector differently). */
function withoutVectors(lines: readonly string[]): unknown[] {
  return lines.slice(1).map((line) => {
    const { vector: _v, scale: _s, ...rest } = JSON.parse(line) as Record<string, unknown>;
    return rest;
  });
}

const alice = { userId: 'alice' };

/** A store with every kind of data: scopes, metadata, a conversation, an update, a delete, an expired memory. */
async function seed(memory: Memory): Promise<string[]> {
  const { results } = await memory.addMany([
    { text: 'I drink coffee every morning', userId: 'alice', metadata: { category: 'food', tags: ['a', 'b'] } },
    { text: 'I play tennis on Sundays', userId: 'alice', agentId: 'coach', metadata: { level: 3 } },
    { text: 'Café ☕ in Lisbon, next week', userId: 'alice', runId: 'trip-1', metadata: {} },
    { text: 'Bob drinks tea', userId: 'bob', metadata: { category: 'food' } },
    { text: 'An old note', userId: 'alice', metadata: {}, expirationDate: '2001-01-01' },
    { text: 'A note to delete', userId: 'alice', metadata: {} },
  ]);
  const ids = results.map((r) => r.id);
  await memory.add(
    [
      { role: 'user', content: 'Where should we meet?' },
      { role: 'assistant', content: 'At the harbour, at noon' },
    ],
    { userId: 'alice' },
  );
  await memory.update(ids[0]!, 'I drink black coffee every morning');
  await memory.update(ids[1]!, { metadata: { level: 4 } });
  await memory.delete(ids[5]!);
  return ids;
}

interface Snapshot {
  all: unknown;
  histories: unknown;
  search: unknown;
}

async function snapshot(memory: Memory, ids: readonly string[]): Promise<Snapshot> {
  const all = (await memory.getAll({ ...alice, showExpired: true })).results;
  const bob = (await memory.getAll({ userId: 'bob' })).results;
  const histories = await Promise.all(ids.map((id) => memory.history(id)));
  const search = (await memory.search('coffee in the morning', { ...alice, limit: 5 })).results;
  const vector = (await memory.search('harbour meeting', { ...alice, limit: 3, mode: 'vector' })).results;
  return { all: [all, bob], histories, search: [search, vector] };
}

function roundTrip(quantize: 'none' | 'int8'): BackupCase {
  return {
    name: `round trip (${quantize}): memories, history, search and vectors come back bit-identical`,
    async run(h) {
      const a = await h.open({ quantize });
      const ids = await seed(a);
      const lines = await collect(a.export());
      // The deleted memory's history is exported too (its last line), so history() of its id comes back as well.
      const before = await snapshot(a, ids);
      equal(
        (await a.history(ids[5]!)).map((r) => r.event),
        ['ADD', 'DELETE'],
        "a deleted memory's history",
      );
      await a.close();

      const header = JSON.parse(lines[0]!) as Record<string, unknown>;
      equal(header['format'], 'agentmem-web/export', 'header format');
      equal(header['version'], 1, 'header version');
      equal(header['encoding'], quantize === 'int8' ? 'int8' : 'float32', 'header encoding');
      equal(header['count'], 7, 'header count (expired included, deleted not)');
      equal(lines.length, 9, 'one line per memory after the header, then the deleted one');
      const deleted = JSON.parse(lines[8]!) as Record<string, unknown>;
      equal([deleted['id'], deleted['deleted']], [ids[5], true], 'the deleted memory, last');
      ok(
        lines.every((line) => line.endsWith('\n') && line.indexOf('\n') === line.length - 1),
        'each line ends in one newline',
      );
      const first = JSON.parse(lines[1]!) as Record<string, unknown>;
      ok(typeof first['vector'] === 'string', 'a memory line carries its vector');
      ok((quantize === 'int8') === (typeof first['scale'] === 'number'), 'int8 vectors carry their scale');

      const progress: number[] = [];
      const b = await h.other({ quantize });
      const result = await b.import(lines, { onProgress: (p) => progress.push(p.done) });
      equal(result, { imported: 7, replaced: 0, skipped: 0, reembedded: 0, deleted: 1 }, 'import result');
      equal(progress[progress.length - 1], 7, 'last progress');
      equal(comparable(await collect(b.export())), comparable(lines), 'the re-export (vector bytes included)');
      equal(await snapshot(b, ids), before, 'getAll, history (of the deleted one too) and search after import');
      await b.close();

      const reopened = await h.other({ quantize });
      equal(await snapshot(reopened, ids), before, 'after a reopen');
      await reopened.close();
    },
  };
}

export const backupCases: readonly BackupCase[] = [
  roundTrip('none'),
  roundTrip('int8'),
  {
    name: 'export pages through many units (small merged ones too): every memory once, in id order',
    async run(h) {
      const memory = await h.open();
      // One add at a time leaves small segments (merged in the background), then one big batch spans several.
      for (let i = 0; i < 40; i++) await memory.add(`Single note number ${i}`, { userId: i % 2 ? 'odd' : 'even' });
      const texts = Array.from({ length: 1260 }, (_, i) => `Batch note ${i} about topic ${i % 37}`);
      await memory.addMany(texts.map((text, i) => ({ text, userId: i % 2 ? 'odd' : 'even' })));
      const progress: [number, number][] = [];
      const lines = await collect(memory.export({ onProgress: (p) => progress.push([p.done, p.total]) }));
      const ids = lines.slice(1).map((line) => (JSON.parse(line) as { id: string }).id);
      equal(ids.length, 1300, 'memories exported');
      ok(
        ids.every((id, i) => i === 0 || ids[i - 1]! < id),
        'ids strictly ascending (none twice)',
      );
      const stored = [
        ...(await memory.getAll({ userId: 'even', limit: 5000 })).results,
        ...(await memory.getAll({ userId: 'odd', limit: 5000 })).results,
      ].map((r) => r.id);
      equal(ids, stored.sort(), 'the ids getAll returns');
      equal(progress[progress.length - 1], [1300, 1300], 'last progress');
      const odd = await collect(memory.export({ scope: { userId: 'odd' }, includeVectors: false }));
      equal(odd.length - 1, 650, 'one scope');
      // 650 deleted memories leave 1,300 history rows: read back a page of rows at a time, each memory once.
      await memory.deleteAll({ userId: 'odd' });
      const after = await collect(memory.export({ includeVectors: false }));
      const gone = after
        .slice(651)
        .map((line) => JSON.parse(line) as { id: string; deleted: boolean; history: unknown[] });
      equal(gone.length, 650, 'one line per deleted memory');
      ok(
        gone.every((g, i) => g.deleted && g.history.length === 2 && (i === 0 || gone[i - 1]!.id < g.id)),
        'deleted memories in id order, each with its ADD and DELETE rows',
      );
      equal(
        gone.map((g) => g.id),
        odd.slice(1).map((line) => (JSON.parse(line) as { id: string }).id),
        'the odd ones',
      );
      // Closed halfway (the next page may already be on its way): the export ends with ClosedError.
      const halfway = memory.export();
      for (let i = 0; i < 600; i++) await halfway.next();
      await memory.close();
      await rejects(
        async () => {
          for (;;) if ((await halfway.next()).done) return;
        },
        'ClosedError',
        /close\(\)/,
        'export after close()',
      );
    },
  },
  {
    name: 'a scoped export reads its scope only: a small user among thousands, across long stretches without it',
    async run(h) {
      const memory = await h.open();
      const crowd = (n: number, from: number) =>
        memory.addMany(
          Array.from({ length: n }, (_, i) => ({ text: `Crowd note ${from + i} on topic ${i % 53}`, userId: 'crowd' })),
        );
      // 2,600 memories of another user between two of solo's: longer than a page's look-ahead (4 x 500 index keys).
      await crowd(1200, 0);
      await memory.add('Solo likes green tea', { userId: 'solo', agentId: 'coach' });
      await crowd(2600, 1200);
      await memory.addMany([
        { text: 'Solo runs on Fridays', userId: 'solo' },
        { text: 'Crowd shares a segment with solo', userId: 'crowd', agentId: 'coach' },
      ]);
      await crowd(300, 3800);
      await memory.add('Solo moved to Porto', { userId: 'solo', runId: 'move' });
      // One commit holding solo first and 600 others after: a page of that segment may hold none of solo.
      await memory.addMany([
        { text: 'Solo reads at night', userId: 'solo' },
        ...Array.from({ length: 600 }, (_, i) => ({ text: `Crowd line ${i} in a shared commit`, userId: 'crowd' })),
      ]);
      await memory.add('Solo sleeps early', { userId: 'solo' });
      const solo = await collect(memory.export({ scope: { userId: 'solo' } }));
      equal(JSON.parse(solo[0]!).count, 5, 'scoped header count');
      equal(
        solo.slice(1).map((line) => (JSON.parse(line) as { text: string }).text),
        [
          'Solo likes green tea',
          'Solo runs on Fridays',
          'Solo moved to Porto',
          'Solo reads at night',
          'Solo sleeps early',
        ],
        'the scope, in id order',
      );
      const coach = await collect(memory.export({ scope: { userId: 'solo', agentId: 'coach' } }));
      equal(coach.length, 2, 'two fields: both must match');
      const agent = await collect(memory.export({ scope: { agentId: 'coach' }, includeVectors: false }));
      equal(agent.length - 1, 2, 'an agent across users');
      equal((await collect(memory.export({ scope: { userId: 'nobody' } }))).length, 1, 'an unknown scope: the header');
      // A scoped export is an import's whole input: it restores the same lines elsewhere.
      const other = await h.other();
      const result = await other.import(solo.join('\n'));
      equal([result.imported, result.reembedded], [5, 0], 'imported with its vectors');
      equal(comparable(await collect(other.export())), comparable(solo), 'the same lines');
      await Promise.all([memory.close(), other.close()]);
    },
  },
  {
    name: 'every source shape: text, chunks split anywhere, bytes, Blob, stream; Memory.import creates and imports',
    async run(h) {
      const a = await h.open();
      const ids = await seed(a);
      const lines = await collect(a.export());
      await a.close();
      const text = lines.join('');
      const bytes = new TextEncoder().encode(text);
      const slices = (size: number) => {
        const out: Uint8Array[] = [];
        for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size));
        return out;
      };
      async function* asyncChunks(): AsyncGenerator<string> {
        for (let i = 0; i < text.length; i += 13) yield text.slice(i, i + 13);
      }
      const sources: [string, () => ImportSource][] = [
        ['string', () => text],
        ['CRLF string', () => text.replaceAll('\n', '\r\n')],
        ['7-byte chunks (a character split)', () => slices(7)],
        ['async string chunks', () => asyncChunks()],
        ['Blob', () => new Blob([bytes])],
        [
          'ReadableStream',
          () =>
            new ReadableStream<Uint8Array>({
              start(controller) {
                for (const part of slices(1000)) controller.enqueue(part);
                controller.close();
              },
            }),
        ],
      ];
      const b = await h.other();
      for (const [what, source] of sources) {
        equal((await b.import(source())).imported, 7, `${what}: imported`);
        equal(comparable(await collect(b.export())), comparable(lines), `${what}: re-export`);
        await b.reset();
      }
      await b.close();
      const restored = await h.Memory.import(text, { ...h.otherOptions(), onConflict: 'error' });
      equal((await restored.get(ids[2]!))?.memory, 'Café ☕ in Lisbon, next week', 'Memory.import: a memory');
      await restored.close();
    },
  },
  {
    name: 'onConflict: skip keeps, replace overwrites (history too), error names the id',
    async run(h) {
      const memory = await h.open();
      const ids = await seed(memory);
      const lines = await collect(memory.export());
      equal(
        await memory.import(lines),
        { imported: 0, replaced: 0, skipped: 7, reembedded: 0, deleted: 1 },
        'skip (the default): all exist',
      );
      await memory.update(ids[3]!, { text: 'Bob drinks matcha', metadata: { category: 'drinks' } });
      const changed = await memory.get(ids[3]!);
      await memory.import(lines, { onConflict: 'skip' });
      equal(await memory.get(ids[3]!), changed, 'skip leaves the stored memory');
      await rejects(
        () => memory.import(lines, { onConflict: 'error' }),
        'ConflictError',
        new RegExp(`\`${ids[0]}\`|\`[0-9a-f-]{36}\``),
        'error',
      );
      equal(await memory.get(ids[3]!), changed, 'error wrote nothing');
      const replaced = await memory.import(lines, { onConflict: 'replace' });
      equal(replaced, { imported: 7, replaced: 7, skipped: 0, reembedded: 0, deleted: 1 }, 'replace result');
      equal((await memory.get(ids[3]!))?.memory, 'Bob drinks tea', 'replace restores the exported text');
      equal(
        (await memory.history(ids[3]!)).map((r) => r.event),
        ['ADD'],
        'replace restores the exported history',
      );
      equal(
        (await memory.search('matcha', { userId: 'bob', limit: 1, mode: 'keyword' })).results.length,
        0,
        'the replaced text is gone from the keyword index',
      );
      equal(
        (await memory.search('tea', { userId: 'bob', limit: 1 })).results[0]?.memory,
        'Bob drinks tea',
        'the restored text is searched',
      );
      equal((await memory.getAll({ userId: 'bob' })).results.length, 1, 'one memory, not two');
      // A deleted memory's history under the id of a live one: left out, or a ConflictError.
      const gone = JSON.parse(lines[lines.length - 1]!) as { history: Record<string, unknown>[] };
      const history = gone.history.map((row) => ({ ...row, id: `${String(row['id'])}-x`, memoryId: ids[3] }));
      const clash = [lines[0]!, `${JSON.stringify({ ...gone, id: ids[3], history })}\n`];
      equal(
        await memory.import(clash),
        { imported: 0, replaced: 0, skipped: 0, reembedded: 0, deleted: 0 },
        'a deleted memory never removes a live one',
      );
      await rejects(() => memory.import(clash, { onConflict: 'error' }), 'ConflictError', new RegExp(ids[3]!), 'clash');
      equal((await memory.history(ids[3]!)).length, 1, "the live memory's history is its own");
      await memory.close();
    },
  },
  {
    name: 'another model (or no vectors) re-embeds; scope export; bad lines are typed and name the line',
    async run(h) {
      const a = await h.open();
      const ids = await seed(a);
      const lines = await collect(a.export());
      const bobLines = await collect(a.export({ scope: { userId: 'bob' }, includeVectors: false }));
      await a.close();
      equal(JSON.parse(bobLines[0]!).count, 1, 'scoped header count');
      equal(bobLines.length, 2, 'scoped export: one memory');
      ok(!bobLines[1]!.includes('"vector"'), 'includeVectors: false');

      const header = JSON.parse(lines[0]!) as Record<string, unknown>;
      const other = [`${JSON.stringify({ ...header, modelId: 'some-other-model' })}\n`, ...lines.slice(1)];
      const b = await h.other();
      equal((await b.import(other)).reembedded, 7, 'another model: every text embedded again');
      equal(withoutVectors(await collect(b.export())), withoutVectors(lines), 'the same memories');
      equal(
        (await b.search('harbour', { ...alice, limit: 1 })).results[0]?.memory,
        'At the harbour, at noon',
        'found by search',
      );
      await b.reset();
      equal((await b.import(bobLines)).reembedded, 1, 'no vectors: embedded');
      equal((await b.getAll({ userId: 'bob' })).results[0]?.memory, 'Bob drinks tea', 'bob restored');
      await b.reset();

      const withLine = (n: number, line: string) => [...lines.slice(0, n - 1), `${line}\n`, ...lines.slice(n)];
      const entry = JSON.parse(lines[3]!) as Record<string, unknown>;
      const gone = JSON.parse(lines[8]!) as Record<string, unknown>;
      const bad: [string, string[], RegExp, number][] = [
        ['empty source', [], /line 1/, 0],
        ['unknown format', withLine(1, JSON.stringify({ ...header, format: 'mem0' })), /line 1.*format/, 0],
        ['unknown version', withLine(1, JSON.stringify({ ...header, version: 2 })), /line 1.*version/, 0],
        ['malformed JSON', withLine(4, '{"id": "x", '), /line 4/, 2],
        ['wrong dimensions', withLine(4, JSON.stringify({ ...entry, vector: 'AAAA' })), /line 4.*vector/, 2],
        ['bad metadata', withLine(4, JSON.stringify({ ...entry, metadata: 'food' })), /line 4.*metadata/, 2],
        ['edited text', withLine(4, JSON.stringify({ ...entry, text: 'changed' })), /line 4.*hash/, 2],
        ['unknown key', withLine(4, JSON.stringify({ ...entry, colour: 'red' })), /line 4.*colour/, 2],
        ['bad deleted line', withLine(9, JSON.stringify({ ...gone, deleted: 'yes' })), /line 9.*deleted/, 6],
      ];
      for (const [what, source, pattern, before] of bad) {
        await rejects(() => b.import(source), 'ValidationError', pattern, what);
        const stored = (await b.getAll({ ...alice, showExpired: true })).results.length;
        equal(stored, before, `${what}: only the lines before the bad one are stored`);
        await b.reset();
      }
      const encoded = lines.map((line) => new TextEncoder().encode(line));
      encoded[2] = Uint8Array.of(...encoded[2]!.subarray(0, 20), 0xff, ...encoded[2]!.subarray(20));
      await rejects(() => b.import(encoded), 'ValidationError', /line 3.*UTF-8/, 'bytes that are not UTF-8');
      equal((await b.getAll({ ...alice, showExpired: true })).results.length, 1, 'not UTF-8: the line before it');
      await b.reset();
      // The same bytes as one chunk: decoded at once, then line by line to name the bad one.
      const whole = new Uint8Array(encoded.reduce((length, part) => length + part.length, 0));
      encoded.reduce((at, part) => (whole.set(part, at), at + part.length), 0);
      await rejects(() => b.import([whole]), 'ValidationError', /line 3.*UTF-8/, 'not UTF-8 inside one chunk');
      equal((await b.getAll({ ...alice, showExpired: true })).results.length, 1, 'one chunk: the line before it');
      await b.reset();
      await rejects(
        () => b.import(lines, { onConflict: 'keep' as never }),
        'ValidationError',
        /onConflict/,
        'bad option',
      );
      await b.close();
      ok(ids.length === 6, 'seeded');
    },
  },
];
