/**
 * IP facts from the loaded data: local/reserved classification, country, AS number and name,
 * announced network, and the datacenter, Starlink, TOR, Apple relay and VPN flags, each with
 * the source it came from. A flag whose data is not loaded is null (unknown), never false.
 */
import type { FactSource, IpFacts } from '@vigil/core';
import type { EnrichmentData } from '../data.ts';
import type { IpAddress } from './address.ts';
import type { AsnRecord } from './asn-table.ts';
import { isLocalIp } from './reserved.ts';

const NO_LISTS: IpFacts['lists'] = Object.freeze([]) as unknown as IpFacts['lists'];

export const LOCAL_SOURCE: FactSource = Object.freeze({
  source: 'Vigil reserved ranges (tirreno sensor list; IPv4-mapped IPv6 judged by its IPv4 part)',
  date: null,
});

/** Facts for a string that is not an IP address: nothing is known. */
export const UNKNOWN_IP: IpFacts = Object.freeze({
  local: false,
  country: null,
  asn: null,
  asName: null,
  network: null,
  datacenter: null,
  tor: null,
  relay: null,
  starlink: null,
  vpn: null,
  sources: Object.freeze({}),
  lists: NO_LISTS,
});

const LOCAL_IP: IpFacts = Object.freeze({
  local: true,
  country: null,
  asn: null,
  asName: null,
  network: null,
  datacenter: false,
  tor: false,
  relay: false,
  starlink: false,
  vpn: false,
  sources: Object.freeze({ local: LOCAL_SOURCE }),
  lists: NO_LISTS,
});

export function ipFacts(data: EnrichmentData, ip: IpAddress | null): IpFacts {
  if (ip === null) return UNKNOWN_IP;
  if (isLocalIp(ip)) return LOCAL_IP;
  const sources: Record<string, FactSource> = {};
  const fs = data.factSources;

  let country: string | null = null;
  for (const db of data.countryDbs) {
    country = db.country(ip);
    if (country !== null) {
      sources.country = db.source;
      break;
    }
  }

  let asn: AsnRecord | null = null;
  for (const db of data.asnDbs) {
    asn = db.lookup(ip);
    if (asn !== null) {
      sources.asn = db.source;
      break;
    }
  }

  const flag = (
    name: string,
    ranges: EnrichmentData['tor'],
    rangesId: keyof EnrichmentData['factSources'],
    asns: ReadonlySet<number> | null,
    asnsId: keyof EnrichmentData['factSources'] | null,
  ): boolean | null => {
    if (ranges?.has(ip)) {
      const s = fs[rangesId];
      if (s) sources[name] = s;
      return true;
    }
    if (asns && asn !== null && asnsId) {
      const s = fs[asnsId];
      if (s) sources[name] = s;
      return asns.has(asn.asn);
    }
    if (ranges) {
      const s = fs[rangesId];
      if (s) sources[name] = s;
      return false;
    }
    return null;
  };

  const datacenter = flag(
    'datacenter',
    data.datacenterRanges,
    'datacenter-ranges',
    data.datacenterAsns,
    'datacenter-asns',
  );
  const starlink = flag(
    'starlink',
    data.starlinkRanges,
    'starlink-ranges',
    data.starlinkAsns,
    'starlink-asns',
  );
  const tor = flag('tor', data.tor, 'tor', null, null);
  const relay = flag('relay', data.relay, 'relay', null, null);
  const vpn = flag('vpn', data.vpn, 'vpn', null, null);

  return {
    local: false,
    country,
    asn: asn?.asn ?? null,
    asName: asn?.name ?? null,
    network: asn?.network ?? null,
    datacenter,
    tor,
    relay,
    starlink,
    vpn,
    sources,
    lists: NO_LISTS,
  };
}
