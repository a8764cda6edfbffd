/**
 * The data sets behind offline enrichment, loaded once into an immutable EnrichmentData:
 * the shipped npm data packages (country, ASN, free and disposable e-mail domains), the curated
 * hosting and Starlink ASN lists in `assets/`, and whatever an operator puts in a data directory
 * (TOR exits, Apple relay egress ranges, VPN ranges, newer ASN CSVs, MaxMind-format databases…).
 * A new data set is swapped into a running enricher in one assignment (`enricher.swapData`).
 */
import { readFileSync, statSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FactSource } from '@vigil/core';
import { type IpAddress, parseCidr } from './ip/address.ts';
import { type AsnRecord, AsnTable, AsnTableBuilder, DataFormatError } from './ip/asn-table.ts';
import { MmdbSource } from './ip/mmdb.ts';
import { IpSet } from './ip/ranges.ts';
import { normaliseListValue } from './lists.ts';

export { DataFormatError };

export type DataSourceId =
  | 'country'
  | 'asn'
  | 'datacenter-asns'
  | 'datacenter-ranges'
  | 'starlink-asns'
  | 'starlink-ranges'
  | 'tor'
  | 'relay'
  | 'vpn'
  | 'free-email'
  | 'disposable-email';

/** One loaded data source, for `vigil data status`, the about page and the attribution notice. */
export interface DataSourceInfo {
  id: DataSourceId;
  name: string;
  origin: 'bundled' | 'operator';
  /** Absolute path(s) of the file(s) read. */
  files: string[];
  /** Data date (YYYY-MM-DD): the file's own date line, its build date, else its modification date. */
  date: string | null;
  version: string | null;
  entries: number;
  bytes: number;
  licence: string | null;
  attribution: string | null;
}

/** A country database and where its answers come from. */
export interface CountryLookup {
  country(ip: IpAddress): string | null;
  readonly source: FactSource;
}

/** An ASN database and where its answers come from. */
export interface AsnLookup {
  lookup(ip: IpAddress): AsnRecord | null;
  readonly source: FactSource;
}

function sourceOf(info: DataSourceInfo): FactSource {
  return Object.freeze({
    source: info.version ? `${info.name} ${info.version}` : info.name,
    date: info.date,
  });
}

function countryLookup(db: MmdbSource, info: DataSourceInfo): CountryLookup {
  return Object.freeze({ country: (ip: IpAddress) => db.country(ip), source: sourceOf(info) });
}

function asnLookup(db: MmdbSource | AsnTable, info: DataSourceInfo): AsnLookup {
  const source = sourceOf(info);
  return db instanceof AsnTable
    ? Object.freeze({ lookup: (ip: IpAddress) => db.lookup(ip), source })
    : Object.freeze({ lookup: (ip: IpAddress) => db.asn(ip), source });
}

/** An immutable set of everything the offline provider reads. */
export interface EnrichmentData {
  readonly loadedAt: string;
  readonly sources: readonly DataSourceInfo[];
  /** Files in a data directory that were not recognised. */
  readonly ignoredFiles: readonly string[];
  /** Country databases, first answer wins (operator files before the shipped one). */
  readonly countryDbs: readonly CountryLookup[];
  /** ASN sources, first answer wins. */
  readonly asnDbs: readonly AsnLookup[];
  readonly datacenterAsns: ReadonlySet<number> | null;
  readonly datacenterRanges: IpSet | null;
  readonly starlinkAsns: ReadonlySet<number> | null;
  readonly starlinkRanges: IpSet | null;
  readonly tor: IpSet | null;
  readonly relay: IpSet | null;
  readonly vpn: IpSet | null;
  readonly freeEmailDomains: ReadonlySet<string> | null;
  readonly disposableDomains: ReadonlySet<string> | null;
  readonly disposableWildcards: ReadonlySet<string> | null;
  /** The source of each kind of data (the first, i.e. the operator's, when several), for facts' `sources`. */
  readonly factSources: Readonly<Partial<Record<DataSourceId, FactSource>>>;
}

const ASSETS = fileURLToPath(new URL('../assets/', import.meta.url));
const require = createRequire(import.meta.url);

function packageDir(name: string): string | null {
  try {
    return dirname(require.resolve(`${name}/package.json`));
  } catch {
    return null;
  }
}

