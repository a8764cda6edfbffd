import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  DEFAULT_THRESHOLDS,
  type RuleDefinition,
  type RuleResult,
  type UserFeatures,
} from '../../src/rules/features.ts';
import { P_RULES, P01, P02, P03, P04 } from '../../src/rules/phone.ts';
import { ip, phone, user } from './build.ts';

type Case = [label: string, features: UserFeatures, expected: RuleResult];

function table(rule: RuleDefinition, cases: Case[]) {
  describe(`${rule.code} ${rule.name}`, () => {
    for (const [label, features, expected] of cases) {
      test(label, () => assert.deepEqual(rule.evaluate(features, DEFAULT_THRESHOLDS), expected));
    }
  });
}

const NA = (reason: string): RuleResult => ({ status: 'not_applicable', evidence: { reason } });
const NO_PHONE = NA('no phone number recorded for the user');
const withPhones = (...phones: ReturnType<typeof phone>[]) => user({ phones });
const invalid = phone({ phone: '12345', e164: null, valid: false, country: null, lineType: null });

test('P_RULES lists P01…P04 in order', () => {
  assert.deepEqual(
    P_RULES.map((r) => r.code),
    ['P01', 'P02', 'P03', 'P04'],
  );
});

table(P01, [
  [
    'invalid number',
    withPhones(invalid),
    { status: 'match', evidence: { summary: 'invalid phone number 12345', values: { phone: '12345' } } },
  ],
  [
    'valid number',
    withPhones(phone()),
    { status: 'no_match', evidence: { values: { phone: '+447911123456' } } },
  ],
  ['validity unknown', withPhones(phone({ valid: null })), NA('validity of the phone number is unknown')],
  ['no phone', user(), NO_PHONE],
]);

table(P02, [
  [
    'French number, British and German IPs',
    user({
      phones: [phone({ phone: '+33612345678', e164: '+33612345678', country: 'FR' })],
      ips: [ip(), ip({ id: 2, ip: '5.9.0.1', country: 'DE' })],
    }),
    {
      status: 'match',
      evidence: {
        summary: 'phone from FR, IPs from DE, GB',
        values: { phone: '+33612345678', phoneCountry: 'FR', ipCountries: ['DE', 'GB'] },
      },
    },
  ],
  [
    'British number, one British IP among others',
    user({ phones: [phone()], ips: [ip(), ip({ id: 2, ip: '5.9.0.1', country: 'DE' })] }),
    {
      status: 'no_match',
      evidence: { values: { phone: '+447911123456', phoneCountry: 'GB', ipCountries: ['DE', 'GB'] } },
    },
  ],
  [
    'phone country unknown',
    withPhones(phone({ country: null })),
    NA('country of the phone number is unknown'),
  ],
  [
    'no IP country known',
    user({ phones: [phone()], ips: [ip({ country: null })] }),
    NA('no IP with a known country'),
  ],
  ['no phone', user(), NO_PHONE],
]);

table(P03, [
  [
    'a number used by 2 accounts',
    withPhones(phone(), phone({ id: 2, phone: '+447700900123', e164: '+447700900123', sharedUsers: 2 })),
    {
      status: 'match',
      evidence: {
        summary: '1 phone number also used by other accounts: +447700900123',
        values: { phones: [{ phone: '+447700900123', sharedUsers: 2 }] },
      },
    },
  ],
  ['own numbers only', withPhones(phone()), { status: 'no_match' }],
  ['no phone', user(), NO_PHONE],
]);

table(P04, [
  [
    'valid number',
    withPhones(phone()),
    {
      status: 'match',
      evidence: { summary: 'valid phone number +447911123456', values: { phone: '+447911123456' } },
    },
  ],
  ['invalid number', withPhones(invalid), { status: 'no_match', evidence: { values: { phone: '12345' } } }],
  [
    'validity unknown: not counted as valid',
    withPhones(phone({ valid: null })),
    NA('validity of the phone number is unknown'),
  ],
  ['no phone', user(), NO_PHONE],
]);
