import { vectorEncoding } from '../search/quantize.js';
import { SearchIndex, inScope, primaryField } from '../search/search-index.js';
import type { MemoryRecord } from '../store/records.js';
import type { Store } from '../store/store.js';
import { visible } from './expiry.js';
import type { ExpiryPurge } from './purge.js';
import type { GetAllRequest, SearchRequest } from './requests.js';
import { searchResult, toItem } from './rows.js';
import type { TextEmbedder } from './text-embedder.js';
import type { MemoryItem, SearchResult } from './types.js';

/** The search index over a store's memories: a scope's rows are read from the store when it is first searched. */
export function memoryIndex(
  store: Store,
  embedder: TextEmbedder,
  quantize: 'none' | 'int8',
  onLoaded: () => void,
): SearchIndex<MemoryRecord> {
  return new SearchIndex<MemoryRecord>({
    dimensions: embedder.dimensions,
    encoding: vectorEncoding(quantize),
    loader: async (field, value) => {
      const rows = await store.loadScope(field, value);
      onLoaded();
      return rows.map(({ memory, vector }) => ({ record: memory, vector }));
    },
    fieldsOf: (record) => ({ text: record.text, before: record.context?.before, after: record.context?.after }),
  });
}

export interface ReadConfig {
  readonly store: Store;
  readonly index: SearchIndex<MemoryRecord>;
  readonly embedder: TextEmbedder;
  /** Deletes the expired memories a read met; undefined when `MemoryOptions.purgeExpired` is off. */
  readonly purge: ExpiryPurge | undefined;
}

/** search(): the memories of a scope closest to the query, best first, without the expired ones. */
export async function searchMemories(config: ReadConfig, request: SearchRequest): Promise<{ results: SearchResult[] }> {
  const { text, scope, filters, filter, limit, threshold, mode, keywordWeight, explain, showExpired } = request;
  if (limit === 0) return { results: [] };
  const { index, purge } = config;
  const expired = purge ? new Set<string>() : undefined;
  const matches = filters === undefined ? undefined : (record: MemoryRecord) => filter(record.metadata);
  const accept = visible(matches, showExpired, expired);
  // The query's embedding and the scope's first load from storage run side by side.
  const [vector] = await Promise.all([mode === 'keyword' ? undefined : config.embedder.embed(text), index.warm(scope)]);
  const search = (accept: ((record: MemoryRecord) => boolean) | undefined) =>
    index.search(scope, { mode, text, vector, k: limit, accept, threshold, keywordWeight });
  // Without a filter the expiry check runs after ranking: a per-record test would take the scan off its
  // unfiltered path, and when none of the top k has expired they are the top k of what is visible.
  let hits = await search(matches ? accept : undefined);
  if (!matches && accept && hits.some((hit) => !accept(hit.record))) hits = await search(accept);
  if (expired?.size) purge?.start(scope, expired);
  return { results: hits.map((hit) => searchResult(hit, explain)) };
}

/** getAll(): the memories of a scope, oldest first, that pass the filter and have not expired. */
export async function listMemories(config: ReadConfig, request: GetAllRequest): Promise<{ results: MemoryItem[] }> {
  const { scope, filter, limit, showExpired } = request;
  if (limit === 0) return { results: [] };
  const { purge } = config;
  const expired = purge ? new Set<string>() : undefined;
  const accept = visible((record: MemoryRecord) => filter(record.metadata), showExpired, expired)!;
  const field = primaryField(scope)!;
  const records = await config.store.list(field, scope[field]!);
  const results: MemoryItem[] = [];
  for (const record of records) {
    if (results.length === limit) break;
    if (inScope(record, scope) && accept(record)) results.push(toItem(record));
  }
  if (expired?.size) purge?.start(scope, expired);
  return { results };
}
