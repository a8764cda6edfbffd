// The Express (connect-style, here on plain node:http) and Fastify middleware, end to end: an app
// with the middleware, requests to it, and the events as the real Vigil server stored them.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import Fastify from 'fastify';
import { type ExpressLikeRequest, vigilExpress } from '../src/express.ts';
import { type FastifyLikeRequest, vigilFastify } from '../src/fastify.ts';
import { Vigil } from '../src/index.ts';
import type { RequestTracker } from '../src/middleware.ts';
import { type Server, serverEvents, startServer } from './helpers.ts';

const UA = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 Version/17.5 Safari/605.1.15';

/** The routes both apps serve, written once against req.vigil. */
async function route(path: string, vigil: RequestTracker): Promise<{ status: number; body: unknown }> {
  const [pathname] = path.split('?');
  switch (pathname) {
    case '/login':
      vigil.login('mw-alice');
      return { status: 200, body: { ok: true } };
    case '/login-decide': {
      const verdict = await vigil.login('mw-alice').decide();
      return { status: verdict.decision === 'block' ? 403 : 200, body: verdict };
    }
    case '/login-fail':
      vigil.loginFailed('mw-alice');
      return { status: 401, body: { ok: false } };
    case '/register':
      vigil.registered('mw-bob', { emailAddress: 'bob@example.com', fullName: 'Bob B' });
      return { status: 201, body: {} };
    case '/password':
      vigil.passwordChanged();
      return { status: 200, body: {} };
    case '/email':
      vigil.emailChanged('bob@example.com', 'bob@new.example');
      return { status: 200, body: {} };
    case '/profile':
      vigil.fieldEdited('city', 'London', 'Paris', 'City').fieldEdited('zip', null, '75001');
      return { status: 200, body: {} };
    case '/boom':
      throw new Error('app failure');
    default:
      return { status: 200, body: {} };
  }
}

async function exercise(base: string, userHeader: string) {
  const get = (path: string, headers: Record<string, string> = {}) =>
    fetch(base + path, {
      headers: {
        'user-agent': UA,
        'accept-language': 'de-DE,de;q=0.8',
        referer: 'https://ref.example/page',
        'x-user': userHeader,
        ...headers,
      },
    });
  assert.equal(
    (await get('/login?next=%2Fcart', { 'x-forwarded-for': '203.0.113.9, 198.51.100.7' })).status,
    200,
  );
  assert.equal((await get('/login-fail')).status, 401);
  const decided = await get('/login-decide');
  assert.equal(decided.status, 200);
  assert.equal(((await decided.json()) as { degraded: boolean }).degraded, false);
  assert.equal((await get('/register')).status, 201);
  assert.equal((await get('/password')).status, 200);
  assert.equal((await get('/email')).status, 200);
  assert.equal((await get('/profile')).status, 200);
  assert.equal((await get('/missing-page')).status, 404);
  assert.equal((await get('/healthz')).status, 200);
}

async function checkStored(s: Server, user: string, forwardedIp: string) {
  const alice = await serverEvents(s.url, s.apiKey, 'mw-alice');
  // login, login_fail, and the decided login (stored once, through decide)
  assert.deepEqual(alice.map((e) => e.type).sort(), ['account_login', 'account_login', 'account_login_fail']);
  const login = alice.find((e) => e.url === '/login')!;
  assert.equal(login.ipAddress, forwardedIp);
  assert.equal(login.query, '?next=%2Fcart');
  assert.equal(login.userAgent, UA);
  assert.equal(login.browserLanguage, 'de-DE,de;q=0.8');
  assert.equal(login.httpMethod, 'GET');
  assert.equal(login.httpReferer, 'https://ref.example/page');
  assert.equal(login.httpCode, 200);
  const fail = alice.find((e) => e.type === 'account_login_fail')!;
  assert.equal(fail.httpCode, 401, 'an explicit account type is kept over the HTTP code');
  assert.equal(fail.ipAddress, '127.0.0.1');
  const bob = await serverEvents(s.url, s.apiKey, 'mw-bob');
  assert.equal(bob[0]!.type, 'account_registration');
  assert.equal(bob[0]!.emailAddress, 'bob@example.com');
  assert.equal(bob[0]!.httpCode, 201);
  // The signed-in user of the other requests comes from the userName option.
  const signedIn = await serverEvents(s.url, s.apiKey, user);
  const byUrl = new Map(signedIn.map((e) => [e.url, e]));
  assert.equal(byUrl.get('/password')!.type, 'account_password_change');
  assert.equal(byUrl.get('/email')!.type, 'account_email_change');
  assert.deepEqual(byUrl.get('/email')!.payload, {
    old_value: 'bob@example.com',
    new_value: 'bob@new.example',
  });
  assert.equal(byUrl.get('/email')!.emailAddress, 'bob@new.example');
  assert.equal(byUrl.get('/profile')!.type, 'field_edit');
  assert.deepEqual(
    byUrl.get('/profile')!.fieldHistory!.map((c) => [c.fieldId, c.oldValue, c.newValue, c.fieldName]),
    [
      ['city', 'London', 'Paris', 'City'],
      ['zip', null, '75001', null],
    ],
  );
  assert.equal(byUrl.get('/missing-page')!.type, 'page_error');
  assert.equal(byUrl.get('/missing-page')!.httpCode, 404);
  assert.equal(byUrl.has('/healthz'), false, 'skipped');
}

