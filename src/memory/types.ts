import type { Filter } from '../search/filter.js';
import type { SearchMode } from '../search/hybrid.js';
import type { HistoryEvent } from '../store/records.js';

export type { Filter, FilterOperators, FilterValue } from '../search/filter.js';
export type { HistoryEvent } from '../store/records.js';
export type { SearchMode } from '../search/hybrid.js';

/** Who a memory belongs to. Mem0's three keys; an add or a search names at least one. */
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

export interface AddOptions extends MemoryScope {
  /** Any structured-cloneable plain object; searchable with `filters`. */
  metadata?: Metadata;
}

export interface AddManyItem extends AddOptions {
  text: string;
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

export interface SearchOptions extends MemoryScope {
  filters?: Filter;
  /** @default 10 */
  limit?: number;
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
  filters?: Filter;
  /** @default 100 */
  limit?: number;
}

export interface UpdatePatch {
  /** New text: the memory is embedded again. */
  text?: string;
  /** Replaces the metadata object as a whole. */
  metadata?: Metadata;
}

export interface HistoryEntry {
  id: string;
  memoryId: string;
  previousValue: string | null;
  newValue: string | null;
  event: HistoryEvent;
  createdAt: string;
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
  /** Scopes held in memory for search, and their vectors. */
  index: { scopes: number; vectors: number; bytes: number };
  embedder: unknown;
}
