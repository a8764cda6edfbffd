// Shared helpers of the A (account takeover) and B (behaviour) rules.
//
// Tri-state facts are `boolean | null`: null means "unknown" (a missing device or IP record, an IP
// whose country is not known, an event without an HTTP code…). Rules combine them with Kleene
// logic: one known hit is enough for a match, a no_match needs every fact known.
import type {
  DeviceFeature,
  EventFeature,
  IpFeature,
  RuleResult,
  RuleThresholds,
  UserFeatures,
} from '../features.ts';

export type Tri = boolean | null;

export const DAY_MS = 86_400_000;
export const DAY_SECONDS = 86_400;

/** Whole days between two instants: floor(|a − b| / 1 day). */
export function wholeDays(a: Date, b: Date): number {
  return Math.floor(Math.abs(a.getTime() - b.getTime()) / DAY_MS);
}

// ---------------------------------------------------------------------------------------------
// Results

export function match(summary: string, values: Record<string, unknown>, eventIds?: number[]): RuleResult {
  return { status: 'match', evidence: eventIds ? { summary, values, eventIds } : { summary, values } };
}

export function noMatch(values?: Record<string, unknown>): RuleResult {
  return values ? { status: 'no_match', evidence: { values } } : { status: 'no_match' };
}

export function notApplicable(reason: string): RuleResult {
  return { status: 'not_applicable', evidence: { reason } };
}

export const NO_EVENTS = 'no events recorded for the user';
export const NO_SESSIONS = 'no sessions recorded for the user';
export const NO_NAME = 'the user has no first, last or full name';
export const NO_KNOWN_COUNTRY = 'no IP with a known country';
export const NO_KNOWN_NETWORK = 'no IP with a known network';

// ---------------------------------------------------------------------------------------------
// Scanning events with a tri-state predicate

/** Tri-state AND: false wins, then unknown. Conjuncts are evaluated lazily, left to right. */
export function triAnd(...conjuncts: (() => Tri)[]): Tri {
  let unknown = false;
  for (const c of conjuncts) {
    const v = c();
    if (v === false) return false;
    if (v === null) unknown = true;
  }
  return unknown ? null : true;
}

export interface Scan<T> {
  /** Items for which the predicate is true. */
  hits: T[];
  /** Items for which the predicate could not be decided. */
  unknown: T[];
}

export function scan<T>(items: readonly T[], predicate: (item: T) => Tri): Scan<T> {
  const hits: T[] = [];
  const unknown: T[] = [];
  for (const item of items) {
    const v = predicate(item);
    if (v === true) hits.push(item);
    else if (v === null) unknown.push(item);
  }
  return { hits, unknown };
}

export const ids = (items: readonly { id: number }[]): number[] => items.map((i) => i.id);

export const uniq = <T>(items: readonly T[]): T[] => [...new Set(items)];

/** The user's recent events of one type. */
export function eventsOfType(f: UserFeatures, type: EventFeature['type']): EventFeature[] {
  return f.events.filter((e) => e.type === type);
}

/** The recent events that belong to one of the given sessions. */
export function eventIdsInSessions(f: UserFeatures, sessionIds: readonly number[]): number[] {
  const wanted = new Set(sessionIds);
  return f.events.filter((e) => wanted.has(e.sessionId)).map((e) => e.id);
}

// ---------------------------------------------------------------------------------------------
// Devices

/** A device is new when it was active for less than `newDeviceMaxAgeSeconds` in total. */
export function isNewDevice(d: DeviceFeature, t: RuleThresholds): boolean {
  return d.lastSeen.getTime() - d.firstSeen.getTime() < t.newDeviceMaxAgeSeconds * 1000;
}

export function deviceIndex(f: UserFeatures): Map<number, DeviceFeature> {
  return new Map(f.devices.map((d) => [d.id, d]));
}

/** Whether the event's device is new; null when the device record is missing. */
export function eventOnNewDevice(
  e: EventFeature,
  devices: Map<number, DeviceFeature>,
  t: RuleThresholds,
): Tri {
  const d = devices.get(e.deviceId);
  return d ? isNewDevice(d, t) : null;
}

/**
 * The browser language of a device reduced to its primary subtag: first entry of the
 * Accept-Language list, without its `;q=` weight, text before the first `-`, upper-cased.
 * A missing or empty header normalises to the empty string (which is a language of its own).
 */
export function normaliseLanguage(language: string | null): string {
  if (!language) return '';
  const first = language.split(',')[0] ?? '';
  const tag = first.split(';')[0] ?? '';
  return (tag.split('-')[0] ?? '').trim().toUpperCase();
}

// ---------------------------------------------------------------------------------------------
// IP places (country, network)

export type PlaceKey = (ip: IpFeature) => string | null;
export const countryOf: PlaceKey = (ip) => ip.country;
export const networkOf: PlaceKey = (ip) => ip.network;

