/**
 * The project-made bert-base-uncased tokenizer (scripts/models/tokenizer.ts): the vocabulary conversion, and
 * identical ids from @huggingface/tokenizers (what the library uses) and transformers.js' AutoTokenizer loading
 * the written folder.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { AutoTokenizer, env, type PreTrainedTokenizer } from '@huggingface/transformers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bertVocab, tokenizerConfigJson, tokenizerJson } from '../../scripts/models/tokenizer.js';

const vocab = bertVocab();
const json = tokenizerJson(vocab);
const config = tokenizerConfigJson();
const hf = new Tokenizer(JSON.parse(json) as object, JSON.parse(config) as object);
let root: string;
let auto: PreTrainedTokenizer;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'agentmem-tok-'));
  mkdirSync(join(root, 'bert'));
  writeFileSync(join(root, 'bert', 'tokenizer.json'), json);
  writeFileSync(join(root, 'bert', 'tokenizer_config.json'), config);
  env.localModelPath = root;
  env.allowRemoteModels = false;
  auto = await AutoTokenizer.from_pretrained('bert');
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

const ids = (text: string): number[] => hf.encode(text).ids;
const autoIds = (text: string): number[] =>
  Array.from((auto(text) as { input_ids: { data: BigInt64Array } }).input_ids.data, Number);

describe('vocabulary', () => {
  it('converts the SentencePiece-style pieces to vocab.txt order', () => {
    expect(vocab).toHaveLength(30522);
    expect([vocab[0], vocab[1], vocab[100], vocab[101], vocab[102], vocab[103]]).toEqual([
      '[PAD]',
      '[unused0]',
      '[UNK]',
      '[CLS]',
      '[SEP]',
      '[MASK]',
    ]);
    expect(vocab[1996]).toBe('the');
    expect(vocab[999]).toBe('!');
    expect(vocab[30521]).toBe('##～');
    expect(vocab.filter((p) => p.startsWith('##')).length).toBeGreaterThan(5000);
    expect(new Set(vocab).size).toBe(vocab.length);
  });

  it('writes the vocabulary in id order', () => {
    const model = (JSON.parse(json) as { model: { vocab: Record<string, number> } }).model.vocab;
    expect(Object.keys(model)).toHaveLength(30522);
    expect(model['hello']).toBe(7592);
    // Raw text order, not JS object order (which would move integer-like keys such as "2000" first).
    const firstKeys = json.slice(json.indexOf('"vocab":{') + 9, json.indexOf('"vocab":{') + 40);
    expect(firstKeys.startsWith('"[PAD]":0,"[unused0]":1,')).toBe(true);
  });
});

describe('tokenizer.json', () => {
  it('encodes "hello world" as [CLS] hello world [SEP]', () => {
    expect(ids('hello world')).toEqual([101, 7592, 2088, 102]);
    expect(autoIds('hello world')).toEqual([101, 7592, 2088, 102]);
    expect(hf.encode('hello world').tokens).toEqual(['[CLS]', 'hello', 'world', '[SEP]']);
  });

  it('lowercases, splits punctuation and digits', () => {
    expect(ids('Hello, World!')).toEqual([101, 7592, 1010, 2088, 999, 102]);
    expect(hf.encode('It costs $12.50 in 2024.').tokens).toEqual([
      '[CLS]',
      'it',
      'costs',
      '$',
      '12',
      '.',
      '50',
      'in',
      '202',
      '##4',
      '.',
      '[SEP]',
    ]);
  });

  it('strips accents', () => {
    expect(ids('Café résumé')).toEqual(ids('cafe resume'));
    expect(hf.encode('naïve café').tokens).toEqual(['[CLS]', 'naive', 'cafe', '[SEP]']);
  });

  it('splits unknown words into word pieces and maps unknown characters to [UNK]', () => {
    expect(hf.encode('unaffable').tokens).toEqual(['[CLS]', 'una', '##ffa', '##ble', '[SEP]']);
    expect(ids('I love 🍕')).toEqual([101, 1045, 2293, 100, 102]);
  });

  it('isolates CJK characters', () => {
    expect(hf.encode('北京 tokyo').tokens).toEqual(['[CLS]', '北', '京', 'tokyo', '[SEP]']);
  });

  it('gives identical ids in @huggingface/tokenizers and transformers.js', () => {
    const sentences = [
      'hello world',
      'The quick brown fox jumps over the lazy dog.',
      "User prefers window seats on morning flights; don't book aisles!",
      'Meeting at 10:30am on 2024-03-15 with Dr. Müller (room #42).',
      'Crème brûlée, jalapeño & señor — déjà vu',
      'I love 🍕 and 🎉 xyzzyqwv supercalifragilisticexpialidocious',
      '東京 and 北京 are capitals',
      '   leading and trailing spaces   ',
      '',
      'tabs\tand\nnewlines\r\nhere',
      'e-mail: someone@example.com, url https://example.org/a?b=c',
      'ÀÉÎÕÜ ñ ç ß ø å',
    ];
    for (const s of sentences) expect(autoIds(s), s).toEqual(ids(s));
    expect(ids('')).toEqual([101, 102]);
  });
});
