import { describe, expect, it } from 'vitest';
import { boundRunsForModel, checkOptions, settingsFor } from '../../src/engine/options.js';
import { autoBackends } from '../../src/engine/start.js';
import { ValidationError } from '../../src/errors.js';
import { readModelSpec } from '../../src/models/config.js';
import { validateText } from '../../src/engine/text.js';

const env = { hardwareConcurrency: 8, crossOriginIsolated: true };

describe('checkOptions', () => {
  it('accepts the documented options and fills defaults with ?? (a 0 survives)', () => {
    const o = checkOptions({ model: '/models/minilm-l6', maxWaitMs: 0, cache: { memoryEntries: 0 } });
    expect(o).toMatchObject({
      backend: 'auto',
      maxWaitMs: 0,
      memoryEntries: 0,
      cacheEnabled: true,
      maxQueue: 4096,
      maxTokens: 256,
    });
    expect(checkOptions({ model: 'm', cache: false })).toMatchObject({
      cacheEnabled: false,
      memoryEntries: 0,
      maxEntries: 0,
      persistentCache: undefined,
    });
    expect(checkOptions({ model: 'm' })).toMatchObject({ memoryEntries: 10_000, maxEntries: 50_000 });
    expect(checkOptions({ model: 'm', cache: { maxEntries: 0 } })).toMatchObject({
      cacheEnabled: true,
      memoryEntries: 10_000,
      maxEntries: 0,
    });
  });

  it.each([
    [{ model: 'm', workers: 0 }, 'Expected `workers` to be an integer from 1 to 16, got `0` (number)'],
    [{ model: 'm', workers: 17 }, 'Expected `workers` to be an integer from 1 to 16, got `17` (number)'],
    [{ model: 'm', threads: '2' }, 'Expected `threads` to be an integer from 1 to 16, got `"2"` (string)'],
    [{ model: 'm', variant: 'q4' }, "Expected `variant` to be one of 'fp32', 'fp16', 'int8', got `\"q4\"` (string)"],
    [{ model: 'm', maxWaitMs: -1 }, 'Expected `maxWaitMs` to be a number from 0 to 10000, got `-1` (number)'],
    [{ model: 'm', maxQueue: 0 }, 'Expected `maxQueue` to be an integer from 1 to 1000000, got `0` (number)'],
    [{ model: 'm', maxTokens: 1 }, 'Expected `maxTokens` to be an integer from 2 to 8192, got `1` (number)'],
    [
      { model: 'm', timeoutMs: Number.NaN },
      'Expected `timeoutMs` to be a number from 1 to 86400000, got `NaN` (number)',
    ],
    [
      { model: 'm', cache: { maxEntries: 1.5 } },
      'Expected `cache.maxEntries` to be an integer from 0 to 10000000, got `1.5` (number)',
    ],
    [
      { model: 'm', cache: { maxEntries: '100' } },
      'Expected `cache.maxEntries` to be an integer from 0 to 10000000, got `"100"` (string)',
    ],
    [
      { model: 'm', cache: { maxEntries: -1 } },
      'Expected `cache.maxEntries` to be an integer from 0 to 10000000, got `-1` (number)',
    ],
    [
      { model: 'm', cache: { maxEnties: 10 } },
      'Unknown option `cache.maxEnties`; expected `cache.memoryEntries` or `cache.maxEntries`',
    ],
    [{ model: 'm', onProgress: 'log' }, 'Expected `onProgress` to be a function, got `"log"` (string)'],
    [
      { model: 'm', persistentCache: {} },
      'Expected `persistentCache` to be an object with `getMany` and `putMany` methods, got `{}` (object)',
    ],
    [{ model: 'm', wasmPaths: { wasm: 1 } }, 'Expected `wasmPaths.wasm` to be a string, got `1` (number)'],
    [{ model: 42 }, 'Expected `model` to be a string, got `42` (number)'],
    [null, 'Expected `options` to be a plain object, got `null` (null)'],
  ])('rejects %j', (options, message) => {
    expect(() => checkOptions(options)).toThrow(new ValidationError(message));
  });

  it('rejects unknown keys (typos) by name', () => {
    expect(() => checkOptions({ model: 'm', maxbatch: 3 })).toThrow(/Unknown option `maxbatch`/);
  });
});

