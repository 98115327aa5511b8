import { toHex } from '../hex.js';
import { sha256Hex } from '../sha256.js';

/**
 * UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, then randomness, with a counter in `rand_a` so ids made in
 * the same millisecond still sort in creation order. Sorted keys = insertion order in every object store.
 * Our own rather than `uuid`'s v7: its randomness costs one getRandomValues call per id, ours one per 4 KiB.
 */
let lastMs = -1;
let counter = 0;

/** Random bytes drawn from one pool (one getRandomValues call per 4 KiB: a batch of 5,000 ids made 5,000 calls). */
const pool = new Uint8Array(4096);
let poolAt = pool.length;

function randomBytes(n: number): Uint8Array {
  if (poolAt + n > pool.length) {
    crypto.getRandomValues(pool);
    poolAt = 0;
  }
  poolAt += n;
  return pool.subarray(poolAt - n, poolAt);
}

/** Where a UUID's text has its dashes: before bytes 4, 6, 8 and 10. */
const UUID_DASHES = [4, 6, 8, 10];

export function uuidv7(now = Date.now()): string {
  if (now <= lastMs) {
    counter++;
    if (counter > 0xfff) {
      // 4096 ids in one millisecond: borrow the next millisecond rather than break the order.
      lastMs++;
      counter = 0;
    }
    now = lastMs;
  } else {
    lastMs = now;
    counter = 0;
  }
  const bytes = new Uint8Array(16);
  bytes.set(randomBytes(10), 6);
  // 48 bits of milliseconds, big-endian (ToInt32 keeps the low bits exact for these integers).
  for (let i = 0; i < 6; i++) bytes[i] = Math.floor(now / 2 ** (8 * (5 - i))) & 0xff;
  bytes[6] = 0x70 | (counter >> 8);
  bytes[7] = counter & 0xff;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  return toHex(bytes, UUID_DASHES);
}

/**
 * SHA-256 of the UTF-8 text, lower-case hex (FIPS 180-4). Synchronous, unlike crypto.subtle.digest: the hash is
 * part of the record built for a commit group, and an await per memory would only add scheduling.
 */
export function contentHash(text: string): string {
  nativeHash ??= findNativeHash();
  return nativeHash ? nativeHash(text) : jsContentHash(text);
}

/** The same hash in plain JavaScript: what a browser runs. */
export function jsContentHash(text: string): string {
  return sha256Hex(text);
}

type Hash = (text: string) => string;
interface NodeCrypto {
  createHash(algorithm: 'sha256'): { update(text: string, encoding: 'utf8'): { digest(encoding: 'hex'): string } };
}

/** Node's, Bun's or Deno's native SHA-256, looked up once (no import: browser bundles stay free of `node:*`). */
let nativeHash: Hash | false | undefined;

function findNativeHash(): Hash | false {
  // Seeding 100k memories spent 15% of its time in the JS hash; the native one is ~10x faster.
  const runtime = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const crypto = runtime?.getBuiltinModule?.('node:crypto') as NodeCrypto | undefined;
  if (typeof crypto?.createHash !== 'function') return false;
  return (text) => crypto.createHash('sha256').update(text, 'utf8').digest('hex');
}
