import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  B_RULES,
  B01,
  B02,
  B03,
  B04,
  B05,
  B06,
  B07,
  B08,
  B09,
  B10,
  B11,
  B12,
  B13,
  B14,
  B15,
  B16,
  B17,
  B18,
  B19,
  B20,
  B21,
  B22,
  B23,
  B24,
  B25,
  B26,
  SUSPICIOUS_URL_FRAGMENTS,
} from '../../src/rules/behaviour.ts';
import {
  DEFAULT_THRESHOLDS,
  type EventFeature,
  type RuleDefinition,
  type RuleStatus,
  type RuleThresholds,
  type UserFeatures,
} from '../../src/rules/features.ts';
import { daysAgo, event, ip, minutesAgo, NOW, session, user } from './build.ts';

interface Expected {
  status: RuleStatus;
  values?: Record<string, unknown>;
  eventIds?: number[];
  reason?: string | RegExp;
}
type Case = [name: string, features: UserFeatures, expected: Expected];

/** One table test per rule: status, values and event ids exactly; the reason when not applicable. */
function table(rule: RuleDefinition, cases: Case[], thresholds: RuleThresholds = DEFAULT_THRESHOLDS): void {
  describe(`${rule.code} ${rule.name}`, () => {
    for (const [name, features, expected] of cases) {
      it(name, () => {
        const r = rule.evaluate(features, thresholds);
        assert.equal(r.status, expected.status);
        if (r.status === 'match') assert.equal(typeof r.evidence?.summary, 'string');
        assert.deepEqual(r.evidence?.values, expected.values);
        assert.deepEqual(r.evidence?.eventIds, expected.eventIds);
        if (expected.reason !== undefined) {
          assert.equal(typeof r.evidence?.reason, 'string');
          if (typeof expected.reason === 'string') assert.equal(r.evidence?.reason, expected.reason);
          else assert.match(r.evidence?.reason ?? '', expected.reason);
        }
      });
    }
  });
}

/** Events with ids 1..n (newest first), each overriding the defaults with `o[i]`. */
function events(...o: Partial<EventFeature>[]): EventFeature[] {
  return o.map((x, i) => event({ id: i + 1, time: minutesAgo(i + 1), ...x }));
}
const codes = (...c: (number | null)[]) => events(...c.map((httpCode) => ({ httpCode })));

const NO_EVENTS: Expected = { status: 'not_applicable', reason: 'no events recorded for the user' };
const NO_SESSIONS: Expected = { status: 'not_applicable', reason: 'no sessions recorded for the user' };
const NO_COUNTRY: Expected = { status: 'not_applicable', reason: 'no IP with a known country' };
const NO_NAME: Expected = { status: 'not_applicable', reason: 'the user has no first, last or full name' };

const countries = (...c: (string | null)[]) =>
  c.map((country, i) => ip({ id: i + 1, ip: `198.51.100.${i + 1}`, country }));
const LAN = ip({ id: 99, ip: '10.0.0.1', country: null, network: null, local: true });

describe('B_RULES', () => {
  it('lists B01..B26 in code order, all in group B', () => {
    assert.deepEqual(
      B_RULES.map((r) => r.code),
      Array.from({ length: 26 }, (_, i) => `B${String(i + 1).padStart(2, '0')}`),
    );
    for (const r of B_RULES) assert.equal(r.group, 'B');
  });
});

table(B01, [
  [
    'four countries',
    user({ ips: countries('GB', 'FR', 'DE', 'NL', 'FR') }),
    { status: 'match', values: { countries: ['DE', 'FR', 'GB', 'NL'], count: 4, max: 3 } },
  ],
  [
    'boundary: three countries (unknown and local IPs do not count)',
    user({ ips: [...countries('GB', 'FR', 'DE', null), LAN] }),
    { status: 'no_match', values: { countries: ['DE', 'FR', 'GB'], count: 3, max: 3 } },
  ],
  ['no IP with a known country', user({ ips: [...countries(null, null), LAN] }), NO_COUNTRY],
]);

table(B02, [
  [
    'a password change',
    user({ events: events({}, { type: 'account_password_change' }) }),
    { status: 'match', values: { count: 1 }, eventIds: [2] },
  ],
  [
    'other events only',
    user({ events: events({}, { type: 'account_email_change' }) }),
    { status: 'no_match' },
  ],
  ['no events', user({ events: [] }), NO_EVENTS],
]);