describe('middleware', () => {
  let s: Server;
  let vigil: Vigil;
  before(async () => {
    s = await startServer();
    vigil = new Vigil({ url: s.url, apiKey: s.apiKey, flushIntervalMs: 60_000 });
  });
  after(async () => {
    await vigil.close();
    await s.close();
  });

  test('Express-style (connect) middleware on node:http', async () => {
    const mw = vigilExpress<ExpressLikeRequest>(vigil, {
      // Only the forwarded request's socket peer is a trusted proxy.
      trustProxy: (address, hop) => address === '127.0.0.1' && hop === 0,
      userName: (req) => req.headers['x-user'] as string,
      skip: (req) => req.url === '/healthz',
    });
    const app = http.createServer((req, res) => {
      mw(req as ExpressLikeRequest, res, async () => {
        const tracker = (req as ExpressLikeRequest).vigil;
        try {
          const out = tracker ? await route(req.url ?? '/', tracker) : { status: 200, body: {} };
          res.writeHead(req.url === '/missing-page' ? 404 : out.status, {
            'content-type': 'application/json',
          });
          res.end(JSON.stringify(out.body));
        } catch {
          res.writeHead(500);
          res.end();
        }
      });
    });
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    try {
      await exercise(`http://127.0.0.1:${(app.address() as AddressInfo).port}`, 'mw-express-user');
      await vigil.flush();
      await checkStored(s, 'mw-express-user', '198.51.100.7');
    } finally {
      app.closeAllConnections();
      await new Promise((resolve) => app.close(resolve));
    }
  });

  test('Fastify plugin', async () => {
    const fresh = await startServer();
    const client = new Vigil({ url: fresh.url, apiKey: fresh.apiKey, flushIntervalMs: 60_000 });
    const app = Fastify();
    try {
      await app.register(vigilFastify, {
        client,
        trustProxy: 'loopback',
        userName: (req: FastifyLikeRequest) => req.headers['x-user'] as string,
        skip: (req: FastifyLikeRequest) => req.url === '/healthz',
      });
      // Registered in an encapsulated child: the plugin's hooks still apply (skip-override).
      await app.register(async (child) => {
        child.get('/*', async (request, reply) => {
          const tracker = (request as unknown as FastifyLikeRequest).vigil;
          if (request.url === '/missing-page') return reply.code(404).send({});
          const out = tracker ? await route(request.url, tracker) : { status: 200, body: {} };
          return reply.code(out.status).send(out.body);
        });
      });
      const address = await app.listen({ port: 0, host: '127.0.0.1' });
      await exercise(address, 'mw-fastify-user');
      await client.flush();
      // 'loopback' trusts every loopback hop, so the left-most non-loopback address is the client.
      await checkStored(fresh, 'mw-fastify-user', '198.51.100.7');
    } finally {
      await app.close();
      await client.close();
      await fresh.close();
    }
  });

  test('a request that fails in the app is still tracked, with its status', async () => {
    const mw = vigilExpress(vigil, { userName: () => 'mw-boom' });
    const app = http.createServer((req, res) => {
      mw(req as ExpressLikeRequest, res, () => {
        res.writeHead(500);
        res.end();
      });
    });
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    try {
      await fetch(`http://127.0.0.1:${(app.address() as AddressInfo).port}/boom`);
      await vigil.flush();
      const [e] = await serverEvents(s.url, s.apiKey, 'mw-boom');
      assert.equal(e!.type, 'page_error');
      assert.equal(e!.httpCode, 500);
    } finally {
      app.closeAllConnections();
      await new Promise((resolve) => app.close(resolve));
    }
  });

  test('trackAll: false sends only the requests a helper marked', async () => {
    const sent: unknown[] = [];
    const fake = { track: (e: unknown) => sent.push(e), decide: vigil.decide.bind(vigil) };
    const mw = vigilExpress(fake, { trackAll: false });
    const listeners: Array<() => void> = [];
    const res = { statusCode: 200, once: (_: string, fn: () => void) => listeners.push(fn) };
    const plain = { method: 'GET', url: '/a', headers: {}, socket: { remoteAddress: '::ffff:192.0.2.1' } };
    mw(plain as ExpressLikeRequest, res, () => {});
    for (const fn of listeners.splice(0)) fn();
    assert.equal(sent.length, 0);
    const marked = { ...plain, url: '/login' } as ExpressLikeRequest;
    mw(marked, res, () => {});
    marked.vigil!.login('u1');
    for (const fn of listeners.splice(0)) fn(); // finish and close: sent once
    assert.equal(sent.length, 1);
    assert.equal((sent[0] as { ipAddress: string }).ipAddress, '192.0.2.1');
  });
});
