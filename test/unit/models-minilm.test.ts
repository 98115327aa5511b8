/**
 * minilm-l6 (seeded all-MiniLM-L6-v2 architecture) in onnxruntime-node and onnxruntime-web's WASM backend:
 * shapes, unit vectors, input-dependence, batch independence (the per-row int8 quantisation's purpose), and
 * agreement of the fp16 and int8 variants with fp32.
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import * as ortWeb from 'onnxruntime-web';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from '../../scripts/models/index.js';
import { embedNode, releaseNodeSessions, type NodeVariant } from '../../scripts/models/node-embed.js';

const root = resolve(import.meta.dirname, '../../public/models');
const dir = join(root, 'minilm-l6');

const sentences = [
  'I drink coffee every morning',
  'User prefers window seats on morning flights',
  'The meeting was moved to Thursday at 3pm.',
  'Remember that Alice is allergic to peanuts!',
  'hello world',
  'The quick brown fox jumps over the lazy dog',
  'Café résumé naïve — déjà vu',
  'My daughter starts school in September 2025',
  'Prefers dark mode in every editor and terminal',
  'x',
  'A considerably longer memory about a trip to Lisbon, the tram rides, pastel de nata, and the view from the castle.',
  'Password hints must never be stored.',
];

const dot = (a: Float32Array, b: Float32Array): number => a.reduce((s, x, i) => s + x * b[i]!, 0);

beforeAll(async () => {
  await generate(root, { log: false });
}, 120_000);

afterAll(releaseNodeSessions);

describe('minilm-l6 in onnxruntime-node', () => {
  it.each(['fp32', 'fp16', 'int8'] as NodeVariant[])(
    '%s: one unit-length 384-d vector per text, varying with the text',
    async (variant) => {
      const vectors = await embedNode(dir, sentences, variant);
      expect(vectors).toHaveLength(sentences.length);
      for (const v of vectors) {
        expect(v).toHaveLength(384);
        expect(v.every(Number.isFinite)).toBe(true);
        expect(Math.sqrt(dot(v, v))).toBeCloseTo(1, 5);
      }
      for (let i = 1; i < vectors.length; i++) expect(dot(vectors[0]!, vectors[i]!)).toBeLessThan(0.99);
    },
    60_000,
  );

  it.each(['fp16', 'int8'] as NodeVariant[])(
    '%s agrees with fp32 (cosine of pooled vectors)',
    async (variant) => {
      const ref = await embedNode(dir, sentences, 'fp32');
      const got = await embedNode(dir, sentences, variant);
      const cosines = ref.map((r, i) => dot(r, got[i]!));
      expect(Math.min(...cosines)).toBeGreaterThan(variant === 'fp16' ? 0.999 : 0.99);
    },
    60_000,
  );

  it.each(['fp32', 'int8'] as NodeVariant[])(
    '%s: a text gets the same vector alone and in a mixed-length batch',
    async (variant) => {
      const batched = await embedNode(dir, sentences, variant, { batchSize: sentences.length });
      for (let i = 0; i < sentences.length; i++) {
        const [single] = await embedNode(dir, [sentences[i]!], variant);
        expect(dot(single!, batched[i]!)).toBeGreaterThan(0.99999);
      }
    },
    60_000,
  );
});

describe('minilm-l6 in onnxruntime-web (WASM backend, Node)', () => {
  it('runs fp32 and int8 and matches onnxruntime-node', async () => {
    ortWeb.env.wasm.numThreads = 1;
    const ids = [
      [101, 7592, 2088, 102, 0, 0, 0],
      [101, 1045, 2293, 1998, 2009, 1010, 102],
    ];
    const dims = [2, 7];
    const feeds = {
      input_ids: new ortWeb.Tensor('int64', BigInt64Array.from(ids.flat(), BigInt), dims),
      attention_mask: new ortWeb.Tensor(
        'int64',
        BigInt64Array.from(ids.flat(), (v) => (v === 0 ? 0n : 1n)),
        dims,
      ),
      token_type_ids: new ortWeb.Tensor('int64', new BigInt64Array(14), dims),
    };
    // Reference: the same two texts through onnxruntime-node ("hello world", "i love and it ,").
    for (const [variant, file] of [
      ['fp32', 'model.onnx'],
      ['int8', 'model_quantized.onnx'],
    ] as const) {
      const session = await ortWeb.InferenceSession.create(await readFile(join(dir, 'onnx', file)), {
        executionProviders: ['wasm'],
      });
      const out = (await session.run(feeds))['last_hidden_state']!;
      expect(out.dims).toEqual([2, 7, 384]);
      const data = out.data as Float32Array;
      const [hello, other] = await embedNode(dir, ['hello world', 'i love and it ,'], variant);
      const pooled = (row: number, length: number): Float32Array => {
        const v = new Float32Array(384);
        for (let t = 0; t < length; t++) for (let j = 0; j < 384; j++) v[j] = v[j]! + data[(row * 7 + t) * 384 + j]!;
        const n = Math.sqrt(dot(v, v));
        return v.map((x) => x / n);
      };
      expect(dot(pooled(0, 4), hello!)).toBeGreaterThan(0.99999);
      expect(dot(pooled(1, 7), other!)).toBeGreaterThan(0.99999);
      await session.release();
    }
  }, 60_000);

  it.each(['model.onnx', 'model_fp16.onnx', 'model_quantized.onnx'])(
    '%s: sentence_embedding is the masked mean of last_hidden_state',
    async (file) => {
      const ids = [
        [101, 7592, 2088, 102, 0, 0, 0],
        [101, 1045, 2293, 1998, 2009, 1010, 102],
      ];
      const dims = [2, 7];
      const session = await ortWeb.InferenceSession.create(await readFile(join(dir, 'onnx', file)), {
        executionProviders: ['wasm'],
      });
      const out = await session.run({
        input_ids: new ortWeb.Tensor('int64', BigInt64Array.from(ids.flat(), BigInt), dims),
        attention_mask: new ortWeb.Tensor(
          'int64',
          BigInt64Array.from(ids.flat(), (v) => (v === 0 ? 0n : 1n)),
          dims,
        ),
        token_type_ids: new ortWeb.Tensor('int64', new BigInt64Array(14), dims),
      });
      const hidden = out['last_hidden_state']!.data as Float32Array;
      const sentence = out['sentence_embedding']!;
      expect(sentence.dims).toEqual([2, 384]);
      expect(sentence.type).toBe('float32');
      for (const [row, length] of [
        [0, 4],
        [1, 7],
      ] as const) {
        for (let j = 0; j < 384; j++) {
          let sum = 0;
          for (let t = 0; t < length; t++) sum += hidden[(row * 7 + t) * 384 + j]!;
          expect((sentence.data as Float32Array)[row * 384 + j]!).toBeCloseTo(sum / length, 5);
        }
      }
      await session.release();
    },
    60_000,
  );
});

describe('minilm-l6 graphs', () => {
  it('int8 quantises activations per row (an integer GEMM fed by ReduceMax over the last axis, no DynamicQuantizeLinear), query/key/value fused', async () => {
    const { decodeModel } = await import('../../scripts/onnx/index.js');
    const model = decodeModel(await readFile(join(dir, 'onnx', 'model_quantized.onnx'))) as {
      graph: { node: { op_type: string; domain?: string; attribute?: { name: string; ints?: number[] }[] }[] };
    };
    const ops = model.graph.node.map((n) => n.op_type);
    // Per layer: query+key+value (one GEMM, then Split), attention output, FFN up, FFN down.
    const gemms = model.graph.node.filter((n) => n.op_type === 'MatMulIntegerToFloat');
    expect(gemms).toHaveLength(6 * 4);
    for (const n of gemms) expect(n.domain).toBe('com.microsoft');
    expect(ops.filter((op) => op === 'Split')).toHaveLength(6);
    expect(ops).not.toContain('DynamicQuantizeLinear');
    expect(ops.filter((op) => op === 'MatMul')).toHaveLength(6 * 2); // only attention's products of activations stay float
    const reduces = model.graph.node.filter((n) => n.op_type === 'ReduceMax');
    expect(reduces).toHaveLength(24);
    for (const r of reduces) expect(r.attribute?.find((a) => a.name === 'axes')?.ints).toEqual([-1]);
  });

  it('loads through transformers.js (the benchmark baseline) with the same vectors', async () => {
    const { pipeline, env } = await import('@huggingface/transformers');
    env.localModelPath = `${root}/`;
    env.allowRemoteModels = false;
    const texts = sentences.slice(0, 4);
    for (const [dtype, variant] of [
      ['fp32', 'fp32'],
      ['q8', 'int8'],
    ] as const) {
      const extractor = await pipeline('feature-extraction', 'minilm-l6', { dtype });
      const out = await extractor(texts, { pooling: 'mean', normalize: true });
      const data = out.data as Float32Array;
      const ours = await embedNode(dir, texts, variant);
      ours.forEach((v, i) => expect(dot(v, data.subarray(i * 384, (i + 1) * 384))).toBeGreaterThan(0.99999));
      await extractor.dispose();
    }
  }, 60_000);
});
