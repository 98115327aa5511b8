import type { CacheKeyRange } from '../key-range.js';
import { ConflictError, NotFoundError } from '../errors.js';
import type { StoredVector } from '../search/scope-index.js';
import type { Scope, ScopeField } from '../search/search-index.js';
import type { HistoryRecord, MemoryRecord, ModelMeta, PendingBatch } from './records.js';

/**
 * What Memory needs from storage, whatever holds it: IndexedDB in a browser ({@link MemoryStore}), a libSQL file in
 * Node ({@link LibsqlStore}). Each method is one transaction: all or nothing. A platform failure (a full disk, a
 * closed connection, a file locked by another process) comes out as a StorageError whose `cause` is the platform's
 * error; our own errors (NotFoundError) pass through unchanged.
 */
export interface Store {
  /** False once the store was closed, by us or by the platform. */
  readonly isOpen: boolean;
  /** Releases the database (a file's lock too); later calls fail with StorageError. */
  close(): void | Promise<void>;

  /** Everything one tick has to write, in one transaction (see {@link WriteSet}). */
  write(set: WriteSet): Promise<WriteResult>;
  /** The adds a crashed session left: recorded, never committed. */
  allPending(): Promise<PendingBatch[]>;
  deletePending(ids: readonly string[]): Promise<void>;

  get(id: string): Promise<MemoryRecord | undefined>;
  /** Every memory with `field === value`, oldest first. Reads no vector bytes. */
  list(field: ScopeField, value: string): Promise<MemoryRecord[]>;
  /** A scope's memories with their vectors, oldest first. */
  loadScope(field: ScopeField, value: string): Promise<StoredRow[]>;
  /** Replaces a memory with its UPDATE history row (and the ADD row first, when it has none). NotFoundError when gone. */
  replace(
    id: string,
    build: (previous: MemoryRecord) => Replacement,
  ): Promise<{ previous: MemoryRecord; next: Replacement }>;
  /**
   * Deletes a memory and its vector, writes its DELETE history row (and the ADD row first, when it has none);
   * NotFoundError when it does not exist. `history` null writes no history row: the retry of a delete on a full disk.
   */
  remove(id: string, history: DeleteRow): Promise<MemoryRecord>;
  /** Deletes every memory with `field === value` that `accept` keeps, as {@link remove} does. Returns their ids. */
  removeWhere(where: ScopeMatch, history: DeleteRow): Promise<string[]>;
  /** Empties everything: memories, vectors, history, pending adds, the embedding cache and the model record. */
  clear(): Promise<void>;
  /** A memory's history, oldest first (its ADD row included, stored or not). */
  history(memoryId: string): Promise<HistoryRecord[]>;
  count(): Promise<StoreCounts>;

  getMeta(): Promise<ModelMeta | undefined>;
  putMeta(meta: ModelMeta): Promise<void>;
  cacheKeys(): Promise<string[]>;
  cacheGetMany(keys: readonly string[]): Promise<(Float32Array | undefined)[]>;
  /** Deletes the embedding-cache entries in `range`, in one request. */
  cacheEvict(range: CacheKeyRange): Promise<void>;

  /**
   * One page of memories in id order, the first `limit` whose id is after `after` (all of them: expired ones too),
   * each with its history (oldest first, ADD row included) and, with `vectors`, its vector as stored. For export:
   * a page at a time, so no caller holds the whole database.
   */
  scan(request: ScanRequest): Promise<ScanRow[]>;
  /**
   * Writes memories as they were exported (vectors as stored, history rows kept) in one transaction. An id that
   * exists is skipped, replaced (its vector and history too) or, with `'error'`, a ConflictError before anything is
   * written.
   */
  restore(rows: readonly RestoreRow[], onConflict: OnConflict): Promise<RestoreResult>;
  /**
   * The history of deleted memories (rows outlive their memory), up to `limit` memories with ids after `after`, in id
   * order, rows oldest first. For export.
   */
  scanDeleted(request: DeletedScanRequest): Promise<DeletedHistory[]>;
  /**
   * Writes deleted memories' history rows in one transaction. An id that names a memory here is skipped (a deleted
   * memory never removes a live one) or, with `'error'`, a ConflictError before anything is written.
   */
  restoreDeleted(entries: readonly DeletedHistory[], onConflict: OnConflict): Promise<DeletedRestoreResult>;

  /**
   * Optional: a store that appends small units (IndexedDB's segments) says when enough wait to be merged, and
   * merges some; returns the merged unit's id (a {@link WriteResult.segments} id), or undefined when none was merged.
   */
  readonly compactionDue?: boolean;
  compactSmall?(): Promise<string | undefined>;
  /** Optional: the rows of the units `ids` a write or merge reported, as stored now (for other tabs to catch up). */
  readSegments?(ids: readonly string[]): Promise<StoredRow[]>;
}

export type { ScopeField };

/** The DELETE history row of a memory being removed, or null to write none. */
export type DeleteRow = ((previous: MemoryRecord) => HistoryRecord) | null;

/** The memories with `field === value` that `accept` keeps. */
export interface ScopeMatch {
  readonly field: ScopeField;
  readonly value: string;
  readonly accept: (memory: MemoryRecord) => boolean;
}

