// Runs a rule set over one user's features and folds the result into a trust score. Every rule
// runs, weight 0 included, so the console can show what would fire; a rule that throws is
// recorded as an error and neither stops the others nor changes the score.
import {
  DEFAULT_THRESHOLDS,
  type RuleDefinition,
  type RuleEvidence,
  type RuleStatus,
  type RuleThresholds,
  type UserFeatures,
} from './features.ts';
import { trustScore } from './score.ts';

export interface RuleOutcome {
  code: string;
  name: string;
  status: RuleStatus;
  /** The rule's weight in this evaluation (0 when the weight map has none). */
  weight: number;
  /** For an error, `reason` carries the message. */
  evidence?: RuleEvidence;
}

export interface Evaluation {
  score: number;
  /** One outcome per rule, in the order of `rules`. */
  results: RuleOutcome[];
  /** The outcomes with status `match`, whatever their weight. */
  matched: RuleOutcome[];
}

export interface EvaluateOptions {
  rules: readonly RuleDefinition[];
  /** Rule code → weight; a missing code weighs 0. */
  weights: Readonly<Record<string, number>>;
  thresholds?: RuleThresholds;
}

const STATUSES: readonly RuleStatus[] = ['match', 'no_match', 'not_applicable'];

function runRule(rule: RuleDefinition, features: UserFeatures, thresholds: RuleThresholds) {
  try {
    const result = rule.evaluate(features, thresholds);
    if (result === null || typeof result !== 'object' || !STATUSES.includes(result.status)) {
      return { status: 'error' as const, evidence: { reason: 'rule returned an invalid result' } };
    }
    return result;
  } catch (err) {
    return {
      status: 'error' as const,
      evidence: { reason: err instanceof Error ? err.message : String(err) },
    };
  }
}

export function evaluateRules(features: UserFeatures, options: EvaluateOptions): Evaluation {
  const thresholds = options.thresholds ?? DEFAULT_THRESHOLDS;
  const results = options.rules.map((rule): RuleOutcome => {
    const { status, evidence } = runRule(rule, features, thresholds);
    const outcome: RuleOutcome = {
      code: rule.code,
      name: rule.name,
      status,
      weight: Object.hasOwn(options.weights, rule.code) ? (options.weights[rule.code] ?? 0) : 0,
    };
    if (evidence !== undefined) outcome.evidence = evidence;
    return outcome;
  });
  const matched = results.filter((r) => r.status === 'match');
  return { score: trustScore(matched.map((r) => r.weight)), results, matched };
}
