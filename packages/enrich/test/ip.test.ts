import assert from 'node:assert/strict';
import { isIP } from 'node:net';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DataFormatError, loadBundledData, loadDataDir, parseAddressList } from '../src/data.ts';
import { blockInRange, blockInRange4, formatIp, parseCidr, parseIp } from '../src/ip/address.ts';
import { ipFacts } from '../src/ip/facts.ts';
import { IpSet } from '../src/ip/ranges.ts';
import { isLocalIp } from '../src/ip/reserved.ts';

const FIXTURES = fileURLToPath(new URL('./fixtures/operator-files/', import.meta.url));
const data = loadBundledData();
const facts = (ip: string) => ipFacts(data, parseIp(ip));

describe('parseIp / formatIp', () => {
  const cases: [string, string | null][] = [
    ['8.8.8.8', '8.8.8.8'],
    ['0.0.0.0', '0.0.0.0'],
    ['255.255.255.255', '255.255.255.255'],
    [' 1.2.3.4 ', '1.2.3.4'],
    ['01.2.3.4', null],
    ['256.1.1.1', null],
    ['1.2.3', null],
    ['1.2.3.4.', null],
    ['1..2.3', null],
    ['', null],
    ['::', '::'],
    ['::1', '::1'],
    ['2001:4860:4860::8888', '2001:4860:4860::8888'],
    ['2001:4860:4860:0:0:0:0:8888', '2001:4860:4860::8888'],
    ['2001:0DB8::1', '2001:db8::1'],
    ['1:0:0:2:0:0:3:4', '1::2:0:0:3:4'],
    ['fe80::1%eth0', 'fe80::1'],
    ['[2001:db8::1]', '2001:db8::1'],
    ['::ffff:8.8.8.8', '8.8.8.8'],
    ['::ffff:0808:0808', '8.8.8.8'],
    ['0:0:0:0:0:ffff:10.0.0.1', '10.0.0.1'],
    ['::8.8.8.8', '::808:808'],
    ['1:2:3:4:5:6:7:8:9', null],
    ['1::2::3', null],
    [':1::', null],
    ['1:2:3:4:5:6:7::', '1:2:3:4:5:6:7:0'],
    ['12345::', null],
    ['::ffff:1.2.3', null],
    ['garbage', null],
  ];
  for (const [input, expected] of cases) {
    test(JSON.stringify(input), () => {
      const ip = parseIp(input);
      assert.equal(ip ? formatIp(ip) : null, expected);
    });
  }

  test('agrees with node:net isIP on random and mutated inputs', () => {
    let seed = 42;
    const rnd = (n: number) => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) % n;
    };
    const alphabet = '0123456789abcdefABCDEF:.%/[] x';
    for (let i = 0; i < 20000; i++) {
      let s = '';
      const len = rnd(24);
      for (let k = 0; k < len; k++) s += alphabet[rnd(alphabet.length)];
      const ours = parseIp(s) !== null;
      // node accepts zone ids; we accept them too but node rejects brackets, spaces and '/'.
      if (/[[\] /]/.test(s) || s.includes('%')) continue;
      assert.equal(ours, isIP(s) !== 0, `disagree on ${JSON.stringify(s)}`);
    }
  });
});

describe('parseCidr', () => {
  test('clears host bits and keeps the prefix', () => {
    const c = parseCidr('10.1.2.3/8');
    assert.deepEqual(c, { version: 4, start: 0x0a000000, end: 0x0affffff, prefix: 8 });
    const v6 = parseCidr('2001:db8::1/32');
    assert.equal(v6?.version, 6);
    assert.equal(v6?.prefix, 32);
    assert.equal(parseCidr('::ffff:10.0.0.0/104')?.version, 4);
    assert.equal(parseCidr('1.2.3.4/33'), null);
    assert.equal(parseCidr('1.2.3.4/'), null);
    assert.equal(parseCidr('1.2.3.4/-1'), null);
  });
});

