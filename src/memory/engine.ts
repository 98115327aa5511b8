import { Embedder, type EmbedderOptions, type VectorSink } from '../engine/embedder.js';
import type { TextEmbedder } from './text-embedder.js';

export type { VectorSink } from '../engine/embedder.js';

/** The engine options Memory passes through untouched (it supplies `persistentCache` itself: the memory database). */
export type EngineOptions = Omit<EmbedderOptions, 'model' | 'persistentCache'>;

/** The one place the memory layer meets the engine: everything else depends on TextEmbedder only. */
export function createEmbedder(options: EmbedderOptions): Promise<TextEmbedder> {
  return Embedder.create(options);
}

/**
 * Embeds `texts` and tells `sink`: the engine's own embedder does so without a promise (a waiting add then holds
 * none in it); any other TextEmbedder through `embedMany`.
 */
export function embedInto(embedder: TextEmbedder, texts: readonly string[], sink: VectorSink): void {
  if (embedder instanceof Embedder) return embedder.embedInto(texts, sink);
  embedder.embedMany(texts).then(
    (vectors) => sink.embedded(vectors),
    (error: unknown) => sink.embedFailed(error),
  );
}
