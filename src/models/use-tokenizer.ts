/**
 * The SentencePiece-Unigram tokenizer of Universal Sentence Encoder Lite, reimplemented so its ids are identical to
 * the ones the model was trained and shipped with (`@energetic-ai/embeddings`' / tfjs-models' `Tokenizer`).
 *
 * Why not `@huggingface/tokenizers`' Unigram: USE's Viterbi breaks exact score ties towards the *later* start
 * ("EEE", "111", "---" runs segment differently) and treats a running best of exactly 0 as "unset" (text starting
 * with ":" differs, because the vocabulary's ":" pieces carry null scores). No tokenizer.json setting reproduces
 * either, and each such difference costs up to 0.12 of cosine. So the model's config.json says
 * `"agentmem": { "tokenizer": "use-unigram" }` and the engine tokenizes with this class instead.
 *
 * The vocabulary is read from the model's own `tokenizer.json` (`model.vocab`, `[piece, score][]`), so there is
 * one source of truth. Pure TypeScript, no dependencies, safe in workers and Node.
 *
 * @example
 * const tokenizer = UseTokenizer.fromTokenizerJson(await (await fetch('/models/use-lite/tokenizer.json')).json());
 * tokenizer.encode('Hello world'); // [341, 4125, 311]
 */
import { ModelLoadError } from '../errors.js';

/** SentencePiece's meta symbol for a space. */
const SEPARATOR = '\u2581';
/** Ids 0-5 (`�`, `<s>`, `</s>`, `extra_token_id_1..3`) are never produced by the segmenter; 0 is the unknown id. */
const RESERVED_SYMBOLS = 6;
const UNK_ID = 0;

interface TrieNode {
  readonly children: Map<string, TrieNode>;
  /** Vocabulary id when a piece ends here, else -1. */
  id: number;
  score: number;
  /** Piece length in code points. */
  length: number;
}

function newNode(): TrieNode {
  return { children: new Map(), id: -1, score: 0, length: 0 };
}

export class UseTokenizer {
  readonly #root = newNode();
  readonly #vocabSize: number;

  /**
   * @param vocab `[piece, score]` in id order, as in USE's `vocab.json` or tokenizer.json's `model.vocab`.
   *   A null score counts as 0, as it does in the original JavaScript (`null + x === x`).
   */
  constructor(vocab: ReadonlyArray<readonly [string, number | null]>) {
    this.#vocabSize = vocab.length;
    for (let id = RESERVED_SYMBOLS; id < vocab.length; id++) {
      const [piece, score] = vocab[id]!;
      let node = this.#root;
      let length = 0;
      for (const symbol of piece) {
        let child = node.children.get(symbol);
        if (child === undefined) {
          child = newNode();
          node.children.set(symbol, child);
        }
        node = child;
        length++;
      }
      if (length === 0) continue;
      // A duplicated piece ("”5" appears three times) keeps the last id, as the original trie does.
      node.id = id;
      node.score = score ?? 0;
      node.length = length;
    }
  }

  /** Reads `model.vocab` from a tokenizer.json object (Unigram). Throws ModelLoadError when it is not one. */
  static fromTokenizerJson(json: unknown): UseTokenizer {
    const model = (json as { model?: { type?: unknown; vocab?: unknown } } | null)?.model;
    const vocab = model?.vocab;
    if (model?.type !== 'Unigram' || !Array.isArray(vocab) || vocab.length <= RESERVED_SYMBOLS) {
      throw new ModelLoadError(
        'Expected a Unigram tokenizer.json with `model.vocab` as [piece, score] pairs for the `use-unigram` tokenizer',
      );
    }
    for (const entry of vocab as unknown[]) {
      if (
        !Array.isArray(entry) ||
        typeof entry[0] !== 'string' ||
        (typeof entry[1] !== 'number' && entry[1] !== null)
      ) {
        throw new ModelLoadError(
          `Expected every \`model.vocab\` entry of tokenizer.json to be [piece, score], got ${JSON.stringify(entry)}`,
        );
      }
    }
    return new UseTokenizer(vocab as Array<[string, number | null]>);
  }

  /** Number of ids, including the reserved ones. */
  get vocabSize(): number {
    return this.#vocabSize;
  }

  /**
   * Token ids of `text`, no BOS/EOS, not truncated (USE Lite reads the first 128; the model ignores the rest).
   * `''` gives `[]`.
   */
  encode(text: string): number[] {
    const normalized = text.normalize('NFKC');
    if (normalized.length === 0) return [];
    const symbols = Array.from(SEPARATOR + normalized.replaceAll(' ', SEPARATOR));
    const n = symbols.length;

    // Lattice edges grouped by end position, in ascending start order (the original iterates object keys, which
    // for integer keys is ascending): starts[end][k], ids[end][k], scores[end][k].
    const edgeStarts: number[][] = Array.from({ length: n + 1 }, () => []);
    const edgeIds: number[][] = Array.from({ length: n + 1 }, () => []);
    const edgeScores: number[][] = Array.from({ length: n + 1 }, () => []);
    for (let start = 0; start < n; start++) {
      let node = this.#root.children.get(symbols[start]!);
      let matched = false;
      for (let end = start + 1; node !== undefined; end++) {
        if (node.id >= 0) {
          edgeStarts[end]!.push(start);
          edgeIds[end]!.push(node.id);
          edgeScores[end]!.push(node.score);
          matched = true;
        }
        if (end >= n) break;
        node = node.children.get(symbols[end]!);
      }
      if (!matched) {
        // A symbol no piece starts with becomes one unknown token scored 0.
        edgeStarts[start + 1]!.push(start);
        edgeIds[start + 1]!.push(UNK_ID);
        edgeScores[start + 1]!.push(0);
      }
    }

    const best = new Float64Array(n + 1);
    const bestId = new Int32Array(n + 1);
    const bestStart = new Int32Array(n + 1);
    for (let end = 1; end <= n; end++) {
      const starts = edgeStarts[end]!;
      const ids = edgeIds[end]!;
      const scores = edgeScores[end]!;
      for (let k = 0; k < starts.length; k++) {
        const start = starts[k]!;
        const score = scores[k]! + best[start]!;
        // USE's tie-break, kept on purpose: `>=` lets the later start win an exact tie, and a best of exactly 0
        // counts as "nothing yet" (so after a 0-scored ":" piece the next candidate always replaces it).
        if (best[end] === 0 || score >= best[end]!) {
          best[end] = score;
          bestId[end] = ids[k]!;
          bestStart[end] = start;
        }
      }
    }

    const reversed: number[] = [];
    let previousUnknown = false;
    for (let end = n; end > 0; end = bestStart[end]!) {
      const id = bestId[end]!;
      // Runs of unknown symbols collapse into one unknown token.
      if (!(previousUnknown && id === UNK_ID)) reversed.push(id);
      previousUnknown = id === UNK_ID;
    }
    return reversed.reverse();
  }
}
