/**
 * tokenizer.json / tokenizer_config.json for USE Lite from the package's `vocab.json` (8000 `[piece, score]`).
 *
 * Settings that reproduce USE's preprocessing in a stock Unigram (USE-LITE.md §4): NFKC, prepend "▁", every
 * U+0020 -> "▁" (no collapsing, stripping or lowercasing), no pre-tokenizer (Metaspace mishandles leading spaces),
 * no BOS/EOS, unk id 0, no byte fallback. Ids 1-5 (`<s>`, `</s>`, extra_token_id_1..3) are never produced by USE,
 * so they score -1e9 to keep the Viterbi off them. Nine ":" pieces have broken scores in the vocabulary (seven
 * null, ":30" = +30); the original JavaScript treats null as 0, so we write 0.
 *
 * A stock Unigram still differs from USE on exact ties in runs of identical characters and on text starting with
 * ":", so config.json sends the engine to `src/models/use-tokenizer.ts` (which reads the same `model.vocab`).
 */
export type VocabEntry = readonly [string, number | null];

const RESERVED_UNUSED = [1, 2, 3, 4, 5];
const NEVER = -1e9;

export function tokenizerJson(vocab: readonly VocabEntry[]): object {
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [],
    normalizer: {
      type: 'Sequence',
      normalizers: [
        { type: 'NFKC' },
        { type: 'Prepend', prepend: '\u2581' },
        { type: 'Replace', pattern: { String: ' ' }, content: '\u2581' },
      ],
    },
    pre_tokenizer: null,
    post_processor: null,
    decoder: { type: 'Metaspace', replacement: '\u2581', prepend_scheme: 'always', split: true },
    model: {
      type: 'Unigram',
      unk_id: 0,
      byte_fallback: false,
      vocab: vocab.map(([piece, score], id) => [piece, RESERVED_UNUSED.includes(id) ? NEVER : (score ?? 0)]),
    },
  };
}

export function tokenizerConfigJson(maxTokens: number): object {
  return {
    tokenizer_class: 'PreTrainedTokenizerFast',
    model_max_length: maxTokens,
    // The model reads only attention_mask-selected ids, so the pad id is irrelevant; "</s>" is never produced.
    pad_token: '</s>',
    unk_token: '\ufffd',
    padding_side: 'right',
    clean_up_tokenization_spaces: false,
  };
}