describe('settingsFor', () => {
  it('derives per-backend defaults', () => {
    const o = checkOptions({ model: 'm' });
    expect(settingsFor(o, 'wasm', env)).toMatchObject({ workers: 4, threads: 1, maxBatch: 64 });
    expect(settingsFor(o, 'wasm', { ...env, hardwareConcurrency: 2 })).toMatchObject({ workers: 2 });
    expect(settingsFor(o, 'wasm', env)).toMatchObject({ pipelineDepth: 1, runPlan: { shapeSteps: undefined } });
    // WebGPU: one worker per 4 cores, 1 to 3; two batches in hand each.
    expect(settingsFor(o, 'webgpu', { ...env, hardwareConcurrency: 2 })).toMatchObject({
      workers: 1,
      maxBatch: 1024,
      pipelineDepth: 2,
      runPlan: { shapeSteps: { count: 64, length: 8 } },
    });
    expect(settingsFor(o, 'webgpu', { ...env, hardwareConcurrency: 8 })).toMatchObject({ workers: 2 });
    expect(settingsFor(o, 'webgpu', { ...env, hardwareConcurrency: 16 })).toMatchObject({ workers: 3 });
    expect(settingsFor(o, 'webgpu', { ...env, hardwareConcurrency: 64 })).toMatchObject({ workers: 3 });
    expect(
      settingsFor(checkOptions({ model: 'm', workers: 1, maxBatch: 4096 }), 'webgpu', {
        ...env,
        hardwareConcurrency: 16,
      }),
    ).toMatchObject({ workers: 1, maxBatch: 4096 });
  });

  it('uses threads only when cross-origin isolated, and caps workers x threads', () => {
    const o = checkOptions({ model: 'm', workers: 2, threads: 4 });
    expect(settingsFor(o, 'wasm', env).threads).toBe(4);
    expect(settingsFor(o, 'wasm', { ...env, crossOriginIsolated: false }).threads).toBe(1);
    expect(() => settingsFor(o, 'wasm', { ...env, hardwareConcurrency: 4 })).toThrow(
      'Expected `workers` × `threads` to be at most navigator.hardwareConcurrency (4), got 2 × 4',
    );
    // Threads are ignored without isolation, so they cannot oversubscribe the cores there.
    expect(settingsFor(o, 'wasm', { ...env, hardwareConcurrency: 4, crossOriginIsolated: false })).toMatchObject({
      workers: 2,
      threads: 1,
    });
  });

  it('sizes the default worker count by threads; single-threaded workers may outnumber the cores', () => {
    const threaded = checkOptions({ model: 'm', threads: 2 });
    expect(settingsFor(threaded, 'wasm', { ...env, hardwareConcurrency: 4 })).toMatchObject({ workers: 2, threads: 2 });
    expect(settingsFor(threaded, 'wasm', { ...env, hardwareConcurrency: 2 })).toMatchObject({ workers: 1, threads: 2 });
    expect(() =>
      settingsFor(checkOptions({ model: 'm', threads: 4 }), 'wasm', { ...env, hardwareConcurrency: 2 }),
    ).toThrow(
      'Expected `workers` × `threads` to be at most navigator.hardwareConcurrency (2), got 1 (the default) × 4',
    );
    expect(
      settingsFor(checkOptions({ model: 'm', workers: 4 }), 'wasm', { ...env, hardwareConcurrency: 2 }),
    ).toMatchObject({ workers: 4, threads: 1 });
  });
});

describe('autoBackends', () => {
  it('tries WebGPU first only on a hardware adapter; a fallback (software) adapter or none means WASM', () => {
    expect(autoBackends({ hasWebGPU: true, webgpuFallback: false })).toEqual(['webgpu', 'wasm']);
    expect(autoBackends({ hasWebGPU: true, webgpuFallback: true })).toEqual(['wasm']);
    expect(autoBackends({ hasWebGPU: false, webgpuFallback: false })).toEqual(['wasm']);
  });
});

describe('validateText', () => {
  it('accepts real text, including paired surrogates (emoji)', () => {
    expect(validateText('coffee ☕ 😀')).toBe('coffee ☕ 😀');
  });
  it('rejects empty, whitespace, non-strings and lone surrogates', () => {
    expect(() => validateText('')).toThrow(ValidationError);
    expect(() => validateText(' \n\t')).toThrow(/non-empty/);
    // Control characters tokenise like '': nothing to embed.
    for (const bad of ['\0', '\0 \0\t', '\u0007\u007F', '\r\n\0']) {
      expect(() => validateText(bad), JSON.stringify(bad)).toThrow(ValidationError);
    }
    expect(() => validateText('\0', 'texts[3]')).toThrow(
      'Expected `texts[3]` to be a non-empty string (not only whitespace or control characters), got `"\\u0000"` (string)',
    );
    expect(validateText('a\0b')).toBe('a\0b');
    expect(() => validateText(undefined)).toThrow('Expected `text` to be a string, got `undefined` (undefined)');
    expect(() => validateText('ab\uDC00')).toThrow(
      'Expected `text` to be well-formed UTF-16, got a lone surrogate at index 2',
    );
  });
});

