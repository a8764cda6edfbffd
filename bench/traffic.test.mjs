import assert from 'node:assert/strict';
import { isIP } from 'node:net';
import { describe, it } from 'node:test';
import { createTraffic, encodeForm, formatEventTime } from './traffic.mjs';

const START = Date.UTC(2026, 0, 5, 12, 0, 0);

function take(traffic, n) {
  const events = [];
  for (let i = 0; i < n; i++) events.push(traffic.next());
  return events;
}

describe('createTraffic', () => {
  it('is deterministic for a seed and start time', () => {
    const a = take(createTraffic({ users: 300, seed: 42, startTime: START }), 3000);
    const b = take(createTraffic({ users: 300, seed: 42, startTime: START }), 3000);
    assert.deepEqual(a, b);
    const c = take(createTraffic({ users: 300, seed: 43, startTime: START }), 3000);
    assert.notDeepEqual(a, c);
  });

  it('treats a numeric and a string seed alike', () => {
    const a = take(createTraffic({ users: 50, seed: 7, startTime: START }), 100);
    const b = take(createTraffic({ users: 50, seed: '7', startTime: START }), 100);
    assert.deepEqual(a, b);
  });

  const events = take(createTraffic({ users: 2000, seed: 1, startTime: START }), 40_000);

  it('gives every event an ipAddress, a url and the required shape', () => {
    for (const { userName, fields } of events) {
      assert.equal(typeof userName, 'string');
      assert.equal(fields.userName, userName);
      assert.ok(isIP(fields.ipAddress) !== 0, `bad ip ${fields.ipAddress}`);
      assert.match(fields.url, /^\/\S*$/);
      assert.match(fields.eventTime, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}$/);
      assert.equal(typeof fields.userAgent, 'string');
      assert.ok(fields.userAgent.startsWith('Mozilla/5.0 ('));
      assert.ok(fields.browserLanguage.length > 0);
      assert.match(fields.httpMethod, /^(GET|POST)$/);
      assert.equal(typeof fields.httpReferer, 'string');
      assert.match(fields.emailAddress, /^[a-z0-9.]+@[a-z0-9.-]+\.[a-z]+$/);
      assert.ok(Number.isInteger(fields.httpCode));
      if (fields.phoneNumber !== undefined) assert.match(fields.phoneNumber, /^\+\d{8,15}$/);
    }
  });

  it('emits events in time order, starting at startTime', () => {
    let previous = '';
    for (const { fields } of events) {
      assert.ok(fields.eventTime >= previous, `${fields.eventTime} < ${previous}`);
      previous = fields.eventTime;
    }
    assert.ok(events[0].fields.eventTime >= formatEventTime(START));
  });

  it('uses only public addresses, IPv4 and some IPv6', () => {
    let v6 = 0;
    for (const { fields } of events) {
      const ip = fields.ipAddress;
      if (isIP(ip) === 6) {
        v6++;
        assert.match(ip, /^(2[0-9a-f]{3}):/); // global unicast 2000::/3
        continue;
      }
      const [a, b] = ip.split('.').map(Number);
      const reserved =
        a === 0 ||
        a === 10 ||
        a === 127 ||
        a >= 224 ||
        (a === 100 && b >= 64 && b < 128) ||
        (a === 169 && b === 254) ||
        (a === 172 && b >= 16 && b < 32) ||
        (a === 192 && b === 168) ||
        (a === 198 && (b === 18 || b === 19));
      assert.ok(!reserved, `reserved address ${ip}`);
    }
    assert.ok(v6 > events.length * 0.05, `only ${v6} IPv6 events`);
  });

  it('mixes the event types of a real application', () => {
    const counts = {};
    let notFound = 0;
    for (const { fields } of events) {
      counts[fields.eventType] = (counts[fields.eventType] ?? 0) + 1;
      if (fields.httpCode === 404) notFound++;
    }
    const share = (type) => (counts[type] ?? 0) / events.length;
    assert.ok(share('page_view') > 0.6, 'mostly page views');
    for (const type of [
      'account_login',
      'account_login_fail',
      'account_logout',
      'account_registration',
      'page_search',
      'field_edit',
      'account_password_change',
      'account_email_change',
    ]) {
      assert.ok(counts[type] > 0, `no ${type}`);
    }
    assert.ok(share('account_login') > share('account_login_fail'));
    assert.ok(notFound > 0 && notFound < events.length * 0.05, `${notFound} 404s`);
  });

  it('sends payload for page_search and fieldHistory for field_edit, in the SDK shape', () => {
    for (const { fields } of events) {
      if (fields.eventType === 'page_search') {
        assert.deepEqual(Object.keys(fields.payload), ['field_id', 'value', 'field_name']);
      } else if (fields.eventType === 'account_email_change') {
        assert.deepEqual(Object.keys(fields.payload), ['new_value', 'old_value']);
        assert.equal(fields.emailAddress, fields.payload.new_value);
      } else {
        assert.equal(fields.payload, undefined);
      }
      if (fields.eventType === 'field_edit') {
        assert.ok(Array.isArray(fields.fieldHistory) && fields.fieldHistory.length > 0);
        for (const item of fields.fieldHistory) {
          assert.deepEqual(Object.keys(item), ['field_id', 'new_value', 'old_value', 'field_name']);
          assert.notEqual(item.new_value, item.old_value);
        }
      } else {
        assert.equal(fields.fieldHistory, undefined);
      }
    }
  });

  it('gives users 1-3 devices, several countries and sessions hours apart', () => {
    const byUser = new Map();
    for (const { userName, fields } of events) {
      let u = byUser.get(userName);
      if (!u) {
        u = { devices: new Set(), langs: new Set(), times: [] };
        byUser.set(userName, u);
      }
      u.devices.add(fields.userAgent);
      u.langs.add(fields.browserLanguage.slice(0, 2));
      u.times.push(Date.parse(`${fields.eventTime.replace(' ', 'T')}Z`));
    }
    let longGaps = 0;
    let shortGaps = 0;
    for (const u of byUser.values()) {
      assert.ok(u.devices.size <= 3);
      for (let i = 1; i < u.times.length; i++) {
        const gap = u.times[i] - u.times[i - 1];
        if (gap >= 3600e3) longGaps++;
        else if (gap < 15 * 60e3) shortGaps++;
      }
    }
    assert.ok(longGaps > 0 && shortGaps > longGaps * 3, `${shortGaps} short, ${longGaps} long gaps`);
    const languages = new Set(events.map((e) => e.fields.browserLanguage.slice(0, 2)));
    for (const lang of ['en', 'de', 'fr', 'pt', 'ja']) assert.ok(languages.has(lang), `no ${lang} users`);
  });

  it('rejects a bad user count', () => {
    assert.throws(() => createTraffic({ users: 0 }), RangeError);
  });
});

