import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Harness, lastLogbook, postForm, startHarness, userEvents } from './harness.ts';

interface Case {
  name: string;
  /** Sensor fields sent on top of a valid base event (userName is set per case). */
  fields: Record<string, string>;
  /** What the stored event must show (read back through the API). */
  stored: (e: Record<string, unknown>, h: Harness, user: string) => void | Promise<void>;
  /** Substring of the single logbook warning, or null for a clean event (error type 0). */
  warning: string | null;
}

const userRow = async (h: Harness, user: string) =>
  (
    await h.db.query<Record<string, unknown>>(
      'SELECT first_name, last_name, full_name, created FROM users WHERE project_id = $1 AND user_name = $2',
      [h.projectId, user],
    )
  ).rows[0]!;

const near = (iso: unknown, ms = 60_000) => Math.abs(Date.parse(String(iso)) - Date.now()) < ms;

const cases: Case[] = [
  {
    name: 'ipAddress v4',
    fields: { ipAddress: '8.8.8.8' },
    stored: (e) => assert.equal(e.ipAddress, '8.8.8.8'),
    warning: null,
  },
  {
    name: 'ipAddress with spaces',
    fields: { ipAddress: ' 8.8. 4.4 ' },
    stored: (e) => assert.equal(e.ipAddress, '8.8.4.4'),
    warning: null,
  },
  {
    name: 'ipAddress leading zero is invalid',
    fields: { ipAddress: '8.8.8.08' },
    stored: (e) => assert.equal(e.ipAddress, '0.0.0.0'),
    warning: 'ipAddress validation error on `8.8.8.08`',
  },
  {
    name: 'ipAddress garbage',
    fields: { ipAddress: 'localhost' },
    stored: (e) => assert.equal(e.ipAddress, '0.0.0.0'),
    warning: 'ipAddress validation error',
  },
  {
    name: 'ipAddress v6 canonical',
    fields: { ipAddress: '2001:0DB8:0000:0000:0000:0000:0000:0001' },
    stored: (e) => assert.equal(e.ipAddress, '2001:db8::1'),
    warning: null,
  },
  {
    name: 'ipAddress ::ffff: mapped',
    fields: { ipAddress: '::ffff:8.8.8.8' },
    stored: (e) => assert.equal(e.ipAddress, '::ffff:8.8.8.8'),
    warning: null,
  },
  {
    name: 'url over 2047 bytes',
    fields: { url: `/${'a'.repeat(3000)}` },
    stored: (e) => assert.equal(Buffer.byteLength(String(e.url)), 2047),
    warning: 'url validation error',
  },
  {
    name: 'url multibyte cut at a character boundary',
    fields: { url: `/${'é'.repeat(1100)}` },
    stored: (e) => {
      const u = String(e.url);
      assert.ok(Buffer.byteLength(u) <= 2047);
      assert.ok(!u.includes('\uFFFD'));
      assert.equal(u.length, 1 + 1023);
    },
    warning: 'url validation error',
  },
  {
    name: 'url query split, fragment kept',
    fields: { url: '/a?b=1#c' },
    stored: (e) => {
      assert.equal(e.url, '/a#c');
      assert.equal(e.query, '?b=1');
    },
    warning: null,
  },
  {
    name: 'eventTime with ms',
    fields: { eventTime: '2026-02-03 04:05:06.789' },
    stored: (e) => assert.equal(e.time, '2026-02-03T04:05:06.789Z'),
    warning: null,
  },
  {
    name: 'eventTime µs',
    fields: { eventTime: '2026-02-03 04:05:06.123456' },
    stored: (e) => assert.equal(e.time, '2026-02-03T04:05:06.123Z'),
    warning: null,
  },
  {
    name: 'eventTime rolls over like PHP',
    fields: { eventTime: '2024-02-30 25:61:61' },
    stored: (e) => assert.equal(e.time, '2024-03-02T02:02:01.000Z'),
    warning: null,
  },
  {
    name: 'eventTime unparseable → now',
    fields: { eventTime: 'yesterday' },
    stored: (e) => assert.ok(near(e.time)),
    warning: 'timestamp validation error on `yesterday`',
  },
  {
    name: 'eventTime empty → now',
    fields: { eventTime: '' },
    stored: (e) => assert.ok(near(e.time)),
    warning: 'timestamp validation error',
  },
  {
    name: 'eventTime far future → now',
    fields: { eventTime: '2999-01-01 00:00:00' },
    stored: (e) => assert.ok(near(e.time)),
    warning: 'timestamp validation error',
  },
  {
    name: 'userName over 100 bytes (4-byte emoji at the edge)',
    fields: { userName: `${'u'.repeat(98)}😀x` },
    stored: async (_e, h) => {
      const { rows } = await h.db.query<{ user_name: string }>(
        "SELECT user_name FROM users WHERE user_name LIKE 'uuuu%'",
        [],
      );
      assert.equal(rows[0]!.user_name, 'u'.repeat(98));
    },
    warning: 'userName validation error',
  },
  {
    name: 'emailAddress normalised',
    fields: { emailAddress: ' Alice@Example.COM ' },
    stored: (e) => assert.equal(e.emailAddress, 'alice@example.com'),
    warning: null,
  },
  {
    name: 'emailAddress invalid → broken@user.local',
    fields: { emailAddress: 'bad@' },
    stored: (e) => assert.equal(e.emailAddress, 'broken@user.local'),
    warning: 'emailAddress validation error on `bad@`',
  },
  {
    name: 'emailAddress placeholder allowed',
    fields: { emailAddress: 'unknown@localhost' },
    stored: (e) => assert.equal(e.emailAddress, 'unknown@localhost'),
    warning: null,
  },
  {
    name: 'phoneNumber spaces removed',
    fields: { phoneNumber: '+33 6 12 34 56 78' },
    stored: (e) => assert.equal(e.phoneNumber, '+33612345678'),
    warning: null,
  },
  {
    name: 'phoneNumber over 19 bytes',
    fields: { phoneNumber: '+1234567890123456789012' },
    stored: (e) => assert.equal(e.phoneNumber, '+123456789012345678'),
    warning: 'phoneNumber validation error',
  },
  {
    name: 'phoneNumber empty → none',
    fields: { phoneNumber: '' },
    stored: (e) => assert.equal(e.phoneNumber, null),
    warning: null,
  },
  {
    name: 'userAgent over 511 bytes',
    fields: { userAgent: 'A'.repeat(600) },
    stored: (e) => assert.equal(String(e.userAgent).length, 511),
    warning: 'userAgent validation error',
  },
  {
    name: 'browserLanguage kept raw',
    fields: { browserLanguage: 'fr-FR,fr;q=0.9' },
    stored: (e) => assert.equal(e.browserLanguage, 'fr-FR,fr;q=0.9'),
    warning: null,
  },
  {
    name: 'httpReferer URL-decoded',
    fields: { httpReferer: 'https://x.test/?q=a+b%20c' },
    stored: (e) => assert.equal(e.httpReferer, 'https://x.test/?q=a b c'),
    warning: null,
  },
  {
    name: 'httpCode digits',
    fields: { httpCode: '200' },
    stored: (e) => assert.equal(e.httpCode, 200),
    warning: null,
  },
  {
    name: 'httpCode " 404" → 0',
    fields: { httpCode: ' 404' },
    stored: (e) => assert.equal(e.httpCode, 0),
    warning: 'httpCode validation error on ` 404`',
  },
  {
    name: 'httpCode -1 → 0',
    fields: { httpCode: '-1' },
    stored: (e) => assert.equal(e.httpCode, 0),
    warning: 'httpCode validation error',
  },
  {
    name: 'httpCode 99999 → 0 (fits no smallint)',
    fields: { httpCode: '99999' },
    stored: (e) => assert.equal(e.httpCode, 0),
    warning: 'httpCode validation error',
  },
  {
    name: 'httpCode 404 on a page → page_error',
    fields: { httpCode: '404', eventType: 'page_view' },
    stored: (e) => assert.equal(e.type, 'page_error'),
    warning: null,
  },
  {
    name: 'failed login with 401 stays a failed login',
    fields: { httpCode: '401', eventType: 'account_login_fail' },
    stored: (e) => {
      assert.equal(e.type, 'account_login_fail');
      assert.equal(e.httpCode, 401);
    },
    warning: null,
  },
  {
    name: 'eventType case-insensitive',
    fields: { eventType: 'ACCOUNT_Login' },
    stored: (e) => assert.equal(e.type, 'account_login'),
    warning: null,
  },
  {
    name: 'eventType unknown → page_view, no warning',
    fields: { eventType: 'account_%' },
    stored: (e) => assert.equal(e.type, 'page_view'),
    warning: null,
  },
  {
    name: 'httpMethod case-insensitive',
    fields: { httpMethod: 'head' },
    stored: (e) => assert.equal(e.httpMethod, 'HEAD'),
    warning: null,
  },
  {
    name: 'httpMethod unknown → none',
    fields: { httpMethod: 'BREW' },
    stored: (e) => assert.equal(e.httpMethod, null),
    warning: null,
  },
  {
    name: 'pageTitle over 255 bytes',
    fields: { pageTitle: 'T'.repeat(300) },
    stored: async (_e, h) => {
      const { rows } = await h.db.query<{ title: string }>(
        "SELECT title FROM resources WHERE project_id = $1 AND url = '/'",
        [h.projectId],
      );
      assert.equal(rows[0]!.title.length, 255);
    },
    warning: 'pageTitle validation error',
  },
  {
    name: 'names over 100 bytes',
    fields: { firstName: 'F'.repeat(120), lastName: 'Lee', fullName: 'Ann Lee' },
    stored: async (_e, h, u) => {
      const r = await userRow(h, u);
      assert.equal(String(r.first_name).length, 100);
      assert.equal(r.last_name, 'Lee');
      assert.equal(r.full_name, 'Ann Lee');
    },
    warning: 'firstName validation error',
  },
  {
    name: 'userCreated sets the account creation',
    fields: { userCreated: '2020-05-06 07:08:09' },
    stored: async (_e, h, u) =>
      assert.equal(
        (await userRow(h, u)).created instanceof Date &&
          ((await userRow(h, u)).created as Date).toISOString(),
        '2020-05-06T07:08:09.000Z',
      ),
    warning: null,
  },
  {
    name: 'userCreated invalid → unset',
    fields: { userCreated: 'soon' },
    stored: () => {},
    warning: 'timestamp validation error on `soon`',
  },
  {
    name: 'email change payload',
    fields: {
      eventType: 'account_email_change',
      'payload[new_value]': 'n@x.test',
      'payload[old_value]': 'o@x.test',
    },
    stored: (e) => assert.deepEqual(e.payload, { new_value: 'n@x.test', old_value: 'o@x.test' }),
    warning: null,
  },
  {
    name: 'search payload as a JSON string',
    fields: { eventType: 'page_search', payload: '{"field_id":"q","value":"shoes"}' },
    stored: (e) => assert.deepEqual(e.payload, { field_id: 'q', value: 'shoes', field_name: null }),
    warning: null,
  },
  {
    name: 'search payload missing a required key',
    fields: { eventType: 'page_search', 'payload[value]': 'x' },
    stored: (e) => assert.equal((e.payload as Record<string, string>).field_id, 'unknown'),
    warning: 'payload validation error',
  },
  {
    name: 'payload ignored for other types',
    fields: { eventType: 'account_login', 'payload[a]': '1' },
    stored: (e) => assert.equal(e.payload, null),
    warning: null,
  },
  {
    name: 'fieldHistory as a bare object is dropped',
    fields: { eventType: 'field_edit', 'fieldHistory[field_id]': 'f', 'fieldHistory[new_value]': 'v' },
    stored: (e) => assert.equal(e.fieldHistory, null),
    warning: 'fieldHistory validation error',
  },
  {
    name: 'fieldHistory as JSON',
    fields: { eventType: 'field_edit', fieldHistory: '[{"field_id":"f1","new_value":"v","parent_id":"p"}]' },
    stored: (e) =>
      assert.deepEqual(e.fieldHistory, [
        { fieldId: 'f1', fieldName: null, oldValue: null, newValue: 'v', parentId: 'p', parentName: null },
      ]),
    warning: null,
  },
  {
    name: 'blacklisting=banana → false + warning',
    fields: { blacklisting: 'banana' },
    stored: () => {},
    warning: 'blacklisting validation error',
  },
  {
    name: 'NUL characters stripped',
    fields: { pageTitle: 'a\u0000b' },
    stored: async (_e, h) => {
      const { rows } = await h.db.query<{ title: string }>(
        "SELECT title FROM resources WHERE project_id = $1 AND url = '/'",
        [h.projectId],
      );
      assert.equal(rows[0]!.title, 'ab');
    },
    warning: 'pageTitle validation error',
  },
];

