/**
 * use-lite conversion: deterministic and skipped when current; the ONNX model against the original TF.js graph
 * (100 sentences, one batch, onnxruntime-node and onnxruntime-web's WASM backend); padding, truncation and empty
 * rows; and retrieval quality against the `lexical` model.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate as generateProjectModels } from '../../scripts/models/index.js';
import { embedNode, releaseNodeSessions } from '../../scripts/models/node-embed.js';
import { STAMP_FILE } from '../../scripts/models/files.js';
import { generate } from '../../scripts/use-lite/index.js';
import { UseLiteNodeEmbedder } from '../../scripts/use-lite/node-embed.js';
import { MEMORY_CASES, recallAt1 } from './use-lite-memories.js';
import { loadUseReference, type UseReference } from './use-lite-reference.js';
import { USE_LITE_SENTENCES } from './use-lite-sentences.js';
import { cosine } from '../support/cosine.js';

let root: string;
let dir: string;
let reference: UseReference;
let expected: Float32Array[];
const embedders: UseLiteNodeEmbedder[] = [];

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'use-lite-model-'));
  dir = join(root, 'use-lite');
  await generate(root);
  reference = await loadUseReference();
  // One TF.js run for all 100 (the empty sentence sits in the middle: TF.js drops trailing empty rows).
  expected = await reference.embed(USE_LITE_SENTENCES);
}, 120_000);

afterAll(async () => {
  await Promise.all(embedders.map((e) => e.release()));
  await releaseNodeSessions();
  await rm(root, { recursive: true, force: true });
});

async function embedder(runtime: 'node' | 'web-wasm', file = 'onnx/model.onnx'): Promise<UseLiteNodeEmbedder> {
  const e = await UseLiteNodeEmbedder.create(dir, { runtime, file });
  embedders.push(e);
  return e;
}

function compare(actual: readonly Float32Array[], wanted: readonly Float32Array[]): { minCos: number; maxAbs: number } {
  let minCos = 1;
  let maxAbs = 0;
  actual.forEach((a, i) => {
    minCos = Math.min(minCos, cosine(a, wanted[i]!));
    for (let k = 0; k < a.length; k++) maxAbs = Math.max(maxAbs, Math.abs(a[k]! - wanted[i]![k]!));
  });
  return { minCos, maxAbs };
}

describe('use-lite conversion', () => {
  it('writes the transformers.js layout with a config the engine reads', async () => {
    for (const f of [
      'config.json',
      'tokenizer.json',
      'tokenizer_config.json',
      'onnx/model.onnx',
      'onnx/model_fp16.onnx',
      'onnx/model_quantized.onnx',
      STAMP_FILE,
    ]) {
      expect(existsSync(join(dir, f)), f).toBe(true);
    }
    const config = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8')) as {
      agentmem: Record<string, unknown>;
    };
    expect(config.agentmem).toMatchObject({
      pooling: 'none',
      dimensions: 512,
      maxTokens: 128,
      tokenizer: 'use-unigram',
    });
    expect(Object.keys(config.agentmem['variants'] as object).sort()).toEqual(['fp16', 'fp32', 'int8']);
  });

  it('is deterministic and skips a folder that is current', async () => {
    const before = await stat(join(dir, 'onnx/model.onnx'));
    await generate(root);
    expect((await stat(join(dir, 'onnx/model.onnx'))).mtimeMs).toBe(before.mtimeMs);

    const other = await mkdtemp(join(tmpdir(), 'use-lite-again-'));
    try {
      await generate(other);
      for (const f of [
        'onnx/model.onnx',
        'onnx/model_fp16.onnx',
        'onnx/model_quantized.onnx',
        'tokenizer.json',
        'config.json',
        STAMP_FILE,
      ]) {
        expect(Buffer.compare(await readFile(join(dir, f)), await readFile(join(other, 'use-lite', f))), f).toBe(0);
      }
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  }, 60_000);

  it('has dense int64 inputs and one [batch, 512] output', async () => {
    const session = await ort.InferenceSession.create(join(dir, 'onnx/model.onnx'));
    try {
      expect(session.inputNames).toEqual(['input_ids', 'attention_mask']);
      expect(session.outputNames).toEqual(['sentence_embedding']);
    } finally {
      await session.release();
    }
  });
});

describe('use-lite parity with the TF.js original', () => {
  for (const runtime of ['node', 'web-wasm'] as const) {
    it(`${runtime}: cosine >= 0.999 on each of 100 sentences, token ids identical`, async () => {
      const e = await embedder(runtime);
      for (const s of USE_LITE_SENTENCES) expect(e.tokenizer.encode(s), s).toEqual(reference.tokenize(s));
      const actual = await e.embed(USE_LITE_SENTENCES);
      const { minCos, maxAbs } = compare(actual, expected);
      console.log(`[use-lite] ${runtime}: min cos ${minCos}, max |Δ| ${maxAbs.toExponential(2)} over 100 sentences`);
      USE_LITE_SENTENCES.forEach((s, i) => expect(cosine(actual[i]!, expected[i]!), s).toBeGreaterThanOrEqual(0.999));
      expect(maxAbs).toBeLessThan(1e-4);
    }, 60_000);
  }

  // Smaller files, looser: fp16 stores weights only (float32 compute); int8 quantises weights and activations.
  for (const [file, floor] of [
    ['onnx/model_fp16.onnx', 0.9999],
    ['onnx/model_quantized.onnx', 0.995],
  ] as const) {
    it(`${file}: cosine >= ${floor} on each of 100 sentences`, async () => {
      const actual = await (await embedder('node', file)).embed(USE_LITE_SENTENCES);
      const { minCos } = compare(actual, expected);
      console.log(`[use-lite] ${file}: min cos ${minCos} over 100 sentences`);
      expect(minCos).toBeGreaterThanOrEqual(floor);
    }, 60_000);
  }

  it('int8: a text’s vector does not depend on the rest of its batch', async () => {
    const e = await embedder('node', 'onnx/model_quantized.onnx');
    const batched = await e.embed(USE_LITE_SENTENCES.slice(0, 20));
    const [alone] = await e.embed([USE_LITE_SENTENCES[6]!]);
    expect(cosine(alone!, batched[6]!)).toBeGreaterThan(0.99999);
  });

  it('gives each text the same vector alone as in a padded batch', async () => {
    const e = await embedder('node');
    const texts = [USE_LITE_SENTENCES[1]!, 'word '.repeat(150), ''];
    const batched = await e.embed(texts);
    for (const [i, text] of texts.entries()) {
      const [alone] = await e.embed([text]);
      expect(cosine(alone!, batched[i]!)).toBeGreaterThan(0.99999);
    }
  });

  it('reads the first 128 tokens, like the original', async () => {
    const e = await embedder('node');
    const long = USE_LITE_SENTENCES.find((s) => reference.tokenize(s).length > 200)!;
    const [ours] = await e.embed([long]);
    const [original] = await reference.embed([long]);
    expect(cosine(ours!, original!)).toBeGreaterThan(0.999);
  });

  for (const file of ['onnx/model.onnx', 'onnx/model_quantized.onnx']) {
    it(`${file}: embeds an all-empty batch (the original throws) as the original embeds an empty row`, async () => {
      // int8 also guards an onnxruntime quirk: ReduceMax over axis -1 of a [0, D] input returns [0, D].
      const e = await embedder('node', file);
      const emptyInBatch = expected[USE_LITE_SENTENCES.indexOf('')]!;
      const vectors = await e.embed(['', '']);
      expect(vectors).toHaveLength(2);
      for (const v of vectors) expect(cosine(v, emptyInBatch)).toBeGreaterThan(0.99999);
    });
  }
});

describe('use-lite retrieval', () => {
  it('finds the paraphrased memory (recall@1 >= 0.8), far above lexical', async () => {
    const e = await embedder('node');
    const memories = MEMORY_CASES.map((c) => c.memory);
    const queries = MEMORY_CASES.map((c) => c.query);
    const recall = recallAt1(await e.embed(memories), await e.embed(queries));

    const lexicalDir = resolve('public/models/lexical');
    if (!existsSync(join(lexicalDir, 'onnx/model.onnx')))
      await generateProjectModels(resolve('public/models'), { log: false });
    const lexical = recallAt1(await embedNode(lexicalDir, memories), await embedNode(lexicalDir, queries));
    console.log(
      `[use-lite] recall@1 on ${MEMORY_CASES.length} paraphrased memories: use-lite ${recall}, lexical ${lexical}`,
    );
    expect(recall).toBeGreaterThanOrEqual(0.8);
    expect(recall - lexical).toBeGreaterThanOrEqual(0.3);
  }, 120_000);
});
