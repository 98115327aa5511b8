/**
 * What the results list shows for a scope and a search request: ranked `search()` results when there is a query,
 * else the scope's newest memories from `getAll()`. Answers that arrive after a newer request are dropped, so fast
 * typing never shows stale results.
 */
import type { Filter, Memory } from '../../src/index.js';
import { formatDecimal, formatInt } from '../ui/dom.js';
import type { Scope } from '../ui/add-form.js';
import type { ListHeading, MemoryView } from '../ui/results-list.js';
import type { SearchRequest } from '../ui/search-panel.js';

export interface Listing {
  readonly items: readonly MemoryView[];
  readonly heading: ListHeading;
  readonly emptyText: string;
  /** All memories in the scope, filters aside. */
  readonly total: number;
}

const SEARCH_LIMIT = 10;
const LATEST_LIMIT = 30;

function scopeOptions(scope: Scope): { userId: string; agentId?: string } {
  return scope.agentId ? { userId: scope.userId, agentId: scope.agentId } : { userId: scope.userId };
}

export class Lister {
  #sequence = 0;

  /** Resolves undefined when a newer call superseded this one. */
  async list(memory: Memory, scope: Scope, request: SearchRequest): Promise<Listing | undefined> {
    const sequence = ++this.#sequence;
    const where = scopeOptions(scope);
    const filters = request.filters as Filter | undefined;
    const started = performance.now();
    const [all, found] = await Promise.all([
      memory.getAll({ ...where, limit: Number.MAX_SAFE_INTEGER }),
      request.query
        ? memory.search(request.query, { ...where, limit: SEARCH_LIMIT, ...(filters ? { filters } : {}) })
        : filters
          ? memory.getAll({ ...where, limit: Number.MAX_SAFE_INTEGER, filters })
          : undefined,
    ]);
    const ms = performance.now() - started;
    if (sequence !== this.#sequence) return undefined;
    const total = all.results.length;
    const who = scope.agentId ? `${scope.userId} · ${scope.agentId}` : scope.userId;
    if (request.query) {
      const items = found?.results ?? [];
      return {
        items,
        total,
        heading: { title: `Top ${items.length} for “${request.query}”`, meta: `${formatInt(total)} memories searched · ${formatDecimal(ms)} ms` },
        emptyText: total === 0 ? `No memories for ${who} yet.` : 'Nothing matches these filters.',
      };
    }
    const pool = found?.results ?? all.results;
    // getAll() lists oldest first; the newest are the interesting ones here.
    const items = pool.slice(-LATEST_LIMIT).reverse();
    const shown = pool.length > LATEST_LIMIT ? `latest ${LATEST_LIMIT} of ${formatInt(pool.length)}` : `${formatInt(pool.length)}`;
    return {
      items,
      total,
      heading: { title: filters ? 'Matching memories' : `Memories of ${who}`, meta: `${shown}${filters ? ` matching · ${formatInt(total)} in scope` : ''}` },
      emptyText: total === 0 ? `No memories for ${who} yet. Add one above or load the sample set.` : 'Nothing matches these filters.',
    };
  }
}
