import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import type { NormalisedEvent } from '../src/event.ts';
import { type NormaliseResult, normaliseSensorFields } from '../src/sensor/normalise.ts';
import { parsePhpForm } from '../src/sensor/php-form.ts';
import { utf8ByteLength } from '../src/sensor/utf8.ts';

const NOW = new Date('2026-01-06T12:00:00.000Z');
const BASE = { ipAddress: '1.1.1.1', url: '/', eventTime: '2026-01-06 10:00:00' };
const md5 = (s: string) => createHash('md5').update(s).digest('hex');

function normalise(fields: Record<string, unknown>): { event: NormalisedEvent; warnings: string[] } {
  const result = normaliseSensorFields({ ...BASE, ...fields }, NOW);
  assert.ok(result.ok, `rejected: ${JSON.stringify(result)}`);
  return result;
}

function form(body: string) {
  return normalise(parsePhpForm(body));
}

type Case<K extends keyof NormalisedEvent> = [
  label: string,
  fields: Record<string, unknown>,
  expected: NormalisedEvent[K],
  warning?: string,
];

/** One test per row: the field's normalised value, and its warning or none. */
function table<K extends keyof NormalisedEvent>(field: K, cases: Case<K>[]): void {
  describe(field, () => {
    for (const [label, fields, expected, warning] of cases) {
      test(label, () => {
        const { event, warnings } = normalise(fields);
        assert.deepStrictEqual(event[field], expected);
        assert.deepStrictEqual(warnings, warning === undefined ? [] : [warning]);
      });
    }
  });
}

table('ipAddress', [
  ['valid IPv4', { ipAddress: '8.8.8.8' }, '8.8.8.8'],
  ['spaces removed', { ipAddress: ' 8.8. 8.8 ' }, '8.8.8.8'],
  [
    'leading zero → 0.0.0.0',
    { ipAddress: '8.8.8.08' },
    '0.0.0.0',
    'ipAddress validation error on `8.8.8.08`',
  ],
  ['garbage', { ipAddress: 'not an ip' }, '0.0.0.0', 'ipAddress validation error on `not an ip`'],
  ['empty string is present but invalid', { ipAddress: '' }, '0.0.0.0', 'ipAddress validation error on ``'],
  ['IPv4-mapped kept textually', { ipAddress: '::ffff:8.8.8.8' }, '::ffff:8.8.8.8'],
  ['IPv4-mapped in hex', { ipAddress: '::FFFF:0808:0808' }, '::ffff:8.8.8.8'],
  ['IPv6 canonicalised', { ipAddress: '2001:0DB8:0000:0000:0000:0000:0000:0001' }, '2001:db8::1'],
  [
    'IPv6 zone id rejected',
    { ipAddress: 'fe80::1%eth0' },
    '0.0.0.0',
    'ipAddress validation error on `fe80::1%eth0`',
  ],
  [
    'NUL stripped with a warning',
    { ipAddress: '1.2.3.4\0' },
    '1.2.3.4',
    'ipAddress validation error on `1.2.3.4`',
  ],
  ['JSON number', { ipAddress: 12345 }, '0.0.0.0', 'ipAddress validation error on `12345`'],
  ['array sent', { ipAddress: { 0: '1.1.1.1' } }, '0.0.0.0', 'ipAddress validation error on `["1.1.1.1"]`'],
]);

const longUrl = `/${'a'.repeat(3000)}`;
table('url', [
  ['path', { url: '/login' }, '/login'],
  ['empty string allowed', { url: '' }, ''],
  ['query split off, fragment kept', { url: '/a?b=1#c' }, '/a#c'],
  ['absolute URL keeps scheme and host', { url: 'https://example.com/p?q=1' }, 'https://example.com/p'],
  ['unparseable keeps its query', { url: 'http:///x?y' }, 'http:///x?y'],
  [
    'truncated to 2047 bytes',
    { url: longUrl },
    longUrl.slice(0, 2047),
    `url validation error on \`${longUrl}\``,
  ],
]);

table('urlQuery', [
  ['no query', { url: '/login' }, null],
  ['query', { url: '/a?b=1#c' }, '?b=1'],
  ['empty query is none', { url: '/a?' }, null],
  ['unparseable: none', { url: 'http:///x?y' }, null],
]);

test('url: multibyte characters cut exactly at 2047 bytes', () => {
  const url = `/${'é'.repeat(1100)}`;
  const { event, warnings } = normalise({ url });
  assert.equal(utf8ByteLength(event.url), 2047);
  assert.equal(event.url, `/${'é'.repeat(1023)}`);
  assert.equal(warnings.length, 1);
});

