/**
 * What offline enrichment knows about the entities of one event. `packages/enrich` computes it,
 * the ingest writer stores it on the entity rows, rules and pages read it from there.
 * A fact that is not known is null, never a guess: rules treat null as "not applicable".
 */

/** Where a fact came from, so an operator can judge it (e.g. "ip-location-db asn 2026-06-17"). */
export interface FactSource {
  source: string;
  date: string | null;
}

export interface IpFacts {
  /** Private, reserved, loopback or the invalid placeholder 0.0.0.0: never enriched further. */
  local: boolean;
  /** ISO 3166-1 alpha-2, or null when unknown. */
  country: string | null;
  asn: number | null;
  /** The AS organisation: the ISP name. */
  asName: string | null;
  /** The announced network (CIDR) containing the address. */
  network: string | null;
  datacenter: boolean | null;
  tor: boolean | null;
  relay: boolean | null;
  starlink: boolean | null;
  vpn: boolean | null;
  /** Source of each flag that is set, keyed by flag name. */
  sources: Record<string, FactSource>;
  /** Labels of operator lists that match this IP. */
  lists: ListMatch[];
}

export interface UserAgentFacts {
  /** DeviceDetector vocabulary: desktop, smartphone, tablet, …, bot; null when unknown. */
  deviceType: string | null;
  brand: string | null;
  model: string | null;
  osName: string | null;
  osVersion: string | null;
  browserName: string | null;
  browserVersion: string | null;
  isBot: boolean;
  botName: string | null;
  isAiBot: boolean;
  /**
   * What kind of bot (additive, optional): `crawler` (search, social, SEO), `ai` (AI agents and
   * crawlers), `monitor` (uptime checks), `scanner` (security scanners), `library` (HTTP
   * libraries and command-line clients: curl, python-requests…), `headless` (HeadlessChrome…).
   */
  botKind?: 'crawler' | 'ai' | 'monitor' | 'scanner' | 'library' | 'headless' | null;
  lists: ListMatch[];
}

export interface EmailFacts {
  valid: boolean;
  localPart: string;
  domain: string;
  freeProvider: boolean | null;
  disposable: boolean | null;
  roleAddress: boolean;
  /** edu, gov or mil when the domain is in such a suffix, else null. */
  institution: 'edu' | 'gov' | 'mil' | null;
  appleDomain: boolean;
  shape: {
    length: number;
    localLength: number;
    digits: number;
    vowels: number;
    consonants: number;
    consecutiveSpecial: number;
  };
  lists: ListMatch[];
}

export interface DomainFacts {
  domain: string;
  registrable: string | null;
  publicSuffix: string | null;
  freeProvider: boolean | null;
  disposable: boolean | null;
  /** Only when MX checks are switched on; null otherwise. */
  hasMx: boolean | null;
  lists: ListMatch[];
}

export interface PhoneFacts {
  valid: boolean;
  e164: string | null;
  country: string | null;
  /** mobile, fixed_line, voip, toll_free, …; null when unknown. */
  lineType: string | null;
  lists: ListMatch[];
}

/** A match against an operator-imported list (label, optional score, optional expiry). */
export interface ListMatch {
  listId: string;
  label: string;
  score: number | null;
}

/** Enrichment for one event. Every part is optional: the event may not carry that entity. */
export interface EventEnrichment {
  ip: IpFacts;
  userAgent: UserAgentFacts | null;
  email: EmailFacts | null;
  domain: DomainFacts | null;
  phone: PhoneFacts | null;
}

/**
 * The ingest hook: synchronous, offline, never throws for bad input. `projectId` selects whose
 * operator lists may match (lists are per project; without it none match).
 */
export interface Enricher {
  enrich(
    event: {
      ipAddress: string;
      userAgent: string | null;
      emailAddress: string | null;
      phoneNumber: string | null;
    },
    options?: { projectId?: string },
  ): EventEnrichment;
}
