// tirreno's Node SDK pointed at Vigil, unchanged: what it puts on the wire (spec §7.1: the base URL
// gets `sensor/` appended; qs-encoded form bodies with percent-encoded brackets and %20 spaces; the
// eight default fields always sent, "" when unset; any 2xx is success), sent over real HTTP and
// read back through GET /api/v1/users/{userName}/events.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Server, serverEvents, startServer } from './helpers.ts';

/** The SDK's URL rule: query and hash dropped, a trailing '/', then 'sensor/' unless already there. */
function sensorUrl(base: string): string {
  const u = new URL(base);
  u.search = '';
  u.hash = '';
  if (!u.pathname.endsWith('/')) u.pathname += '/';
  if (!u.pathname.endsWith('/sensor/')) u.pathname += 'sensor/';
  return u.toString();
}

/** qs.stringify with its defaults: RFC 3986 percent-encoding (brackets too), arrays with indices. */
function qsStringify(obj: Record<string, unknown>): string {
  const enc = (s: string) =>
    encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  const pairs: string[] = [];
  const walk = (prefix: string, value: unknown) => {
    if (value === null || value === undefined) return;
    if (Array.isArray(value)) {
      for (const [i, v] of value.entries()) walk(`${prefix}[${i}]`, v);
    } else if (typeof value === 'object')
      for (const [k, v] of Object.entries(value)) walk(`${prefix}[${k}]`, v);
    else pairs.push(`${enc(prefix)}=${enc(String(value))}`);
  };
  for (const [k, v] of Object.entries(obj)) walk(k, v);
  return pairs.join('&');
}

/** The event as the SDK's dump() builds it: defaults "" and a UTC 'YYYY-MM-DD HH:mm:ss.sss' time. */
function dump(fields: Record<string, unknown>): Record<string, unknown> {
  const t = new Date().toISOString().replace('T', ' ').replace('Z', '');
  return {
    userName: '',
    eventTime: t,
    ipAddress: '',
    userAgent: '',
    browserLanguage: '',
    httpMethod: '',
    httpReferer: '',
    url: '',
    ...fields,
  };
}

describe("tirreno's Node SDK wire format against Vigil", () => {
  let s: Server;
  const send = async (fields: Record<string, unknown>, base = `${s.url}/?utm=1#x`) =>
    fetch(sensorUrl(base), {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Api-Key': s.apiKey },
      body: qsStringify(dump(fields)),
    });
  before(async () => {
    s = await startServer();
  });
  after(() => s.close());

  test('the URL rule lands on /sensor/ (base with or without a path)', () => {
    assert.equal(sensorUrl('https://v.example.com'), 'https://v.example.com/sensor/');
    assert.equal(sensorUrl('https://v.example.com/vigil?x=1'), 'https://v.example.com/vigil/sensor/');
    assert.equal(sensorUrl('https://v.example.com/sensor/'), 'https://v.example.com/sensor/');
  });

  test('login: 204 (response.ok), every field stored', async () => {
    const res = await send({
      userName: 'tn-node',
      ipAddress: '1.1.1.1',
      url: '/login',
      userAgent: 'Mozilla/5.0 (X11; Linux x86_64)',
      browserLanguage: 'fr-FR,fr;q=0.9',
      httpMethod: 'POST',
      emailAddress: 'John@Example.com',
      eventType: 'account_login',
    });
    assert.equal(res.status, 204);
    assert.ok(res.ok);
    const [e] = await serverEvents(s.url, s.apiKey, 'tn-node');
    assert.equal(e!.type, 'account_login');
    assert.equal(e!.userAgent, 'Mozilla/5.0 (X11; Linux x86_64)');
    assert.equal(e!.emailAddress, 'john@example.com');
    assert.equal(e!.httpReferer, '');
  });

  test('field_edit (fieldHistory[0][field_id]…) and page_search payload', async () => {
    assert.equal(
      (
        await send({
          userName: 'tn-node',
          ipAddress: '1.1.1.1',
          url: '/profile',
          eventType: 'field_edit',
          httpCode: 200,
          fieldHistory: [
            { field_id: 179283, new_value: 'Paris', field_name: 'User city', old_value: 'London' },
          ],
        })
      ).status,
      204,
    );
    assert.equal(
      (
        await send({
          userName: 'tn-node',
          ipAddress: '1.1.1.1',
          url: '/search',
          eventType: 'page_search',
          payload: { field_id: 179280, value: 'search query', field_name: 'Country' },
        })
      ).status,
      204,
    );
    const events = await serverEvents(s.url, s.apiKey, 'tn-node');
    const edit = events.find((e) => e.type === 'field_edit')!;
    assert.deepEqual(edit.fieldHistory![0], {
      fieldId: '179283',
      fieldName: 'User city',
      oldValue: 'London',
      newValue: 'Paris',
      parentId: null,
      parentName: null,
    });
    const search = events.find((e) => e.type === 'page_search')!;
    assert.deepEqual(search.payload, { field_id: '179280', value: 'search query', field_name: 'Country' });
  });

  test('a failed login answered 401 stays a failed login; an unset user name (userName=) is accepted', async () => {
    await send({
      userName: 'tn-node-fail',
      ipAddress: '1.1.1.1',
      url: '/login',
      eventType: 'account_login_fail',
      httpCode: 401,
    });
    const [e] = await serverEvents(s.url, s.apiKey, 'tn-node-fail');
    assert.equal(e!.type, 'account_login_fail');
    assert.equal((await send({ ipAddress: '1.1.1.1', url: '/anonymous' })).status, 204);
  });

  test('errors are JSON with a status a 2xx check treats as failure (kept for retry by the SDK)', async () => {
    const res = await send({ userName: 'tn-node', url: '/no-ip', ipAddress: null });
    assert.equal(res.status, 400);
    assert.equal(((await res.json()) as { error: { field: string } }).error.field, 'ipAddress');
    const bad = await fetch(sensorUrl(s.url), {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Api-Key': 'wrong' },
      body: 'ipAddress=1.1.1.1&url=%2F',
    });
    assert.equal(bad.status, 401);
  });
});
