import assert from 'node:assert/strict';
import { test } from 'node:test';
import { C_RULES, EUROPEAN_UNION_COUNTRIES, NORTH_AMERICA_COUNTRIES } from '../../src/rules/country.ts';
import {
  DEFAULT_THRESHOLDS,
  type RuleDefinition,
  type RuleStatus,
  type UserFeatures,
} from '../../src/rules/features.ts';
import { event, ip, user } from './build.ts';

interface Case {
  name: string;
  f: UserFeatures;
  status: RuleStatus;
  values?: Record<string, unknown>;
  eventIds?: number[];
  reason?: RegExp;
}

function check(rule: RuleDefinition, cases: Case[]): void {
  for (const c of cases) {
    const r = rule.evaluate(c.f, DEFAULT_THRESHOLDS);
    assert.equal(r.status, c.status, `${rule.code} ${c.name}`);
    if (c.status === 'match') {
      assert.deepEqual(r.evidence?.values, c.values, `${rule.code} ${c.name}: values`);
      assert.deepEqual(r.evidence?.eventIds, c.eventIds, `${rule.code} ${c.name}: eventIds`);
      assert.ok(r.evidence?.summary, `${rule.code} ${c.name}: summary`);
    }
    if (c.status === 'not_applicable') assert.match(r.evidence?.reason ?? '', c.reason ?? /./, c.name);
  }
}

/** Which country each rule is about, and a code it must not fire on. */
const SINGLE: [string, string][] = [
  ['C01', 'NG'],
  ['C02', 'IN'],
  ['C03', 'CN'],
  ['C04', 'BR'],
  ['C05', 'PK'],
  ['C06', 'ID'],
  ['C07', 'VE'],
  ['C08', 'ZA'],
  ['C09', 'PH'],
  ['C10', 'RO'],
  ['C11', 'RU'],
  ['C14', 'AU'],
  ['C15', 'AE'],
  ['C16', 'JP'],
];

const rule = (code: string) => C_RULES.find((r) => r.code === code)!;

/** A user whose second IP (id 2) is in `country`, with one recent event on it. */
function userIn(country: string): UserFeatures {
  return user({
    ips: [ip({ id: 1, ip: '81.2.69.160', country: 'GB' }), ip({ id: 2, ip: '203.0.113.9', country })],
    events: [event({ id: 71, ipId: 2 }), event({ id: 72, ipId: 1 })],
  });
}

const standardCases = (country: string): Case[] => [
  {
    name: `an IP in ${country}`,
    f: userIn(country),
    status: 'match',
    values: { countries: [country], ips: ['203.0.113.9'] },
    eventIds: [71],
  },
  {
    name: 'IPs elsewhere only',
    f: user({ ips: [ip({ country: 'GB' }), ip({ id: 2, country: null })] }),
    status: 'no_match',
  },
  {
    name: 'no IP with a known country',
    f: user({ ips: [ip({ country: null }), ip({ id: 2, country: null })] }),
    status: 'not_applicable',
    reason: /no IP with a known country/,
  },
  {
    name: 'no IP at all',
    f: user({ ips: [] }),
    status: 'not_applicable',
    reason: /no IP with a known country/,
  },
];

for (const [code, country] of SINGLE) {
  test(`${code} ${rule(code).name}`, () => check(rule(code), standardCases(country)));
}

test('C12 European IP address: EU-27 plus Åland', () => {
  assert.equal(EUROPEAN_UNION_COUNTRIES.length, 28);
  check(rule('C12'), [
    ...standardCases('DE'),
    {
      name: 'Åland',
      f: userIn('AX'),
      status: 'match',
      values: { countries: ['AX'], ips: ['203.0.113.9'] },
      eventIds: [71],
    },
    {
      name: 'Romania is in the EU as well',
      f: userIn('RO'),
      status: 'match',
      values: { countries: ['RO'], ips: ['203.0.113.9'] },
      eventIds: [71],
    },
    {
      name: 'the UK, Norway and Switzerland are not',
      f: user({ ips: [ip({ country: 'GB' }), ip({ id: 2, country: 'NO' }), ip({ id: 3, country: 'CH' })] }),
      status: 'no_match',
    },
  ]);
});

test('C13 North America IP address: US and CA', () => {
  assert.deepEqual([...NORTH_AMERICA_COUNTRIES].sort(), ['CA', 'US']);
  check(rule('C13'), [
    ...standardCases('US'),
    {
      name: 'Canada',
      f: userIn('CA'),
      status: 'match',
      values: { countries: ['CA'], ips: ['203.0.113.9'] },
      eventIds: [71],
    },
    { name: 'Mexico is not', f: user({ ips: [ip({ country: 'MX' })] }), status: 'no_match' },
  ]);
});

test('C rules: several matching IPs, no recent event on them', () => {
  const f = user({
    ips: [ip({ id: 5, ip: '198.51.100.1', country: 'US' }), ip({ id: 6, ip: '198.51.100.2', country: 'CA' })],
    events: [event({ id: 80, ipId: 9 })],
  });
  check(rule('C13'), [
    {
      name: 'two IPs, no event',
      f,
      status: 'match',
      values: { countries: ['US', 'CA'], ips: ['198.51.100.1', '198.51.100.2'] },
    },
  ]);
});

test('C_RULES: 16 rules of group C in code order, requiring IP data', () => {
  assert.deepEqual(
    C_RULES.map((r) => r.code),
    Array.from({ length: 16 }, (_, i) => `C${String(i + 1).padStart(2, '0')}`),
  );
  for (const r of C_RULES) {
    assert.equal(r.group, 'C');
    assert.deepEqual(r.requires, ['ip']);
    assert.ok(r.name.endsWith('IP address') && r.description.length > 20);
  }
});
