/**
 * Private, reserved, loopback and documentation ranges: the fixed list of tirreno's sensor
 * (spec §1.6). A local address is never enriched further. One deliberate difference: an
 * IPv4-mapped IPv6 address (`::ffff:a.b.c.d`) is judged by its IPv4 part (parseIp unwraps it),
 * so `::ffff:8.8.8.8` is public while `::ffff:10.0.0.1` stays local.
 */
import { type IpAddress, parseCidr } from './address.ts';
import { IpSet } from './ranges.ts';

export const LOCAL_RANGES_V4 = [
  '0.0.0.0/8',
  '10.0.0.0/8',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '172.16.0.0/12',
  '192.0.0.0/24',
  '192.0.2.0/24',
  '192.168.0.0/16',
  '198.18.0.0/15',
  '198.51.100.0/24',
  '203.0.113.0/24',
  '224.0.0.0/4',
  '240.0.0.0/4',
  '255.255.255.255/32',
] as const;

export const LOCAL_RANGES_V6 = [
  '::/128',
  '::1/128',
  '::ffff:0:0/96',
  '::/96',
  '100::/64',
  '2001:10::/28',
  '2001:db8::/32',
  'fc00::/7',
  'fe80::/10',
  'fec0::/10',
  'ff00::/8',
] as const;

function build(): IpSet {
  const ranges = [...LOCAL_RANGES_V4, ...LOCAL_RANGES_V6].map((text) => {
    // '::ffff:0:0/96' parses as the whole IPv4 space: an unwrapped mapped address is IPv4 and is
    // judged by the IPv4 list, so that entry is kept as the IPv6 block it names, for the record.
    const c = text === '::ffff:0:0/96' ? null : parseCidr(text);
    if (text === '::ffff:0:0/96')
      return { version: 6 as const, start: 0xffff00000000n, end: 0xffffffffffffn };
    if (!c) throw new Error(`bad built-in range ${text}`);
    return c.version === 4
      ? { version: 4 as const, start: BigInt(c.start), end: BigInt(c.end) }
      : { version: 6 as const, start: c.start, end: c.end };
  });
  return IpSet.from(ranges);
}

const LOCAL = build();

export function isLocalIp(ip: IpAddress): boolean {
  return LOCAL.has(ip);
}
