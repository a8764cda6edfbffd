/**
 * The ingest-time enricher: synchronous, offline, cached, never throws. It asks an
 * EnrichmentProvider (the offline one by default) for the facts of each distinct value, keeps
 * them in bounded caches, and adds the operator list matches.
 */
import type {
  DomainFacts,
  EmailFacts,
  Enricher,
  EventEnrichment,
  IpFacts,
  ListMatch,
  PhoneFacts,
  UserAgentFacts,
} from '@vigil/core';
import { GenerationalCache } from './cache.ts';
import { type EnrichmentData, loadBundledData } from './data.ts';
import { domainFacts, emailFacts } from './email.ts';
import { parseIp } from './ip/address.ts';
import { ipFacts, UNKNOWN_IP } from './ip/facts.ts';
import { ListIndex, type ListLookup } from './lists.ts';
import { phoneFacts, toCountryCode } from './phone.ts';
import { MAX_UA_LENGTH, parseUserAgent } from './ua/parse.ts';

/** Facts for one distinct value. Implementations are synchronous and must not do I/O. */
export interface EnrichmentProvider {
  readonly name: string;
  ip(address: string): IpFacts;
  userAgent(ua: string): UserAgentFacts | null;
  email(address: string): { email: EmailFacts; domain: DomainFacts | null };
  domain(domain: string): DomainFacts;
  phone(phone: string, defaultCountry: string | null): PhoneFacts;
}

/** The default provider: everything from the in-memory data sets. */
export function createOfflineProvider(data: EnrichmentData): EnrichmentProvider {
  return {
    name: 'offline',
    ip: (address) => ipFacts(data, parseIp(address)),
    userAgent: (ua) => parseUserAgent(ua),
    email: (address) => {
      const { email, domain } = emailFacts(address, data);
      const { normalized: _n, ...facts } = email;
      return { email: facts, domain };
    },
    domain: (d) => domainFacts(d, data),
    phone: (p, country) => phoneFacts(p, country),
  };
}

export interface EnricherOptions {
  /** Data sets; the bundled data when omitted (loaded synchronously, once per process). */
  data?: EnrichmentData;
  /** Operator lists; none when omitted. */
  lists?: ListIndex;
  /** Replaces the offline provider (built from `data`) for every lookup. */
  provider?: (data: EnrichmentData) => EnrichmentProvider;
  /** Cache sizes (distinct values kept): IPs 50,000, User-Agents 10,000, e-mails 20,000, phones 20,000. */
  cacheSize?: Partial<Record<'ip' | 'userAgent' | 'email' | 'phone', number>>;
  /** Country (ISO 3166-1 alpha-2) for phone numbers written without a +. */
  defaultPhoneCountry?: string | null;
  /** Clock for list expiry (ms since the epoch). */
  now?: () => number;
}

export interface EnrichInput {
  ipAddress: string;
  userAgent: string | null;
  emailAddress: string | null;
  phoneNumber: string | null;
}

export interface EnricherStats {
  caches: Record<
    'ip' | 'userAgent' | 'email' | 'phone',
    { size: number; capacity: number; hits: number; misses: number }
  >;
  /** Lookups whose provider threw (answered as unknown). */
  errors: number;
  provider: string;
  dataLoadedAt: string;
  listEntries: number;
}

export interface OfflineEnricher extends Enricher {
  /** `projectId` is accepted for the Enricher interface; this enricher itself is not per project (see the server's project enricher). */
  enrich(event: EnrichInput, options?: { phoneCountry?: string | null; projectId?: string }): EventEnrichment;
  ip(address: string): IpFacts;
  userAgent(ua: string | null): UserAgentFacts | null;
  email(address: string | null): { email: EmailFacts; domain: DomainFacts | null } | null;
  phone(phone: string | null, defaultCountry?: string | null): PhoneFacts | null;
  /** Replaces the data sets at once (e.g. after `vigil data update`); clears the caches. */
  swapData(data: EnrichmentData): void;
  /** Replaces the operator lists at once; clears the caches. */
  swapLists(lists: ListIndex): void;
  readonly data: EnrichmentData;
  readonly lists: ListIndex;
  stats(): EnricherStats;
}

