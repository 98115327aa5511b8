import { compileFilter } from '../search/filter.js';
import type { PendingRecord } from '../store/records.js';
import { expected } from '../validate.js';
import { optionalExpirationDate } from './expiry.js';
import * as input from './input.js';
import { pendingRecord } from './rows.js';
import { listScope } from './scope-filters.js';

/**
 * The checked requests of Memory's methods: every part is checked before anything is queued, so one
 * bad part rejects the call and writes nothing.
 */

/** add(): the pending records of a text, or of each non-system message of a conversation. */
export function addRequest(text: unknown, options: unknown): PendingRecord[] {
  const opts = input.options('options', options, input.keys.add);
  const scope = input.scope('options', opts, true);
  const metadata = input.metadata('options.metadata', opts.metadata);
  const expirationDate = optionalExpirationDate('options.expirationDate', opts.expirationDate) ?? undefined;
  input.infer(opts.infer);
  const texts = input.addInput(text);
  const createdAt = new Date().toISOString();
  return texts.map(({ text, role }, i) =>
    pendingRecord(text, {
      scope,
      metadata: role === undefined ? metadata : { ...metadata, role },
      createdAt,
      context: input.context(texts, i),
      expirationDate,
    }),
  );
}

/** addMany(): one pending record per item, each with its own scope. */
export function addManyRequest(items: unknown): PendingRecord[] {
  if (!Array.isArray(items))
    throw expected('items', 'an array of { text, userId?, agentId?, runId?, metadata?, expirationDate? }', items);
  const createdAt = new Date().toISOString();
  return items.map((item: unknown, i) => {
    const opts = input.options(`items[${i}]`, item, input.keys.addManyItem);
    const text = input.text(`items[${i}].text`, opts.text);
    const scope = input.scope(`items[${i}]`, opts, true);
    const metadata = input.metadata(`items[${i}].metadata`, opts.metadata);
    const expirationDate = optionalExpirationDate(`items[${i}].expirationDate`, opts.expirationDate) ?? undefined;
    return pendingRecord(text, { scope, metadata, createdAt, expirationDate });
  });
}

/** update()'s change: what to set; `expiration` null clears the date, undefined leaves it. */
export interface UpdateRequest {
  readonly text: string | undefined;
  readonly metadata: Record<string, unknown> | undefined;
  readonly replace: boolean;
  readonly expiration: string | null | undefined;
}

export function updateRequest(change: unknown): UpdateRequest {
  if (typeof change === 'string')
    return { text: input.text('text', change), metadata: undefined, replace: false, expiration: undefined };
  const patch = input.options('change', change, input.keys.update);
  const text = patch.text === undefined ? undefined : input.text('change.text', patch.text);
  const metadata = patch.metadata === undefined ? undefined : input.metadata('change.metadata', patch.metadata);
  const replace = input.flag('change.replace', patch.replace);
  if (replace && metadata === undefined)
    throw expected('change.metadata', 'given with `replace: true` (it replaces the metadata)', patch.metadata);
  const expiration = optionalExpirationDate('change.expirationDate', patch.expirationDate);
  if (text === undefined && metadata === undefined && expiration === undefined)
    throw expected('change', 'a string or { text?, metadata?, expirationDate? } with at least one of them', change);
  return { text, metadata, replace, expiration };
}

/** search(): the query and its options, checked. */
export function searchRequest(query: unknown, options: unknown) {
  const text = input.text('query', query);
  const opts = input.options('options', options, input.keys.search);
  const { scope, filters } = listScope(opts);
  const filter = compileFilter(filters, 'options.filters');
  const limit = input.limit(opts, 10);
  const threshold = input.threshold(opts.threshold);
  const mode = input.searchMode(opts.mode);
  const keywordWeight = input.keywordWeight(opts.keywordWeight);
  const explain = input.flag('options.explain', opts.explain);
  const showExpired = input.flag('options.showExpired', opts.showExpired);
  return { text, scope, filters, filter, limit, threshold, mode, keywordWeight, explain, showExpired };
}

/** getAll(): its options, checked. */
export function getAllRequest(options: unknown) {
  const opts = input.options('options', options, input.keys.getAll);
  const { scope, filters } = listScope(opts);
  const filter = compileFilter(filters, 'options.filters');
  const limit = input.limit(opts, 100);
  const showExpired = input.flag('options.showExpired', opts.showExpired);
  return { scope, filter, limit, showExpired };
}

export type SearchRequest = ReturnType<typeof searchRequest>;
export type GetAllRequest = ReturnType<typeof getAllRequest>;
