/**
 * Gathers entries from many concurrent callers into groups, one `commit(group)` at a time: while a group is being
 * written the next one fills up, so under load the group size grows by itself (the same shape as the engine's
 * batcher, here for IndexedDB transactions). Each entry hears once how its group went. When a group of several
 * entries fails, each entry is committed again on its own (a failed transaction wrote nothing), so only the entry
 * that cannot be written fails, with its own error; other groups are unaffected. A group holds at most `maxWeight`
 * (an entry is never split): a flood of 10,000 adds is written in many short transactions, each its own task,
 * instead of one that blocks the page.
 */

/** One caller's write as the queue carries it: the entry itself is told the outcome (no promise per entry). */
export interface QueueEntry {
  /** Its group (or the entry alone, after a failed group) was committed. */
  done(): void;
  /** It could not be committed, even alone. */
  fail(error: unknown): void;
}

/** How much one group may hold: `weight(entry)` summed over its entries stays within `maxWeight`. */
export interface GroupLimit<E> {
  readonly weight: (entry: E) => number;
  readonly maxWeight: number;
  /** Urgent entries go before the others (each kind in arrival order). */
  readonly urgent?: (entry: E) => boolean;
}

export class CommitQueue<E extends QueueEntry> {
  readonly #commit: (entries: E[]) => Promise<void>;
  readonly #limit: GroupLimit<E> | undefined;
  #urgent: E[] = [];
  #waiting: E[] = [];
  #running = false;
  #scheduled = false;
  #channel: MessageChannel | undefined;
  #idle: (() => void)[] = [];
  #groups = 0;
  #entries = 0;
  #largest = 0;

  constructor(commit: (entries: E[]) => Promise<void>, limit?: GroupLimit<E>) {
    this.#commit = commit;
    this.#limit = limit;
  }

  /** Queues `entry`; its `done()` or `fail()` is called once it is committed (in one group, never split) or not. */
  push(entry: E): void {
    if (this.#limit?.urgent?.(entry)) this.#urgent.push(entry);
    else this.#waiting.push(entry);
    this.#schedule();
  }

  /** Entries waiting to be committed (not counting the group being written). */
  get waiting(): number {
    return this.#urgent.length + this.#waiting.length;
  }

  /** Settles when nothing is waiting or being committed. */
  onIdle(): Promise<void> {
    if (!this.#running && this.waiting === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  /** Groups committed, entries in them, the most entries one group held. */
  stats(): { groups: number; entries: number; largest: number } {
    return { groups: this.#groups, entries: this.#entries, largest: this.#largest };
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
    if (this.waiting === 0) return this.#settleIdle();
    const group = this.#take();
    this.#running = true;
    try {
      const failure = await this.#tryCommit(group);
      if (!failure) for (const e of group) e.done();
      else if (group.length === 1) group[0]!.fail(failure.error);
      else {
        // Each entry alone, in arrival order: only the one that cannot be written fails.
        for (const e of group) {
          const own = await this.#tryCommit([e]);
          if (own) e.fail(own.error);
          else e.done();
        }
      }
    } finally {
      this.#running = false;
    }
    // Whatever arrived during the commit goes next, one macrotask from now: the callers just told push their
    // follow-up writes (an add's commit after its pending record) within microtasks, and those join that group.
    if (this.waiting > 0) this.#schedule();
    else this.#settleIdle();
  }

  /** The next group: waiting entries up to the limit's weight (always at least one), urgent ones first. */
  #take(): E[] {
    const limit = this.#limit;
    if (!limit) {
      const all = this.#waiting;
      this.#waiting = [];
      return all;
    }
    const group: E[] = [];
    let weight = 0;
    for (const list of [this.#urgent, this.#waiting]) {
      let n = 0;
      for (; n < list.length; n++) {
        weight += limit.weight(list[n]!);
        if (weight > limit.maxWeight && group.length + n > 0) break;
      }
      for (let i = 0; i < n; i++) group.push(list[i]!);
      list.splice(0, n);
      if (weight > limit.maxWeight) break;
    }
    return group;
  }

  /** Commits `entries`: undefined when done, else the commit's error. */
  async #tryCommit(entries: E[]): Promise<{ error: unknown } | undefined> {
    try {
      await this.#commit(entries);
    } catch (error) {
      return { error };
    }
    this.#groups++;
    this.#entries += entries.length;
    this.#largest = Math.max(this.#largest, entries.length);
    return undefined;
  }

  #settleIdle(): void {
    const idle = this.#idle;
    this.#idle = [];
    for (const resolve of idle) resolve();
  }
}
