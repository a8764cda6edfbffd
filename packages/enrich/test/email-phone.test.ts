import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { dataFromFiles, emptyData, loadBundledData } from '../src/data.ts';
import { domainFacts, emailFacts } from '../src/email.ts';
import { phoneFacts } from '../src/phone.ts';

const data = loadBundledData();

describe('e-mail and domain facts', () => {
  test('disposable domain (mailinator.com)', () => {
    const { email, domain } = emailFacts('Someone@Mailinator.com', data);
    assert.equal(email.valid, true);
    assert.equal(email.localPart, 'someone');
    assert.equal(email.domain, 'mailinator.com');
    assert.equal(email.disposable, true);
    assert.equal(domain?.disposable, true);
    assert.equal(domain?.registrable, 'mailinator.com');
  });

  test('subdomains of a disposable domain are disposable', () => {
    assert.equal(emailFacts('x@abc.mailinator.com', data).email.disposable, true);
  });

  test('free provider (gmail.com), normalised', () => {
    const { email, domain } = emailFacts('  John.Doe+news@GMAIL.com ', data);
    assert.equal(email.valid, true);
    assert.equal(email.localPart, 'john.doe+news');
    assert.equal(email.freeProvider, true);
    assert.equal(email.disposable, false);
    assert.equal(email.roleAddress, false);
    assert.equal(domain?.freeProvider, true);
    assert.equal(domain?.publicSuffix, 'com');
  });

  test('corporate domain', () => {
    const { email, domain } = emailFacts('jane.smith@siemens.com', data);
    assert.equal(email.freeProvider, false);
    assert.equal(email.disposable, false);
    assert.equal(email.institution, null);
    assert.equal(domain?.registrable, 'siemens.com');
  });

  test('registrable domain and public suffix of a multi-label suffix', () => {
    const d = domainFacts('mail.example.co.uk', data);
    assert.equal(d.registrable, 'example.co.uk');
    assert.equal(d.publicSuffix, 'co.uk');
    assert.equal(d.hasMx, null, 'MX checks are off');
  });

  test('role addresses', () => {
    for (const local of ['admin', 'info', 'support', 'noreply', 'no-reply', 'postmaster', 'sales+x']) {
      assert.equal(emailFacts(`${local}@acme.example`, data).email.roleAddress, true, local);
    }
    assert.equal(emailFacts('martin@acme.example', data).email.roleAddress, false);
  });

  test('edu, gov and mil domains', () => {
    assert.equal(emailFacts('a@mit.edu', data).email.institution, 'edu');
    assert.equal(emailFacts('a@ox.ac.uk', data).email.institution, 'edu');
    assert.equal(emailFacts('a@cdc.gov', data).email.institution, 'gov');
    assert.equal(emailFacts('a@hmrc.gov.uk', data).email.institution, 'gov');
    assert.equal(emailFacts('a@army.mil', data).email.institution, 'mil');
    assert.equal(emailFacts('a@example.com', data).email.institution, null);
  });

  test('Apple mail domains', () => {
    for (const d of ['icloud.com', 'me.com', 'mac.com', 'privaterelay.appleid.com']) {
      assert.equal(emailFacts(`x@${d}`, data).email.appleDomain, true, d);
    }
    assert.equal(emailFacts('x@gmail.com', data).email.appleDomain, false);
  });

  test('shape facts', () => {
    const { email } = emailFacts('xq7..__9z@bcd.example', data);
    assert.deepEqual(email.shape, {
      length: 21,
      localLength: 9,
      digits: 2,
      vowels: 0,
      consonants: 3,
      consecutiveSpecial: 4,
    });
    assert.equal(email.valid, false, 'consecutive dots');
    const s = emailFacts('aeiou@example.com', data).email.shape;
    assert.equal(s.vowels, 5);
    assert.equal(s.consonants, 0);
    assert.equal(s.consecutiveSpecial, 0);
  });

  test('syntax validity', () => {
    const valid = [
      'a@b.co',
      'first.last@example.com',
      "o'brien@example.ie",
      'x+tag@sub.example.org',
      'user@[192.168.0.1]',
    ];
    const invalid = [
      'plainaddress',
      '@example.com',
      'a@',
      'a@b',
      'a@b.123',
      '.a@example.com',
      'a.@example.com',
      'a@-example.com',
      'a@example..com',
      `${'x'.repeat(65)}@example.com`,
      'a"b@example.com',
    ];
    for (const e of valid) assert.equal(emailFacts(e, data).email.valid, true, e);
    for (const e of invalid) assert.equal(emailFacts(e, data).email.valid, false, e);
  });

  test('an internationalised domain is checked in its ASCII form', () => {
    const { email } = emailFacts('user@bücher.example', data);
    assert.equal(email.domain, 'xn--bcher-kva.example');
    assert.equal(email.valid, true);
  });

  test('without data sets the free/disposable flags are unknown', () => {
    const { email } = emailFacts('a@gmail.com', emptyData());
    assert.equal(email.freeProvider, null);
    assert.equal(email.disposable, null);
  });

  test('operator domain files add to the shipped lists', () => {
    const d = dataFromFiles(
      [
        {
          name: 'disposable-email-domains.txt',
          content: '# date: 2026-06-03\nthrowaway.example\n*.burner.example\n',
        },
        { name: 'free-email-providers.txt', content: 'freemail.example\n' },
      ],
      data,
    );
    assert.equal(emailFacts('a@throwaway.example', d).email.disposable, true);
    assert.equal(emailFacts('a@x.burner.example', d).email.disposable, true);
    assert.equal(emailFacts('a@mailinator.com', d).email.disposable, true, 'shipped list kept');
    assert.equal(emailFacts('a@freemail.example', d).email.freeProvider, true);
    assert.equal(emailFacts('a@gmail.com', d).email.freeProvider, true);
  });
});

