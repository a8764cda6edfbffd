import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  DEFAULT_THRESHOLDS,
  type RuleDefinition,
  type RuleResult,
  type UserFeatures,
} from '../../src/rules/features.ts';
import {
  I_RULES,
  I01,
  I02,
  I03,
  I04,
  I05,
  I06,
  I07,
  I08,
  I09,
  I10,
  I11,
  I12,
  I13,
  SUSPICIOUS_ASNS,
} from '../../src/rules/ip.ts';
import { ip, user } from './build.ts';

type Case = [label: string, features: UserFeatures, expected: RuleResult];

function table(rule: RuleDefinition, cases: Case[]) {
  describe(`${rule.code} ${rule.name}`, () => {
    for (const [label, features, expected] of cases) {
      test(label, () => assert.deepEqual(rule.evaluate(features, DEFAULT_THRESHOLDS), expected));
    }
  });
}

const NA = (reason: string): RuleResult => ({ status: 'not_applicable', evidence: { reason } });
const NO_IP = NA('no IP address recorded for the user');
const a = ip({ id: 1, ip: '81.2.69.160' });
const b = (o: Parameters<typeof ip>[0] = {}) => ip({ id: 2, ip: '185.220.101.7', ...o });

test('I_RULES lists I01…I13 in order', () => {
  assert.deepEqual(
    I_RULES.map((r) => r.code),
    Array.from({ length: 13 }, (_, i) => `I${String(i + 1).padStart(2, '0')}`),
  );
  for (const r of I_RULES) assert.equal(r.group, 'I');
});

// The five flag rules share one shape: any IP flagged → match; every flag unknown → not applicable.
for (const [rule, flag, label] of [
  [I01, 'tor', 'TOR'],
  [I03, 'blocklist', 'on a block list'],
  [I05, 'vpn', 'VPN'],
  [I06, 'datacenter', 'datacenter'],
  [I07, 'relay', 'Apple Private Relay'],
  [I08, 'starlink', 'Starlink'],
] as const) {
  table(rule, [
    [
      'one of two IPs flagged',
      user({ ips: [a, b({ [flag]: true })] }),
      {
        status: 'match',
        evidence: {
          summary: `1 of 2 IPs flagged ${label}: 185.220.101.7`,
          values: { ips: ['185.220.101.7'] },
        },
      },
    ],
    [
      'known and clean; an unknown IP does not block the answer',
      user({ ips: [ip({ [flag]: false }), b({ [flag]: null })] }),
      { status: 'no_match', evidence: { values: { ipsChecked: 1 } } },
    ],
    [
      'flag unknown on every IP',
      user({ ips: [ip({ [flag]: null })] }),
      NA(`no IP whose ${label} flag is known`),
    ],
    ['no IP at all', user({ ips: [] }), NO_IP],
  ]);
}

table(I02, [
  [
    'an IP hosts websites',
    user({ ips: [ip({ hostedDomains: 0 }), b({ hostedDomains: 12 })] }),
    {
      status: 'match',
      evidence: {
        summary: '1 IP hosting websites: 185.220.101.7',
        values: { ips: [{ ip: '185.220.101.7', hostedDomains: 12 }] },
      },
    },
  ],
  [
    'no hosted domain',
    user({ ips: [ip({ hostedDomains: 0 })] }),
    { status: 'no_match', evidence: { values: { ipsChecked: 1 } } },
  ],
  [
    'no reverse-IP data',
    user({ ips: [ip({ hostedDomains: null })] }),
    NA('no IP whose hosted domains are known'),
  ],
  ['no IP', user({ ips: [] }), NO_IP],
]);

table(I04, [
  [
    'an IP used by 3 accounts',
    user({ ips: [a, b({ sharedUsers: 3 })] }),
    {
      status: 'match',
      evidence: {
        summary: '1 IP also used by other accounts: 185.220.101.7',
        values: { ips: [{ ip: '185.220.101.7', sharedUsers: 3 }] },
      },
    },
  ],
  [
    'only this user',
    user({ ips: [a, b()] }),
    { status: 'no_match', evidence: { values: { maxSharedUsers: 1 } } },
  ],
  ['no IP', user({ ips: [] }), NO_IP],
]);

