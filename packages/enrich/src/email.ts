/**
 * E-mail and domain facts: normalisation, a syntax check, the registrable domain and public
 * suffix (tldts), free-provider and disposable flags (data sets), role addresses, edu/gov/mil,
 * Apple mail domains and the "shape" counts that rules E05, E08, E21 and E22 read.
 */
import { domainToASCII } from 'node:url';
import type { DomainFacts, EmailFacts } from '@vigil/core';
import { parse as parseDomain } from 'tldts';
import { NO_LISTS } from './shared.ts';

/** What the checks need from the loaded data sets. */
export interface DomainLists {
  freeEmailDomains: ReadonlySet<string> | null;
  disposableDomains: ReadonlySet<string> | null;
  /** Domains all of whose subdomains are disposable. */
  disposableWildcards: ReadonlySet<string> | null;
}

/** Local parts that name a function, not a person (compared without a +tag, dots kept). */
export const ROLE_LOCAL_PARTS: ReadonlySet<string> = new Set([
  'abuse',
  'accounts',
  'accounting',
  'admin',
  'administrator',
  'billing',
  'careers',
  'contact',
  'customerservice',
  'customer.service',
  'devnull',
  'dns',
  'do-not-reply',
  'donotreply',
  'enquiries',
  'feedback',
  'finance',
  'ftp',
  'hello',
  'help',
  'helpdesk',
  'hostmaster',
  'hr',
  'info',
  'inquiries',
  'it',
  'jobs',
  'legal',
  'list',
  'mail',
  'mailer-daemon',
  'marketing',
  'media',
  'news',
  'newsletter',
  'no-reply',
  'noc',
  'noreply',
  'notifications',
  'null',
  'office',
  'orders',
  'postmaster',
  'press',
  'privacy',
  'recruitment',
  'root',
  'sales',
  'security',
  'service',
  'services',
  'staff',
  'support',
  'sysadmin',
  'team',
  'tech',
  'test',
  'usenet',
  'uucp',
  'webmaster',
  'www',
]);

export const APPLE_MAIL_DOMAINS: ReadonlySet<string> = new Set([
  'icloud.com',
  'me.com',
  'mac.com',
  'privaterelay.appleid.com',
]);

/** Public-suffix labels that mark academic, government and military domains. */
const EDU_LABELS = new Set(['edu', 'ac']);
const GOV_LABELS = new Set(['gov', 'gouv', 'gob', 'govt', 'go', 'gv', 'gc']);
const MIL_LABELS = new Set(['mil']);

const ATEXT = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+$/;
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** Lowercased, without any whitespace (as tirreno's sensor stores it). */
export function normaliseEmail(raw: string): string {
  return raw.replace(/\s+/g, '').toLowerCase();
}

function validLocalPart(local: string): boolean {
  if (local.length === 0 || local.length > 64) return false;
  if (local.startsWith('.') || local.endsWith('.') || local.includes('..')) return false;
  for (const atom of local.split('.')) if (!ATEXT.test(atom)) return false;
  return true;
}

/** Hostname syntax: LDH labels, at least two, a TLD that is not all digits. */
export function validHostname(domain: string): boolean {
  if (domain.length === 0 || domain.length > 253) return false;
  const labels = domain.split('.');
  if (labels.length < 2) return false;
  for (const l of labels) if (!LABEL.test(l)) return false;
  return !/^\d+$/.test(labels[labels.length - 1]!);
}

export function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 127) return false;
  return true;
}

/** An IDN domain in its ASCII (punycode) form; the input when it cannot be converted. */
export function asciiDomain(domain: string): string {
  if (isAscii(domain)) return domain;
  const ascii = domainToASCII(domain);
  return ascii === '' ? domain : ascii;
}

function shapeOf(address: string, local: string): EmailFacts['shape'] {
  let digits = 0;
  let vowels = 0;
  let consonants = 0;
  let run = 0;
  let longestRun = 0;
  for (const ch of local) {
    const c = ch.toLowerCase();
    if (c >= '0' && c <= '9') {
      digits++;
      run = 0;
    } else if (c >= 'a' && c <= 'z') {
      if (c === 'a' || c === 'e' || c === 'i' || c === 'o' || c === 'u') vowels++;
      else consonants++;
      run = 0;
    } else if (/[\p{L}\p{N}]/u.test(ch)) {
      run = 0;
    } else {
      run++;
      if (run > longestRun) longestRun = run;
    }
  }
  return {
    length: address.length,
    localLength: local.length,
    digits,
    vowels,
    consonants,
    consecutiveSpecial: longestRun,
  };
}