describe('announced network of an address inside a range', () => {
  const v4 = (ip: string) => (parseIp(ip) as { value: number }).value;
  test('the largest aligned block inside the range', () => {
    // 1.0.128.0 - 1.0.196.255 is not one CIDR block.
    assert.deepEqual(blockInRange4(v4('1.0.130.5'), v4('1.0.128.0'), v4('1.0.196.255')), [
      v4('1.0.128.0'),
      18,
    ]);
    assert.deepEqual(blockInRange4(v4('1.0.195.1'), v4('1.0.128.0'), v4('1.0.196.255')), [
      v4('1.0.192.0'),
      22,
    ]);
    assert.deepEqual(blockInRange4(v4('1.0.196.7'), v4('1.0.128.0'), v4('1.0.196.255')), [
      v4('1.0.196.0'),
      24,
    ]);
    assert.deepEqual(blockInRange4(v4('0.0.0.1'), 0, 0xffffffff), [0, 0]);
    assert.deepEqual(blockInRange4(v4('9.9.9.9'), v4('9.9.9.9'), v4('9.9.9.9')), [v4('9.9.9.9'), 32]);
    assert.equal(
      blockInRange(
        0x20010db8000000000000000000000001n,
        0x20010db8000000000000000000000000n,
        0x20010db8ffffffffffffffffffffffffn,
        128,
      ),
      32,
    );
    assert.equal(blockInRange(5n, 5n, 5n, 128), 128);
  });
});

describe('local and reserved ranges (spec §1.6, mapped addresses by their IPv4 part)', () => {
  const local = [
    '0.0.0.0',
    '10.0.0.1',
    '10.255.255.255',
    '100.64.0.1',
    '127.0.0.1',
    '169.254.1.1',
    '172.16.0.1',
    '172.31.255.255',
    '192.0.0.8',
    '192.0.2.1',
    '192.168.1.1',
    '198.18.0.1',
    '198.51.100.7',
    '203.0.113.9',
    '224.0.0.1',
    '240.0.0.1',
    '255.255.255.255',
    '::',
    '::1',
    '::0.0.0.1',
    '100::1',
    '2001:10::1',
    '2001:db8::1',
    'fc00::1',
    'fd12:3456::1',
    'fe80::1',
    'fec0::1',
    'ff02::1',
    '::ffff:10.0.0.1',
    '::ffff:192.168.0.1',
  ];
  const publicIps = [
    '8.8.8.8',
    '1.1.1.1',
    '172.32.0.1',
    '100.128.0.1',
    '2001:4860:4860::8888',
    '::ffff:8.8.8.8',
  ];
  for (const ip of local) {
    test(`${ip} is local`, () => {
      assert.equal(isLocalIp(parseIp(ip)!), true);
      const f = facts(ip);
      assert.equal(f.local, true);
      assert.equal(f.country, null);
      assert.equal(f.asn, null);
      assert.equal(f.datacenter, false);
      assert.equal(f.tor, false);
    });
  }
  for (const ip of publicIps) {
    test(`${ip} is public`, () => assert.equal(isLocalIp(parseIp(ip)!), false));
  }
});

describe('country, ASN and network from the shipped data', () => {
  const cases: {
    ip: string;
    asn: number;
    country?: string;
    network?: string;
    datacenter?: boolean;
    starlink?: boolean;
  }[] = [
    { ip: '8.8.8.8', asn: 15169, country: 'US', network: '8.8.8.0/24', datacenter: true },
    { ip: '1.1.1.1', asn: 13335, network: '1.1.1.0/24', datacenter: true },
    { ip: '2001:4860:4860::8888', asn: 15169, country: 'US' },
    { ip: '::ffff:8.8.8.8', asn: 15169, country: 'US', network: '8.8.8.0/24' },
    // AWS EC2 (eu-central-1) address: AS16509.
    { ip: '3.120.0.1', asn: 16509, datacenter: true },
    // DigitalOcean droplet ranges: AS14061.
    { ip: '104.131.0.1', asn: 14061, datacenter: true },
    { ip: '167.99.0.1', asn: 14061, datacenter: true },
    // Hetzner Online: AS24940, IPv4 and IPv6.
    { ip: '88.198.0.1', asn: 24940, country: 'DE', datacenter: true },
    { ip: '2a01:4f8::1', asn: 24940, datacenter: true },
    // Starlink customer ranges announced by AS14593.
    { ip: '98.97.0.1', asn: 14593, starlink: true, datacenter: false },
    { ip: '2605:59c8::1', asn: 14593, starlink: true },
  ];
  for (const c of cases) {
    test(c.ip, () => {
      const f = facts(c.ip);
      assert.equal(f.local, false);
      assert.equal(f.asn, c.asn);
      assert.ok(f.asName, 'AS name known');
      assert.match(f.network ?? '', /\/\d+$/);
      assert.match(f.country ?? '', /^[A-Z]{2}$/);
      if (c.country) assert.equal(f.country, c.country);
      if (c.network) assert.equal(f.network, c.network);
      if (c.datacenter !== undefined) assert.equal(f.datacenter, c.datacenter);
      assert.equal(f.starlink, c.starlink ?? false);
      assert.equal(f.sources.asn?.date, '2026-06-17');
      assert.ok(f.sources.country?.source.includes('geo-whois-asn-country'));
      // No TOR/relay/VPN data is shipped: unknown, not false.
      assert.equal(f.tor, null);
      assert.equal(f.relay, null);
      assert.equal(f.vpn, null);
    });
  }

  test('a residential address is not a datacenter', () => {
    // Deutsche Telekom (AS3320) dial-up/DSL space.
    const f = facts('84.128.0.1');
    assert.equal(f.asn, 3320);
    assert.equal(f.datacenter, false);
  });

  test('an invalid string yields unknown facts', () => {
    const f = ipFacts(data, parseIp('not an ip'));
    assert.equal(f.local, false);
    assert.equal(f.country, null);
    assert.equal(f.datacenter, null);
  });
});

