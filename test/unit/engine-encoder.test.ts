/**
 * The worker's encoder (tokenise, group by length, pad, run, pool, normalise) against an independent reference:
 * transformers.js' feature-extraction pipeline (mean pooling + normalize) on the same model files, in Node with
 * onnxruntime-node. Same ONNX graph, two implementations of everything around it.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { env, pipeline } from '@huggingface/transformers';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { SentenceEncoder } from '../../src/worker/encoder.js';
import { createTokenizer } from '../../src/worker/tokenizer.js';
import { cosine as cos } from '../support/cosine.js';

const models = resolve(import.meta.dirname, '../../public/models');
const texts = [
  'hello world',
  'I drink coffee every morning before work.',
  'The user prefers window seats on morning flights to Paris, and usually books them three weeks ahead.',
  'Numbers: 3.14159, 42 and 1,000,000! déjà vu, naïve café résumé',
  'a',
  Array.from({ length: 60 }, (_, i) => `word${i}`).join(' '),
];

async function encoder(folder: string, file: string, maxTokens = 256): Promise<SentenceEncoder> {
  const dir = resolve(models, folder);
  const session = await ort.InferenceSession.create(resolve(dir, file));
  const tokenizerConfig = JSON.parse(await readFile(resolve(dir, 'tokenizer_config.json'), 'utf8')) as Record<string, unknown>;
  const tokenizer = createTokenizer('huggingface', JSON.parse(await readFile(resolve(dir, 'tokenizer.json'), 'utf8')), tokenizerConfig);
  return new SentenceEncoder({
    session: session as never,
    Tensor: ort.Tensor as never,
    tokenizer,
    pooling: 'mean',
    maxTokens,
    runOverheadTokens: 32,
    maxTokensPerRun: 4096,
  });
}


describe('SentenceEncoder vs transformers.js', () => {
  beforeAll(() => {
    env.allowRemoteModels = false;
    env.localModelPath = `${models}/`;
  });

  for (const [variant, file, dtype] of [
    ['fp32', 'onnx/model.onnx', 'fp32'],
    ['int8', 'onnx/model_quantized.onnx', 'q8'],
  ] as const) {
    it(`minilm-l6 ${variant}: same vectors, batched and split by length`, async () => {
      const extractor = await pipeline('feature-extraction', 'minilm-l6', { dtype });
      const reference = await extractor(texts, { pooling: 'mean', normalize: true });
      const ours = await encoder('minilm-l6', file);
      const out = await ours.embed(texts);
      expect(out.dimensions).toBe(384);
      expect(out.runs).toBeGreaterThan(1); // the long text got its own run
      expect(out.paddedTokens).toBeLessThan(texts.length * 124); // less padding than one run padded to the longest
      const dim = 384;
      for (let i = 0; i < texts.length; i++) {
        const refRow = (reference.data as Float32Array).subarray(i * dim, (i + 1) * dim);
        expect(cos(out.vectors.subarray(i * dim, (i + 1) * dim), refRow), texts[i]).toBeGreaterThanOrEqual(0.9999);
      }
      await ours.release();
      await extractor.dispose();
    }, 60_000);
  }

  it('truncates long texts at maxTokens and keeps the closing [SEP]', async () => {
    const ours = await encoder('lexical', 'onnx/model.onnx', 16);
    const ids = ours.tokenize(texts[5]!);
    expect(ids).toHaveLength(16);
    expect(ids[0]).toBe(101);
    expect(ids[15]).toBe(102);
    expect(ours.tokenize('hello world')).toEqual([101, 7592, 2088, 102]);
    // A megabyte text is clipped before tokenising (only its first 16 tokens count anyway).
    expect(ours.tokenize('coffee '.repeat(150_000))).toEqual([101, ...Array<number>(14).fill(ours.tokenize('coffee')[1]!), 102]);
    const out = await ours.embed([texts[5]!]);
    expect(out.realTokens).toBe(16);
    await ours.release();
  });
});
