/**
 * Seeded randomness for model weights: xoshiro128** seeded through splitmix32 from a string. Normal-ish values
 * come from an Irwin-Hall sum of four uniforms (only +, *, no Math.log/cos), so the bytes are identical on every
 * platform and Node version.
 */
export class Rng {
  #a: number;
  #b: number;
  #c: number;
  #d: number;

  constructor(seed: string) {
    let h = 0x811c9dc5; // FNV-1a over the seed's UTF-16 code units
    for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 0x01000193);
    const split = (): number => {
      h = (h + 0x9e3779b9) | 0;
      let z = h;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.#a = split();
    this.#b = split();
    this.#c = split();
    this.#d = split() | 1;
  }

  /** Next unsigned 32-bit integer. */
  nextU32(): number {
    const result = Math.imul(rotl(Math.imul(this.#b, 5), 7), 9) >>> 0;
    const t = this.#b << 9;
    this.#c ^= this.#a;
    this.#d ^= this.#b;
    this.#b ^= this.#c;
    this.#a ^= this.#d;
    this.#c ^= t;
    this.#d = rotl(this.#d, 11);
    return result;
  }

  /** Uniform in [0, 1). */
  uniform(): number {
    return this.nextU32() / 4294967296;
  }

  /** Approximately N(0, std²): Irwin-Hall(4), centred and scaled to unit variance. */
  normal(std = 1): number {
    const s = this.uniform() + this.uniform() + this.uniform() + this.uniform() - 2;
    return s * SQRT3 * std;
  }

  /** A new Float32Array of `n` approximately N(mean, std²) values. */
  normals(n: number, std: number, mean = 0): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = mean + this.normal(std);
    return out;
  }
}

const SQRT3 = Math.sqrt(3);

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
