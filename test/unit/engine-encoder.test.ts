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

async function encoder(
  folder: string,
  file: string,
  maxTokens = 256,
  output?: string,
  shapeSteps?: { length: number; count: number },
  onRun?: (dims: readonly number[]) => void,
  maxAttentionPerRun?: number,
): Promise<SentenceEncoder> {
  const dir = resolve(models, folder);
  const session = await ort.InferenceSession.create(resolve(dir, file));
  if (onRun) {
    const run = session.run.bind(session);
    (session as { run: unknown }).run = (feeds: Record<string, ort.Tensor>, ...rest: unknown[]) => {
      onRun(feeds['input_ids']!.dims);
      return (run as (...a: unknown[]) => unknown)(feeds, ...rest);
    };
  }
  const tokenizerConfig = JSON.parse(await readFile(resolve(dir, 'tokenizer_config.json'), 'utf8')) as Record<
    string,
    unknown
  >;
  const tokenizer = createTokenizer(
    'huggingface',
    JSON.parse(await readFile(resolve(dir, 'tokenizer.json'), 'utf8')),
    tokenizerConfig,
  );
  return new SentenceEncoder({
    session: session,
    Tensor: ort.Tensor,
    tokenizer,
    pooling: 'mean',
    output,
    maxTokens,
    runPlan: { runOverheadTokens: 32, maxTokensPerRun: 4096, maxAttentionPerRun, shapeSteps },
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
    it(`minilm-l6 ${variant}: same vectors, batched and split by length, pooled by us or by the graph`, async () => {
      const extractor = await pipeline('feature-extraction', 'minilm-l6', { dtype });
      const reference = await extractor(texts, { pooling: 'mean', normalize: true });
      for (const output of [undefined, 'sentence_embedding']) {
        const ours = await encoder('minilm-l6', file, 256, output);
        expect(ours.outputName).toBe(output ?? 'last_hidden_state');
        const out = await ours.embed(texts);
        expect(out.dimensions).toBe(384);
        expect(out.runs).toBeGreaterThan(1); // the long text got its own run
        expect(out.paddedTokens).toBeLessThan(texts.length * 124); // less padding than one run padded to the longest
        const dim = 384;
        for (let i = 0; i < texts.length; i++) {
          const refRow = (reference.data as Float32Array).subarray(i * dim, (i + 1) * dim);
          expect(cos(out.vectors.subarray(i * dim, (i + 1) * dim), refRow), texts[i]).toBeGreaterThanOrEqual(0.9999);
        }
        expect(ours.pooled).toBe(output !== undefined);
        await ours.release();
      }
      await extractor.dispose();
    }, 60_000);
  }

  it('batches embedded concurrently get the vectors of one-at-a-time calls, and the session never runs two at once', async () => {
    const dir = resolve(models, 'minilm-l6');
    const session = await ort.InferenceSession.create(resolve(dir, 'onnx/model_quantized.onnx'));
    let running = 0;
    let mostAtOnce = 0;
    const run = session.run.bind(session);
    (session as { run: unknown }).run = async (...args: Parameters<typeof run>) => {
      mostAtOnce = Math.max(mostAtOnce, ++running);
      try {
        await new Promise((r) => setTimeout(r, 5)); // a slow device: the next batch is tokenised meanwhile
        return await run(...args);
      } finally {
        running--;
      }
    };
    const tokenizerConfig = JSON.parse(await readFile(resolve(dir, 'tokenizer_config.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    const ours = new SentenceEncoder({
      session: session,
      Tensor: ort.Tensor,
      tokenizer: createTokenizer(
        'huggingface',
        JSON.parse(await readFile(resolve(dir, 'tokenizer.json'), 'utf8')),
        tokenizerConfig,
      ),
      pooling: 'mean',
      maxTokens: 256,
      runPlan: { runOverheadTokens: 8, maxTokensPerRun: 4096 }, // several runs per batch: runs of batches queue together
    });
    const batches = [texts, texts.slice(2), [...texts].reverse(), [texts[4]!, texts[1]!]];
    const together = await Promise.all(batches.map((b) => ours.embed(b)));
    expect(mostAtOnce).toBe(1);
    expect(together.reduce((n, o) => n + o.runs, 0)).toBeGreaterThan(batches.length);
    for (const [k, batch] of batches.entries()) {
      const alone = await ours.embed(batch);
      expect(together[k]!.vectors.length).toBe(batch.length * 384);
      for (let i = 0; i < batch.length; i++) {
        const a = together[k]!.vectors.subarray(i * 384, (i + 1) * 384);
        expect(cos(a, alone.vectors.subarray(i * 384, (i + 1) * 384)), `${k}:${batch[i]}`).toBeGreaterThanOrEqual(
          0.99999,
        );
      }
    }
    await ours.release();
  });

  it('shape steps round every run up (powers of two below the row step, multiples of it above; extra rows dropped) and change no vector', async () => {
    const plain = await encoder('minilm-l6', 'onnx/model_quantized.onnx', 256, 'sentence_embedding');
    const shapes: number[][] = [];
    const batch = [...texts, ...texts, ...texts, ...texts.slice(0, 3)];
    const a = await plain.embed(batch);
    const spied = await encoder(
      'minilm-l6',
      'onnx/model_quantized.onnx',
      256,
      'sentence_embedding',
      { length: 8, count: 4 },
      (dims) => shapes.push([...dims]),
    );
    const b = await spied.embed(batch);
    expect(shapes.length).toBe(b.runs);
    for (const [rows, length] of shapes) {
      expect([1, 2].includes(rows!) || rows! % 4 === 0, `rows ${rows}`).toBe(true);
      expect(length! % 8).toBe(0);
    }
    expect(shapes.some(([rows]) => rows! > 4)).toBe(true); // the steps above the count step were exercised too
    expect(b.paddedTokens).toBe(shapes.reduce((n, [rows, length]) => n + rows! * length!, 0));
    expect(b.vectors.length).toBe(batch.length * 384);
    for (let i = 0; i < batch.length; i++) {
      expect(
        cos(a.vectors.subarray(i * 384, (i + 1) * 384), b.vectors.subarray(i * 384, (i + 1) * 384)),
        batch[i],
      ).toBeGreaterThanOrEqual(0.9999);
    }
    // Never past maxTokens: a 16-token cap keeps a 16-long run at 16 even with a step of 12.
    const capped = await encoder('lexical', 'onnx/model.onnx', 16, undefined, { length: 12, count: 1 });
    expect((await capped.embed([texts[5]!])).paddedTokens).toBe(16);
    for (const e of [plain, spied, capped]) await e.release();
  });

  it('an attention bound splits long texts into smaller runs (rows x length² within it) and changes no vector', async () => {
    // Paragraphs of ~10-120 tokens between short texts.
    const paragraphs = Array.from({ length: 8 }, (_, k) =>
      Array.from({ length: 1 + k }, (_, j) => texts[(j + k) % 4]).join(' '),
    );
    const batch = [...paragraphs, ...texts];
    const bound = 20_000;
    const plainShapes: number[][] = [];
    const plain = await encoder(
      'minilm-l6',
      'onnx/model_quantized.onnx',
      256,
      'sentence_embedding',
      undefined,
      (dims) => plainShapes.push([...dims]),
    );
    const a = await plain.embed(batch);
    expect(plainShapes.some(([rows, length]) => rows! > 1 && rows! * length! * length! > bound)).toBe(true); // without it
    const shapes: number[][] = [];
    const spied = await encoder(
      'minilm-l6',
      'onnx/model_quantized.onnx',
      256,
      'sentence_embedding',
      undefined,
      (dims) => shapes.push([...dims]),
      bound,
    );
    const b = await spied.embed(batch);
    expect(shapes.length).toBe(b.runs);
    for (const [rows, length] of shapes) if (rows! > 1) expect(rows! * length! * length!).toBeLessThanOrEqual(bound);
    expect(shapes.some(([rows, length]) => rows === 1 && length! * length! > bound / 2)).toBe(true); // long texts alone
    expect(shapes.some(([rows]) => rows! > 2)).toBe(true); // short ones still share runs
    for (let i = 0; i < batch.length; i++) {
      expect(
        cos(a.vectors.subarray(i * 384, (i + 1) * 384), b.vectors.subarray(i * 384, (i + 1) * 384)),
        batch[i],
      ).toBeGreaterThanOrEqual(0.9999);
    }
    for (const e of [plain, spied]) await e.release();
  });

  it('truncates long texts at maxTokens and keeps the closing [SEP]', async () => {
    const ours = await encoder('lexical', 'onnx/model.onnx', 16);
    const ids = ours.tokenize(texts[5]!);
    expect(ids).toHaveLength(16);
    expect(ids[0]).toBe(101);
    expect(ids[15]).toBe(102);
    expect(ours.tokenize('hello world')).toEqual([101, 7592, 2088, 102]);
    // A megabyte text is clipped before tokenising (only its first 16 tokens count anyway).
    expect(ours.tokenize('coffee '.repeat(150_000))).toEqual([
      101,
      ...Array<number>(14).fill(ours.tokenize('coffee')[1]!),
      102,
    ]);
    const out = await ours.embed([texts[5]!]);
    expect(out.realTokens).toBe(16);
    await ours.release();
  });
});
