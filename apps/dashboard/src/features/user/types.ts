// The shapes of /api/console/projects/:projectId/users/:userId/* (see server user-routes.ts).

export interface Evidence {
  summary?: string;
  values?: Record<string, unknown>;
  eventIds?: number[];
  reason?: string;
}

export interface MatchedRule {
  code: string;
  name: string;
  description: string;
  weight: number;
  evidence: Evidence | null;
}

export interface IpFacts {
  ip: string;
  country: string | null;
  countryName: string | null;
  ispId: number | null;
  asn: number | null;
  ispName: string | null;
  ipType: string;
  isDatacenter: boolean | null;
  isTor: boolean | null;
  isVpn: boolean | null;
  isRelay: boolean | null;
  isStarlink: boolean | null;
  isLocal: boolean;
  blacklisted: boolean;
  userCount: number;
}

export interface EmailFacts {
  id: number;
  email: string;
  domain: string | null;
  isValid: boolean | null;
  isFree: boolean | null;
  isDisposable: boolean | null;
  blacklisted: boolean;
}

export interface PhoneFacts {
  id: number;
  phone: string;
  e164: string | null;
  country: string | null;
  lineType: string | null;
  isValid: boolean | null;
  blacklisted: boolean;
}

export interface DeviceFacts {
  uaId: number;
  ua: string | null;
  deviceType: string | null;
  osName: string | null;
  osVersion: string | null;
  browserName: string | null;
  browserVersion: string | null;
  isBot: boolean | null;
  isAiBot: boolean | null;
  lang: string | null;
}

export interface UserDetails {
  user: {
    id: number;
    userName: string;
    firstName: string | null;
    lastName: string | null;
    fullName: string | null;
    created: string;
    firstSeen: string;
    lastSeen: string;
    eventCount: number;
    status: string;
    watched: boolean;
    addedToReview: string | null;
    decidedAt: string | null;
    decidedBy: string | null;
  };
  score: {
    score: number | null;
    updatedAt: string | null;
    ruleSetVersion: number | null;
    currentRuleSetVersion: number;
    reviewThreshold: number;
    blacklistThreshold: number | null;
    matched: MatchedRule[];
    notApplicable: { code: string; name: string; reason: string | null }[];
    evidenceEvents: { id: number; type: string | null; time: string; url: string; ip: string }[];
  };
  decisions: { id: number; decision: string; actor: string; note: string | null; at: string }[];
  identity: {
    email: (EmailFacts & { hasMx: boolean | null; userCount: number }) | null;
    phone: (PhoneFacts & { userCount: number }) | null;
    device: DeviceFacts | null;
    ip: IpFacts | null;
  };
}

export interface SeriesPair {
  current: number[];
  previous: number[];
  total: { current: number; previous: number };
}

export interface Activity {
  timezone: string;
  days: string[];
  events: SeriesPair;
  logins: SeriesPair;
  failedLogins: SeriesPair;
  ips: SeriesPair;
}

export interface ScoreHistory {
  scores: { id: number; score: number; computedAt: string; ruleSetVersion: number; matched: string[] }[];
}

export interface Entities {
  ips: (IpFacts & { id: number; events: number; firstSeen: string; lastSeen: string })[];
  isps: { id: number; asn: number; name: string; ips: number; events: number; blacklisted: boolean }[];
  countries: { iso: string; name: string | null; ips: number; events: number }[];
  devices: (DeviceFacts & { id: number; events: number; firstSeen: string; lastSeen: string })[];
  emails: (EmailFacts & { events: number; lastSeen: string })[];
  phones: (PhoneFacts & { events: number; lastSeen: string })[];
  totals: Record<
    'ips' | 'isps' | 'countries' | 'devices' | 'emails' | 'phones' | 'sessions' | 'edits',
    number
  >;
}

export interface FieldChange {
  id: number;
  time: string;
  eventId: number;
  fieldRef: number;
  fieldId: string;
  fieldName: string | null;
  oldValue: string | null;
  newValue: string;
  parentId: string | null;
  parentName: string | null;
}

export interface Connection {
  userId: number;
  userName: string;
  score: number | null;
  status: string;
  kinds: string[];
  sharedEvents: number;
  links: { kind: 'ip' | 'device' | 'email' | 'phone'; value: string; ref: string; events: number }[];
}

export interface TimelineRow {
  id: number;
  time: string;
  type: string;
  httpCode: number | null;
  sessionId: number;
  sessionStarted: string;
  sessionEvents: number;
  url: string;
  ip: string;
  country: string | null;
  ipType: string;
  uaId: number;
  device: string | null;
  isBot: boolean | null;
}
