import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isValidEmail } from '../src/sensor/email.ts';
import { canonicalIp } from '../src/sensor/ip.ts';
import { parseSensorTime } from '../src/sensor/time.ts';
import { splitUrlQuery } from '../src/sensor/url.ts';
import { truncateUtf8, urlDecode, utf8ByteLength } from '../src/sensor/utf8.ts';

describe('canonicalIp (FILTER_VALIDATE_IP grammar, RFC 5952 output)', () => {
  const cases: [string, string | null][] = [
    ['1.1.1.1', '1.1.1.1'],
    ['0.0.0.0', '0.0.0.0'],
    ['255.255.255.255', '255.255.255.255'],
    ['8.8.8.08', null],
    ['08.8.8.8', null],
    ['256.1.1.1', null],
    ['1.1.1', null],
    ['1.1.1.1.1', null],
    ['1.1.1.1 ', null],
    ['0x8.8.8.8', null],
    ['', null],
    ['::', '::'],
    ['::1', '::1'],
    ['0:0:0:0:0:0:0:0', '::'],
    ['2001:0DB8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['2001:db8::0:1', '2001:db8::1'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['1:0:0:2:0:0:3:4', '1::2:0:0:3:4'],
    ['1:0:0:1:0:0:0:1', '1:0:0:1::1'],
    ['1::2:3:4:5:6:7', '1:0:2:3:4:5:6:7'],
    ['1:2:3:4:5:6:7::', '1:2:3:4:5:6:7:0'],
    ['FE80::ABCD', 'fe80::abcd'],
    ['::ffff:8.8.8.8', '::ffff:8.8.8.8'],
    ['::FFFF:8.8.8.8', '::ffff:8.8.8.8'],
    ['0:0:0:0:0:ffff:808:808', '::ffff:8.8.8.8'],
    ['::ffff:0808:0808', '::ffff:8.8.8.8'],
    ['::1.2.3.4', '::102:304'],
    ['1:2:3:4:5:6:1.2.3.4', '1:2:3:4:5:6:102:304'],
    ['::ffff:1.2.3.04', null],
    [':1.2.3.4', null],
    ['1.2.3.4:1::', null],
    ['fe80::1%eth0', null],
    ['1:2:3:4:5:6:7:8:9', null],
    ['1::2::3', null],
    [':::', null],
    [':1:2:3:4:5:6:7', null],
    ['1:2:3:4:5:6:7:', null],
    ['12345::', null],
    ['g::', null],
    ['[::1]', null],
  ];
  for (const [input, expected] of cases) {
    test(`${JSON.stringify(input)} → ${expected}`, () => assert.equal(canonicalIp(input), expected));
  }
});

describe('parseSensorTime', () => {
  const iso = (s: string) => parseSensorTime(s)?.toISOString() ?? null;
  const cases: [string, string | null][] = [
    ['2026-01-06 10:00:00', '2026-01-06T10:00:00.000Z'],
    ['2026-01-06 10:00:00.1', '2026-01-06T10:00:00.100Z'],
    ['2026-01-06 10:00:00.12', '2026-01-06T10:00:00.120Z'],
    ['2026-01-06 10:00:00.123', '2026-01-06T10:00:00.123Z'],
    ['2026-01-06 10:00:00.1234', '2026-01-06T10:00:00.123Z'],
    ['2026-01-06 10:00:00.12345', '2026-01-06T10:00:00.123Z'],
    ['2026-01-06 10:00:00.999999', '2026-01-06T10:00:00.999Z'],
    ['2026-01-06 10:00:00.1234567', null],
    ['2026-01-06 10:00:00.', null],
    ['2024-02-30 25:61:61', '2024-03-02T02:02:01.000Z'],
    ['2023-02-29 00:00:00', '2023-03-01T00:00:00.000Z'],
    ['2026-00-10 00:00:00', '2025-12-10T00:00:00.000Z'],
    ['2026-13-01 00:00:00', '2027-01-01T00:00:00.000Z'],
    ['2026-01-00 00:00:00', '2025-12-31T00:00:00.000Z'],
    ['2026-1-6 9:00:00', '2026-01-06T09:00:00.000Z'],
    ['0099-01-02 03:04:05', '0099-01-02T03:04:05.000Z'],
    ['2026-01-06 10:0:00', null],
    ['2026-01-06 10:00:0', null],
    ['26-01-06 10:00:00', null],
    ['2026-01-06', null],
    ['2026-01-06 10:00', null],
    ['2026/01/06 10:00:00', null],
    [' 2026-01-06 10:00:00', null],
    ['2026-01-06 10:00:00 ', null],
    ['1767693600', null],
    ['', null],
    ['now', null],
    // ISO 8601: our deviation, for the native JSON API.
    ['2026-01-06T10:00:00Z', '2026-01-06T10:00:00.000Z'],
    ['2026-01-06T10:00:00.123Z', '2026-01-06T10:00:00.123Z'],
    ['2026-01-06t10:00:00z', '2026-01-06T10:00:00.000Z'],
    ['2026-01-06T10:00:00', '2026-01-06T10:00:00.000Z'],
    ['2026-01-06 10:00:00Z', '2026-01-06T10:00:00.000Z'],
    ['2026-01-06T10:00:00.5+02:00', '2026-01-06T08:00:00.500Z'],
    ['2026-01-06T10:00:00-0130', '2026-01-06T11:30:00.000Z'],
    ['2026-01-06T10:00:00+05', '2026-01-06T05:00:00.000Z'],
    ['2026-01-06T10:00:00.123456789Z', '2026-01-06T10:00:00.123Z'],
    ['2026-01-06T10:00:00+24:00', null],
    ['2026-01-06T10:00:00+02:60', null],
    ['2026-01-06T10:00:00+2', null],
  ];
  for (const [input, expected] of cases) {
    test(`${JSON.stringify(input)} → ${expected}`, () => assert.equal(iso(input), expected));
  }
});

describe('isValidEmail (FILTER_VALIDATE_EMAIL)', () => {
  const longDomain = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(58)}.com`;
  const cases: [string, boolean][] = [
    ['john@example.com', true],
    ['john.doe+tag@sub.example.co.uk', true],
    ["o'brien!#$%&*/=?^_`{|}~-@example.com", true],
    ['JOHN@EXAMPLE.COM', true],
    ['"quoted"@example.com', true],
    ['"quo\\"ted"@example.com', true],
    ['"a@b"@example.com', true],
    ['"a b"@example.com', false],
    ['a@xn--bcher-kva.example', true],
    ['a@ex-ample.com', true],
    ['a@ex--ample.com', true],
    ['a@example.c0m', true],
    ['a@[127.0.0.1]', true],
    ['a@[IPv6:::1]', true],
    ['a@[IPv6:2001:db8::1]', true],
    ['a@[IPv6:1:2:3:4:5:6:7:8]', true],
    ['a@[IPv6:1:2:3:4:5:6:1.2.3.4]', true],
    ['a@[IPv6:::ffff:1.2.3.4]', true],
    ['a@[IPv6:1:2:3:4:5:6:7::]', false],
    ['a@[127.0.0.01]', false],
    ['a@[256.0.0.1]', false],
    ['a@localhost', false],
    ['unknown@localhost', false],
    ['bad@', false],
    ['@example.com', false],
    ['a@@example.com', false],
    ['a..b@example.com', false],
    ['.a@example.com', false],
    ['a.@example.com', false],
    ['a@example..com', false],
    ['a@example.com.', false],
    ['a@-example.com', false],
    ['a@example-.com', false],
    ['a@example.123', false],
    ['a@exam_ple.com', false],
    ['josé@example.com', false],
    ['a@exämple.com', false],
    ['', false],
    ['plain', false],
    [`${'a'.repeat(64)}@example.com`, true],
    [`${'a'.repeat(65)}@example.com`, false],
    [`a@${'a'.repeat(63)}.com`, true],
    [`a@${'a'.repeat(64)}.com`, false],
    [`${'a'.repeat(64)}@${longDomain}`, false],
    // Quotes do not count towards PHP's 254: a valid address can exceed 255 bytes.
    [`${Array(32).fill('"a"').join('.')}@${longDomain}`, true],
    [`${'a'.repeat(400)}@example.com`, false],
  ];
  for (const [input, expected] of cases) {
    const label = input.length > 40 ? `${input.slice(0, 40)}… (${input.length} chars)` : input;
    test(`${JSON.stringify(label)} → ${expected}`, () => assert.equal(isValidEmail(input), expected));
  }

  test('hostile input is linear', () => {
    const start = performance.now();
    isValidEmail(`${'a-'.repeat(150)}@${'a-'.repeat(80)}`);
    isValidEmail(`a@${'a.'.repeat(150)}`);
    assert.ok(performance.now() - start < 50);
  });
});

