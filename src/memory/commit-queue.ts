/**
 * Gathers items from many concurrent callers into groups, one `commit(group)` at a time: while a group is being
 * written the next one fills up, so under load the group size grows by itself (the same shape as the engine's
 * batcher, here for IndexedDB transactions). Each caller's promise resolves after its group's commit. When a group
 * of several callers fails, each caller's items are committed again on their own (a failed transaction wrote
 * nothing), so only the caller whose items cannot be written is rejected, with its own error; other groups are
 * unaffected. A group holds at most `maxWeight` worth of items (a caller's items are never split): a flood of
 * 10,000 adds is written in many short transactions, each its own task, instead of one that blocks the page.
 */
interface Entry<T> {
  readonly items: readonly T[];
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/** How much one group may hold: `weight(item)` summed over its items stays within `maxWeight`. */
export interface GroupLimit<T> {
  readonly weight: (item: T) => number;
  readonly maxWeight: number;
  /** Callers with an urgent item go before the others (still in arrival order among themselves). */
  readonly urgent?: (item: T) => boolean;
}

export class CommitQueue<T> {
  readonly #commit: (items: T[]) => Promise<void>;
  readonly #limit: GroupLimit<T> | undefined;
  #waiting: Entry<T>[] = [];
  #running = false;
  #scheduled = false;
  #channel: MessageChannel | undefined;
  #idle: (() => void)[] = [];
  #groups = 0;
  #items = 0;
  #largest = 0;

  constructor(commit: (items: T[]) => Promise<void>, limit?: GroupLimit<T>) {
    this.#commit = commit;
    this.#limit = limit;
  }

  /** Resolves once `items` are committed (in one group, never split). */
  push(items: readonly T[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#waiting.push({ items, resolve, reject });
      this.#schedule();
    });
  }

  /** Settles when nothing is waiting or being committed. */
  onIdle(): Promise<void> {
    if (!this.#running && this.#waiting.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  stats(): { groups: number; items: number; largest: number } {
    return { groups: this.#groups, items: this.#items, largest: this.#largest };
  }

  /** Stops the scheduler's MessageChannel. Call after onIdle(). */
  close(): void {
    this.#channel?.port1.close();
    this.#channel = undefined;
  }

  #schedule(): void {
    if (this.#running || this.#scheduled) return;
    this.#scheduled = true;
    // A macrotask, not a microtask: the callers whose vectors came back in the same engine batch resume over
    // several microtask hops, and all of them should land in this group. MessageChannel rather than setTimeout,
    // which a hidden tab throttles to once a second.
    if (typeof MessageChannel === 'function') {
      if (!this.#channel) {
        this.#channel = new MessageChannel();
        this.#channel.port1.onmessage = () => void this.#flush();
      }
      this.#channel.port2.postMessage(null);
    } else {
      setTimeout(() => void this.#flush(), 0);
    }
  }

  async #flush(): Promise<void> {
    this.#scheduled = false;
    if (this.#running) return;
    if (this.#waiting.length === 0) return this.#settleIdle();
    const group = this.#take();
    this.#running = true;
    try {
      const failure = await this.#tryCommit(group.flatMap((e) => e.items));
      if (!failure) for (const e of group) e.resolve();
      else if (group.length === 1) group[0]!.reject(failure.error);
      else {
        // Each caller alone, in arrival order: only the one whose items cannot be written is rejected.
        for (const e of group) {
          const own = await this.#tryCommit([...e.items]);
          if (own) e.reject(own.error);
          else e.resolve();
        }
      }
    } finally {
      this.#running = false;
    }
    // Whatever arrived during the commit goes next, one macrotask from now: the callers just resolved push their
    // follow-up writes (an add's commit after its pending record) within microtasks, and those join that group.
    if (this.#waiting.length > 0) this.#schedule();
    else this.#settleIdle();
  }

  /**
   * The next group: the waiting callers up to the limit's weight (always at least one), urgent ones first, each
   * kind in arrival order.
   */
  #take(): Entry<T>[] {
    const limit = this.#limit;
    if (!limit) {
      const all = this.#waiting;
      this.#waiting = [];
      return all;
    }
    const urgent = limit.urgent;
    const order = urgent
      ? [...this.#waiting.filter((e) => e.items.some(urgent)), ...this.#waiting.filter((e) => !e.items.some(urgent))]
      : this.#waiting;
    let weight = 0;
    let n = 0;
    for (; n < order.length; n++) {
      for (const item of order[n]!.items) weight += limit.weight(item);
      if (weight > limit.maxWeight && n > 0) break;
    }
    this.#waiting = order.slice(n);
    return order.slice(0, n);
  }

  /** Commits `items`: undefined when done, else the commit's error. */
  async #tryCommit(items: T[]): Promise<{ error: unknown } | undefined> {
    try {
      await this.#commit(items);
    } catch (error) {
      return { error };
    }
    this.#groups++;
    this.#items += items.length;
    this.#largest = Math.max(this.#largest, items.length);
    return undefined;
  }

  #settleIdle(): void {
    const idle = this.#idle;
    this.#idle = [];
    for (const resolve of idle) resolve();
  }
}