/** How many of the user's public IPs each known place (country or network) is represented by. */
export interface PlaceIndex {
  key: PlaceKey;
  ips: Map<number, IpFeature>;
  counts: Map<string, number>;
}

export function placeIndex(f: UserFeatures, key: PlaceKey): PlaceIndex {
  const counts = new Map<string, number>();
  for (const ip of f.ips) {
    if (ip.local) continue;
    const k = key(ip);
    if (k !== null && k !== '') counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return { key, ips: new Map(f.ips.map((ip) => [ip.id, ip])), counts };
}

/** The place of the IP with this id, or null when the IP or its place is unknown. */
export function placeOf(index: PlaceIndex, ipId: number): string | null {
  const ip = index.ips.get(ipId);
  const k = ip ? index.key(ip) : null;
  return k === '' ? null : k;
}

/**
 * A place is "new" when exactly one of the user's IPs (among those whose place is known) is in
 * it. A local (private, loopback…) address is never in a new place: it has none. Null when the IP
 * record is missing or its place is unknown.
 */
export function placeIsNew(index: PlaceIndex, ipId: number): Tri {
  if (index.ips.get(ipId)?.local) return false;
  const k = placeOf(index, ipId);
  return k === null ? null : index.counts.get(k) === 1;
}

/** Distinct known countries over all the user's IPs. */
export function knownCountries(f: UserFeatures): string[] {
  return [...placeIndex(f, countryOf).counts.keys()].sort();
}

// ---------------------------------------------------------------------------------------------
// Local clock (night-time rule)

const clocks = new Map<string, Intl.DateTimeFormat>();
/** UTC offset (ms) of a timezone for each UTC hour seen: offsets change on hour boundaries. */
const offsets = new Map<string, number>();
const OFFSET_CACHE_LIMIT = 100_000;

function formatter(timeZone: string): Intl.DateTimeFormat {
  let fmt = clocks.get(timeZone);
  if (!fmt) {
    fmt = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    clocks.set(timeZone, fmt);
  }
  return fmt;
}

/**
 * The timezone's offset at `date`. Formatting dates is slow (the night-time rule reads every
 * session of a user), so the offset is computed once per timezone and UTC hour and cached.
 */
function offsetAt(date: Date, timeZone: string): number {
  const hour = Math.floor(date.getTime() / 3_600_000);
  const cacheKey = `${timeZone}\u0000${hour}`;
  const hit = offsets.get(cacheKey);
  if (hit !== undefined) return hit;
  const probe = new Date(hour * 3_600_000);
  const part: Record<string, string> = {};
  for (const p of formatter(timeZone).formatToParts(probe)) part[p.type] = p.value;
  const local = Date.UTC(
    Number(part.year),
    Number(part.month) - 1,
    Number(part.day),
    Number(part.hour) % 24,
    Number(part.minute),
    Number(part.second),
  );
  const offset = local - probe.getTime();
  if (offsets.size >= OFFSET_CACHE_LIMIT) offsets.clear();
  offsets.set(cacheKey, offset);
  return offset;
}

/**
 * The wall-clock date (YYYY-MM-DD) and second of the day of `date` in an IANA timezone.
 * Throws RangeError for an unknown timezone.
 */
export function localClock(date: Date, timeZone: string): { day: string; seconds: number; text: string } {
  const local = new Date(date.getTime() + offsetAt(date, timeZone));
  const day = local.toISOString().slice(0, 10);
  const seconds = local.getUTCHours() * 3600 + local.getUTCMinutes() * 60 + local.getUTCSeconds();
  return { day, seconds, text: `${day} ${local.toISOString().slice(11, 19)}` };
}

const validZones = new Map<string, boolean>();

export function isValidTimeZone(timeZone: string): boolean {
  let valid = validZones.get(timeZone);
  if (valid === undefined) {
    try {
      formatter(timeZone);
      valid = true;
    } catch {
      valid = false;
    }
    if (validZones.size > 1000) validZones.clear();
    validZones.set(timeZone, valid);
  }
  return valid;
}

/** Second-of-day intervals [from, to) covered by the night window (wrapping past midnight if needed). */
export function nightIntervals(t: RuleThresholds): [number, number][] {
  const start = t.nightStartSeconds;
  const end = t.nightEndSeconds;
  if (start === end) return [];
  return start < end
    ? [[start, end]]
    : [
        [start, DAY_SECONDS],
        [0, end],
      ];
}

/**
 * Whether the closed local interval from `start` to `end` (at most one day long, possibly
 * crossing one midnight) meets the night window.
 */
export function meetsNight(
  start: { day: string; seconds: number },
  end: { day: string; seconds: number },
  t: RuleThresholds,
): boolean {
  const covered: [number, number][] =
    start.day === end.day
      ? [[start.seconds, end.seconds]]
      : [
          [start.seconds, DAY_SECONDS],
          [0, end.seconds],
        ];
  return covered.some(([a, b]) => nightIntervals(t).some(([c, d]) => a < d && b >= c));
}

// ---------------------------------------------------------------------------------------------
// Names

/** The user's name fields that are present (non-empty after trimming). */
export function presentNames(
  f: UserFeatures,
): { field: 'firstName' | 'lastName' | 'fullName'; value: string }[] {
  const out: { field: 'firstName' | 'lastName' | 'fullName'; value: string }[] = [];
  for (const field of ['firstName', 'lastName', 'fullName'] as const) {
    const value = f[field]?.trim();
    if (value) out.push({ field, value });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// B06: request paths that probe for vulnerabilities

/**
 * Fragments of request paths that are typical of vulnerability scanners and injection attempts:
 * directory traversal and its encodings, SQL/script/template injection, remote-file and command
 * execution, sensitive files (dotfiles, keys, dumps, configuration), admin consoles of common
 * products, and the names of well-known scanning tools. Matched case-insensitively as a substring
 * of the path, both as sent and once URL-decoded. Deliberately no very short or very common words
 * (such as `wp`, `ssh`, `backup`, `/new`) so that ordinary application paths do not match.
 */
export const SUSPICIOUS_URL_FRAGMENTS: readonly string[] = Object.freeze([
  // Directory traversal and encoding tricks
  '../',
  '..\\',
  '..;/',
  '%2e%2e',
  '..%2f',
  '..%5c',
  '%252e',
  '%252f',
  '%c0%ae',
  '%c1%9c',
  '%00',
  // SQL injection
  'union select',
  'union+select',
  'union%20select',
  'union all select',
  "' or '",
  "'or'1'='1",
  ' or 1=1',
  'sleep(',
  'benchmark(',
  'waitfor delay',
  'pg_sleep',
  'information_schema',
  'xp_cmdshell',
  'concat(',
  // Script, template and expression injection
  '<script',
  '%3cscript',
  'javascript:',
  'onerror=',
  'onload=',
  'alert(',
  'document.cookie',
  '${jndi',
  '%24%7bjndi',
  '{{',
  '%7b%7b',
  '<%=',
  // Remote file inclusion, wrappers and command execution
  'php://',
  'file://',
  'data://',
  'expect://',
  'zip://',
  'base64_decode',
  'eval(',
  'system(',
  'passthru',
  'shell_exec',
  'cmd.exe',
  '/bin/sh',
  '/bin/bash',
  '/bin/busybox',
  'wget http',
  'curl http',
  'chmod 777',
  // Sensitive files
  'etc/passwd',
  'etc/shadow',
  'etc/hosts',
  'proc/self',
  'win.ini',
  'boot.ini',
  '/.env',
  '.env.',
  '/.git',
  '/.svn',
  '/.hg/',
  '.ds_store',
  '.htaccess',
  '.htpasswd',
  'id_rsa',
  'id_dsa',
  'id_ecdsa',
  'id_ed25519',
  'authorized_keys',
  '/.ssh',
  '/.aws',
  '.bash_history',
  '.npmrc',
  '.dockerenv',
  'docker-compose.yml',
  'wp-config',
  'web.config',
  'config.php',
  'configuration.php',
  'localsettings.php',
  'database.yml',
  'settings.py',
  'credentials.json',
  'dump.sql',
  'backup.sql',
  'db.sql',
  '.sql.gz',
  '.bak',
  '.swp',
  'phpinfo',
  'server-status',
  'server-info',
  // Admin consoles and CMS entry points
  'wp-admin',
  'wp-login',
  'wp-content',
  'wp-includes',
  'xmlrpc.php',
  'phpmyadmin',
  'adminer',
  '/cgi-bin',
  '/manager/html',
  'jmx-console',
  '/actuator',
  'vendor/phpunit',
  'eval-stdin',
  '_ignition',
  'boaform',
  'setup.cgi',
  'shell.php',
  'cmd.php',
  '/owa/auth',
  'autodiscover.xml',
  'solr/admin',
  // Scanners
  'sqlmap',
  'nikto',
  'acunetix',
  'netsparker',
  'dirbuster',
  'burpcollaborator',
  'oastify',
  'interact.sh',
]);

/** One pass over a path tells whether any fragment is in it (fragments are lower-case literals). */
const ANY_FRAGMENT = new RegExp(
  SUSPICIOUS_URL_FRAGMENTS.map((f) => f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'),
);

/** The suspicious fragments found in a request path (as sent, and once URL-decoded). */
export function suspiciousFragments(path: string): string[] {
  const raw = path.toLowerCase();
  // Most paths are clean and have no escapes: one regular-expression pass answers them.
  if (!raw.includes('%') && !raw.includes('+') && !ANY_FRAGMENT.test(raw)) return [];
  let decoded = raw;
  try {
    decoded = decodeURIComponent(raw.replaceAll('+', ' '));
  } catch {
    // Malformed escapes: keep the raw path only.
  }
  return SUSPICIOUS_URL_FRAGMENTS.filter((frag) => raw.includes(frag) || decoded.includes(frag));
}
