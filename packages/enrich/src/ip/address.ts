/**
 * IP addresses as numbers, for range matching. An IPv4 address is one unsigned 32-bit number;
 * an IPv6 address is four (most significant first). IPv4-mapped IPv6 addresses
 * (`::ffff:a.b.c.d`) are unwrapped to their IPv4 address: Vigil classifies and locates them by
 * the IPv4 part (tirreno counts them all as local, which hides every dual-stack client).
 *
 * The parser is hand-written because it runs on every cache miss and must never throw: it
 * returns null for anything that is not an address.
 */

export interface Ipv4Address {
  readonly version: 4;
  readonly value: number;
}
export interface Ipv6Address {
  readonly version: 6;
  readonly w0: number;
  readonly w1: number;
  readonly w2: number;
  readonly w3: number;
}
export type IpAddress = Ipv4Address | Ipv6Address;

/** Longest text we try to parse as an address (an IPv6 with a zone id fits comfortably). */
const MAX_IP_TEXT = 100;

function parseIpv4Number(s: string, from: number, to: number): number {
  // Returns the address as an unsigned number, or -1. No leading zeros (no octal guessing).
  let value = 0;
  let octets = 0;
  let i = from;
  while (i < to) {
    const start = i;
    let octet = 0;
    while (i < to) {
      const c = s.charCodeAt(i);
      if (c < 48 || c > 57) break;
      octet = octet * 10 + (c - 48);
      i++;
    }
    const len = i - start;
    if (len === 0 || len > 3 || octet > 255 || (len > 1 && s.charCodeAt(start) === 48)) return -1;
    value = value * 256 + octet;
    octets++;
    if (i === to) break;
    if (s.charCodeAt(i) !== 46 || octets === 4) return -1;
    i++;
    if (i === to) return -1;
  }
  return octets === 4 ? value : -1;
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

const groups = new Array<number>(8);

/** Fills `groups` (16-bit each); returns false when the text is not an IPv6 address. */
function parseIpv6Groups(s: string, from: number, to: number): boolean {
  let count = 0;
  let gap = -1; // index in groups where '::' stands
  let i = from;
  if (i < to && s.charCodeAt(i) === 58) {
    if (i + 1 >= to || s.charCodeAt(i + 1) !== 58) return false;
    gap = 0;
    i += 2;
    if (i === to) {
      for (let k = 0; k < 8; k++) groups[k] = 0;
      return true;
    }
  }
  while (i < to) {
    if (count === 8) return false;
    // One group: hex digits, or a trailing dotted IPv4.
    const start = i;
    let value = 0;
    while (i < to) {
      const h = hexValue(s.charCodeAt(i));
      if (h < 0) break;
      value = value * 16 + h;
      i++;
    }
    if (i < to && s.charCodeAt(i) === 46) {
      // Embedded IPv4: must be the last 32 bits.
      if (count > 6) return false;
      const v4 = parseIpv4Number(s, start, to);
      if (v4 < 0) return false;
      groups[count++] = Math.floor(v4 / 65536);
      groups[count++] = v4 % 65536;
      i = to;
      break;
    }
    const len = i - start;
    if (len === 0 || len > 4) return false;
    groups[count++] = value;
    if (i === to) break;
    if (s.charCodeAt(i) !== 58) return false;
    i++;
    if (i < to && s.charCodeAt(i) === 58) {
      if (gap >= 0) return false;
      gap = count;
      i++;
      if (i === to) break;
    } else if (i === to) {
      return false; // a single trailing colon
    }
  }
  if (gap < 0) return count === 8;
  if (count > 7) return false;
  const tail = count - gap;
  for (let k = 7; k >= 8 - tail; k--) groups[k] = groups[k - (8 - count)]!;
  for (let k = gap; k < 8 - tail; k++) groups[k] = 0;
  return true;
}

/**
 * Parses an IPv4 or IPv6 address. Tolerates surrounding whitespace, brackets (`[::1]`) and an
 * IPv6 zone id (`fe80::1%eth0`, dropped). IPv4-mapped IPv6 addresses come back as IPv4.
 */
export function parseIp(text: string): IpAddress | null {
  if (typeof text !== 'string') return null;
  let from = 0;
  let to = text.length;
  if (to > MAX_IP_TEXT) return null;
  while (from < to && text.charCodeAt(from) <= 32) from++;
  while (to > from && text.charCodeAt(to - 1) <= 32) to--;
  if (from === to) return null;
  if (text.charCodeAt(from) === 91) {
    if (text.charCodeAt(to - 1) !== 93) return null;
    from++;
    to--;
  }
  const colon = text.indexOf(':', from);
  if (colon < 0 || colon >= to) {
    const v = parseIpv4Number(text, from, to);
    return v < 0 ? null : { version: 4, value: v };
  }
  const zone = text.indexOf('%', from);
  if (zone >= 0 && zone < to) {
    if (zone === to - 1) return null;
    to = zone;
  }
  if (!parseIpv6Groups(text, from, to)) return null;
  const w0 = (groups[0]! << 16) | groups[1]!;
  const w1 = (groups[2]! << 16) | groups[3]!;
  const w2 = (groups[4]! << 16) | groups[5]!;
  const w3 = ((groups[6]! << 16) | groups[7]!) >>> 0;
  if (w0 === 0 && w1 === 0 && w2 === 0xffff) return { version: 4, value: w3 };
  return { version: 6, w0: w0 >>> 0, w1: w1 >>> 0, w2: w2 >>> 0, w3 };
}

export function formatIpv4(value: number): string {
  return `${Math.floor(value / 16777216) % 256}.${Math.floor(value / 65536) % 256}.${Math.floor(value / 256) % 256}.${value % 256}`;
}

/** RFC 5952 text: lowercase, no leading zeros, the longest run (≥ 2) of zero groups as `::`. */
export function formatIpv6(w0: number, w1: number, w2: number, w3: number): string {
  const g = [w0 >>> 16, w0 & 0xffff, w1 >>> 16, w1 & 0xffff, w2 >>> 16, w2 & 0xffff, w3 >>> 16, w3 & 0xffff];
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (from: number, to: number) =>
    g
      .slice(from, to)
      .map((x) => x.toString(16))
      .join(':');
  if (bestStart < 0) return hex(0, 8);
  return `${hex(0, bestStart)}::${hex(bestStart + bestLen, 8)}`;
}

export function formatIp(ip: IpAddress): string {
  return ip.version === 4 ? formatIpv4(ip.value) : formatIpv6(ip.w0, ip.w1, ip.w2, ip.w3);
}

/** A CIDR block as an inclusive range. IPv6 bounds are 128-bit BigInts (used when building only). */
export type Cidr =
  | { readonly version: 4; readonly start: number; readonly end: number; readonly prefix: number }
  | { readonly version: 6; readonly start: bigint; readonly end: bigint; readonly prefix: number };

export function ipv6ToBigInt(w0: number, w1: number, w2: number, w3: number): bigint {
  return (BigInt(w0) << 96n) | (BigInt(w1) << 64n) | (BigInt(w2) << 32n) | BigInt(w3);
}

export function bigIntToWords(v: bigint): [number, number, number, number] {
  return [
    Number((v >> 96n) & 0xffffffffn),
    Number((v >> 64n) & 0xffffffffn),
    Number((v >> 32n) & 0xffffffffn),
    Number(v & 0xffffffffn),
  ];
}

const V6_MAX = (1n << 128n) - 1n;

/**
 * Parses `addr/prefix` (or a bare address, as a /32 or /128). Host bits set below the prefix are
 * cleared (`10.1.2.3/8` is `10.0.0.0/8`). An IPv4-mapped IPv6 block of prefix ≥ 96 becomes the
 * IPv4 block. Returns null when malformed.
 */
export function parseCidr(text: string): Cidr | null {
  if (typeof text !== 'string') return null;
  const t = text.trim();
  const slash = t.indexOf('/');
  const addrText = slash < 0 ? t : t.slice(0, slash);
  const prefixText = slash < 0 ? null : t.slice(slash + 1);
  if (prefixText !== null && !/^\d{1,3}$/.test(prefixText)) return null;
  const ip = parseIp(addrText);
  if (!ip) return null;
  const isV6Text = addrText.includes(':');
  let prefix = prefixText === null ? (ip.version === 4 && !isV6Text ? 32 : 128) : Number(prefixText);
  if (ip.version === 4 && isV6Text) {
    // ::ffff:a.b.c.d/prefix, prefix in IPv6 terms.
    if (prefix > 128) return null;
    if (prefix < 96) {
      // Wider than the mapped block: keep it as IPv6 (it covers ::ffff:0:0/96 and more).
      const v = ipv6ToBigInt(0, 0, 0xffff, ip.value);
      return v6Block(v, prefix);
    }
    prefix -= 96;
  }
  if (ip.version === 4) {
    if (prefix > 32) return null;
    const size = 2 ** (32 - prefix);
    const start = ip.value - (ip.value % size);
    return { version: 4, start, end: start + size - 1, prefix };
  }
  if (prefix > 128) return null;
  return v6Block(ipv6ToBigInt(ip.w0, ip.w1, ip.w2, ip.w3), prefix);
}

function v6Block(v: bigint, prefix: number): Cidr {
  const hostMask = prefix === 128 ? 0n : V6_MAX >> BigInt(prefix);
  const start = v & (V6_MAX ^ hostMask);
  return { version: 6, start, end: start | hostMask, prefix };
}

/**
 * The largest CIDR block that contains `value` and lies inside the inclusive range [start, end]
 * (an address range need not be a single block): its prefix length. `bits` is 32 or 128. The
 * block grows with its host bits until it leaves the range, so a binary search finds the edge.
 */
export function blockInRange(value: bigint, start: bigint, end: bigint, bits: number): number {
  let lo = 0; // host bits known to fit
  let hi = bits;
  while (lo < hi) {
    const k = (lo + hi + 1) >> 1;
    const size = 1n << BigInt(k);
    const blockStart = value - (value % size);
    if (blockStart >= start && blockStart + size - 1n <= end) lo = k;
    else hi = k - 1;
  }
  return bits - lo;
}

/** blockInRange for IPv4 with plain numbers: [block start, prefix]. */
export function blockInRange4(value: number, start: number, end: number): [number, number] {
  let lo = 0;
  let hi = 32;
  while (lo < hi) {
    const k = (lo + hi + 1) >> 1;
    const size = 2 ** k;
    const blockStart = value - (value % size);
    if (blockStart >= start && blockStart + size - 1 <= end) lo = k;
    else hi = k - 1;
  }
  const size = 2 ** lo;
  return [value - (value % size), 32 - lo];
}

export function formatCidr4(start: number, prefix: number): string {
  return `${formatIpv4(start)}/${prefix}`;
}

export function formatCidr6(start: bigint, prefix: number): string {
  const [a, b, c, d] = bigIntToWords(start);
  return `${formatIpv6(a, b, c, d)}/${prefix}`;
}
