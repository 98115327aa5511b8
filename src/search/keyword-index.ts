import { TopK } from './top-k.js';
import { tokenize } from './tokenize.js';

/** What a memory offers the keyword index: its own text, and the messages around it in its conversation. */
export interface KeywordFields {
  readonly text: string;
  readonly before?: string | undefined;
  readonly after?: string | undefined;
}

/**
 * BM25F parameters. A neighbour's words count for less than the memory's own: a short answer ("Lisbon, the week of
 * the 14th") is found by the question it answers, without outranking the memory that says it. Chosen on the LoCoMo
 * development split (bench/README.md, "Recall").
 */
export const BM25 = { k1: 1.2, b: 0.75, weights: { text: 10, before: 5, after: 3 } } as const;

export interface KeywordHit<R> {
  readonly record: R;
  /** BM25F score, > 0. */
  readonly score: number;
}

export interface KeywordSearch<R> {
  /** Best first, at most k, only records `accept` lets through. */
  readonly hits: KeywordHit<R>[];
  /** Every accepted record that matched a term (hits holds the best k of them). */
  readonly matched: number;
  /** The score of a record holding every query term (absent ones weigh as a term no record has). */
  readonly ideal: number;
  /** The BM25F score of any record of this index for the query (0 when no term matched); valid until the next search. */
  score(id: string): number;
}

/**
 * One scope's inverted index: per term, a flat list of (document, weighted term frequency) pairs. Term frequencies
 * are weighted integers (x10, see `BM25.weights`) so the lists stay small-integer arrays. Removing a memory leaves
 * its postings behind as dead entries (skipped, and dropped by a rebuild once they outnumber the live ones).
 */
export class KeywordIndex<R extends { readonly id: string }> {
  readonly #fieldsOf: (record: R) => KeywordFields;
  readonly #docOf = new Map<string, number>();
  /** Per document number: its record, or undefined once removed. */
  #records: (R | undefined)[] = [];
  #lengths: number[] = [];
  #postings = new Map<string, number[]>();
  /** Live documents per term. */
  #df = new Map<string, number>();
  #totalLength = 0;
  #scores = new Float64Array(0);
  /** The documents the last search scored (their entries in #scores are non-zero). */
  #touched: number[] = [];

  constructor(fieldsOf: (record: R) => KeywordFields) {
    this.#fieldsOf = fieldsOf;
  }

  get size(): number {
    return this.#docOf.size;
  }

  /** Indexes `record`, replacing what was indexed under its id. */
  upsert(record: R): void {
    this.remove(record.id);
    const doc = this.#records.length;
    const counts = this.#termCounts(record);
    let length = 0;
    for (const [term, tf] of counts) {
      length += tf;
      let list = this.#postings.get(term);
      if (!list) this.#postings.set(term, (list = []));
      list.push(doc, tf);
      this.#df.set(term, (this.#df.get(term) ?? 0) + 1);
    }
    this.#records.push(record);
    this.#lengths.push(length);
    this.#docOf.set(record.id, doc);
    this.#totalLength += length;
  }

  /** Replaces the record kept under its id without reindexing (its texts did not change). */
  updateRecord(record: R): void {
    const doc = this.#docOf.get(record.id);
    if (doc !== undefined) this.#records[doc] = record;
  }

  remove(id: string): boolean {
    const doc = this.#docOf.get(id);
    if (doc === undefined) return false;
    for (const term of this.#termCounts(this.#records[doc]!).keys()) {
      const df = this.#df.get(term)! - 1;
      if (df === 0) this.#df.delete(term);
      else this.#df.set(term, df);
    }
    this.#totalLength -= this.#lengths[doc]!;
    this.#records[doc] = undefined;
    this.#docOf.delete(id);
    if (this.#records.length > 64 && this.#docOf.size * 2 < this.#records.length) this.#rebuild();
    return true;
  }

  /** The k records that best match `terms` (from `tokenize`) by BM25F. */
  search(terms: readonly string[], k: number, accept?: (record: R) => boolean): KeywordSearch<R> {
    const n = this.#docOf.size;
    if (this.#scores.length < this.#records.length) this.#scores = new Float64Array(this.#records.length * 2);
    const scores = this.#scores;
    // The last search's scores stay readable through its score() until now.
    for (const doc of this.#touched) scores[doc] = 0;
    const touched: number[] = [];
    this.#touched = touched;
    const { k1, b } = BM25;
    const average = n > 0 ? this.#totalLength / n : 1;
    let ideal = 0;
    for (const term of new Set(terms)) {
      const df = this.#df.get(term) ?? 0;
      const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
      ideal += idf * (k1 + 1);
      const list = this.#postings.get(term);
      if (df === 0 || !list) continue;
      for (let i = 0; i < list.length; i += 2) {
        const doc = list[i]!;
        if (this.#records[doc] === undefined) continue;
        const tf = list[i + 1]!;
        if (scores[doc] === 0) touched.push(doc);
        scores[doc] = scores[doc]! + (idf * tf * (k1 + 1)) / (tf + k1 * (1 - b + (b * this.#lengths[doc]!) / average));
      }
    }
    const top = new TopK(Math.min(k, touched.length));
    let matched = 0;
    for (const doc of touched) {
      if (accept && !accept(this.#records[doc]!)) continue;
      matched++;
      top.push(doc, scores[doc]!);
    }
    const hits = top.sorted().map(({ slot, score }) => ({ record: this.#records[slot]!, score }));
    return {
      hits,
      matched,
      ideal,
      score: (id) => {
        const doc = this.#docOf.get(id);
        return doc === undefined || this.#touched !== touched ? 0 : scores[doc]!;
      },
    };
  }

  #termCounts(record: R): Map<string, number> {
    const fields = this.#fieldsOf(record);
    const counts = new Map<string, number>();
    const add = (text: string | undefined, weight: number) => {
      if (text === undefined) return;
      for (const term of tokenize(text)) counts.set(term, (counts.get(term) ?? 0) + weight);
    };
    add(fields.text, BM25.weights.text);
    add(fields.before, BM25.weights.before);
    add(fields.after, BM25.weights.after);
    return counts;
  }

  /** Drops dead postings: renumbers the live documents in their order. */
  #rebuild(): void {
    const live = this.#records.filter((r): r is R => r !== undefined);
    this.#docOf.clear();
    this.#records = [];
    this.#lengths = [];
    this.#postings = new Map();
    this.#df = new Map();
    this.#totalLength = 0;
    this.#touched = [];
    this.#scores = new Float64Array(0);
    for (const record of live) this.upsert(record);
  }
}