function packageVersion(dir: string): string | null {
  try {
    return (
      (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version?: string }).version ?? null
    );
  } catch {
    return null;
  }
}

/** ip-location-db versions end in the build date: 2.3.2026061719 → 2026-06-17. */
function dateFromIpLocationDbVersion(version: string | null): string | null {
  const m = version ? /\.(\d{4})(\d{2})(\d{2})\d{2}$/.exec(version) : null;
  return m ? `${m[1]}-${m[2]}-${m[3]}` : null;
}

/** A `# date: 2026-06-01` (or any dated comment) in the first lines, else the TOR "Published" date. */
export function dateInText(text: string): string | null {
  const head = text.slice(0, 4096).split(/\r?\n/, 40);
  for (const line of head) {
    const m = /^\s*#\s*(?:date|updated|generated|last[- ]updated)\b[^0-9]*(\d{4}-\d{2}-\d{2})/i.exec(line);
    if (m) return m[1]!;
  }
  for (const line of head) {
    const m = /^\s*#.*?(\d{4}-\d{2}-\d{2})/.exec(line);
    if (m) return m[1]!;
  }
  for (const line of head) {
    const m = /^Published (\d{4}-\d{2}-\d{2})/.exec(line);
    if (m) return m[1]!;
  }
  return null;
}

function isoDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/** Lines without comments (`#` to the end of the line) or blanks, with their numbers. */
function* dataLines(text: string): Generator<[number, string]> {
  const lines = text.split(/\r\n|\n|\r/);
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!;
    const hash = line.indexOf('#');
    if (hash >= 0) line = line.slice(0, hash);
    line = line.trim();
    if (line !== '') yield [i + 1, line];
  }
}

type Range = { version: 4 | 6; start: bigint; end: bigint };

function cidrRange(text: string): Range | null {
  const c = parseCidr(text);
  if (!c) return null;
  return c.version === 4
    ? { version: 4, start: BigInt(c.start), end: BigInt(c.end) }
    : { version: 6, start: c.start, end: c.end };
}

/**
 * An address list: one IP or CIDR per line; CSV lines use their first column (Apple's
 * `egress-ip-ranges.csv`, Starlink's geofeed); TOR's `exit-addresses` format is understood
 * (`ExitAddress <ip> …` lines, other keyword lines skipped). Throws on the first bad line.
 */
export function parseAddressList(text: string, file: string): IpSet {
  const ranges: Range[] = [];
  let first = true;
  for (const [n, line] of dataLines(text)) {
    const isFirst = first;
    first = false;
    let token = line;
    if (/^(ExitNode|Published|LastStatus)\b/.test(line)) continue;
    if (line.startsWith('ExitAddress ')) token = line.split(/\s+/)[1] ?? '';
    else if (line.includes(',')) token = line.slice(0, line.indexOf(',')).trim();
    else token = line.split(/\s+/)[0]!;
    const r = cidrRange(token);
    if (!r) {
      if (isFirst && /^[a-z_ ]+$/i.test(token)) continue; // a CSV header
      throw new DataFormatError(file, n, `not an IP address or CIDR block: "${token.slice(0, 60)}"`);
    }
    ranges.push(r);
  }
  return IpSet.from(ranges);
}

/** ASN list: `AS123` or `123` first on each line, anything after it is a comment. */
export function parseAsnList(text: string, file: string): Set<number> {
  const set = new Set<number>();
  for (const [n, line] of dataLines(text)) {
    const token = line.split(/[\s,;]+/)[0]!;
    const norm = normaliseListValue('asn', token);
    if ('error' in norm) throw new DataFormatError(file, n, norm.error);
    set.add(Number(norm.value));
  }
  return set;
}

/** Domain list: one domain per line; `*.example.com` puts every subdomain in the wildcard set. */
export function parseDomainList(
  text: string,
  file: string,
): { domains: Set<string>; wildcards: Set<string> } {
  const domains = new Set<string>();
  const wildcards = new Set<string>();
  for (const [n, line] of dataLines(text)) {
    const token = line.split(/[\s,;]+/)[0]!;
    const norm = normaliseListValue('domain', token);
    if ('error' in norm) throw new DataFormatError(file, n, norm.error);
    (token.startsWith('*.') ? wildcards : domains).add(norm.value);
  }
  return { domains, wildcards };
}

