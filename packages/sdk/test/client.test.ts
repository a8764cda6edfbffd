// @vigil/sdk against a real Vigil server (in process, on a port, fresh test database).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startHarness } from '../../../apps/server/test/harness.ts';
import { parseRetryAfter, Vigil } from '../src/index.ts';
import {
  freePort,
  type Server,
  serverEvents,
  sleep,
  startProxy,
  startServer,
  startStalledServer,
  until,
  warnings,
} from './helpers.ts';

const fast = { attempts: 3, baseMs: 10, maxMs: 50 };

describe('@vigil/sdk against a real server', () => {
  let s: Server;
  const clients: Vigil[] = [];
  const client = (options: Partial<ConstructorParameters<typeof Vigil>[0]> = {}) => {
    const c = new Vigil({ url: s.url, apiKey: s.apiKey, onWarning: () => {}, retry: fast, ...options });
    clients.push(c);
    return c;
  };
  before(async () => {
    s = await startServer();
  });
  after(async () => {
    for (const c of clients) await c.close();
    await s.close();
  });

  test('track + flush: every field arrives as sent', async () => {
    const w = warnings();
    const vigil = client({ onWarning: w.on });
    const base = {
      userName: 'ts-alice',
      ipAddress: '8.8.4.4',
      userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0',
      browserLanguage: 'fr-FR,fr;q=0.9',
      httpMethod: 'POST',
      httpReferer: 'https://shop.example/',
    };
    vigil.track({
      ...base,
      url: '/login?next=%2Fhome',
      eventType: 'account_login',
      eventTime: new Date('2026-03-01T10:00:00.000Z'),
      emailAddress: 'Alice@Example.com',
      phoneNumber: '+33 6 12 34 56 78',
      httpCode: 200,
    });
    vigil.track({
      ...base,
      url: '/profile',
      eventType: 'field_edit',
      eventTime: '2026-03-01T10:01:00.000Z',
      fieldHistory: [{ field_id: 'city', old_value: 'London', new_value: 'Paris', field_name: 'City' }],
    });
    vigil.track({
      ...base,
      url: '/account/email',
      eventType: 'account_email_change',
      eventTime: '2026-03-01T10:02:00.000Z',
      payload: { old_value: 'alice@example.com', new_value: 'alice@new.example' },
    });
    assert.equal(vigil.stats().queued, 3);
    await vigil.flush();
    assert.deepEqual(w.list, []);
    assert.equal(vigil.stats().delivered, 3);
    const events = await serverEvents(s.url, s.apiKey, 'ts-alice');
    assert.equal(events.length, 3);
    const [email, edit, login] = events;
    assert.equal(login!.type, 'account_login');
    assert.equal(login!.time, '2026-03-01T10:00:00.000Z');
    assert.equal(login!.ipAddress, '8.8.4.4');
    assert.equal(login!.url, '/login');
    assert.equal(login!.query, '?next=%2Fhome');
    assert.equal(login!.userAgent, base.userAgent);
    assert.equal(login!.browserLanguage, 'fr-FR,fr;q=0.9');
    assert.equal(login!.httpMethod, 'POST');
    assert.equal(login!.httpReferer, 'https://shop.example/');
    assert.equal(login!.httpCode, 200);
    assert.equal(login!.emailAddress, 'alice@example.com');
    assert.equal(login!.phoneNumber, '+33612345678');
    assert.equal(edit!.type, 'field_edit');
    assert.deepEqual(edit!.fieldHistory, [
      {
        fieldId: 'city',
        fieldName: 'City',
        oldValue: 'London',
        newValue: 'Paris',
        parentId: null,
        parentName: null,
      },
    ]);
    assert.equal(email!.type, 'account_email_change');
    assert.deepEqual(email!.payload, { old_value: 'alice@example.com', new_value: 'alice@new.example' });
  });

  test('eventTime defaults to the time of track(), not of delivery', async () => {
    const vigil = client({ flushIntervalMs: 60_000 });
    const before = Date.now();
    vigil.track({ userName: 'ts-time', ipAddress: '8.8.4.4', url: '/' });
    await sleep(300);
    await vigil.flush();
    const [e] = await serverEvents(s.url, s.apiKey, 'ts-time');
    const at = Date.parse(e!.time);
    assert.ok(at >= before - 5 && at < before + 250, `${e!.time} vs ${new Date(before).toISOString()}`);
  });

  test('batching: a full batch is sent at once, the rest on the interval, in batches', async () => {
    const sizes: number[] = [];
    const counting: typeof fetch = async (input, init) => {
      if (String(input).endsWith('/api/v1/events')) sizes.push(JSON.parse(String(init?.body)).length);
      return fetch(input, init);
    };
    const vigil = client({ batchSize: 5, flushIntervalMs: 150, fetch: counting });
    for (let i = 0; i < 12; i++) vigil.track({ userName: 'ts-batch', ipAddress: '8.8.4.4', url: `/p/${i}` });
    // The first 5 went out as soon as the batch was full (the rest are queued behind it).
    await until(() => sizes.length >= 1, 2000, 5);
    assert.equal(sizes[0], 5);
    await until(() => vigil.stats().delivered === 12, 5000);
    assert.deepEqual(sizes, [5, 5, 2]);
    assert.equal((await serverEvents(s.url, s.apiKey, 'ts-batch')).length, 12);
  });

  test('the interval flushes without any call', async () => {
    const vigil = client({ flushIntervalMs: 50 });
    vigil.track({ userName: 'ts-interval', ipAddress: '8.8.4.4', url: '/' });
    await until(async () => (await serverEvents(s.url, s.apiKey, 'ts-interval')).length === 1, 5000);
  });

  test('overflow drops the oldest, with a counted warning', async () => {
    const w = warnings();
    const vigil = client({ maxQueue: 3, flushIntervalMs: 60_000, onWarning: w.on });
    for (let i = 0; i < 5; i++)
      vigil.track({ userName: 'ts-overflow', ipAddress: '8.8.4.4', url: `/o/${i}` });
    assert.equal(vigil.stats().dropped, 2);
    assert.equal(vigil.stats().queued, 3);
    assert.equal(w.list[0]!.code, 'queue_overflow');
    assert.equal(w.list[0]!.count, 1);
    await vigil.flush();
    const urls = (await serverEvents(s.url, s.apiKey, 'ts-overflow')).map((e) => e.url).sort();
    assert.deepEqual(urls, ['/o/2', '/o/3', '/o/4']);
  });

  test('track never throws: bad input, a throwing onWarning, after close', async () => {
    const vigil = client({
      onWarning: () => {
        throw new Error('boom');
      },
    });
    for (const bad of [null, undefined, 'text', 42]) assert.doesNotThrow(() => vigil.track(bad as never));
    const cyclic: Record<string, unknown> = { userName: 'ts-cyclic', ipAddress: '8.8.4.4', url: '/' };
    cyclic.self = cyclic;
    assert.doesNotThrow(() => vigil.track(cyclic));
    await assert.doesNotReject(vigil.flush());
    await vigil.close();
    assert.doesNotThrow(() => vigil.track({ userName: 'ts-closed', ipAddress: '8.8.4.4', url: '/' }));
  });

  test('4xx other than 429 are not retried, and are reported', async () => {
    const w = warnings();
    let requests = 0;
    const vigil = client({
      apiKey: 'not-a-key',
      onWarning: w.on,
      fetch: (input, init) => {
        requests++;
        return fetch(input, init);
      },
    });
    vigil.track({ userName: 'ts-401', ipAddress: '8.8.4.4', url: '/' });
    await vigil.flush();
    assert.equal(requests, 1);
    assert.deepEqual(w.codes(), ['rejected']);
    assert.equal(w.list[0]!.status, 401);
    assert.equal(vigil.stats().rejected, 1);
    assert.equal(vigil.stats().queued, 0);
  });

  test('an event the server rejects is reported; the others of the batch are stored', async () => {
    const w = warnings();
    const vigil = client({ onWarning: w.on });
    vigil.track({ userName: 'ts-reject', ipAddress: '8.8.4.4', url: '/ok' });
    vigil.track({ userName: 'ts-reject', url: '/no-ip' });
    await vigil.flush();
    assert.deepEqual(w.codes(), ['rejected']);
    assert.match(w.list[0]!.message, /ipAddress/);
    assert.equal(vigil.stats().delivered, 1);
    assert.equal(vigil.stats().rejected, 1);
    assert.equal((await serverEvents(s.url, s.apiKey, 'ts-reject')).length, 1);
  });

  test('decide: the score, the decision and the reasons', async () => {
    const vigil = client();
    const result = await vigil.decide({
      userName: 'ts-decide',
      ipAddress: '8.8.4.4',
      url: '/login',
      eventType: 'account_login',
    });
    assert.equal(result.degraded, false);
    assert.ok(['allow', 'review', 'block'].includes(result.decision));
    assert.equal(typeof result.score, 'number');
    assert.ok(Array.isArray(result.reasons));
    assert.equal(typeof result.eventId, 'number');
    const [e] = await serverEvents(s.url, s.apiKey, 'ts-decide');
    assert.equal(e!.type, 'account_login');
  });

  test('isBlacklisted and getUser', async () => {
    const vigil = client();
    vigil.track({ userName: 'ts-bad', ipAddress: '8.8.4.4', url: '/', emailAddress: 'bad@example.com' });
    await vigil.flush();
    assert.equal(await vigil.isBlacklisted('ts-bad'), false);
    const res = await fetch(`${s.url}/api/v1/users/ts-bad/decision`, {
      method: 'POST',
      headers: { 'api-key': s.apiKey, 'content-type': 'application/json' },
      body: JSON.stringify({ decision: 'blacklist' }),
    });
    assert.equal(res.status, 200, await res.text());
    assert.equal(await vigil.isBlacklisted('ts-bad'), true);
    assert.equal(await vigil.isBlacklisted('bad@example.com'), true);
    assert.equal(await vigil.isBlacklisted('ts-good'), false);
    const user = await vigil.getUser('ts-bad');
    assert.equal(user?.userName, 'ts-bad');
    assert.equal(user?.status, 'blacklisted');
    assert.equal(user?.eventCount, 1);
    assert.equal(await vigil.getUser('nobody-here'), null);
    const decided = await vigil.decide({ userName: 'ts-bad', ipAddress: '8.8.4.4', url: '/login' });
    assert.equal(decided.decision, 'block');
  });

  test('exactly once: a batch whose answer is lost is retried and not stored twice', async () => {
    const proxy = await startProxy(s.url, (n) => (n === 0 ? 'forward-then-503' : 'forward'));
    try {
      const vigil = client({ url: proxy.url });
      for (let i = 0; i < 10; i++) vigil.track({ userName: 'ts-once', ipAddress: '8.8.4.4', url: `/x/${i}` });
      await vigil.flush();
      assert.deepEqual(
        proxy.hits.map((h) => h.status),
        [503, 200],
      );
      assert.equal(vigil.stats().duplicates, 10, 'the retry was answered duplicate (server idempotency)');
      assert.equal((await serverEvents(s.url, s.apiKey, 'ts-once')).length, 10);
    } finally {
      await proxy.close();
    }
  });

  test('429 with Retry-After: the SDK waits as long as told', async () => {
    const proxy = await startProxy(s.url, (n) =>
      n === 0 ? { status: 429, headers: { 'retry-after': '1' } } : 'forward',
    );
    try {
      const vigil = client({ url: proxy.url, retry: { attempts: 3, baseMs: 10, maxMs: 20 } });
      vigil.track({ userName: 'ts-429', ipAddress: '8.8.4.4', url: '/' });
      await vigil.flush();
      assert.equal(proxy.hits.length, 2);
      const waited = proxy.hits[1]!.at - proxy.hits[0]!.at;
      assert.ok(waited >= 990 && waited < 2000, `waited ${waited} ms`);
      assert.equal((await serverEvents(s.url, s.apiKey, 'ts-429')).length, 1);
    } finally {
      await proxy.close();
    }
  });

  test('decide against a stalled server: the default within the budget, fail-open and fail-closed', async () => {
    const stalled = await startStalledServer();
    try {
      for (const [failMode, expected] of [
        ['open', 'allow'],
        ['closed', 'block'],
      ] as const) {
        const w = warnings();
        const vigil = client({
          url: stalled.url,
          timeoutMs: 300,
          batchTimeoutMs: 100,
          flushIntervalMs: 60_000,
          failMode,
          onWarning: w.on,
        });
        const started = performance.now();
        const result = await vigil.decide({ userName: 'ts-stall', ipAddress: '8.8.4.4', url: '/login' });
        const took = performance.now() - started;
        assert.equal(result.decision, expected);
        assert.equal(result.degraded, true);
        assert.equal(result.score, null);
        assert.ok(took >= 290 && took < 550, `took ${took} ms`);
        assert.deepEqual(w.codes(), ['degraded']);
        const t2 = performance.now();
        assert.equal(await vigil.isBlacklisted('x'), failMode === 'closed');
        assert.ok(performance.now() - t2 < 550);
        // The undecided event is kept for delivery (same idempotency key).
        assert.equal(vigil.stats().queued, 1);
        const closing = performance.now();
        await vigil.close(200);
        assert.ok(performance.now() - closing < 400, 'close(timeoutMs) bounds the wait');
        assert.equal(vigil.stats().dropped, 1);
      }
    } finally {
      await stalled.close();
    }
  });
});