test('url: a 4-byte emoji across the limit is dropped whole', () => {
  const url = `/${'a'.repeat(2044)}😀`;
  const { event } = normalise({ url });
  assert.equal(event.url, `/${'a'.repeat(2044)}`);
  assert.equal(utf8ByteLength(event.url), 2045);
  assert.equal(normalise({ url: `/${'a'.repeat(2042)}😀` }).event.url, `/${'a'.repeat(2042)}😀`);
});

const now = NOW;
table('eventTime', [
  ['SDK format', { eventTime: '2026-01-06 10:00:00.123' }, new Date('2026-01-06T10:00:00.123Z')],
  ['no fraction', { eventTime: '2026-01-06 10:00:00' }, new Date('2026-01-06T10:00:00.000Z')],
  ['1 fraction digit', { eventTime: '2026-01-06 10:00:00.5' }, new Date('2026-01-06T10:00:00.500Z')],
  [
    '6 fraction digits, truncated to ms',
    { eventTime: '2026-01-06 10:00:00.987654' },
    new Date('2026-01-06T10:00:00.987Z'),
  ],
  [
    '7 fraction digits',
    { eventTime: '2026-01-06 10:00:00.1234567' },
    now,
    'timestamp validation error on `2026-01-06 10:00:00.1234567`',
  ],
  [
    'out-of-range parts roll over',
    { eventTime: '2024-02-30 25:61:61' },
    new Date('2024-03-02T02:02:01.000Z'),
  ],
  ['ISO with Z (deviation)', { eventTime: '2026-01-06T10:00:00.123Z' }, new Date('2026-01-06T10:00:00.123Z')],
  [
    'ISO with offset (deviation)',
    { eventTime: '2026-01-06T10:00:00+02:00' },
    new Date('2026-01-06T08:00:00.000Z'),
  ],
  ['unparseable', { eventTime: 'yesterday' }, now, 'timestamp validation error on `yesterday`'],
  ['epoch seconds', { eventTime: 1767693600 }, now, 'timestamp validation error on `1767693600`'],
  ['empty', { eventTime: '' }, now, 'timestamp validation error on ``'],
  ['absent (tirreno reads "")', { eventTime: undefined }, now, 'timestamp validation error on ``'],
  [
    'exactly 24 h ahead is accepted',
    { eventTime: '2026-01-07 12:00:00' },
    new Date('2026-01-07T12:00:00.000Z'),
  ],
  [
    'more than 24 h ahead',
    { eventTime: '2026-01-07 12:00:00.001' },
    now,
    'timestamp validation error on `2026-01-07 12:00:00.001`',
  ],
  [
    'far future',
    { eventTime: '9999-12-31 23:59:59' },
    now,
    'timestamp validation error on `9999-12-31 23:59:59`',
  ],
]);

test('eventTime: the replacement is a copy of now', () => {
  const { event } = normalise({ eventTime: 'bad' });
  assert.notEqual(event.eventTime, NOW);
  assert.equal(event.eventTime.getTime(), NOW.getTime());
});

table('userCreated', [
  ['absent', {}, null],
  ['SDK format', { userCreated: '2025-05-01 08:00:00.250' }, new Date('2025-05-01T08:00:00.250Z')],
  ['ISO', { userCreated: '2025-05-01T08:00:00Z' }, new Date('2025-05-01T08:00:00.000Z')],
  ['roll-over', { userCreated: '2025-02-29 00:00:00' }, new Date('2025-03-01T00:00:00.000Z')],
  ['invalid → null', { userCreated: 'last year' }, null, 'timestamp validation error on `last year`'],
  ['empty → null', { userCreated: '' }, null, 'timestamp validation error on ``'],
]);