describe('splitUrlQuery (PHP parse_url)', () => {
  const cases: [string, string, string | null][] = [
    ['/login', '/login', null],
    ['', '', null],
    ['/a?b=1', '/a', '?b=1'],
    ['/a?b=1#c', '/a#c', '?b=1'],
    ['/a#c?d', '/a#c?d', null],
    ['/a?', '/a?', null],
    ['/a?b?c', '/a', '?b?c'],
    ['?q=1', '', '?q=1'],
    ['https://example.com/p?q=1&r=2', 'https://example.com/p', '?q=1&r=2'],
    ['https://user:pw@example.com:8443/p?q', 'https://user:pw@example.com:8443/p', '?q'],
    ['https://example.com?q', 'https://example.com', '?q'],
    ['//example.com/a?b', '//example.com/a', '?b'],
    ['mailto:x@example.com?subject=hi', 'mailto:x@example.com', '?subject=hi'],
    ['example.com:80/x?y', 'example.com:80/x', '?y'],
    ['file:///etc/passwd?x', 'file:///etc/passwd', '?x'],
    ['https://[::1]:80/a?b', 'https://[::1]:80/a', '?b'],
    // parse_url fails: the whole string is the URL.
    ['http:///x?y', 'http:///x?y', null],
    ['http://:80/x?y', 'http://:80/x?y', null],
    ['http://host:abc/x?y', 'http://host:abc/x?y', null],
    ['http://host:123456/x?y', 'http://host:123456/x?y', null],
    ['http://host:70000/x?y', 'http://host:70000/x?y', null],
    ['/page:1/x?y', '/page:1/x?y', null],
    ['//?y', '//?y', null],
  ];
  for (const [input, url, query] of cases) {
    test(`${JSON.stringify(input)} → ${url} + ${query}`, () =>
      assert.deepStrictEqual(splitUrlQuery(input), { url, query }));
  }
});

