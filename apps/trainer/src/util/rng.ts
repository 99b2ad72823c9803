/**
 * Seeded pseudo-random numbers. Every random choice of a run (split, shuffling, augmentation, dropout masks,
 * initial weights) comes from a stream derived from the run's seed and a purpose, so a run is reproducible and a
 * resumed run draws exactly what an uninterrupted run would have drawn.
 */

/** 32-bit FNV-1a of a string: turns (seed, purpose, epoch) into a stream seed. */
export function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** sfc32: small, fast, good statistical quality; its whole state is four uint32 words. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number | string) {
    const base = typeof seed === "string" ? hashString(seed) : seed >>> 0;
    this.a = 0x9e3779b9;
    this.b = 0x243f6a88;
    this.c = 0xb7e15162;
    this.d = base;
    for (let i = 0; i < 15; i++) this.nextUint32(); // decorrelate nearby seeds
  }

  /** A stream for one purpose of one run, e.g. `Rng.derive(seed, "shuffle", epoch)`. */
  static derive(seed: number, ...parts: (string | number)[]): Rng {
    return new Rng(hashString([seed, ...parts].join("/")));
  }

  nextUint32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform in [min, max). */
  uniform(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Fisher-Yates shuffle in place. */
  shuffle<T extends { length: number; [i: number]: unknown }>(items: T): T {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = items[i];
      items[i] = items[j];
      items[j] = tmp;
    }
    return items;
  }
}

/**
 * tfjs draws dropout masks and initial weights from `Math.random` when no seed is given (tfjs-core's
 * UniformRandom seeds itself with Math.random()). Routing Math.random through a seeded stream for the duration of a
 * training epoch makes those draws reproducible. Returns a function restoring the original.
 */
export function seedMathRandom(rng: Rng): () => void {
  const original = Math.random;
  Math.random = () => rng.next();
  return () => {
    Math.random = original;
  };
}