table('userName', [
  ['as sent', { userName: 'johndoe42' }, 'johndoe42'],
  ['absent, no email → N/A', {}, 'N/A'],
  [
    'absent, email → md5 of the normalised email',
    { emailAddress: ' John@Example.COM' },
    md5('john@example.com'),
  ],
  ['empty string kept', { userName: '', emailAddress: 'john@example.com' }, ''],
  ['100 bytes kept', { userName: 'x'.repeat(100) }, 'x'.repeat(100)],
  [
    '101 bytes cut',
    { userName: 'x'.repeat(101) },
    'x'.repeat(100),
    `userName validation error on \`${'x'.repeat(101)}\``,
  ],
  [
    '2-byte characters cut at 100 bytes',
    { userName: 'é'.repeat(60) },
    'é'.repeat(50),
    `userName validation error on \`${'é'.repeat(60)}\``,
  ],
  [
    '3-byte characters never split',
    { userName: '€'.repeat(40) },
    '€'.repeat(33),
    `userName validation error on \`${'€'.repeat(40)}\``,
  ],
  [
    '4-byte emoji at the boundary dropped whole',
    { userName: `a${'😀'.repeat(30)}` },
    `a${'😀'.repeat(24)}`,
    `userName validation error on \`a${'😀'.repeat(30)}\``,
  ],
  ['NUL removed', { userName: 'ab\0c' }, 'abc', 'userName validation error on `abc`'],
  ['lone surrogate replaced silently', { userName: 'a\uD800b' }, 'a\uFFFDb'],
  ['JSON number', { userName: 42 }, '42'],
  ['JSON boolean', { userName: true }, '1'],
  ['JSON null is absent', { userName: null }, 'N/A'],
]);

test('userName: absent with an invalid email hashes the placeholder', () => {
  const { event } = normalise({ emailAddress: 'bad@' });
  assert.equal(event.userName, md5('broken@user.local'));
});

const domain190 = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(58)}.com`;
const quoted318 = `${Array(32).fill('"a"').join('.')}@${domain190}`;
table('emailAddress', [
  ['absent', {}, null],
  ['lowercased', { emailAddress: 'John@Example.com' }, 'john@example.com'],
  ['spaces removed', { emailAddress: ' john @ example.com ' }, 'john@example.com'],
  ['placeholder allowed', { emailAddress: 'unknown@localhost' }, 'unknown@localhost'],
  ['placeholder in capitals', { emailAddress: 'Unknown@LocalHost' }, 'unknown@localhost'],
  [
    'no dot in domain',
    { emailAddress: 'a@localhost' },
    'broken@user.local',
    'emailAddress validation error on `a@localhost`',
  ],
  ['bad@', { emailAddress: 'bad@' }, 'broken@user.local', 'emailAddress validation error on `bad@`'],
  ['empty', { emailAddress: '' }, 'broken@user.local', 'emailAddress validation error on ``'],
  [
    'non-ASCII',
    { emailAddress: 'josé@example.com' },
    'broken@user.local',
    'emailAddress validation error on `josé@example.com`',
  ],
  [
    'Kelvin sign does not become k',
    { emailAddress: '\u212A@example.com' },
    'broken@user.local',
    'emailAddress validation error on `\u212A@example.com`',
  ],
  [
    'NUL removed',
    { emailAddress: 'a\0b@example.com' },
    'ab@example.com',
    'emailAddress validation error on `ab@example.com`',
  ],
  [
    'valid over 255 bytes: kept, warned',
    { emailAddress: quoted318 },
    quoted318,
    `emailAddress validation error on \`${quoted318}\``,
  ],
  [
    'over 320 bytes: broken',
    { emailAddress: `${'a'.repeat(320)}@example.com` },
    'broken@user.local',
    `emailAddress validation error on \`${'a'.repeat(320)}@example.com\``,
  ],
]);

table('phoneNumber', [
  ['absent', {}, null],
  ['spaces removed', { phoneNumber: '+1 555 0100' }, '+15550100'],
  ['empty is no phone', { phoneNumber: '' }, null],
  ['only spaces is no phone', { phoneNumber: '   ' }, null],
  ['19 bytes kept', { phoneNumber: '1'.repeat(19) }, '1'.repeat(19)],
  [
    '20 bytes cut',
    { phoneNumber: '1234567890 1234567890' },
    '1234567890123456789',
    'phoneNumber validation error on `1234567890 1234567890`',
  ],
  ['JSON number', { phoneNumber: 15550100 }, '15550100'],
]);

table('httpCode', [
  ['absent', {}, null],
  ['404', { httpCode: '404' }, 404],
  ['leading zeros', { httpCode: '000404' }, 404],
  ['0', { httpCode: '0' }, 0],
  ['32767 fits a smallint', { httpCode: '32767' }, 32767],
  ['32768 does not', { httpCode: '32768' }, 0, 'httpCode validation error on `32768`'],
  ['99999', { httpCode: '99999' }, 0, 'httpCode validation error on `99999`'],
  ['huge', { httpCode: '9'.repeat(30) }, 0, `httpCode validation error on \`${'9'.repeat(30)}\``],
  ['leading space', { httpCode: ' 404' }, 0, 'httpCode validation error on ` 404`'],
  ['negative', { httpCode: '-1' }, 0, 'httpCode validation error on `-1`'],
  ['empty', { httpCode: '' }, 0, 'httpCode validation error on ``'],
  ['exponent', { httpCode: '4e2' }, 0, 'httpCode validation error on `4e2`'],
  ['JSON number', { httpCode: 404 }, 404],
  ['JSON fraction', { httpCode: 404.5 }, 0, 'httpCode validation error on `404.5`'],
  ['array', { httpCode: { 0: '404' } }, 0, 'httpCode validation error on `["404"]`'],
]);

