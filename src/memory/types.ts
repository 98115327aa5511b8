import type { Filter } from '../search/filter.js';
import type { SearchMode } from '../search/hybrid.js';
import type { HistoryEvent } from '../store/records.js';

export type { Filter, FilterOperators, FilterValue } from '../search/filter.js';
export type { HistoryEvent } from '../store/records.js';
export type { SearchMode } from '../search/hybrid.js';

/**
 * Who a memory belongs to. Mem0's three keys; an add or a search names at least one. Ids are trimmed; one with
 * whitespace inside is a ValidationError (as in Mem0).
 */
export interface MemoryScope {
  userId?: string;
  agentId?: string;
  runId?: string;
}

export type Metadata = Record<string, unknown>;

/** A chat message; `add()` stores each non-system message as one memory (Mem0's `infer=False`). */
export interface Message {
  role: string;
  content: string;
}

/**
 * When a memory stops showing up in search() and getAll() (get() still returns it): `'YYYY-MM-DD'` (Mem0's form,
 * visible through that UTC day), an ISO 8601 date-time with a time zone, or a Date (that instant).
 */
export type ExpirationDate = string | Date;

export interface AddOptions extends MemoryScope {
  /** Any structured-cloneable plain object; searchable with `filters`. */
  metadata?: Metadata;
  /** A date already past is stored too: the memory is hidden at once (as Mem0 does). */
  expirationDate?: ExpirationDate | null;
  /** Only `false` (Mem0's `infer=False`): each text or message is stored as given; there is no LLM extraction. */
  infer?: false;
}

export interface AddManyItem extends MemoryScope {
  text: string;
  metadata?: Metadata;
  expirationDate?: ExpirationDate | null;
}

export interface AddResult {
  id: string;
  memory: string;
  event: 'ADD';
}

export interface MemoryItem {
  id: string;
  memory: string;
  /** SHA-256 of the text, hex. */
  hash: string;
  metadata: Metadata;
  userId?: string;
  agentId?: string;
  runId?: string;
  /** As stored: `'YYYY-MM-DD'` or an ISO instant (a Date given to add() comes back as its ISO string). */
  expirationDate?: string;
  /** ISO 8601. */
  createdAt: string;
  updatedAt: string;
}

export interface SearchResult extends MemoryItem {
  /**
   * What results are ranked by. `'hybrid'`: `(1 - keywordWeight) * semantic + keywordWeight * keyword`;
   * `'vector'`: the cosine similarity, -1..1; `'keyword'`: the keyword score, 0..1.
   */
  score: number;
  /** With `explain: true`: the parts of `score`. */
  explain?: ScoreExplanation;
}

export interface ScoreExplanation {
  score: number;
  /** Cosine similarity of the memory and the query, -1..1 (not in keyword mode). */
  semantic?: number;
  /** BM25F of the memory (and its conversation context) relative to this search's best keyword match, 0..1. */
  keyword?: number;
}

/**
 * Mem0 v3 names the scope inside `filters` (`{ filters: { user_id: 'alice' } }`, camelCase or snake_case): there it
 * selects whose memories are read, like the top-level keys; it is not a metadata filter. A scope given both ways
 * must agree.
 */
export interface ScopeFilters {
  userId?: string;
  agentId?: string;
  runId?: string;
  user_id?: string;
  agent_id?: string;
  run_id?: string;
}

export type SearchFilters = Filter & ScopeFilters;

/**
 * Both call shapes: today's (`{ userId, limit }`) and Mem0 v3's (`{ filters: { user_id }, topK }`), one behaviour.
 *
 * @example
 * await memory.search('coffee', { filters: { user_id: 'alice', category: 'food' }, topK: 5 });
 * await memory.search('coffee', { userId: 'alice', filters: { category: 'food' }, limit: 5 });
 */
export interface SearchOptions extends MemoryScope {
  filters?: SearchFilters;
  /** At most this many results; `0` returns none. Same as `topK` (give one, or both equal). @default 10 */
  limit?: number;
  /** Mem0 v3's name for `limit`. @default 10 */
  topK?: number;
  /** Include memories whose `expirationDate` has passed. @default false */
  showExpired?: boolean;
  /** Drop results whose `score` is below this. */
  threshold?: number;
  /**
   * `'hybrid'` fuses keyword (BM25F) and vector similarity; `'vector'` or `'keyword'` uses one signal alone
   * (`'keyword'` does not embed the query).
   * @default 'hybrid'
   */
  mode?: SearchMode;
  /**
   * The keyword score's share of a hybrid score, 0..1.
   * @default 0.35
   */
  keywordWeight?: number;
  /** Adds `explain` (the score's parts) to each result. @default false */
  explain?: boolean;
}

export interface GetAllOptions extends MemoryScope {
  filters?: SearchFilters;
  /** At most this many memories; `0` returns none. Same as `topK`. @default 100 */
  limit?: number;
  /** Mem0 v3's name for `limit`. @default 100 */
  topK?: number;
  /** Include memories whose `expirationDate` has passed. @default false */
  showExpired?: boolean;
}

export interface UpdatePatch {
  /** New text: the memory is embedded again. */
  text?: string;
  /** Merged into the memory's metadata, key by key (as Mem0 does); with `replace: true` it replaces it whole. */
  metadata?: Metadata;
  /** `metadata` replaces the stored object instead of being merged into it. @default false */
  replace?: boolean;
  /** A new expiration date; `null` clears it (the memory never expires). */
  expirationDate?: ExpirationDate | null;
}

/** One change of a memory, shaped like Mem0's history rows (camelCase, as its TypeScript results are). */
export interface HistoryEntry {
  id: string;
  memoryId: string;
  previousValue: string | null;
  newValue: string | null;
  event: HistoryEvent;
  /** When the memory was created (the same on every row of one memory, as in Mem0). */
  createdAt: string;
  /** When this change happened; null on the ADD row. */
  updatedAt: string | null;
  /** True on the DELETE row. */
  isDeleted: boolean;
}

export type MemoryState = 'initializing' | 'ready' | 'closed';

export interface MemoryStats {
  state: MemoryState;
  dbName: string;
  modelId: string;
  dimensions: number;
  quantize: 'none' | 'int8';
  /** Adds accepted and not yet committed (or failed). */
  inFlight: number;
  /** Memories this instance committed (adds and crash replays). */
  committed: number;
  /** Write transactions that committed adds; `committed / commitGroups` is the mean group size. */
  commitGroups: number;
  /** The most add calls one transaction committed. */
  largestGroup: number;
  /**
   * IndexedDB write transactions for adds: each holds what one tick had to write (new pending records, commits,
   * the engine's cache entries), so under load it stays well below `committed`.
   */
  writeTransactions: number;
  /** Adds recovered from the pending queue when this instance was created. */
  replayed: number;
  /**
   * Adds left in the pending queue because their replay failed (an embedding error, a full disk): `create()` still
   * succeeds, and the next `create()` tries them again. `replayError` is the last such failure.
   */
  replayFailed: number;
  replayError?: string;
  /**
   * Times this instance merged small segments: one add at a time makes one segment each, and every 32 of them (its
   * own, or found by loading a scope: left by earlier sessions or other tabs) become one, so a scope load reads few
   * records.
   */
  compactions: number;
  /**
   * Memories this instance deleted without their DELETE history row (and ADD row, when they never changed) because
   * storage was full: the delete went through and freed space, their history() lacks its end.
   */
  historyDropped: number;
  /** Scopes held in memory for search, and their vectors. */
  index: { scopes: number; vectors: number; bytes: number };
  embedder: unknown;
}
