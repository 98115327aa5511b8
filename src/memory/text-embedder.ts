/**
 * What Memory needs from an embedding engine. The engine's `Embedder` satisfies it structurally; any other real
 * implementation (a server-side model behind fetch, a different runtime) can be passed as `Memory.create({ embedder })`.
 */
export interface TextEmbedder {
  /** One unit-length vector of `dimensions` floats. */
  embed(text: string, options?: { signal?: AbortSignal }): Promise<Float32Array>;
  /** One unit-length vector per text, in order. */
  embedMany(texts: readonly string[], options?: { signal?: AbortSignal }): Promise<Float32Array[]>;
  readonly modelId: string;
  /** Ids the same model was recorded under before (the engine's URL id): a database or backup naming one is its. */
  readonly formerModelIds?: readonly string[];
  readonly dimensions: number;
  stats(): unknown;
  close(): Promise<void>;
}

/** {@link Memory.embedder}: the engine's embedding calls, without `close()` (the Memory owns its lifetime). */
export type MemoryEmbedder = Readonly<Omit<TextEmbedder, 'close'>>;

/** The view of `embedder` a Memory hands out: each call goes through `guard` (the open check and in-flight tracking). */
export function embedderView(
  embedder: TextEmbedder,
  guard: <T>(method: string, call: () => Promise<T>) => Promise<T>,
): MemoryEmbedder {
  return Object.freeze({
    modelId: embedder.modelId,
    ...(embedder.formerModelIds ? { formerModelIds: embedder.formerModelIds } : {}),
    dimensions: embedder.dimensions,
    embed: (text: string, options?: { signal?: AbortSignal }) =>
      guard('embedder.embed', () => embedder.embed(text, options)),
    embedMany: (texts: readonly string[], options?: { signal?: AbortSignal }) =>
      guard('embedder.embedMany', () => embedder.embedMany(texts, options)),
    stats: () => embedder.stats(),
  });
}