table('eventType', [
  ['absent', {}, 'page_view'],
  ['exact', { eventType: 'account_login' }, 'account_login'],
  ['upper case', { eventType: 'ACCOUNT_LOGIN' }, 'account_login'],
  ['mixed case', { eventType: 'Page_Search', payload: { field_id: '1', value: 'q' } }, 'page_search'],
  ['unknown → page_view, no warning', { eventType: 'purchase' }, 'page_view'],
  ['empty → page_view', { eventType: '' }, 'page_view'],
  ['ILIKE % is not a wildcard', { eventType: 'account_log%' }, 'page_view'],
  ['ILIKE _ is not a wildcard', { eventType: 'account_login_fai_' }, 'page_view'],
  ['no trimming', { eventType: ' account_login' }, 'page_view'],
  [
    'over 100 bytes',
    { eventType: 'x'.repeat(101) },
    'page_view',
    `eventType validation error on \`${'x'.repeat(101)}\``,
  ],
]);

describe('eventType × httpCode (an explicit account type wins)', () => {
  const cases: [string | undefined, string, string][] = [
    ['account_login_fail', '401', 'account_login_fail'],
    ['account_login', '403', 'account_login'],
    ['account_registration', '400', 'account_registration'],
    ['account_email_change', '422', 'account_email_change'],
    ['account_password_change', '500', 'account_password_change'],
    ['account_edit', '409', 'account_edit'],
    ['account_logout', '500', 'account_logout'],
    ['field_edit', '500', 'field_edit'],
    ['page_view', '404', 'page_error'],
    ['PAGE_VIEW', '404', 'page_error'],
    ['page_edit', '403', 'page_error'],
    ['page_delete', '500', 'page_error'],
    ['page_search', '400', 'page_error'],
    ['page_error', '200', 'page_error'],
    [undefined, '500', 'page_error'],
    ['purchase', '404', 'page_error'],
    ['page_view', '399', 'page_view'],
    ['page_view', '0', 'page_view'],
  ];
  for (const [type, code, expected] of cases) {
    test(`${type ?? '(absent)'} + ${code} → ${expected}`, () => {
      assert.equal(normalise({ eventType: type, httpCode: code }).event.eventType, expected);
    });
  }

  test('a page_search turned page_error keeps its payload (validator chosen first)', () => {
    const { event } = normalise({
      eventType: 'page_search',
      httpCode: '404',
      payload: { field_id: '1', value: 'q' },
    });
    assert.equal(event.eventType, 'page_error');
    assert.deepStrictEqual(event.payload, { field_id: '1', value: 'q', field_name: null });
  });

  test('a bad httpCode is 0 and does not make a page_error', () => {
    const { event, warnings } = normalise({ eventType: 'page_view', httpCode: ' 404' });
    assert.equal(event.eventType, 'page_view');
    assert.deepStrictEqual(warnings, ['httpCode validation error on ` 404`']);
  });
});

table('httpMethod', [
  ['absent', {}, null],
  ['upper case', { httpMethod: 'POST' }, 'post'],
  ['lower case', { httpMethod: 'get' }, 'get'],
  ['mixed case', { httpMethod: 'Options' }, 'options'],
  ['unknown → null, no warning', { httpMethod: 'PROPFIND' }, null],
  ['empty → null', { httpMethod: '' }, null],
  ['ILIKE _ is not a wildcard', { httpMethod: 'G_T' }, null],
  [
    'over 100 bytes',
    { httpMethod: 'G'.repeat(101) },
    null,
    `httpMethod validation error on \`${'G'.repeat(101)}\``,
  ],
]);

table('httpReferer', [
  ['absent', {}, null],
  ['empty kept', { httpReferer: '' }, ''],
  [
    'URL-decoded, + is a space',
    { httpReferer: 'https%3A%2F%2Fexample.com%2F%3Fq%3Da+b' },
    'https://example.com/?q=a b',
  ],
  ['plain URL unchanged', { httpReferer: 'https://example.com/' }, 'https://example.com/'],
  ['malformed escapes kept', { httpReferer: '100%25 and 100% and %zz' }, '100% and 100% and %zz'],
  ['UTF-8 escapes', { httpReferer: '%C3%A9' }, 'é'],
  ['invalid UTF-8 replaced', { httpReferer: '%FF' }, '\uFFFD'],
  ['decoded NUL removed', { httpReferer: 'a%00b' }, 'ab', 'httpReferer validation error on `a%00b`'],
  [
    'cut before decoding',
    { httpReferer: '%41'.repeat(700) },
    `${'A'.repeat(682)}%`,
    `httpReferer validation error on \`${'%41'.repeat(700)}\``,
  ],
]);

