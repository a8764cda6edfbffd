import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { emptyData } from '../src/data.ts';
import { createEnricher } from '../src/enricher.ts';
import { parseIp } from '../src/ip/address.ts';
import { detectListKind, type ListEntry, ListIndex, parseListFile, splitCsvLine } from '../src/lists.ts';

describe('parseListFile', () => {
  test('plain text with comments, kinds detected per line', () => {
    const r = parseListFile(
      [
        '# fraud ring of May',
        '',
        '203.0.113.7',
        '198.51.100.0/24   # whole block',
        '2001:DB8::1',
        'AS200373',
        '64512',
        'Bad-Domain.example.',
        '*.burner.example',
        'Fraudster@Example.com',
        '+44 7400 123456',
      ].join('\n'),
      { label: 'May ring' },
    );
    assert.ok(r.ok, JSON.stringify(r));
    assert.deepEqual(
      r.entries.map((e) => [e.kind, e.value]),
      [
        ['ip', '203.0.113.7'],
        ['cidr', '198.51.100.0/24'],
        ['ip', '2001:db8::1'],
        ['asn', '200373'],
        ['asn', '64512'],
        ['domain', 'bad-domain.example'],
        ['domain', 'burner.example'],
        ['email', 'fraudster@example.com'],
        ['phone', '+447400123456'],
      ],
    );
    assert.ok(r.entries.every((e) => e.label === 'May ring' && e.listId === 'May ring' && e.score === null));
    assert.deepEqual(r.counts, { ip: 2, cidr: 1, asn: 2, domain: 2, email: 1, phone: 1 });
  });

  test('CSV with a header, labels, scores and expiry dates', () => {
    const r = parseListFile(
      [
        'value,label,score,expires',
        '10.0.0.0/8,"internal, do not score",0,',
        '185.220.101.34,tor exit,-20,2026-12-31',
        'evil.example,,50,2026-07-01T12:00:00Z',
      ].join('\r\n'),
      { label: 'imported', listId: 'list-7' },
    );
    assert.ok(r.ok, JSON.stringify(r));
    assert.equal(r.entries.length, 3);
    assert.deepEqual(r.entries[0], {
      listId: 'list-7',
      label: 'internal, do not score',
      kind: 'cidr',
      value: '10.0.0.0/8',
      score: 0,
      expiresAt: null,
    });
    assert.equal(r.entries[1]?.score, -20);
    assert.equal(r.entries[1]?.expiresAt?.toISOString(), '2026-12-31T00:00:00.000Z');
    assert.equal(r.entries[2]?.label, 'imported');
    assert.equal(r.entries[2]?.expiresAt?.toISOString(), '2026-07-01T12:00:00.000Z');
  });

  test('CSV without a header: value,label,score,expires by position', () => {
    const r = parseListFile('1.2.3.4,scanner,10\n5.6.7.8', { label: 'x' });
    assert.ok(r.ok);
    assert.equal(r.entries[0]?.label, 'scanner');
    assert.equal(r.entries[0]?.score, 10);
    assert.equal(r.entries[1]?.label, 'x');
  });

  test('User-Agent lists keep commas in plain lines', () => {
    const r = parseListFile('Mozilla/5.0 (KHTML, like Gecko) EvilBot\nsqlmap', { label: 'uas', kind: 'ua' });
    assert.ok(r.ok);
    assert.deepEqual(
      r.entries.map((e) => e.value),
      ['Mozilla/5.0 (KHTML, like Gecko) EvilBot', 'sqlmap'],
    );
  });

  const bad: [string, string, number, RegExp, Parameters<typeof parseListFile>[1]?][] = [
    ['a malformed IP among good ones', '1.2.3.4\n5.6.7.8\n999.1.1.1\n9.9.9.9', 3, /cannot tell|not an IP/],
    ['an IP in a domain list', 'ok.example\n1.2.3.4', 2, /not a domain/, { label: 'd', kind: 'domain' }],
    ['a bad score', 'value,score\n1.2.3.4,high', 2, /bad score/],
    ['a bad date', '1.2.3.4,x,1,31/12/2026', 1, /bad expiry/],
    ['an unclosed quote', '1.2.3.4,"oops', 1, /unclosed quote/],
    ['too many columns', '1.2.3.4,a,1,2026-01-01,extra', 1, /more than 4 columns/],
    ['a bad CIDR', '# c\n\n10.0.0.0/33', 3, /not a CIDR|cannot tell/],
    ['an unknown kind column', 'value,kind\n1.2.3.4,planet', 2, /unknown kind/],
    ['a value of unknown kind', 'hello world', 1, /cannot tell/],
  ];
  for (const [name, text, line, reason, opts] of bad) {
    test(`rejects the whole file on ${name}, with the line number`, () => {
      const r = parseListFile(text, opts ?? { label: 'l' });
      assert.equal(r.ok, false);
      if (r.ok) return;
      assert.equal(r.line, line);
      assert.match(r.reason, reason);
    });
  }

  test('a list needs a label', () => {
    const r = parseListFile('1.2.3.4', { label: ' ' });
    assert.equal(r.ok, false);
  });

  test('splitCsvLine', () => {
    assert.deepEqual(splitCsvLine('a,"b,c",d'), ['a', 'b,c', 'd']);
    assert.deepEqual(splitCsvLine('"say ""hi""",x,'), ['say "hi"', 'x', '']);
    assert.equal(splitCsvLine('"open'), null);
  });

  test('detectListKind', () => {
    assert.equal(detectListKind('1.2.3.4'), 'ip');
    assert.equal(detectListKind('::ffff:1.2.3.4'), 'ip');
    assert.equal(detectListKind('1.2.3.0/24'), 'cidr');
    assert.equal(detectListKind('AS13335'), 'asn');
    assert.equal(detectListKind('x@y.z'), 'email');
    assert.equal(detectListKind('+1 (415) 555-2671'), 'phone');
    assert.equal(detectListKind('example.org'), 'domain');
    assert.equal(detectListKind('curl/8'), null);
  });
});

