import { quantize } from '../search/quantize.js';
import type { StoredVector } from '../search/scope-index.js';
import type { HistoryRecord, MemoryRecord } from './records.js';
import type { VectorEncoding } from './segments.js';

/**
 * The libSQL file's schema and how rows map to records. One row per memory (SQLite pays little per row, unlike
 * IndexedDB, so there are no segments); the record is kept whole as JSON beside the scope columns its indexes need.
 * Bump SCHEMA_VERSION (PRAGMA user_version) and add a step to `upgrades` for every change.
 */
export const SCHEMA_VERSION = 1;

/**
 * Run on every open, before the schema. EXCLUSIVE: the first write takes the file's lock and holds it until close,
 * so a second process gets SQLITE_BUSY at open rather than silently diverging from this one's in-memory search
 * index (set before WAL, the WAL index lives in process memory: no -shm file). FULL: each commit group's
 * transaction syncs the WAL, so an add that resolved survives a power loss too, not only a killed process.
 * 16 KiB pages (new files only) and a 64 MiB WAL between checkpoints: a row is ~2 KB with its vector, and seeding
 * persisted ~30% more memories/s than with 4 KiB pages and 4 MiB (bench/node/run-store.ts).
 */
export const OPEN_PRAGMAS = [
  'PRAGMA page_size = 16384',
  'PRAGMA locking_mode = EXCLUSIVE',
  'PRAGMA journal_mode = WAL',
  'PRAGMA synchronous = FULL',
  'PRAGMA wal_autocheckpoint = 4096',
];

/**
 * Run at close. The native connection closes only when its statements are garbage-collected, and would hold the
 * lock until then; SQLite leaves EXCLUSIVE only outside WAL, so the WAL is checkpointed into the file first, and
 * the read after NORMAL ends with no lock held.
 */
export const CLOSE_PRAGMAS = [
  'PRAGMA journal_mode = DELETE',
  'PRAGMA locking_mode = NORMAL',
  'SELECT count(*) FROM meta',
];

export const upgrades: readonly (readonly string[])[] = [
  // Version 1.
  [
    `CREATE TABLE memories (
      id TEXT PRIMARY KEY,
      user_id TEXT,
      agent_id TEXT,
      run_id TEXT,
      record TEXT NOT NULL,
      vector BLOB NOT NULL,
      scale REAL
    )`,
    'CREATE INDEX memories_user ON memories (user_id, id) WHERE user_id IS NOT NULL',
    'CREATE INDEX memories_agent ON memories (agent_id, id) WHERE agent_id IS NOT NULL',
    'CREATE INDEX memories_run ON memories (run_id, id) WHERE run_id IS NOT NULL',
    `CREATE TABLE history (
      id TEXT PRIMARY KEY,
      memory_id TEXT NOT NULL,
      previous_value TEXT,
      new_value TEXT,
      event TEXT NOT NULL,
      created_at TEXT NOT NULL
    )`,
    'CREATE INDEX history_memory ON history (memory_id)',
    'CREATE TABLE pending (id TEXT PRIMARY KEY, batch TEXT NOT NULL)',
    'CREATE TABLE embeddings (key TEXT PRIMARY KEY, vector BLOB NOT NULL)',
    'CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)',
  ],
];

export const scopeColumn = { userId: 'user_id', agentId: 'agent_id', runId: 'run_id' } as const;

/** The columns of a memory row, in the order of {@link MEMORY_COLUMNS}. */
export function memoryArgs(memory: MemoryRecord, vector: Float32Array, encoding: VectorEncoding): unknown[] {
  const [blob, scale] = encodeVector(vector, encoding);
  return [
    memory.id,
    memory.userId ?? null,
    memory.agentId ?? null,
    memory.runId ?? null,
    JSON.stringify(memory),
    blob,
    scale,
  ];
}

export const MEMORY_COLUMNS = '(id, user_id, agent_id, run_id, record, vector, scale)';

/** fp32 little-endian bytes with a null scale, or int8 codes with their scale (see search/quantize.ts). */
export function encodeVector(vector: Float32Array, encoding: VectorEncoding): [Uint8Array, number | null] {
  if (encoding === 'fp32') return [bytesOf(vector), null];
  const { q, scale } = quantize(vector);
  return [bytesOf(q), scale];
}

export function decodeVector(blob: ArrayBuffer, scale: number | null): StoredVector {
  if (scale === null) return new Float32Array(blob);
  return { q: new Int8Array(blob), scale };
}

export function decodeFloats(blob: ArrayBuffer): Float32Array {
  return new Float32Array(blob);
}

/** The view's bytes, not copied (the client binds a Uint8Array as a BLOB, honouring its offset). */
export function bytesOf(view: ArrayBufferView): Uint8Array {
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

export function historyArgs(row: HistoryRecord): unknown[] {
  return [row.id, row.memoryId, row.previousValue, row.newValue, row.event, row.createdAt];
}

export const HISTORY_COLUMNS = '(id, memory_id, previous_value, new_value, event, created_at)';

export function historyFrom(row: Readonly<Record<string, unknown>>): HistoryRecord {
  return {
    id: row['id'] as string,
    memoryId: row['memory_id'] as string,
    previousValue: row['previous_value'] as string | null,
    newValue: row['new_value'] as string | null,
    event: row['event'] as HistoryRecord['event'],
    createdAt: row['created_at'] as string,
  };
}

/** `(?, ?, ?), (?, ?, ?)`: the VALUES of a multi-row insert. */
export function valuesList(rows: number, columns: number): string {
  const one = `(${Array.from({ length: columns }, () => '?').join(', ')})`;
  return Array.from({ length: rows }, () => one).join(', ');
}

/** `?, ?, ?` for an IN list. */
export function marks(n: number): string {
  return Array.from({ length: n }, () => '?').join(', ');
}
