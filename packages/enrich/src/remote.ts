/**
 * Optional remote enrichment: a client for tirreno's enrichment API protocol
 * (`POST {url}/query`, Bearer token, JSON), for operators who have such a service. It is never
 * used at ingest: a background job may call it for values the offline data left unknown and merge
 * the answer with `mergeRemote`. It never rejects; any failure (timeout, HTTP error, bad JSON)
 * comes back as `ok: false` with every fact unknown.
 */
import type { DomainFacts, EventEnrichment, FactSource, IpFacts, PhoneFacts } from '@vigil/core';

export interface RemoteQuery {
  ip?: string | null;
  email?: string | null;
  domain?: string | null;
  phone?: string | null;
}

/** E-mail facts only a remote service knows (breaches, spam lists). */
export interface RemoteEmailFacts {
  blocklisted: boolean | null;
  dataBreach: boolean | null;
  dataBreaches: number | null;
  earliestBreach: string | null;
  profiles: number | null;
}

export interface RemoteEnrichment {
  ok: boolean;
  /** HTTP status, or null when no answer came (timeout, network error, no token). */
  status: number | null;
  /** Why the call failed: `timeout`, `network`, `http 401`, `quota`, `rate limited`, `bad response`. */
  error: string | null;
  /** True after a 403 (quota exhausted) or 429. */
  limitReached: boolean;
  ip: (Partial<IpFacts> & { blocklist?: boolean | null; hostedDomains?: string[] | null }) | null;
  email: RemoteEmailFacts | null;
  domain: (Partial<DomainFacts> & { extra?: Record<string, unknown> }) | null;
  phone: (Partial<PhoneFacts> & { carrier?: string | null }) | null;
  /** Per-entity errors the service reported (`IP is bogon`, `Validation failed`…). */
  entityErrors: Partial<Record<'ip' | 'email' | 'domain' | 'phone', string>>;
}

export interface AsyncEnrichmentProvider {
  readonly name: string;
  query(q: RemoteQuery): Promise<RemoteEnrichment>;
}

export interface TirrenoApiOptions {
  /** Base URL of the service; `/query` is appended. */
  url: string;
  /** The API token. Without one no provider is created (and no call is ever made). */
  token: string | null | undefined;
  /** Whole-call timeout (tirreno uses 30 s; a background job can afford a few seconds). */
  timeoutMs?: number;
  userAgent?: string;
  /** Send e-mail, phone and domain too (tirreno's ALLOW_EMAIL_PHONE); IPs only by default. */
  allowEmailPhone?: boolean;
  /** Answers larger than this are refused. */
  maxResponseBytes?: number;
  fetch?: typeof fetch;
}

const failed = (error: string, status: number | null = null, limitReached = false): RemoteEnrichment => ({
  ok: false,
  status,
  error,
  limitReached,
  ip: null,
  email: null,
  domain: null,
  phone: null,
  entityErrors: {},
});

const bool = (v: unknown): boolean | null =>
  typeof v === 'boolean' ? v : v === 1 ? true : v === 0 ? false : null;
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const int = (v: unknown): number | null => (typeof v === 'number' && Number.isInteger(v) ? v : null);
const obj = (v: unknown): Record<string, unknown> | null =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;

/** Maps one answer of the service onto Vigil's facts. Exported for tests. */
export function parseTirrenoAnswer(body: unknown, status: number): RemoteEnrichment {
  const root = obj(body);
  if (!root) return failed('bad response', status);
  const out: RemoteEnrichment = { ...failed('', status), ok: true, error: null };
  const entity = (key: 'ip' | 'email' | 'domain' | 'phone'): Record<string, unknown> | null => {
    const e = obj(root[key]);
    if (!e) return null;
    const err = str(e.error);
    if (err) {
      out.entityErrors[key] = err;
      return null;
    }
    return e;
  };

  if (root.ip !== undefined) {
    const e = obj(root.ip);
    if (e && str(e.error) === 'IP is bogon') {
      out.ip = { local: true, datacenter: false, tor: false, relay: false, starlink: false, vpn: false };
    }
  }
  const ip = entity('ip');
  if (ip) {
    const country = str(ip.country);
    out.ip = {
      local: false,
      country: country && /^[A-Za-z]{2}$/.test(country) ? country.toUpperCase() : null,
      asn: int(ip.asn),
      asName: str(ip.description) ?? str(ip.name),
      network: str(ip.cidr),
      datacenter: bool(ip.hosting),
      vpn: bool(ip.vpn),
      tor: bool(ip.tor),
      relay: bool(ip.relay),
      starlink: bool(ip.starlink),
      blocklist: bool(ip.blocklist),
      hostedDomains: Array.isArray(ip.domains_count)
        ? ip.domains_count.filter((d) => typeof d === 'string')
        : null,
    };
  }
  const email = entity('email');
  if (email) {
    out.email = {
      blocklisted: bool(email.blockemails),
      dataBreach: bool(email.data_breach),
      dataBreaches: int(email.data_breaches),
      earliestBreach: str(email.earliest_breach),
      profiles: int(email.profiles),
    };
  }
  const domain = entity('domain');
  if (domain) {
    const { disposable_domains, free_email_provider, mx_record, domain: name, ...extra } = domain;
    out.domain = {
      ...(str(name) ? { domain: str(name)! } : {}),
      disposable: bool(disposable_domains),
      freeProvider: bool(free_email_provider),
      hasMx: bool(mx_record),
      extra,
    };
  }
  const phone = entity('phone');
  if (phone) {
    const invalid = bool(phone.invalid);
    const country = str(phone.iso_country_code);
    const type = str(phone.type);
    out.phone = {
      valid: invalid === null ? undefined : !invalid,
      e164: str(phone.phone_number),
      country: country && /^[A-Za-z]{2}$/.test(country) ? country.toUpperCase() : null,
      lineType: type ? type.toLowerCase().replace(/[\s-]+/g, '_') : null,
      carrier: str(phone.carrier_name),
    };
  }
  return out;
}

