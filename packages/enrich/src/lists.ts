/**
 * Operator lists: imported entries (IP, CIDR, ASN, domain, e-mail, phone, User-Agent) with a
 * label, an optional score and an optional expiry, and the in-memory index the enricher matches
 * each event against. Also the list file parser: a file is accepted whole or rejected with the
 * number of its first bad line, never half-imported.
 */

import { domainToASCII } from 'node:url';
import type { ListMatch } from '@vigil/core';
import { asciiDomain, isAscii, normaliseEmail, validHostname } from './email.ts';
import { formatCidr4, formatCidr6, formatIp, type IpAddress, parseCidr, parseIp } from './ip/address.ts';
import { buildTaggedRanges, type RangeTable } from './ip/ranges.ts';
import { phoneDigits, phoneFacts } from './phone.ts';

export const LIST_KINDS = ['ip', 'cidr', 'asn', 'domain', 'email', 'phone', 'ua'] as const;
export type ListKind = (typeof LIST_KINDS)[number];

export interface ListEntry {
  listId: string;
  label: string;
  kind: ListKind;
  value: string;
  score: number | null;
  expiresAt: Date | null;
}

/** Limits of one list file. */
export const MAX_LIST_LINES = 1_000_000;
export const MAX_LIST_LINE_LENGTH = 2048;
export const MAX_LABEL_LENGTH = 200;
const MAX_UA_VALUE = 512;

/**
 * The canonical form of a list value, or an error message. IPs and CIDRs are rewritten in
 * canonical text (host bits cleared), ASNs as plain numbers, domains in lowercase ASCII, e-mails
 * lowercased without spaces, phones in E.164 (digits only when they cannot be placed).
 */
export function normaliseListValue(
  kind: ListKind,
  raw: string,
  defaultCountry?: string | null,
): { value: string } | { error: string } {
  const v = raw.trim();
  if (v === '') return { error: 'empty value' };
  switch (kind) {
    case 'ip': {
      const ip = v.includes('/') ? null : parseIp(v);
      return ip ? { value: formatIp(ip) } : { error: `not an IP address: "${clip(v)}"` };
    }
    case 'cidr': {
      const c = parseCidr(v);
      if (!c) return { error: `not a CIDR block: "${clip(v)}"` };
      return { value: c.version === 4 ? formatCidr4(c.start, c.prefix) : formatCidr6(c.start, c.prefix) };
    }
    case 'asn': {
      const m = /^(?:AS)?(\d{1,10})$/i.exec(v);
      const n = m ? Number(m[1]) : Number.NaN;
      return Number.isInteger(n) && n <= 0xffffffff
        ? { value: String(n) }
        : { error: `not an ASN: "${clip(v)}"` };
    }
    case 'domain': {
      let d = v.toLowerCase().replace(/\.$/, '');
      if (d.startsWith('*.')) d = d.slice(2);
      if (!isAscii(d)) d = domainToASCII(d) || d;
      return validHostname(d) ? { value: d } : { error: `not a domain name: "${clip(v)}"` };
    }
    case 'email': {
      const e = normaliseEmail(v);
      const at = e.lastIndexOf('@');
      if (at <= 0 || at === e.length - 1 || e.length > 320)
        return { error: `not an e-mail address: "${clip(v)}"` };
      return { value: `${e.slice(0, at)}@${asciiDomain(e.slice(at + 1).replace(/\.$/, ''))}` };
    }
    case 'phone': {
      const p = phoneFacts(v, defaultCountry);
      if (p.e164) return { value: p.e164 };
      const digits = phoneDigits(v);
      if (/^\+?\d{5,20}$/.test(digits) && /^[+\d\s().\-/]+$/.test(v)) return { value: digits };
      return { error: `not a phone number: "${clip(v)}"` };
    }
    case 'ua':
      if (v.length < 3) return { error: 'User-Agent fragment shorter than 3 characters' };
      if (v.length > MAX_UA_VALUE) return { error: `User-Agent longer than ${MAX_UA_VALUE} characters` };
      return { value: v };
  }
}

