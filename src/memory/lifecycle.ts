import { ClosedError } from '../errors.js';
import type { MemoryState } from './types.js';

/** A Memory's state, the calls in flight that close() waits for, and the one shutdown every close() returns. */
export class Lifecycle {
  #state: MemoryState = 'initializing';
  readonly #inFlight = new Set<Promise<unknown>>();
  #closing: Promise<void> | undefined;

  get state(): MemoryState {
    return this.#state;
  }

  ready(): void {
    this.#state = 'ready';
  }

  /** ClosedError naming `method` unless the Memory is ready. */
  assertOpen(method: string): void {
    if (this.#state !== 'ready') {
      throw new ClosedError(
        `Expected an open Memory, but \`${method}()\` was called after \`close()\`; create a new one with Memory.create()`,
      );
    }
  }

  /** Registers a call with those close() waits for; returns it. */
  track<T>(promise: Promise<T>): Promise<T> {
    this.#inFlight.add(promise);
    const done = () => this.#inFlight.delete(promise);
    promise.then(done, done);
    return promise;
  }

  /** Resolves once every call tracked so far has settled. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.#inFlight]);
  }

  /** Marks the Memory closed and starts `shutDown` once; every call returns that same shutdown. */
  close(shutDown: () => Promise<void>): Promise<void> {
    // A second close() must not resolve while the database is still open.
    if (this.#closing) return this.#closing;
    this.#state = 'closed';
    this.#closing = shutDown();
    return this.#closing;
  }
}
