// The client's address behind proxies: X-Forwarded-For is believed only from trusted hops.

/**
 * Which proxies to believe:
 * - `false` / absent: the socket address, headers ignored (the safe default);
 * - `true`: every hop, so the left-most X-Forwarded-For entry (only when the app is reachable
 *   through the proxy alone);
 * - a number n: the n hops nearest to the app are proxies;
 * - addresses, CIDRs or the names `loopback`, `linklocal`, `uniquelocal` (a list or a
 *   comma-separated string): hops from those addresses are proxies;
 * - a function `(address, hop) => boolean`.
 */
export type TrustProxy = boolean | number | string | string[] | ((address: string, hop: number) => boolean);

const PRESETS: Record<string, string[]> = {
  loopback: ['127.0.0.0/8', '::1/128'],
  linklocal: ['169.254.0.0/16', 'fe80::/10'],
  uniquelocal: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
};

/** Bytes of an IPv4 (4) or IPv6 (16) address; undefined when it is neither. */
export function parseIp(text: string): number[] | undefined {
  const s = normalizeIp(text);
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(s)) {
    const parts = s.split('.').map(Number);
    return parts.every((p) => p <= 255) ? parts : undefined;
  }
  if (!s.includes(':') || !/^[0-9a-f:.]+$/i.test(s)) return undefined;
  let head = s;
  let tail: number[] = [];
  const v4 = /:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(s);
  if (v4) {
    const bytes = parseIp(v4[1]!);
    if (!bytes) return undefined;
    tail = bytes;
    head = `${s.slice(0, v4.index + 1)}0:0`;
  }
  const halves = head.split('::');
  if (halves.length > 2) return undefined;
  const groups = (part: string | undefined) => (part ? part.split(':') : []);
  const left = groups(halves[0]);
  const right = groups(halves[1]);
  const missing = 8 - left.length - right.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const all = [...left, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...right];
  const bytes: number[] = [];
  for (const g of all) {
    if (!/^[0-9a-f]{1,4}$/i.test(g)) return undefined;
    const n = Number.parseInt(g, 16);
    bytes.push(n >> 8, n & 255);
  }
  if (tail.length) bytes.splice(12, 4, ...tail);
  return bytes;
}

/**
 * The address as the event should carry it: brackets, zone, IPv4 port stripped, and IPv4-mapped
 * IPv6 (`::ffff:1.2.3.4`, what dual-stack sockets report) back to IPv4.
 */
export function normalizeIp(text: string): string {
  let s = text.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(s);
  if (bracketed) s = bracketed[1]!;
  else if (/^\d{1,3}(\.\d{1,3}){3}:\d+$/.test(s)) s = s.slice(0, s.lastIndexOf(':'));
  s = s.replace(/%.*$/, '');
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(s);
  return mapped ? mapped[1]! : s;
}

function matcher(list: string[]): (address: string) => boolean {
  const ranges: Array<{ bytes: number[]; bits: number }> = [];
  for (const item of list.flatMap((x) => PRESETS[x.trim()] ?? [x.trim()])) {
    if (!item) continue;
    const [addr, len] = item.split('/');
    const bytes = parseIp(addr!);
    if (!bytes) throw new TypeError(`trustProxy: not an address or CIDR: ${item}`);
    const bits = len === undefined ? bytes.length * 8 : Number(len);
    if (!(bits >= 0 && bits <= bytes.length * 8)) throw new TypeError(`trustProxy: bad prefix: ${item}`);
    ranges.push({ bytes, bits });
  }
  return (address) => {
    const bytes = parseIp(address);
    if (!bytes) return false;
    return ranges.some((r) => {
      if (r.bytes.length !== bytes.length) return false;
      for (let bit = 0; bit < r.bits; bit += 8) {
        const mask = (0xff << (8 - Math.min(8, r.bits - bit))) & 0xff;
        if ((r.bytes[bit / 8]! & mask) !== (bytes[bit / 8]! & mask)) return false;
      }
      return true;
    });
  };
}

/** Compiles a TrustProxy setting into a function of (address, hop): is that hop a trusted proxy? */
export function compileTrust(trust: TrustProxy | undefined): (address: string, hop: number) => boolean {
  if (typeof trust === 'function') return trust;
  if (trust === true) return () => true;
  if (typeof trust === 'number') return (_a, hop) => hop < trust;
  if (typeof trust === 'string' || Array.isArray(trust)) {
    const match = matcher(typeof trust === 'string' ? trust.split(',') : trust);
    return (address) => match(address);
  }
  return () => false;
}

/**
 * The client address: starting from the socket, step left through X-Forwarded-For while the
 * current hop is a trusted proxy.
 */
export function clientIp(
  socketAddress: string | undefined,
  forwardedFor: string | string[] | undefined,
  trusted: (address: string, hop: number) => boolean,
): string {
  const chain = [socketAddress ?? ''];
  const header = Array.isArray(forwardedFor) ? forwardedFor.join(',') : (forwardedFor ?? '');
  const hops = header
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean)
    .reverse();
  chain.push(...hops);
  let i = 0;
  while (i < chain.length - 1 && trusted(normalizeIp(chain[i]!), i)) i++;
  return normalizeIp(chain[i]!);
}