describe('UTF-8 helpers', () => {
  test('truncateUtf8 never splits a character', () => {
    const cases: [string, number, string][] = [
      ['abc', 3, 'abc'],
      ['abcd', 3, 'abc'],
      ['éé', 3, 'é'],
      ['éé', 4, 'éé'],
      ['a€', 3, 'a'],
      ['a€', 4, 'a€'],
      ['a😀', 4, 'a'],
      ['a😀', 5, 'a😀'],
      ['😀😀', 7, '😀'],
      ['', 0, ''],
    ];
    for (const [s, max, expected] of cases)
      assert.equal(truncateUtf8(s, max).text, expected, `${s} @ ${max}`);
  });

  test('utf8ByteLength', () => {
    assert.equal(utf8ByteLength('aé€😀'), 1 + 2 + 3 + 4);
    assert.equal(utf8ByteLength('\uD800'), 3);
  });

  test('urlDecode is PHP urldecode', () => {
    assert.equal(urlDecode('a+b%20c%2B'), 'a b c+');
    assert.equal(urlDecode('100%'), '100%');
    assert.equal(urlDecode('%zz%4g%'), '%zz%4g%');
    assert.equal(urlDecode('%C3%A9'), 'é');
    assert.equal(urlDecode('%FF'), '\uFFFD');
    assert.equal(urlDecode('é%41'), 'éA');
  });
});
