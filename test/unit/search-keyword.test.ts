import { describe, expect, it } from 'vitest';
import { fuse } from '../../src/search/hybrid.js';
import { KeywordIndex } from '../../src/search/keyword-index.js';
import { ScopeIndex } from '../../src/search/scope-index.js';
import { tokenize } from '../../src/search/tokenize.js';
import { randomUnitVectors } from './search-random.js';

describe('tokenize', () => {
  it('folds case, accents and possessives, drops stop words, stems English', () => {
    expect(tokenize("Caroline's painting of the Grand Canyon")).toEqual(['carolin', 'paint', 'grand', 'canyon']);
    expect(tokenize('Málaga with Zoë, ÅLESUND')).toEqual(['malaga', 'zoe', 'alesund']);
    expect(tokenize("Flight TP202 at 9 o'clock, don't forget")).toEqual(['flight', 'tp202', '9', 'oclock', 'forget']);
    expect(tokenize('What did she do, and when?')).toEqual([]);
  });

  it('splits CJK runs into character pairs and keeps other scripts whole', () => {
    expect(tokenize('東京タワー')).toEqual(['東京', '京タ', 'タワ', 'ワー']);
    expect(tokenize('猫')).toEqual(['猫']);
    expect(tokenize('Привет, мир')).toEqual(['привет', 'мир']);
    expect(tokenize('emoji 😀 between')).toEqual(['emoji']);
  });
});

type R = { id: string; text: string; before?: string };
const fieldsOf = (r: R) => ({ text: r.text, before: r.before });

describe('KeywordIndex', () => {
  it('ranks by BM25F: rarer and repeated words first, neighbours count for less than the own text', () => {
    const index = new KeywordIndex<R>(fieldsOf);
    index.upsert({ id: 'a', text: 'coffee in the morning' });
    index.upsert({ id: 'b', text: 'coffee coffee and pottery class' });
    index.upsert({ id: 'c', text: 'Lisbon, the week of the 14th', before: 'which city is the pottery conference in?' });
    index.upsert({ id: 'd', text: 'tea' });
    expect(index.search(tokenize('coffee'), 10).hits.map((h) => h.record.id)).toEqual(['b', 'a']);
    expect(index.search(tokenize('pottery'), 10).hits.map((h) => h.record.id)).toEqual(['b', 'c']);
    const found = index.search(tokenize('pottery conference'), 10);
    expect(found.hits.map((h) => h.record.id)).toEqual(['c', 'b']);
    expect(found.score('d')).toBe(0);
    expect(found.score('c')).toBe(found.hits[0]!.score);
    expect(index.search(tokenize('pottery'), 10, (r) => r.id !== 'b').hits.map((h) => h.record.id)).toEqual(['c']);
  });

  it('forgets removed and replaced texts, and rebuilds once most postings are dead', () => {
    const index = new KeywordIndex<R>(fieldsOf);
    for (let i = 0; i < 200; i++) index.upsert({ id: `m${i}`, text: `note ${i} about ${i % 2 ? 'cats' : 'dogs'}` });
    index.upsert({ id: 'm1', text: 'note about parrots' });
    expect(index.search(tokenize('parrots'), 10).hits.map((h) => h.record.id)).toEqual(['m1']);
    for (let i = 2; i < 200; i++) index.remove(`m${i}`);
    expect(index.size).toBe(2);
    expect(
      index
        .search(tokenize('note'), 10)
        .hits.map((h) => h.record.id)
        .sort(),
    ).toEqual(['m0', 'm1']);
    expect(index.search(tokenize('cats'), 10).hits).toEqual([]);
    expect(index.remove('m5')).toBe(false);
  });
});

describe('fuse', () => {
  // Brute force: every record's fused score, best first.
  function bruteForce(
    vectors: ScopeIndex<R>,
    keywords: KeywordIndex<R>,
    records: R[],
    query: Float32Array,
    terms: string[],
    k: number,
    w: number,
  ) {
    const found = keywords.search(terms, records.length);
    const scale = Math.max(found.hits[0]?.score ?? 0, 0.25 * found.ideal);
    return records
      .map((r) => ({
        id: r.id,
        score: (1 - w) * vectors.score(r.id, query)! + w * (scale > 0 ? found.score(r.id) / scale : 0),
      }))
      .sort((a, b) => b.score - a.score)
      .slice(0, k);
  }

  it('returns exactly the brute-force hybrid top k, whatever the weight and depth needed', () => {
    const words = ['coffee', 'tea', 'lisbon', 'pottery', 'dentist', 'grandma', 'train', 'paint', 'canyon', 'violin'];
    const n = 3000;
    const vectors = new ScopeIndex<R>(16, 'fp32');
    const keywords = new KeywordIndex<R>(fieldsOf);
    const vs = randomUnitVectors(n + 5, 16, 11);
    const records: R[] = [];
    for (let i = 0; i < n; i++) {
      const text = `${words[i % 10]} ${words[(i * 7) % 10]} ${i % 13 === 0 ? 'violin' : ''}`;
      const r = { id: `m${i}`, text };
      records.push(r);
      vectors.upsert(r, vs[i]!);
      keywords.upsert(r);
    }
    for (const [q, w, k] of [
      [n, 0.5, 10],
      [n + 1, 0.9, 5],
      [n + 2, 0.1, 100],
      [n + 3, 1, 10],
      [n + 4, 0, 10],
    ] as const) {
      const query = vs[q]!;
      const terms = tokenize('violin and pottery');
      const got = fuse(vectors, keywords, { mode: 'hybrid', terms, vector: query, k, keywordWeight: w });
      const want = bruteForce(vectors, keywords, records, query, terms, k, w);
      expect(got.map((h) => h.score)).toEqual(want.map((h): unknown => expect.closeTo(h.score, 6)));
      expect(got.length).toBe(k);
    }
  });

  it('keyword mode scores 0..1 against the best match; threshold applies to the fused score', () => {
    const vectors = new ScopeIndex<R>(16, 'fp32');
    const keywords = new KeywordIndex<R>(fieldsOf);
    const vs = randomUnitVectors(3, 16, 3);
    const records = [
      { id: 'a', text: 'violin lessons' },
      { id: 'b', text: 'violin' },
      { id: 'c', text: 'piano' },
    ];
    records.forEach((r, i) => (vectors.upsert(r, vs[i]!), keywords.upsert(r)));
    const hits = fuse(vectors, keywords, {
      mode: 'keyword',
      terms: tokenize('violin lessons'),
      k: 10,
      keywordWeight: 0.5,
    });
    expect(hits.map((h) => h.record.id)).toEqual(['a', 'b']);
    expect(hits[0]!.score).toBe(1); // holds every query word: its own best
    expect(hits[1]!.score).toBeGreaterThan(0);
    expect(hits[1]!.score).toBeLessThan(1);
    const hybrid = fuse(vectors, keywords, {
      mode: 'hybrid',
      terms: tokenize('violin'),
      vector: vs[2]!,
      k: 10,
      keywordWeight: 0.5,
      threshold: 0.4,
    });
    expect(hybrid.every((h) => h.score >= 0.4)).toBe(true);
    expect(hybrid.map((h) => h.record.id)).toContain('c'); // its own vector: cosine 1, half of the score
  });
});
