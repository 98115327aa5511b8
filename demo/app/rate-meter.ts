/**
 * Adds per second, measured where the person feels it: when `add()` resolves (embedded and committed). Keeps one
 * bucket per `bucketMs` for the last `seconds` seconds, for the live figure and the small chart.
 */
export class RateMeter {
  readonly #slots: number;
  readonly #bucketMs: number;
  /** buckets[i] = completions during slot `#firstSlot + i`. */
  #buckets: number[] = [];
  #firstSlot = 0;
  #total = 0;

  constructor(seconds = 60, bucketMs = 500) {
    this.#bucketMs = bucketMs;
    this.#slots = Math.round((seconds * 1000) / bucketMs);
  }

  record(count = 1, now = performance.now()): void {
    const slot = Math.floor(now / this.#bucketMs);
    this.#advance(slot);
    this.#buckets[slot - this.#firstSlot]! += count;
    this.#total += count;
  }

  get total(): number {
    return this.#total;
  }

  /** Completions per second over the last `windowMs` (default 2 s), the "live" figure. */
  perSecond(windowMs = 2000, now = performance.now()): number {
    this.#advance(Math.floor(now / this.#bucketMs));
    const whole = Math.max(1, Math.round(windowMs / this.#bucketMs));
    // The current slot is partial: count only the part of it that has passed.
    const fraction = (now % this.#bucketMs) / this.#bucketMs;
    const recent = this.#buckets.slice(-whole - 1);
    const sum = recent.reduce((a, b) => a + b, 0);
    const span = (Math.min(recent.length - 1, whole) + fraction) * (this.#bucketMs / 1000);
    return span > 0 ? sum / span : 0;
  }

  /** Adds/s of each completed slot, oldest first, padded with zeros to the full window. */
  series(now = performance.now()): number[] {
    this.#advance(Math.floor(now / this.#bucketMs));
    const perSecond = 1000 / this.#bucketMs;
    const done = this.#buckets.slice(0, -1).map((count) => count * perSecond);
    return [...new Array<number>(Math.max(0, this.#slots - done.length)).fill(0), ...done].slice(-this.#slots);
  }

  #advance(slot: number): void {
    if (this.#buckets.length === 0) {
      this.#firstSlot = slot;
      this.#buckets = [0];
      return;
    }
    const last = this.#firstSlot + this.#buckets.length - 1;
    for (let s = last + 1; s <= slot; s++) this.#buckets.push(0);
    const excess = this.#buckets.length - (this.#slots + 1);
    if (excess > 0) {
      this.#buckets.splice(0, excess);
      this.#firstSlot += excess;
    }
  }
}
