import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { A_RULES, A01, A02, A03, A04, A05, A06, A07, A08 } from '../../src/rules/account-takeover.ts';
import {
  DEFAULT_THRESHOLDS,
  type EventFeature,
  type RuleDefinition,
  type RuleStatus,
  type UserFeatures,
} from '../../src/rules/features.ts';
import { normaliseLanguage } from '../../src/rules/helpers/ab.ts';
import { device, event, ip, minutesAgo, user } from './build.ts';

interface Expected {
  status: RuleStatus;
  values?: Record<string, unknown>;
  eventIds?: number[];
  reason?: string | RegExp;
}
type Case = [name: string, features: UserFeatures, expected: Expected];

/** One table test per rule: status, values and event ids exactly; the reason when not applicable. */
function table(rule: RuleDefinition, cases: Case[]): void {
  describe(`${rule.code} ${rule.name}`, () => {
    for (const [name, features, expected] of cases) {
      it(name, () => {
        const r = rule.evaluate(features, DEFAULT_THRESHOLDS);
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

/** Events with ids 1..n (newest first), `types[i]` for the i-th. */
function events(types: EventFeature['type'][], o: Partial<EventFeature> = {}): EventFeature[] {
  return types.map((type, i) => event({ id: i + 1, time: minutesAgo(i + 1), type, ...o }));
}

const V: EventFeature['type'] = 'page_view';
const F: EventFeature['type'] = 'account_login_fail';
const P: EventFeature['type'] = 'account_password_change';

const OLD = device({ id: 1 });
/** Active for 30 minutes only: new. */
const NEW = device({ id: 2, language: 'fr-FR,fr;q=0.9', firstSeen: minutesAgo(35), lastSeen: minutesAgo(5) });
/** Active for exactly the new-device limit (3 hours): no longer new. */
const THREE_HOURS = device({ id: 3, firstSeen: minutesAgo(185), lastSeen: minutesAgo(5) });

const GB1 = ip({ id: 1, country: 'GB', network: '81.2.0.0/16' });
const GB2 = ip({ id: 2, ip: '81.2.70.1', country: 'GB', network: '81.2.0.0/16' });
const FR = ip({ id: 3, ip: '90.1.1.1', country: 'FR', network: '90.0.0.0/12' });
const UNKNOWN = ip({ id: 4, ip: '203.0.113.9', country: null, network: null });
const LAN = ip({ id: 5, ip: '192.168.1.10', country: null, network: null, local: true });

describe('A_RULES', () => {
  it('lists A01..A08 in code order, all in group A', () => {
    assert.deepEqual(
      A_RULES.map((r) => r.code),
      ['A01', 'A02', 'A03', 'A04', 'A05', 'A06', 'A07', 'A08'],
    );
    for (const r of A_RULES) assert.equal(r.group, 'A');
  });
});

table(A01, [
  [
    'four failures inside one 8-event window',
    user({ events: events([V, V, F, F, V, F, F, V, V, V]) }),
    { status: 'match', values: { failedLogins: 4, window: 8, maxLoginAttempts: 3 }, eventIds: [3, 4, 6, 7] },
  ],
  [
    'four failures spread so that no window holds more than three',
    user({ events: events([F, V, V, F, V, V, V, V, F, F]) }),
    { status: 'no_match', values: { mostFailedLoginsInWindow: 3, window: 8 } },
  ],
  [
    'boundary: exactly three failures in a window',
    user({ events: events([F, F, F, V, V, V, V, V, V]) }),
    { status: 'no_match', values: { mostFailedLoginsInWindow: 3, window: 8 } },
  ],
  [
    'a user with fewer events than the window is judged on all of them',
    user({ events: events([F, F, F, F]) }),
    { status: 'match', values: { failedLogins: 4, window: 4, maxLoginAttempts: 3 }, eventIds: [1, 2, 3, 4] },
  ],
  [
    'no events',
    user({ events: [] }),
    { status: 'not_applicable', reason: 'no events recorded for the user' },
  ],
]);

table(A02, [
  [
    'failed login on a device active for 30 minutes',
    user({ devices: [OLD, NEW], events: events([V, F], { deviceId: 2 }) }),
    { status: 'match', values: { deviceIds: [2] }, eventIds: [2] },
  ],
  [
    'failed login on a long-known device',
    user({ devices: [OLD, NEW], events: [...events([V, F]), event({ id: 9, deviceId: 2 })] }),
    { status: 'no_match' },
  ],
  [
    'boundary: a device active for exactly 3 hours is not new',
    user({ devices: [OLD, THREE_HOURS], events: events([F], { deviceId: 3 }) }),
    { status: 'no_match' },
  ],
  [
    'failed login on a device with no record',
    user({ devices: [OLD], events: events([F], { deviceId: 7 }) }),
    { status: 'not_applicable', reason: /device unknown.*events 1/ },
  ],
  [
    'no events',
    user({ events: [] }),
    { status: 'not_applicable', reason: 'no events recorded for the user' },
  ],
]);

table(A03, [
  [
    'new device from the only French IP',
    user({
      ips: [GB1, GB2, FR],
      devices: [OLD, NEW],
      events: [event({ id: 1, deviceId: 2, ipId: 3 }), event({ id: 2, deviceId: 1, ipId: 1 })],
    }),
    { status: 'match', values: { countries: ['FR'], ipIds: [3], deviceIds: [2] }, eventIds: [1] },
  ],
  [
    'new device from a country seen on two IPs',
    user({ ips: [GB1, GB2, FR], devices: [OLD, NEW], events: [event({ id: 1, deviceId: 2, ipId: 2 })] }),
    { status: 'no_match' },
  ],
  [
    'new country on a known device',
    user({ ips: [GB1, GB2, FR], devices: [OLD, NEW], events: [event({ id: 1, deviceId: 1, ipId: 3 })] }),
    { status: 'no_match' },
  ],
  [
    'a single device',
    user({ ips: [GB1, FR], devices: [NEW], events: [event({ id: 1, deviceId: 2, ipId: 3 })] }),
    { status: 'no_match', values: { devices: 1 } },
  ],
  [
    'a single known country (the unknown IP does not count)',
    user({ ips: [GB1, UNKNOWN], devices: [OLD, NEW], events: [event({ id: 1, deviceId: 2, ipId: 1 })] }),
    { status: 'no_match', values: { countries: ['GB'] } },
  ],
  [
    'new device from a local address is not a new country',
    user({ ips: [GB1, FR, LAN], devices: [OLD, NEW], events: [event({ id: 1, deviceId: 2, ipId: 5 })] }),
    { status: 'no_match' },
  ],
  [
    'new device from an IP whose country is unknown',
    user({
      ips: [GB1, GB2, FR, UNKNOWN],
      devices: [OLD, NEW],
      events: [event({ id: 1, deviceId: 2, ipId: 4 })],
    }),
    { status: 'not_applicable', reason: /country unknown.*events 1/ },
  ],
  [
    'no IP with a known country',
    user({ ips: [UNKNOWN, LAN], devices: [OLD, NEW], events: [event({ id: 1, deviceId: 2, ipId: 4 })] }),
    { status: 'not_applicable', reason: 'no IP with a known country' },
  ],
]);

table(A04, [
  [
    'new device from the only IP in its network',
    user({ ips: [GB1, GB2, FR], devices: [OLD, NEW], events: [event({ id: 1, deviceId: 2, ipId: 3 })] }),
    { status: 'match', values: { networks: ['90.0.0.0/12'], ipIds: [3], deviceIds: [2] }, eventIds: [1] },
  ],
  [
    'new device from a network of two IPs',
    user({ ips: [GB1, GB2, FR], devices: [OLD, NEW], events: [event({ id: 1, deviceId: 2, ipId: 1 })] }),
    { status: 'no_match' },
  ],
  [
    'a single network',
    user({ ips: [GB1, GB2], devices: [OLD, NEW], events: [event({ id: 1, deviceId: 2, ipId: 1 })] }),
    { status: 'no_match', values: { networks: ['81.2.0.0/16'] } },
  ],
  [
    'new device from an IP whose network is unknown',
    user({ ips: [GB1, FR, UNKNOWN], devices: [OLD, NEW], events: [event({ id: 1, deviceId: 2, ipId: 4 })] }),
    { status: 'not_applicable', reason: /network unknown/ },
  ],
  [
    'no IP with a known network',
    user({ ips: [UNKNOWN], devices: [OLD, NEW], events: [event({ id: 1, deviceId: 2, ipId: 4 })] }),
    { status: 'not_applicable', reason: 'no IP with a known network' },
  ],
]);

table(A05, [
  [
    'password changed on a new device',
    user({ devices: [OLD, NEW], events: [...events([V, P], { deviceId: 2 })] }),
    { status: 'match', values: { deviceIds: [2] }, eventIds: [2] },
  ],
  [
    'password changed on a known device',
    user({ devices: [OLD, NEW], events: events([P, V]) }),
    { status: 'no_match' },
  ],
  [
    'only one device',
    user({ devices: [NEW], events: events([P], { deviceId: 2 }) }),
    { status: 'no_match', values: { devices: 1 } },
  ],
  [
    'password changed on a device with no record',
    user({ devices: [OLD, NEW], events: events([P], { deviceId: 8 }) }),
    { status: 'not_applicable', reason: /device unknown for password changes/ },
  ],
  [
    'no events',
    user({ events: [] }),
    { status: 'not_applicable', reason: 'no events recorded for the user' },
  ],
]);

table(A06, [
  [
    'password changed from the only French IP',
    user({ ips: [GB1, GB2, FR], events: [event({ id: 1, type: P, ipId: 3 }), event({ id: 2, ipId: 3 })] }),
    { status: 'match', values: { countries: ['FR'], ipIds: [3] }, eventIds: [1] },
  ],
  [
    'password changed from a country seen on two IPs',
    user({ ips: [GB1, GB2, FR], events: [event({ id: 1, type: P, ipId: 1 })] }),
    { status: 'no_match' },
  ],
  [
    'no password change',
    user({ ips: [GB1, GB2, FR], events: [event({ id: 1, ipId: 3 })] }),
    { status: 'no_match' },
  ],
  [
    'a single known country',
    user({ ips: [GB1], events: [event({ id: 1, type: P, ipId: 1 })] }),
    { status: 'no_match', values: { countries: ['GB'] } },
  ],
  [
    'password changed from an IP whose country is unknown',
    user({ ips: [GB1, FR, UNKNOWN], events: [event({ id: 1, type: P, ipId: 4 })] }),
    { status: 'not_applicable', reason: /country unknown for password changes/ },
  ],
  [
    'no IP with a known country',
    user({ ips: [UNKNOWN], events: [event({ id: 1, type: P, ipId: 4 })] }),
    { status: 'not_applicable', reason: 'no IP with a known country' },
  ],
]);

table(A07, [
  [
    'password changed from the only IP in its network',
    user({ ips: [GB1, GB2, FR], events: [event({ id: 1, type: P, ipId: 3 })] }),
    { status: 'match', values: { networks: ['90.0.0.0/12'], ipIds: [3] }, eventIds: [1] },
  ],
  [
    'password changed from a network of two IPs',
    user({ ips: [GB1, GB2, FR], events: [event({ id: 1, type: P, ipId: 2 })] }),
    { status: 'no_match' },
  ],
  [
    'password changed from a local address',
    user({ ips: [GB1, FR, LAN], events: [event({ id: 1, type: P, ipId: 5 })] }),
    { status: 'no_match' },
  ],
  [
    'password changed from an IP whose network is unknown',
    user({ ips: [GB1, FR, UNKNOWN], events: [event({ id: 1, type: P, ipId: 4 })] }),
    { status: 'not_applicable', reason: /network unknown for password changes/ },
  ],
  [
    'no IP with a known network',
    user({ ips: [UNKNOWN, LAN], events: [event({ id: 1, type: P, ipId: 4 })] }),
    { status: 'not_applicable', reason: 'no IP with a known network' },
  ],
]);

describe('normaliseLanguage', () => {
  for (const [raw, expected] of [
    ['en-GB,en;q=0.9', 'EN'],
    ['de-CH;q=0.8, en', 'DE'],
    [' pt-br ', 'PT'],
    ['fr', 'FR'],
    ['*', '*'],
    ['', ''],
    [null, ''],
  ] as const) {
    it(`${JSON.stringify(raw)} → ${JSON.stringify(expected)}`, () =>
      assert.equal(normaliseLanguage(raw), expected));
  }
});

table(A08, [
  [
    'new device speaking a language no other device uses',
    user({ devices: [OLD, NEW], events: [event({ id: 1, deviceId: 2 }), event({ id: 2, deviceId: 1 })] }),
    { status: 'match', values: { languages: ['FR'], deviceIds: [2] }, eventIds: [1] },
  ],
  [
    'a missing Accept-Language is a language of its own',
    user({ devices: [OLD, { ...NEW, language: null }], events: [event({ id: 1, deviceId: 2 })] }),
    { status: 'match', values: { languages: [''], deviceIds: [2] }, eventIds: [1] },
  ],
  [
    'new device with a regional variant of a known language',
    user({
      devices: [OLD, { ...NEW, language: 'en-US' }, device({ id: 4, language: 'de' })],
      events: [event({ id: 1, deviceId: 2 })],
    }),
    { status: 'no_match' },
  ],
  [
    'the odd language is on an old device',
    user({
      devices: [
        { ...OLD, language: 'fr' },
        { ...NEW, language: 'en' },
      ],
      events: [event({ id: 1, deviceId: 1 })],
    }),
    { status: 'no_match' },
  ],
  [
    'every device speaks the same language',
    user({ devices: [OLD, { ...NEW, language: 'en-US' }], events: [event({ id: 1, deviceId: 2 })] }),
    { status: 'no_match', values: { languages: ['EN'] } },
  ],
  [
    'an event on a device with no record',
    user({ devices: [OLD, NEW], events: [event({ id: 1, deviceId: 6 })] }),
    { status: 'not_applicable', reason: /device unknown.*events 1/ },
  ],
  [
    'no events',
    user({ events: [] }),
    { status: 'not_applicable', reason: 'no events recorded for the user' },
  ],
]);
