/**
 * Export and import (test/support/backup-cases.ts) against IndexedDB in real Chromium, with the real engine
 * (lexical model, WASM, one worker). The same cases run against libSQL in Node (test/unit/memory-backup.test.ts).
 * The cases share one page and its engine: each opens its own databases (`backup-<i>`, `-other`, `-static`) and
 * closes what it opens.
 */
import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { modelFingerprint } from '../../src/models/model-id.js';
import { backupCases } from '../support/backup-cases.js';
import { sharedPage } from './shared-page.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- page.evaluate bodies run in the page, typed loosely here */
declare const window: { t: any };

const page = sharedPage('/test/pages/memory.html');

backupCases.forEach((c, i) => {
  test(c.name, async () => {
    // A failed check rejects page.evaluate with the case's message.
    await page().evaluate(([name, dbName]) => window.t.backup(name, dbName), [c.name, `backup-${i}`] as const);
  });
});

function fingerprintOnDisk(model: string, onnx: string): Promise<string> {
  const folder = resolve(import.meta.dirname, '../../public/models', model);
  const text = (file: string) => readFileSync(resolve(folder, file), 'utf8');
  const bytes = readFileSync(resolve(folder, 'onnx', onnx));
  return modelFingerprint(
    {
      configJson: text('config.json'),
      tokenizerJson: text('tokenizer.json'),
      tokenizerConfigJson: text('tokenizer_config.json'),
    },
    bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length),
  );
}

test('a model served from another URL reads the same database and backup without embedding again', async () => {
  const p = page();
  // The same files under another path, as another origin or folder would serve them.
  await p.route('**/moved/lexical/**', async (route) => {
    const url = route.request().url().replace('/moved/lexical/', '/models/lexical/');
    await route.fulfill({ response: await route.fetch({ url }) });
  });
  try {
    const result = await p.evaluate(async () => {
      const { lib, MemoryStore } = window.t;
      const options = { backend: 'wasm', workers: 1, cache: false, dbName: 'moved' };
      const setMeta = async (modelId: string) => {
        const store = await MemoryStore.open('moved', 'fp32');
        await store.putMeta({ modelId, dimensions: 256 });
        await store.close();
      };
      const collect = async (memory: any) => {
        const lines: string[] = [];
        for await (const line of memory.export()) lines.push(line);
        return lines;
      };
      const first = await lib.Memory.create({ ...options, model: '/models/lexical' });
      await first.addMany([
        { text: 'I drink coffee every morning', userId: 'alice' },
        { text: 'I play tennis on Sundays', userId: 'alice' },
      ]);
      const exported = await collect(first);
      const id = first.embedder.modelId;
      await first.close();
      // A database written when ids were URLs opens, and is recorded under the content id from then on.
      await setMeta(`${location.origin}/models/lexical/#int8`);
      const moved = await lib.Memory.create({ ...options, model: '/moved/lexical' }).catch((e: Error) => e);
      const legacy = await lib.Memory.create({ ...options, model: '/models/lexical' });
      await legacy.close();
      const store = await MemoryStore.open('moved', 'fp32');
      const meta = await store.getMeta();
      await store.close();
      // Now the moved model opens it, and its import reuses the backup's vectors.
      const memory = await lib.Memory.create({ ...options, model: '/moved/lexical' });
      const found = (await memory.search('coffee', { userId: 'alice' })).results.map((r: any) => r.memory);
      const imported = await memory.import(exported.join('\n'), { onConflict: 'replace' });
      const again = await collect(memory);
      const movedId = memory.embedder.modelId;
      await memory.close();
      // Another model's URL id is still another model.
      await setMeta('http://elsewhere.test/models/other/#int8');
      const refused = await lib.Memory.create({ ...options, model: '/models/lexical' }).then(
        (m: any) => m.close().then(() => 'opened'),
        (e: Error) => `${e.name}: ${e.message}`,
      );
      return {
        id,
        movedId,
        movedBeforeUpgrade: moved instanceof Error ? moved.name : 'opened',
        meta,
        found,
        imported,
        sameLines: JSON.stringify(again.slice(1)) === JSON.stringify(exported.slice(1)),
        refused,
      };
    });
    // Node, reading the same files from disk, names the model as Chromium does: a backup moves between them too.
    expect(result.id).toBe(`lexical#int8@${await fingerprintOnDisk('lexical', 'model_quantized.onnx')}`);
    expect(result.movedId).toBe(result.id);
    // Before the upgrade the database names a URL: only that URL's model is known to match it.
    expect(result.movedBeforeUpgrade).toBe('ValidationError');
    expect(result.meta).toEqual({ modelId: result.id, dimensions: 256 });
    expect(result.found[0]).toBe('I drink coffee every morning');
    expect(result.imported).toMatchObject({ imported: 2, replaced: 2, reembedded: 0 });
    expect(result.sameLines).toBe(true);
    expect(result.refused).toMatch(/^ValidationError: Expected database `moved` to hold vectors of `lexical#int8@/);
  } finally {
    await p.unroute('**/moved/lexical/**');
  }
});