table(B03, [
  [
    'two e-mail changes',
    user({ events: events({ type: 'account_email_change' }, {}, { type: 'account_email_change' }) }),
    { status: 'match', values: { count: 2 }, eventIds: [1, 3] },
  ],
  [
    'other events only',
    user({ events: events({ type: 'account_password_change' }) }),
    { status: 'no_match' },
  ],
  ['no events', user({ events: [] }), NO_EVENTS],
]);

table(B04, [
  [
    'five server errors',
    user({ events: codes(500, 502, 200, 503, 599, 500) }),
    { status: 'match', values: { count: 5, max: 4 }, eventIds: [1, 2, 4, 5, 6] },
  ],
  [
    'boundary: four server errors',
    user({ events: codes(500, 502, 200, 503, 599, 600, 499) }),
    { status: 'no_match', values: { count: 4, max: 4 } },
  ],
  [
    'four server errors and an event without a code',
    user({ events: codes(500, 500, 500, 500, null) }),
    { status: 'not_applicable', reason: /HTTP code unknown for events 5/ },
  ],
  ['no events', user({ events: [] }), NO_EVENTS],
]);

table(B05, [
  [
    'five client errors',
    user({ events: codes(404, 403, 401, 400, 499) }),
    { status: 'match', values: { count: 5, max: 4 }, eventIds: [1, 2, 3, 4, 5] },
  ],
  [
    'boundary: four client errors (same "more than" as B04)',
    user({ events: codes(404, 404, 404, 404, 302, 500) }),
    { status: 'no_match', values: { count: 4, max: 4 } },
  ],
  [
    'unknown codes could reach the limit',
    user({ events: codes(404, 404, 404, null, null) }),
    { status: 'not_applicable', reason: /HTTP code unknown for events 4, 5/ },
  ],
  ['no events', user({ events: [] }), NO_EVENTS],
]);

describe('SUSPICIOUS_URL_FRAGMENTS', () => {
  it('holds distinct, lower-case, non-trivial fragments', () => {
    assert.ok(SUSPICIOUS_URL_FRAGMENTS.length >= 100);
    assert.equal(new Set(SUSPICIOUS_URL_FRAGMENTS).size, SUSPICIOUS_URL_FRAGMENTS.length);
    for (const f of SUSPICIOUS_URL_FRAGMENTS) {
      assert.equal(f, f.toLowerCase());
      assert.ok(f.length >= 2, f);
    }
  });
});

table(B06, [
  [
    'admin probe and encoded traversal (matched case-insensitively and once decoded)',
    user({
      events: events({ url: '/WP-Login.php' }, { url: '/home' }, { url: '/static/..%2F..%2Fetc%2Fpasswd' }),
    }),
    {
      status: 'match',
      values: {
        urls: [
          { eventId: 1, url: '/WP-Login.php', fragments: ['wp-login'] },
          { eventId: 3, url: '/static/..%2F..%2Fetc%2Fpasswd', fragments: ['../', '..%2f', 'etc/passwd'] },
        ],
      },
      eventIds: [1, 3],
    },
  ],
  [
    'ordinary application paths',
    user({
      events: events(
        { url: '/account/settings' },
        { url: '/blog/wp-tips-and-backups' },
        { url: '/new/order' },
        { url: '/products/42' },
      ),
    }),
    { status: 'no_match' },
  ],
  ['no events', user({ events: [] }), NO_EVENTS],
]);

table(B07, [
  [
    'a digit in the first name',
    user({ firstName: 'J4ne', lastName: 'Doe' }),
    { status: 'match', values: { names: { firstName: 'J4ne' } } },
  ],
  [
    'a digit in the full name',
    user({ firstName: null, lastName: null, fullName: 'Agent 007' }),
    { status: 'match', values: { names: { fullName: 'Agent 007' } } },
  ],
  [
    'letters only',
    user({ firstName: 'Zoë', lastName: "O'Brien", fullName: 'Zoë O’Brien' }),
    { status: 'no_match' },
  ],
  ['no name at all', user({ firstName: null, lastName: '  ', fullName: null }), NO_NAME],
]);

