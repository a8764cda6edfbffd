import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openDatabase } from '@vigil/db';
import { createProjectViaCli, freePort, freshStore, startServer, stopServer } from './server-process.ts';

// Nothing acknowledged is ever lost: load the real server, SIGKILL it mid-flight, restart it on the
// same database, and find every event that was answered 204.
test('every event answered 204 survives SIGKILL of the server', { timeout: 180_000 }, async () => {
  const store = await freshStore();
  try {
    const { apiKey } = createProjectViaCli(store);
    const port = freePort();
    const server = await startServer(store, port);
    const acknowledged: string[] = [];
    let sent = 0;
    let stop = false;
    const worker = async (w: number) => {
      for (let i = 0; !stop; i++) {
        const id = `w${w}-${i}`;
        sent++;
        try {
          const res = await fetch(`${server.url}/sensor/`, {
            method: 'POST',
            headers: {
              'content-type': 'application/x-www-form-urlencoded',
              'api-key': apiKey,
              'x-request-id': id,
            },
            body: new URLSearchParams({
              userName: `user${(w * 7 + i) % 40}`,
              ipAddress: `198.51.100.${i % 200}`,
              url: `/page/${i % 25}`,
              eventType: i % 5 === 0 ? 'account_login' : 'page_view',
              userAgent: `Agent/${w % 4}`,
            }),
          });
          if (res.status === 204) acknowledged.push(id);
          else await res.arrayBuffer();
        } catch {
          if (stop) return;
        }
      }
    };
    const workers = Array.from({ length: 32 }, (_, w) => worker(w));
    // Let load build up, then kill without warning while requests are in flight.
    const started = Date.now();
    while (acknowledged.length < 400 && Date.now() - started < 30_000)
      await new Promise((r) => setTimeout(r, 50));
    const exited = new Promise((r) => server.child.once('exit', r));
    server.child.kill('SIGKILL');
    stop = true;
    await Promise.all(workers);
    await exited;
    assert.ok(acknowledged.length >= 400, `load reached ${acknowledged.length} acknowledged events`);
    assert.ok(sent > acknowledged.length, 'some requests were in flight when the server died');

    // The restarted server must come up on the same store (a stale PGlite lock is taken over).
    const again = await startServer(store, port);
    assert.equal(await stopServer(again), 0);

    const db = store.env.DATABASE_URL
      ? await openDatabase({ kind: 'postgres', url: store.env.DATABASE_URL })
      : await openDatabase({ kind: 'pglite', dataDir: store.args[1]! });
    try {
      const { rows } = await db.query<{ request_id: string }>('SELECT request_id FROM events');
      const stored = new Set(rows.map((r) => r.request_id));
      const lost = acknowledged.filter((id) => !stored.has(id));
      assert.deepEqual(lost, [], `${lost.length} of ${acknowledged.length} acknowledged events were lost`);
      const logbook = await db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM logbook WHERE event_id IS NOT NULL',
      );
      assert.ok(logbook.rows[0]!.n >= acknowledged.length, 'each stored event has its logbook row');
    } finally {
      await db.close();
    }
  } finally {
    await store.dispose();
  }
});
