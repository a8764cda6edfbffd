import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { emptyData } from '../src/data.ts';
import { createEnricher } from '../src/enricher.ts';
import { createMxChecker } from '../src/mx.ts';
import { createTirrenoApiProvider, mergeRemote } from '../src/remote.ts';

interface Seen {
  method: string | undefined;
  url: string | undefined;
  auth: string | undefined;
  type: string | undefined;
  body: unknown;
}

describe('tirreno enrichment API adapter (against a local server)', () => {
  let server: Server;
  let base = '';
  const seen: Seen[] = [];
  let respond: (req: IncomingMessage, res: ServerResponse, body: unknown) => void = () => {};

  before(async () => {
    server = createServer((req, res) => {
      let raw = '';
      req.on('data', (c) => {
        raw += c;
      });
      req.on('end', () => {
        let body: unknown = null;
        try {
          body = JSON.parse(raw);
        } catch {
          body = raw;
        }
        seen.push({
          method: req.method,
          url: req.url,
          auth: req.headers.authorization,
          type: req.headers['content-type'],
          body,
        });
        respond(req, res, body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const json = (status: number, body: unknown) => (_req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };

  test('no token, no provider (and no call)', () => {
    assert.equal(createTirrenoApiProvider({ url: base, token: null }), null);
    assert.equal(createTirrenoApiProvider({ url: base, token: '  ' }), null);
  });

  test('POSTs {url}/query with the Bearer token and maps the answer', async () => {
    respond = json(200, {
      ip: {
        ip: '8.8.8.8',
        country: 'us',
        asn: 15169,
        name: 'GOOGLE',
        description: 'Google LLC',
        hosting: true,
        vpn: false,
        tor: false,
        relay: false,
        starlink: false,
        blocklist: false,
        domains_count: ['dns.google'],
        cidr: '8.8.8.0/24',
      },
      email: { email: 'a@b.example', blockemails: false, data_breach: true, data_breaches: 3, profiles: 1 },
      domain: {
        domain: 'b.example',
        disposable_domains: false,
        free_email_provider: false,
        mx_record: true,
        tranco_rank: 5,
      },
      phone: {
        phone_number: '+14155552671',
        invalid: false,
        iso_country_code: 'US',
        type: 'mobile',
        carrier_name: 'X',
      },
    });
    const p = createTirrenoApiProvider({ url: `${base}/`, token: 'secret', allowEmailPhone: true })!;
    const r = await p.query({
      ip: '8.8.8.8',
      email: 'a@b.example',
      domain: 'b.example',
      phone: '+14155552671',
    });
    const req = seen.at(-1)!;
    assert.equal(req.method, 'POST');
    assert.equal(req.url, '/api/query');
    assert.equal(req.auth, 'Bearer secret');
    assert.equal(req.type, 'application/json');
    assert.deepEqual(req.body, {
      ip: { value: '8.8.8.8', hash: null },
      email: { value: 'a@b.example', hash: null },
      phone: { value: '+14155552671', hash: null },
      domain: 'b.example',
    });
    assert.equal(r.ok, true);
    assert.equal(r.ip?.country, 'US');
    assert.equal(r.ip?.asn, 15169);
    assert.equal(r.ip?.asName, 'Google LLC');
    assert.equal(r.ip?.datacenter, true);
    assert.equal(r.ip?.network, '8.8.8.0/24');
    assert.deepEqual(r.ip?.hostedDomains, ['dns.google']);
    assert.equal(r.email?.dataBreach, true);
    assert.equal(r.domain?.hasMx, true);
    assert.equal(r.phone?.valid, true);
    assert.equal(r.phone?.lineType, 'mobile');

    // Merged over offline facts that knew nothing (no data sets loaded).
    const offline = createEnricher({ data: emptyData() }).enrich({
      ipAddress: '8.8.8.8',
      userAgent: null,
      emailAddress: 'a@b.example',
      phoneNumber: '+14155552671',
    });
    assert.equal(offline.ip.country, null);
    const merged = mergeRemote(offline, r, { source: 'test api', date: '2026-06-01' });
    assert.equal(merged.ip.country, 'US');
    assert.equal(merged.ip.datacenter, true);
    assert.equal(merged.ip.sources.country?.source, 'test api');
    assert.equal(merged.domain?.hasMx, true);
    assert.equal(offline.ip.country, null, 'inputs unchanged');
  });

  test('e-mail, phone and domain are not sent unless allowed', async () => {
    respond = json(200, { ip: { ip: '1.1.1.1', country: 'AU', asn: 13335 } });
    const p = createTirrenoApiProvider({ url: base, token: 't' })!;
    await p.query({ ip: '1.1.1.1', email: 'x@y.example', phone: '+1' });
    assert.deepEqual(seen.at(-1)?.body, { ip: { value: '1.1.1.1', hash: null } });
  });

  test('per-entity errors: a bogon IP becomes local', async () => {
    respond = json(200, {
      ip: { value: '10.0.0.1', error: 'IP is bogon' },
      phone: { value: '1', error: 'Validation failed' },
    });
    const p = createTirrenoApiProvider({ url: base, token: 't', allowEmailPhone: true })!;
    const r = await p.query({ ip: '10.0.0.1', phone: '1' });
    assert.equal(r.ok, true);
    assert.equal(r.ip?.local, true);
    assert.equal(r.phone, null);
    assert.deepEqual(r.entityErrors, { ip: 'IP is bogon', phone: 'Validation failed' });
  });

  const failures: [string, typeof respond, string, boolean][] = [
    ['401', json(401, { error: 'bad token' }), 'http 401', false],
    ['403 (quota)', json(403, {}), 'quota', true],
    ['429', json(429, {}), 'rate limited', true],
    ['500', json(500, {}), 'http 500', false],
    [
      'malformed JSON',
      (_q, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"ip": ');
      },
      'bad response',
      false,
    ],
    ['a JSON array', json(200, [1, 2]), 'bad response', false],
  ];
  for (const [name, handler, error, limit] of failures) {
    test(`${name} leaves every fact unknown`, async () => {
      respond = handler;
      const p = createTirrenoApiProvider({ url: base, token: 't' })!;
      const r = await p.query({ ip: '8.8.8.8' });
      assert.equal(r.ok, false);
      assert.equal(r.error, error);
      assert.equal(r.limitReached, limit);
      assert.equal(r.ip, null);
      const offline = createEnricher({ data: emptyData() }).enrich({
        ipAddress: '8.8.8.8',
        userAgent: null,
        emailAddress: null,
        phoneNumber: null,
      });
      assert.equal(mergeRemote(offline, r), offline);
    });
  }

  test('a slow server times out', async () => {
    respond = (_req, res) => {
      setTimeout(() => {
        if (!res.destroyed) json(200, {})(_req, res);
      }, 2000).unref();
    };
    const p = createTirrenoApiProvider({ url: base, token: 't', timeoutMs: 100 })!;
    const t0 = Date.now();
    const r = await p.query({ ip: '8.8.8.8' });
    assert.equal(r.ok, false);
    assert.equal(r.error, 'timeout');
    assert.ok(Date.now() - t0 < 1500);
  });

  test('an unreachable server is a network error', async () => {
    const p = createTirrenoApiProvider({ url: 'http://127.0.0.1:9/api', token: 't', timeoutMs: 2000 })!;
    const r = await p.query({ ip: '8.8.8.8' });
    assert.equal(r.ok, false);
    assert.ok(r.error === 'network' || r.error === 'timeout');
  });
});

describe('MX checks', () => {
  test('off by default: no lookup, unknown', async () => {
    let calls = 0;
    const mx = createMxChecker({
      enabled: false,
      resolveMx: async () => {
        calls++;
        return [];
      },
    });
    assert.equal(await mx.check('gmail.com'), null);
    assert.equal(calls, 0);
  });

  test('on: true, false (none or null MX), unknown on errors and timeouts; cached', async () => {
    let calls = 0;
    const answers: Record<string, () => Promise<{ exchange: string; priority: number }[]>> = {
      'ok.example': async () => [{ exchange: 'mx.ok.example', priority: 10 }],
      'nullmx.example': async () => [{ exchange: '.', priority: 0 }],
      'gone.example': async () => Promise.reject(Object.assign(new Error('x'), { code: 'ENOTFOUND' })),
      'broken.example': async () => Promise.reject(Object.assign(new Error('x'), { code: 'ESERVFAIL' })),
      'slow.example': () => new Promise(() => {}),
    };
    const mx = createMxChecker({
      enabled: true,
      timeoutMs: 50,
      resolveMx: (d) => {
        calls++;
        return answers[d]!();
      },
    });
    assert.equal(await mx.check('ok.example'), true);
    assert.equal(await mx.check('OK.example.'), true);
    assert.equal(calls, 1, 'cached');
    assert.equal(await mx.check('nullmx.example'), false);
    assert.equal(await mx.check('gone.example'), false);
    assert.equal(await mx.check('broken.example'), null);
    assert.equal(await mx.check('slow.example'), null);
    assert.equal(await mx.check('not a domain'), null);
  });
});
