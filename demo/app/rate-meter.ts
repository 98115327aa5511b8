/**
 * Adds per second, measured where the person feels it: when `add()` resolves (embedded and committed). Keeps one
 * bucket per second for the last `seconds` seconds, for the live figure and the small chart.
 */
export class RateMeter {
  readonly #seconds: number;
  /** buckets[i] = completions during second `#firstSecond + i`. */
  #buckets: number[] = [];
  #firstSecond = 0;
  #total = 0;

  constructor(seconds = 60) {
    this.#seconds = seconds;
  }

  record(count = 1, now = performance.now()): void {
    const second = Math.floor(now / 1000);
    this.#advance(second);
    this.#buckets[second - this.#firstSecond]! += count;
    this.#total += count;
  }

  get total(): number {
    return this.#total;
  }

  /** Completions per second over the last `windowMs` (default 2 s), the "live" figure. */
  perSecond(windowMs = 2000, now = performance.now()): number {
    this.#advance(Math.floor(now / 1000));
    const whole = Math.max(1, Math.round(windowMs / 1000));
    // The current second is partial: weigh it by how much of it has passed.
    const fraction = (now % 1000) / 1000;
    const recent = this.#buckets.slice(-whole - 1);
    const sum = recent.reduce((a, b) => a + b, 0);
    const span = Math.min(recent.length - 1, whole) + fraction;
    return span > 0 ? sum / span : 0;
  }

  /** Completed seconds, oldest first, padded with zeros to `seconds` entries. */
  series(now = performance.now()): number[] {
    this.#advance(Math.floor(now / 1000));
    const done = this.#buckets.slice(0, -1);
    return [...new Array<number>(Math.max(0, this.#seconds - done.length)).fill(0), ...done].slice(-this.#seconds);
  }

  #advance(second: number): void {
    if (this.#buckets.length === 0) {
      this.#firstSecond = second;
      this.#buckets = [0];
      return;
    }
    const last = this.#firstSecond + this.#buckets.length - 1;
    for (let s = last + 1; s <= second; s++) this.#buckets.push(0);
    const excess = this.#buckets.length - (this.#seconds + 1);
    if (excess > 0) {
      this.#buckets.splice(0, excess);
      this.#firstSecond += excess;
    }
  }
}