interface Cached<T> {
  facts: T;
  staleAt: number;
}

type EmailPair = { email: EmailFacts; domain: DomainFacts | null };

const MAX_IP_KEY = 100;
const MAX_EMAIL_KEY = 1024;
const MAX_PHONE_KEY = 64;

function withLists<T extends { lists: readonly ListMatch[] }>(facts: T, lookup: ListLookup): T {
  if (lookup.matches.length === 0) return facts;
  return { ...facts, lists: lookup.matches as ListMatch[] };
}

/** Freezes a facts object and its nested objects (sources, shape); lists are frozen already. */
function deepFreeze<T>(o: T): T {
  if (o !== null && typeof o === 'object' && !Object.isFrozen(o)) {
    const r = o as Record<string, unknown>;
    for (const key of ['sources', 'shape', 'email', 'domain', 'lists'] as const) {
      const v = r[key];
      if (v !== null && typeof v === 'object') deepFreeze(v);
    }
    Object.freeze(o);
  }
  return o;
}

const UNKNOWN_PHONE: PhoneFacts = deepFreeze({
  valid: false,
  e164: null,
  country: null,
  lineType: null,
  lists: [],
});

/** Creates the ingest enricher. Returned facts are frozen and shared between calls. */
export function createEnricher(options: EnricherOptions = {}): OfflineEnricher {
  let data = options.data ?? loadBundledData();
  let lists = options.lists ?? ListIndex.EMPTY;
  const makeProvider = options.provider ?? createOfflineProvider;
  let provider = makeProvider(data);
  const now = options.now ?? Date.now;
  const defaultCountry = toCountryCode(options.defaultPhoneCountry) ?? null;
  const size = options.cacheSize ?? {};
  const ipCache = new GenerationalCache<Cached<IpFacts>>(size.ip ?? 50_000);
  const uaCache = new GenerationalCache<Cached<UserAgentFacts | null>>(size.userAgent ?? 10_000);
  const emailCache = new GenerationalCache<Cached<EmailPair>>(size.email ?? 20_000);
  const phoneCache = new GenerationalCache<Cached<PhoneFacts>>(size.phone ?? 20_000);
  let errors = 0;

  const clock = (): number => (lists.size === 0 ? 0 : now());

  function ip(address: string, t = clock()): IpFacts {
    if (typeof address !== 'string' || address.length > MAX_IP_KEY) return UNKNOWN_IP;
    const hit = ipCache.get(address);
    if (hit !== undefined && hit.staleAt > t) return hit.facts;
    let facts: IpFacts;
    try {
      facts = provider.ip(address);
    } catch {
      errors++;
      facts = UNKNOWN_IP;
    }
    const lookup = lists.matchIp(parseIp(address), facts.asn, t);
    const result = deepFreeze(withLists(facts, lookup));
    ipCache.set(address, { facts: result, staleAt: lookup.staleAt });
    return result;
  }

  function userAgent(raw: string | null, t = clock()): UserAgentFacts | null {
    if (typeof raw !== 'string') return null;
    const key = raw.length > MAX_UA_LENGTH ? raw.slice(0, MAX_UA_LENGTH) : raw;
    const hit = uaCache.get(key);
    if (hit !== undefined && hit.staleAt > t) return hit.facts;
    let facts: UserAgentFacts | null;
    try {
      facts = provider.userAgent(key);
    } catch {
      errors++;
      facts = null;
    }
    let staleAt = Infinity;
    if (facts !== null) {
      const lookup = lists.matchUserAgent(key, t);
      staleAt = lookup.staleAt;
      facts = deepFreeze(withLists(facts, lookup));
    }
    uaCache.set(key, { facts, staleAt });
    return facts;
  }

  function email(raw: string | null, t = clock()): EmailPair | null {
    if (typeof raw !== 'string' || raw.trim() === '') return null;
    const key = raw.length > MAX_EMAIL_KEY ? raw.slice(0, MAX_EMAIL_KEY) : raw;
    const hit = emailCache.get(key);
    if (hit !== undefined && hit.staleAt > t) return hit.facts;
    let pair: EmailPair;
    try {
      pair = provider.email(key);
    } catch {
      errors++;
      return null;
    }
    const normalized = pair.email.domain
      ? `${pair.email.localPart}@${pair.email.domain}`
      : pair.email.localPart;
    const e = lists.matchEmail(normalized, t);
    const d = pair.domain ? lists.matchDomain(pair.domain.domain, t) : null;
    const result = deepFreeze({
      email: withLists(pair.email, e),
      domain: pair.domain && d ? withLists(pair.domain, d) : pair.domain,
    });
    emailCache.set(key, { facts: result, staleAt: Math.min(e.staleAt, d?.staleAt ?? Infinity) });
    return result;
  }

  function phone(
    raw: string | null,
    country: string | null = defaultCountry,
    t = clock(),
  ): PhoneFacts | null {
    if (typeof raw !== 'string' || raw.trim() === '') return null;
    if (raw.length > MAX_PHONE_KEY) return UNKNOWN_PHONE;
    const key = `${country ?? ''}|${raw}`;
    const hit = phoneCache.get(key);
    if (hit !== undefined && hit.staleAt > t) return hit.facts;
    let facts: PhoneFacts;
    try {
      facts = provider.phone(raw, country);
    } catch {
      errors++;
      facts = UNKNOWN_PHONE;
    }
    const lookup = lists.matchPhone(facts.e164, raw, t);
    const result = deepFreeze(withLists(facts, lookup));
    phoneCache.set(key, { facts: result, staleAt: lookup.staleAt });
    return result;
  }

  function clearCaches(): void {
    ipCache.clear();
    uaCache.clear();
    emailCache.clear();
    phoneCache.clear();
  }

  const stat = (c: GenerationalCache<unknown>) => ({
    size: c.size,
    capacity: c.capacity,
    hits: c.hits,
    misses: c.misses,
  });

  return {
    enrich(event, opts) {
      const e = (event ?? {}) as Partial<EnrichInput>;
      const t = clock();
      const ipFacts = ip(typeof e.ipAddress === 'string' ? e.ipAddress : '', t);
      // A number without a country prefix is read in the country the event came from.
      const country =
        opts?.phoneCountry !== undefined
          ? (toCountryCode(opts.phoneCountry) ?? defaultCountry)
          : (ipFacts.country ?? defaultCountry);
      const mail = email(typeof e.emailAddress === 'string' ? e.emailAddress : null, t);
      return {
        ip: ipFacts,
        userAgent: userAgent(typeof e.userAgent === 'string' ? e.userAgent : null, t),
        email: mail?.email ?? null,
        domain: mail?.domain ?? null,
        phone: phone(typeof e.phoneNumber === 'string' ? e.phoneNumber : null, country, t),
      };
    },
    ip: (address) => ip(address),
    userAgent: (ua) => userAgent(ua),
    email: (address) => email(address),
    phone: (p, country) =>
      phone(p, country === undefined ? defaultCountry : (toCountryCode(country) ?? null)),
    swapData(next) {
      const p = makeProvider(next);
      data = next;
      provider = p;
      clearCaches();
    },
    swapLists(next) {
      lists = next;
      clearCaches();
    },
    get data() {
      return data;
    },
    get lists() {
      return lists;
    },
    stats() {
      return {
        caches: {
          ip: stat(ipCache),
          userAgent: stat(uaCache),
          email: stat(emailCache),
          phone: stat(phoneCache),
        },
        errors,
        provider: provider.name,
        dataLoadedAt: data.loadedAt,
        listEntries: lists.size,
      };
    },
  };
}
