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
  /** True for the "latest memories" view, where a row not shown before is a new memory. */
  readonly latest: boolean;
}

const SEARCH_LIMIT = 10;
const LATEST_LIMIT = 30;

function scopeOptions(scope: Scope): { userId: string; agentId?: string } {
  return scope.agentId ? { userId: scope.userId, agentId: scope.agentId } : { userId: scope.userId };
}

export class Lister {
  #sequence = 0;
  /** The scope's size, counted by the last listing without a query; a search reuses it instead of reading every record. */
  #count: { key: string; total: number } | undefined;

  /** Forget the count: memories were added or deleted. */
  invalidate(): void {
    this.#count = undefined;
  }

  /** Resolves undefined when a newer call superseded this one. */
  async list(memory: Memory, scope: Scope, request: SearchRequest): Promise<Listing | undefined> {
    const sequence = ++this.#sequence;
    const where = scopeOptions(scope);
    const key = JSON.stringify(where);
    const filters = request.filters as Filter | undefined;
    const needAll = !request.query || this.#count?.key !== key;
    let ms = 0;
    const [all, found] = await Promise.all([
      needAll ? memory.getAll({ ...where, limit: Number.MAX_SAFE_INTEGER }) : undefined,
      request.query
        ? (async () => {
            const started = performance.now();
            // The default hybrid search, with each score's parts for the list to show.
            const answer = await memory.search(request.query, {
              ...where,
              limit: SEARCH_LIMIT,
              explain: true,
              ...(filters ? { filters } : {}),
            });
            ms = performance.now() - started;
            return answer;
          })()
        : filters
          ? memory.getAll({ ...where, limit: Number.MAX_SAFE_INTEGER, filters })
          : undefined,
    ]);
    if (sequence !== this.#sequence) return undefined;
    if (all) this.#count = { key, total: all.results.length };
    const total = this.#count?.key === key ? this.#count.total : 0;
    const who = scope.agentId ? `${scope.userId} · ${scope.agentId}` : scope.userId;
    if (request.query) {
      const items = found?.results ?? [];
      return {
        items,
        total,
        latest: false,
        heading: {
          title: `Top ${items.length} for “${request.query}”`,
          meta: `${formatInt(total)} memories · search ${formatDecimal(ms)} ms`,
        },
        emptyText: total === 0 ? `No memories for ${who} yet.` : 'Nothing matches these filters.',
      };
    }
    const pool = found?.results ?? all?.results ?? [];
    // getAll() lists oldest first; the newest are the interesting ones here.
    const items = pool.slice(-LATEST_LIMIT).reverse();
    const shown =
      pool.length > LATEST_LIMIT ? `latest ${LATEST_LIMIT} of ${formatInt(pool.length)}` : `${formatInt(pool.length)}`;
    return {
      items,
      total,
      latest: filters === undefined,
      heading: {
        title: filters ? 'Matching memories' : `Memories of ${who}`,
        meta: `${shown}${filters ? ` matching · ${formatInt(total)} in scope` : ''}`,
      },
      emptyText:
        total === 0
          ? `No memories for ${who} yet. Add one above or load the sample set.`
          : 'Nothing matches these filters.',
    };
  }
}
