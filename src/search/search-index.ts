import { nextTask, SLICE_MS } from '../next-task.js';
import { fuse, type Hit, type RankQuery, type SearchMode } from './hybrid.js';
import { KeywordIndex, type KeywordFields } from './keyword-index.js';
import type { VectorEncoding } from './quantize.js';
import { ScopeIndex, type StoredVector } from './scope-index.js';
import { tokenize } from './tokenize.js';

/** The three scope keys Mem0 knows. A memory has at least one; a search names at least one. */
export interface Scope {
  readonly userId?: string | undefined;
  readonly agentId?: string | undefined;
  readonly runId?: string | undefined;
}

/** The scope fields (Mem0's three keys), in the order a scope is indexed by. */
export const scopeFields = ['userId', 'agentId', 'runId'] as const;
export type ScopeField = (typeof scopeFields)[number];

export interface Scoped extends Scope {
  readonly id: string;
}

/** Reads every (record, vector) pair of one scope key from storage. */
export type ScopeLoader<R> = (field: ScopeField, value: string) => Promise<{ record: R; vector: StoredVector }[]>;

type Change<R> =
  { kind: 'upsert'; record: R; vector: StoredVector } | { kind: 'record'; record: R } | { kind: 'remove'; id: string };

/** One loaded scope: its vectors and its words, always changed together. */
interface Loaded<R extends Scoped> {
  readonly vectors: ScopeIndex<R>;
  readonly keywords: KeywordIndex<R>;
}

/** A scope key the index holds: loaded, or loading with the changes that arrive meanwhile. */
interface ScopeEntry<R extends Scoped> {
  index?: Loaded<R>;
  loading?: Promise<Loaded<R>>;
  /** Changes that arrived while the scope was being read: replayed on top of what the read returned. */
  buffered: Change<R>[];
}

/** The field a scope is indexed by: the first of userId, agentId, runId it names. */
export function primaryField(scope: Scope): ScopeField | undefined {
  return scopeFields.find((f) => scope[f] !== undefined);
}

/** True when `record` belongs to `scope`: every scope key the search names must be equal. */
export function inScope(record: Scope, scope: Scope): boolean {
  for (const f of scopeFields) if (scope[f] !== undefined && record[f] !== scope[f]) return false;
  return true;
}

const keyOf = (field: ScopeField, value: string) => `${field}\u0000${value}`;

export interface SearchIndexConfig<R> {
  readonly dimensions: number;
  readonly encoding: VectorEncoding;
  readonly loader: ScopeLoader<R>;
  /** The texts the keyword index reads from a record. */
  readonly fieldsOf: (record: R) => KeywordFields;
  /** @default 64 */
  readonly maxScopes?: number;
}

export type { Hit } from './hybrid.js';

/** A search of one scope, with the query's text (tokenised here for the keyword half). */
export interface IndexQuery<R> extends RankQuery<R> {
  readonly mode: SearchMode;
  readonly text: string;
}

/**
 * The in-memory side of search: one ScopeIndex and one KeywordIndex per scope key (`userId=alice`,
 * `agentId=planner`...), loaded lazily from storage on the first search of that scope and then kept in step with
 * every add, update and delete (this tab's and, through the caller, other tabs'). A memory of alice's planner lives in
 * both indexes once both are loaded; that costs memory only for scopes somebody actually searches.
 */
export class SearchIndex<R extends Scoped> {
  readonly #dimensions: number;
  readonly #encoding: VectorEncoding;
  readonly #loader: ScopeLoader<R>;
  readonly #fieldsOf: (record: R) => KeywordFields;
  readonly #maxScopes: number;
  /** Held scopes, least recently searched first (a Map keeps insertion order; a hit re-inserts). */
  #entries = new Map<string, ScopeEntry<R>>();

  constructor(config: SearchIndexConfig<R>) {
    this.#dimensions = config.dimensions;
    this.#encoding = config.encoding;
    this.#loader = config.loader;
    this.#fieldsOf = config.fieldsOf;
    this.#maxScopes = config.maxScopes ?? 64;
  }

  /** The k best records of `scope` that pass `accept`, best first. Loads the scope on first use. */
  async search(scope: Scope, query: IndexQuery<R>): Promise<Hit<R>[]> {
    const field = primaryField(scope);
    if (field === undefined) return [];
    const { vectors, keywords } = await this.#ready(field, scope[field]!);
    const { accept } = query;
    const narrowed = scopeFields.some((f) => f !== field && scope[f] !== undefined);
    const test =
      narrowed && accept ? (r: R) => inScope(r, scope) && accept(r) : narrowed ? (r: R) => inScope(r, scope) : accept;
    const { mode } = query;
    if (mode === 'vector') {
      return vectors
        .search(query.vector!, query.k, test, query.threshold)
        .map(({ record, score }) => ({ record, score, semantic: score }));
    }
    return fuse(vectors, keywords, { ...query, mode, accept: test, terms: tokenize(query.text) });
  }

