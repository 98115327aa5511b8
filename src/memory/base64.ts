/**
 * Base64 (RFC 4648, padded) for vector bytes in an export. Uint8Array#toBase64 is not everywhere yet (Node 20 lacks
 * it): Node's Buffer is next (native, ~10x the table loop), then atob/btoa (native, in browsers), then the table
 * loop, which writes ASCII codes into one buffer and decodes that once.
 */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const ENCODE = Uint8Array.from(ALPHABET, (c) => c.charCodeAt(0));
const DECODE = new Int16Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i;
const ascii = new TextDecoder();

interface NativeBase64 {
  toBase64?: (this: Uint8Array) => string;
}
interface NativeFromBase64 {
  fromBase64?: (text: string) => Uint8Array;
}
/** Node's Buffer, read when called (never at import: a browser has none). */
interface NodeBuffer {
  from(data: ArrayBufferLike, offset: number, length: number): { toString(encoding: 'base64'): string };
  from(text: string, encoding: 'base64'): Uint8Array;
}
const nodeBuffer = () => (globalThis as { Buffer?: NodeBuffer }).Buffer;

export function toBase64(bytes: Uint8Array): string {
  const native = (bytes as unknown as NativeBase64).toBase64;
  if (native) return native.call(bytes);
  const buffer = nodeBuffer();
  if (buffer) return buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  if (typeof btoa === 'function' && bytes.length <= 8192) return btoa(String.fromCharCode(...bytes));
  const n = bytes.length;
  const out = new Uint8Array(Math.ceil(n / 3) * 4);
  let o = 0;
  let i = 0;
  for (; i + 2 < n; i += 3) {
    const v = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out[o++] = ENCODE[v >> 18]!;
    out[o++] = ENCODE[(v >> 12) & 63]!;
    out[o++] = ENCODE[(v >> 6) & 63]!;
    out[o++] = ENCODE[v & 63]!;
  }
  if (i < n) {
    const v = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8);
    out[o++] = ENCODE[v >> 18]!;
    out[o++] = ENCODE[(v >> 12) & 63]!;
    out[o++] = i + 1 < n ? ENCODE[(v >> 6) & 63]! : 61;
    out[o++] = 61;
  }
  return ascii.decode(out);
}

/** The bytes of a padded base64 string, or undefined when it is not one. */
export function fromBase64(text: string): Uint8Array | undefined {
  if (text.length % 4 !== 0) return undefined;
  const native = (Uint8Array as unknown as NativeFromBase64).fromBase64;
  if (native) {
    try {
      return native(text);
    } catch {
      return undefined;
    }
  }
  const pad = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const length = (text.length / 4) * 3 - pad;
  const buffer = nodeBuffer();
  if (buffer) {
    // Buffer skips characters outside the alphabet (and takes base64url's): fewer bytes than the length promises.
    const bytes = buffer.from(text, 'base64');
    if (bytes.length !== length) return undefined;
    // A small Buffer is a view into a shared pool: kept only when a Float32Array can view it (4-byte aligned).
    return bytes.byteOffset % 4 === 0 ? bytes : copy(bytes);
  }
  if (typeof atob === 'function') {
    let binary: string;
    try {
      binary = atob(text);
    } catch {
      return undefined;
    }
    // atob skips ASCII whitespace: then fewer bytes come out than the length promises.
    if (binary.length !== length) return undefined;
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) out[i] = binary.charCodeAt(i);
    return out;
  }
  const out = new Uint8Array(length);
  let o = 0;
  for (let i = 0; i < text.length; i += 4) {
    const last = i + 4 === text.length;
    const a = code(text, i);
    const b = code(text, i + 1);
    const c = last && pad === 2 ? 0 : code(text, i + 2);
    const d = last && pad >= 1 ? 0 : code(text, i + 3);
    if ((a | b | c | d) < 0) return undefined;
    const v = (a << 18) | (b << 12) | (c << 6) | d;
    out[o++] = v >> 16;
    if (o < out.length) out[o++] = (v >> 8) & 255;
    if (o < out.length) out[o++] = v & 255;
  }
  return out;
}

/** A Uint8Array of its own, at offset 0. */
function copy(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length);
  out.set(bytes);
  return out;
}

function code(text: string, i: number): number {
  const c = text.charCodeAt(i);
  return c < 128 ? DECODE[c]! : -1;
}
