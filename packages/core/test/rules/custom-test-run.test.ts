import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RuleDefinition, UserFeatures } from '../../src/rules/features.ts';
import {
  compileCustomRule,
  customRuleDefinition,
  TEST_SAMPLE_LIMIT,
  testCustomRule,
} from '../../src/rules/index.ts';
import { ip, user } from './build.ts';

/** 100 users: every 4th has IPs in 3 countries, every 10th has no known country at all. */
function population(): UserFeatures[] {
  return Array.from({ length: 100 }, (_, n) => {
    const countries = n % 10 === 9 ? [null, null] : n % 4 === 0 ? ['GB', 'FR', 'DE'] : ['GB'];
    return user({
      userId: n + 1,
      userName: `user${n + 1}`,
      eventCount: n,
      ips: countries.map((country, i) => ip({ id: i + 1, country })),
    });
  });
}

test('the test run reports counts, match rate and the first 25 matches with evidence', () => {
  const rule = customRuleDefinition({
    code: 'X01',
    name: 'Three countries',
    description: 'IPs in three countries or more',
    source: 'ips.exists(i, has(i.country) && i.country != "GB") && counts.countries >= 3',
  });
  const users = population();
  const report = testCustomRule(rule, users);
  assert.equal(report.checked, 100);
  assert.equal(report.matched, 25); // n % 4 === 0
  assert.equal(report.noMatch, 75);
  assert.equal(report.notApplicable, 0);
  assert.equal(report.errors, 0);
  assert.equal(report.matchRate, 0.25);
  assert.equal(report.samples.length, 25);
  assert.deepEqual(
    report.samples.slice(0, 3).map((s) => s.userName),
    ['user1', 'user5', 'user9'],
  );
  assert.deepEqual(report.samples[0]?.evidence?.values, { 'counts.countries': 3, 'size(ips)': 3 });
  assert.deepEqual(report.errorSamples, []);
});

test('not_applicable and errors are counted apart; samples stop at 25', () => {
  const users = population();
  // Unknown countries make the rule not applicable for every 10th user.
  const unknown = compileCustomRule('ips.all(i, i.country == "GB")');
  assert.ok(unknown.ok);
  const r1 = testCustomRule(unknown.rule, users);
  assert.deepEqual([r1.matched, r1.noMatch, r1.notApplicable, r1.errors], [65, 25, 10, 0]);
  assert.equal(r1.samples.length, TEST_SAMPLE_LIMIT);
  assert.equal(r1.matchRate, 0.65);

  // user1 has an eventCount of 0: a division by zero, an error for that user only.
  const errors = compileCustomRule('100 / user.eventCount > 1');
  assert.ok(errors.ok);
  const r2 = testCustomRule(errors.rule, users);
  assert.equal(r2.errors, 1);
  assert.equal(r2.errorSamples[0]?.userName, 'user1');
  assert.match(r2.errorSamples[0]?.message ?? '', /division by zero/);
  assert.equal(r2.checked, 100);
  assert.equal(r2.matched + r2.noMatch + r2.notApplicable + r2.errors, 100);
});

test('any RuleDefinition can be tested, and an empty population gives a rate of 0', () => {
  const throwing: Pick<RuleDefinition, 'evaluate'> = {
    evaluate: (f) => {
      if (f.userId % 2 === 0) throw new Error('boom');
      return { status: 'match' };
    },
  };
  const users = population().slice(0, 60);
  const report = testCustomRule(throwing, users);
  assert.deepEqual([report.matched, report.errors], [30, 30]);
  assert.equal(report.errorSamples.length, TEST_SAMPLE_LIMIT);
  assert.deepEqual(report.samples[0], { userId: 1, userName: 'user1' });

  const empty = testCustomRule(throwing, []);
  assert.deepEqual([empty.checked, empty.matchRate], [0, 0]);
});

test('a runaway rule is an error for the users where it exceeds its budget, not a crash', () => {
  const rule = customRuleDefinition({
    code: 'X02',
    name: 'runaway',
    description: 'cubic in the number of IPs',
    source: 'ips.exists(a, ips.exists(b, ips.exists(c, a.id + b.id + c.id < 0)))',
  });
  const small = user({ userId: 1 });
  const large = user({ userId: 2, ips: Array.from({ length: 150 }, (_, i) => ip({ id: i + 1 })) });
  const report = testCustomRule(rule, [small, large]);
  assert.deepEqual([report.noMatch, report.errors], [1, 1]);
  assert.match(report.errorSamples[0]?.message ?? '', /budget exceeded|timed out/);
});
