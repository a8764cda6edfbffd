// "Test" a rule before it goes live: run it over stored users (the server feeds the last N) and
// report how often it matches, with the first matches as samples. Pure: no clock, no database.
import {
  DEFAULT_THRESHOLDS,
  type RuleDefinition,
  type RuleEvidence,
  type UserFeatures,
} from '../features.ts';
import type { CompiledCustomRule } from './compile.ts';

/** How many matches (and errors) are returned as samples, as in tirreno's "check rule". */
export const TEST_SAMPLE_LIMIT = 25;

export interface CustomRuleSample {
  userId: number;
  userName: string;
  evidence?: RuleEvidence;
}

export interface CustomRuleErrorSample {
  userId: number;
  userName: string;
  message: string;
}

export interface CustomRuleTestReport {
  /** Users evaluated. */
  checked: number;
  matched: number;
  noMatch: number;
  notApplicable: number;
  /** Users for whom the rule threw or exceeded its budget. */
  errors: number;
  /** matched / checked, between 0 and 1 (0 when nothing was checked). */
  matchRate: number;
  /** The first TEST_SAMPLE_LIMIT matches, in input order, with their evidence. */
  samples: CustomRuleSample[];
  /** The first TEST_SAMPLE_LIMIT errors, in input order. */
  errorSamples: CustomRuleErrorSample[];
}

type Testable = Pick<RuleDefinition, 'evaluate'> | CompiledCustomRule;

/** Evaluates `rule` for every user of `featuresList` and summarises the outcomes. */
export function testCustomRule(rule: Testable, featuresList: Iterable<UserFeatures>): CustomRuleTestReport {
  const report: CustomRuleTestReport = {
    checked: 0,
    matched: 0,
    noMatch: 0,
    notApplicable: 0,
    errors: 0,
    matchRate: 0,
    samples: [],
    errorSamples: [],
  };
  for (const features of featuresList) {
    report.checked++;
    const who = { userId: features.userId, userName: features.userName };
    try {
      const result = 'source' in rule ? rule.evaluate(features) : rule.evaluate(features, DEFAULT_THRESHOLDS);
      if (result.status === 'match') {
        report.matched++;
        if (report.samples.length < TEST_SAMPLE_LIMIT) {
          report.samples.push(result.evidence ? { ...who, evidence: result.evidence } : who);
        }
      } else if (result.status === 'no_match') report.noMatch++;
      else if (result.status === 'not_applicable') report.notApplicable++;
      else throw new Error(`rule returned status ${String(result.status)}`);
    } catch (err) {
      report.errors++;
      if (report.errorSamples.length < TEST_SAMPLE_LIMIT) {
        report.errorSamples.push({ ...who, message: err instanceof Error ? err.message : String(err) });
      }
    }
  }
  report.matchRate = report.checked === 0 ? 0 : report.matched / report.checked;
  return report;
}