const gap = (days: number) => [event({ id: 1, time: NOW }), event({ id: 2, time: daysAgo(days) })];
const tooFew: Expected = { status: 'not_applicable', reason: 'no activity before the latest event' };

table(B08, [
  [
    'back after 31 days',
    user({ events: gap(31) }),
    { status: 'match', values: { gapDays: 31, minDays: 30 }, eventIds: [1, 2] },
  ],
  [
    'boundary: 30.9 days is 30 whole days',
    user({ events: gap(30.9) }),
    { status: 'no_match', values: { gapDays: 30, minDays: 30 } },
  ],
  ['a single event', user({ events: events({}) }), tooFew],
  ['no events', user({ events: [] }), NO_EVENTS],
]);

table(B09, [
  [
    'back after 91 days',
    user({ events: gap(91) }),
    { status: 'match', values: { gapDays: 91, minDays: 90 }, eventIds: [1, 2] },
  ],
  [
    'boundary: 90 days',
    user({ events: gap(90) }),
    { status: 'no_match', values: { gapDays: 90, minDays: 90 } },
  ],
  ['a single event', user({ events: events({}) }), tooFew],
]);

table(B10, [
  [
    'back after 400 days (the older activity, not "now", is compared)',
    user({ events: gap(400), lastSeen: NOW }),
    { status: 'match', values: { gapDays: 400, minDays: 365 }, eventIds: [1, 2] },
  ],
  [
    'boundary: 365 days',
    user({ events: gap(365) }),
    { status: 'no_match', values: { gapDays: 365, minDays: 365 } },
  ],
  ['a single event', user({ events: events({}) }), tooFew],
]);

// Account age: every age falls in exactly one of B11..B16.
const AGE_RULES = [B11, B12, B13, B14, B15, B16];
const AGES: [days: number, code: string][] = [
  [0, 'B11'],
  [0.99, 'B11'],
  [1, 'B12'],
  [6.99, 'B12'],
  [7, 'B13'],
  [29.5, 'B13'],
  [30, 'B14'],
  [89, 'B14'],
  [90, 'B15'],
  [179.9, 'B15'],
  [180, 'B16'],
  [5000, 'B16'],
];
for (const rule of AGE_RULES) {
  table(rule, [
    ...AGES.map(([days, code]): Case => {
      const ageDays = Math.floor(days);
      return [
        `created ${days} days ago`,
        user({ created: daysAgo(days) }),
        code === rule.code
          ? { status: 'match', values: { ageDays } }
          : { status: 'no_match', values: { ageDays } },
      ];
    }),
    [
      'creation time unknown',
      user({ created: null }),
      { status: 'not_applicable', reason: /creation time unknown/ },
    ],
  ]);
}

table(B17, [
  [
    'every known country is GB (unknown and local IPs do not count)',
    user({ ips: [...countries('GB', 'GB', null), LAN] }),
    { status: 'match', values: { countries: ['GB'] } },
  ],
  [
    'two countries',
    user({ ips: countries('GB', 'IE') }),
    { status: 'no_match', values: { countries: ['GB', 'IE'] } },
  ],
  ['no IP with a known country (tirreno fires here)', user({ ips: countries(null, null) }), NO_COUNTRY],
]);

table(B18, [
  [
    'a HEAD request',
    user({ events: events({ httpMethod: 'post' }, { httpMethod: 'head' }) }),
    { status: 'match', values: { count: 1 }, eventIds: [2] },
  ],
  [
    'GET and POST only',
    user({ events: events({ httpMethod: 'get' }, { httpMethod: 'post' }) }),
    { status: 'no_match' },
  ],
  [
    'methods unknown',
    user({ events: events({ httpMethod: 'get' }, { httpMethod: null }) }),
    { status: 'not_applicable', reason: /HTTP method unknown for events 2/ },
  ],
  ['no events', user({ events: [] }), NO_EVENTS],
]);

const at = (iso: string) => new Date(iso);
/** A session from `start` to `end` (UTC ISO times) with id 7, and one event in it (id 70). */
function nightUser(start: string, end: string, timezone = 'UTC'): UserFeatures {
  return user({
    timezone,
    sessions: [session(), session({ id: 7, started: at(start), lastSeen: at(end) })],
    events: [event({ id: 70, time: at(end), sessionId: 7 }), event({ id: 71, sessionId: 1 })],
  });
}
const nightMatch = (start: string, end: string, timezone = 'UTC'): Expected => ({
  status: 'match',
  values: { sessions: [{ sessionId: 7, start, end }], timezone },
  eventIds: [70],
});

