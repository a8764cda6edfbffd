import assert from 'node:assert/strict';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { Enricher } from '@vigil/core';
import { createPostgresTestDatabaseUrl, openDatabase } from '@vigil/db';
import { noopEnricher } from '@vigil/enrich';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { createProject } from '../src/projects.ts';
import { form, type Harness, postForm, startHarness } from './harness.ts';

describe('a write the database refuses fails alone', () => {
  // An enricher that produces a value the database rejects (a NUL character in text) for one
  // address: the batch holding it must be split so that only that event fails.
  const poisoned: Enricher = {
    enrich(event) {
      const facts = noopEnricher.enrich(event);
      if (event.ipAddress !== '6.6.6.6') return facts;
      return { ...facts, ip: { ...facts.ip, asn: 666, asName: 'bad\u0000name' } };
    },
  };
  let h: Harness;
  before(async () => {
    h = await startHarness({ enricher: poisoned });
  });
  after(() => h.close());

  test('concurrent events: the poisoned one gets 422, the others 204 and are stored', async () => {
    const ips = Array.from({ length: 24 }, (_, i) => (i === 11 ? '6.6.6.6' : `7.7.7.${i}`));
    const results = await Promise.all(
      ips.map((ip, i) => postForm(h, form({ userName: `p${i}`, ipAddress: ip, url: '/' }))),
    );
    const statuses = results.map((r) => r.statusCode);
    assert.equal(statuses[11], 422);
    assert.equal(results[11]!.json().error.code, 'unprocessable_event');
    assert.deepEqual(
      statuses.filter((_, i) => i !== 11),
      Array(23).fill(204),
    );
    const { rows } = await h.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM events WHERE project_id = $1',
      [h.projectId],
    );
    assert.equal(rows[0]!.n, 23);
    const failed = await h.db.query(
      'SELECT error_type FROM logbook WHERE project_id = $1 AND error_type = 3',
      [h.projectId],
    );
    assert.equal(failed.rows.length, 1);
  });
});

// Only a server database can go away; the embedded one lives in the process.
const onPostgres = Boolean(process.env.DATABASE_URL);

describe('database outage', { skip: onPostgres ? false : 'needs DATABASE_URL (real PostgreSQL)' }, () => {
  test('503 with Retry-After while PostgreSQL is unreachable, 204 again once it is back', {
    timeout: 60_000,
  }, async () => {
    const target = new URL(process.env.DATABASE_URL!);
    const fresh = await createPostgresTestDatabaseUrl(process.env.DATABASE_URL!);
    // A TCP proxy in front of PostgreSQL that the test can cut and restore.
    const sockets = new Set<Socket>();
    const proxy: Server = createServer((client) => {
      const upstream = connect(Number(target.port || 5432), target.hostname);
      sockets.add(client).add(upstream);
      client.pipe(upstream).pipe(client);
      const drop = () => {
        client.destroy();
        upstream.destroy();
      };
      client.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    const proxyPort = (proxy.address() as { port: number }).port;
    const url = new URL(fresh.url);
    url.hostname = '127.0.0.1';
    url.port = String(proxyPort);
    const db = await openDatabase({ kind: 'postgres', url: url.toString(), poolSize: 4 });
    const { apiKey } = await createProject(db, { name: 'Outage', rateLimitRps: 0 });
    const app = await buildApp(loadConfig({ LOG_LEVEL: 'silent' }), { db, enricher: noopEnricher });
    const send = (n: number) =>
      app.inject({
        method: 'POST',
        url: '/sensor/',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'api-key': apiKey },
        payload: form({ userName: 'outage', ipAddress: '1.2.3.4', url: `/${n}` }),
      });
    try {
      assert.equal((await send(1)).statusCode, 204);
      // Cut the database off.
      const closed = new Promise<void>((r) => proxy.close(() => r()));
      for (const s of sockets) s.destroy();
      await closed;
      const down = await send(2);
      assert.equal(down.statusCode, 503, down.body);
      assert.equal(down.json().error.code, 'unavailable');
      assert.ok(down.headers['retry-after']);
      // Bring it back on the same port: the server recovers by itself.
      await new Promise<void>((r) => proxy.listen(proxyPort, '127.0.0.1', r));
      let status = 0;
      for (let i = 0; i < 50 && status !== 204; i++) {
        status = (await send(3)).statusCode;
        if (status !== 204) await new Promise((r) => setTimeout(r, 200));
      }
      assert.equal(status, 204);
      const { rows } = await db.query<{ url: string }>(
        `SELECT r.url FROM events e JOIN resources r ON r.id = e.resource_id ORDER BY e.id`,
      );
      assert.deepEqual(
        rows.map((r) => r.url),
        ['/1', '/3'],
        'the event answered 503 was not stored, the others were',
      );
    } finally {
      await app.close();
      await db.close();
      proxy.close();
      for (const s of sockets) s.destroy();
      await fresh.drop();
    }
  });
});
