/**
 * Keeps the `k` best (highest score) entries seen so far in a binary min-heap: the root is the worst kept entry,
 * so a candidate is tested against it in O(1) and inserted in O(log k). Scanning n scores costs O(n log k),
 * and no array of n scores is ever allocated or sorted.
 */
export class TopK {
  readonly #k: number;
  readonly #scores: Float64Array;
  readonly #rows: Int32Array;
  #size = 0;

  constructor(k: number) {
    this.#k = k;
    this.#scores = new Float64Array(k);
    this.#rows = new Int32Array(k);
  }

  get capacity(): number {
    return this.#k;
  }

  get size(): number {
    return this.#size;
  }

  /** Lowest score kept, or -Infinity while fewer than k are held (anything qualifies). */
  get threshold(): number {
    return this.#size < this.#k ? -Infinity : this.#scores[0]!;
  }

  push(row: number, score: number): void {
    if (this.#k === 0) return;
    if (this.#size < this.#k) {
      let i = this.#size++;
      // Sift up.
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (this.#scores[parent]! <= score) break;
        this.#scores[i] = this.#scores[parent]!;
        this.#rows[i] = this.#rows[parent]!;
        i = parent;
      }
      this.#scores[i] = score;
      this.#rows[i] = row;
      return;
    }
    if (score <= this.#scores[0]!) return;
    // Replace the root and sift down.
    let i = 0;
    const n = this.#size;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      const child = right < n && this.#scores[right]! < this.#scores[left]! ? right : left;
      if (this.#scores[child]! >= score) break;
      this.#scores[i] = this.#scores[child]!;
      this.#rows[i] = this.#rows[child]!;
      i = child;
    }
    this.#scores[i] = score;
    this.#rows[i] = row;
  }

  /** The kept entries, best first (ties: lower row first, so results are deterministic). */
  sorted(): { row: number; score: number }[] {
    const out: { row: number; score: number }[] = [];
    for (let i = 0; i < this.#size; i++) out.push({ row: this.#rows[i]!, score: this.#scores[i]! });
    return out.sort((a, b) => b.score - a.score || a.row - b.row);
  }
}
