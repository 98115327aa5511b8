import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { toHex } from '../../src/hex.js';
import { contentHash, jsContentHash, uuidv7 } from '../../src/store/ids.js';

describe('ids and hashes', () => {
  it('contentHash is SHA-256 of the UTF-8 text (checked against node:crypto)', () => {
    const texts = [
      '',
      'abc',
      'I drink coffee every morning',
      'émoji 😀 ünïcode',
      'x'.repeat(55),
      'y'.repeat(56),
      'z'.repeat(64),
      'w'.repeat(100_000),
    ];
    for (const text of texts) {
      const expected = createHash('sha256').update(text, 'utf8').digest('hex');
      expect(contentHash(text), text.slice(0, 10)).toBe(expected); // the runtime's native hash, here
      expect(jsContentHash(text), text.slice(0, 10)).toBe(expected); // the browser's
    }
  });

  it('the browser hash agrees with node:crypto on every length around the block boundaries and odd characters', () => {
    const parts = ['a', 'é', '☕', '😀', '\uD800', '\uDFFF', '\0', '\n'];
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (let length = 0; length < 300; length++) {
      let text = '';
      while (text.length < length) text += parts[next() % parts.length]!;
      expect(jsContentHash(text), `length ${length}`).toBe(createHash('sha256').update(text, 'utf8').digest('hex'));
    }
  });

  it('uuidv7 ids are well-formed, unique and sort in creation order, even within one millisecond', () => {
    const ids = Array.from({ length: 5000 }, () => uuidv7(1_700_000_000_000));
    expect(new Set(ids).size).toBe(5000);
    expect([...ids].sort()).toEqual(ids);
    for (const id of ids.slice(0, 10))
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const later = uuidv7(Date.now() + 10_000);
    expect(later > ids.at(-1)!).toBe(true);
  });

  it('uuidv7 carries its millisecond timestamp in the first 48 bits', () => {
    const ms = Date.UTC(2031, 4, 6, 7, 8, 9, 123);
    const id = uuidv7(ms);
    expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(ms);
  });

  it('toHex gives the bytes as lower-case hex, with dashes where asked, after a longer and a shorter call', () => {
    for (const length of [32, 0, 1, 16, 32]) {
      const bytes = Uint8Array.from({ length }, (_, i) => (i * 37 + length) & 255);
      expect(toHex(bytes)).toBe(Buffer.from(bytes).toString('hex'));
    }
    const uuid = Uint8Array.from({ length: 16 }, (_, i) => 0xf0 + i);
    expect(toHex(uuid, [4, 6, 8, 10])).toBe('f0f1f2f3-f4f5-f6f7-f8f9-fafbfcfdfeff');
  });
});
