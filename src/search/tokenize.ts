import { stemmer } from 'stemmer';

/**
 * Words for the keyword index: case and accents folded (`Málaga` = `malaga`), possessives dropped (`Caroline's` =
 * `caroline`), English stop words left out and the rest Porter-stemmed (`painting` = `paint`). Runs of CJK
 * characters, written without spaces, become overlapping character pairs, the usual unit for searching them.
 */
export function tokenize(text: string): string[] {
  const out: string[] = [];
  // Folding first keeps the scan below on char codes; most memories are ASCII and skip it.
  const s = /[\u0080-\uffff]/.test(text) ? text.normalize('NFKD').replace(/\p{M}+/gu, '') : text;
  const n = s.length;
  let start = -1;
  for (let i = 0; i <= n; i++) {
    const c = i < n ? s.charCodeAt(i) : 32;
    if (isWordChar(c, s, i)) {
      if (start < 0) start = i;
      continue;
    }
    if (start >= 0 && (c === 39 || c === 0x2019) && i + 1 < n) {
      // An apostrophe: `Caroline's` ends the word without its `s`; `don't` and `o'clock` stay one word.
      const next = s.charCodeAt(i + 1) | 32;
      if (next === 115 && (i + 2 >= n || !isWordChar(s.charCodeAt(i + 2), s, i + 2))) {
        emit(s.slice(start, i), out);
        start = -1;
        i++;
        continue;
      }
      if (isWordChar(s.charCodeAt(i + 1), s, i + 1)) continue;
    }
    if (start >= 0) emit(s.slice(start, i), out);
    start = -1;
  }
  return out;
}

function isWordChar(c: number, s: string, i: number): boolean {
  if (c < 128) return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57);
  return LETTER.test(s[i]!) || (c >= 0xd800 && c <= 0xdbff && LETTER.test(s.slice(i, i + 2)));
}

const LETTER = /^[\p{L}\p{N}]/u;
const CJK =
  /[\p{Script_Extensions=Han}\p{Script_Extensions=Hiragana}\p{Script_Extensions=Katakana}\p{Script_Extensions=Hangul}]/u;

/** Each distinct raw word's terms, computed once: vocabularies are small and repeat, so most words are hits. */
const memo = new Map<string, readonly string[]>();
const MEMO_MAX = 200_000;

function emit(word: string, out: string[]): void {
  let terms = memo.get(word);
  if (terms === undefined) {
    terms = termsOf(word);
    if (memo.size >= MEMO_MAX) memo.clear();
    memo.set(word, terms);
  }
  for (const term of terms) out.push(term);
}

function termsOf(word: string): readonly string[] {
  const lower = word.replace(/['\u2019]/g, '').toLowerCase();
  if (CJK.test(lower)) return cjkPairs(lower);
  if (STOP_WORDS.has(lower)) return [];
  return /^[a-z]+$/.test(lower) ? [stemmer(lower)] : [lower];
}

/** `東京タワー` -> 東京, 京タ, タワ, ワー (a lone character stands for itself); other letters around it stay words. */
function cjkPairs(word: string): string[] {
  const out: string[] = [];
  let run: string[] = [];
  const flush = () => {
    if (run.length === 1) out.push(run[0]!);
    for (let i = 0; i + 1 < run.length; i++) out.push(run[i]! + run[i + 1]!);
    run = [];
  };
  let other = '';
  for (const ch of word) {
    if (CJK.test(ch)) {
      if (other) out.push(...termsOf(other));
      other = '';
      run.push(ch);
    } else {
      flush();
      other += ch;
    }
  }
  flush();
  if (other) out.push(...termsOf(other));
  return out;
}

/** Words too common to tell memories apart: question words ("when did she...") and "like", which says little in chat. */
const STOP_WORDS = new Set(
  (
    'a about above after again against all am an and any are as at be because been before being below between both ' +
    'but by can could did do does doing dont down during each few for from further had has have having he her here ' +
    'hers herself him himself his how i if in into is it its itself just me more most my myself no nor not now of off ' +
    'on once only or other our ours ourselves out over own same she should so some such than that the their theirs ' +
    'them themselves then there these they this those through to too under until up very was we were what when where ' +
    'which while who whom why will with would you your yours yourself yourselves like likes liked'
  ).split(' '),
);
