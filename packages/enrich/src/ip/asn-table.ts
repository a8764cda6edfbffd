/**
 * IP → autonomous system, from range CSV files in the ip-location-db layout:
 * `range_start,range_end,asn,organisation` (addresses or, for IPv4, decimal numbers; inclusive
 * bounds; the organisation may be quoted). The announced network of an address is the largest
 * CIDR block inside its range that contains it.
 */
import {
  blockInRange,
  blockInRange4,
  formatCidr4,
  formatCidr6,
  type IpAddress,
  ipv6ToBigInt,
  parseIp,
} from './address.ts';
import { DisjointRangesBuilder, type RangeTable } from './ranges.ts';

export interface AsnRecord {
  asn: number;
  name: string | null;
  network: string;
}

export class AsnTable {
  constructor(
    private readonly table: RangeTable,
    private readonly asns: Uint32Array,
    private readonly nameIds: Int32Array,
    private readonly names: readonly string[],
  ) {}

  get size(): number {
    return this.table.size;
  }

  lookup(ip: IpAddress): AsnRecord | null {
    if (ip.version === 4) {
      const i = this.table.v4.find(ip.value);
      if (i < 0) return null;
      const row = this.table.v4.payload[i]!;
      const start = this.table.v4.starts[i]!;
      const end = this.table.v4.ends[i]!;
      const [blockStart, prefix] = blockInRange4(ip.value, start, end);
      return this.record(row, formatCidr4(blockStart, prefix));
    }
    const i = this.table.v6.find(ip.w0, ip.w1, ip.w2, ip.w3);
    if (i < 0) return null;
    const row = this.table.v6.payload[i]!;
    const v = ipv6ToBigInt(ip.w0, ip.w1, ip.w2, ip.w3);
    const prefix = blockInRange(v, this.table.v6.startBigInt(i), this.table.v6.endBigInt(i), 128);
    const size = 1n << BigInt(128 - prefix);
    return this.record(row, formatCidr6(v - (v % size), prefix));
  }

  private record(row: number, network: string): AsnRecord {
    const nameId = this.nameIds[row]!;
    return { asn: this.asns[row]!, name: nameId < 0 ? null : this.names[nameId]!, network };
  }
}

/** A decimal number of at most 15 digits in buf[from, to), or -1. */
function readDecimal(buf: Uint8Array, from: number, to: number): number {
  if (to <= from || to - from > 15) return -1;
  let v = 0;
  for (let i = from; i < to; i++) {
    const c = buf[i]! - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

export class DataFormatError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    reason: string,
  ) {
    super(`${file}:${line}: ${reason}`);
    this.name = 'DataFormatError';
  }
}

/** Accumulates ASN CSV files (IPv4 and IPv6, any order) into one table. */
export class AsnTableBuilder {
  private readonly ranges = new DisjointRangesBuilder();
  private asns = new Uint32Array(1 << 16);
  private nameIds = new Int32Array(1 << 16);
  private rows = 0;
  private readonly names: string[] = [];
  private readonly nameIndex = new Map<string, number>();

  /**
   * Parses one CSV file; throws DataFormatError on the first malformed line. Works on bytes so
   * that the organisation names are fresh strings, not slices that pin the whole file in memory.
   */
  addCsv(data: Uint8Array | string, file: string): number {
    const buf =
      typeof data === 'string'
        ? Buffer.from(data, 'utf8')
        : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    let pos = 0;
    let line = 0;
    const len = buf.length;
    const before = this.rows;
    while (pos < len) {
      let eol = buf.indexOf(10, pos);
      if (eol < 0) eol = len;
      line++;
      let end = eol;
      if (end > pos && buf[end - 1] === 13) end--;
      if (end > pos && buf[pos] !== 35) this.addLine(buf, pos, end, file, line);
      pos = eol + 1;
    }
    return this.rows - before;
  }