function factSourcesOf(d: Omit<EnrichmentData, 'factSources'>): EnrichmentData['factSources'] {
  const out: Partial<Record<DataSourceId, FactSource>> = {};
  for (const s of d.sources) out[s.id] ??= sourceOf(s);
  return Object.freeze(out);
}

function finish(parts: Omit<EnrichmentData, 'factSources' | 'loadedAt'>): EnrichmentData {
  const base = { ...parts, loadedAt: new Date().toISOString() };
  return Object.freeze({ ...base, factSources: factSourcesOf(base) });
}

/** No data at all: only the local/reserved classification and the UA, e-mail shape and phone checks. */
export function emptyData(): EnrichmentData {
  return finish({
    sources: [],
    ignoredFiles: [],
    countryDbs: [],
    asnDbs: [],
    datacenterAsns: null,
    datacenterRanges: null,
    starlinkAsns: null,
    starlinkRanges: null,
    tor: null,
    relay: null,
    vpn: null,
    freeEmailDomains: null,
    disposableDomains: null,
    disposableWildcards: null,
  });
}

const ATTRIBUTION_COUNTRY =
  'IP country data: ip-location-db "geo-whois-asn-country" by sapics (CC0 1.0), built from RIR whois and statistics data of the NRO (nro.net, CC BY 4.0) and provider geofeeds.';
const ATTRIBUTION_ASN =
  'IP to ASN data: ip-location-db "asn" by sapics, built from RouteViews (routeviews.org), NRO RIR data (nro.net) and the DB-IP IP to ASN Lite database (db-ip.com), all CC BY 4.0. IP Geolocation by DB-IP: https://db-ip.com';

let bundledCache: EnrichmentData | null = null;

/**
 * The data shipped with Vigil (npm data packages and `assets/`). Synchronous: it runs once at
 * start-up (about a second, mostly the ASN CSVs) and the result is cached for the process.
 */
