/**
 * The exact request bodies tirreno's three SDKs send (spec §7, captured from their code),
 * parsed as PHP would and normalised. If these pass, the SDKs work against Vigil unchanged.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { NormalisedEvent } from '../src/event.ts';
import { normaliseSensorFields } from '../src/sensor/normalise.ts';
import { parsePhpForm } from '../src/sensor/php-form.ts';

const NOW = new Date('2026-01-06T12:00:00.000Z');
const SENT_AT = new Date('2026-01-06T10:00:00.123Z');

function ingest(body: string) {
  const result = normaliseSensorFields(parsePhpForm(body), NOW);
  assert.ok(result.ok, JSON.stringify(result));
  return result;
}

const EMPTY: NormalisedEvent = {
  userName: '',
  emailAddress: null,
  ipAddress: '',
  url: '',
  urlQuery: null,
  userAgent: null,
  eventTime: SENT_AT,
  firstName: null,
  lastName: null,
  fullName: null,
  pageTitle: null,
  phoneNumber: null,
  httpReferer: null,
  httpCode: null,
  browserLanguage: null,
  eventType: 'page_view',
  httpMethod: null,
  userCreated: null,
  payload: null,
  fieldHistory: null,
  blacklisting: false,
};

describe('Node.js SDK (qs: %20, percent-encoded brackets, empty defaults sent)', () => {
  const login =
    'userName=johndoe42&eventTime=2026-01-06%2010%3A00%3A00.123&ipAddress=1.1.1.1&userAgent=Mozilla%2F5.0%20%28X11%3B%20Linux%20x86_64%29&browserLanguage=fr-FR%2Cfr%3Bq%3D0.9&httpMethod=POST&httpReferer=&url=%2Flogin&emailAddress=John%40Example.com&eventType=account_login';

  test('account_login', () => {
    const { event, warnings, raw } = ingest(login);
    assert.deepStrictEqual(warnings, []);
    assert.deepStrictEqual(event, {
      ...EMPTY,
      userName: 'johndoe42',
      emailAddress: 'john@example.com',
      ipAddress: '1.1.1.1',
      url: '/login',
      userAgent: 'Mozilla/5.0 (X11; Linux x86_64)',
      httpReferer: '',
      browserLanguage: 'fr-FR,fr;q=0.9',
      eventType: 'account_login',
      httpMethod: 'post',
    });
    assert.equal(raw.emailAddress, 'John@Example.com');
    assert.equal(raw.eventTime, '2026-01-06 10:00:00.123');
  });

  test('field_edit with fieldHistory', () => {
    const { event, warnings } = ingest(
      `${login.replace('&eventType=account_login', '')}&eventType=field_edit&httpCode=200&fieldHistory%5B0%5D%5Bfield_id%5D=179283&fieldHistory%5B0%5D%5Bnew_value%5D=Paris&fieldHistory%5B0%5D%5Bfield_name%5D=User%20city&fieldHistory%5B0%5D%5Bold_value%5D=London`,
    );
    assert.deepStrictEqual(warnings, []);
    assert.equal(event.eventType, 'field_edit');
    assert.equal(event.httpCode, 200);
    assert.deepStrictEqual(event.fieldHistory, [
      {
        fieldId: '179283',
        fieldName: 'User city',
        oldValue: 'London',
        newValue: 'Paris',
        parentId: null,
        parentName: null,
      },
    ]);
  });

  test('page_search with payload', () => {
    const { event, warnings } = ingest(
      `${login.replace('&eventType=account_login', '&eventType=page_search')}&payload%5Bfield_id%5D=179280&payload%5Bvalue%5D=search%20query&payload%5Bfield_name%5D=Country`,
    );
    assert.deepStrictEqual(warnings, []);
    assert.equal(event.eventType, 'page_search');
    assert.deepStrictEqual(event.payload, {
      field_id: '179280',
      value: 'search query',
      field_name: 'Country',
    });
  });

  test('an unset user name is sent as userName= and kept as ""', () => {
    const { event } = ingest(login.replace('userName=johndoe42', 'userName='));
    assert.equal(event.userName, '');
  });

  test('account_login_fail with 401 stays a failed login', () => {
    const { event } = ingest(`${login.replace('account_login', 'account_login_fail')}&httpCode=401`);
    assert.equal(event.eventType, 'account_login_fail');
    assert.equal(event.httpCode, 401);
  });
});

describe('Python SDK (requests: + for spaces, defaults omitted when None)', () => {
  const login =
    'userName=johndoe42&eventTime=2026-01-06+10%3A00%3A00.123&ipAddress=1.1.1.1&userAgent=Mozilla%2F5.0+%28X11%3B+Linux+x86_64%29&browserLanguage=fr-FR%2Cfr%3Bq%3D0.9&httpMethod=POST&httpReferer=https%3A%2F%2Fexample.com%2F&url=%2Flogin&emailAddress=John%40Example.com&eventType=account_login';

  test('account_login', () => {
    const { event, warnings } = ingest(login);
    assert.deepStrictEqual(warnings, []);
    assert.deepStrictEqual(event, {
      ...EMPTY,
      userName: 'johndoe42',
      emailAddress: 'john@example.com',
      ipAddress: '1.1.1.1',
      url: '/login',
      userAgent: 'Mozilla/5.0 (X11; Linux x86_64)',
      httpReferer: 'https://example.com/',
      browserLanguage: 'fr-FR,fr;q=0.9',
      eventType: 'account_login',
      httpMethod: 'post',
    });
  });

  test('the broken payload encoding is stored with a warning, never rejected', () => {
    const { event, warnings } = ingest(
      `${login.replace('account_login', 'page_search')}&payload=field_id&payload=field_name&payload=value`,
    );
    assert.equal(event.eventType, 'page_search');
    assert.equal(event.payload, null);
    assert.deepStrictEqual(warnings, ['payload validation error on `value`']);
  });

  test('the broken fieldHistory encoding likewise', () => {
    const { event, warnings } = ingest(
      `${login.replace('account_login', 'field_edit')}&fieldHistory=field_id&fieldHistory=new_value`,
    );
    assert.equal(event.fieldHistory, null);
    assert.deepStrictEqual(warnings, ['fieldHistory validation error on `new_value`']);
  });

  test('without a user name: md5 of the email', () => {
    const { event } = ingest(login.replace('userName=johndoe42&', ''));
    assert.equal(event.userName, 'd4c74594d841139328695756648b6bd6');
  });

  test('an omitted url is rejected', () => {
    const result = normaliseSensorFields(parsePhpForm(login.replace('&url=%2Flogin', '')), NOW);
    assert.equal(result.ok, false);
    assert.equal(!result.ok && result.field, 'url');
  });
});

describe('PHP SDK (http_build_query: + for spaces, URL with its query)', () => {
  const login =
    'userName=johndoe42&eventTime=2026-01-06+10%3A00%3A00.123&ipAddress=203.0.113.7&userAgent=Mozilla%2F5.0+%28X11%3B+Linux+x86_64%29&browserLanguage=fr-FR%2Cfr%3Bq%3D0.9&httpMethod=POST&httpReferer=&url=%2Flogin%3Fnext%3D%252Fhome&firstName=John&eventType=account_login';

  test('account_login', () => {
    const { event, warnings } = ingest(login);
    assert.deepStrictEqual(warnings, []);
    assert.deepStrictEqual(event, {
      ...EMPTY,
      userName: 'johndoe42',
      ipAddress: '203.0.113.7',
      url: '/login',
      urlQuery: '?next=%2Fhome',
      userAgent: 'Mozilla/5.0 (X11; Linux x86_64)',
      firstName: 'John',
      httpReferer: '',
      browserLanguage: 'fr-FR,fr;q=0.9',
      eventType: 'account_login',
      httpMethod: 'post',
    });
  });

  test('page_search payload', () => {
    const { event, warnings } = ingest(
      `${login.replace('account_login', 'page_search')}&payload%5Bfield_id%5D=179280&payload%5Bvalue%5D=search+query&payload%5Bfield_name%5D=Country`,
    );
    assert.deepStrictEqual(warnings, []);
    assert.deepStrictEqual(event.payload, {
      field_id: '179280',
      value: 'search query',
      field_name: 'Country',
    });
  });

  test('field history entry', () => {
    const { event, warnings } = ingest(
      `${login.replace('account_login', 'field_edit')}&fieldHistory%5B0%5D%5Bfield_id%5D=179283&fieldHistory%5B0%5D%5Bnew_value%5D=Paris&fieldHistory%5B0%5D%5Bold_value%5D=London`,
    );
    assert.deepStrictEqual(warnings, []);
    assert.deepStrictEqual(event.fieldHistory, [
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

  test('default event: no eventType, masked IP as user name', () => {
    const { event } = ingest(
      'userName=203.0.113.%2A&eventTime=2026-01-06+10%3A00%3A00.123&ipAddress=203.0.113.7&userAgent=&browserLanguage=&httpMethod=GET&httpReferer=&url=%2F',
    );
    assert.equal(event.userName, '203.0.113.*');
    assert.equal(event.eventType, 'page_view');
    assert.equal(event.userAgent, '');
    assert.equal(event.browserLanguage, '');
  });

  test('a 404 page view becomes page_error', () => {
    const { event } = ingest(`${login.replace('&eventType=account_login', '')}&httpCode=404`);
    assert.equal(event.eventType, 'page_error');
  });
});
