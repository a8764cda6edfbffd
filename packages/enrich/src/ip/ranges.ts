/**
 * Sorted, disjoint address ranges in typed arrays, searched by binary search: the structure
 * behind the ASN table, the TOR/relay/VPN sets and operator CIDR lists. IPv4 bounds are one
 * Uint32 each; IPv6 bounds are four Uint32 words (most significant first). Each range carries an
 * integer payload (an index into the owner's data).
 */
import { bigIntToWords, type IpAddress } from './address.ts';

export class Ranges4 {
  constructor(
    readonly starts: Uint32Array,
    readonly ends: Uint32Array,
    readonly payload: Int32Array,
  ) {}

  get size(): number {
    return this.starts.length;
  }

  /** Index of the range containing `value`, or -1. */
  find(value: number): number {
    const starts = this.starts;
    let lo = 0;
    let hi = starts.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (starts[mid]! <= value) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found >= 0 && this.ends[found]! >= value ? found : -1;
  }
}

function cmp6(arr: Uint32Array, i: number, w0: number, w1: number, w2: number, w3: number): number {
  const k = i * 4;
  let a = arr[k]!;
  if (a !== w0) return a < w0 ? -1 : 1;
  a = arr[k + 1]!;
  if (a !== w1) return a < w1 ? -1 : 1;
  a = arr[k + 2]!;
  if (a !== w2) return a < w2 ? -1 : 1;
  a = arr[k + 3]!;
  if (a !== w3) return a < w3 ? -1 : 1;
  return 0;
}

export class Ranges6 {
  constructor(
    /** 4 words per range. */
    readonly starts: Uint32Array,
    readonly ends: Uint32Array,
    readonly payload: Int32Array,
  ) {}

  get size(): number {
    return this.payload.length;
  }

  find(w0: number, w1: number, w2: number, w3: number): number {
    let lo = 0;
    let hi = this.payload.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (cmp6(this.starts, mid, w0, w1, w2, w3) <= 0) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found >= 0 && cmp6(this.ends, found, w0, w1, w2, w3) >= 0 ? found : -1;
  }

  startBigInt(i: number): bigint {
    return wordsToBigInt(this.starts, i);
  }
  endBigInt(i: number): bigint {
    return wordsToBigInt(this.ends, i);
  }
}

function wordsToBigInt(arr: Uint32Array, i: number): bigint {
  const k = i * 4;
  return (
    (BigInt(arr[k]!) << 96n) |
    (BigInt(arr[k + 1]!) << 64n) |
    (BigInt(arr[k + 2]!) << 32n) |
    BigInt(arr[k + 3]!)
  );
}

/** Both families together. */
export class RangeTable {
  static readonly EMPTY = new RangeTable(
    new Ranges4(new Uint32Array(0), new Uint32Array(0), new Int32Array(0)),
    new Ranges6(new Uint32Array(0), new Uint32Array(0), new Int32Array(0)),
  );

  constructor(
    readonly v4: Ranges4,
    readonly v6: Ranges6,
  ) {}

  get size(): number {
    return this.v4.size + this.v6.size;
  }

  /** The payload of the range containing `ip`, or -1. */
  payloadOf(ip: IpAddress): number {
    if (ip.version === 4) {
      const i = this.v4.find(ip.value);
      return i < 0 ? -1 : this.v4.payload[i]!;
    }
    const i = this.v6.find(ip.w0, ip.w1, ip.w2, ip.w3);
    return i < 0 ? -1 : this.v6.payload[i]!;
  }

  has(ip: IpAddress): boolean {
    return ip.version === 4 ? this.v4.find(ip.value) >= 0 : this.v6.find(ip.w0, ip.w1, ip.w2, ip.w3) >= 0;
  }
}

/** Appends ranges in any order; `finish()` sorts them if needed. Ranges must not overlap. */
export class DisjointRangesBuilder {
  private n4 = 0;
  private s4 = new Uint32Array(1024);
  private e4 = new Uint32Array(1024);
  private p4 = new Int32Array(1024);
  private sorted4 = true;
  private n6 = 0;
  private s6 = new Uint32Array(4 * 256);
  private e6 = new Uint32Array(4 * 256);
  private p6 = new Int32Array(256);
  private sorted6 = true;

  add4(start: number, end: number, payload: number): void {
    if (this.n4 === this.p4.length) {
      this.s4 = grow(this.s4);
      this.e4 = grow(this.e4);
      this.p4 = grow(this.p4);
    }
    const n = this.n4;
    if (n > 0 && this.s4[n - 1]! > start) this.sorted4 = false;
    this.s4[n] = start;
    this.e4[n] = end;
    this.p4[n] = payload;
    this.n4 = n + 1;
  }

  add6(start: readonly number[], end: readonly number[], payload: number): void {
    if (this.n6 === this.p6.length) {
      this.s6 = grow(this.s6);
      this.e6 = grow(this.e6);
      this.p6 = grow(this.p6);
    }
    const n = this.n6;
    if (n > 0 && cmp6(this.s6, n - 1, start[0]!, start[1]!, start[2]!, start[3]!) > 0) this.sorted6 = false;
    this.s6.set(start, n * 4);
    this.e6.set(end, n * 4);
    this.p6[n] = payload;
    this.n6 = n + 1;
  }

