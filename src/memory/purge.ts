import { primaryField } from '../search/search-index.js';
import type { MemoryRecord, ModelMeta } from '../store/records.js';
import { StorageError } from '../errors.js';
import type { Store } from '../store/store.js';
import { isExpired } from './expiry.js';
import { deleteHistory } from './rows.js';
import type { SyncTarget } from './sync.js';
import type { MemoryScope } from './types.js';

export interface RemovalConfig extends SyncTarget {
  readonly store: Store;
  /** Told how many deleted memories lost their history because storage was full (see {@link withoutHistoryIfFull}). */
  readonly onHistoryDropped: (count: number) => void;
}

/** Deletes memory `id` with its DELETE history row at `now` (NotFoundError when it does not exist). */
export async function removeOne(config: RemovalConfig, id: string, now: string): Promise<void> {
  await withoutHistoryIfFull(config, (history) => config.store.remove(id, history && (() => history(id, now))));
  config.index.remove(id);
  config.sync?.post({ type: 'remove', ids: [id] });
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
  const ids = await withoutHistoryIfFull(config, (history) =>
    config.store.removeWhere(
      { field, value: scope[field]!, accept: match },
      history && ((previous) => history(previous.id, now)),
    ),
  );
  for (const id of ids) config.index.remove(id);
  if (ids.length > 0) config.sync?.post({ type: 'remove', ids });
  return ids;
}

/** Deletes everything in the store, writes its model `meta` again, and empties this tab's index and the others'. */
export async function removeAll(config: RemovalConfig, meta: ModelMeta): Promise<void> {
  await config.store.clear();
  await config.store.putMeta(meta);
  config.index.clear();
  config.sync?.post({ type: 'clear' });
}

/**
 * Runs a delete with its history rows; when storage refuses it (a full disk: QuotaExceededError, SQLITE_FULL), runs
 * it again without them, so deleting still frees space where only reset() used to. The memory is gone either way;
 * its history() then lacks the DELETE row (and the ADD row, when it never changed); stats().historyDropped counts it.
 */
async function withoutHistoryIfFull<T extends string[] | MemoryRecord>(
  config: RemovalConfig,
  remove: (history: typeof deleteHistory | null) => Promise<T>,
): Promise<T> {
  try {
    return await remove(deleteHistory);
  } catch (error) {
    if (!isStorageFull(error)) throw error;
  }
  const removed = await remove(null);
  config.onHistoryDropped(Array.isArray(removed) ? removed.length : 1);
  return removed;
}

/** A StorageError whose platform cause says the disk or quota is full. */
export function isStorageFull(error: unknown): boolean {
  if (!(error instanceof StorageError)) return false;
  const cause = error.cause as { name?: unknown; code?: unknown } | undefined;
  return cause?.name === 'QuotaExceededError' || cause?.code === 'SQLITE_FULL';
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
