/**
 * Seeded pseudo-random numbers for the demo: the same seed gives the same stream on every machine
 * and Node version (sfc32 seeded through a string hash; Math.random is never used), so
 * `vigil demo --seed S` is reproducible.
 */
export interface Rng {
  /** Uniform float in [0, 1). */
  float(): number;
  /** Integer in [0, n). */
  int(n: number): number;
  /** Integer in [min, max], both inclusive. */
  between(min: number, max: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** Picks from [[weight, value], ...]. */
  weighted<T>(pairs: readonly (readonly [number, T])[]): T;
  /** Exponentially distributed value with the given mean. */
  exp(mean: number): number;
  /** Log-normal value with the given median and shape (sigma of the underlying normal). */
  logNormal(median: number, sigma: number): number;
  /** Poisson-distributed count with the given mean (small means only). */
  poisson(mean: number): number;
  /** `length` lowercase hex digits. */
  hex(length: number): string;
  /** `length` lowercase letters. */
  letters(length: number): string;
  /** A shuffled copy (Fisher-Yates). */
  shuffle<T>(items: readonly T[]): T[];
}

/** 32-bit state words from any seed (number or string), so seed 1 and seed '1' agree. */
function seedWords(seed: string): [number, number, number, number] {
  let h = 1779033703 ^ seed.length;
  for (let i = 0; i < seed.length; i++) {
    h = Math.imul(h ^ seed.charCodeAt(i), 3432918353);
    h = (h << 13) | (h >>> 19);
  }
  const words: number[] = [];
  for (let i = 0; i < 4; i++) {
    h = Math.imul(h ^ (h >>> 16), 2246822507);
    h = Math.imul(h ^ (h >>> 13), 3266489909);
    h ^= h >>> 16;
    words.push(h >>> 0);
  }
  return words as [number, number, number, number];
}

export function createRng(seed: number | string): Rng {
  let [a, b, c, d] = seedWords(String(seed));
  const float = (): number => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  // sfc32 needs a few rounds to mix a weak seed.
  for (let i = 0; i < 15; i++) float();

  const rng: Rng = {
    float,
    int: (n) => Math.floor(float() * n),
    between: (min, max) => min + Math.floor(float() * (max - min + 1)),
    chance: (p) => float() < p,
    pick: (items) => {
      if (items.length === 0) throw new RangeError('pick from an empty list');
      return items[Math.floor(float() * items.length)]!;
    },
    weighted(pairs) {
      let total = 0;
      for (const [w] of pairs) total += w;
      let x = float() * total;
      for (const [w, value] of pairs) {
        x -= w;
        if (x < 0) return value;
      }
      return pairs[pairs.length - 1]![1];
    },
    exp: (mean) => -Math.log(1 - float()) * mean,
    logNormal(median, sigma) {
      // Box-Muller; 1 - float() keeps the logarithm finite.
      const z = Math.sqrt(-2 * Math.log(1 - float())) * Math.cos(2 * Math.PI * float());
      return median * Math.exp(sigma * z);
    },
    poisson(mean) {
      const limit = Math.exp(-mean);
      let k = 0;
      let p = float();
      while (p > limit) {
        k++;
        p *= float();
      }
      return k;
    },
    hex(length) {
      let s = '';
      for (let i = 0; i < length; i++) s += Math.floor(float() * 16).toString(16);
      return s;
    },
    letters(length) {
      let s = '';
      for (let i = 0; i < length; i++) s += String.fromCharCode(97 + Math.floor(float() * 26));
      return s;
    },
    shuffle(items) {
      const out = [...items];
      for (let i = out.length - 1; i > 0; i--) {
        const j = Math.floor(float() * (i + 1));
        [out[i], out[j]] = [out[j]!, out[i]!];
      }
      return out;
    },
  };
  return rng;
}