describe('text fields: byte limits', () => {
  const limits: [keyof NormalisedEvent & string, number][] = [
    ['userAgent', 511],
    ['browserLanguage', 255],
    ['pageTitle', 255],
    ['firstName', 100],
    ['lastName', 100],
    ['fullName', 100],
  ];
  for (const [field, limit] of limits) {
    test(`${field}: ${limit} bytes kept, ${limit + 1} cut at a character boundary`, () => {
      const atLimit = normalise({ [field]: 'x'.repeat(limit) });
      assert.equal(atLimit.event[field], 'x'.repeat(limit));
      assert.deepStrictEqual(atLimit.warnings, []);
      const over = `${'x'.repeat(limit - 1)}é`;
      const { event, warnings } = normalise({ [field]: over });
      assert.equal(event[field], 'x'.repeat(limit - 1));
      assert.deepStrictEqual(warnings, [`${field} validation error on \`${over}\``]);
      assert.equal(normalise({ [field]: '' }).event[field], '');
      assert.equal(normalise({}).event[field], null);
    });
  }
  test('a 1 MB user agent is cut fast', () => {
    const start = performance.now();
    const { event } = normalise({ userAgent: 'Mozilla/5.0 '.repeat(100_000) });
    assert.equal(utf8ByteLength(event.userAgent!), 511);
    assert.ok(performance.now() - start < 200);
  });
  test('NUL is stripped from every text field', () => {
    const { event, warnings } = normalise({ userAgent: 'a\0', pageTitle: '\0', browserLanguage: 'fr\0' });
    assert.equal(event.userAgent, 'a');
    assert.equal(event.pageTitle, '');
    assert.equal(event.browserLanguage, 'fr');
    assert.equal(warnings.length, 3);
  });
});

table('blacklisting', [
  ['absent', {}, false],
  ['1', { blacklisting: '1' }, true],
  ['true', { blacklisting: 'true' }, true],
  ['TRUE', { blacklisting: 'TRUE' }, true],
  ['yes', { blacklisting: 'yes' }, true],
  ['on, padded', { blacklisting: ' On\n' }, true],
  ['0', { blacklisting: '0' }, false],
  ['false', { blacklisting: 'false' }, false],
  ['no', { blacklisting: 'no' }, false],
  ['off', { blacklisting: 'Off' }, false],
  ['empty', { blacklisting: '' }, false],
  ['other → false + warning', { blacklisting: 'maybe' }, false, 'blacklisting validation error on `maybe`'],
  ['2 → false + warning', { blacklisting: '2' }, false, 'blacklisting validation error on `2`'],
  ['JSON true', { blacklisting: true }, true],
  ['JSON false', { blacklisting: false }, false],
  ['JSON 1', { blacklisting: 1 }, true],
  ['JSON 0', { blacklisting: 0 }, false],
]);

