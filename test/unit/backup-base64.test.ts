/** Base64 of vector bytes (src/memory/base64.ts) on each of its paths: Node's Buffer, atob/btoa, the table loop. */
import { afterEach, describe, expect, it } from 'vitest';
import { fromBase64, toBase64 } from '../../src/memory/base64.js';

const NodeBuffer = globalThis.Buffer;
const { atob: nativeAtob, btoa: nativeBtoa } = globalThis;
afterEach(() => {
  Object.assign(globalThis, { Buffer: NodeBuffer, atob: nativeAtob, btoa: nativeBtoa });
});

const paths: [string, () => void][] = [
  ['Buffer', () => undefined],
  ['atob/btoa', () => Object.assign(globalThis, { Buffer: undefined })],
  ['table loop', () => Object.assign(globalThis, { Buffer: undefined, atob: undefined, btoa: undefined })],
];

describe.each(paths)('base64 through %s', (_name, setUp) => {
  it('round-trips every length and byte value as RFC 4648 does', () => {
    setUp();
    for (let n = 0; n < 40; n++) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 97 + n * 13) & 255);
      const text = toBase64(bytes);
      expect(text).toBe(NodeBuffer.from(bytes).toString('base64'));
      expect([...fromBase64(text)!]).toEqual([...bytes]);
    }
  });

  it('refuses text that is not padded base64', () => {
    setUp();
    for (const bad of ['abc', 'ab$=', 'ab c', 'a===', '\u00e9AAA']) expect(fromBase64(bad)).toBeUndefined();
  });
});
