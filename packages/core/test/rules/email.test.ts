import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  E_RULES,
  E01,
  E02,
  E03,
  E04,
  E05,
  E06,
  E07,
  E08,
  E09,
  E10,
  E11,
  E12,
  E13,
  E14,
  E15,
  E16,
  E17,
  E19,
  E20,
  E21,
  E22,
  E23,
  E24,
  E25,
  E26,
  E27,
  E28,
  E29,
  E30,
  SUSPICIOUS_EMAIL_FRAGMENTS,
} from '../../src/rules/email.ts';
import {
  DEFAULT_THRESHOLDS,
  type EmailFeature,
  type RuleDefinition,
  type RuleStatus,
  type RuleThresholds,
  type UserFeatures,
} from '../../src/rules/features.ts';
import { daysAgo, email, user } from './build.ts';

interface Case {
  name: string;
  f: UserFeatures;
  t?: RuleThresholds;
  status: RuleStatus;
  values?: Record<string, unknown>;
  reason?: RegExp;
}

function check(rule: RuleDefinition, cases: Case[]): void {
  for (const c of cases) {
    const r = rule.evaluate(c.f, c.t ?? DEFAULT_THRESHOLDS);
    assert.equal(r.status, c.status, `${rule.code} ${c.name}`);
    if (c.status === 'match') {
      assert.deepEqual(r.evidence?.values, c.values, `${rule.code} ${c.name}: values`);
      assert.equal(r.evidence?.eventIds, undefined, `${rule.code} ${c.name}: no events involved`);
      assert.ok(r.evidence?.summary, `${rule.code} ${c.name}: summary`);
    }
    if (c.status === 'not_applicable') assert.match(r.evidence?.reason ?? '', c.reason ?? /./, c.name);
  }
}

/** A user whose only (and last) address is built from `o`. */
const withEmail = (o: Partial<EmailFeature>) => user({ emails: [email(o)] });
const withAddress = (address: string) => withEmail({ email: address });

const NO_EMAIL: Case = {
  name: 'no e-mail',
  f: user({ emails: [] }),
  status: 'not_applicable',
  reason: /no e-mail/,
};
const BROKEN: Case = {
  name: 'the invalid-address placeholder',
  f: withEmail({ email: 'broken@user.local', valid: false }),
  status: 'not_applicable',
  reason: /placeholder/,
};
const EMPTY_LOCAL: Case = {
  name: 'empty local part',
  f: withAddress('@example.com'),
  status: 'not_applicable',
  reason: /empty local part/,
};
/** Every guard of a local-part rule. */
const LOCAL_GUARDS = [NO_EMAIL, BROKEN, EMPTY_LOCAL];

test('E01 Invalid email format', () =>
  check(E01, [
    {
      name: 'address sent was invalid (stored as placeholder)',
      f: withEmail({ email: 'broken@user.local', valid: false }),
      status: 'match',
      values: { email: 'broken@user.local', valid: false },
    },
    { name: 'valid address', f: user(), status: 'no_match' },
    {
      name: 'validity unknown',
      f: withEmail({ valid: null }),
      status: 'not_applicable',
      reason: /valid is unknown/,
    },
    NO_EMAIL,
  ]));

test('E02 New domain and no breaches', () =>
  check(E02, [
    {
      name: 'domain 10 days old, never breached',
      f: withEmail({ domainCreated: daysAgo(10), dataBreach: false }),
      status: 'match',
      values: { email: 'jane.doe@example.co.uk', domainAgeDays: 10, maxDays: 30, dataBreach: false },
    },
    {
      name: '30 days old (boundary)',
      f: withEmail({ domainCreated: daysAgo(30), dataBreach: false }),
      status: 'no_match',
    },
    { name: 'breached', f: withEmail({ domainCreated: daysAgo(10), dataBreach: true }), status: 'no_match' },
    {
      name: 'offline: both facts unknown',
      f: user(),
      status: 'not_applicable',
      reason: /domainCreated and dataBreach are unknown/,
    },
    {
      name: 'breach unknown',
      f: withEmail({ domainCreated: daysAgo(10) }),
      status: 'not_applicable',
      reason: /^dataBreach is unknown/,
    },
    ...LOCAL_GUARDS,
  ]));

