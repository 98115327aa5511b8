/**
 * The USE tokenizer (src/models/use-tokenizer.ts) against the package's own (`@energetic-ai/embeddings`), and the
 * generated tokenizer.json against @huggingface/tokenizers and transformers.js.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { AutoTokenizer, env } from '@huggingface/transformers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelLoadError } from '../../src/errors.js';
import { UseTokenizer } from '../../src/models/use-tokenizer.js';
import { generate } from '../../scripts/use-lite/index.js';
import { loadUseReference, type UseReference } from './use-lite-reference.js';
import { USE_LITE_SENTENCES } from './use-lite-sentences.js';

let root: string;
let reference: UseReference;
let tokenizerJson: unknown;
let tokenizerConfig: object;
let ours: UseTokenizer;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'use-lite-tok-'));
  await generate(root);
  tokenizerJson = JSON.parse(await readFile(join(root, 'use-lite/tokenizer.json'), 'utf8'));
  tokenizerConfig = JSON.parse(await readFile(join(root, 'use-lite/tokenizer_config.json'), 'utf8')) as object;
  ours = UseTokenizer.fromTokenizerJson(tokenizerJson);
  reference = await loadUseReference();
}, 60_000);

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Deterministic strings heavy in what trips Unigram ports: runs, ':' pieces, spaces, unknown symbols. */
function fuzzStrings(count: number): string[] {
  const symbols = [...'abcE1-:. \u2581é你🙂\t,!?EEE111---::~ʬ'];
  let seed = 12345;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  return Array.from({ length: count }, () =>
    Array.from({ length: 1 + Math.floor(next() * 24) }, () => symbols[Math.floor(next() * symbols.length)]).join(''),
  );
}

/** Where a stock Unigram is known to differ from USE (USE-LITE.md §4): a run of >= 3 equal characters or a leading ':'. */
function isKnownUnigramQuirk(text: string): boolean {
  const normalized = text.normalize('NFKC');
  return /(.)\1\1/u.test(normalized) || normalized.startsWith(':');
}

describe('USE tokenizer', () => {
  it('gives the package tokenizer’s ids on all 100 parity sentences', () => {
    expect(USE_LITE_SENTENCES).toHaveLength(100);
    const mismatches = USE_LITE_SENTENCES.filter((s) => ours.encode(s).join() !== reference.tokenize(s).join());
    expect(mismatches).toEqual([]);
  });

  it('gives the package tokenizer’s ids on 3000 seeded strings of runs, colons and unknown symbols', () => {
    const mismatches = fuzzStrings(3000).filter((s) => ours.encode(s).join() !== reference.tokenize(s).join());
    expect(mismatches).toEqual([]);
  });

  it('keeps USE’s tie-break and leading-colon behaviour', () => {
    // Both differ from a stock Unigram; pinned against the package tokenizer so a regression shows.
    for (const text of ['EEE', 'EEEE EEEEE', '111', '---', ':', ':hello there', '::']) {
      expect(ours.encode(text)).toEqual(reference.tokenize(text));
    }
    expect(ours.encode('')).toEqual([]);
    expect(ours.encode('Hello world')).toEqual([341, 4125, 311]); // ▁H ello ▁world
  });

  it('maps characters outside the vocabulary to one unknown id per run', () => {
    const ids = ours.encode('ʬʬʬ x');
    expect(ids.filter((id) => id === 0)).toHaveLength(1);
    expect(ids).toEqual(reference.tokenize('ʬʬʬ x'));
  });

  it('rejects a tokenizer.json that is not Unigram', () => {
    expect(() => UseTokenizer.fromTokenizerJson({ model: { type: 'WordPiece', vocab: {} } })).toThrow(ModelLoadError);
    expect(() => UseTokenizer.fromTokenizerJson(null)).toThrow(ModelLoadError);
  });
});

describe('use-lite tokenizer.json', () => {
  it('loads in @huggingface/tokenizers and matches USE except on the documented quirks', () => {
    const hf = new Tokenizer(tokenizerJson as object, tokenizerConfig);
    const differing = USE_LITE_SENTENCES.filter(
      (s) => hf.encode(s, { add_special_tokens: false }).ids.join() !== reference.tokenize(s).join(),
    );
    expect(differing.every(isKnownUnigramQuirk)).toBe(true);
    expect(differing.length).toBeLessThanOrEqual(10);
    console.log(
      `[use-lite] stock Unigram (tokenizer.json) matches USE on ${100 - differing.length}/100 sentences; use-unigram on 100/100`,
    );
  });

  it('loads in transformers.js AutoTokenizer with the same ids as @huggingface/tokenizers', async () => {
    env.allowRemoteModels = false;
    env.localModelPath = `${root}/`;
    const auto = await AutoTokenizer.from_pretrained('use-lite');
    const hf = new Tokenizer(tokenizerJson as object, tokenizerConfig);
    for (const s of USE_LITE_SENTENCES) {
      expect(auto.encode(s, { add_special_tokens: false })).toEqual(hf.encode(s, { add_special_tokens: false }).ids);
    }
  });
});
