import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Harness, lastLogbook, postForm, startHarness, userEvents } from './harness.ts';

// The exact bodies tirreno's SDKs put on the wire (spec §7), replayed byte for byte.
const NODE_LOGIN =
  'userName=johndoe42&eventTime=2026-01-06%2010%3A00%3A00.123&ipAddress=1.1.1.1&userAgent=Mozilla%2F5.0%20%28X11%3B%20Linux%20x86_64%29&browserLanguage=fr-FR%2Cfr%3Bq%3D0.9&httpMethod=POST&httpReferer=&url=%2Flogin&emailAddress=John%40Example.com&eventType=account_login';
const NODE_FIELD_EDIT =
  'userName=johndoe42&eventTime=2026-01-06%2010%3A05%3A00.000&ipAddress=1.1.1.1&userAgent=&browserLanguage=&httpMethod=POST&httpReferer=&url=%2Fprofile&eventType=field_edit&httpCode=200&fieldHistory%5B0%5D%5Bfield_id%5D=179283&fieldHistory%5B0%5D%5Bnew_value%5D=Paris&fieldHistory%5B0%5D%5Bfield_name%5D=User%20city&fieldHistory%5B0%5D%5Bold_value%5D=London';
const NODE_SEARCH =
  'userName=johndoe42&eventTime=2026-01-06%2010%3A06%3A00.000&ipAddress=1.1.1.1&userAgent=&browserLanguage=&httpMethod=GET&httpReferer=&url=%2Fsearch&eventType=page_search&payload%5Bfield_id%5D=179280&payload%5Bvalue%5D=search%20query&payload%5Bfield_name%5D=Country';
const PYTHON_LOGIN =
  'userName=pyuser&eventTime=2026-01-06+10%3A00%3A00.123&ipAddress=1.1.1.1&userAgent=Mozilla%2F5.0+%28X11%3B+Linux+x86_64%29&browserLanguage=fr-FR%2Cfr%3Bq%3D0.9&httpMethod=POST&httpReferer=https%3A%2F%2Fexample.com%2F&url=%2Flogin&emailAddress=John%40Example.com&eventType=account_login';
// The Python SDK's real bug: nested values are sent as their key names only.
const PYTHON_SEARCH =
  'userName=pyuser&eventTime=2026-01-06+10%3A01%3A00.000&ipAddress=1.1.1.1&url=%2Fsearch&eventType=page_search&payload=field_id&payload=field_name&payload=value';
const PHP_LOGIN =
  'userName=phpuser&eventTime=2026-01-06+10%3A00%3A00.123&ipAddress=203.0.113.7&userAgent=Mozilla%2F5.0+%28X11%3B+Linux+x86_64%29&browserLanguage=fr-FR%2Cfr%3Bq%3D0.9&httpMethod=POST&httpReferer=&url=%2Flogin%3Fnext%3D%252Fhome&firstName=John&eventType=account_login';
const PHP_SEARCH =
  'userName=phpuser&eventTime=2026-01-06+10%3A02%3A00.000&ipAddress=203.0.113.7&userAgent=&browserLanguage=&httpMethod=GET&httpReferer=&url=%2Fsearch&payload%5Bfield_id%5D=179280&payload%5Bvalue%5D=search+query&payload%5Bfield_name%5D=Country&eventType=page_search';
const PHP_FIELD_EDIT =
  'userName=phpuser&eventTime=2026-01-06+10%3A03%3A00.000&ipAddress=203.0.113.7&userAgent=&browserLanguage=&httpMethod=POST&httpReferer=&url=%2Fprofile&eventType=field_edit&fieldHistory%5B0%5D%5Bfield_id%5D=179283&fieldHistory%5B0%5D%5Bnew_value%5D=Paris&fieldHistory%5B0%5D%5Bold_value%5D=London';

