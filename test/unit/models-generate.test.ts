/**
 * Model generation (scripts/models): the transformers.js folder layout, byte-for-byte determinism, and the stamp
 * that skips regeneration when files are current and redoes it when they are not.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MODEL_NAMES, generate } from '../../scripts/models/index.js';

const dirs: string[] = [];
let generated: string | undefined;
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tempRoot(): string {
  const d = mkdtempSync(join(tmpdir(), 'agentmem-models-'));
  dirs.push(d);
  return d;
}

function listFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else out.push(relative(root, p));
    }
  };
  walk(root);
  return out.sort();
}

function hashes(root: string): Record<string, string> {
  return Object.fromEntries(
    listFiles(root).map((f) => [
      f,
      createHash('sha256')
        .update(readFileSync(join(root, f)))
        .digest('hex'),
    ]),
  );
}

describe('generate', () => {
  it(
    'writes every model in transformers.js layout, byte-identical across runs, and skips when current',
    { timeout: 180_000 },
    async () => {
      const a = tempRoot();
      const b = tempRoot();
      await generate(a, { log: false });
      await generate(b, { log: false });
      generated = b;
      const expected = [
        '.agentmem-stamp.json',
        'config.json',
        'onnx/model.onnx',
        'onnx/model_fp16.onnx',
        'onnx/model_quantized.onnx',
        'tokenizer.json',
        'tokenizer_config.json',
      ];
      for (const name of MODEL_NAMES) expect(listFiles(join(a, name))).toEqual(expected);
      const ha = hashes(a);
      expect(Object.keys(ha)).toHaveLength(expected.length * MODEL_NAMES.length);
      expect(hashes(b)).toEqual(ha);

      // Current: a second run leaves the files alone (mtimes unchanged).
      const model = join(a, 'minilm-l6', 'onnx', 'model.onnx');
      const before = statSync(model).mtimeMs;
      await generate(a, { log: false });
      expect(statSync(model).mtimeMs).toBe(before);

      // Damaged (truncated file): regenerated, same bytes as before.
      writeFileSync(model, 'truncated');
      await generate(a, { log: false });
      expect(hashes(a)).toEqual(ha);

      // Stale stamp (another generator version): regenerated.
      const stampPath = join(a, 'lexical', '.agentmem-stamp.json');
      const stamp = JSON.parse(readFileSync(stampPath, 'utf8')) as { generator: string };
      writeFileSync(stampPath, JSON.stringify({ ...stamp, generator: 'older' }));
      const lexical = join(a, 'lexical', 'onnx', 'model.onnx');
      const lexBefore = statSync(lexical).mtimeMs;
      await new Promise((r) => setTimeout(r, 20));
      await generate(a, { log: false });
      expect(statSync(lexical).mtimeMs).toBeGreaterThan(lexBefore);
      expect(hashes(a)).toEqual(ha);
    },
  );

  it('writes configs with the BERT fields and the agentmem block', { timeout: 120_000 }, async () => {
    const root = generated ?? tempRoot();
    await generate(root, { log: false });
    const minilm = JSON.parse(readFileSync(join(root, 'minilm-l6', 'config.json'), 'utf8')) as Record<string, unknown>;
    expect(minilm).toMatchObject({
      model_type: 'bert',
      hidden_size: 384,
      num_hidden_layers: 6,
      num_attention_heads: 12,
      intermediate_size: 1536,
      max_position_embeddings: 512,
      type_vocab_size: 2,
      vocab_size: 30522,
      layer_norm_eps: 1e-12,
      hidden_act: 'gelu',
      agentmem: { pooling: 'mean', dimensions: 384 },
    });
    const lexical = JSON.parse(readFileSync(join(root, 'lexical', 'config.json'), 'utf8')) as Record<string, unknown>;
    expect(lexical).toMatchObject({ model_type: 'bert', agentmem: { pooling: 'mean', dimensions: 256 } });
    const tokConfig = JSON.parse(readFileSync(join(root, 'lexical', 'tokenizer_config.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(tokConfig).toMatchObject({ tokenizer_class: 'BertTokenizer', do_lower_case: true, model_max_length: 512 });
  });
});