test('E03 Suspicious words in email', () => {
  assert.ok(SUSPICIOUS_EMAIL_FRAGMENTS.includes('000') && SUSPICIOUS_EMAIL_FRAGMENTS.includes('999'));
  check(E03, [
    {
      name: 'test in the local part',
      f: withAddress('TestUser@example.com'),
      status: 'match',
      values: { email: 'TestUser@example.com', words: ['test'] },
    },
    {
      name: 'the domain counts too',
      f: withAddress('jane@spam4.me'),
      status: 'match',
      values: { email: 'jane@spam4.me', words: ['spam'] },
    },
    {
      name: 'repeated digit',
      f: withAddress('jane7770@example.com'),
      status: 'match',
      values: { email: 'jane7770@example.com', words: ['777'] },
    },
    { name: 'ordinary address', f: user(), status: 'no_match' },
    ...LOCAL_GUARDS,
  ]);
});

test('E04 Numeric email name', () =>
  check(E04, [
    {
      name: 'digits only',
      f: withAddress('5551234@example.com'),
      status: 'match',
      values: { localPart: '5551234' },
    },
    { name: 'letters and digits', f: withAddress('jane1984@example.com'), status: 'no_match' },
    ...LOCAL_GUARDS,
  ]));

test('E05 Special characters in email', () =>
  check(E05, [
    {
      name: 'two in a row',
      f: withAddress('jane._doe@example.com'),
      status: 'match',
      values: { localPart: 'jane._doe', run: '._' },
    },
    { name: 'separated', f: withAddress('jane.m.doe@example.com'), status: 'no_match' },
    { name: 'non-ASCII letters are ordinary', f: withAddress('zoë.ångström@example.se'), status: 'no_match' },
    ...LOCAL_GUARDS,
  ]));

test('E06 Consecutive digits in email', () =>
  check(E06, [
    {
      name: 'a year',
      f: withAddress('jane1984@example.com'),
      status: 'match',
      values: { localPart: 'jane1984', digits: '1984' },
    },
    { name: 'single digits', f: withAddress('j1a2@example.com'), status: 'no_match' },
    ...LOCAL_GUARDS,
  ]));

test('E07 Long email username', () =>
  check(E07, [
    {
      name: '18 characters',
      f: withAddress('abcdefghijklmnopqr@example.com'),
      status: 'match',
      values: { localPart: 'abcdefghijklmnopqr', length: 18, max: 17 },
    },
    { name: '17 characters (boundary)', f: withAddress('abcdefghijklmnopq@example.com'), status: 'no_match' },
    {
      name: 'threshold from the argument',
      f: user(),
      t: { ...DEFAULT_THRESHOLDS, emailMaxLocalPartLength: 5 },
      status: 'match',
      values: { localPart: 'jane.doe', length: 8, max: 5 },
    },
    ...LOCAL_GUARDS,
  ]));

test('E08 Long domain name', () =>
  check(E08, [
    {
      name: '23 characters',
      f: withAddress('jane@abcdefghijklmnopqrs.com'),
      status: 'match',
      values: { domain: 'abcdefghijklmnopqrs.com', length: 23, max: 22 },
    },
    { name: '22 characters (boundary)', f: withAddress('jane@abcdefghijklmnopqr.com'), status: 'no_match' },
    { name: 'no domain', f: withAddress('jane@'), status: 'not_applicable', reason: /no domain/ },
    NO_EMAIL,
    BROKEN,
  ]));

test('E09 Free email provider', () =>
  check(E09, [
    {
      name: 'free provider',
      f: withEmail({ email: 'jane@gmail.com', freeProvider: true }),
      status: 'match',
      values: { email: 'jane@gmail.com', freeProvider: true },
    },
    { name: 'company domain', f: user(), status: 'no_match' },
    {
      name: 'no free-provider list',
      f: withEmail({ freeProvider: null }),
      status: 'not_applicable',
      reason: /freeProvider/,
    },
    NO_EMAIL,
    BROKEN,
  ]));