  add6BigInt(start: bigint, end: bigint, payload: number): void {
    this.add6(bigIntToWords(start), bigIntToWords(end), payload);
  }

  finish(): RangeTable {
    let s4 = this.s4.slice(0, this.n4);
    let e4 = this.e4.slice(0, this.n4);
    let p4 = this.p4.slice(0, this.n4);
    if (!this.sorted4) {
      const order = Array.from({ length: this.n4 }, (_, i) => i).sort((a, b) => s4[a]! - s4[b]!);
      s4 = Uint32Array.from(order, (i) => this.s4[i]!);
      e4 = Uint32Array.from(order, (i) => this.e4[i]!);
      p4 = Int32Array.from(order, (i) => this.p4[i]!);
    }
    let s6 = this.s6.slice(0, this.n6 * 4);
    let e6 = this.e6.slice(0, this.n6 * 4);
    let p6 = this.p6.slice(0, this.n6);
    if (!this.sorted6) {
      const src = s6;
      const order = Array.from({ length: this.n6 }, (_, i) => i).sort((a, b) =>
        cmp6(src, a, src[b * 4]!, src[b * 4 + 1]!, src[b * 4 + 2]!, src[b * 4 + 3]!),
      );
      const ns = new Uint32Array(this.n6 * 4);
      const ne = new Uint32Array(this.n6 * 4);
      const np = new Int32Array(this.n6);
      order.forEach((from, to) => {
        ns.set(this.s6.subarray(from * 4, from * 4 + 4), to * 4);
        ne.set(this.e6.subarray(from * 4, from * 4 + 4), to * 4);
        np[to] = this.p6[from]!;
      });
      s6 = ns;
      e6 = ne;
      p6 = np;
    }
    return new RangeTable(new Ranges4(s4, e4, p4), new Ranges6(s6, e6, p6));
  }
}

function grow<T extends Uint32Array | Int32Array>(a: T): T {
  const b = new (a.constructor as { new (n: number): T })(a.length * 2);
  b.set(a);
  return b;
}

/** A range that may overlap others, with the id of what it stands for. */
export interface TaggedRange {
  version: 4 | 6;
  start: bigint;
  end: bigint;
  id: number;
}

/**
 * Splits possibly overlapping ranges into disjoint segments. Each segment's payload is an index
 * into `groups`, the sorted list of ids covering it (identical lists are shared). For a plain set
 * (every id 0) adjacent and overlapping ranges merge into one.
 */
export function buildTaggedRanges(ranges: readonly TaggedRange[]): {
  table: RangeTable;
  groups: readonly (readonly number[])[];
} {
  const builder = new DisjointRangesBuilder();
  const groups: number[][] = [];
  const groupIndex = new Map<string, number>();
  for (const version of [4, 6] as const) {
    const family = ranges.filter((r) => r.version === version);
    if (family.length === 0) continue;
    // Boundary events: +id at start, -id at end + 1.
    const events: { at: bigint; id: number; delta: 1 | -1 }[] = [];
    for (const r of family) {
      events.push({ at: r.start, id: r.id, delta: 1 });
      events.push({ at: r.end + 1n, id: r.id, delta: -1 });
    }
    events.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
    const active = new Map<number, number>();
    let segStart: bigint | null = null;
    let segKey = '';
    const flush = (endExclusive: bigint) => {
      if (segStart === null || segKey === '') return;
      let g = groupIndex.get(segKey);
      if (g === undefined) {
        g = groups.length;
        groups.push(segKey.split(',').map(Number));
        groupIndex.set(segKey, g);
      }
      if (version === 4) builder.add4(Number(segStart), Number(endExclusive - 1n), g);
      else builder.add6BigInt(segStart, endExclusive - 1n, g);
    };
    let i = 0;
    while (i < events.length) {
      const at = events[i]!.at;
      while (i < events.length && events[i]!.at === at) {
        const e = events[i]!;
        const c = (active.get(e.id) ?? 0) + e.delta;
        if (c === 0) active.delete(e.id);
        else active.set(e.id, c);
        i++;
      }
      const key = [...active.keys()].sort((a, b) => a - b).join(',');
      if (key === segKey) continue; // same ids on both sides: the segment goes on (merge)
      flush(at);
      segStart = key === '' ? null : at;
      segKey = key;
    }
  }
  return { table: builder.finish(), groups };
}

/** A set of addresses (union of CIDR blocks and single addresses). */
export class IpSet {
  static readonly EMPTY = new IpSet(RangeTable.EMPTY, 0);

  constructor(
    readonly table: RangeTable,
    /** How many entries the source listed (before merging). */
    readonly entries: number,
  ) {}

  static from(ranges: readonly { version: 4 | 6; start: bigint; end: bigint }[]): IpSet {
    const { table } = buildTaggedRanges(ranges.map((r) => ({ ...r, id: 0 })));
    return new IpSet(table, ranges.length);
  }

  has(ip: IpAddress): boolean {
    return this.table.has(ip);
  }
}
