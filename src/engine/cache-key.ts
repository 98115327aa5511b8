/**
 * The embedding cache's content hash: SHA-256 (hex) of `modelId + '\u0000' + text`. Exported so the Memory layer
 * keys its own store with the same hash. Hashed synchronously (our own SHA-256): WebCrypto's digest answers in a later
 * task each, which spread the callers a batch had just answered over several coalescer decisions.
 */
import { sha256Hex } from '../sha256.js';

/**
 * SHA-256 hex of the model id and the text (a promise, so the hash may move off the caller's task later).
 * @example
 * const key = await embeddingCacheKey(embedder.modelId, 'I drink coffee every morning');
 */
export function embeddingCacheKey(modelId: string, text: string): Promise<string> {
  return Promise.resolve(sha256Hex(`${modelId}\u0000${text}`));
}
