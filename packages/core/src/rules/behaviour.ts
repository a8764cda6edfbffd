// B rules: behaviour. What the user did (recent events), how their sessions look, how old and how
// long dormant the account is, and a few facts about the name they gave.
import type { EventFeature, RuleDefinition, RuleResult, RuleThresholds, UserFeatures } from './features.ts';
import {
  DAY_MS,
  eventIdsInSessions,
  eventsOfType,
  ids,
  isValidTimeZone,
  knownCountries,
  localClock,
  match,
  meetsNight,
  NO_EVENTS,
  NO_KNOWN_COUNTRY,
  NO_NAME,
  NO_SESSIONS,
  noMatch,
  notApplicable,
  presentNames,
  scan,
  suspiciousFragments,
  type Tri,
  wholeDays,
} from './helpers/ab.ts';

export { SUSPICIOUS_URL_FRAGMENTS } from './helpers/ab.ts';

type Group = Omit<RuleDefinition, 'group'>;
const rule = (r: Group): RuleDefinition => ({ ...r, group: 'B' });

// ---------------------------------------------------------------------------------------------
// Event-list rules

/** Any recent event of this type. */
function eventTypeRule(f: UserFeatures, type: EventFeature['type'], summary: string): RuleResult {
  if (f.events.length === 0) return notApplicable(NO_EVENTS);
  const hits = eventsOfType(f, type);
  return hits.length > 0 ? match(summary, { count: hits.length }, ids(hits)) : noMatch();
}

/** Any recent event satisfying a tri-state predicate (not_applicable when only unknowns remain). */
function anyEvent(
  f: UserFeatures,
  predicate: (e: EventFeature) => Tri,
  summary: (hits: EventFeature[]) => string,
  unknownWhat: string,
): RuleResult {
  if (f.events.length === 0) return notApplicable(NO_EVENTS);
  const s = scan(f.events, predicate);
  if (s.hits.length > 0) return match(summary(s.hits), { count: s.hits.length }, ids(s.hits));
  if (s.unknown.length > 0)
    return notApplicable(`${unknownWhat} unknown for events ${ids(s.unknown).join(', ')}`);
  return noMatch();
}

/** More than `max` recent events with an HTTP code in [low, high]; Kleene over unknown codes. */
function httpCodeCount(f: UserFeatures, low: number, high: number, max: number, label: string): RuleResult {
  if (f.events.length === 0) return notApplicable(NO_EVENTS);
  const s = scan(f.events, (e) => (e.httpCode === null ? null : e.httpCode >= low && e.httpCode <= high));
  const values = { count: s.hits.length, max };
  if (s.hits.length > max) return match(`${s.hits.length} ${label} responses`, values, ids(s.hits));
  if (s.hits.length + s.unknown.length > max) {
    return notApplicable(`HTTP code unknown for events ${ids(s.unknown).join(', ')}`);
  }
  return noMatch(values);
}

export const B01 = rule({
  code: 'B01',
  name: 'Multiple countries',
  description: "The user's IP addresses are spread over an unusually large number of countries.",
  requires: ['ip'],
  evaluate(f, t) {
    const countries = knownCountries(f);
    if (countries.length === 0) return notApplicable(NO_KNOWN_COUNTRY);
    const values = { countries, count: countries.length, max: t.multipleCountries };
    return countries.length > t.multipleCountries
      ? match(`IPs in ${countries.length} countries`, values)
      : noMatch(values);
  },
});

export const B02 = rule({
  code: 'B02',
  name: 'User has changed a password',
  description: 'The user changed their password recently.',
  requires: [],
  evaluate: (f) => eventTypeRule(f, 'account_password_change', 'password changed'),
});

export const B03 = rule({
  code: 'B03',
  name: 'User has changed an email',
  description: 'The user changed their e-mail address recently.',
  requires: [],
  evaluate: (f) => eventTypeRule(f, 'account_email_change', 'e-mail address changed'),
});

export const B04 = rule({
  code: 'B04',
  name: 'Multiple 5xx errors',
  description: "Many of the user's recent requests ended in a server error.",
  requires: [],
  evaluate: (f, t) => httpCodeCount(f, 500, 599, t.max5xxCodes, '5xx'),
});

export const B05 = rule({
  code: 'B05',
  name: 'Multiple 4xx errors',
  description: "Many of the user's recent requests were refused or asked for missing pages.",
  requires: [],
  evaluate: (f, t) => httpCodeCount(f, 400, 499, t.max4xxCodes, '4xx'),
});

export const B06 = rule({
  code: 'B06',
  name: 'Potentially vulnerable URL',
  description: 'The user requested a path typical of vulnerability scanning or injection attempts.',
  requires: [],
  evaluate(f) {
    if (f.events.length === 0) return notApplicable(NO_EVENTS);
    const found = f.events
      .map((e) => ({ e, fragments: suspiciousFragments(e.url) }))
      .filter((x) => x.fragments.length > 0);
    if (found.length === 0) return noMatch();
    return match(
      `${found.length} request(s) to suspicious paths`,
      { urls: found.map(({ e, fragments }) => ({ eventId: e.id, url: e.url, fragments })) },
      found.map(({ e }) => e.id),
    );
  },
});