describe('operator address lists', () => {
  test('TOR, relay and VPN flags from a data directory, with their dates', async () => {
    const d = await loadDataDir(FIXTURES, { base: data });
    const f = (ip: string) => ipFacts(d, parseIp(ip));
    assert.equal(f('185.220.101.34').tor, true);
    assert.equal(f('204.8.96.100').tor, true, 'exit-addresses format');
    assert.equal(f('2001:67c:e60:c0c:192:42:116:16').tor, true);
    assert.equal(f('::ffff:185.220.101.34').tor, true);
    assert.equal(f('185.220.101.35').tor, false);
    assert.equal(f('185.220.101.34').sources.tor?.date, '2026-06-01');
    assert.equal(f('172.224.226.5').relay, true);
    assert.equal(f('2a02:26f7:b3c0:4000::1234').relay, true);
    assert.equal(f('172.224.226.40').relay, false);
    assert.equal(f('146.70.12.1').vpn, true);
    assert.equal(f('146.70.12.1').sources.vpn?.date, '2026-05-20');
    assert.equal(f('8.8.8.8').vpn, false);
    // The operator's datacenter-asns.txt (Hetzner only) replaced the shipped list.
    assert.equal(f('88.198.0.1').datacenter, true);
    assert.equal(f('8.8.8.8').datacenter, false);
    assert.equal(f('8.8.8.8').sources.datacenter?.date, '2026-06-02');
    assert.deepEqual(d.ignoredFiles, []);
  });

  test('address lists: CSV with a header, comments, and a bad line with its number', () => {
    const set = parseAddressList(
      '# egress\nip_prefix,country,region,city\n172.224.226.0/27,GB,GB-EN,London,\n',
      'a.csv',
    );
    assert.equal(set.entries, 1);
    assert.equal(set.has(parseIp('172.224.226.31')!), true);
    assert.throws(
      () => parseAddressList('1.2.3.4\n\n# x\n1.2.3.400\n', 'tor-exits.txt'),
      (e: unknown) => e instanceof DataFormatError && e.line === 4 && e.file === 'tor-exits.txt',
    );
  });

  test('IpSet merges overlapping and adjacent ranges', () => {
    const r = (a: string) => {
      const c = parseCidr(a)!;
      return c.version === 4
        ? { version: 4 as const, start: BigInt(c.start), end: BigInt(c.end) }
        : { version: 6 as const, start: c.start, end: c.end };
    };
    const set = IpSet.from([r('10.0.0.0/24'), r('10.0.1.0/24'), r('10.0.0.128/25'), r('2001:db8::/64')]);
    assert.equal(set.table.v4.size, 1);
    assert.equal(set.has(parseIp('10.0.1.255')!), true);
    assert.equal(set.has(parseIp('10.0.2.0')!), false);
    assert.equal(set.has(parseIp('2001:db8::ffff')!), true);
    assert.equal(set.has(parseIp('2001:db8:0:1::')!), false);
  });
});