describe('phone facts (libphonenumber-js, max metadata)', () => {
  const cases: [string, string | null, Partial<ReturnType<typeof phoneFacts>>][] = [
    ['+1 415 555 2671', null, { valid: true, e164: '+14155552671', country: 'US' }],
    ['+44 7400 123456', null, { valid: true, e164: '+447400123456', country: 'GB', lineType: 'mobile' }],
    ['+33 6 12 34 56 78', null, { valid: true, e164: '+33612345678', country: 'FR', lineType: 'mobile' }],
    ['+49 30 1234567', null, { valid: true, country: 'DE', lineType: 'fixed_line' }],
    ['+4915123456789', null, { valid: true, country: 'DE', lineType: 'mobile' }],
    ['+81 3-1234-5678', null, { valid: true, country: 'JP', lineType: 'fixed_line' }],
    ['+91 98765 43210', null, { valid: true, country: 'IN', lineType: 'mobile' }],
    ['+55 11 91234-5678', null, { valid: true, country: 'BR', lineType: 'mobile' }],
    ['0049 30 1234567', null, { valid: true, country: 'DE' }],
    ['+1 800 555 0199', null, { valid: true, lineType: 'toll_free' }],
    // Without +: read in the default country given.
    ['07400 123456', 'GB', { valid: true, e164: '+447400123456', country: 'GB' }],
    ['030 1234567', 'DE', { valid: true, e164: '+49301234567', country: 'DE' }],
    ['4155552671', 'US', { valid: true, e164: '+14155552671' }],
    ['4155552671', null, { valid: false, e164: null, country: null }],
    // Invalid.
    ['+49 1234', null, { valid: false, lineType: null }],
    ['+1 555 0100', null, { valid: false }],
    ['+999 123456789', null, { valid: false }],
    ['not a phone', 'US', { valid: false, e164: null }],
    ['', 'US', { valid: false }],
    ['+1'.padEnd(100, '5'), null, { valid: false, e164: null }],
  ];
  for (const [input, country, expected] of cases) {
    test(`${JSON.stringify(input)} in ${country ?? 'no country'}`, () => {
      const got = phoneFacts(input, country);
      for (const [k, v] of Object.entries(expected)) assert.equal(got[k as keyof typeof got], v, k);
    });
  }
});