const entry = (e: Partial<ListEntry> & Pick<ListEntry, 'kind' | 'value'>): ListEntry => ({
  listId: 'l1',
  label: 'test list',
  score: null,
  expiresAt: null,
  ...e,
});

describe('ListIndex and the enricher', () => {
  const T0 = Date.parse('2026-06-01T00:00:00Z');

  test('matches IPs, CIDRs (nested), ASNs, domains, e-mails, phones and User-Agents', () => {
    const index = new ListIndex([
      entry({ kind: 'ip', value: '203.0.113.7', label: 'single' }),
      entry({ kind: 'cidr', value: '203.0.113.0/24', label: 'block', listId: 'l2', score: 30 }),
      entry({ kind: 'cidr', value: '2001:db8::/32', label: 'v6 block' }),
      entry({ kind: 'asn', value: 'AS64500', label: 'asn' }),
      entry({ kind: 'domain', value: 'evil.example', label: 'domain' }),
      entry({ kind: 'email', value: 'Bad@Example.com', label: 'email' }),
      entry({ kind: 'email', value: 'x@bücher.example', label: 'idn email' }),
      entry({ kind: 'phone', value: '+44 7400 123456', label: 'phone' }),
      entry({ kind: 'ua', value: 'EvilBot', label: 'ua' }),
      entry({ kind: 'ip', value: 'not an ip', label: 'broken' }),
    ]);
    assert.equal(index.size, 9);
    assert.equal(index.rejected, 1);
    const labels = (l: { matches: readonly { label: string }[] }) => l.matches.map((m) => m.label).sort();
    assert.deepEqual(labels(index.matchIp(parseIp('203.0.113.7'), null, T0)), ['block', 'single']);
    assert.deepEqual(labels(index.matchIp(parseIp('::ffff:203.0.113.9'), null, T0)), ['block']);
    assert.deepEqual(labels(index.matchIp(parseIp('2001:db8:1::5'), 64500, T0)), ['asn', 'v6 block']);
    assert.deepEqual(labels(index.matchIp(parseIp('198.51.100.1'), null, T0)), []);
    assert.deepEqual(labels(index.matchDomain('mail.evil.example', T0)), ['domain']);
    assert.deepEqual(labels(index.matchDomain('notevil.example', T0)), []);
    assert.deepEqual(labels(index.matchEmail('bad@example.com', T0)), ['email']);
    assert.deepEqual(labels(index.matchEmail('x@xn--bcher-kva.example', T0)), ['idn email']);
    assert.deepEqual(labels(index.matchPhone('+447400123456', '07400 123456', T0)), ['phone']);
    assert.deepEqual(labels(index.matchUserAgent('Mozilla/5.0 evilbot/2', T0)), ['ua']);
    assert.equal(
      index.matchIp(parseIp('203.0.113.7'), null, T0).matches.find((m) => m.label === 'block')?.score,
      30,
    );
  });

  test('expired entries are ignored, and cached facts change when an entry expires', () => {
    let now = T0;
    const index = new ListIndex([
      entry({ kind: 'ip', value: '192.0.2.1', label: 'short', expiresAt: new Date(T0 + 60_000) }),
      entry({ kind: 'ip', value: '192.0.2.1', label: 'old', expiresAt: new Date(T0 - 1) }),
      entry({ kind: 'ip', value: '192.0.2.1', label: 'forever' }),
    ]);
    const enricher = createEnricher({ data: emptyData(), lists: index, now: () => now });
    const labels = () => enricher.ip('192.0.2.1').lists.map((m) => m.label);
    assert.deepEqual(labels(), ['short', 'forever']);
    assert.deepEqual(labels(), ['short', 'forever']);
    now = T0 + 60_000;
    assert.deepEqual(labels(), ['forever']);
  });

  test('enrich() fills lists on every fact; swapLists replaces the index', () => {
    const enricher = createEnricher({ data: emptyData(), defaultPhoneCountry: 'GB' });
    const event = {
      ipAddress: '8.8.8.8',
      userAgent: 'EvilBot/1.0',
      emailAddress: 'bad@evil.example',
      phoneNumber: '07400 123456',
    };
    const before = enricher.enrich(event);
    assert.deepEqual(before.ip.lists, []);
    const parsed = parseListFile(
      ['8.8.8.0/24', 'evil.example', 'bad@evil.example', '+447400123456'].join('\n'),
      { label: 'watch' },
    );
    assert.ok(parsed.ok);
    const uas = parseListFile('evilbot', { label: 'bad ua', kind: 'ua' });
    assert.ok(uas.ok);
    enricher.swapLists(new ListIndex([...parsed.entries, ...uas.entries]));
    const after = enricher.enrich(event);
    assert.deepEqual(
      after.ip.lists.map((m) => m.label),
      ['watch'],
    );
    assert.deepEqual(
      after.domain?.lists.map((m) => m.label),
      ['watch'],
    );
    assert.deepEqual(
      after.email?.lists.map((m) => m.label),
      ['watch'],
    );
    assert.deepEqual(
      after.phone?.lists.map((m) => m.label),
      ['watch'],
    );
    assert.deepEqual(
      after.userAgent?.lists.map((m) => m.label),
      ['bad ua'],
    );
  });
});