// ---------------------------------------------------------------------------------------------
// Names

export const B07 = rule({
  code: 'B07',
  name: "User's full name contains digits",
  description: 'The name the user gave contains digits, which real names rarely do.',
  requires: [],
  evaluate(f) {
    const names = presentNames(f);
    if (names.length === 0) return notApplicable(NO_NAME);
    const hits = names.filter((n) => /\p{Nd}/u.test(n.value));
    if (hits.length === 0) return noMatch();
    return match('name contains digits', { names: Object.fromEntries(hits.map((n) => [n.field, n.value])) });
  },
});

/**
 * A first or last name that itself contains whitespace or a hyphen. A full name is two names
 * joined by the application, so its single separating space does not count: it fires on a hyphen
 * or on more than two whitespace-separated words.
 */
export const B23 = rule({
  code: 'B23',
  name: "User's full name contains space or hyphen",
  description: 'A first or last name contains a space or a hyphen, which is unusual.',
  requires: [],
  evaluate(f) {
    const names = presentNames(f);
    if (names.length === 0) return notApplicable(NO_NAME);
    const hits = names.filter(({ field, value }) =>
      field === 'fullName' ? value.includes('-') || value.split(/\s+/u).length > 2 : /[\s-]/u.test(value),
    );
    if (hits.length === 0) return noMatch();
    return match('name contains a space or a hyphen', {
      names: Object.fromEntries(hits.map((n) => [n.field, n.value])),
    });
  },
});

// ---------------------------------------------------------------------------------------------
// Dormancy and account age

/** Whole days between the latest event and the activity just before it. */
function dormancy(f: UserFeatures, index: 0 | 1 | 2, t: RuleThresholds): RuleResult {
  const [latest, previous] = f.events;
  if (!latest) return notApplicable(NO_EVENTS);
  if (!previous) return notApplicable('no activity before the latest event');
  const gapDays = wholeDays(latest.time, previous.time);
  const values = { gapDays, minDays: t.dormantDays[index] };
  return gapDays > t.dormantDays[index]
    ? match(`back after ${gapDays} days of inactivity`, values, [latest.id, previous.id])
    : noMatch(values);
}

const dormant = (code: string, label: string, index: 0 | 1 | 2) =>
  rule({
    code,
    name: `Dormant account (${label})`,
    description: `The user came back after more than ${label} without any activity.`,
    requires: [],
    evaluate: (f, t) => dormancy(f, index, t),
  });

export const B08 = dormant('B08', '30 days', 0);
export const B09 = dormant('B09', '90 days', 1);
export const B10 = dormant('B10', '1 year', 2);

type AgeEdge = 0 | 1 | 2 | 3 | 4;

/** Account age in whole days within [accountAgeDays[from], accountAgeDays[to]); null = open end. */
function accountAge(
  f: UserFeatures,
  t: RuleThresholds,
  from: AgeEdge | null,
  to: AgeEdge | null,
): RuleResult {
  if (!f.created) return notApplicable('account creation time unknown');
  const ageDays = wholeDays(f.now, f.created);
  const aboveMin = from === null || ageDays >= t.accountAgeDays[from];
  const belowMax = to === null || ageDays < t.accountAgeDays[to];
  const values = { ageDays };
  return aboveMin && belowMax ? match(`account is ${ageDays} day(s) old`, values) : noMatch(values);
}

const age = (code: string, name: string, description: string, from: AgeEdge | null, to: AgeEdge | null) =>
  rule({ code, name, description, requires: [], evaluate: (f, t) => accountAge(f, t, from, to) });

export const B11 = age('B11', 'New account (1 day)', 'The account was created less than a day ago.', null, 0);
export const B12 = age('B12', 'New account (1 week)', 'The account was created less than a week ago.', 0, 1);
export const B13 = age(
  'B13',
  'New account (1 month)',
  'The account was created less than a month ago.',
  1,
  2,
);
export const B14 = age(
  'B14',
  'Aged account (>30 days)',
  'The account is between one and three months old.',
  2,
  3,
);
export const B15 = age(
  'B15',
  'Aged account (>90 days)',
  'The account is between three and six months old.',
  3,
  4,
);
export const B16 = age(
  'B16',
  'Aged account (>180 days)',
  'The account is more than six months old.',
  4,
  null,
);

export const B17 = rule({
  code: 'B17',
  name: 'Single country',
  description: "All the user's IP addresses whose country is known are in one country.",
  requires: ['ip'],
  evaluate(f) {
    const countries = knownCountries(f);
    if (countries.length === 0) return notApplicable(NO_KNOWN_COUNTRY);
    return countries.length === 1
      ? match(`every IP is in ${countries[0]}`, { countries })
      : noMatch({ countries });
  },
});

export const B18 = rule({
  code: 'B18',
  name: 'HEAD request',
  description: 'The user sent HEAD requests, which browsers rarely do and scripts often do.',
  requires: [],
  evaluate: (f) =>
    anyEvent(
      f,
      (e) => (e.httpMethod === null ? null : e.httpMethod === 'head'),
      (hits) => `${hits.length} HEAD request(s)`,
      'HTTP method',
    ),
});

