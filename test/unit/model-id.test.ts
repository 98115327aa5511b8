import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { holdsModel, modelFingerprint, modelIdOf } from '../../src/models/model-id.js';
import { sha256BytesHex, sha256Hex } from '../../src/sha256.js';
import { createHash } from 'node:crypto';

const folder = resolve(import.meta.dirname, '../../public/models/use-lite');
const files = {
  configJson: readFileSync(`${folder}/config.json`, 'utf8'),
  tokenizerJson: readFileSync(`${folder}/tokenizer.json`, 'utf8'),
  tokenizerConfigJson: readFileSync(`${folder}/tokenizer_config.json`, 'utf8'),
};
const onnx = (): ArrayBuffer => {
  const bytes = readFileSync(`${folder}/onnx/model_quantized.onnx`);
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length);
};

describe('sha256BytesHex', () => {
  it('matches node:crypto on bytes of every padding case, and the string form on UTF-8', () => {
    for (const n of [0, 1, 55, 56, 63, 64, 65, 1000, 70_000]) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 31 + n) & 255);
      expect(sha256BytesHex(bytes)).toBe(createHash('sha256').update(bytes).digest('hex'));
    }
    expect(sha256BytesHex(new TextEncoder().encode('Ünïcødé ☕'))).toBe(sha256Hex('Ünïcødé ☕'));
  });
});

describe('modelFingerprint', () => {
  it('names the content: equal for the same files, different when any weight byte, the tokenizer or the size changes', async () => {
    const base = await modelFingerprint(files, onnx());
    expect(base).toMatch(/^[0-9a-f]{16}$/);
    expect(await modelFingerprint({ ...files }, onnx())).toBe(base);
    // Bytes far from each other and from the file's ends: a fine-tune may change any of them.
    for (const at of [1, 1_000_003, 3_333_333, onnx().byteLength - 2]) {
      const changed = new Uint8Array(onnx());
      changed[at] = changed[at]! ^ 1;
      expect(await modelFingerprint(files, changed.buffer)).not.toBe(base);
    }
    expect(await modelFingerprint({ ...files, tokenizerJson: `${files.tokenizerJson} ` }, onnx())).not.toBe(base);
    expect(await modelFingerprint(files, onnx().slice(0, -1))).not.toBe(base);
  });

  it('is the same without WebCrypto (our own SHA-256, as on a page that is not a secure context)', async () => {
    const base = await modelFingerprint(files, onnx());
    vi.stubGlobal('crypto', undefined);
    try {
      expect(await modelFingerprint(files, onnx())).toBe(base);
    } finally {
      vi.unstubAllGlobals();
    }
  });
});

describe('holdsModel', () => {
  const id = modelIdOf('https://a.test/models/use-lite/', 'int8', '0123456789abcdef');

  it('matches the same variant and fingerprint under another folder name, or a former id', () => {
    expect(holdsModel(id, { modelId: id })).toBe(true);
    expect(holdsModel('copy-of-use-lite#int8@0123456789abcdef', { modelId: id })).toBe(true);
    const former = 'https://a.test/models/use-lite/#int8';
    expect(holdsModel(former, { modelId: id, formerModelIds: [former] })).toBe(true);
  });

  it('refuses another variant, another fingerprint, another URL id, or a custom id that differs', () => {
    expect(holdsModel('use-lite#fp32@0123456789abcdef', { modelId: id })).toBe(false);
    expect(holdsModel('use-lite#int8@0123456789abcdee', { modelId: id })).toBe(false);
    expect(
      holdsModel('https://b.test/models/use-lite/#int8', {
        modelId: id,
        formerModelIds: ['https://a.test/models/use-lite/#int8'],
      }),
    ).toBe(false);
    expect(holdsModel('my-server-model', { modelId: 'my-other-model' })).toBe(false);
    expect(holdsModel('my-server-model', { modelId: 'my-server-model' })).toBe(true);
  });
});