export function loadBundledData(): EnrichmentData {
  if (bundledCache) return bundledCache;
  const sources: DataSourceInfo[] = [];
  const countryDbs: CountryLookup[] = [];
  const asnDbs: AsnLookup[] = [];

  const countryDir = packageDir('@ip-location-db/geo-whois-asn-country-mmdb');
  if (countryDir) {
    const file = join(countryDir, 'geo-whois-asn-country.mmdb');
    const db = new MmdbSource(readFileSync(file), file);
    const info: DataSourceInfo = {
      id: 'country',
      name: 'ip-location-db geo-whois-asn-country',
      origin: 'bundled',
      files: [file],
      date: db.buildDate,
      version: packageVersion(countryDir),
      entries: 0,
      bytes: db.bytes,
      licence: 'CC0-1.0 (NRO data CC-BY-4.0)',
      attribution: ATTRIBUTION_COUNTRY,
    };
    sources.push(info);
    countryDbs.push(countryLookup(db, info));
  }

  const asnDir = packageDir('@ip-location-db/asn');
  if (asnDir) {
    const builder = new AsnTableBuilder();
    const files = [join(asnDir, 'asn-ipv4-num.csv'), join(asnDir, 'asn-ipv6.csv')];
    let bytes = 0;
    for (const f of files) {
      const buf = readFileSync(f);
      bytes += buf.length;
      builder.addCsv(buf, basename(f));
    }
    const table = builder.finish();
    const version = packageVersion(asnDir);
    const info: DataSourceInfo = {
      id: 'asn',
      name: 'ip-location-db asn',
      origin: 'bundled',
      files,
      date: dateFromIpLocationDbVersion(version),
      version,
      entries: table.size,
      bytes,
      licence: 'CC-BY-4.0',
      attribution: ATTRIBUTION_ASN,
    };
    sources.push(info);
    asnDbs.push(asnLookup(table, info));
  }

  const assetList = (file: string, id: DataSourceId, name: string): Set<number> => {
    const path = join(ASSETS, file);
    const text = readFileSync(path, 'utf8');
    const set = parseAsnList(text, file);
    sources.push({
      id,
      name,
      origin: 'bundled',
      files: [path],
      date: dateInText(text),
      version: null,
      entries: set.size,
      bytes: text.length,
      licence: 'Apache-2.0 (Vigil)',
      attribution: null,
    });
    return set;
  };
  const datacenterAsns = assetList('datacenter-asns.txt', 'datacenter-asns', 'Vigil hosting ASN list');
  const starlinkAsns = assetList('starlink-asns.txt', 'starlink-asns', 'Vigil Starlink ASN list');

  let freeEmailDomains: Set<string> | null = null;
  const providersDir = packageDir('email-providers');
  if (providersDir) {
    const file = join(providersDir, 'all.json');
    const list = JSON.parse(readFileSync(file, 'utf8')) as string[];
    freeEmailDomains = new Set(list.map((d) => d.toLowerCase()));
    sources.push({
      id: 'free-email',
      name: 'email-providers',
      origin: 'bundled',
      files: [file],
      date: null,
      version: packageVersion(providersDir),
      entries: freeEmailDomains.size,
      bytes: statSync(file).size,
      licence: 'ISC',
      attribution: 'Free e-mail providers: "email-providers" by Jannis R (ISC).',
    });
  }

  let disposableDomains: Set<string> | null = null;
  let disposableWildcards: Set<string> | null = null;
  const disposableDir = packageDir('disposable-email-domains');
  if (disposableDir) {
    const file = join(disposableDir, 'index.json');
    const wildFile = join(disposableDir, 'wildcard.json');
    disposableDomains = new Set(
      (JSON.parse(readFileSync(file, 'utf8')) as string[]).map((d) => d.toLowerCase()),
    );
    disposableWildcards = new Set(
      (JSON.parse(readFileSync(wildFile, 'utf8')) as string[]).map((d) => d.toLowerCase()),
    );
    sources.push({
      id: 'disposable-email',
      name: 'disposable-email-domains',
      origin: 'bundled',
      files: [file, wildFile],
      date: null,
      version: packageVersion(disposableDir),
      entries: disposableDomains.size + disposableWildcards.size,
      bytes: statSync(file).size + statSync(wildFile).size,
      licence: 'MIT',
      attribution: 'Disposable e-mail domains: "disposable-email-domains" by ivolo and contributors (MIT).',
    });
  }

  bundledCache = finish({
    sources,
    ignoredFiles: [],
    countryDbs,
    asnDbs,
    datacenterAsns,
    datacenterRanges: null,
    starlinkAsns,
    starlinkRanges: null,
    tor: null,
    relay: null,
    vpn: null,
    freeEmailDomains,
    disposableDomains,
    disposableWildcards,
  });
  return bundledCache;
}

/** File names a data directory may hold, and what each one feeds. */
export const DATA_FILES = {
  tor: ['tor-exits.txt', 'tor-exit-addresses.txt', 'torbulkexitlist.txt', 'torbulkexitlist'],
  relay: ['apple-relay.csv', 'egress-ip-ranges.csv', 'apple-relay.txt'],
  vpn: ['vpn.txt', 'vpn.csv'],
  'datacenter-asns': ['datacenter-asns.txt'],
  'datacenter-ranges': ['datacenter.txt', 'datacenter.csv', 'datacenter-ranges.txt'],
  'starlink-asns': ['starlink-asns.txt'],
  'starlink-ranges': ['starlink.csv', 'starlink.txt'],
  asn: ['asn-ipv4.csv', 'asn-ipv6.csv', 'asn-ipv4-num.csv', 'asn-ipv6-num.csv', 'asn.csv'],
  'free-email': ['free-email-providers.txt'],
  'disposable-email': ['disposable-email-domains.txt'],
} as const satisfies Partial<Record<DataSourceId, readonly string[]>>;

interface LoadedFile {
  name: string;
  path: string;
  bytes: Buffer;
  mtime: Date;
}

export interface LoadDataDirOptions {
  /** The data set the directory's files add to or replace; the bundled data by default. */
  base?: EnrichmentData;
}

/**
 * Reads a data directory and returns a new data set: the base data with every recognised file
 * applied (see DATA_FILES and `*.mmdb`). Operator files replace the bundled source of the same
 * kind, except the free/disposable domain files, which add to the bundled lists. Throws
 * DataFormatError (file and line) at the first malformed line: a bad update never replaces
 * good data. The directory is only read; nothing is downloaded.
 */
