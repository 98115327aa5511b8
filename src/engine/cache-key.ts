/**
 * The embedding cache's content hash: SHA-256 (hex) of `modelId + '\u0000' + text`. Exported so the Memory layer
 * keys its own store with the same hash. Hashed synchronously (@noble/hashes): WebCrypto's digest answers in a later
 * task each, which spread the callers a batch had just answered over several coalescer decisions.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';

/**
 * SHA-256 hex of the model id and the text (a promise, so the hash may move off the caller's task later).
 * @example
 * const key = await embeddingCacheKey(embedder.modelId, 'I drink coffee every morning');
 */
export function embeddingCacheKey(modelId: string, text: string): Promise<string> {
  return Promise.resolve(bytesToHex(sha256(utf8ToBytes(`${modelId}\u0000${text}`))));
}