describe('readModelSpec', () => {
  it('reads the project block', () => {
    const spec = readModelSpec(
      { hidden_size: 384, max_position_embeddings: 512, agentmem: { pooling: 'mean', dimensions: 384 } },
      { model_max_length: 512 },
      'c',
    );
    expect(spec).toEqual({
      pooling: 'mean',
      tokenizer: 'huggingface',
      output: undefined,
      dimensions: 384,
      maxPositions: 512,
    });
  });

  it('falls back to Hugging Face fields for a downloaded all-MiniLM-L6-v2 (no agentmem block)', () => {
    const hf = { architectures: ['BertModel'], hidden_size: 384, max_position_embeddings: 512 };
    // sentence-transformers' tokenizer config caps the sequence at 256 (and others say 1e30 for "no limit")
    expect(readModelSpec(hf, { model_max_length: 256 }, 'c')).toMatchObject({
      pooling: 'mean',
      dimensions: 384,
      maxPositions: 256,
    });
    expect(readModelSpec(hf, { model_max_length: 1e30 }, 'c')).toMatchObject({ maxPositions: 512 });
  });

  it('reads a sentence-level model (use-lite)', () => {
    const use = {
      hidden_size: 512,
      max_position_embeddings: 128,
      agentmem: {
        pooling: 'none',
        dimensions: 512,
        maxTokens: 128,
        tokenizer: 'use-unigram',
        output: 'sentence_embedding',
      },
    };
    expect(readModelSpec(use, {}, 'c')).toEqual({
      pooling: 'none',
      tokenizer: 'use-unigram',
      output: 'sentence_embedding',
      dimensions: 512,
      maxPositions: 128,
    });
  });

  it('reads the feed-forward width and the attention heads that size a run', () => {
    const bert = { hidden_size: 768, intermediate_size: 3072, num_attention_heads: 12, max_position_embeddings: 512 };
    expect(readModelSpec(bert, {}, 'c')).toMatchObject({ intermediateSize: 3072, attentionHeads: 12 });
    expect(readModelSpec({ dim: 768, hidden_dim: 3072, n_heads: 12 }, {}, 'c')).toMatchObject({
      intermediateSize: 3072,
      attentionHeads: 12,
    }); // DistilBERT
    expect(readModelSpec({ hidden_size: 512 }, {}, 'c')).not.toHaveProperty('intermediateSize');
  });

  it('rejects what it cannot honour', () => {
    expect(() => readModelSpec({ agentmem: { pooling: 'max' } }, {}, 'x/config.json')).toThrow(
      "Expected the pooling in x/config.json to be one of 'mean', 'cls', 'none', got `max`",
    );
    expect(() => readModelSpec([], {}, 'x/config.json')).toThrow('Expected x/config.json to hold a JSON object');
  });
});

describe('model URLs', () => {
  it('resolves folders (with a trailing slash) and names variants in the model id', async () => {
    const { resolveModelUrl, modelFileUrl } = await import('../../src/models/load.js');
    const { modelIdOf, urlModelIdOf } = await import('../../src/models/model-id.js');
    const folder = resolveModelUrl('https://example.test/models/all-MiniLM-L6-v2');
    expect(folder).toBe('https://example.test/models/all-MiniLM-L6-v2/');
    expect(resolveModelUrl(folder)).toBe(folder);
    expect(modelIdOf(folder, 'int8', '0123456789abcdef')).toBe('all-MiniLM-L6-v2#int8@0123456789abcdef');
    expect(urlModelIdOf(folder, 'int8')).toBe('https://example.test/models/all-MiniLM-L6-v2/#int8');
    expect(modelFileUrl(folder, 'fp16')).toBe('https://example.test/models/all-MiniLM-L6-v2/onnx/model_fp16.onnx');
    // A relative URL needs a page to be relative to (Node has none).
    expect(() => resolveModelUrl('/models/x')).toThrow(/Could not resolve the model URL `\/models\/x`/);
  });
});

describe('boundRunsForModel', () => {
  const gpu = settingsFor(checkOptions({ model: 'm', backend: 'webgpu' }), 'webgpu', env);
  const wasm = settingsFor(checkOptions({ model: 'm', backend: 'wasm' }), 'wasm', env);

  it('keeps the WebGPU defaults for minilm-l6 (they were measured on it) and never raises them', () => {
    expect(gpu.runPlan.maxTokensPerRun).toBe(21_504);
    expect(gpu.runPlan.maxAttentionPerRun).toBe(2_796_202); // 128 MiB of float32 scores over 12 heads
    expect(boundRunsForModel(gpu, { intermediateSize: 1536, attentionHeads: 12 })).toEqual(gpu);
    expect(boundRunsForModel(gpu, { intermediateSize: 512, attentionHeads: 4 })).toEqual(gpu);
    expect(boundRunsForModel(gpu, {})).toEqual(gpu);
  });

  it('lowers them for a wider model, so its largest tensors stay the same size', () => {
    // A BERT-base: feed-forward 3,072 wide (10,922 tokens x 3,072 floats ~ 128 MiB), 12 heads.
    expect(boundRunsForModel(gpu, { intermediateSize: 3072, attentionHeads: 12 })).toMatchObject({
      runPlan: { maxTokensPerRun: 10_922, maxAttentionPerRun: 2_796_202 },
    });
    expect(boundRunsForModel(gpu, { intermediateSize: 4096, attentionHeads: 16 })).toMatchObject({
      runPlan: { maxTokensPerRun: 8192, maxAttentionPerRun: 2_097_152 },
    });
  });

  it('leaves WASM alone (its bounds are about CPU caches)', () => {
    expect(boundRunsForModel(wasm, { intermediateSize: 4096, attentionHeads: 16 })).toEqual(wasm);
    expect(wasm).toMatchObject({ runPlan: { maxTokensPerRun: 4096, maxAttentionPerRun: 65_536 } });
  });
});