test('E10 The website is unavailable', () =>
  check(E10, [
    {
      name: 'website down, not a free provider',
      f: withEmail({ domainDisabled: true }),
      status: 'match',
      values: { domain: 'example.co.uk', domainDisabled: true, freeProvider: false },
    },
    { name: 'website up', f: withEmail({ domainDisabled: false }), status: 'no_match' },
    { name: 'free provider', f: withEmail({ domainDisabled: true, freeProvider: true }), status: 'no_match' },
    { name: 'offline', f: user(), status: 'not_applicable', reason: /^domainDisabled is unknown/ },
    NO_EMAIL,
  ]));

test('E11 Disposable email', () =>
  check(E11, [
    {
      name: 'disposable',
      f: withEmail({ email: 'x@mailinator.com', disposable: true }),
      status: 'match',
      values: { email: 'x@mailinator.com', disposable: true },
    },
    { name: 'not disposable', f: user(), status: 'no_match' },
    {
      name: 'no disposable list',
      f: withEmail({ disposable: null }),
      status: 'not_applicable',
      reason: /disposable/,
    },
    BROKEN,
  ]));

test('E12 Free email and no breaches', () =>
  check(E12, [
    {
      name: 'free, never breached',
      f: withEmail({ email: 'jane@gmail.com', freeProvider: true, dataBreach: false }),
      status: 'match',
      values: { email: 'jane@gmail.com', freeProvider: true, dataBreach: false },
    },
    { name: 'not free (breaches unknown)', f: user(), status: 'no_match' },
    {
      name: 'free, breach unknown',
      f: withEmail({ freeProvider: true }),
      status: 'not_applicable',
      reason: /^dataBreach/,
    },
    NO_EMAIL,
  ]));

test('E13 New domain', () =>
  check(E13, [
    {
      name: '89 days old',
      f: withEmail({ domainCreated: daysAgo(89.5) }),
      status: 'match',
      values: { domain: 'example.co.uk', domainAgeDays: 89, maxDays: 90 },
    },
    { name: '90 days old (boundary)', f: withEmail({ domainCreated: daysAgo(90) }), status: 'no_match' },
    { name: 'offline', f: user(), status: 'not_applicable', reason: /^domainCreated is unknown/ },
    NO_EMAIL,
  ]));

test('E14 No MX record', () =>
  check(E14, [
    {
      name: 'no MX',
      f: withEmail({ hasMx: false }),
      status: 'match',
      values: { email: 'jane.doe@example.co.uk', hasMx: false },
    },
    { name: 'MX found', f: withEmail({ hasMx: true }), status: 'no_match' },
    { name: 'MX checks off', f: user(), status: 'not_applicable', reason: /^hasMx is unknown/ },
    NO_EMAIL,
  ]));

test('E15 No breaches for email', () =>
  check(E15, [
    {
      name: 'never breached',
      f: withEmail({ dataBreach: false }),
      status: 'match',
      values: { email: 'jane.doe@example.co.uk', dataBreach: false },
    },
    { name: 'breached', f: withEmail({ dataBreach: true }), status: 'no_match' },
    { name: 'offline', f: user(), status: 'not_applicable', reason: /^dataBreach is unknown/ },
    ...LOCAL_GUARDS,
  ]));

test('E16 Domain appears in spam lists', () =>
  check(E16, [
    {
      name: 'listed',
      f: withEmail({ domainBlocklisted: true }),
      status: 'match',
      values: { email: 'jane.doe@example.co.uk', domainBlocklisted: true },
    },
    { name: 'not listed', f: withEmail({ domainBlocklisted: false }), status: 'no_match' },
    { name: 'offline', f: user(), status: 'not_applicable', reason: /^domainBlocklisted is unknown/ },
    NO_EMAIL,
  ]));

