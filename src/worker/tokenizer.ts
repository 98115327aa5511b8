/**
 * The tokenizers the worker can use, behind one small interface. Default: `@huggingface/tokenizers` (the
 * tokenizer of transformers.js v4) from `tokenizer.json`. A model whose config says
 * `"agentmem": { "tokenizer": "use-unigram" }` (Universal Sentence Encoder Lite) gets its exact SentencePiece
 * segmenter instead (see `src/models/use-tokenizer.ts` for why no tokenizer.json setting reproduces it).
 */
import { Tokenizer } from '@huggingface/tokenizers';
import { UseTokenizer } from '../models/use-tokenizer.js';

export type TokenizerKind = 'huggingface' | 'use-unigram';

export interface TextTokenizer {
  /** Token ids with the model's special tokens (BERT: `[CLS] … [SEP]`), untruncated. */
  encode(text: string): number[];
  /** Special tokens added after the text; truncation keeps them, as Hugging Face tokenizers do. */
  readonly suffixLength: number;
  readonly padId: number;
  /** Fed for a text that tokenises to nothing, so no row is empty. */
  readonly unknownId: number;
}

export function createTokenizer(
  kind: TokenizerKind,
  tokenizerJson: unknown,
  tokenizerConfig: Record<string, unknown>,
): TextTokenizer {
  if (kind === 'use-unigram') {
    const use = UseTokenizer.fromTokenizerJson(tokenizerJson);
    return { encode: (text) => use.encode(text), suffixLength: 0, padId: 0, unknownId: 0 };
  }
  const hf = new Tokenizer(tokenizerJson as object, tokenizerConfig);
  const padId = tokenId(hf, tokenizerConfig['pad_token']) ?? 0;
  return {
    encode: (text) => hf.encode(text).ids,
    suffixLength: suffixLength(hf),
    padId,
    unknownId: tokenId(hf, tokenizerConfig['unk_token']) ?? padId,
  };
}

function tokenId(tokenizer: Tokenizer, token: unknown): number | undefined {
  const content =
    typeof token === 'string'
      ? token
      : typeof token === 'object' && token !== null
        ? (token as { content?: unknown }).content
        : undefined;
  return typeof content === 'string' ? tokenizer.token_to_id(content) : undefined;
}

/** How many special tokens the post-processor appends after a single text (BERT: 1, a bare model: 0). */
function suffixLength(tokenizer: Tokenizer): number {
  const bare = tokenizer.encode('a', { add_special_tokens: false }).ids;
  const full = tokenizer.encode('a', { add_special_tokens: true }).ids;
  for (let prefix = 0; prefix + bare.length <= full.length; prefix++) {
    if (bare.every((id, i) => full[prefix + i] === id)) return full.length - prefix - bare.length;
  }
  return 0;
}