describe('@vigil/sdk when the server is away', () => {
  test('server down: track does not throw; once it is back, every event arrives exactly once', async () => {
    // The server's database and key exist, but nothing listens on its port yet.
    const h = await startHarness();
    const port = await freePort();
    const w = warnings();
    const vigil = new Vigil({
      url: `http://127.0.0.1:${port}`,
      apiKey: h.apiKey,
      flushIntervalMs: 50,
      retry: { attempts: 2, baseMs: 10, maxMs: 100 },
      onWarning: w.on,
    });
    try {
      for (let i = 0; i < 25; i++) {
        assert.doesNotThrow(() => vigil.track({ userName: 'ts-down', ipAddress: '8.8.4.4', url: `/d/${i}` }));
      }
      await vigil.flush();
      assert.equal(vigil.stats().queued, 25);
      assert.ok(w.codes().includes('delivery_failed'), w.codes().join());
      assert.match(w.list.find((x) => x.code === 'delivery_failed')!.message, /ECONNREFUSED|network/);
      const url = await h.app.listen({ port, host: '127.0.0.1' });
      // No call: the interval delivers the backlog once the backoff has passed.
      await until(() => vigil.stats().queued === 0, 10_000);
      const events = await serverEvents(url, h.apiKey, 'ts-down');
      assert.equal(events.length, 25);
      assert.equal(new Set(events.map((e) => e.url)).size, 25);
      assert.equal(vigil.stats().delivered, 25);
    } finally {
      await vigil.close();
      await h.close();
    }
  });

  test('the real rate limit: every 429 is followed by a wait of at least its Retry-After', async () => {
    const server = await startServer({ rateLimitRps: 1, rateLimitWindow: 1 });
    const log: Array<{ at: number; status: number; retryAfter: number | undefined }> = [];
    const vigil = new Vigil({
      url: server.url,
      apiKey: server.apiKey,
      batchSize: 1,
      flushIntervalMs: 60_000,
      retry: { attempts: 10, baseMs: 10, maxMs: 50 },
      onWarning: () => {},
      fetch: async (input, init) => {
        const res = await fetch(input, init);
        log.push({
          at: Date.now(),
          status: res.status,
          retryAfter: parseRetryAfter(res.headers.get('retry-after')),
        });
        return res;
      },
    });
    try {
      for (let i = 0; i < 3; i++)
        vigil.track({ userName: 'ts-limited', ipAddress: '8.8.4.4', url: `/r/${i}` });
      await vigil.flush();
      const limited = log.filter((l) => l.status === 429);
      assert.ok(limited.length >= 1, 'the server rate-limited some requests');
      for (let i = 0; i < log.length - 1; i++) {
        const cur = log[i]!;
        if (cur.status !== 429) continue;
        const gap = log[i + 1]!.at - cur.at;
        assert.ok(
          gap >= (cur.retryAfter ?? 0) - 10,
          `gap ${gap} ms after a 429 (Retry-After ${cur.retryAfter})`,
        );
      }
      assert.equal((await serverEvents(server.url, server.apiKey, 'ts-limited')).length, 3);
    } finally {
      await vigil.close();
      await server.close();
    }
  });

  test('close() reports what could not be delivered', async () => {
    const port = await freePort();
    const w = warnings();
    const vigil = new Vigil({
      url: `http://127.0.0.1:${port}`,
      apiKey: 'k',
      retry: { attempts: 1 },
      onWarning: w.on,
    });
    vigil.track({ userName: 'x', ipAddress: '8.8.4.4', url: '/' });
    await vigil.close();
    assert.deepEqual(w.codes(), ['delivery_failed', 'lost']);
    assert.equal(vigil.stats().dropped, 1);
  });
});

describe('parseRetryAfter', () => {
  test('seconds and HTTP dates', () => {
    assert.equal(parseRetryAfter('2'), 2000);
    assert.equal(parseRetryAfter(' 0 '), 0);
    assert.equal(parseRetryAfter(null), undefined);
    assert.equal(parseRetryAfter('soon'), undefined);
    const now = Date.parse('2026-01-01T00:00:00Z');
    assert.equal(parseRetryAfter('Thu, 01 Jan 2026 00:00:05 GMT', now), 5000);
  });
});