test('E17 Free email and spam', () =>
  check(E17, [
    {
      name: 'free and listed',
      f: withEmail({ email: 'jane@gmail.com', freeProvider: true, emailBlocklisted: true }),
      status: 'match',
      values: { email: 'jane@gmail.com', freeProvider: true, emailBlocklisted: true },
    },
    {
      name: 'free, not listed',
      f: withEmail({ freeProvider: true, emailBlocklisted: false }),
      status: 'no_match',
    },
    {
      name: 'free, offline',
      f: withEmail({ freeProvider: true }),
      status: 'not_applicable',
      reason: /^emailBlocklisted/,
    },
    NO_EMAIL,
  ]));

test('E19 Multiple emails changed', () =>
  check(E19, [
    {
      name: 'two addresses',
      f: user({ emails: [email({ id: 2, email: 'new@example.com' }), email({ id: 1 })] }),
      status: 'match',
      values: { emails: ['new@example.com', 'jane.doe@example.co.uk'] },
    },
    { name: 'one address', f: user(), status: 'no_match' },
    {
      name: 'the invalid placeholder is not an address',
      f: user({ emails: [email({ id: 2, email: 'broken@user.local', valid: false }), email({ id: 1 })] }),
      status: 'no_match',
    },
    {
      name: 'same address twice, different case',
      f: user({ emails: [email({ id: 2, email: 'Jane.Doe@example.co.uk' }), email({ id: 1 })] }),
      status: 'no_match',
    },
    NO_EMAIL,
    { ...BROKEN, reason: /no e-mail/ },
  ]));

test('E20 Established domain (> 3 year old)', () =>
  check(E20, [
    {
      name: '4 years old company domain',
      f: withEmail({ domainCreated: daysAgo(1460) }),
      status: 'match',
      values: { domain: 'example.co.uk', domainAgeDays: 1460, minDays: 1095 },
    },
    { name: '1095 days (boundary)', f: withEmail({ domainCreated: daysAgo(1095) }), status: 'no_match' },
    {
      name: 'free provider',
      f: withEmail({ domainCreated: daysAgo(5000), freeProvider: true }),
      status: 'no_match',
    },
    {
      name: 'disposable unknown',
      f: withEmail({ domainCreated: daysAgo(5000), disposable: null }),
      status: 'not_applicable',
      reason: /^disposable is unknown/,
    },
    { name: 'offline', f: user(), status: 'not_applicable', reason: /^domainCreated is unknown/ },
    NO_EMAIL,
  ]));

test('E21 No vowels in email', () =>
  check(E21, [
    {
      name: 'no vowel',
      f: withAddress('xkcd99@example.com'),
      status: 'match',
      values: { localPart: 'xkcd99' },
    },
    {
      name: 'y is not a vowel',
      f: withAddress('lynn@example.com'),
      status: 'match',
      values: { localPart: 'lynn' },
    },
    { name: 'vowels', f: user(), status: 'no_match' },
    ...LOCAL_GUARDS,
  ]));

test('E22 No consonants in email', () =>
  check(E22, [
    {
      name: 'vowels and digits',
      f: withAddress('aia2000@example.com'),
      status: 'match',
      values: { localPart: 'aia2000' },
    },
    { name: 'consonants', f: user(), status: 'no_match' },
    ...LOCAL_GUARDS,
  ]));

const second = (o: Partial<EmailFeature>) => user({ emails: [email({ id: 1 }), email({ id: 2, ...o })] });

test('E23 Educational domain (.edu)', () =>
  check(E23, [
    {
      name: 'institution fact (ac.uk)',
      f: second({ email: 'jd@ox.ac.uk', institution: 'edu' }),
      status: 'match',
      values: { emails: ['jd@ox.ac.uk'] },
    },
    {
      name: '.edu suffix',
      f: second({ email: 'jd@mit.edu' }),
      status: 'match',
      values: { emails: ['jd@mit.edu'] },
    },
    { name: 'not an institution', f: user(), status: 'no_match' },
    NO_EMAIL,
    { ...BROKEN, reason: /no e-mail/ },
  ]));

test('E24 Government domain (.gov)', () =>
  check(E24, [
    {
      name: 'institution fact (gouv.fr)',
      f: second({ email: 'jd@interieur.gouv.fr', institution: 'gov' }),
      status: 'match',
      values: { emails: ['jd@interieur.gouv.fr'] },
    },
    {
      name: '.gov suffix',
      f: second({ email: 'jd@nasa.gov' }),
      status: 'match',
      values: { emails: ['jd@nasa.gov'] },
    },
    {
      name: 'an educational address',
      f: second({ email: 'jd@mit.edu', institution: 'edu' }),
      status: 'no_match',
    },
    NO_EMAIL,
  ]));

