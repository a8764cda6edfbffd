// The trust score (0 = risky … 99 = trusted) and the decision drawn from it, with tirreno's
// weights and formula so that its users read the same numbers.

export const WEIGHT_POSITIVE = -20;
export const WEIGHT_NONE = 0;
export const WEIGHT_MEDIUM = 10;
export const WEIGHT_HIGH = 20;
export const WEIGHT_EXTREME = 70;

/** The five weight levels the console offers, by label. */
export const WEIGHTS = Object.freeze({
  positive: WEIGHT_POSITIVE,
  none: WEIGHT_NONE,
  medium: WEIGHT_MEDIUM,
  high: WEIGHT_HIGH,
  extreme: WEIGHT_EXTREME,
});

export type WeightLevel = keyof typeof WEIGHTS;

export const MAX_TRUST_SCORE = 99;

/**
 * Folds the weights of the matched rules into a trust score:
 * max(0, trunc(99 − S·(n^1.1 − n + 1))), with S the sum of the weights (never below 0, so
 * positive rules cancel risk but cannot add trust) and n the number of strictly positive weights.
 * The multiplier grows slightly faster than linearly: several medium signals together weigh more
 * than their sum.
 */
export function trustScore(matchedWeights: readonly number[]): number {
  const sum = Math.max(
    matchedWeights.reduce((s, w) => s + w, 0),
    0,
  );
  const n = matchedWeights.filter((w) => w > 0).length;
  const multiplier = n ** 1.1 - n + 1;
  return Math.max(0, Math.trunc(MAX_TRUST_SCORE - sum * multiplier));
}

export interface DecisionThresholds {
  /** At or below this score the user goes to manual review. */
  reviewThreshold: number;
  /** At or below this score the user is blacklisted automatically; null switches it off. */
  blacklistThreshold: number | null;
}

export const DEFAULT_DECISION_THRESHOLDS: DecisionThresholds = Object.freeze({
  reviewThreshold: 33,
  blacklistThreshold: null,
});

export type Decision = 'allow' | 'review' | 'block';

/** Both thresholds are inclusive ("at or below"), as in tirreno. */
export function decisionFor(score: number, thresholds: DecisionThresholds): Decision {
  if (thresholds.blacklistThreshold !== null && score <= thresholds.blacklistThreshold) return 'block';
  if (score <= thresholds.reviewThreshold) return 'review';
  return 'allow';
}