// ---------------------------------------------------------------------------------------------
// Sessions

type Session = UserFeatures['sessions'][number];

/** Any session satisfying a predicate; evidence lists each such session and its recent events. */
function anySession(
  f: UserFeatures,
  predicate: (s: Session) => boolean,
  summary: (n: number) => string,
  detail: (s: Session) => Record<string, unknown>,
  extra: Record<string, unknown> = {},
): RuleResult {
  if (f.sessions.length === 0) return notApplicable(NO_SESSIONS);
  const hits = f.sessions.filter(predicate);
  if (hits.length === 0) return noMatch();
  const sessionIds = hits.map((s) => s.id);
  return match(
    summary(hits.length),
    { sessions: hits.map((s) => ({ sessionId: s.id, ...detail(s) })), ...extra },
    eventIdsInSessions(f, sessionIds),
  );
}

export const B19 = rule({
  code: 'B19',
  name: 'Night time requests',
  description: "The user was active at night (by default midnight to 5 a.m. in the project's timezone).",
  requires: [],
  evaluate(f, t) {
    if (f.sessions.length === 0) return notApplicable(NO_SESSIONS);
    if (!isValidTimeZone(f.timezone)) return notApplicable(`unknown timezone ${JSON.stringify(f.timezone)}`);
    const clock = (s: Session) => ({
      start: localClock(s.started, f.timezone),
      end: localClock(s.lastSeen, f.timezone),
    });
    const atNight = (s: Session) => {
      if (s.lastSeen.getTime() - s.started.getTime() > DAY_MS) return true;
      const { start, end } = clock(s);
      return meetsNight(start, end, t);
    };
    return anySession(
      f,
      atNight,
      (n) => `${n} session(s) at night`,
      (s) => {
        const { start, end } = clock(s);
        return { start: start.text, end: end.text };
      },
      { timezone: f.timezone },
    );
  },
});

export const B20 = rule({
  code: 'B20',
  name: 'Multiple countries in one session',
  description: 'The country of the IP address changed within one session.',
  requires: ['ip'],
  evaluate(f) {
    if (knownCountries(f).length === 0) return notApplicable(NO_KNOWN_COUNTRY);
    return anySession(
      f,
      (s) => s.countryCount > 1,
      (n) => `${n} session(s) spanning several countries`,
      (s) => ({ countries: s.countryCount }),
    );
  },
});

export const B21 = rule({
  code: 'B21',
  name: 'Multiple devices in one session',
  description: 'The device changed within one session.',
  requires: [],
  evaluate: (f) =>
    anySession(
      f,
      (s) => s.deviceCount > 1,
      (n) => `${n} session(s) with several devices`,
      (s) => ({ devices: s.deviceCount }),
    ),
});

export const B22 = rule({
  code: 'B22',
  name: 'Multiple IP addresses in one session',
  description: 'The IP address changed within one session.',
  requires: [],
  evaluate: (f) =>
    anySession(
      f,
      (s) => s.ipCount > 1,
      (n) => `${n} session(s) with several IP addresses`,
      (s) => ({ ips: s.ipCount }),
    ),
});

export const B24 = rule({
  code: 'B24',
  name: 'Empty referer',
  description: 'Requests arrived without a referer, as direct calls and scripts often do.',
  requires: [],
  evaluate: (f) =>
    anyEvent(
      f,
      (e) => e.refererEmpty,
      (hits) => `${hits.length} request(s) without a referer`,
      'referer',
    ),
});

/** The pseudo-user that collects the events sent without a user name or e-mail. */
export const ANONYMOUS_USER_NAME = 'N/A';

export const B25 = rule({
  code: 'B25',
  name: 'Unauthorized request',
  description: 'Requests sent without identifying a user were answered successfully.',
  requires: [],
  evaluate(f) {
    if (f.userName !== ANONYMOUS_USER_NAME) {
      return notApplicable('only the anonymous N/A user collects unauthenticated requests');
    }
    return anyEvent(
      f,
      (e) => (e.httpCode === null ? null : e.httpCode >= 200 && e.httpCode <= 299),
      (hits) => `${hits.length} successful unauthenticated request(s)`,
      'HTTP code',
    );
  },
});

export const B26 = rule({
  code: 'B26',
  name: 'Single event sessions',
  description: 'Every session of the user consists of a single event.',
  requires: [],
  evaluate(f) {
    if (f.sessions.length === 0) return notApplicable(NO_SESSIONS);
    const longer = f.sessions.filter((s) => s.eventCount !== 1);
    if (longer.length > 0) return noMatch({ sessions: f.sessions.length, longerSessions: longer.length });
    return match(
      `all ${f.sessions.length} session(s) have a single event`,
      { sessions: f.sessions.length },
      eventIdsInSessions(
        f,
        f.sessions.map((s) => s.id),
      ),
    );
  },
});

export const B_RULES: RuleDefinition[] = [
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
];
