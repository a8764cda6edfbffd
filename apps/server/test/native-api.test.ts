import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createProject } from '../src/projects.ts';
import { type Harness, startHarness, userEvents } from './harness.ts';

describe('POST /api/v1/events and the user read API', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  const post = (payload: unknown, key = h.apiKey) =>
    h.app.inject({
      method: 'POST',
      url: '/api/v1/events',
      headers: { 'api-key': key },
      payload: payload as object,
    });

  test('one event object', async () => {
    const res = await post({
      userName: 'native',
      ipAddress: '8.8.4.4',
      url: '/home',
      eventType: 'account_login',
      eventTime: '2026-03-01T10:00:00Z',
    });
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json();
    assert.equal(body.stored, 1);
    assert.equal(body.results[0].status, 'stored');
    assert.equal(typeof body.results[0].eventId, 'number');
    const [e] = await userEvents(h, 'native');
    assert.equal(e!.type, 'account_login');
    assert.equal(e!.time, '2026-03-01T10:00:00.000Z');
  });

  test('an array: a result per event, in order, rejects named by field', async () => {
    const events = [
      { userName: 'batch', ipAddress: '8.8.4.4', url: '/a' },
      { userName: 'batch', url: '/b' },
      { userName: 'batch', ipAddress: 'not-an-ip', url: '/c' },
      'not an object',
    ];
    const res = await post(events);
    assert.equal(res.statusCode, 200);
    const body = res.json();
    assert.equal(body.stored, 2);
    assert.equal(body.rejected, 2);
    assert.deepEqual(
      body.results.map((r: { status: string }) => r.status),
      ['stored', 'rejected', 'stored', 'rejected'],
    );
    assert.equal(body.results[1].error.field, 'ipAddress');
    assert.ok(body.results[2].warnings.length > 0);
    assert.equal((await userEvents(h, 'batch')).length, 2);
  });

  test('1,000 events in one request are stored; 1,001 are refused whole', async () => {
    const many = Array.from({ length: 1000 }, (_, i) => ({
      userName: `bulk${i % 50}`,
      ipAddress: `10.0.${i % 7}.${i % 250}`,
      url: `/p/${i % 30}`,
    }));
    const res = await post(many);
    assert.equal(res.statusCode, 200);
    assert.equal(res.json().stored, 1000);
    const { rows } = await h.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM events e JOIN users u ON u.id = e.user_id WHERE u.user_name LIKE 'bulk%' AND e.project_id = $1`,
      [h.projectId],
    );
    assert.equal(rows[0]!.n, 1000);
    const tooMany = await post([...many, many[0]]);
    assert.equal(tooMany.statusCode, 413);
    assert.equal(tooMany.json().error.code, 'too_many_events');
  });

  test('bad bodies are 400, not 500', async () => {
    for (const payload of [[], 'text', 42]) {
      const res = await h.app.inject({
        method: 'POST',
        url: '/api/v1/events',
        headers: { 'api-key': h.apiKey, 'content-type': 'application/json' },
        payload: JSON.stringify(payload),
      });
      assert.equal(res.statusCode, 400, JSON.stringify(payload));
      assert.equal(res.json().error.code, 'invalid_body');
    }
  });

  test('GET /api/v1/users/{userName}', async () => {
    const res = await h.app.inject({
      method: 'GET',
      url: '/api/v1/users/native',
      headers: { 'api-key': h.apiKey },
    });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), {
      userName: 'native',
      score: null,
      status: 'normal',
      eventCount: 1,
      firstSeen: '2026-03-01T10:00:00.000Z',
      lastSeen: '2026-03-01T10:00:00.000Z',
    });
    const missing = await h.app.inject({
      method: 'GET',
      url: '/api/v1/users/nobody',
      headers: { 'api-key': h.apiKey },
    });
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.json().error.code, 'not_found');
  });

  test('events are newest first and limit is validated', async () => {
    const res = await h.app.inject({
      method: 'GET',
      url: '/api/v1/users/batch/events?limit=1',
      headers: { 'api-key': h.apiKey },
    });
    assert.equal(res.json().events.length, 1);
    for (const limit of ['0', '1001', 'x', '-1']) {
      const bad = await h.app.inject({
        method: 'GET',
        url: `/api/v1/users/batch/events?limit=${limit}`,
        headers: { 'api-key': h.apiKey },
      });
      assert.equal(bad.statusCode, 400, limit);
      assert.equal(bad.json().error.field, 'limit');
    }
  });

  test('another project cannot see these users', async () => {
    const { apiKey } = await createProject(h.db, { name: 'Other' });
    const res = await h.app.inject({
      method: 'GET',
      url: '/api/v1/users/native',
      headers: { 'api-key': apiKey },
    });
    assert.equal(res.statusCode, 404);
  });

  test('health and readiness', async () => {
    assert.equal((await h.app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
    const ready = await h.app.inject({ method: 'GET', url: '/readyz' });
    assert.equal(ready.statusCode, 200);
    assert.equal(ready.json().status, 'ready');
  });
});

describe('idempotency keys', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  const post = (payload: unknown) =>
    h.app.inject({
      method: 'POST',
      url: '/api/v1/events',
      headers: { 'api-key': h.apiKey },
      payload: payload as object,
    });

  test('an event retried with the same key is stored once, in one batch and across requests', async () => {
    const event = (n: number, key: string) => ({
      userName: 'retry',
      ipAddress: '8.8.8.8',
      url: `/r/${n}`,
      idempotencyKey: key,
    });
    const first = await post([event(1, 'k-1'), event(2, 'k-2'), event(1, 'k-1')]);
    assert.equal(first.statusCode, 200, first.body);
    const body = first.json();
    assert.deepEqual(
      body.results.map((r: { status: string }) => r.status),
      ['stored', 'stored', 'duplicate'],
    );
    assert.equal(body.results[2].eventId, body.results[0].eventId);
    // The same keys again, concurrently, as a client retrying after a lost answer would.
    const again = await Promise.all([post([event(1, 'k-1')]), post([event(2, 'k-2'), event(3, 'k-3')])]);
    assert.equal(again[0]!.json().results[0].status, 'duplicate');
    assert.equal(again[0]!.json().results[0].eventId, body.results[0].eventId);
    assert.deepEqual(
      again[1]!.json().results.map((r: { status: string }) => r.status),
      ['duplicate', 'stored'],
    );
    assert.equal((await userEvents(h, 'retry')).length, 3);
    const bad = await post([{ ...event(4, 'x'), idempotencyKey: 'k'.repeat(129) }]);
    assert.equal(bad.json().results[0].error.field, 'idempotencyKey');
  });
});
