import { primaryField, type SearchIndex } from '../search/search-index.js';
import type { MemoryRecord } from '../store/records.js';
import type { Store } from '../store/store.js';
import { isExpired } from './expiry.js';
import { historyRecord } from './rows.js';
import type { Sync } from './platform.js';
import type { MemoryScope } from './types.js';

export interface RemovalConfig {
  readonly store: Store;
  readonly index: SearchIndex<MemoryRecord>;
  readonly sync: Sync | undefined;
}

/**
 * Deletes the memories of `scope` that `match` accepts (checked inside the transaction), each with a DELETE history
 * row at `now`, and drops them from this tab's index and the other tabs'. Resolves with their ids.
 */
export async function removeInScope(
  config: RemovalConfig,
  scope: MemoryScope,
  match: (record: MemoryRecord) => boolean,
  now: string,
): Promise<string[]> {
  const field = primaryField(scope)!;
  const ids = await config.store.removeWhere(field, scope[field]!, match, (previous) =>
    historyRecord(previous.id, previous.text, null, 'DELETE', now),
  );
  for (const id of ids) config.index.remove(id);
  if (ids.length > 0) config.sync?.post({ type: 'remove', ids });
  return ids;
}

export interface PurgeConfig extends RemovalConfig {
  /** False once the Memory is closing: no purge starts then. */
  readonly open: () => boolean;
  /** Registers the purge with the calls close() waits for. */
  readonly track: <T>(promise: Promise<T>) => Promise<T>;
}

/**
 * Deletes the expired memories a search() or getAll() met, through the delete path, in the background: the read
 * that found them has its answer already. Checked again inside the transaction, so a memory whose date was cleared
 * meanwhile stays. One purge at a time; a later read finds what it left.
 */
export class ExpiryPurge {
  readonly #config: PurgeConfig;
  #running: Promise<void> | undefined;

  constructor(config: PurgeConfig) {
    this.#config = config;
  }

  start(scope: MemoryScope, ids: ReadonlySet<string>): void {
    if (this.#running || !this.#config.open()) return;
    const now = new Date().toISOString();
    const removal = removeInScope(
      this.#config,
      scope,
      (record) => ids.has(record.id) && isExpired(record.expirationDate, now),
      now,
    );
    this.#running = this.#config
      .track(removal)
      .then(() => undefined)
      .catch(() => undefined) // they stay hidden; a later read tries again
      .finally(() => (this.#running = undefined));
  }
}
