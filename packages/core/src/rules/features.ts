import type { ListMatch } from '../enrichment.ts';
import type { EventType, HttpMethod } from '../event.ts';

/**
 * Everything a rule may read about one monitored user. Loaded in bulk by the scoring worker (from
 * counters kept at ingest plus the latest events) and built by hand in tests: rules are pure
 * functions of this object and never touch the database.
 *
 * Unknown facts are null, never a guess; a rule whose facts are unknown answers not_applicable.
 * Times are Date objects; "now" is part of the features so that rules never read the clock.
 */
export interface UserFeatures {
  userId: number;
  userName: string;
  /** When the scoring ran (rules compare ages against this). */
  now: Date;
  /** The project's IANA timezone, for night-time rules. */
  timezone: string;
  /** Account creation as reported by the application (userCreated), else the first event. */
  created: Date | null;
  firstSeen: Date;
  lastSeen: Date;
  firstName: string | null;
  lastName: string | null;
  fullName: string | null;
  /** Lifetime number of events. */
  eventCount: number;
  /** The latest events, newest first (at most EVENT_CONTEXT_LIMIT). */
  events: EventFeature[];
  /** Every IP the user has used. */
  ips: IpFeature[];
  /** Every device (user agent + browser language) the user has used. */
  devices: DeviceFeature[];
  /** Every e-mail address the user has had; `lastEmail` is the most recent. */
  emails: EmailFeature[];
  lastEmail: EmailFeature | null;
  /** Every phone number the user has had; `lastPhone` is the most recent. */
  phones: PhoneFeature[];
  lastPhone: PhoneFeature | null;
  /** Every session of the user, newest first. */
  sessions: SessionFeature[];
}

export const EVENT_CONTEXT_LIMIT = 25;

export interface EventFeature {
  id: number;
  time: Date;
  type: EventType;
  httpCode: number | null;
  httpMethod: HttpMethod | null;
  /** The resource path, without its query string. */
  url: string;
  /** True when the referer was absent or empty. */
  refererEmpty: boolean;
  ipId: number;
  deviceId: number;
  sessionId: number;
}

export interface IpFeature {
  id: number;
  ip: string;
  /** ISO 3166-1 alpha-2; null when unknown. */
  country: string | null;
  asn: number | null;
  /** The announced network (CIDR); null when unknown or local. */
  network: string | null;
  local: boolean;
  datacenter: boolean | null;
  tor: boolean | null;
  relay: boolean | null;
  starlink: boolean | null;
  vpn: boolean | null;
  /** On a spam/abuse block list; null when no such data is loaded. */
  blocklist: boolean | null;
  /** Number of websites hosted on the address; null when no such data is loaded. */
  hostedDomains: number | null;
  /** Blacklisted by an operator (or auto-blacklisting) in this project. */
  blacklisted: boolean;
  /** How many distinct users of the project have used this address. */
  sharedUsers: number;
  lists: ListMatch[];
  /** First and last time this user used this address. */
  firstSeen: Date;
  lastSeen: Date;
}

export interface DeviceFeature {
  id: number;
  userAgent: string | null;
  /** Accept-Language as sent. */
  language: string | null;
  /** DeviceDetector vocabulary: desktop, smartphone, tablet, …, bot; null when not recognised. */
  deviceType: string | null;
  osName: string | null;
  osVersion: string | null;
  browserName: string | null;
  browserVersion: string | null;
  isBot: boolean | null;
  botName: string | null;
  isAiBot: boolean | null;
  firstSeen: Date;
  lastSeen: Date;
}

export interface EmailFeature {
  id: number;
  /** The address as sent after normalisation; `broken@user.local` when it was invalid. */
  email: string;
  /** False when the address sent was not a valid e-mail (E01 sees the address as sent). */
  valid: boolean | null;
  localPart: string;
  domain: string;
  freeProvider: boolean | null;
  disposable: boolean | null;
  roleAddress: boolean | null;
  institution: 'edu' | 'gov' | 'mil' | null;
  appleDomain: boolean | null;
  /** Null unless MX checks are switched on. */
  hasMx: boolean | null;
  /** Facts only a remote provider knows; null offline. */
  domainCreated: Date | null;
  domainDisabled: boolean | null;
  domainBlocklisted: boolean | null;
  trancoRank: number | null;
  dataBreach: boolean | null;
  earliestBreach: Date | null;
  emailBlocklisted: boolean | null;
  blacklisted: boolean;
  lists: ListMatch[];
  firstSeen: Date;
  lastSeen: Date;
}

