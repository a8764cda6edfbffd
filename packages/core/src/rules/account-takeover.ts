// A rules: account takeover. Signs that someone other than the owner is using the account:
// bursts of failed logins, and logins or password changes from a device, country or network the
// user has not used before.
import type { EventFeature, RuleDefinition, RuleResult, RuleThresholds, UserFeatures } from './features.ts';
import {
  countryOf,
  deviceIndex,
  eventOnNewDevice,
  ids,
  match,
  NO_EVENTS,
  NO_KNOWN_COUNTRY,
  NO_KNOWN_NETWORK,
  networkOf,
  noMatch,
  normaliseLanguage,
  notApplicable,
  placeIndex,
  placeIsNew,
  placeOf,
  type Scan,
  scan,
  type Tri,
  triAnd,
  uniq,
} from './helpers/ab.ts';

const isFailedLogin = (e: EventFeature) => e.type === 'account_login_fail';
const isPasswordChange = (e: EventFeature) => e.type === 'account_password_change';

/** The result of an event scan: a match on hits, not_applicable on undecidable events, else no_match. */
function fromScan(
  s: Scan<EventFeature>,
  onHits: (hits: EventFeature[]) => RuleResult,
  undecided: string,
): RuleResult {
  if (s.hits.length > 0) return onHits(s.hits);
  if (s.unknown.length > 0) return notApplicable(`${undecided} (events ${ids(s.unknown).join(', ')})`);
  return noMatch();
}

export const A01: RuleDefinition = {
  code: 'A01',
  group: 'A',
  name: 'Multiple login fail',
  description:
    'Several failed logins close together among the latest events: someone may be guessing the password.',
  requires: [],
  evaluate(f, t) {
    if (f.events.length === 0) return notApplicable(NO_EVENTS);
    // A user with fewer events than the window is judged on all of them.
    const size = Math.min(t.loginAttemptsWindow, f.events.length);
    let most = 0;
    for (let start = 0; start + size <= f.events.length; start++) {
      const fails = f.events.slice(start, start + size).filter(isFailedLogin);
      most = Math.max(most, fails.length);
      if (fails.length > t.maxLoginAttempts) {
        return match(
          `${fails.length} failed logins in ${size} consecutive events`,
          { failedLogins: fails.length, window: size, maxLoginAttempts: t.maxLoginAttempts },
          ids(fails),
        );
      }
    }
    return noMatch({ mostFailedLoginsInWindow: most, window: size });
  },
};

export const A02: RuleDefinition = {
  code: 'A02',
  group: 'A',
  name: 'Login failed on new device',
  description: 'A login failed on a device the user had not used before.',
  requires: [],
  evaluate(f, t) {
    if (f.events.length === 0) return notApplicable(NO_EVENTS);
    const devices = deviceIndex(f);
    const s = scan(f.events, (e) =>
      triAnd(
        () => isFailedLogin(e),
        () => eventOnNewDevice(e, devices, t),
      ),
    );
    return fromScan(
      s,
      (hits) =>
        match(
          `${hits.length} failed login(s) on a new device`,
          { deviceIds: uniq(hits.map((e) => e.deviceId)) },
          ids(hits),
        ),
      'device unknown for failed logins',
    );
  },
};

/**
 * A03, A04, A06, A07: a triggering event (on a new device, or a password change) made from an IP
 * whose country / network is represented by exactly one of the user's IPs, for a user who has used
 * at least two countries / networks. Only IPs whose place is known count; events from IPs whose
 * place is unknown cannot be decided.
 */
function newPlaceRule(
  f: UserFeatures,
  t: RuleThresholds,
  kind: 'country' | 'network',
  trigger: 'newDevice' | 'passwordChange',
): RuleResult {
  if (f.events.length === 0) return notApplicable(NO_EVENTS);
  const index = placeIndex(f, kind === 'country' ? countryOf : networkOf);
  if (index.counts.size === 0) return notApplicable(kind === 'country' ? NO_KNOWN_COUNTRY : NO_KNOWN_NETWORK);
  const plural = kind === 'country' ? 'countries' : 'networks';
  if (trigger === 'newDevice' && f.devices.length < 2) return noMatch({ devices: f.devices.length });
  if (index.counts.size < 2) return noMatch({ [plural]: [...index.counts.keys()] });
  const devices = deviceIndex(f);
  const triggered = (e: EventFeature): Tri =>
    trigger === 'newDevice' ? eventOnNewDevice(e, devices, t) : isPasswordChange(e);
  const s = scan(f.events, (e) =>
    triAnd(
      () => triggered(e),
      () => placeIsNew(index, e.ipId),
    ),
  );
  const what = trigger === 'newDevice' ? 'new device' : 'password change';
  return fromScan(
    s,
    (hits) => {
      const places = uniq(hits.map((e) => placeOf(index, e.ipId)));
      const values: Record<string, unknown> = { [plural]: places, ipIds: uniq(hits.map((e) => e.ipId)) };
      if (trigger === 'newDevice') values.deviceIds = uniq(hits.map((e) => e.deviceId));
      return match(`${what} from a ${kind} seen on only one IP (${places.join(', ')})`, values, ids(hits));
    },
    trigger === 'newDevice' ? `device or ${kind} unknown` : `${kind} unknown for password changes`,
  );
}

