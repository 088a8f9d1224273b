// Seeded randomness for the simulation. Every draw comes from an alea stream keyed by (seed, purpose),
// so a decision about one case never depends on the order in which other cases were discovered.
import seedrandom from 'seedrandom';

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [lo, hi], inclusive. */
  int(lo: number, hi: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
  /** One key of a map of shares (weights need not add up to 1). */
  pick<K extends string>(shares: Record<K, number>): K;
  /** One element of a non-empty list. */
  element<T>(list: readonly T[]): T;
  /** Standard normal (Box–Muller). */
  normal(): number;
  /** Log-normal with the given median and 90th percentile. */
  logNormal(median: number, p90: number): number;
  /** Poisson with mean λ (inversion for small λ, normal approximation above 500). */
  poisson(lambda: number): number;
}

const Z90 = 1.2815515655446004;

export function rngFor(seed: number | string, ...purpose: (string | number)[]): Rng {
  const source = seedrandom.alea(`shudi-sim:${seed}:${purpose.join(':')}`);
  const next = () => source();
  const rng: Rng = {
    next,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    chance: (p) => next() < p,
    pick<K extends string>(shares: Record<K, number>): K {
      const entries = Object.entries(shares) as [K, number][];
      const total = entries.reduce((s, [, w]) => s + w, 0);
      let x = next() * total;
      for (const [k, w] of entries) {
        if (x < w) return k;
        x -= w;
      }
      // Rounding: the last key with a weight.
      return [...entries].reverse().find(([, w]) => w > 0)![0];
    },
    element<T>(list: readonly T[]): T {
      if (list.length === 0) throw new RangeError('element of an empty list');
      return list[Math.floor(next() * list.length)] as T;
    },
    normal() {
      const u = 1 - next();
      const v = next();
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    },
    logNormal(median, p90) {
      if (median <= 0) return 0;
      const sigma = p90 > median ? Math.log(p90 / median) / Z90 : 0;
      return median * Math.exp(sigma * rng.normal());
    },
    poisson(lambda) {
      if (lambda <= 0) return 0;
      if (lambda > 500) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * rng.normal()));
      const l = Math.exp(-lambda);
      let k = 0;
      let p = 1;
      do {
        k++;
        p *= next();
      } while (p > l);
      return k - 1;
    },
  };
  return rng;
}

/** A seeded in-place shuffle (Fisher–Yates). */
export function shuffle<T>(list: T[], rng: Rng): T[] {
  for (let i = list.length - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [list[i], list[j]] = [list[j] as T, list[i] as T];
  }
  return list;
}