table(B19, [
  [
    'active at 01:00 UTC',
    nightUser('2026-06-15T01:00:00Z', '2026-06-15T01:30:00Z'),
    nightMatch('2026-06-15 01:00:00', '2026-06-15 01:30:00'),
  ],
  [
    '16:00 UTC is 01:00 in Tokyo',
    nightUser('2026-06-14T16:00:00Z', '2026-06-14T16:20:00Z', 'Asia/Tokyo'),
    nightMatch('2026-06-15 01:00:00', '2026-06-15 01:20:00', 'Asia/Tokyo'),
  ],
  [
    '06:30 UTC is 02:30 in New York in summer (DST)',
    nightUser('2026-06-15T06:30:00Z', '2026-06-15T06:40:00Z', 'America/New_York'),
    nightMatch('2026-06-15 02:30:00', '2026-06-15 02:40:00', 'America/New_York'),
  ],
  [
    'a session spanning midnight',
    nightUser('2026-06-14T23:30:00Z', '2026-06-15T00:10:00Z'),
    nightMatch('2026-06-14 23:30:00', '2026-06-15 00:10:00'),
  ],
  [
    'a session longer than one day',
    nightUser('2026-06-13T10:00:00Z', '2026-06-14T10:00:01Z'),
    nightMatch('2026-06-13 10:00:00', '2026-06-14 10:00:01'),
  ],
  [
    'boundary: ending at 04:59:59',
    nightUser('2026-06-15T04:30:00Z', '2026-06-15T04:59:59Z'),
    nightMatch('2026-06-15 04:30:00', '2026-06-15 04:59:59'),
  ],
  [
    'boundary: starting at 05:00:00',
    nightUser('2026-06-15T05:00:00Z', '2026-06-15T23:59:59Z'),
    { status: 'no_match' },
  ],
  [
    '01:00 UTC is 10:00 in Tokyo',
    nightUser('2026-06-15T01:00:00Z', '2026-06-15T01:30:00Z', 'Asia/Tokyo'),
    { status: 'no_match' },
  ],
  [
    'unknown timezone',
    nightUser('2026-06-15T01:00:00Z', '2026-06-15T01:30:00Z', 'Mars/Olympus'),
    { status: 'not_applicable', reason: 'unknown timezone "Mars/Olympus"' },
  ],
  ['no sessions', user({ sessions: [] }), NO_SESSIONS],
]);

describe('B19 with a night window crossing midnight', () => {
  it('22:00–05:00 catches 23:00 and not 21:00', () => {
    const t = { ...DEFAULT_THRESHOLDS, nightStartSeconds: 22 * 3600, nightEndSeconds: 5 * 3600 };
    const late = nightUser('2026-06-14T23:00:00Z', '2026-06-14T23:10:00Z');
    const evening = nightUser('2026-06-14T21:00:00Z', '2026-06-14T21:10:00Z');
    assert.equal(B19.evaluate(late, t).status, 'match');
    assert.equal(B19.evaluate(evening, t).status, 'no_match');
  });
});

/** Two sessions: id 1 (quiet) and id 8 with `o`; recent events 80 (session 8) and 81 (session 1). */
function sessionUser(o: Parameters<typeof session>[0], extra: Partial<UserFeatures> = {}): UserFeatures {
  return user({
    sessions: [session({ id: 8, ...o }), session({ id: 1 })],
    events: [event({ id: 80, sessionId: 8 }), event({ id: 81, sessionId: 1 })],
    ...extra,
  });
}

table(B20, [
  [
    'two countries in one session',
    sessionUser({ ipCount: 2, countryCount: 2 }),
    { status: 'match', values: { sessions: [{ sessionId: 8, countries: 2 }] }, eventIds: [80] },
  ],
  ['one country per session', sessionUser({ ipCount: 3, countryCount: 1 }), { status: 'no_match' }],
  [
    'no IP with a known country',
    sessionUser({ ipCount: 2, countryCount: 0 }, { ips: countries(null, null) }),
    NO_COUNTRY,
  ],
  ['no sessions', user({ sessions: [] }), NO_SESSIONS],
]);