export const A03: RuleDefinition = {
  code: 'A03',
  group: 'A',
  name: 'New device and new country',
  description: 'The user appeared on a new device from a country they had not used before.',
  requires: ['ip'],
  evaluate: (f, t) => newPlaceRule(f, t, 'country', 'newDevice'),
};

export const A04: RuleDefinition = {
  code: 'A04',
  group: 'A',
  name: 'New device and new subnet',
  description: 'The user appeared on a new device from a network they had not used before.',
  requires: ['ip'],
  evaluate: (f, t) => newPlaceRule(f, t, 'network', 'newDevice'),
};

export const A05: RuleDefinition = {
  code: 'A05',
  group: 'A',
  name: 'Password change on new device',
  description: 'The password was changed from a device the user had not used before.',
  requires: [],
  evaluate(f, t) {
    if (f.events.length === 0) return notApplicable(NO_EVENTS);
    if (f.devices.length < 2) return noMatch({ devices: f.devices.length });
    const devices = deviceIndex(f);
    const s = scan(f.events, (e) =>
      triAnd(
        () => isPasswordChange(e),
        () => eventOnNewDevice(e, devices, t),
      ),
    );
    return fromScan(
      s,
      (hits) =>
        match(
          `password changed on a new device`,
          { deviceIds: uniq(hits.map((e) => e.deviceId)) },
          ids(hits),
        ),
      'device unknown for password changes',
    );
  },
};

export const A06: RuleDefinition = {
  code: 'A06',
  group: 'A',
  name: 'Password change in new country',
  description: 'The password was changed from a country the user had not used before.',
  requires: ['ip'],
  evaluate: (f, t) => newPlaceRule(f, t, 'country', 'passwordChange'),
};

export const A07: RuleDefinition = {
  code: 'A07',
  group: 'A',
  name: 'Password change in new subnet',
  description: 'The password was changed from a network the user had not used before.',
  requires: ['ip'],
  evaluate: (f, t) => newPlaceRule(f, t, 'network', 'passwordChange'),
};

export const A08: RuleDefinition = {
  code: 'A08',
  group: 'A',
  name: 'Browser language changed',
  description: 'A new device uses a browser language that no other device of the user uses.',
  requires: [],
  evaluate(f, t) {
    if (f.events.length === 0) return notApplicable(NO_EVENTS);
    if (f.devices.length < 2) return noMatch({ devices: f.devices.length });
    const languageOf = new Map(f.devices.map((d) => [d.id, normaliseLanguage(d.language)]));
    const counts = new Map<string, number>();
    for (const lang of languageOf.values()) counts.set(lang, (counts.get(lang) ?? 0) + 1);
    if (counts.size < 2) return noMatch({ languages: [...counts.keys()] });
    const devices = deviceIndex(f);
    const s = scan(f.events, (e) =>
      triAnd(
        () => eventOnNewDevice(e, devices, t),
        () => {
          const lang = languageOf.get(e.deviceId);
          return lang === undefined ? null : counts.get(lang) === 1;
        },
      ),
    );
    return fromScan(
      s,
      (hits) => {
        const languages = uniq(hits.map((e) => languageOf.get(e.deviceId) ?? ''));
        return match(
          `new device with a browser language no other device uses (${languages.join(', ') || 'none'})`,
          { languages, deviceIds: uniq(hits.map((e) => e.deviceId)) },
          ids(hits),
        );
      },
      'device unknown',
    );
  },
};

export const A_RULES: RuleDefinition[] = [A01, A02, A03, A04, A05, A06, A07, A08];