  /** Starts loading the scope a search would use (so the read overlaps the query's embedding). */
  async warm(scope: Scope): Promise<void> {
    const field = primaryField(scope);
    if (field !== undefined) await this.#ready(field, scope[field]!);
  }

  /** Applies an insert or replacement to every held scope the record belongs to. */
  upsert(record: R, vector: StoredVector): void {
    for (const f of scopeFields) {
      const value = record[f];
      if (value === undefined) continue;
      const entry = this.#entries.get(keyOf(f, value));
      if (!entry) continue;
      if (entry.index) apply(entry.index, { kind: 'upsert', record, vector });
      else entry.buffered.push({ kind: 'upsert', record, vector });
    }
  }

  /** Replaces a record whose vector did not change (a metadata-only update). */
  updateRecord(record: R): void {
    for (const entry of this.#entries.values()) {
      if (entry.index) apply(entry.index, { kind: 'record', record });
      else entry.buffered.push({ kind: 'record', record });
    }
  }

  /** Removes `id` from every held scope (a removal may arrive without its record, from another tab). */
  remove(id: string): void {
    for (const entry of this.#entries.values()) {
      if (entry.index) apply(entry.index, { kind: 'remove', id });
      else entry.buffered.push({ kind: 'remove', id });
    }
  }

  /** Forgets every scope: the next search reads storage again. Used after bulk deletes and resets. */
  clear(): void {
    this.#entries = new Map();
  }

  stats(): { scopes: number; vectors: number; bytes: number } {
    let vectors = 0;
    let bytes = 0;
    for (const entry of this.#entries.values()) {
      if (!entry.index) continue;
      vectors += entry.index.vectors.size;
      bytes += entry.index.vectors.bytes;
    }
    return { scopes: this.#entries.size, vectors, bytes };
  }

  /** Keeps at most maxScopes scopes: a tab serving many users must not hold every user's vectors forever. */
  #evict(): void {
    for (const [key, entry] of this.#entries) {
      if (this.#entries.size <= this.#maxScopes) return;
      if (entry.index) this.#entries.delete(key); // never a scope still loading: its callers are waiting on it
    }
  }

  #ready(field: ScopeField, value: string): Promise<Loaded<R>> {
    const key = keyOf(field, value);
    const existing = this.#entries.get(key);
    if (existing?.index) {
      this.#entries.delete(key);
      this.#entries.set(key, existing);
      return Promise.resolve(existing.index);
    }
    if (existing?.loading) return existing.loading;
    const entries = this.#entries;
    const entry: ScopeEntry<R> = { buffered: [] };
    entries.set(key, entry);
    this.#evict();
    entry.loading = this.#loader(field, value).then(
      async (rows) => {
        const index: Loaded<R> = {
          vectors: new ScopeIndex<R>(this.#dimensions, this.#encoding, Math.max(64, rows.length + (rows.length >> 2))),
          keywords: new KeywordIndex<R>(this.#fieldsOf),
        };
        // In slices of a few milliseconds: a scope of 100k memories takes about a second to index. Changes that
        // arrive meanwhile are buffered and applied after the rows, as during the read.
        let start = performance.now();
        for (let i = 0; i < rows.length; i++) {
          const { record, vector } = rows[i]!;
          apply(index, { kind: 'upsert', record, vector });
          if ((i & 63) !== 63 || performance.now() - start < SLICE_MS) continue;
          await nextTask();
          start = performance.now();
        }
        for (const change of entry.buffered) apply(index, change);
        entry.buffered = [];
        entry.index = index;
        delete entry.loading;
        return index;
      },
      (error: unknown) => {
        // A failed read must not stick: the next search tries again.
        if (entries.get(key) === entry) entries.delete(key);
        throw error;
      },
    );
    return entry.loading;
  }
}

/** Every change reaches both halves of a scope: a memory is found by keyword exactly when it is by vector. */
function apply<R extends Scoped>(index: Loaded<R>, change: Change<R>): void {
  if (change.kind === 'upsert') {
    index.vectors.upsert(change.record, change.vector);
    index.keywords.upsert(change.record);
  } else if (change.kind === 'record') {
    if (index.vectors.updateRecord(change.record)) index.keywords.updateRecord(change.record);
  } else {
    index.vectors.remove(change.id);
    index.keywords.remove(change.id);
  }
}