function institutionOf(publicSuffix: string | null, domain: string): EmailFacts['institution'] {
  const labels = (publicSuffix ?? domain.slice(domain.lastIndexOf('.') + 1)).split('.');
  for (const l of labels) {
    if (EDU_LABELS.has(l)) return 'edu';
    if (MIL_LABELS.has(l)) return 'mil';
    if (GOV_LABELS.has(l)) return 'gov';
  }
  return null;
}

function isDisposable(domain: string, registrable: string | null, lists: DomainLists): boolean | null {
  if (!lists.disposableDomains && !lists.disposableWildcards) return null;
  // The domain itself and each parent down to the registrable domain.
  let d = domain;
  for (;;) {
    if (lists.disposableDomains?.has(d) || lists.disposableWildcards?.has(d)) return true;
    if (d === registrable) break;
    const dot = d.indexOf('.');
    if (dot < 0) break;
    d = d.slice(dot + 1);
    if (registrable === null && !d.includes('.')) break;
  }
  return false;
}

export interface EmailAndDomain {
  email: EmailFacts & { normalized: string };
  domain: DomainFacts | null;
}

/** Domain facts for a bare domain (also used for an e-mail's domain). */
export function domainFacts(rawDomain: string, lists: DomainLists): DomainFacts {
  const domain = asciiDomain(rawDomain.trim().toLowerCase().replace(/\.$/, ''));
  const hostOk = validHostname(domain);
  let registrable: string | null = null;
  let publicSuffix: string | null = null;
  if (hostOk) {
    const p = parseDomain(domain, { extractHostname: false, validateHostname: false, detectIp: false });
    registrable = p.domain ?? null;
    publicSuffix = p.publicSuffix ?? null;
  }
  let freeProvider: boolean | null = null;
  if (lists.freeEmailDomains && hostOk) {
    freeProvider =
      lists.freeEmailDomains.has(domain) || (registrable !== null && lists.freeEmailDomains.has(registrable));
  }
  return {
    domain,
    registrable,
    publicSuffix,
    freeProvider,
    disposable: hostOk ? isDisposable(domain, registrable, lists) : null,
    hasMx: null,
    lists: NO_LISTS,
  };
}

/** Maximum e-mail length examined (RFC 5321 allows 254; longer input is invalid). */
const MAX_EMAIL = 320;

export function emailFacts(raw: string, lists: DomainLists): EmailAndDomain {
  const normalized = normaliseEmail(raw.length > MAX_EMAIL * 4 ? raw.slice(0, MAX_EMAIL * 4) : raw);
  const at = normalized.lastIndexOf('@');
  const localPart = at < 0 ? normalized : normalized.slice(0, at);
  const rawDomain = at < 0 ? '' : normalized.slice(at + 1);
  const domain = rawDomain === '' ? null : domainFacts(rawDomain, lists);
  const domainName = domain?.domain ?? '';
  const isLiteral = /^\[[0-9a-f:.]+\]$/.test(rawDomain);
  const valid =
    at > 0 &&
    normalized.length <= 254 &&
    validLocalPart(localPart) &&
    (isLiteral || (domain !== null && validHostname(domain.domain)));
  const plus = localPart.indexOf('+');
  const baseLocal = plus > 0 ? localPart.slice(0, plus) : localPart;
  const email = {
    valid,
    localPart,
    domain: domainName,
    freeProvider: domain ? domain.freeProvider : null,
    disposable: domain ? domain.disposable : null,
    roleAddress: ROLE_LOCAL_PARTS.has(baseLocal),
    institution:
      domain && validHostname(domain.domain) ? institutionOf(domain.publicSuffix, domain.domain) : null,
    appleDomain: APPLE_MAIL_DOMAINS.has(domainName),
    shape: shapeOf(normalized, localPart),
    lists: NO_LISTS,
    normalized,
  };
  return { email, domain };
}