const search = { eventType: 'page_search' };
const emailChange = { eventType: 'account_email_change' };
table('payload', [
  [
    'page_search, object',
    { ...search, payload: { field_id: '1', value: 'q', field_name: 'Country' } },
    { field_id: '1', value: 'q', field_name: 'Country' },
  ],
  [
    'page_search, optional key missing',
    { ...search, payload: { field_id: '1', value: 'q' } },
    { field_id: '1', value: 'q', field_name: null },
  ],
  [
    'page_search, JSON text',
    { ...search, payload: '{"field_id":1,"value":"q"}' },
    { field_id: '1', value: 'q', field_name: null },
  ],
  [
    'page_search, JSON values coerced',
    { ...search, payload: { field_id: 7, value: true, field_name: { a: [1, false] } } },
    { field_id: '7', value: '1', field_name: '{"a":[1,false]}' },
  ],
  [
    'false becomes ""',
    { ...search, payload: { field_id: false, value: 'q' } },
    { field_id: '', value: 'q', field_name: null },
  ],
  [
    'extra keys dropped',
    { ...search, payload: { field_id: '1', value: 'q', secret: 'x' } },
    { field_id: '1', value: 'q', field_name: null },
  ],
  [
    'required key missing → unknown',
    { ...search, payload: { field_id: '1' } },
    { field_id: '1', value: 'unknown', field_name: null },
    'payload validation error on `{"field_id":"1"}`',
  ],
  [
    'required key null → unknown',
    { ...search, payload: { field_id: '1', value: null } },
    { field_id: '1', value: 'unknown', field_name: null },
    'payload validation error on `{"field_id":"1","value":null}`',
  ],
  [
    'a list (PHP SDK addPayload)',
    { ...search, payload: [{ field_id: '1', value: 'q' }] },
    { field_id: 'unknown', value: 'unknown', field_name: null },
    'payload validation error on `[{"field_id":"1","value":"q"}]`',
  ],
  ['absent', search, null, 'payload validation error on `null`'],
  ['Python SDK plain string', { ...search, payload: 'value' }, null, 'payload validation error on `value`'],
  ['JSON text that is not an object', { ...search, payload: '42' }, null, 'payload validation error on `42`'],
  [
    'broken JSON text',
    { ...search, payload: '{"field_id":' },
    null,
    'payload validation error on `{"field_id":`',
  ],
  [
    'value over 4096 bytes cut',
    { ...search, payload: { field_id: '1', value: 'é'.repeat(3000) } },
    { field_id: '1', value: 'é'.repeat(2048), field_name: null },
    `payload validation error on \`{"field_id":"1","value":"${'é'.repeat(3000)}"}\``,
  ],
  [
    'NUL removed from a value',
    { ...search, payload: { field_id: '1', value: 'a\0' } },
    { field_id: '1', value: 'a', field_name: null },
    'payload validation error on `{"field_id":"1","value":"a\\u0000"}`',
  ],
  [
    'email change',
    { ...emailChange, payload: { new_value: 'new@example.com', old_value: 'old@example.com' } },
    { new_value: 'new@example.com', old_value: 'old@example.com' },
  ],
  [
    'email change, old value optional',
    { ...emailChange, payload: '{"new_value":"n@example.com"}' },
    { new_value: 'n@example.com', old_value: null },
  ],
  [
    'email change, new value missing',
    { ...emailChange, payload: { old_value: 'o' } },
    { new_value: 'unknown', old_value: 'o' },
    'payload validation error on `{"old_value":"o"}`',
  ],
  ['ignored for page_view', { payload: 'garbage' }, null],
  [
    'ignored for field_edit',
    {
      eventType: 'field_edit',
      payload: { field_id: '1' },
      fieldHistory: [{ field_id: '1', new_value: 'x' }],
    },
    null,
  ],
]);

const edit = { eventType: 'field_edit' };
const change = (fieldId: string, newValue: string, extra: Partial<Record<string, string>> = {}) => ({
  fieldId,
  fieldName: extra.fieldName ?? null,
  oldValue: extra.oldValue ?? null,
  newValue,
  parentId: extra.parentId ?? null,
  parentName: extra.parentName ?? null,
});
table('fieldHistory', [
  [
    'list of objects',
    { ...edit, fieldHistory: [{ field_id: '1', new_value: 'Paris' }] },
    [change('1', 'Paris')],
  ],
  [
    'all keys',
    {
      ...edit,
      fieldHistory: [
        {
          field_id: 1,
          new_value: 'P',
          field_name: 'City',
          old_value: 'L',
          parent_id: 9,
          parent_name: 'Address',
        },
      ],
    },
    [change('1', 'P', { fieldName: 'City', oldValue: 'L', parentId: '9', parentName: 'Address' })],
  ],
  [
    'JSON text',
    { ...edit, fieldHistory: '[{"field_id":"1","new_value":"x"},{"field_id":"2","new_value":["a"]}]' },
    [change('1', 'x'), change('2', '["a"]')],
  ],
  [
    'required key missing',
    { ...edit, fieldHistory: [{ field_id: '1' }] },
    [change('1', 'unknown')],
    'fieldHistory validation error on `[{"field_id":"1"}]`',
  ],
  [
    'bare object dropped',
    { ...edit, fieldHistory: { field_id: '1', new_value: 'x' } },
    null,
    'fieldHistory validation error on `{"field_id":"1","new_value":"x"}`',
  ],
  [
    'bare object as JSON text dropped',
    { ...edit, fieldHistory: '{"field_id":"1","new_value":"x"}' },
    null,
    'fieldHistory validation error on `{"field_id":"1","new_value":"x"}`',
  ],
  [
    'non-object item skipped',
    { ...edit, fieldHistory: ['x', { field_id: '1', new_value: 'y' }] },
    [change('1', 'y')],
    'fieldHistory validation error on `["x",{"field_id":"1","new_value":"y"}]`',
  ],
  ['empty list', { ...edit, fieldHistory: [] }, null, 'fieldHistory validation error on `[]`'],
  ['absent', edit, null, 'fieldHistory validation error on `null`'],
  [
    'plain string (Python SDK)',
    { ...edit, fieldHistory: 'new_value' },
    null,
    'fieldHistory validation error on `new_value`',
  ],
  ['ignored for other types', { fieldHistory: [{ field_id: '1', new_value: 'x' }] }, null],
  [
    'kept for field_edit with an error code',
    { ...edit, httpCode: '500', fieldHistory: [{ field_id: '1', new_value: 'x' }] },
    [change('1', 'x')],
  ],
]);