/** Everything one add commits: the memory and its vector. Its ADD history row is derived from the memory. */
export interface AddRow {
  readonly memory: MemoryRecord;
  readonly vector: Float32Array;
}

/** A memory as loaded: its vector as the store holds it (fp32, or int8 codes with a scale). */
export interface StoredRow {
  readonly memory: MemoryRecord;
  readonly vector: StoredVector;
}

/** The adds of one call, embedded, to be committed under the id of their pending batch. */
export interface AddGroup {
  readonly batchId: string;
  readonly rows: readonly AddRow[];
}

/**
 * What one {@link Store.write} transaction holds; every part is optional. A group whose pending batch is gone by
 * then was committed meanwhile (another tab or process replayed it under the same ids) and is skipped.
 */
export interface WriteSet {
  readonly pending?: readonly PendingBatch[];
  readonly groups?: readonly AddGroup[];
  readonly cache?: ReadonlyArray<readonly [string, Float32Array]>;
}

/**
 * The pending batches a write committed, and the ids of the units it wrote that another tab can read back with
 * {@link Store.readSegments} (empty for a store without them).
 */
export interface WriteResult {
  readonly batches: string[];
  readonly segments: string[];
}

export interface ScanRequest {
  readonly after?: string | undefined;
  readonly limit: number;
  /** Read the vectors too. */
  readonly vectors: boolean;
  /** Only memories of this scope (every field given must match). */
  readonly scope?: Scope | undefined;
}

export interface ScanRow {
  readonly memory: MemoryRecord;
  readonly vector?: StoredVector;
  readonly history: HistoryRecord[];
}

export interface DeletedScanRequest {
  readonly after?: string | undefined;
  readonly limit: number;
}

/** A deleted memory's history: its rows (the DELETE row among them) outlive it. */
export interface DeletedHistory {
  readonly memoryId: string;
  readonly history: readonly HistoryRecord[];
}

export interface DeletedRestoreResult {
  readonly written: string[];
  readonly skipped: string[];
}

/** What to do with an imported memory whose id exists already. */
export type OnConflict = 'skip' | 'replace' | 'error';

/** A memory to restore: its vector as stored (fp32, or int8 codes in an int8 store) and its history rows. */
export interface RestoreRow {
  readonly memory: MemoryRecord;
  readonly vector: StoredVector;
  readonly history: readonly HistoryRecord[];
}

/** Ids written (new or replacing one) and skipped; the units written, as {@link WriteResult.segments}. */
export interface RestoreResult {
  readonly written: string[];
  readonly replaced: string[];
  readonly skipped: string[];
  readonly segments: string[];
}

/** What a replacement writes: a new record, a new vector when the text changed, and the UPDATE history row. */
export interface Replacement {
  readonly memory: MemoryRecord;
  readonly vector?: Float32Array | undefined;
  readonly history: HistoryRecord;
}

/** Memories, storage units holding them (segments, or rows), stored history rows and pending batches. */
export interface StoreCounts {
  readonly memories: number;
  readonly segments: number;
  readonly history: number;
  readonly pending: number;
}

/** The ADD row of a memory whose entry has not changed since it was added (its text is still the first one). */
export function addHistory(memory: MemoryRecord): HistoryRecord {
  // One fixed id per memory: written twice, it is still one row.
  return {
    id: `${memory.id}:add`,
    memoryId: memory.id,
    previousValue: null,
    newValue: memory.text,
    event: 'ADD',
    createdAt: memory.createdAt,
  };
}

/** True when `history` is only the ADD row the store derives from the memory (so it need not be stored). */
export function onlyDerivedAdd(memory: MemoryRecord, history: readonly HistoryRecord[]): boolean {
  if (history.length !== 1) return false;
  const [row] = history;
  const add = addHistory(memory);
  return (
    row!.id === add.id &&
    row!.memoryId === add.memoryId &&
    row!.previousValue === add.previousValue &&
    row!.newValue === add.newValue &&
    row!.event === add.event &&
    row!.createdAt === add.createdAt
  );
}

/** History rows grouped by their memory's id, in the order they come. */
export function byMemoryId(rows: Iterable<HistoryRecord>): Map<string, HistoryRecord[]> {
  const out = new Map<string, HistoryRecord[]>();
  for (const row of rows) {
    const group = out.get(row.memoryId);
    if (group) group.push(row);
    else out.set(row.memoryId, [row]);
  }
  return out;
}

/** A memory's history as history() returns it: the ADD row derived from the entry when none is stored. */
export function withAdd(memory: MemoryRecord, stored: HistoryRecord[]): HistoryRecord[] {
  if (!stored.some((row) => row.event === 'ADD')) stored.unshift(addHistory(memory));
  return stored.sort(byTime);
}

/** The error of an import that meets an existing id under `onConflict: 'error'`. */
export function conflict(id: string): ConflictError {
  return new ConflictError(`Expected no memory with id \`${id}\` (onConflict: 'error'), but one exists`);
}

/** The error of a read, update or delete of an id that no memory has. */
export function notFound(id: string): NotFoundError {
  return new NotFoundError(`Expected \`id\` to name an existing memory, got \`${id}\``);
}

/** History rows oldest first (ties by id: UUIDv7 rows made in one millisecond keep their order). */
export function byTime(a: HistoryRecord, b: HistoryRecord): number {
  return a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : 1;
}
