// I — IP rules: facts about the addresses the user has connected from, aggregated over every IP
// the user has used (tirreno only looked at enrichment-checked IPs; we look at all of them and let
// unknown facts make a rule not applicable instead).
import type { IpFeature, RuleDefinition } from './features.ts';
import { anyIpFlagged, listing, match, NO_IP, noMatch, notApplicable, plural } from './helpers/ipr.ts';

/**
 * Autonomous systems whose traffic is suspicious enough to flag on its own (I13), matched exactly
 * against each IP's ASN. Kept short on purpose: an ASN lands here only when most of what it
 * announces is abusive, not merely because it is a hosting provider (I06 covers those).
 */
export const SUSPICIOUS_ASNS: readonly number[] = Object.freeze([200373]);

export const I01: RuleDefinition = {
  code: 'I01',
  group: 'I',
  name: 'IP belongs to TOR',
  description: 'The user connected through a TOR exit node, which hides where the traffic really comes from.',
  requires: ['ip'],
  evaluate: (f) => anyIpFlagged(f, 'tor', 'TOR'),
};

export const I02: RuleDefinition = {
  code: 'I02',
  group: 'I',
  name: 'IP hosting domain',
  description:
    'An address the user connected from also serves websites: a server rather than a home or office, often a crawler or proxy.',
  requires: ['ip'],
  evaluate(f) {
    if (f.ips.length === 0) return notApplicable(NO_IP);
    const known = f.ips.filter((i) => i.hostedDomains !== null);
    if (known.length === 0) return notApplicable('no IP whose hosted domains are known');
    const hits = known.filter((i) => (i.hostedDomains ?? 0) > 0);
    if (hits.length === 0) return noMatch({ ipsChecked: known.length });
    return match(`${plural(hits.length, 'IP')} hosting websites: ${listing(hits.map((i) => i.ip))}`, {
      ips: hits.map((i) => ({ ip: i.ip, hostedDomains: i.hostedDomains })),
    });
  },
};

export const I03: RuleDefinition = {
  code: 'I03',
  group: 'I',
  name: 'IP appears in spam list',
  description:
    'An address the user connected from is on a spam or abuse block list: it has misbehaved elsewhere.',
  requires: ['ip'],
  evaluate: (f) => anyIpFlagged(f, 'blocklist', 'on a block list'),
};

export const I04: RuleDefinition = {
  code: 'I04',
  group: 'I',
  name: 'Shared IP',
  description:
    'Another account of the project has used one of this user’s addresses: a sign of several accounts run by one person.',
  requires: [],
  evaluate(f) {
    if (f.ips.length === 0) return notApplicable(NO_IP);
    const hits = f.ips.filter((i) => i.sharedUsers > 1);
    if (hits.length === 0) return noMatch({ maxSharedUsers: Math.max(...f.ips.map((i) => i.sharedUsers)) });
    return match(
      `${plural(hits.length, 'IP')} also used by other accounts: ${listing(hits.map((i) => i.ip))}`,
      {
        ips: hits.map((i) => ({ ip: i.ip, sharedUsers: i.sharedUsers })),
      },
    );
  },
};

export const I05: RuleDefinition = {
  code: 'I05',
  group: 'I',
  name: 'IP belongs to commercial VPN',
  description:
    'The user connected through a commercial VPN, which hides their location or gets round geo-blocking.',
  requires: ['ip'],
  evaluate: (f) => anyIpFlagged(f, 'vpn', 'VPN'),
};

export const I06: RuleDefinition = {
  code: 'I06',
  group: 'I',
  name: 'IP belongs to datacenter',
  description:
    'The user connected from a hosting or cloud network, where proxies, VPNs and scripts usually run.',
  requires: ['ip'],
  evaluate: (f) => anyIpFlagged(f, 'datacenter', 'datacenter'),
};

export const I07: RuleDefinition = {
  code: 'I07',
  group: 'I',
  name: 'IP belongs to Apple Relay',
  description:
    'The user connected through iCloud Private Relay, which masks the real address of Apple users.',
  requires: ['ip'],
  evaluate: (f) => anyIpFlagged(f, 'relay', 'Apple Private Relay'),
};

export const I08: RuleDefinition = {
  code: 'I08',
  group: 'I',
  name: 'IP belongs to Starlink',
  description: 'The user connected through the Starlink satellite network.',
  requires: ['ip'],
  evaluate: (f) => anyIpFlagged(f, 'starlink', 'Starlink'),
};