describe('bodies of tirreno SDKs', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  test('Node SDK login (%20 spaces, empty strings as values)', async () => {
    const res = await postForm(h, NODE_LOGIN);
    assert.equal(res.statusCode, 204);
    assert.equal(res.body, '');
    const [e] = await userEvents(h, 'johndoe42');
    assert.equal(e!.type, 'account_login');
    assert.equal(e!.time, '2026-01-06T10:00:00.123Z');
    assert.equal(e!.ipAddress, '1.1.1.1');
    assert.equal(e!.userAgent, 'Mozilla/5.0 (X11; Linux x86_64)');
    assert.equal(e!.browserLanguage, 'fr-FR,fr;q=0.9');
    assert.equal(e!.httpMethod, 'POST');
    assert.equal(e!.httpReferer, '', 'an empty referer is a value, not an absence');
    assert.equal(e!.url, '/login');
    assert.equal(e!.emailAddress, 'john@example.com');
    const log = await lastLogbook(h);
    assert.equal(log!.error_type, 0);
    assert.equal(log!.raw!.userName, 'johndoe42');
  });

  test('Node SDK field_edit with percent-encoded bracket arrays', async () => {
    assert.equal((await postForm(h, NODE_FIELD_EDIT)).statusCode, 204);
    const [e] = await userEvents(h, 'johndoe42', 1);
    assert.equal(e!.type, 'field_edit');
    assert.deepEqual(e!.fieldHistory, [
      {
        fieldId: '179283',
        fieldName: 'User city',
        oldValue: 'London',
        newValue: 'Paris',
        parentId: null,
        parentName: null,
      },
    ]);
    const { rows } = await h.db.query(
      'SELECT field_id, field_name, edit_count FROM fields WHERE project_id = $1',
      [h.projectId],
    );
    assert.deepEqual(rows, [{ field_id: '179283', field_name: 'User city', edit_count: 1 }]);
  });

  test('Node SDK page_search payload', async () => {
    assert.equal((await postForm(h, NODE_SEARCH)).statusCode, 204);
    const [e] = await userEvents(h, 'johndoe42', 1);
    assert.equal(e!.type, 'page_search');
    assert.deepEqual(e!.payload, { field_id: '179280', value: 'search query', field_name: 'Country' });
  });

  test('Python SDK login (+ spaces)', async () => {
    assert.equal((await postForm(h, PYTHON_LOGIN)).statusCode, 204);
    const [e] = await userEvents(h, 'pyuser');
    assert.equal(e!.userAgent, 'Mozilla/5.0 (X11; Linux x86_64)');
    assert.equal(e!.httpReferer, 'https://example.com/');
    assert.equal(e!.time, '2026-01-06T10:00:00.123Z');
  });

  test("Python SDK's key-names-only payload is stored with a warning, not rejected", async () => {
    const res = await postForm(h, PYTHON_SEARCH);
    assert.equal(res.statusCode, 204);
    const [e] = await userEvents(h, 'pyuser', 1);
    assert.equal(e!.type, 'page_search');
    assert.equal(e!.payload, null);
    const log = await lastLogbook(h);
    assert.equal(log!.error_type, 1);
    assert.ok(JSON.stringify(log!.error_text).includes('payload validation error'));
  });

  test('PHP SDK login keeps the query string of the URL apart', async () => {
    assert.equal((await postForm(h, PHP_LOGIN)).statusCode, 204);
    const [e] = await userEvents(h, 'phpuser');
    assert.equal(e!.url, '/login');
    assert.equal(e!.query, '?next=%2Fhome');
    assert.equal(e!.ipAddress, '203.0.113.7');
    const { rows } = await h.db.query(
      'SELECT first_name FROM users WHERE project_id = $1 AND user_name = $2',
      [h.projectId, 'phpuser'],
    );
    assert.equal(rows[0]!.first_name, 'John');
  });

  test('PHP SDK search payload and field history', async () => {
    assert.equal((await postForm(h, PHP_SEARCH)).statusCode, 204);
    assert.deepEqual((await userEvents(h, 'phpuser', 1))[0]!.payload, {
      field_id: '179280',
      value: 'search query',
      field_name: 'Country',
    });
    assert.equal((await postForm(h, PHP_FIELD_EDIT)).statusCode, 204);
    const [e] = await userEvents(h, 'phpuser', 1);
    assert.deepEqual(e!.fieldHistory, [
      {
        fieldId: '179283',
        fieldName: null,
        oldValue: 'London',
        newValue: 'Paris',
        parentId: null,
        parentName: null,
      },
    ]);
  });

  test('the same bodies on /sensor and /sensor/index.php', async () => {
    for (const url of ['/sensor', '/sensor/index.php']) {
      const res = await postForm(h, NODE_LOGIN.replace('johndoe42', `alias${url.length}`), {}, url);
      assert.equal(res.statusCode, 204, url);
    }
    assert.equal((await userEvents(h, 'alias7')).length, 1);
    assert.equal((await userEvents(h, 'alias17')).length, 1);
  });
});
