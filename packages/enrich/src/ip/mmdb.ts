/**
 * MaxMind DB (MMDB) files: the shipped ip-location-db country database and any file an operator
 * supplies (GeoLite2/GeoIP2 Country, City or ASN, DB-IP Lite, IPinfo Lite, ip-location-db). The
 * record layout differs by vendor, so the fields are read by shape, not by database type.
 */
import { Reader } from 'mmdb-lib';
import { formatCidr4, formatCidr6, formatIp, type IpAddress, ipv6ToBigInt } from './address.ts';
import type { AsnRecord } from './asn-table.ts';

type MmdbRecord = Record<string, unknown>;

/** A small bounded cache of decoded records (keyed by data offset), as mmdb-lib accepts. */
class DecodeCache {
  private map = new Map<string | number, unknown>();
  constructor(private readonly max: number) {}
  get(key: string | number): unknown {
    return this.map.get(key);
  }
  set(key: string | number, value: unknown): void {
    if (this.map.size >= this.max) this.map = new Map();
    this.map.set(key, value);
  }
}

function isoCode(v: unknown): string | null {
  return typeof v === 'string' && /^[A-Za-z]{2}$/.test(v) ? v.toUpperCase() : null;
}

function objField(rec: MmdbRecord, key: string): MmdbRecord | null {
  const v = rec[key];
  return v !== null && typeof v === 'object' ? (v as MmdbRecord) : null;
}

/** Country of the record: where the address is used, else where it is registered. */
export function countryOf(rec: MmdbRecord): string | null {
  const direct = isoCode(rec.country_code) ?? isoCode(rec.countryCode);
  if (direct) return direct;
  const country = objField(rec, 'country');
  if (country) {
    const c = isoCode(country.iso_code);
    if (c) return c;
  }
  const registered = objField(rec, 'registered_country');
  return registered ? isoCode(registered.iso_code) : null;
}

export function asnOf(rec: MmdbRecord): { asn: number; name: string | null } | null {
  let asn: number | null = null;
  const n = rec.autonomous_system_number;
  if (typeof n === 'number' && Number.isInteger(n) && n >= 0) asn = n;
  else if (typeof rec.asn === 'string' && /^AS\d+$/i.test(rec.asn)) asn = Number(rec.asn.slice(2));
  else if (typeof rec.asn === 'number') asn = rec.asn;
  if (asn === null) return null;
  const org = rec.autonomous_system_organization ?? rec.as_name;
  return { asn, name: typeof org === 'string' && org !== '' ? org : null };
}

export class MmdbSource {
  private readonly reader: Reader<MmdbRecord>;
  readonly databaseType: string;
  readonly buildDate: string;
  readonly hasCountry: boolean;
  readonly hasAsn: boolean;
  readonly bytes: number;

  constructor(
    db: Buffer,
    readonly file: string,
  ) {
    this.reader = new Reader<MmdbRecord>(db, { cache: new DecodeCache(4096) });
    this.bytes = db.length;
    this.databaseType = this.reader.metadata.databaseType;
    this.buildDate = this.reader.metadata.buildEpoch.toISOString().slice(0, 10);
    // Probe well-known public addresses to learn which facts this file holds.
    let hasCountry = false;
    let hasAsn = false;
    for (const probe of ['8.8.8.8', '1.1.1.1', '2001:4860:4860::8888', '9.9.9.9', '193.0.6.139']) {
      try {
        const rec = this.reader.get(probe);
        if (!rec) continue;
        if (countryOf(rec)) hasCountry = true;
        if (asnOf(rec)) hasAsn = true;
      } catch {
        // an IPv4-only file asked for an IPv6 address
      }
    }
    if (!hasCountry && !hasAsn) {
      hasCountry = /country|city/i.test(this.databaseType);
      hasAsn = /asn/i.test(this.databaseType);
    }
    this.hasCountry = hasCountry;
    this.hasAsn = hasAsn;
  }

  private get(ip: IpAddress): [MmdbRecord | null, number] {
    if (ip.version === 6 && this.reader.metadata.ipVersion === 4) return [null, 0];
    try {
      return this.reader.getWithPrefixLength(formatIp(ip));
    } catch {
      return [null, 0];
    }
  }

  country(ip: IpAddress): string | null {
    const [rec] = this.get(ip);
    return rec ? countryOf(rec) : null;
  }

  asn(ip: IpAddress): AsnRecord | null {
    const [rec, prefix] = this.get(ip);
    if (!rec) return null;
    const a = asnOf(rec);
    if (!a) return null;
    return { asn: a.asn, name: a.name, network: networkOf(ip, prefix) };
  }
}

function networkOf(ip: IpAddress, prefix: number): string {
  if (ip.version === 4) {
    const p = Math.max(0, Math.min(32, prefix));
    const size = 2 ** (32 - p);
    return formatCidr4(ip.value - (ip.value % size), p);
  }
  const p = Math.max(0, Math.min(128, prefix));
  const v = ipv6ToBigInt(ip.w0, ip.w1, ip.w2, ip.w3);
  const size = 1n << BigInt(128 - p);
  return formatCidr6(v - (v % size), p);
}