test('E25 Military domain (.mil)', () =>
  check(E25, [
    {
      name: '.mil',
      f: second({ email: 'jd@army.mil', institution: 'mil' }),
      status: 'match',
      values: { emails: ['jd@army.mil'] },
    },
    { name: '.mil only as a label inside', f: second({ email: 'jd@mil.example.com' }), status: 'no_match' },
    NO_EMAIL,
  ]));

test('E26 iCloud mailbox', () =>
  check(E26, [
    {
      name: 'appleDomain fact',
      f: second({ email: 'jd@icloud.com', appleDomain: true }),
      status: 'match',
      values: { emails: ['jd@icloud.com'] },
    },
    {
      name: 'fact unknown: me.com suffix',
      f: second({ email: 'jd@me.com', appleDomain: null }),
      status: 'match',
      values: { emails: ['jd@me.com'] },
    },
    { name: 'not Apple', f: user(), status: 'no_match' },
    NO_EMAIL,
  ]));

test('E27 Email breaches', () =>
  check(E27, [
    {
      name: 'breached',
      f: withEmail({ dataBreach: true }),
      status: 'match',
      values: { email: 'jane.doe@example.co.uk', dataBreach: true },
    },
    { name: 'never breached', f: withEmail({ dataBreach: false }), status: 'no_match' },
    { name: 'offline', f: user(), status: 'not_applicable', reason: /^dataBreach is unknown/ },
    NO_EMAIL,
  ]));

test('E28 No digits in email', () =>
  check(E28, [
    { name: 'letters only', f: user(), status: 'match', values: { localPart: 'jane.doe' } },
    { name: 'a digit', f: withAddress('jane2@example.com'), status: 'no_match' },
    ...LOCAL_GUARDS,
  ]));

test('E29 Old breach (>3 years)', () =>
  check(E29, [
    {
      name: 'an older address first breached 5 years ago',
      f: second({ email: 'old@example.com', dataBreach: true, earliestBreach: daysAgo(1826) }),
      status: 'match',
      values: { email: 'old@example.com', breachAgeDays: 1826, minDays: 1095 },
    },
    {
      name: '1095 days (boundary)',
      f: withEmail({ dataBreach: true, earliestBreach: daysAgo(1095) }),
      status: 'no_match',
    },
    { name: 'never breached', f: withEmail({ dataBreach: false }), status: 'no_match' },
    { name: 'offline', f: user(), status: 'not_applicable', reason: /^earliestBreach is unknown/ },
    NO_EMAIL,
  ]));

test('E30 Domain with average rank', () =>
  check(E30, [
    {
      name: 'rank 250 000',
      f: withEmail({ trancoRank: 250_000 }),
      status: 'match',
      values: { domain: 'example.co.uk', trancoRank: 250_000, min: 100_000, max: 4_000_000 },
    },
    { name: 'rank 100 000 (boundary)', f: withEmail({ trancoRank: 100_000 }), status: 'no_match' },
    { name: 'rank 4 000 000 (boundary)', f: withEmail({ trancoRank: 4_000_000 }), status: 'no_match' },
    { name: 'free provider', f: withEmail({ trancoRank: 250_000, freeProvider: true }), status: 'no_match' },
    { name: 'offline', f: user(), status: 'not_applicable', reason: /^trancoRank is unknown/ },
    NO_EMAIL,
  ]));

test('E_RULES: 29 rules of group E in code order, no E18', () => {
  const codes = E_RULES.map((r) => r.code);
  assert.equal(codes.length, 29);
  assert.ok(!codes.includes('E18'));
  assert.deepEqual(codes, [...codes].sort());
  for (const r of E_RULES) assert.equal(r.group, 'E');
  assert.deepEqual(E02.requires, ['email', 'domain']);
  assert.deepEqual(E03.requires, []);
});
