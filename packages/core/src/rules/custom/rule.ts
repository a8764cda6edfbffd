// A compiled custom rule as a RuleDefinition of group X, and the allocation of X codes.
import type { RuleDefinition, UserFeatures } from '../features.ts';
import {
  type CompiledCustomRule,
  type CustomRuleCompileError,
  compileCustomRule,
  type Requirement,
} from './compile.ts';
import { type CustomRuleBudget, DEFAULT_BUDGET } from './engine.ts';

/** X01 … X999: X and two or three digits, as in tirreno. */
export const CUSTOM_CODE_PATTERN = /^X\d{2,3}$/;

export interface CustomRuleSpec {
  code: string;
  name: string;
  description: string;
  source: string;
  /** Per-evaluation budget; DEFAULT_BUDGET when absent. */
  budget?: Partial<CustomRuleBudget>;
}

export interface CustomRuleDefinition extends RuleDefinition {
  group: 'X';
  requires: readonly Requirement[];
  source: string;
  compiled: CompiledCustomRule;
}

/** Thrown by customRuleDefinition for a source that does not compile. */
export class CustomRuleCompileFailure extends Error {
  readonly errors: readonly CustomRuleCompileError[];
  constructor(code: string, errors: readonly CustomRuleCompileError[]) {
    const first = errors[0];
    const where = first ? ` at line ${first.line}, column ${first.column}: ${first.message}` : '';
    super(`custom rule ${code} does not compile${where}`);
    this.name = 'CustomRuleCompileFailure';
    this.errors = errors;
  }
}

/**
 * Builds the RuleDefinition of a custom rule. Its `evaluate` returns match / no_match (the
 * boolean result) or not_applicable (an unknown fact was needed), and throws on an evaluation
 * error or an exceeded budget, which evaluateRules records as `error` for that user without
 * touching the score. Throws CustomRuleCompileFailure when the source does not compile and a
 * plain Error for a code outside X01–X999.
 */
export function customRuleDefinition(spec: CustomRuleSpec): CustomRuleDefinition {
  if (!CUSTOM_CODE_PATTERN.test(spec.code) || spec.code === 'X00' || spec.code === 'X000') {
    throw new Error(`invalid custom rule code ${JSON.stringify(spec.code)}: expected X01 to X999`);
  }
  const result = compileCustomRule(spec.source);
  if (!result.ok) throw new CustomRuleCompileFailure(spec.code, result.errors);
  const compiled = result.rule;
  const budget: CustomRuleBudget = { ...DEFAULT_BUDGET, ...spec.budget };
  return Object.freeze({
    code: spec.code,
    group: 'X' as const,
    name: spec.name,
    description: spec.description,
    requires: compiled.requires,
    source: spec.source,
    compiled,
    evaluate: (features: UserFeatures) => compiled.evaluate(features, budget),
  });
}

/**
 * The next free custom code after the highest X code in use (deleted rules' codes are not reused,
 * so stored results never change meaning): X01 when none, X42 after X41, X100 after X99.
 * Codes that are not custom codes are ignored. Throws after X999.
 */
export function nextCustomCode(existingCodes: Iterable<string>): string {
  let highest = 0;
  for (const code of existingCodes) {
    if (CUSTOM_CODE_PATTERN.test(code)) highest = Math.max(highest, Number(code.slice(1)));
  }
  const next = highest + 1;
  if (next > 999) throw new Error('no custom rule code left (X999 is the last)');
  return `X${String(next).padStart(2, '0')}`;
}
