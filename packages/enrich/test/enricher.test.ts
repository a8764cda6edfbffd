import assert from 'node:assert/strict';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DataFormatError, dataFromFiles, emptyData, loadBundledData, loadDataDir } from '../src/data.ts';
import { createEnricher, createOfflineProvider } from '../src/enricher.ts';

const FIXTURES = fileURLToPath(new URL('./fixtures/operator-files/', import.meta.url));
const data = loadBundledData();

describe('createEnricher', () => {
  test('enriches a whole event', () => {
    const enricher = createEnricher({ data, defaultPhoneCountry: 'US' });
    const r = enricher.enrich({
      ipAddress: '8.8.8.8',
      userAgent:
        'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
      emailAddress: 'someone@mailinator.com',
      phoneNumber: '415 555 2671',
    });
    assert.equal(r.ip.country, 'US');
    assert.equal(r.ip.asn, 15169);
    assert.equal(r.userAgent?.browserName, 'Chrome');
    assert.equal(r.email?.disposable, true);
    assert.equal(r.domain?.domain, 'mailinator.com');
    assert.equal(r.phone?.e164, '+14155552671');
    assert.ok(Object.isFrozen(r.ip));
  });

  test('missing parts are null; the phone country can be given per event', () => {
    const enricher = createEnricher({ data });
    const r = enricher.enrich({
      ipAddress: '10.0.0.1',
      userAgent: null,
      emailAddress: null,
      phoneNumber: '030 1234567',
    });
    assert.equal(r.ip.local, true);
    assert.equal(r.userAgent, null);
    assert.equal(r.email, null);
    assert.equal(r.domain, null);
    assert.equal(r.phone?.valid, false, 'no default country');
    const de = enricher.enrich(
      { ipAddress: '10.0.0.1', userAgent: null, emailAddress: null, phoneNumber: '030 1234567' },
      { phoneCountry: 'DE' },
    );
    assert.equal(de.phone?.country, 'DE');
  });

  test('never throws, whatever strings (or non-strings) it is given', () => {
    const enricher = createEnricher({ data, cacheSize: { ip: 500, userAgent: 500, email: 500, phone: 500 } });
    let seed = 7;
    const rnd = (n: number) => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) % n;
    };
    const pieces = [
      '1.2.3.4',
      '::ffff:',
      '::',
      '%',
      '@',
      '@@',
      '.',
      '..',
      '+',
      '00',
      '/',
      '[',
      ']',
      ',',
      '"',
      '\u0000',
      '\uD800',
      '😀',
      'é',
      'xn--',
      'Mozilla/5.0 (',
      'Chrome/',
      'bot',
      'gmail.com',
      '10.0.0.0/8',
      ' ',
      '\n',
      'ffff',
      '9'.repeat(40),
      'a'.repeat(300),
    ];
    const junk = () => {
      let s = '';
      const n = rnd(8);
      for (let i = 0; i < n; i++) s += pieces[rnd(pieces.length)];
      return s;
    };
    for (let i = 0; i < 3000; i++) {
      const r = enricher.enrich({
        ipAddress: junk(),
        userAgent: rnd(5) === 0 ? null : junk(),
        emailAddress: rnd(5) === 0 ? null : junk(),
        phoneNumber: rnd(5) === 0 ? null : junk(),
      });
      assert.equal(typeof r.ip.local, 'boolean');
    }
    const weird = [undefined, null, 42, {}, [], 'x'.repeat(100_000)] as unknown[];
    for (const w of weird) {
      enricher.enrich({ ipAddress: w, userAgent: w, emailAddress: w, phoneNumber: w } as never);
    }
    enricher.enrich(undefined as never);
    assert.equal(enricher.stats().errors, 0);
  });

  test('a throwing provider is answered as unknown, and counted', () => {
    const enricher = createEnricher({
      data: emptyData(),
      provider: (d) => ({
        ...createOfflineProvider(d),
        name: 'broken',
        ip: () => {
          throw new Error('boom');
        },
      }),
    });
    const r = enricher.enrich({
      ipAddress: '8.8.8.8',
      userAgent: null,
      emailAddress: null,
      phoneNumber: null,
    });
    assert.equal(r.ip.country, null);
    assert.equal(enricher.stats().errors, 1);
    assert.equal(enricher.stats().provider, 'broken');
  });

  test('caches are bounded and count hits', () => {
    const enricher = createEnricher({ data, cacheSize: { ip: 1000 } });
    for (let i = 0; i < 10_000; i++) enricher.ip(`11.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
    enricher.ip('11.0.0.1');
    const s = enricher.stats().caches.ip;
    assert.ok(s.size <= 1000, `size ${s.size}`);
    enricher.ip('8.8.4.4');
    enricher.ip('8.8.4.4');
    assert.ok(enricher.stats().caches.ip.hits >= 1);
  });
});

describe('data sets', () => {
  test('the bundled sources carry licence, date and attribution', () => {
    const ids = data.sources.map((s) => s.id);
    assert.deepEqual(ids, [
      'country',
      'asn',
      'datacenter-asns',
      'starlink-asns',
      'free-email',
      'disposable-email',
    ]);
    for (const s of data.sources) {
      assert.ok(s.licence, `${s.id} licence`);
      assert.ok(s.date || s.version, `${s.id} date or version`);
    }
    assert.match(data.sources.find((s) => s.id === 'asn')?.attribution ?? '', /DB-IP/);
  });

  test('loadDataDir + swapData: the running enricher answers from the new data at once', async () => {
    const enricher = createEnricher({ data });
    const before = enricher.ip('185.220.101.34');
    assert.equal(before.tor, null);
    const next = await loadDataDir(FIXTURES);
    assert.equal(data.tor, null, 'the old data set is not changed');
    enricher.swapData(next);
    const after = enricher.ip('185.220.101.34');
    assert.equal(after.tor, true);
    assert.equal(after.sources.tor?.source, 'tor-exit-addresses.txt + tor-exits.txt');
    assert.equal(after.sources.tor?.date, '2026-06-01');
    assert.equal(enricher.data, next);
    const ids = next.sources.map((s) => `${s.origin}:${s.id}`);
    assert.ok(ids.includes('operator:tor'));
    assert.ok(ids.includes('operator:relay'));
    assert.ok(ids.includes('operator:vpn'));
    assert.ok(ids.includes('operator:datacenter-asns'));
    assert.ok(!ids.includes('bundled:datacenter-asns'), 'replaced');
    assert.ok(ids.includes('bundled:asn'), 'kept');
  });

  test('a malformed data file is rejected with its line, and nothing is swapped', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vigil-data-'));
    try {
      await writeFile(join(dir, 'tor-exits.txt'), '185.220.101.34\n185.220.101.999\n');
      await assert.rejects(loadDataDir(dir, { base: data }), (err: unknown) => {
        assert.ok(err instanceof DataFormatError);
        assert.equal(err.file, 'tor-exits.txt');
        assert.equal(err.line, 2);
        return true;
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('an operator MaxMind-format database is asked first; unknown files are reported', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vigil-data-'));
    try {
      const require = createRequire(import.meta.url);
      const shipped = require.resolve(
        '@ip-location-db/geo-whois-asn-country-mmdb/geo-whois-asn-country-ipv4.mmdb',
      );
      await copyFile(shipped, join(dir, 'my-country.mmdb'));
      await writeFile(join(dir, 'notes.md'), 'hello');
      const d = await loadDataDir(dir, { base: data });
      assert.equal(d.countryDbs.length, 2);
      assert.deepEqual(d.ignoredFiles, ['notes.md']);
      const enricher = createEnricher({ data: d });
      assert.match(enricher.ip('8.8.8.8').sources.country?.source ?? '', /^my-country\.mmdb/);
      // The IPv4-only file has no IPv6: the shipped database answers.
      assert.match(
        enricher.ip('2001:4860:4860::8888').sources.country?.source ?? '',
        /geo-whois-asn-country/,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('newer ASN CSV files replace the shipped ASN table', () => {
    const d = dataFromFiles(
      [
        { name: 'asn-ipv4.csv', content: '8.8.8.0,8.8.8.255,64496,"Example, Inc."\n' },
        { name: 'asn-ipv6.csv', content: '2001:db9::,2001:db9:ffff:ffff:ffff:ffff:ffff:ffff,64497,Six\n' },
      ],
      data,
    );
    const e = createEnricher({ data: d });
    assert.equal(e.ip('8.8.8.8').asn, 64496);
    assert.equal(e.ip('8.8.8.8').asName, 'Example, Inc.');
    assert.equal(e.ip('2001:db9::1').asn, 64497);
    assert.equal(e.ip('1.1.1.1').asn, null, 'the shipped table is no longer used');
  });
});
