/**
 * Browser-test page for the Memory API: exposes the library and a few helpers on `window` for
 * test/browser/memory*.spec.ts. Everything is real: the engine (lexical model, WASM), IndexedDB, BroadcastChannel.
 */
import * as lib from '../../src/index.js';
import type { Memory, MemoryOptions, TextEmbedder } from '../../src/index.js';
import { Embedder } from '../../src/engine/embedder.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { backupCases, type BackupHarness } from '../support/backup-cases.js';
import { cases, type Harness } from '../support/conformance.js';
import { describeDb, writeV1 } from './v1-fixture.js';
import { writeV2 } from './v2-fixture.js';

/** What an awaited call threw, flattened so it crosses page.evaluate. */
export interface Thrown {
  name: string;
  message: string;
  cause?: string;
  isAgentMem: boolean;
}

async function thrown(fn: () => unknown): Promise<Thrown | null> {
  try {
    await fn();
    return null;
  } catch (error) {
    const e = error as Error & { cause?: unknown };
    const cause = e.cause instanceof Error || e.cause instanceof DOMException ? (e.cause as Error).name : undefined;
    return {
      name: e.name,
      message: e.message,
      ...(cause ? { cause } : {}),
      isAgentMem: error instanceof lib.AgentMemError,
    };
  }
}

function open(options: Partial<MemoryOptions> = {}): Promise<Memory> {
  return lib.Memory.create({ model: '/models/lexical', backend: 'wasm', workers: 1, ...options });
}

let shared: Promise<TextEmbedder> | undefined;

/**
 * One real engine (lexical, WASM, one worker, no cache) for the whole page, for Memories in tests about storage,
 * not about a Memory's own engine: each engine start costs a worker ~3 s (the Node runner shares one session too).
 * Its close() does nothing, so a test that closes "its" engine leaves it to the next test on the page.
 */
function engine(): Promise<TextEmbedder> {
  shared ??= Embedder.create({ model: '/models/lexical', backend: 'wasm', workers: 1, cache: false }).then(
    (e): TextEmbedder => ({
      modelId: e.modelId,
      dimensions: e.dimensions,
      embed: (text, options) => e.embed(text, options),
      embedMany: (texts, options) => e.embedMany(texts, options),
      stats: () => e.stats(),
      close: async () => undefined,
    }),
  );
  return shared;
}

/** {@link open} on the page's shared {@link engine}. */
async function openShared(options: Partial<MemoryOptions> = {}): Promise<Memory> {
  return open({ embedder: await engine(), ...options });
}

/** Raw IndexedDB access, outside the library, to check what is really on disk. */
function rawDb(name: string): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(name);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function rawAll(dbName: string, store: string): Promise<unknown[]> {
  const db = await rawDb(dbName);
  try {
    if (!db.objectStoreNames.contains(store)) return [];
    return await new Promise((resolve, reject) => {
      const request = db.transaction(store, 'readonly').objectStore(store).getAll();
      request.onsuccess = () => resolve(request.result as unknown[]);
      request.onerror = () => reject(request.error);
    });
  } finally {
    db.close();
  }
}

/** The memories on disk, flattened out of their segments (version 2 layout). */
async function rawMemories(dbName: string): Promise<{ id: string; text: string; userId?: string }[]> {
  const segments = (await rawAll(dbName, 'segments')) as { memories: { id: string; text: string }[] }[];
  return segments.flatMap((s) => s.memories);
}

/** Memories and vector rows (counted inside segments), stored history rows, pending batches, cache entries. */
async function rawCounts(dbName: string): Promise<Record<string, number>> {
  const vectors = (await rawAll(dbName, 'segmentVectors')) as {
    dimensions: number;
    f32?: Float32Array;
    scales?: Float32Array;
  }[];
  return {
    memories: (await rawMemories(dbName)).length,
    vectors: vectors.reduce((n, v) => n + (v.f32 ? v.f32.length / v.dimensions : (v.scales?.length ?? 0)), 0),
    segments: (await rawAll(dbName, 'segments')).length,
    history: (await rawAll(dbName, 'history')).length,
    pending: (await rawAll(dbName, 'pending')).length,
    embeddings: (await rawAll(dbName, 'embeddings')).length,
  };
}

/** The keys of one object store, in key order. */
async function rawKeys(dbName: string, store: string): Promise<string[]> {
  const db = await rawDb(dbName);
  try {
    return await new Promise((resolve, reject) => {
      const request = db.transaction(store, 'readonly').objectStore(store).getAllKeys();
      request.onsuccess = () => resolve(request.result.map(String));
      request.onerror = () => reject(request.error);
    });
  } finally {
    db.close();
  }
}