// The literal bodies captured from the SDKs, spec/tirreno-sensor-and-data.md §7.
describe('encodeForm', () => {
  const login = {
    userName: 'johndoe42',
    eventTime: '2026-01-06 10:00:00.123',
    ipAddress: '1.1.1.1',
    userAgent: 'Mozilla/5.0 (X11; Linux x86_64)',
    browserLanguage: 'fr-FR,fr;q=0.9',
    httpMethod: 'POST',
    httpReferer: '',
    url: '/login',
    emailAddress: 'John@Example.com',
    eventType: 'account_login',
  };

  it('node: the Node.js SDK example (§7.1)', () => {
    assert.equal(
      encodeForm(login, 'node'),
      'userName=johndoe42&eventTime=2026-01-06%2010%3A00%3A00.123&ipAddress=1.1.1.1&userAgent=Mozilla%2F5.0%20%28X11%3B%20Linux%20x86_64%29&browserLanguage=fr-FR%2Cfr%3Bq%3D0.9&httpMethod=POST&httpReferer=&url=%2Flogin&emailAddress=John%40Example.com&eventType=account_login',
    );
  });

  it('node: field_edit and page_search fragments (§7.1)', () => {
    const fieldEdit = {
      eventType: 'field_edit',
      httpCode: 200,
      fieldHistory: [{ field_id: 179283, new_value: 'Paris', field_name: 'User city', old_value: 'London' }],
    };
    assert.equal(
      encodeForm(fieldEdit, 'node'),
      'eventType=field_edit&httpCode=200&fieldHistory%5B0%5D%5Bfield_id%5D=179283&fieldHistory%5B0%5D%5Bnew_value%5D=Paris&fieldHistory%5B0%5D%5Bfield_name%5D=User%20city&fieldHistory%5B0%5D%5Bold_value%5D=London',
    );
    const search = { payload: { field_id: '179280', value: 'search query', field_name: 'Country' } };
    assert.equal(
      encodeForm(search, 'node'),
      'payload%5Bfield_id%5D=179280&payload%5Bvalue%5D=search%20query&payload%5Bfield_name%5D=Country',
    );
  });

  it('python: the Python SDK example (§7.2)', () => {
    assert.equal(
      encodeForm({ ...login, httpReferer: 'https://example.com/' }, 'python'),
      'userName=johndoe42&eventTime=2026-01-06+10%3A00%3A00.123&ipAddress=1.1.1.1&userAgent=Mozilla%2F5.0+%28X11%3B+Linux+x86_64%29&browserLanguage=fr-FR%2Cfr%3Bq%3D0.9&httpMethod=POST&httpReferer=https%3A%2F%2Fexample.com%2F&url=%2Flogin&emailAddress=John%40Example.com&eventType=account_login',
    );
  });

  it('python: nested payload and fieldHistory go out as their key names only (§7.2)', () => {
    assert.equal(
      encodeForm({ payload: { field_id: '179280', value: 'search query' } }, 'python'),
      'payload=field_id&payload=value',
    );
    assert.equal(
      encodeForm(
        {
          eventType: 'field_edit',
          fieldHistory: [
            { field_id: '1', new_value: 'Paris' },
            { field_id: '2', new_value: 'x', old_value: 'y' },
          ],
        },
        'python',
      ),
      'eventType=field_edit&fieldHistory=field_id&fieldHistory=new_value&fieldHistory=field_id&fieldHistory=new_value&fieldHistory=old_value',
    );
  });

  it('php: the PHP SDK example and fragments (§7.3)', () => {
    const fields = {
      userName: 'johndoe42',
      eventTime: '2026-01-06 10:00:00.123',
      ipAddress: '203.0.113.7',
      userAgent: 'Mozilla/5.0 (X11; Linux x86_64)',
      browserLanguage: 'fr-FR,fr;q=0.9',
      httpMethod: 'POST',
      httpReferer: '',
      url: '/login?next=%2Fhome',
      firstName: 'John',
      eventType: 'account_login',
    };
    assert.equal(
      encodeForm(fields, 'php'),
      'userName=johndoe42&eventTime=2026-01-06+10%3A00%3A00.123&ipAddress=203.0.113.7&userAgent=Mozilla%2F5.0+%28X11%3B+Linux+x86_64%29&browserLanguage=fr-FR%2Cfr%3Bq%3D0.9&httpMethod=POST&httpReferer=&url=%2Flogin%3Fnext%3D%252Fhome&firstName=John&eventType=account_login',
    );
    assert.equal(
      encodeForm({ payload: { field_id: '179280', value: 'search query', field_name: 'Country' } }, 'php'),
      'payload%5Bfield_id%5D=179280&payload%5Bvalue%5D=search+query&payload%5Bfield_name%5D=Country',
    );
    assert.equal(
      encodeForm({ fieldHistory: [{ field_id: '179283', new_value: 'Paris', old_value: 'London' }] }, 'php'),
      'fieldHistory%5B0%5D%5Bfield_id%5D=179283&fieldHistory%5B0%5D%5Bnew_value%5D=Paris&fieldHistory%5B0%5D%5Bold_value%5D=London',
    );
  });

  it('differs between the styles only where the SDKs differ', () => {
    const fields = { a: "x y~!'()*é", n: null, u: undefined, empty: '', b: true };
    assert.equal(encodeForm(fields, 'node'), 'a=x%20y~%21%27%28%29%2A%C3%A9&empty=&b=true');
    assert.equal(encodeForm(fields, 'php'), 'a=x+y%7E%21%27%28%29%2A%C3%A9&empty=&b=1');
    assert.equal(encodeForm(fields, 'python'), 'a=x+y~%21%27%28%29%2A%C3%A9&empty=&b=True');
    // An empty array is not sent at all (qs, http_build_query and requests agree).
    for (const style of ['node', 'php', 'python']) assert.equal(encodeForm({ fieldHistory: [] }, style), '');
  });

  it('round-trips generated events through a form parser', () => {
    const traffic = createTraffic({ users: 100, seed: 3, startTime: START });
    for (const { fields } of take(traffic, 500)) {
      for (const style of ['node', 'php']) {
        const parsed = new URLSearchParams(encodeForm(fields, style));
        assert.equal(parsed.get('userAgent'), fields.userAgent);
        assert.equal(parsed.get('url'), fields.url);
        assert.equal(parsed.get('eventTime'), fields.eventTime);
        if (fields.payload?.value) assert.equal(parsed.get('payload[value]'), fields.payload.value);
        if (fields.fieldHistory) {
          assert.equal(parsed.get('fieldHistory[0][new_value]'), fields.fieldHistory[0].new_value);
        }
      }
    }
  });

  it('rejects an unknown style', () => {
    assert.throws(() => encodeForm({ a: '1' }, 'ruby'), RangeError);
  });
});
