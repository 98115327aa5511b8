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
  /** The score of a record holding every query term (absent ones weigh as a term no record has). */
  readonly ideal: number;
  /** The BM25F score of any record of this index for the query (0 when no term matched); valid until the next search. */
  score(id: string): number;
  /** The best k again, for another k, without scoring anew; valid until the next search. */
  top(k: number): KeywordHit<R>[];
}

/** One term's postings: parallel typed arrays, grown by doubling (a 100k scope scores ~30k postings per query). */
interface Postings {
  docs: Int32Array;
  tfs: Float32Array;
  size: number;
}

/**
 * One scope's inverted index: per term, the (document, weighted term frequency) pairs. Term frequencies are
 * weighted by field (see `BM25.weights`). Removing a memory leaves its postings behind as dead entries (skipped,
 * and dropped by a rebuild once they outnumber the live ones).
 */
export class KeywordIndex<R extends { readonly id: string }> {
  readonly #fieldsOf: (record: R) => KeywordFields;
  readonly #docOf = new Map<string, number>();
  /** Per document number: its record, or undefined once removed. */
  #records: (R | undefined)[] = [];
  /** Per document number: 1 while live, and its length (sum of weighted term frequencies). */
  #live = new Uint8Array(64);
  #lengths = new Float32Array(64);
  #postings = new Map<string, Postings>();
  /** Live documents per term. */
  #df = new Map<string, number>();
  #totalLength = 0;
  #scores = new Float64Array(0);
  /** The documents the last search scored (their entries in #scores are non-zero): the first #touchedCount. */
  #touched = new Int32Array(0);
  #touchedCount = 0;
  /** Bumped by every search: a KeywordSearch reads scores only while it is the latest. */
  #generation = 0;

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
    if (doc === this.#live.length) {
      this.#live = grow(this.#live, doc * 2);
      this.#lengths = grow(this.#lengths, doc * 2);
    }
    const counts = this.#termCounts(record);
    let length = 0;
    for (const [term, tf] of counts) {
      length += tf;
      let list = this.#postings.get(term);
      if (!list) this.#postings.set(term, (list = { docs: new Int32Array(4), tfs: new Float32Array(4), size: 0 }));
      if (list.size === list.docs.length) {
        list.docs = grow(list.docs, list.size * 2);
        list.tfs = grow(list.tfs, list.size * 2);
      }
      list.docs[list.size] = doc;
      list.tfs[list.size++] = tf;
      this.#df.set(term, (this.#df.get(term) ?? 0) + 1);
    }
    this.#records.push(record);
    this.#live[doc] = 1;
    this.#lengths[doc] = length;
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
    this.#live[doc] = 0;
    this.#docOf.delete(id);
    if (this.#records.length > 64 && this.#docOf.size * 2 < this.#records.length) this.#rebuild();
    return true;
  }

  /** The k records that best match `terms` (from `tokenize`) by BM25F. */
  search(terms: readonly string[], k: number, accept?: (record: R) => boolean): KeywordSearch<R> {
    const n = this.#docOf.size;
    const count = this.#records.length;
    if (this.#scores.length < count) {
      this.#scores = new Float64Array(count * 2);
      this.#touched = new Int32Array(count * 2);
      this.#touchedCount = 0;
    }
    const scores = this.#scores;
    const touched = this.#touched;
    // The last search's scores stay readable through its score() until now.
    for (let i = 0; i < this.#touchedCount; i++) scores[touched[i]!] = 0;
    let touchedCount = 0;
    const live = this.#live;
    const lengths = this.#lengths;
    const { k1, b } = BM25;
    const average = n > 0 ? this.#totalLength / n : 1;
    // BM25's length norm k1 * (1 - b + b * length / average), split so the loop does one multiply-add.
    const base = k1 * (1 - b);
    const perLength = (k1 * b) / average;
    let ideal = 0;
    for (const term of new Set(terms)) {
      const df = this.#df.get(term) ?? 0;
      const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
      const weight = idf * (k1 + 1);
      ideal += weight;
      const list = this.#postings.get(term);
      if (df === 0 || !list) continue;
      const { docs, tfs, size } = list;
      for (let i = 0; i < size; i++) {
        const doc = docs[i]!;
        if (live[doc] === 0) continue;
        const tf = tfs[i]!;
        const before = scores[doc]!;
        if (before === 0) touched[touchedCount++] = doc;
        scores[doc] = before + (weight * tf) / (tf + base + perLength * lengths[doc]!);
      }
    }
    this.#touchedCount = touchedCount;
    const generation = ++this.#generation;
    const records = this.#records;
    const top = (k: number): KeywordHit<R>[] => {
      if (this.#generation !== generation) throw new Error('A keyword search was read after the next one began');
      const best = new TopK(Math.min(k, touchedCount));
      for (let i = 0; i < touchedCount; i++) {
        const doc = touched[i]!;
        const score = scores[doc]!;
        // The filter runs only for a record that would enter the top k: most matches of a common word never do.
        if (score <= best.threshold || (accept && !accept(records[doc]!))) continue;
        best.push(doc, score);
      }
      return best.sorted().map(({ row, score }) => ({ record: records[row]!, score }));
    };
    return {
      hits: top(k),
      ideal,
      top,
      score: (id) => {
        const doc = this.#docOf.get(id);
        return doc === undefined || this.#generation !== generation ? 0 : scores[doc]!;
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
    this.#live = new Uint8Array(64);
    this.#lengths = new Float32Array(64);
    this.#postings = new Map();
    this.#df = new Map();
    this.#totalLength = 0;
    this.#touched = new Int32Array(0);
    this.#touchedCount = 0;
    this.#scores = new Float64Array(0);
    this.#generation++;
    for (const record of live) this.upsert(record);
  }
}

function grow<T extends Uint8Array | Int32Array | Float32Array>(array: T, length: number): T {
  const next = new (array.constructor as new (length: number) => T)(length);
  next.set(array);
  return next;
}