function clip(s: string): string {
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** The kind a value most likely is; null when it cannot be told (User-Agents need a kind). */
export function detectListKind(value: string): ListKind | null {
  const v = value.trim();
  if (v === '') return null;
  if (v.includes('@')) return 'email';
  if (/^AS\d+$/i.test(v)) return 'asn';
  if (v.includes('/')) return parseCidr(v) ? 'cidr' : null;
  if (parseIp(v)) return 'ip';
  if (/^(?:\+|00)[\d\s().-]{5,}$/.test(v)) return 'phone';
  if (/^\d{1,10}$/.test(v)) return 'asn';
  const d = v.toLowerCase().replace(/^\*\./, '').replace(/\.$/, '');
  if (validHostname(isAscii(d) ? d : domainToASCII(d))) return 'domain';
  return null;
}

/** Splits one CSV line (RFC 4180 quoting); null when a quote is not closed. */
export function splitCsvLine(line: string): string[] | null {
  const out: string[] = [];
  let i = 0;
  for (;;) {
    if (line.charCodeAt(i) === 34) {
      let field = '';
      i++;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q < 0) return null;
        field += line.slice(i, q);
        if (line.charCodeAt(q + 1) === 34) {
          field += '"';
          i = q + 2;
          continue;
        }
        i = q + 1;
        break;
      }
      // Only spaces may follow a closing quote before the comma.
      while (i < line.length && line[i] === ' ') i++;
      if (i < line.length && line[i] !== ',') return null;
      out.push(field);
    } else {
      const comma = line.indexOf(',', i);
      out.push(comma < 0 ? line.slice(i) : line.slice(i, comma));
      i = comma < 0 ? line.length : comma;
    }
    if (i >= line.length) break;
    i++; // the comma
    if (i === line.length) {
      out.push('');
      break;
    }
  }
  return out;
}

const HEADER_NAMES: Readonly<Record<string, 'value' | 'label' | 'score' | 'expires' | 'kind'>> = {
  value: 'value',
  ip: 'value',
  cidr: 'value',
  asn: 'value',
  domain: 'value',
  email: 'value',
  phone: 'value',
  ua: 'value',
  user_agent: 'value',
  useragent: 'value',
  label: 'label',
  name: 'label',
  comment: 'label',
  score: 'score',
  expires: 'expires',
  expires_at: 'expires',
  expiresat: 'expires',
  expiry: 'expires',
  kind: 'kind',
  type: 'kind',
};

function headerOf(fields: string[]): Record<string, number> | null {
  const map: Record<string, number> = {};
  for (let i = 0; i < fields.length; i++) {
    const name = fields[i]!.trim().toLowerCase();
    if (name === '' && i === fields.length - 1) continue;
    const col = HEADER_NAMES[name];
    if (!col || map[col] !== undefined) return null;
    map[col] = i;
  }
  return map.value === undefined ? null : map;
}

function parseExpiry(s: string): Date | null | undefined {
  const t = s.trim();
  if (t === '') return null;
  const iso = /^\d{4}-\d{2}-\d{2}$/.test(t) ? `${t}T00:00:00Z` : t;
  if (!/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/.test(iso))
    return undefined;
  const ms = Date.parse(iso.replace(' ', 'T'));
  return Number.isNaN(ms) ? undefined : new Date(ms);
}

export interface ParseListOptions {
  /** The kind of every value; detected per line when omitted. */
  kind?: ListKind;
  /** Label of the list, used for lines without their own label. */
  label: string;
  /** Id stored on each entry; defaults to the label. */
  listId?: string;
  /** Country for phone numbers written without +. */
  defaultCountry?: string | null;
}

export type ParseListResult =
  | { ok: true; entries: ListEntry[]; counts: Partial<Record<ListKind, number>> }
  | { ok: false; line: number; reason: string };

/**
 * Parses a list file: plain text (one value per line) or CSV `value[,label][,score][,expires]`
 * with an optional header row naming the columns. Blank lines and lines starting with `#` are
 * skipped; in plain lines (not User-Agents) ` #` starts a comment. Rejects the whole file at the
 * first malformed line.
 */
