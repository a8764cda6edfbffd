// Builders of rule features for tests: a plausible, quiet user by default; each test overrides
// only what its case is about.
import type {
  DeviceFeature,
  EmailFeature,
  EventFeature,
  IpFeature,
  PhoneFeature,
  SessionFeature,
  UserFeatures,
} from '../../src/rules/features.ts';

export const NOW = new Date('2026-06-15T12:00:00Z');
export const daysAgo = (d: number) => new Date(NOW.getTime() - d * 86_400_000);
export const minutesAgo = (m: number) => new Date(NOW.getTime() - m * 60_000);

let nextId = 1000;
const id = () => nextId++;

export function event(o: Partial<EventFeature> = {}): EventFeature {
  return {
    id: id(),
    time: minutesAgo(5),
    type: 'page_view',
    httpCode: 200,
    httpMethod: 'get',
    url: '/home',
    refererEmpty: false,
    ipId: 1,
    deviceId: 1,
    sessionId: 1,
    ...o,
  };
}

export function ip(o: Partial<IpFeature> = {}): IpFeature {
  return {
    id: 1,
    ip: '81.2.69.160',
    country: 'GB',
    asn: 2856,
    network: '81.2.0.0/16',
    local: false,
    datacenter: false,
    tor: false,
    relay: false,
    starlink: false,
    vpn: false,
    blocklist: null,
    hostedDomains: null,
    blacklisted: false,
    sharedUsers: 1,
    lists: [],
    firstSeen: daysAgo(100),
    lastSeen: minutesAgo(5),
    ...o,
  };
}

export function device(o: Partial<DeviceFeature> = {}): DeviceFeature {
  return {
    id: 1,
    userAgent:
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36',
    language: 'en-GB,en;q=0.9',
    deviceType: 'desktop',
    osName: 'Windows',
    osVersion: '10',
    browserName: 'Chrome',
    browserVersion: '126.0',
    isBot: false,
    botName: null,
    isAiBot: false,
    firstSeen: daysAgo(100),
    lastSeen: minutesAgo(5),
    ...o,
  };
}

export function email(o: Partial<EmailFeature> = {}): EmailFeature {
  const address = o.email ?? 'jane.doe@example.co.uk';
  const [localPart, domain] = address.split('@') as [string, string];
  return {
    id: 1,
    email: address,
    valid: true,
    localPart,
    domain,
    freeProvider: false,
    disposable: false,
    roleAddress: false,
    institution: null,
    appleDomain: false,
    hasMx: null,
    domainCreated: null,
    domainDisabled: null,
    domainBlocklisted: null,
    trancoRank: null,
    dataBreach: null,
    earliestBreach: null,
    emailBlocklisted: null,
    blacklisted: false,
    lists: [],
    firstSeen: daysAgo(100),
    lastSeen: minutesAgo(5),
    ...o,
  };
}

export function phone(o: Partial<PhoneFeature> = {}): PhoneFeature {
  return {
    id: 1,
    phone: '+447911123456',
    valid: true,
    e164: '+447911123456',
    country: 'GB',
    lineType: 'mobile',
    sharedUsers: 1,
    blacklisted: false,
    lists: [],
    firstSeen: daysAgo(100),
    lastSeen: minutesAgo(5),
    ...o,
  };
}

export function session(o: Partial<SessionFeature> = {}): SessionFeature {
  return {
    id: 1,
    started: minutesAgo(30),
    lastSeen: minutesAgo(5),
    eventCount: 5,
    ipCount: 1,
    deviceCount: 1,
    countryCount: 1,
    ...o,
  };
}

/** A user with one IP, one device, one e-mail, one session and a few quiet page views. */
export function user(o: Partial<UserFeatures> = {}): UserFeatures {
  const e = o.emails ?? [email()];
  const p = o.phones ?? [];
  return {
    userId: 1,
    userName: 'jane',
    now: NOW,
    timezone: 'UTC',
    created: daysAgo(200),
    firstSeen: daysAgo(200),
    lastSeen: minutesAgo(5),
    firstName: 'Jane',
    lastName: 'Doe',
    fullName: null,
    eventCount: 40,
    events: [event(), event({ time: minutesAgo(10) }), event({ time: minutesAgo(15) })],
    ips: [ip()],
    devices: [device()],
    emails: e,
    lastEmail: e[0] ?? null,
    phones: p,
    lastPhone: p[0] ?? null,
    sessions: [session()],
    ...o,
  };
}
