/**
 * The embedding cache's content hash: SHA-256 (hex) of `modelId + '\u0000' + text`. Exported so the Memory layer
 * keys its own store with the same hash. Texts up to 4 KB are hashed by a small pure-JS SHA-256 in the caller's own
 * task: WebCrypto's digest answers in a later task each, which spread the callers a batch had just answered over
 * several coalescer decisions (smaller batches, a worker waiting for them). Longer texts use WebCrypto where it
 * exists (`crypto.subtle` is missing outside secure contexts, e.g. plain http from a LAN address).
 */
import { sha256, toHex } from '../sha256.js';

const encoder = new TextEncoder();
/** Up to this many bytes, hash in JS (a few microseconds), so the callers a batch answers resubmit in one task. */
const SYNC_LIMIT = 4096;

/**
 * SHA-256 hex of the model id and the text.
 * @example
 * const key = await embeddingCacheKey(embedder.modelId, 'I drink coffee every morning');
 */
export async function embeddingCacheKey(modelId: string, text: string): Promise<string> {
  const bytes = encoder.encode(`${modelId}\u0000${text}`);
  const subtle = typeof crypto !== 'undefined' ? crypto.subtle : undefined;
  const digest =
    subtle && bytes.length > SYNC_LIMIT ? new Uint8Array(await subtle.digest('SHA-256', bytes)) : sha256(bytes);
  return toHex(digest);
}
