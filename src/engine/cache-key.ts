/**
 * The embedding cache's content hash: SHA-256 (hex) of `modelId + '\u0000' + text`. Exported so the Memory layer
 * keys its own store with the same hash. WebCrypto where it exists; a small pure-JS SHA-256 where it does not
 * (`crypto.subtle` is missing outside secure contexts, e.g. a page served over plain http from a LAN address).
 */
import { sha256, toHex } from '../sha256.js';

const encoder = new TextEncoder();

/**
 * SHA-256 hex of the model id and the text.
 * @example
 * const key = await embeddingCacheKey(embedder.modelId, 'I drink coffee every morning');
 */
export async function embeddingCacheKey(modelId: string, text: string): Promise<string> {
  const bytes = encoder.encode(`${modelId}\u0000${text}`);
  const subtle = typeof crypto !== 'undefined' ? crypto.subtle : undefined;
  const digest = subtle ? new Uint8Array(await subtle.digest('SHA-256', bytes)) : sha256(bytes);
  return toHex(digest);
}
