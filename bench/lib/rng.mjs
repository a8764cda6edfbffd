// Seeded pseudo-random numbers for the bench tools: the same seed gives the same stream on every
// machine and Node version (sfc32 seeded through a string hash; no Math.random anywhere).

/** 32-bit state words from any seed (number or string), so seed 1 and seed '1' agree. */
function seedWords(seed) {
  const text = String(seed);
  let h = 1779033703 ^ text.length;
  for (let i = 0; i < text.length; i++) {
    h = Math.imul(h ^ text.charCodeAt(i), 3432918353);
    h = (h << 13) | (h >>> 19);
  }
  const words = [];
  for (let i = 0; i < 4; i++) {
    h = Math.imul(h ^ (h >>> 16), 2246822507);
    h = Math.imul(h ^ (h >>> 13), 3266489909);
    h ^= h >>> 16;
    words.push(h >>> 0);
  }
  return words;
}

/**
 * @param {number|string} seed
 */
export function createRng(seed) {
  let [a, b, c, d] = seedWords(seed);
  /** Uniform float in [0, 1). */
  function float() {
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
  }
  // Discard the first values: sfc32 needs a few rounds to mix a weak seed.
  for (let i = 0; i < 15; i++) float();

  const rng = {
    float,
    /** Integer in [0, n). */
    int: (n) => Math.floor(float() * n),
    /** Integer in [min, max], both inclusive. */
    between: (min, max) => min + Math.floor(float() * (max - min + 1)),
    /** True with probability p. */
    chance: (p) => float() < p,
    pick: (items) => items[Math.floor(float() * items.length)],
    /** Picks from [[weight, value], ...]. */
    weighted(pairs) {
      let total = 0;
      for (const [w] of pairs) total += w;
      let x = float() * total;
      for (const [w, value] of pairs) {
        x -= w;
        if (x < 0) return value;
      }
      return pairs[pairs.length - 1][1];
    },
    /** Exponentially distributed value with the given mean. */
    exp: (mean) => -Math.log(1 - float()) * mean,
  };
  return rng;
}
