import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  DEFAULT_THRESHOLDS,
  type RuleDefinition,
  type RuleResult,
  type UserFeatures,
} from '../../src/rules/features.ts';
import { R_RULES, R01, R02, R03 } from '../../src/rules/reuse.ts';
import { email, ip, phone, user } from './build.ts';

type Case = [label: string, features: UserFeatures, expected: RuleResult];

function table(rule: RuleDefinition, cases: Case[]) {
  describe(`${rule.code} ${rule.name}`, () => {
    for (const [label, features, expected] of cases) {
      test(label, () => assert.deepEqual(rule.evaluate(features, DEFAULT_THRESHOLDS), expected));
    }
  });
}

const NA = (reason: string): RuleResult => ({ status: 'not_applicable', evidence: { reason } });

test('R_RULES lists R01…R03 in order', () => {
  assert.deepEqual(
    R_RULES.map((r) => r.code),
    ['R01', 'R02', 'R03'],
  );
});

table(R01, [
  [
    'one blacklisted IP among two',
    user({ ips: [ip(), ip({ id: 2, ip: '203.0.113.9', blacklisted: true })] }),
    {
      status: 'match',
      evidence: { summary: '1 blacklisted IP: 203.0.113.9', values: { ips: ['203.0.113.9'] } },
    },
  ],
  ['clean IPs', user({ ips: [ip()] }), { status: 'no_match' }],
  ['no IP', user({ ips: [] }), NA('no IP address recorded for the user')],
]);

table(R02, [
  [
    'latest e-mail blacklisted',
    user({ emails: [email({ email: 'scam@example.net', blacklisted: true })] }),
    {
      status: 'match',
      evidence: {
        summary: 'blacklisted e-mail address scam@example.net',
        values: { email: 'scam@example.net' },
      },
    },
  ],
  [
    'only an older e-mail is blacklisted',
    user({
      emails: [email(), email({ id: 2, email: 'old@example.net', blacklisted: true })],
    }),
    { status: 'no_match' },
  ],
  ['no e-mail', user({ emails: [] }), NA('no e-mail address recorded for the user')],
]);

table(R03, [
  [
    'latest phone blacklisted',
    user({ phones: [phone({ blacklisted: true })] }),
    {
      status: 'match',
      evidence: { summary: 'blacklisted phone number +447911123456', values: { phone: '+447911123456' } },
    },
  ],
  ['clean phone', user({ phones: [phone()] }), { status: 'no_match' }],
  ['no phone', user(), NA('no phone number recorded for the user')],
]);