const many = (n: number) => Array.from({ length: n }, (_, i) => ip({ id: i + 1, ip: `10.0.0.${i + 1}` }));
table(I09, [
  [
    '10 distinct IPs (threshold 9)',
    user({ ips: many(10) }),
    {
      status: 'match',
      evidence: { summary: '10 distinct IPs (more than 9)', values: { ipCount: 10, max: 9 } },
    },
  ],
  [
    '9 distinct IPs: boundary',
    user({ ips: many(9) }),
    { status: 'no_match', evidence: { values: { ipCount: 9, max: 9 } } },
  ],
  ['no IP', user({ ips: [] }), NO_IP],
]);

table(I10, [
  [
    'two clean IPs with countries',
    user({ ips: [a, b({ country: 'FR' })] }),
    {
      status: 'match',
      evidence: {
        summary: '2 IPs, all residential (FR, GB)',
        values: { ips: ['81.2.69.160', '185.220.101.7'], countries: ['FR', 'GB'] },
      },
    },
  ],
  [
    'one IP on a VPN',
    user({ ips: [a, b({ vpn: true, datacenter: true })] }),
    {
      status: 'no_match',
      evidence: { values: { nonResidential: [{ ip: '185.220.101.7', flags: ['vpn', 'datacenter'] }] } },
    },
  ],
  [
    'a blacklisted IP',
    user({ ips: [ip({ blacklisted: true })] }),
    {
      status: 'no_match',
      evidence: { values: { nonResidential: [{ ip: '81.2.69.160', flags: ['blacklisted'] }] } },
    },
  ],
  [
    'a local IP',
    user({ ips: [a, b({ local: true, country: null, network: null })] }),
    {
      status: 'no_match',
      evidence: { values: { nonResidential: [{ ip: '185.220.101.7', flags: ['local'] }] } },
    },
  ],
  [
    'an IP without country',
    user({ ips: [a, b({ country: null })] }),
    { status: 'no_match', evidence: { values: { unknownCountry: ['185.220.101.7'] } } },
  ],
  [
    'no IP with known type flags: no vacuous match',
    user({ ips: [ip({ datacenter: null, tor: null, vpn: null, relay: null, starlink: null })] }),
    NA('no IP whose type flags are known'),
  ],
  ['no IP', user({ ips: [] }), NO_IP],
]);

table(I11, [
  [
    'two IPs in one network, a third unknown',
    user({
      ips: [a, b({ network: '81.2.0.0/16' }), ip({ id: 3, ip: '10.0.0.1', network: null, local: true })],
    }),
    {
      status: 'match',
      evidence: {
        summary: '2 IPs with a known network, all in 81.2.0.0/16',
        values: { network: '81.2.0.0/16', ips: ['81.2.69.160', '185.220.101.7'] },
      },
    },
  ],
  [
    'two networks',
    user({ ips: [a, b({ network: '185.220.100.0/22' })] }),
    { status: 'no_match', evidence: { values: { networks: ['185.220.100.0/22', '81.2.0.0/16'] } } },
  ],
  ['no known network', user({ ips: [ip({ network: null })] }), NA('no IP whose network is known')],
  ['no IP', user({ ips: [] }), NO_IP],
]);

table(I12, [
  [
    'a private address',
    user({ ips: [a, b({ ip: '192.168.1.20', local: true, country: null, network: null })] }),
    {
      status: 'match',
      evidence: { summary: '1 private or reserved IP: 192.168.1.20', values: { ips: ['192.168.1.20'] } },
    },
  ],
  ['public addresses only', user({ ips: [a, b()] }), { status: 'no_match' }],
  ['no IP', user({ ips: [] }), NO_IP],
]);

table(I13, [
  [
    'an IP in AS200373',
    user({ ips: [a, b({ asn: 200373 })] }),
    {
      status: 'match',
      evidence: {
        summary: '1 IP in a suspicious ASN: 185.220.101.7 (AS200373)',
        values: { ips: [{ ip: '185.220.101.7', asn: 200373 }] },
      },
    },
  ],
  [
    'ordinary ASNs, one unknown',
    user({ ips: [a, b({ asn: null })] }),
    { status: 'no_match', evidence: { values: { asns: [2856] } } },
  ],
  ['no known ASN', user({ ips: [ip({ asn: null })] }), NA('no IP whose ASN is known')],
  ['no IP', user({ ips: [] }), NO_IP],
]);

test('the suspicious ASN list holds 200373', () => assert.ok(SUSPICIOUS_ASNS.includes(200373)));