table(B21, [
  [
    'three devices in one session',
    sessionUser({ deviceCount: 3 }),
    { status: 'match', values: { sessions: [{ sessionId: 8, devices: 3 }] }, eventIds: [80] },
  ],
  ['one device per session', sessionUser({ deviceCount: 1 }), { status: 'no_match' }],
  ['no sessions', user({ sessions: [] }), NO_SESSIONS],
]);

table(B22, [
  [
    'two IPs in one session',
    sessionUser({ ipCount: 2 }),
    { status: 'match', values: { sessions: [{ sessionId: 8, ips: 2 }] }, eventIds: [80] },
  ],
  ['one IP per session', sessionUser({ ipCount: 1 }), { status: 'no_match' }],
  ['no sessions', user({ sessions: [] }), NO_SESSIONS],
]);

table(B23, [
  [
    'a first name with a space',
    user({ firstName: 'Mary Ann', lastName: 'Doe' }),
    { status: 'match', values: { names: { firstName: 'Mary Ann' } } },
  ],
  [
    'a hyphenated last name',
    user({ firstName: 'Jane', lastName: 'Smith-Jones' }),
    { status: 'match', values: { names: { lastName: 'Smith-Jones' } } },
  ],
  [
    'a full name of three words',
    user({ firstName: null, lastName: null, fullName: 'Mary Ann Smith' }),
    { status: 'match', values: { names: { fullName: 'Mary Ann Smith' } } },
  ],
  [
    'a hyphenated full name',
    user({ firstName: null, lastName: null, fullName: 'Jean-Luc Picard' }),
    { status: 'match', values: { names: { fullName: 'Jean-Luc Picard' } } },
  ],
  [
    'first and last name both given (tirreno fires: it joins them with a space)',
    user({ firstName: 'Jane', lastName: 'Doe', fullName: 'Jane Doe' }),
    { status: 'no_match' },
  ],
  ['surrounding spaces are ignored', user({ firstName: ' Jane ', lastName: 'Doe ' }), { status: 'no_match' }],
  ['no name at all', user({ firstName: null, lastName: null, fullName: '' }), NO_NAME],
]);

table(B24, [
  [
    'two requests without a referer',
    user({ events: events({ refererEmpty: true }, {}, { refererEmpty: true }) }),
    { status: 'match', values: { count: 2 }, eventIds: [1, 3] },
  ],
  ['every request has a referer', user({ events: events({}, {}) }), { status: 'no_match' }],
  ['no events', user({ events: [] }), NO_EVENTS],
]);

const anonymous = (...c: (number | null)[]) => user({ userName: 'N/A', events: codes(...c) });
table(B25, [
  [
    'anonymous requests answered with 2xx',
    anonymous(404, 200, 204, 302),
    { status: 'match', values: { count: 2 }, eventIds: [2, 3] },
  ],
  ['anonymous requests all refused', anonymous(401, 403, 302, 500), { status: 'no_match' }],
  [
    'anonymous requests without codes',
    anonymous(401, null),
    { status: 'not_applicable', reason: /HTTP code unknown for events 2/ },
  ],
  [
    'an identified user',
    user({ userName: 'jane', events: codes(200) }),
    { status: 'not_applicable', reason: /only the anonymous N\/A user/ },
  ],
  ['anonymous user without events', user({ userName: 'N/A', events: [] }), NO_EVENTS],
]);

table(B26, [
  [
    'every session has one event',
    user({
      sessions: [session({ id: 1, eventCount: 1 }), session({ id: 2, eventCount: 1 })],
      events: [event({ id: 1, sessionId: 1 }), event({ id: 2, sessionId: 2 })],
    }),
    { status: 'match', values: { sessions: 2 }, eventIds: [1, 2] },
  ],
  [
    'one session has two events',
    user({ sessions: [session({ id: 1, eventCount: 1 }), session({ id: 2, eventCount: 2 })] }),
    { status: 'no_match', values: { sessions: 2, longerSessions: 1 } },
  ],
  ['no sessions (tirreno would be vacuously true)', user({ sessions: [] }), NO_SESSIONS],
]);
