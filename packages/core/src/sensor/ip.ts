/**
 * IP address validation with the grammar of PHP's FILTER_VALIDATE_IP (what tirreno accepts)
 * and one canonical text per address, so the same address is always the same entity row.
 * Written here rather than taken from a library: libraries accept forms PHP rejects (octal or
 * short IPv4, zone ids) and we must reject exactly what tirreno rejects.
 */

const IPV4_OCTET = '(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])';
/** Dotted quad without leading zeros: `8.8.8.08` is invalid, as in PHP (no octal guessing). */
const IPV4 = new RegExp(`^${IPV4_OCTET}(?:\\.${IPV4_OCTET}){3}$`);
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;

export function isIpv4(s: string): boolean {
  return IPV4.test(s);
}

function ipv4Groups(s: string): [number, number] {
  const [a, b, c, d] = s.split('.').map(Number) as [number, number, number, number];
  return [(a << 8) | b, (c << 8) | d];
}

function parseHexGroups(part: string): number[] | null {
  if (part === '') return [];
  const groups: number[] = [];
  for (const g of part.split(':')) {
    if (!HEX_GROUP.test(g)) return null;
    groups.push(Number.parseInt(g, 16));
  }
  return groups;
}

/** The eight 16-bit groups of an IPv6 address, or null when PHP would reject it. */
export function parseIpv6(s: string): number[] | null {
  const lastColon = s.lastIndexOf(':');
  if (lastColon < 0) return null;
  let head = s;
  let tail: number[] = [];
  const dot = s.indexOf('.');
  if (dot >= 0) {
    // An embedded IPv4 address may only be the last 32 bits.
    if (dot < lastColon || !isIpv4(s.slice(lastColon + 1))) return null;
    tail = ipv4Groups(s.slice(lastColon + 1));
    head = s.slice(0, lastColon + 1);
    // Keep the colon before the IPv4 part only when it belongs to a `::`.
    if (!head.endsWith('::')) head = head.slice(0, -1);
    if (head === '') return null;
  }
  const halves = head.split('::');
  if (halves.length > 2) return null;
  const left = parseHexGroups(halves[0]!);
  const right = halves.length === 2 ? parseHexGroups(halves[1]!) : [];
  if (left === null || right === null) return null;
  const explicit = left.length + right.length + tail.length;
  if (halves.length === 1) return explicit === 8 ? [...left, ...tail] : null;
  // `::` stands for at least one zero group.
  if (explicit > 7) return null;
  return [...left, ...new Array<number>(8 - explicit).fill(0), ...right, ...tail];
}

/**
 * RFC 5952 text: lowercase, no leading zeros, the longest run (≥ 2) of zero groups as `::`.
 * IPv4-mapped addresses keep their dotted tail (`::ffff:1.2.3.4`) so that enrichment and
 * operators can still read the IPv4 address in them.
 */
export function formatIpv6(groups: readonly number[]): string {
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    const [hi, lo] = [groups[6]!, groups[7]!];
    return `::ffff:${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
  }
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

/** Canonical text of a valid IPv4 or IPv6 address, or null when it is not one. */
export function canonicalIp(s: string): string | null {
  if (isIpv4(s)) return s;
  const groups = parseIpv6(s);
  return groups === null ? null : formatIpv6(groups);
}