export function parseListFile(text: string, options: ParseListOptions): ParseListResult {
  const fail = (line: number, reason: string): ParseListResult => ({ ok: false, line, reason });
  if (typeof text !== 'string') return fail(0, 'not text');
  const listLabel = typeof options.label === 'string' ? options.label.trim() : '';
  if (listLabel === '' || listLabel.length > MAX_LABEL_LENGTH)
    return fail(0, 'the list needs a label (1-200 characters)');
  if (options.kind !== undefined && !LIST_KINDS.includes(options.kind))
    return fail(0, `unknown kind "${options.kind}"`);
  const listId = options.listId ?? listLabel;
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (body.includes('\0')) return fail(0, 'binary file');
  const lines = body.split(/\r\n|\n|\r/);
  if (lines.length > MAX_LIST_LINES) return fail(MAX_LIST_LINES + 1, `more than ${MAX_LIST_LINES} lines`);

  const entries: ListEntry[] = [];
  const counts: Partial<Record<ListKind, number>> = {};
  let header: Record<string, number> | null = null;
  let seenData = false;
  for (let n = 0; n < lines.length; n++) {
    const lineNo = n + 1;
    const line = lines[n]!;
    if (line.length > MAX_LIST_LINE_LENGTH)
      return fail(lineNo, `line longer than ${MAX_LIST_LINE_LENGTH} characters`);
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;

    let value: string;
    let label = listLabel;
    let score: number | null = null;
    let expiresAt: Date | null = null;
    let kind: ListKind | undefined = options.kind;

    const csv = header !== null || (options.kind !== 'ua' && trimmed.includes(','));
    if (csv) {
      const fields = splitCsvLine(trimmed);
      if (!fields) return fail(lineNo, 'unclosed quote');
      if (!seenData && header === null) {
        const h = headerOf(fields);
        if (h) {
          header = h;
          seenData = true;
          continue;
        }
      }
      const col = (name: string, fallback: number) => {
        const i = header ? header[name] : fallback;
        return i === undefined ? '' : (fields[i] ?? '').trim();
      };
      if (!header && fields.length > 4)
        return fail(lineNo, 'more than 4 columns (value,label,score,expires)');
      value = col('value', 0);
      const l = col('label', 1);
      if (l !== '') {
        if (l.length > MAX_LABEL_LENGTH)
          return fail(lineNo, `label longer than ${MAX_LABEL_LENGTH} characters`);
        label = l;
      }
      const s = col('score', 2);
      if (s !== '') {
        const x = Number(s);
        if (!Number.isFinite(x) || !/^[+-]?\d+(\.\d+)?$/.test(s))
          return fail(lineNo, `bad score "${clip(s)}"`);
        score = x;
      }
      const e = parseExpiry(col('expires', 3));
      if (e === undefined) return fail(lineNo, `bad expiry date "${clip(col('expires', 3))}" (use ISO 8601)`);
      expiresAt = e;
      const k = col('kind', -1).toLowerCase();
      if (k !== '') {
        if (!LIST_KINDS.includes(k as ListKind)) return fail(lineNo, `unknown kind "${clip(k)}"`);
        if (options.kind !== undefined && k !== options.kind)
          return fail(lineNo, `kind "${k}" in a ${options.kind} list`);
        kind = k as ListKind;
      }
    } else {
      value = trimmed;
      if (options.kind !== 'ua') {
        const hash = value.search(/\s#/);
        if (hash >= 0) value = value.slice(0, hash).trim();
      }
    }
    seenData = true;
    if (value === '') return fail(lineNo, 'empty value');
    if (kind === undefined) {
      const detected = detectListKind(value);
      if (!detected) return fail(lineNo, `cannot tell what "${clip(value)}" is: give the list's kind`);
      kind = detected;
    }
    const norm = normaliseListValue(kind, value, options.defaultCountry);
    if ('error' in norm) return fail(lineNo, norm.error);
    entries.push({ listId, label, kind, value: norm.value, score, expiresAt });
    counts[kind] = (counts[kind] ?? 0) + 1;
  }
  return { ok: true, entries, counts };
}

/** Matches against the index, and the time (ms) after which the answer may change. */
export interface ListLookup {
  matches: readonly ListMatch[];
  /** The earliest expiry among the matched entries; Infinity when none expires. */
  staleAt: number;
}

const NO_MATCH: ListLookup = Object.freeze({
  matches: Object.freeze([]) as readonly ListMatch[],
  staleAt: Infinity,
});

interface IndexedEntry {
  match: ListMatch;
  expires: number;
}

/**
 * All active operator list entries, indexed for matching: IP and CIDR entries in one range table,
 * the rest in hash maps; User-Agent entries match as case-insensitive substrings. Immutable:
 * build a new index when the lists change and give it to the enricher.
 */
export class ListIndex {
  static readonly EMPTY = new ListIndex([]);

  private readonly entries: IndexedEntry[] = [];
  private readonly ranges: RangeTable;
  private readonly rangeGroups: readonly (readonly number[])[];
  private readonly asns = new Map<number, number[]>();
  private readonly domains = new Map<string, number[]>();
  private readonly emails = new Map<string, number[]>();
  private readonly phones = new Map<string, number[]>();
  private readonly uas: { needle: string; id: number }[] = [];
  /** Entries skipped because their value was malformed. */
  readonly rejected: number;
  readonly size: number;

  constructor(entries: readonly ListEntry[], options: { defaultCountry?: string | null } = {}) {
    const tagged: { version: 4 | 6; start: bigint; end: bigint; id: number }[] = [];
    let rejected = 0;
    const add = (map: Map<string | number, number[]>, key: string | number, id: number) => {
      const list = map.get(key);
      if (list) list.push(id);
      else map.set(key, [id]);
    };
    for (const e of entries) {
      if (!e || typeof e.value !== 'string' || !LIST_KINDS.includes(e.kind)) {
        rejected++;
        continue;
      }
      const norm = normaliseListValue(e.kind, e.value, options.defaultCountry);
      if ('error' in norm) {
        rejected++;
        continue;
      }
      const expires =
        e.expiresAt instanceof Date && !Number.isNaN(e.expiresAt.getTime())
          ? e.expiresAt.getTime()
          : Infinity;
      const id = this.entries.length;
      this.entries.push({
        match: Object.freeze({ listId: String(e.listId), label: String(e.label), score: e.score ?? null }),
        expires,
      });
      switch (e.kind) {
        case 'ip':
        case 'cidr': {
          const c = parseCidr(norm.value)!;
          tagged.push(
            c.version === 4
              ? { version: 4, start: BigInt(c.start), end: BigInt(c.end), id }
              : { version: 6, start: c.start, end: c.end, id },
          );
          break;
        }
        case 'asn':
          add(this.asns as Map<string | number, number[]>, Number(norm.value), id);
          break;
        case 'domain':
          add(this.domains as Map<string | number, number[]>, norm.value, id);
          break;
        case 'email':
          add(this.emails as Map<string | number, number[]>, norm.value, id);
          break;
        case 'phone':
          add(this.phones as Map<string | number, number[]>, norm.value, id);
          break;
        case 'ua':
          this.uas.push({ needle: norm.value.toLowerCase(), id });
          break;
      }
    }
    const built = buildTaggedRanges(tagged);
    this.ranges = built.table;
    this.rangeGroups = built.groups;
    this.rejected = rejected;
    this.size = this.entries.length;
  }

  private collect(ids: Iterable<number>, now: number): ListLookup {
    let matches: ListMatch[] | null = null;
    let staleAt = Infinity;
    const seen = new Set<string>();
    for (const id of ids) {
      const e = this.entries[id]!;
      if (e.expires <= now) continue;
      const key = `${e.match.listId}\0${e.match.label}\0${e.match.score}`;
      if (seen.has(key)) continue;
      seen.add(key);
      if (matches === null) matches = [];
      matches.push(e.match);
      if (e.expires < staleAt) staleAt = e.expires;
    }
    if (!matches) return NO_MATCH;
    return { matches: Object.freeze(matches), staleAt };
  }

  /** IP and CIDR entries containing the address, and ASN entries for its AS. */
  matchIp(ip: IpAddress | null, asn: number | null, now: number): ListLookup {
    if (this.size === 0) return NO_MATCH;
    const ids: number[] = [];
    if (ip && this.ranges.size > 0) {
      const g = this.ranges.payloadOf(ip);
      if (g >= 0) ids.push(...this.rangeGroups[g]!);
    }
    if (asn !== null) {
      const a = this.asns.get(asn);
      if (a) ids.push(...a);
    }
    return ids.length === 0 ? NO_MATCH : this.collect(ids, now);
  }

  /** Domain entries for the domain or any parent domain (an entry covers its subdomains). */
  matchDomain(domain: string, now: number): ListLookup {
    if (this.domains.size === 0 || domain === '') return NO_MATCH;
    const ids: number[] = [];
    let d = domain;
    for (;;) {
      const hit = this.domains.get(d);
      if (hit) ids.push(...hit);
      const dot = d.indexOf('.');
      if (dot < 0) break;
      d = d.slice(dot + 1);
    }
    return ids.length === 0 ? NO_MATCH : this.collect(ids, now);
  }

  matchEmail(normalized: string, now: number): ListLookup {
    if (this.emails.size === 0) return NO_MATCH;
    const hit = this.emails.get(normalized);
    return hit ? this.collect(hit, now) : NO_MATCH;
  }

  /** By E.164 when the number could be placed, else by its digits. */
  matchPhone(e164: string | null, raw: string, now: number): ListLookup {
    if (this.phones.size === 0) return NO_MATCH;
    const hit = (e164 !== null ? this.phones.get(e164) : undefined) ?? this.phones.get(phoneDigits(raw));
    return hit ? this.collect(hit, now) : NO_MATCH;
  }

  matchUserAgent(ua: string, now: number): ListLookup {
    if (this.uas.length === 0) return NO_MATCH;
    const lower = ua.toLowerCase();
    const ids: number[] = [];
    for (const u of this.uas) if (lower.includes(u.needle)) ids.push(u.id);
    return ids.length === 0 ? NO_MATCH : this.collect(ids, now);
  }
}
