import { ValidationError } from '../errors.js';
import { expected } from '../validate.js';
import { holdsModel } from '../models/model-id.js';
import type { Store } from '../store/store.js';
import type { TextEmbedder } from './text-embedder.js';

/** Checks Memory.create runs before it trusts an embedder or a database. */

export function checkEmbedder(value: unknown): asserts value is TextEmbedder {
  const e = value as Partial<TextEmbedder> | null;
  const ok =
    e !== null &&
    typeof e === 'object' &&
    typeof e.embed === 'function' &&
    typeof e.embedMany === 'function' &&
    typeof e.close === 'function' &&
    typeof e.stats === 'function' &&
    typeof e.modelId === 'string' &&
    typeof e.dimensions === 'number' &&
    Number.isInteger(e.dimensions) &&
    e.dimensions > 0;
  if (!ok) throw expected('embedder', 'an object with embed, embedMany, stats, close, modelId and dimensions', value);
}

/** Vectors of different models cannot be compared: refuse a database filled by another model. */
export async function checkModel(
  store: Store,
  option: 'dbName' | 'path',
  name: string,
  embedder: TextEmbedder,
): Promise<void> {
  const meta = await store.getMeta();
  if (meta && meta.modelId === embedder.modelId && meta.dimensions === embedder.dimensions) return;
  // The same model under another id (its URL id, another folder name) is recorded under this one from now on.
  if (meta && meta.dimensions === embedder.dimensions && holdsModel(meta.modelId, embedder)) {
    await store.putMeta({ modelId: embedder.modelId, dimensions: embedder.dimensions });
    return;
  }
  if (meta) {
    const { memories } = await store.count();
    if (memories > 0) {
      throw new ValidationError(
        `Expected database \`${name}\` to hold vectors of \`${embedder.modelId}\` (${embedder.dimensions} dimensions), ` +
          `but its ${memories} memories were embedded by \`${meta.modelId}\` (${meta.dimensions} dimensions): use another \`${option}\` or the same model`,
      );
    }
  }
  await store.putMeta({ modelId: embedder.modelId, dimensions: embedder.dimensions });
}