/**
 * A client for the tirreno enrichment API, or null when no token is configured. Requests carry
 * `Authorization: Bearer <token>` and JSON `{"ip":{"value":…,"hash":null}, …}`.
 */
export function createTirrenoApiProvider(options: TirrenoApiOptions): AsyncEnrichmentProvider | null {
  const token = typeof options.token === 'string' ? options.token.trim() : '';
  if (token === '' || typeof options.url !== 'string' || options.url === '') return null;
  const endpoint = `${options.url.replace(/\/+$/, '')}/query`;
  const timeoutMs = options.timeoutMs ?? 5000;
  const maxBytes = options.maxResponseBytes ?? 1_000_000;
  const doFetch = options.fetch ?? globalThis.fetch;
  const userAgent = options.userAgent ?? 'vigil-enrich';

  return {
    name: 'tirreno-api',
    async query(q) {
      const body: Record<string, unknown> = {};
      if (q.ip) body.ip = { value: q.ip, hash: null };
      if (options.allowEmailPhone) {
        if (q.email) body.email = { value: q.email, hash: null };
        if (q.phone) body.phone = { value: q.phone, hash: null };
        if (q.domain) body.domain = q.domain;
      }
      if (Object.keys(body).length === 0) return { ...failed('nothing to ask'), error: 'nothing to ask' };
      let res: Response;
      const signal = AbortSignal.timeout(timeoutMs);
      try {
        res = await doFetch(endpoint, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${token}`,
            'content-type': 'application/json',
            accept: 'application/json',
            'user-agent': userAgent,
          },
          body: JSON.stringify(body),
          signal,
          redirect: 'error',
        });
      } catch (err) {
        return failed(signal.aborted || (err as Error)?.name === 'TimeoutError' ? 'timeout' : 'network');
      }
      try {
        if (res.status === 401) return failed('http 401', 401);
        if (res.status === 403) return failed('quota', 403, true);
        if (res.status === 429) return failed('rate limited', 429, true);
        if (res.status >= 400) return failed(`http ${res.status}`, res.status);
        const length = Number(res.headers.get('content-length') ?? '0');
        if (length > maxBytes) return failed('bad response', res.status);
        const text = await res.text();
        if (text.length > maxBytes) return failed('bad response', res.status);
        return parseTirrenoAnswer(JSON.parse(text), res.status);
      } catch (err) {
        return failed(
          signal.aborted || (err as Error)?.name === 'TimeoutError' ? 'timeout' : 'bad response',
          res.status,
        );
      }
    },
  };
}

function defined<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(o))
    if (v !== null && v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}

/**
 * Offline facts overlaid with what the remote service knew (its non-null values win); each
 * overlaid IP fact is credited to `source`. Returns new objects; the inputs are not changed.
 */
export function mergeRemote(
  base: EventEnrichment,
  remote: RemoteEnrichment,
  source: FactSource = { source: 'tirreno enrichment API', date: new Date().toISOString().slice(0, 10) },
): EventEnrichment {
  if (!remote.ok) return base;
  let ip = base.ip;
  if (remote.ip && !base.ip.local) {
    const { blocklist: _b, hostedDomains: _h, ...facts } = remote.ip;
    const add = defined(facts);
    const sources = { ...base.ip.sources };
    for (const k of Object.keys(add)) if (k !== 'local') sources[k] = source;
    ip = { ...base.ip, ...add, sources };
  }
  const domain =
    base.domain && remote.domain
      ? (() => {
          const { extra: _e, domain: _d, ...facts } = remote.domain;
          return { ...base.domain, ...defined(facts) };
        })()
      : base.domain;
  const phone =
    base.phone && remote.phone
      ? (() => {
          const { carrier: _c, ...facts } = remote.phone;
          return { ...base.phone, ...defined(facts) };
        })()
      : base.phone;
  return { ...base, ip, domain, phone };
}
