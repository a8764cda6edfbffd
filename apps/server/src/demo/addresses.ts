import { formatIpv6 } from '@vigil/core';
import type { Rng } from './rng.ts';

function parseV4Cidr(cidr: string): { base: number; size: number } {
  const [addr, len] = cidr.split('/') as [string, string];
  const base = addr.split('.').reduce((acc, octet) => acc * 256 + Number(octet), 0);
  return { base, size: 2 ** (32 - Number(len)) };
}

/** A host address inside an IPv4 range (never one ending in .0 or .255). */
export function randomV4(rng: Rng, cidr: string): string {
  const { base, size } = parseV4Cidr(cidr);
  for (;;) {
    const n = base + rng.int(size);
    const last = n % 256;
    if (last === 0 || last === 255) continue;
    return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, last].join('.');
  }
}

function parseV6Prefix(prefix: string): { groups: number[]; len: number } {
  const [addr, len] = prefix.split('/') as [string, string];
  const [head = '', tail = ''] = addr.split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const zeros = new Array<string>(8 - headGroups.length - tailGroups.length).fill('0');
  const groups = [...headGroups, ...zeros, ...tailGroups].map((g) => Number.parseInt(g, 16));
  return { groups, len: Number(len) };
}

/** A random /64 inside the prefix (a household's network): its first four groups. */
export function randomV6Network(rng: Rng, prefix: string): number[] {
  const { groups, len } = parseV6Prefix(prefix);
  const network: number[] = [];
  for (let g = 0; g < 4; g++) {
    const fixedBits = Math.max(0, Math.min(16, len - 16 * g));
    const fixedMask = fixedBits === 0 ? 0 : (0xffff << (16 - fixedBits)) & 0xffff;
    network.push((groups[g]! & fixedMask) | (rng.int(0x10000) & ~fixedMask & 0xffff));
  }
  return network;
}

/** An address in the /64 with a random (privacy-extension style) interface identifier. */
export function randomV6Address(rng: Rng, network: readonly number[]): string {
  const iid = [rng.int(0x10000) | 0x100, rng.int(0x10000), rng.int(0x10000), rng.int(0x10000) | 1];
  return formatIpv6([...network, ...iid]);
}