  private addLine(buf: Buffer, from: number, to: number, file: string, line: number): void {
    const c1 = buf.indexOf(44, from);
    const c2 = c1 < 0 || c1 >= to ? -1 : buf.indexOf(44, c1 + 1);
    if (c1 < 0 || c2 < 0 || c1 >= to || c2 >= to)
      throw new DataFormatError(file, line, 'expected start,end,asn,name');
    let c3 = buf.indexOf(44, c2 + 1);
    if (c3 < 0 || c3 > to) c3 = to;
    const asn = readDecimal(buf, c2 + 1, c3);
    if (asn < 0 || asn > 0xffffffff) {
      if (line === 1) return; // a header line
      throw new DataFormatError(file, line, `bad ASN "${buf.toString('latin1', c2 + 1, c3)}"`);
    }
    let name: string | null = null;
    if (c3 < to) {
      let a = c3 + 1;
      let b = to;
      if (b - a >= 2 && buf[a] === 34 && buf[b - 1] === 34) {
        a++;
        b--;
      }
      name = buf.toString('utf8', a, b).trim();
      if (name.includes('""')) name = name.replaceAll('""', '"');
      if (name === '') name = null;
    }
    const sNum = readDecimal(buf, from, c1);
    const eNum = readDecimal(buf, c1 + 1, c2);
    if (sNum >= 0 && eNum >= 0 && eNum <= 0xffffffff && !/ipv6/i.test(file)) {
      if (sNum > eNum) throw new DataFormatError(file, line, 'range start after end');
      this.ranges.add4(sNum, eNum, this.pushRow(asn, name));
      return;
    }
    const startText = buf.toString('latin1', from, c1);
    const endText = buf.toString('latin1', c1 + 1, c2);
    if (startText.includes(':') || endText.includes(':') || startText.includes('.')) {
      const s = parseIp(startText);
      const e = parseIp(endText);
      if (s && e && s.version === 4 && e.version === 4 && s.value <= e.value) {
        // Dotted IPv4, or an IPv4-mapped IPv6 range (unwrapped by parseIp).
        this.ranges.add4(s.value, e.value, this.pushRow(asn, name));
        return;
      }
      if (s && e && s.version === 6 && e.version === 6) {
        if (ipv6ToBigInt(s.w0, s.w1, s.w2, s.w3) <= ipv6ToBigInt(e.w0, e.w1, e.w2, e.w3)) {
          this.ranges.add6([s.w0, s.w1, s.w2, s.w3], [e.w0, e.w1, e.w2, e.w3], this.pushRow(asn, name));
          return;
        }
      }
      throw new DataFormatError(file, line, `bad range "${startText},${endText}"`);
    }
    // Large decimal bounds: the IPv6 "-num" files.
    if (!/^\d{1,39}$/.test(startText) || !/^\d{1,39}$/.test(endText)) {
      if (line === 1) return; // a header line
      throw new DataFormatError(file, line, `bad range "${startText},${endText}"`);
    }
    const s = BigInt(startText);
    const e = BigInt(endText);
    if (s > e) throw new DataFormatError(file, line, 'range start after end');
    if (e >= 1n << 128n) throw new DataFormatError(file, line, 'range beyond IPv6');
    this.ranges.add6BigInt(s, e, this.pushRow(asn, name));
  }

  private pushRow(asn: number, name: string | null): number {
    if (this.rows === this.asns.length) {
      const a = new Uint32Array(this.rows * 2);
      a.set(this.asns);
      this.asns = a;
      const n = new Int32Array(this.rows * 2);
      n.set(this.nameIds);
      this.nameIds = n;
    }
    let nameId = -1;
    if (name !== null) {
      const known = this.nameIndex.get(name);
      if (known === undefined) {
        nameId = this.names.length;
        this.names.push(name);
        this.nameIndex.set(name, nameId);
      } else {
        nameId = known;
      }
    }
    const row = this.rows++;
    this.asns[row] = asn;
    this.nameIds[row] = nameId;
    return row;
  }

  finish(): AsnTable {
    return new AsnTable(
      this.ranges.finish(),
      this.asns.slice(0, this.rows),
      this.nameIds.slice(0, this.rows),
      this.names,
    );
  }
}
