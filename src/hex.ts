/**
 * Lower-case hex as one flat string. Built with `+=`, a hash or id stayed a tree of string pieces until first
 * compared, several times the size of the flat string, and every waiting add holds two ids (issue 25).
 */

const DIGITS = Array.from('0123456789abcdef', (c) => c.charCodeAt(0));
const DASH = 45;
/** Reused: String.fromCharCode makes a flat string in V8 itself (a browser's TextDecoder gives an external one). */
const chars: number[] = [];

/**
 * Hex of `bytes` (a digest or an id: short, as apply passes each code as an argument), with a `-` before each byte
 * index in `dashes` (ascending; a UUID's are 4, 6, 8 and 10).
 */
export function toHex(bytes: Uint8Array, dashes: readonly number[] = []): string {
  let at = 0;
  let next = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (dashes[next] === i) {
      chars[at++] = DASH;
      next++;
    }
    const byte = bytes[i]!;
    chars[at++] = DIGITS[byte >> 4]!;
    chars[at++] = DIGITS[byte & 15]!;
  }
  chars.length = at;
  return String.fromCharCode.apply(null, chars);
}
