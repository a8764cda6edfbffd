import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, test } from 'node:test';
import { createProjectViaCli, freePort, freshStore, MAIN, type Store } from './server-process.ts';

/**
 * The log stream of a real server at debug level, while requests carry the API key in every place
 * a client might put it: the key must never appear, and request lines are JSON with request ids.
 */
let store: Store;
before(async () => {
  store = await freshStore();
});
after(async () => {
  await store.dispose();
});

test('logs are JSON lines with request ids and never contain an API key', { timeout: 90_000 }, async () => {
  const { apiKey } = createProjectViaCli(store);
  const port = freePort();
  const env: NodeJS.ProcessEnv = { ...process.env, ...store.env, LOG_LEVEL: 'debug', HOST: '127.0.0.1' };
  if (!store.env.DATABASE_URL) delete env.DATABASE_URL;
  const child = spawn(process.execPath, [MAIN, 'start', '--port', String(port), ...store.args], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (c) => {
    output += c;
  });
  child.stderr!.on('data', (c) => {
    output += c;
  });
  const url = `http://127.0.0.1:${port}`;
  const ids: string[] = [];
  try {
    const deadline = Date.now() + 60_000;
    for (;;) {
      assert.ok(Date.now() < deadline, `server not ready:\n${output}`);
      assert.equal(child.exitCode, null, output);
      const ok = await fetch(`${url}/readyz`).then(
        (r) => r.status === 200,
        () => false,
      );
      if (ok) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const call = async (path: string, init: RequestInit) => {
      const res = await fetch(`${url}${path}`, init);
      ids.push(res.headers.get('x-request-id') ?? '');
      await res.arrayBuffer();
      return res.status;
    };
    assert.equal(
      await call('/sensor/', {
        method: 'POST',
        headers: { 'Api-Key': apiKey, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ ipAddress: '8.8.8.8', url: '/', userName: 'logged' }),
      }),
      204,
    );
    // The key in the form body (tirreno's `key` field), in a JSON field, and in the query string.
    await call('/sensor/', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', Cookie: `session=${apiKey}` },
      body: new URLSearchParams({ key: apiKey, ipAddress: '8.8.8.8', url: '/', userName: 'logged' }),
    });
    await call(`/api/v1/events?api_key=${apiKey}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ api_key: apiKey, apiKey, ipAddress: '8.8.8.8', url: '/', userName: 'logged' }),
    });
    // A wrong key, and malformed JSON carrying one, take the error paths.
    await call('/api/v1/events', {
      method: 'POST',
      headers: { 'Api-Key': `${apiKey}x`, 'content-type': 'application/json' },
      body: '{}',
    });
    await call('/api/v1/events', {
      method: 'POST',
      headers: { 'Api-Key': apiKey, 'content-type': 'application/json' },
      body: `{"api_key": "${apiKey}", `,
    });
    await call(`/metrics?key=${apiKey}`, { headers: { 'Api-Key': apiKey } });
    await new Promise((r) => setTimeout(r, 300));
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }

  assert.ok(!output.includes(apiKey), `the API key was logged:\n${output}`);
  assert.ok(!output.includes(apiKey.slice(4, 20)), 'part of the API key was logged');
  const lines = output
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { reqId?: string; req?: { url: string }; msg?: string });
  const requestLines = lines.filter((l) => l.req);
  assert.ok(requestLines.length >= 6, `request lines logged:\n${output}`);
  // Every request line carries the id the client got back in X-Request-Id.
  const logged = new Set(lines.map((l) => l.reqId));
  for (const id of ids) assert.ok(id && logged.has(id), `request id ${id} in the logs`);
  assert.ok(requestLines.some((l) => l.req!.url === '/api/v1/events?api_key=[redacted]'));
});
