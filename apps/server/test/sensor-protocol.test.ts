import assert from 'node:assert/strict';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { form, type Harness, lastLogbook, postForm, startHarness, userEvents } from './harness.ts';

describe('sensor protocol over real HTTP', () => {
  let h: Harness;
  let port: number;
  before(async () => {
    h = await startHarness();
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    port = (h.app.server.address() as AddressInfo).port;
  });
  after(() => h.close());

  function send(
    body: string | Buffer,
    headers: Record<string, string>,
  ): Promise<{ status: number; body: string; continued: boolean }> {
    return new Promise((resolve, reject) => {
      let continued = false;
      const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/sensor/', headers }, (res) => {
        let text = '';
        res.on('data', (c) => {
          text += c;
        });
        res.on('end', () => resolve({ status: res.statusCode!, body: text, continued }));
      });
      req.on('error', reject);
      if (headers.expect) {
        // Like cURL: wait for "100 Continue" before sending the body.
        req.on('continue', () => {
          continued = true;
          req.end(body);
        });
        req.flushHeaders();
      } else {
        req.end(body);
      }
    });
  }

  test('Expect: 100-continue (cURL does it for bodies over 1 KB)', async () => {
    const body = form({ userName: 'expect', ipAddress: '1.2.3.4', url: '/x', pageTitle: 'p'.repeat(1500) });
    const res = await send(body, {
      'content-type': 'application/x-www-form-urlencoded',
      'api-key': h.apiKey,
      expect: '100-continue',
      'content-length': String(Buffer.byteLength(body)),
    });
    assert.equal(res.continued, true);
    assert.equal(res.status, 204);
    assert.equal((await userEvents(h, 'expect')).length, 1);
  });

  test('multipart/form-data with bracket arrays', async () => {
    const boundary = '----vigil';
    const parts = [
      ['userName', 'multi'],
      ['ipAddress', '1.2.3.4'],
      ['url', '/profile'],
      ['eventType', 'field_edit'],
      ['fieldHistory[0][field_id]', 'city'],
      ['fieldHistory[0][new_value]', 'Paris'],
    ];
    const body = `${parts
      .map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`)
      .join('')}--${boundary}--\r\n`;
    const res = await send(body, {
      'content-type': `multipart/form-data; boundary=${boundary}`,
      'api-key': h.apiKey,
    });
    assert.equal(res.status, 204, res.body);
    const [e] = await userEvents(h, 'multi');
    assert.equal(e!.type, 'field_edit');
    assert.equal((e!.fieldHistory as { newValue: string }[])[0]!.newValue, 'Paris');
  });

  test('JSON body on the sensor', async () => {
    const res = await send(
      JSON.stringify({ userName: 'json', ipAddress: '1.2.3.4', url: '/j', httpCode: 200, payload: { a: 1 } }),
      { 'content-type': 'application/json', 'api-key': h.apiKey },
    );
    assert.equal(res.status, 204, res.body);
    const [e] = await userEvents(h, 'json');
    assert.equal(e!.httpCode, 200);
    assert.equal(e!.payload, null, 'payload is only kept for page_search and account_email_change');
  });
});

describe('sensor errors', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  test('no Api-Key header → 401 JSON, nothing stored', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/sensor/',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: form({ ipAddress: '1.2.3.4', url: '/', userName: 'nokey' }),
    });
    assert.equal(res.statusCode, 401);
    assert.equal(res.json().error.code, 'missing_api_key');
    assert.equal(res.json().error.field, 'Api-Key');
  });

  test('a key in the body does not authenticate', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/sensor/',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: form({ key: h.apiKey, ipAddress: '1.2.3.4', url: '/', userName: 'bodykey' }),
    });
    assert.equal(res.statusCode, 401);
  });

  test('unknown key → 401 JSON', async () => {
    const res = await postForm(h, form({ ipAddress: '1.2.3.4', url: '/' }), { 'api-key': 'vgl_nope' });
    assert.equal(res.statusCode, 401);
    assert.equal(res.json().error.code, 'invalid_api_key');
  });

  for (const field of ['ipAddress', 'url'] as const) {
    test(`missing ${field} → 400 with the field, logbook type 2`, async () => {
      const fields: Record<string, string> = { userName: `missing-${field}`, ipAddress: '1.2.3.4', url: '/' };
      delete fields[field];
      const res = await postForm(h, form(fields), { 'x-request-id': `req-${field}` });
      assert.equal(res.statusCode, 400);
      const body = res.json();
      assert.equal(body.error.code, 'missing_field');
      assert.equal(body.error.field, field);
      const log = await lastLogbook(h);
      assert.equal(log!.error_type, 2);
      assert.deepEqual(log!.error_text, [
        `Validation error: "Required field is missing or empty" for key "${field}"`,
      ]);
      assert.equal(log!.event_id, null);
      assert.equal(log!.request_id, `req-${field}`);
      const { rows } = await h.db.query('SELECT 1 FROM users WHERE user_name = $1', [`missing-${field}`]);
      assert.equal(rows.length, 0);
    });
  }

  test('an empty ipAddress is present: stored as 0.0.0.0 with a warning', async () => {
    assert.equal((await postForm(h, form({ userName: 'emptyip', ipAddress: '', url: '/' }))).statusCode, 204);
    assert.equal((await userEvents(h, 'emptyip'))[0]!.ipAddress, '0.0.0.0');
    assert.equal((await lastLogbook(h))!.error_type, 1);
  });

  test('unsupported content type → 415', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/sensor/',
      headers: { 'content-type': 'text/plain', 'api-key': h.apiKey },
      payload: 'ipAddress=1.2.3.4&url=/',
    });
    assert.equal(res.statusCode, 415);
    assert.equal(res.json().error.code, 'unsupported_media_type');
  });

  test('malformed JSON → 400, never 500', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/sensor/',
      headers: { 'content-type': 'application/json', 'api-key': h.apiKey },
      payload: '{"ipAddress": ',
    });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().error.code, 'invalid_body');
  });

  test('body over the limit → 413', async () => {
    const res = await postForm(h, `ipAddress=1.2.3.4&url=/&pageTitle=${'x'.repeat(1_100_000)}`);
    assert.equal(res.statusCode, 413);
    assert.equal(res.json().error.code, 'payload_too_large');
  });

  test('blacklisting=true → 200 {value, blacklisted}', async () => {
    const body = form({ userName: 'bl', ipAddress: '9.9.9.9', url: '/', blacklisting: 'true' });
    let res = await postForm(h, body);
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { value: '9.9.9.9', blacklisted: false });
    await h.db.query("UPDATE ips SET blacklisted = true WHERE project_id = $1 AND ip = '9.9.9.9'", [
      h.projectId,
    ]);
    res = await postForm(h, body);
    assert.deepEqual(res.json(), { value: '9.9.9.9', blacklisted: true });
    assert.equal((await userEvents(h, 'bl')).length, 2, 'the event is stored either way');
  });

  test('X-Request-Id of 40 characters is stored whole', async () => {
    const id = 'r'.repeat(40);
    assert.equal(
      (await postForm(h, form({ userName: 'trace', ipAddress: '1.2.3.4', url: '/' }), { 'x-request-id': id }))
        .statusCode,
      204,
    );
    assert.equal((await userEvents(h, 'trace'))[0]!.requestId, id);
    assert.equal((await lastLogbook(h))!.request_id, id);
  });

  test('logbook records the caller address and the raw recognised fields only', async () => {
    await postForm(h, form({ userName: 'raw', ipAddress: '1.2.3.4', url: '/', extra: 'ignored' }));
    const log = await lastLogbook(h);
    assert.equal(log!.caller_ip, '127.0.0.1');
    assert.deepEqual(log!.raw, { userName: 'raw', ipAddress: '1.2.3.4', url: '/' });
    assert.equal(log!.endpoint, '/sensor/');
  });
});

describe('sensor rate limit', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ rateLimitRps: 1, rateLimitWindow: 3 });
  });
  after(() => h.close());

  test('over rps × window in the window → 429 with Retry-After and a type-4 logbook row', async () => {
    const body = form({ userName: 'limited', ipAddress: '1.2.3.4', url: '/' });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await postForm(h, body)).statusCode);
    assert.deepEqual(statuses, [204, 204, 204, 429]);
    const res = await postForm(h, body);
    assert.equal(res.statusCode, 429);
    assert.ok(res.headers['retry-after']);
    assert.equal(res.json().error.code, 'rate_limited');
    const log = await lastLogbook(h);
    assert.equal(log!.error_type, 4);
    assert.deepEqual(log!.error_text, ['Rate limit']);
    assert.equal((await userEvents(h, 'limited')).length, 3);
  });
});