describe('payload and fieldHistory in bracket form', () => {
  test('page_search payload', () => {
    const { event, warnings } = form(
      'ipAddress=1.1.1.1&url=/&eventTime=2026-01-06+10:00:00&eventType=page_search&payload[field_id]=1&payload[value]=a+b',
    );
    assert.deepStrictEqual(event.payload, { field_id: '1', value: 'a b', field_name: null });
    assert.deepStrictEqual(warnings, []);
  });
  test('nested bracket value is JSON text', () => {
    const { event } = form('eventType=page_search&payload[field_id]=1&payload[value][]=a&payload[value][]=b');
    assert.deepStrictEqual(event.payload, { field_id: '1', value: '["a","b"]', field_name: null });
  });
  test('fieldHistory list', () => {
    const { event, warnings } = form(
      'eventType=field_edit&fieldHistory[0][field_id]=1&fieldHistory[0][new_value]=x&fieldHistory[1][field_id]=2&fieldHistory[1][new_value]=y&fieldHistory[1][parent_id]=p',
    );
    assert.deepStrictEqual(event.fieldHistory, [change('1', 'x'), change('2', 'y', { parentId: 'p' })]);
    assert.deepStrictEqual(warnings, []);
  });
  test('fieldHistory appended with []', () => {
    const { event } = form('eventType=field_edit&fieldHistory[][field_id]=1&fieldHistory[][new_value]=x');
    // PHP appends a new array for each `[]`: two incomplete items.
    assert.deepStrictEqual(event.fieldHistory, [change('1', 'unknown'), change('unknown', 'x')]);
  });
  test('bare bracket object is dropped', () => {
    const { event, warnings } = form(
      'eventType=field_edit&fieldHistory[field_id]=1&fieldHistory[new_value]=x',
    );
    assert.equal(event.fieldHistory, null);
    assert.deepStrictEqual(warnings, ['fieldHistory validation error on `{"field_id":"1","new_value":"x"}`']);
  });
  test('fieldHistory capped at 100 items', () => {
    const items = Array.from({ length: 150 }, (_, i) => ({ field_id: String(i), new_value: 'v' }));
    const { event, warnings } = normalise({ ...edit, fieldHistory: items });
    assert.equal(event.fieldHistory?.length, 100);
    assert.equal(event.fieldHistory?.[99]?.fieldId, '99');
    assert.equal(warnings.length, 1);
    assert.ok(warnings[0]?.startsWith('fieldHistory validation error on `[{"field_id":"0"'));
  });
});

describe('non-array fields sent as arrays', () => {
  test('userName[]=x becomes JSON text', () => {
    assert.equal(form('userName[]=x').event.userName, '["x"]');
  });
  test('userAgent[a]=1 becomes a JSON object', () => {
    assert.equal(form('userAgent[a]=1&userAgent[b][]=2').event.userAgent, '{"a":"1","b":["2"]}');
  });
  test('JSON arrays in the native API too', () => {
    assert.equal(normalise({ pageTitle: ['a', 1, null] }).event.pageTitle, '["a",1,null]');
  });
});