export interface PhoneFeature {
  id: number;
  phone: string;
  valid: boolean | null;
  e164: string | null;
  country: string | null;
  lineType: string | null;
  /** How many distinct users of the project have this number. */
  sharedUsers: number;
  blacklisted: boolean;
  lists: ListMatch[];
  firstSeen: Date;
  lastSeen: Date;
}

export interface SessionFeature {
  id: number;
  started: Date;
  lastSeen: Date;
  eventCount: number;
  ipCount: number;
  deviceCount: number;
  /** Distinct known countries of the session's IPs. */
  countryCount: number;
}

/** The outcome of one rule for one user. */
export type RuleStatus = 'match' | 'no_match' | 'not_applicable' | 'error';

export interface RuleResult {
  status: RuleStatus;
  /** For a match: the values that made it fire and the events involved; for not_applicable: why. */
  evidence?: RuleEvidence;
}

export interface RuleEvidence {
  /** Human-readable, e.g. "4 failed logins in 8 consecutive events". */
  summary?: string;
  values?: Record<string, unknown>;
  eventIds?: number[];
  reason?: string;
}

export type RuleGroup = 'A' | 'B' | 'C' | 'D' | 'E' | 'I' | 'P' | 'R' | 'X';

export interface RuleDefinition {
  /** Stable code, e.g. "A01". */
  code: string;
  group: RuleGroup;
  name: string;
  description: string;
  /** Enrichment kinds the rule relies on (ip, email, domain, phone), for display. */
  requires: readonly ('ip' | 'email' | 'domain' | 'phone')[];
  evaluate(features: UserFeatures, thresholds: RuleThresholds): RuleResult;
}

/**
 * Named thresholds of the core rules (tirreno's values). Projects may override any of them;
 * rules read them from here, never from literals.
 */
export interface RuleThresholds {
  loginAttemptsWindow: number;
  maxLoginAttempts: number;
  newDeviceMaxAgeSeconds: number;
  max5xxCodes: number;
  max4xxCodes: number;
  multipleCountries: number;
  dormantDays: [number, number, number];
  emailMaxLocalPartLength: number;
  emailMaxDomainLength: number;
  maxDevices: number;
  numerousIps: number;
  nightStartSeconds: number;
  nightEndSeconds: number;
  newDomainDays: number;
  newDomainNoBreachDays: number;
  establishedDomainDays: number;
  oldBreachDays: number;
  trancoRankMin: number;
  trancoRankMax: number;
  regularOsNames: readonly string[];
  /** Browser name → minimum major version considered current. */
  regularBrowsers: Readonly<Record<string, number>>;
  /**
   * B11–B16 account-age band edges in whole days: new (1 day) < [0], new (1 week) < [1],
   * new (1 month) < [2], aged (>30 days) < [3], aged (>90 days) < [4] ≤ aged (>180 days).
   */
  accountAgeDays: readonly [number, number, number, number, number];
}

export const DEFAULT_THRESHOLDS: RuleThresholds = Object.freeze({
  loginAttemptsWindow: 8,
  maxLoginAttempts: 3,
  newDeviceMaxAgeSeconds: 10_800,
  max5xxCodes: 4,
  max4xxCodes: 4,
  multipleCountries: 3,
  dormantDays: [30, 90, 365] as [number, number, number],
  emailMaxLocalPartLength: 17,
  emailMaxDomainLength: 22,
  maxDevices: 4,
  numerousIps: 9,
  nightStartSeconds: 0,
  nightEndSeconds: 18_000,
  newDomainDays: 90,
  newDomainNoBreachDays: 30,
  establishedDomainDays: 1095,
  oldBreachDays: 1095,
  trancoRankMin: 100_000,
  trancoRankMax: 4_000_000,
  regularOsNames: Object.freeze(['Windows', 'Android', 'Mac', 'iOS']),
  regularBrowsers: Object.freeze({
    Chrome: 90,
    'Chrome Mobile': 90,
    Firefox: 78,
    Opera: 70,
    Safari: 13,
    'Mobile Safari': 13,
    'Samsung Browser': 12,
    'Internet Explorer': 12,
    'Microsoft Edge': 90,
    'Chrome Mobile iOS': 90,
    'Android Browser': 81,
    'Chrome Webview': 90,
    'Google Search App': 90,
    'Yandex Browser': 20,
  }),
  accountAgeDays: Object.freeze([1, 7, 30, 90, 180] as const),
});