/** Deletes a database from outside: a connection that is open gets `versionchange` and must step aside. */
function rawDelete(name: string): Promise<string> {
  return new Promise((resolve) => {
    const request = indexedDB.deleteDatabase(name);
    request.onsuccess = () => resolve('deleted');
    request.onerror = () => resolve(`error: ${request.error?.name}`);
    request.onblocked = () => resolve('blocked');
  });
}

/**
 * The real engine, except that a call for which `waits(texts)` is true waits for `release()`: the adds behind it
 * stay pending, so a test can close the page (or open another tab, or commit others around them) at a known point.
 */
function hold(
  embedder: TextEmbedder,
  waits: (texts: readonly string[]) => boolean,
): TextEmbedder & { release(): void } {
  let open: () => void = () => undefined;
  const released = new Promise<void>((resolve) => (open = resolve));
  const gate = async (texts: readonly string[]) => {
    if (waits(texts)) await released;
  };
  return {
    modelId: embedder.modelId,
    dimensions: embedder.dimensions,
    embed: async (text, options) => (await gate([text]), embedder.embed(text, options)),
    embedMany: async (texts, options) => (await gate(texts), embedder.embedMany(texts, options)),
    stats: () => embedder.stats(),
    close: () => embedder.close(),
    release: () => open(),
  };
}

/** The real engine, except that a call with a text starting with `prefix` rejects as a failed embedding would. */
function failTexts(embedder: TextEmbedder, prefix: string): TextEmbedder {
  const check = (texts: readonly string[]) => {
    const bad = texts.find((text) => text.startsWith(prefix));
    if (bad !== undefined) throw new lib.EmbeddingError(`Embedding failed: injected for \`${bad}\``);
  };
  return {
    modelId: embedder.modelId,
    dimensions: embedder.dimensions,
    embed: async (text, options) => (check([text]), embedder.embed(text, options)),
    embedMany: async (texts, options) => (check(texts), embedder.embedMany(texts, options)),
    stats: () => embedder.stats(),
    close: () => embedder.close(),
  };
}

/** {@link hold} after the first `passes` texts. */
function holdAfter(embedder: TextEmbedder, passes: number): TextEmbedder & { release(): void } {
  let left = passes;
  return hold(embedder, (texts) => {
    const ok = left >= texts.length;
    left -= texts.length;
    return !ok;
  });
}

/** {@link hold} for the texts that start with `prefix`. */
function holdTexts(embedder: TextEmbedder, prefix: string): TextEmbedder & { release(): void } {
  return hold(embedder, (texts) => texts.some((text) => text.startsWith(prefix)));
}

/** Runs one case of the shared conformance suite against IndexedDB (database `dbName`, fresh per case), on the page's engine. */
async function conformance(name: string, dbName: string): Promise<void> {
  const found = cases.find((c) => c.name === name);
  if (!found) throw new Error(`no conformance case named ${JSON.stringify(name)}`);
  const harness: Harness = {
    open: (options = {}) => openShared({ dbName, ...options }),
    store: () => MemoryStore.open(dbName, 'fp32'),
    embedder: engine,
  };
  await found.run(harness);
}

/**
 * Runs one export/import case against IndexedDB (databases `dbName` and `dbName-other`, fresh per case), on the
 * page's one engine; `Memory.import` still creates its own.
 */
async function backup(name: string, dbName: string): Promise<void> {
  const found = backupCases.find((c) => c.name === name);
  if (!found) throw new Error(`no backup case named ${JSON.stringify(name)}`);
  const harness: BackupHarness = {
    open: (options = {}) => openShared({ dbName, ...options }),
    store: () => MemoryStore.open(dbName, 'fp32'),
    embedder: engine,
    other: (options = {}) => openShared({ dbName: `${dbName}-other`, ...options }),
    Memory: lib.Memory,
    otherOptions: () => ({ model: '/models/lexical', backend: 'wasm', workers: 1, dbName: `${dbName}-static` }),
  };
  await found.run(harness);
}

const helpers = {
  lib,
  MemoryStore,
  conformance,
  backup,
  Embedder,
  open,
  engine,
  openShared,
  holdAfter,
  holdTexts,
  failTexts,
  thrown,
  rawAll,
  rawMemories,
  rawCounts,
  rawKeys,
  rawDelete,
  writeV1,
  writeV2,
  describeDb,
};
declare global {
  interface Window {
    t: typeof helpers & { memory?: Memory; [key: string]: unknown };
  }
}
window.t = helpers;
document.getElementById('status')!.textContent = 'ready';