export const I09: RuleDefinition = {
  code: 'I09',
  group: 'I',
  name: 'Numerous IPs',
  description: 'The user has connected from more addresses than an ordinary person does.',
  requires: [],
  evaluate(f, t) {
    if (f.ips.length === 0) return notApplicable(NO_IP);
    const distinct = new Set(f.ips.map((i) => i.ip)).size;
    if (distinct <= t.numerousIps) return noMatch({ ipCount: distinct, max: t.numerousIps });
    return match(`${distinct} distinct IPs (more than ${t.numerousIps})`, {
      ipCount: distinct,
      max: t.numerousIps,
    });
  },
};

/** Why an IP is not residential, or an empty list when nothing says so. */
function nonResidentialFlags(i: IpFeature): string[] {
  const flags: string[] = [];
  if (i.blacklisted) flags.push('blacklisted');
  if (i.blocklist === true) flags.push('blocklist');
  if (i.tor === true) flags.push('tor');
  if (i.starlink === true) flags.push('starlink');
  if (i.relay === true) flags.push('relay');
  if (i.vpn === true) flags.push('vpn');
  if (i.datacenter === true) flags.push('datacenter');
  if (i.local) flags.push('local');
  return flags;
}

export const I10: RuleDefinition = {
  code: 'I10',
  group: 'I',
  name: 'Only residential IPs',
  description:
    'Every address the user connected from looks like an ordinary consumer connection with a known location: no proxy, hosting, TOR, block list or blacklist.',
  requires: ['ip'],
  evaluate(f) {
    if (f.ips.length === 0) return notApplicable(NO_IP);
    // Without type data every IP would look residential: that is the vacuous truth we refuse.
    if (!f.ips.some((i) => i.datacenter !== null)) return notApplicable('no IP whose type flags are known');
    const flagged = f.ips
      .map((i) => ({ ip: i.ip, flags: nonResidentialFlags(i) }))
      .filter((x) => x.flags.length > 0);
    if (flagged.length > 0) return noMatch({ nonResidential: flagged });
    const noCountry = f.ips.filter((i) => i.country === null).map((i) => i.ip);
    if (noCountry.length > 0) return noMatch({ unknownCountry: noCountry });
    const countries = [...new Set(f.ips.map((i) => i.country as string))].sort();
    return match(`${plural(f.ips.length, 'IP')}, all residential (${countries.join(', ')})`, {
      ips: f.ips.map((i) => i.ip),
      countries,
    });
  },
};

export const I11: RuleDefinition = {
  code: 'I11',
  group: 'I',
  name: 'Single network',
  description: 'Every address of the user with a known network belongs to one and the same network.',
  requires: ['ip'],
  evaluate(f) {
    if (f.ips.length === 0) return notApplicable(NO_IP);
    const networks = [...new Set(f.ips.flatMap((i) => (i.network === null ? [] : [i.network])))].sort();
    if (networks.length === 0) return notApplicable('no IP whose network is known');
    if (networks.length > 1) return noMatch({ networks });
    const ips = f.ips.filter((i) => i.network !== null).map((i) => i.ip);
    return match(`${plural(ips.length, 'IP')} with a known network, all in ${networks[0]}`, {
      network: networks[0],
      ips,
    });
  },
};

export const I12: RuleDefinition = {
  code: 'I12',
  group: 'I',
  name: 'IP belongs to LAN',
  description:
    'The user connected from a private or reserved address: traffic from inside the network, or a proxy that hides the client.',
  requires: [],
  evaluate(f) {
    if (f.ips.length === 0) return notApplicable(NO_IP);
    const hits = f.ips.filter((i) => i.local).map((i) => i.ip);
    if (hits.length === 0) return noMatch();
    return match(`${plural(hits.length, 'private or reserved IP')}: ${listing(hits)}`, { ips: hits });
  },
};

export const I13: RuleDefinition = {
  code: 'I13',
  group: 'I',
  name: 'IP belongs to suspicious ASN',
  description: 'The user connected from an autonomous system known for abusive traffic.',
  requires: ['ip'],
  evaluate(f) {
    if (f.ips.length === 0) return notApplicable(NO_IP);
    const known = f.ips.filter((i) => i.asn !== null);
    if (known.length === 0) return notApplicable('no IP whose ASN is known');
    const hits = known.filter((i) => SUSPICIOUS_ASNS.includes(i.asn as number));
    if (hits.length === 0) return noMatch({ asns: [...new Set(known.map((i) => i.asn))] });
    return match(
      `${plural(hits.length, 'IP')} in a suspicious ASN: ${listing(hits.map((i) => `${i.ip} (AS${i.asn})`))}`,
      { ips: hits.map((i) => ({ ip: i.ip, asn: i.asn })) },
    );
  },
};

export const I_RULES: readonly RuleDefinition[] = Object.freeze([
  I01,
  I02,
  I03,
  I04,
  I05,
  I06,
  I07,
  I08,
  I09,
  I10,
  I11,
  I12,
  I13,
]);
