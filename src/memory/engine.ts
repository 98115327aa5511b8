import { Embedder, type EmbedderOptions } from '../engine/embedder.js';
import type { TextEmbedder } from './text-embedder.js';

/** The engine options Memory passes through untouched (it supplies `persistentCache` itself: the memory database). */
export type EngineOptions = Omit<EmbedderOptions, 'model' | 'persistentCache'>;

/** The one place the memory layer meets the engine: everything else depends on TextEmbedder only. */
export function createEmbedder(options: EmbedderOptions): Promise<TextEmbedder> {
  return Embedder.create(options);
}