export async function loadDataDir(dir: string, options: LoadDataDirOptions = {}): Promise<EnrichmentData> {
  const names = (await readdir(dir)).sort();
  const files: LoadedFile[] = [];
  for (const name of names) {
    const path = join(dir, name);
    const st = await stat(path);
    if (!st.isFile()) continue;
    files.push({ name, path, bytes: await readFile(path), mtime: st.mtime });
  }
  return buildFromFiles(files, options.base ?? loadBundledData());
}

/** Same as loadDataDir, given the files' contents (for tests and callers that read elsewhere). */
export function dataFromFiles(
  files: readonly { name: string; content: string | Uint8Array; mtime?: Date }[],
  base: EnrichmentData = loadBundledData(),
): EnrichmentData {
  return buildFromFiles(
    files.map((f) => ({
      name: f.name,
      path: f.name,
      bytes: typeof f.content === 'string' ? Buffer.from(f.content, 'utf8') : Buffer.from(f.content),
      mtime: f.mtime ?? new Date(),
    })),
    base,
  );
}

function buildFromFiles(files: readonly LoadedFile[], base: EnrichmentData): EnrichmentData {
  const kindOf = new Map<string, keyof typeof DATA_FILES>();
  for (const [kind, list] of Object.entries(DATA_FILES)) {
    for (const n of list) kindOf.set(n, kind as keyof typeof DATA_FILES);
  }
  const replaced = new Set<DataSourceId>();
  const sources: DataSourceInfo[] = [];
  const ignoredFiles: string[] = [];
  const next: {
    -readonly [K in keyof EnrichmentData]: EnrichmentData[K];
  } = { ...base };
  const operatorCountry: CountryLookup[] = [];
  const operatorAsn: AsnLookup[] = [];
  const mergedSets: Partial<Record<DataSourceId, IpSet[]>> = {};
  const setInfos: Partial<Record<DataSourceId, DataSourceInfo[]>> = {};
  const asnBuilder = new AsnTableBuilder();
  const asnFiles: LoadedFile[] = [];

  const info = (
    id: DataSourceId,
    f: LoadedFile,
    text: string | null,
    entries: number,
    extra: Partial<DataSourceInfo> = {},
  ): DataSourceInfo => ({
    id,
    name: f.name,
    origin: 'operator',
    files: [f.path],
    date: (text !== null ? dateInText(text) : null) ?? isoDay(f.mtime),
    version: null,
    entries,
    bytes: f.bytes.length,
    licence: null,
    attribution: null,
    ...extra,
  });

  for (const f of files) {
    if (f.name.startsWith('.') || /^readme/i.test(f.name)) continue;
    if (f.name.endsWith('.mmdb')) {
      let db: MmdbSource;
      try {
        db = new MmdbSource(f.bytes, f.path);
      } catch (err) {
        throw new DataFormatError(f.name, 0, `not a MaxMind DB file (${(err as Error).message})`);
      }
      if (!db.hasCountry && !db.hasAsn)
        throw new DataFormatError(f.name, 0, 'MaxMind DB with neither country nor ASN');
      const extra = {
        name: `${f.name} (${db.databaseType})`,
        date: db.buildDate,
        licence: /geolite|geoip/i.test(db.databaseType) ? 'MaxMind GeoLite2 EULA (operator-supplied)' : null,
      };
      if (db.hasCountry) {
        const i = info('country', f, null, 0, extra);
        operatorCountry.push(countryLookup(db, i));
        sources.push(i);
      }
      if (db.hasAsn) {
        const i = info('asn', f, null, 0, extra);
        operatorAsn.push(asnLookup(db, i));
        sources.push(i);
      }
      continue;
    }
    const kind = kindOf.get(f.name.toLowerCase());
    if (!kind) {
      ignoredFiles.push(f.name);
      continue;
    }
    if (kind === 'asn') {
      asnFiles.push(f);
      asnBuilder.addCsv(f.bytes, f.name);
      continue;
    }
    const text = f.bytes.toString('utf8');
    switch (kind) {
      case 'tor':
      case 'relay':
      case 'vpn':
      case 'datacenter-ranges':
      case 'starlink-ranges': {
        const set = parseAddressList(text, f.name);
        mergedSets[kind] = [...(mergedSets[kind] ?? []), set];
        setInfos[kind] = [...(setInfos[kind] ?? []), info(kind, f, text, set.entries)];
        break;
      }
      case 'datacenter-asns':
      case 'starlink-asns': {
        const set = parseAsnList(text, f.name);
        if (kind === 'datacenter-asns') next.datacenterAsns = set;
        else next.starlinkAsns = set;
        replaced.add(kind);
        sources.push(info(kind, f, text, set.size));
        break;
      }
      case 'free-email': {
        const { domains } = parseDomainList(text, f.name);
        next.freeEmailDomains = new Set([...(base.freeEmailDomains ?? []), ...domains]);
        sources.push(info(kind, f, text, domains.size));
        break;
      }
      case 'disposable-email': {
        const { domains, wildcards } = parseDomainList(text, f.name);
        next.disposableDomains = new Set([...(base.disposableDomains ?? []), ...domains]);
        next.disposableWildcards = new Set([...(base.disposableWildcards ?? []), ...wildcards]);
        sources.push(info(kind, f, text, domains.size + wildcards.size));
        break;
      }
    }
  }

  for (const [kind, sets] of Object.entries(mergedSets) as [DataSourceId, IpSet[]][]) {
    // Several files of one kind (e.g. tor-exits.txt and tor-exit-addresses.txt) are united.
    const merged = sets.length === 1 ? sets[0]! : unionSets(sets);
    const infos = setInfos[kind] ?? [];
    const dates = infos.map((i) => i.date).filter((d): d is string => d !== null);
    sources.push({
      ...infos[0]!,
      name: infos.map((i) => i.name).join(' + '),
      files: infos.flatMap((i) => i.files),
      date: dates.length > 0 ? dates.sort().at(-1)! : null,
      entries: merged.entries,
      bytes: infos.reduce((n, i) => n + i.bytes, 0),
    });
    replaced.add(kind);
    if (kind === 'tor') next.tor = merged;
    else if (kind === 'relay') next.relay = merged;
    else if (kind === 'vpn') next.vpn = merged;
    else if (kind === 'datacenter-ranges') next.datacenterRanges = merged;
    else if (kind === 'starlink-ranges') next.starlinkRanges = merged;
  }

  let asnTable: AsnLookup | null = null;
  if (asnFiles.length > 0) {
    const table = asnBuilder.finish();
    const first = asnFiles[0]!;
    const i: DataSourceInfo = {
      ...info('asn', first, null, table.size),
      name: asnFiles.map((f) => f.name).join(' + '),
      files: asnFiles.map((f) => f.path),
      bytes: asnFiles.reduce((n, f) => n + f.bytes.length, 0),
      licence: 'CC-BY-4.0 (ip-location-db layout; check the file origin)',
      attribution: ATTRIBUTION_ASN,
    };
    sources.push(i);
    asnTable = asnLookup(table, i);
  }
  if (operatorCountry.length > 0) {
    next.countryDbs = [...operatorCountry, ...base.countryDbs];
  }
  if (operatorAsn.length > 0 || asnTable) {
    // An operator ASN CSV replaces the shipped one; operator MMDBs are asked first.
    const baseAsn = asnTable ? [] : base.asnDbs;
    next.asnDbs = [...operatorAsn, ...(asnTable ? [asnTable] : []), ...baseAsn];
    if (asnTable) replaced.add('asn');
  }

  // Sources: operator sources first, then the base sources that still feed a fact.
  const kept = base.sources.filter((s) => !replaced.has(s.id));
  next.sources = [...sources, ...kept];
  next.ignoredFiles = ignoredFiles;
  const { factSources: _f, loadedAt: _l, ...rest } = next;
  return finish(rest);
}

function unionSets(sets: IpSet[]): IpSet {
  const ranges: Range[] = [];
  let entries = 0;
  for (const s of sets) {
    entries += s.entries;
    const t = s.table;
    for (let i = 0; i < t.v4.size; i++) {
      ranges.push({ version: 4, start: BigInt(t.v4.starts[i]!), end: BigInt(t.v4.ends[i]!) });
    }
    for (let i = 0; i < t.v6.size; i++) {
      ranges.push({ version: 6, start: t.v6.startBigInt(i), end: t.v6.endBigInt(i) });
    }
  }
  const u = IpSet.from(ranges);
  return new IpSet(u.table, entries);
}