describe('rejection: ipAddress then url', () => {
  const reject = (fields: Record<string, unknown>): Extract<NormaliseResult, { ok: false }> => {
    const result = normaliseSensorFields(fields, NOW);
    assert.equal(result.ok, false);
    return result as Extract<NormaliseResult, { ok: false }>;
  };
  test('ipAddress absent', () => {
    const r = reject({ url: '/' });
    assert.equal(r.code, 'missing_field');
    assert.equal(r.field, 'ipAddress');
    assert.equal(r.message, 'Required field is missing or empty');
  });
  test('ipAddress JSON null', () => assert.equal(reject({ ipAddress: null, url: '/' }).field, 'ipAddress'));
  test('url absent', () => assert.equal(reject({ ipAddress: '1.1.1.1' }).field, 'url'));
  test('both absent: ipAddress first', () => assert.equal(reject({}).field, 'ipAddress'));
  test('an empty body (a JSON body sent to /sensor/) is rejected for ipAddress', () => {
    assert.equal(reject(parsePhpForm('{"ipAddress":"1.1.1.1","url":"/"}')).field, 'ipAddress');
  });
  test('warnings and raw are still reported', () => {
    const r = reject({ url: '/', emailAddress: 'bad@', extra: 'x' });
    assert.deepStrictEqual(r.warnings, [
      'emailAddress validation error on `bad@`',
      'timestamp validation error on ``',
    ]);
    assert.deepStrictEqual(r.raw, { emailAddress: 'bad@', url: '/' });
  });
  test('empty strings are present', () => {
    const result = normaliseSensorFields({ ipAddress: '', url: '' }, NOW);
    assert.ok(result.ok);
    assert.equal(result.event.ipAddress, '0.0.0.0');
    assert.equal(result.event.url, '');
  });
});

describe('warnings and raw', () => {
  test('one warning per bad field, in field order', () => {
    const { warnings } = normalise({
      httpCode: 'x',
      ipAddress: '1.1.1.300',
      emailAddress: 'bad@',
      userName: `${'u'.repeat(120)}\0`,
      eventTime: 'soon',
    });
    assert.deepStrictEqual(warnings, [
      `userName validation error on \`${'u'.repeat(120)}\``,
      'emailAddress validation error on `bad@`',
      'ipAddress validation error on `1.1.1.300`',
      'timestamp validation error on `soon`',
      'httpCode validation error on `x`',
    ]);
  });

  test('raw holds only the 20 fields, as sent, made storable', () => {
    const result = normaliseSensorFields(
      { ...BASE, key: 'api-key', userName: 'A\0B\uD800', payload: { value: 'v' }, other: 1 },
      NOW,
    );
    assert.deepStrictEqual(result.raw, { ...BASE, userName: 'AB\uFFFD', payload: { value: 'v' } });
    assert.deepStrictEqual(
      Object.keys(result.raw).sort(),
      ['eventTime', 'ipAddress', 'payload', 'url', 'userName'].sort(),
    );
  });

  test('raw and warnings survive hostile nesting', () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    const start = performance.now();
    const result = normaliseSensorFields(
      { ...BASE, eventType: 'page_search', payload: { field_id: deep, value: 'q' }, userAgent: deep },
      NOW,
    );
    assert.ok(result.ok);
    assert.ok(result.event.payload?.field_id?.startsWith('[[['));
    assert.ok(JSON.stringify(result.raw).length < 10_000);
    assert.ok(performance.now() - start < 500);
  });

  test('a huge JSON fieldHistory is bounded', () => {
    const items = JSON.stringify(
      Array.from({ length: 100_000 }, (_, i) => ({ field_id: i, new_value: 'v' })),
    );
    const start = performance.now();
    const { event } = normalise({ ...edit, fieldHistory: items });
    assert.equal(event.fieldHistory?.length, 100);
    assert.ok(performance.now() - start < 1000);
  });
});

test('native JSON event with numbers and booleans', () => {
  const result = normaliseSensorFields(
    {
      userName: 1001,
      emailAddress: 'A@Example.com',
      ipAddress: '2001:db8::0:1',
      url: 'https://shop.example/search?q=shoes',
      eventTime: '2026-01-06T10:00:00.250Z',
      httpCode: 200,
      httpMethod: 'GET',
      eventType: 'page_search',
      payload: { field_id: 3, value: 'shoes' },
      blacklisting: false,
      userCreated: '2025-12-01T00:00:00Z',
    },
    NOW,
  );
  assert.ok(result.ok);
  assert.deepStrictEqual(result.warnings, []);
  assert.deepStrictEqual(result.event, {
    userName: '1001',
    emailAddress: 'a@example.com',
    ipAddress: '2001:db8::1',
    url: 'https://shop.example/search',
    urlQuery: '?q=shoes',
    userAgent: null,
    eventTime: new Date('2026-01-06T10:00:00.250Z'),
    firstName: null,
    lastName: null,
    fullName: null,
    pageTitle: null,
    phoneNumber: null,
    httpReferer: null,
    httpCode: 200,
    browserLanguage: null,
    eventType: 'page_search',
    httpMethod: 'get',
    userCreated: new Date('2025-12-01T00:00:00.000Z'),
    payload: { field_id: '3', value: 'shoes', field_name: null },
    fieldHistory: null,
    blacklisting: false,
  });
});
