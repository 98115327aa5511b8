/**
 * The `lexical` test model: masked mean pooling of IDF-weighted seeded token vectors gives real lexical
 * similarity, in every variant, so other tests can assert retrieval behaviour.
 */
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from '../../scripts/models/index.js';
import { tokenWeights } from '../../scripts/models/lexical.js';
import { embedNode, releaseNodeSessions, type NodeVariant } from '../../scripts/models/node-embed.js';
import { bertVocab } from '../../scripts/models/tokenizer.js';

const root = resolve(import.meta.dirname, '../../public/models');
const dir = join(root, 'lexical');

const memories = [
  'I drink coffee every morning',
  'User prefers window seats on morning flights',
  'The cat sleeps on the sofa all afternoon',
  'My sister lives in Berlin',
  'Remember to buy milk and bread',
  'The quarterly meeting is scheduled for Tuesday',
  'He plays bass guitar in a jazz band',
  'Python is my favourite programming language',
  'We went hiking in the Alps last summer',
];

const dot = (a: Float32Array, b: Float32Array): number => a.reduce((s, x, i) => s + x * b[i]!, 0);

async function rank(query: string, variant: NodeVariant): Promise<string[]> {
  const [q] = await embedNode(dir, [query], variant);
  const vectors = await embedNode(dir, memories, variant);
  return memories
    .map((text, i) => ({ text, score: dot(q!, vectors[i]!) }))
    .sort((a, b) => b.score - a.score)
    .map((r) => r.text);
}

beforeAll(async () => {
  await generate(root, { log: false });
}, 120_000);

afterAll(releaseNodeSessions);

describe('lexical model', () => {
  it.each(['fp32', 'fp16', 'int8'] as NodeVariant[])(
    '%s: finds memories sharing rare words',
    async (variant) => {
      expect((await rank('coffee', variant))[0]).toBe('I drink coffee every morning');
      expect((await rank('window seat flights', variant))[0]).toBe('User prefers window seats on morning flights');
      expect((await rank('Where does my sister live?', variant))[0]).toBe('My sister lives in Berlin');
      expect((await rank('jazz guitar', variant))[0]).toBe('He plays bass guitar in a jazz band');
    },
    60_000,
  );

  it('makes a sentence most similar to itself, and stopwords count little', async () => {
    const vectors = await embedNode(dir, memories, 'fp32');
    vectors.forEach((v, i) => {
      const scores = vectors.map((w) => dot(v, w));
      expect(scores[i]).toBeCloseTo(1, 5);
      expect(scores.indexOf(Math.max(...scores))).toBe(i);
    });
    const [a, b, c] = await embedNode(dir, ['the coffee', 'coffee', 'the tea'], 'fp32');
    expect(dot(a!, b!)).toBeGreaterThan(0.95);
    expect(dot(a!, c!)).toBeLessThan(0.3);
  }, 60_000);

  it('gives the same vector to a text alone and inside a padded batch', async () => {
    const batched = await embedNode(dir, memories, 'int8', { batchSize: memories.length });
    for (let i = 0; i < memories.length; i++) {
      const [single] = await embedNode(dir, [memories[i]!], 'int8');
      expect(dot(single!, batched[i]!)).toBeGreaterThan(0.99999);
    }
  }, 60_000);

  it('weighs rare words above frequent ones and special tokens near zero', () => {
    const vocab = bertVocab();
    const w = tokenWeights(vocab);
    const id = (piece: string): number => vocab.indexOf(piece);
    expect(w[101]).toBeLessThan(0.05);
    expect(w[id('.')]).toBeLessThan(0.05);
    expect(w[id('the')]).toBeLessThan(0.2);
    expect(w[id('tea')]).toBeGreaterThan(w[id('coffee')]!); // ids 5572 > 4157
    expect(w[id('coffee')]).toBeGreaterThan(w[id('time')]!);
  });
});