describe('every sensor field, stored and logged', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  cases.forEach((c, i) => {
    test(c.name, async () => {
      const user = c.fields.userName ?? `field-case-${i}`;
      const body = new URLSearchParams({
        userName: user,
        ipAddress: '1.2.3.4',
        url: '/',
        eventTime: '2026-05-01 12:00:00.000',
        ...c.fields,
      }).toString();
      const res = await postForm(h, body);
      assert.equal(res.statusCode, c.fields.blacklisting ? 204 : 204, res.body);
      const log = await lastLogbook(h);
      if (c.warning === null) {
        assert.equal(log!.error_type, 0, JSON.stringify(log!.error_text));
        assert.equal(log!.error_text, null);
      } else {
        assert.equal(log!.error_type, 1);
        const warnings = log!.error_text as string[];
        assert.equal(warnings.length, 1, JSON.stringify(warnings));
        assert.ok(warnings[0]!.includes(c.warning), `${warnings[0]} should include ${c.warning}`);
      }
      assert.equal(typeof log!.event_id, 'number', 'the logbook row points at the stored event');
      const stored = c.fields.userName ? [{}] : await userEvents(h, user, 1);
      assert.equal(stored.length, 1);
      await c.stored(stored[0]!, h, user);
      // The raw value as sent is what the logbook keeps.
      for (const [k, v] of Object.entries(c.fields)) {
        if (!k.includes('[') && !v.includes('\u0000')) assert.equal(log!.raw![k], v, `raw ${k}`);
      }
    });
  });
});
