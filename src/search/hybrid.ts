import type { KeywordIndex } from './keyword-index.js';
import type { ScopeIndex } from './scope-index.js';

/** How `search()` ranks: fused keyword + vector (the default), or one signal alone. */
export type SearchMode = 'hybrid' | 'vector' | 'keyword';

/** What every ranking of one scope takes; `vector` is needed unless the mode is `'keyword'`. */
export interface RankQuery<R> {
  readonly vector?: Float32Array | undefined;
  readonly k: number;
  readonly accept?: ((record: R) => boolean) | undefined;
  readonly threshold?: number | undefined;
  /** Share of the keyword score in a hybrid score, 0..1. */
  readonly keywordWeight: number;
}

export interface FuseQuery<R> extends RankQuery<R> {
  readonly mode: 'hybrid' | 'keyword';
  readonly terms: readonly string[];
}

export interface Hit<R> {
  readonly record: R;
  /** What results are ranked and `threshold` is applied by: cosine, normalised BM25, or their weighted sum. */
  readonly score: number;
  /** Cosine similarity with the query (absent in keyword mode). */
  readonly semantic?: number;
  /** BM25F relative to the best keyword match of this search, 0..1 (absent in vector mode). */
  readonly keyword?: number;
}

/**
 * Candidates read from each signal on the first try; a search that cannot prove its top k reads 4x more. Each
 * widening rescans the vectors: at 64, most searches of a 100k scope of unrelated texts and vectors widened twice.
 */
const FIRST_DEPTH = 256;

/**
 * The keyword score is BM25F over max(best match, IDEAL_SHARE x the query's ideal score): a best match of only
 * common words ("user", "like") stays well below 1 instead of outweighing meaning. Chosen on LoCoMo's dev split.
 */
const IDEAL_SHARE = 0.25;

/**
 * Keyword or hybrid top k of one scope. The keyword score reads 0..1 whatever the query's length; the hybrid score
 * is `(1 - w) * cosine + w * keyword`. It is exact, not a re-rank of a shortlist: a record in neither signal's top
 * `depth` scores at most `(1 - w) * vectorFloor + w * keywordFloor`, and the search widens until its k-th result
 * reaches that bound (Fagin's threshold algorithm).
 */
export function fuse<R extends { readonly id: string }>(
  vectors: ScopeIndex<R>,
  keywords: KeywordIndex<R>,
  query: FuseQuery<R>,
): Hit<R>[] {
  const { k, accept, threshold = -Infinity } = query;
  if (k === 0) return [];
  if (query.mode === 'keyword') {
    const { hits, ideal } = keywords.search(query.terms, k, accept);
    const scale = Math.max(hits[0]?.score ?? 0, IDEAL_SHARE * ideal);
    return hits
      .map(({ record, score }) => ({ record, score: score / scale, keyword: score / scale }))
      .filter((h) => h.score >= threshold);
  }
  const vector = query.vector!;
  const w = query.keywordWeight;
  const first = Math.max(FIRST_DEPTH, 2 * k);
  // Scored once; a wider round only selects more of its matches.
  const words = keywords.search(query.terms, first, accept);
  const scale = Math.max(words.hits[0]?.score ?? 0, IDEAL_SHARE * words.ideal);
  const norm = (bm25: number) => (scale > 0 ? bm25 / scale : 0);
  for (let depth = first; ; depth *= 4) {
    const near = vectors.search(vector, depth, accept);
    const wordHits = depth === first ? words.hits : words.top(depth);
    const candidates = new Map<string, Hit<R>>();
    const add = (record: R, semantic: number, keyword: number) =>
      candidates.set(record.id, { record, semantic, keyword, score: (1 - w) * semantic + w * keyword });
    for (const { record, score } of near) add(record, score, norm(words.score(record.id)));
    for (const { record, score } of wordHits)
      if (!candidates.has(record.id)) add(record, vectors.score(record.id, vector)!, norm(score));
    const ranked = [...candidates.values()]
      .filter((h) => h.score >= threshold)
      .sort((a, b) => b.score - a.score)
      .slice(0, k);
    // Every accepted record was a vector candidate: nothing unseen can outrank these.
    if (near.length < depth) return ranked;
    const vectorFloor = near[near.length - 1]!.score;
    const keywordFloor = wordHits.length < depth ? 0 : norm(wordHits[wordHits.length - 1]!.score);
    const unseen = (1 - w) * vectorFloor + w * keywordFloor;
    if (unseen < threshold || (ranked.length === k && ranked[k - 1]!.score >= unseen)) return ranked;
  }
}
