import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createEnricher } from '@vigil/enrich';
import { form, type Harness, postForm, startHarness } from './harness.ts';

// Offline enrichment end to end: events in through /sensor/, facts out through the API and the rows.
describe('enrichment at ingest', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ enricher: createEnricher() });
  });
  after(() => h.close());

  const ipInfo = async (ip: string) => {
    const res = await h.app.inject({
      method: 'GET',
      url: `/api/v1/ips/${ip}`,
      headers: { 'api-key': h.apiKey },
    });
    assert.equal(res.statusCode, 200, res.body);
    return res.json();
  };

  test('a login from a datacenter IP shows country, ASN, ISP and the datacenter flag', async () => {
    const res = await postForm(
      h,
      form({
        userName: 'cloudy',
        ipAddress: '3.120.0.1',
        url: '/login',
        eventType: 'account_login',
        userAgent: 'curl/8.4.0',
      }),
    );
    assert.equal(res.statusCode, 204);
    const info = await ipInfo('3.120.0.1');
    assert.equal(info.seen, true);
    assert.equal(info.asn, 16509);
    assert.match(info.isp, /amazon/i);
    assert.equal(info.country, 'DE');
    assert.equal(info.flags.datacenter, true);
    assert.equal(info.type, 'datacenter');
    assert.ok(info.sources.datacenter, 'the datacenter flag names its source');
    assert.equal(info.users, 1);
    assert.equal(info.events, 1);
    assert.equal(info.blacklisted, false);
    const { rows } = await h.db.query(
      `SELECT i.country, i.is_datacenter, host(i.network) AS network, isp.asn, isp.name
         FROM ips i JOIN isps isp ON isp.id = i.isp_id WHERE i.project_id = $1 AND i.ip = '3.120.0.1'`,
      [h.projectId],
    );
    assert.equal(rows[0]!.country, 'DE');
    assert.equal(rows[0]!.is_datacenter, true);
    assert.equal(rows[0]!.asn, 16509);
  });

  test('private and mapped addresses', async () => {
    await postForm(h, form({ userName: 'lan', ipAddress: '192.168.1.20', url: '/' }));
    const lan = await ipInfo('192.168.1.20');
    assert.equal(lan.type, 'local');
    assert.equal(lan.flags.local, true);
    const isp = await h.db.query('SELECT asn, name FROM isps WHERE project_id = $1 AND asn = 0', [
      h.projectId,
    ]);
    assert.equal(isp.rows[0]!.name, 'Local area network');
    const mapped = await ipInfo('::ffff:8.8.8.8');
    assert.equal(mapped.flags.local, false, 'an IPv4-mapped address is classified by its IPv4 part');
    assert.equal(mapped.country, 'US');
    assert.equal(mapped.seen, false);
  });

  test('user agent, e-mail, domain and phone facts land on their rows', async () => {
    await postForm(
      h,
      form({
        userName: 'enriched',
        ipAddress: '88.198.0.1',
        url: '/register',
        eventType: 'account_registration',
        userAgent:
          'Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)',
        emailAddress: 'someone@mailinator.com',
        phoneNumber: '030 901820',
      }),
    );
    const ua = await h.db.query(
      "SELECT device_type, is_bot, is_ai_bot, bot_name FROM user_agents WHERE project_id = $1 AND ua LIKE '%GPTBot%'",
      [h.projectId],
    );
    assert.equal(ua.rows[0]!.is_bot, true);
    assert.equal(ua.rows[0]!.is_ai_bot, true);
    assert.equal(ua.rows[0]!.device_type, 'bot');
    const domain = await h.db.query(
      "SELECT is_disposable, is_free FROM domains WHERE project_id = $1 AND domain = 'mailinator.com'",
      [h.projectId],
    );
    assert.equal(domain.rows[0]!.is_disposable, true);
    const phone = await h.db.query(
      "SELECT e164, country, is_valid FROM phones WHERE project_id = $1 AND phone = '030901820'",
      [h.projectId],
    );
    assert.equal(
      phone.rows[0]!.country,
      'DE',
      'a number without a prefix is read in the country of the IP (Hetzner, DE)',
    );
    assert.equal(phone.rows[0]!.e164, '+4930901820');
  });

  test('a bad address is a 400 naming the field', async () => {
    const res = await h.app.inject({
      method: 'GET',
      url: '/api/v1/ips/999.1.1.1',
      headers: { 'api-key': h.apiKey },
    });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().error.field, 'ip');
  });
});
