import type { Client, InStatement, InValue, Row } from '@libsql/client';
import { StorageError } from '../errors.js';
import { quantize } from '../search/quantize.js';
import type { StoredVector } from '../search/scope-index.js';
import type { HistoryRecord, MemoryRecord } from './records.js';
import type { VectorEncoding } from './segments.js';
import { addHistory } from './store.js';

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

/**
 * The columns of a memory row, in the order of {@link MEMORY_COLUMNS}: a float vector is stored as `encoding` says,
 * int8 codes as they are (a restored backup keeps its codes and their scale).
 */
export function memoryArgs(memory: MemoryRecord, vector: StoredVector, encoding: VectorEncoding): unknown[] {
  const [blob, scale] =
    vector instanceof Float32Array ? encodeVector(vector, encoding) : [bytesOf(vector.q), vector.scale];
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

/** A row's vector: float32 bytes, or int8 codes with their scale. */
export function vectorOf(row: Row): StoredVector {
  const blob = row['vector'] as ArrayBuffer;
  const scale = row['scale'] as number | null;
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

/** Rows per multi-row INSERT or IN list: far below SQLite's 32,766 bound parameters. */
export const CHUNK = 400;

/** One multi-row INSERT for `items` (at most {@link CHUNK}). */
export function insert<T>(head: string, items: readonly T[], args: (item: T) => unknown[]): InStatement {
  const all = items.flatMap(args) as InValue[];
  return { sql: `${head} VALUES ${valuesList(items.length, all.length / items.length)}`, args: all };
}

export function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

export function recordOf(row: Row): MemoryRecord {
  return JSON.parse(row['record'] as string) as MemoryRecord;
}

/** The ADD history row of a memory about to change, unless it has one (its first change writes it). */
export function addRow(memory: MemoryRecord): InStatement {
  return {
    sql: `INSERT OR IGNORE INTO history ${HISTORY_COLUMNS} VALUES ${valuesList(1, 6)}`,
    args: historyArgs(addHistory(memory)) as InValue[],
  };
}

export function historyRow(row: HistoryRecord): InStatement {
  return {
    sql: `INSERT INTO history ${HISTORY_COLUMNS} VALUES ${valuesList(1, 6)}`,
    args: historyArgs(row) as InValue[],
  };
}

/** Creates or upgrades the tables in one transaction; a file from a newer version of this library is refused. */
export async function migrate(client: Client): Promise<void> {
  const tx = await client.transaction('write');
  try {
    const { rows } = await tx.execute('PRAGMA user_version');
    const version = Number(rows[0]![0]);
    if (version > SCHEMA_VERSION) {
      throw new StorageError(
        `Expected a database file of schema version ${SCHEMA_VERSION} or older, got version ${version}: it was written by a newer agentmem-web`,
      );
    }
    for (let v = version; v < SCHEMA_VERSION; v++) await tx.batch([...upgrades[v]!]);
    // Written every open: the write takes the file's exclusive lock now rather than at the first add.
    await tx.execute(`PRAGMA user_version = ${SCHEMA_VERSION}`);
    await tx.commit();
  } finally {
    tx.close();
  }
}

/**
 * A `file:` URL for a path: the client parses it as a URL, so `%`, `?` and `#` are escaped (`:memory:` passes as is).
 */
export function fileUrl(path: string): string {
  if (path === ':memory:') return ':memory:';
  return `file:${path.replace(/[%?#]/g, (c) => encodeURIComponent(c))}`;
}
