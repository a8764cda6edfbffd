import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createEnricher } from '@vigil/enrich';
import { createProject } from '../src/projects.ts';
import { type ConsoleClient, type ConsoleHarness, startConsoleHarness } from './console-harness.ts';
import { form, postForm } from './harness.ts';

// The entity pages' API end to end: known events in through /sensor/ with the real offline
// enricher, then every list, filter, CSV export and detail read back through the console API.

const DAY = 86_400_000;
const now = Date.now();
const ago = (ms: number) => new Date(now - ms).toISOString();
const DATACENTER_IP = '3.120.0.1'; // Amazon, Germany
const HOME_IP = '73.20.30.40'; // Comcast, United States
const GPTBOT =
  'Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)';
const CHROME =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';

describe('console entity pages', () => {
  let h: ConsoleHarness;
  let viewer: ConsoleClient;
  const period = `from=${encodeURIComponent(ago(3 * DAY))}&to=${encodeURIComponent(new Date(now + 60_000).toISOString())}`;

  const get = async (path: string) => {
    const res = await viewer.get(h.project(path));
    assert.equal(res.statusCode, 200, `${path}: ${res.body}`);
    return res.json();
  };

  before(async () => {
    h = await startConsoleHarness({ enricher: createEnricher() });
    viewer = await h.login(h.emails.viewer);
    const send = async (fields: Record<string, string>) => {
      const res = await postForm(h, form(fields));
      assert.equal(res.statusCode, 204, res.body);
    };
    // mallory: three events from a datacenter (one 10 days ago, before the period), a disposable
    // address, the AI crawler's user agent, an API path answered 500.
    for (const [i, at] of [ago(10 * DAY), ago(DAY), ago(DAY - 60_000)].entries()) {
      await send({
        userName: 'mallory',
        ipAddress: DATACENTER_IP,
        url: i === 2 ? '/api/orders.json' : '/login',
        eventType: i === 2 ? 'page_view' : 'account_login_fail',
        httpCode: i === 2 ? '500' : '401',
        userAgent: GPTBOT,
        emailAddress: 'mallory@mailinator.com',
        phoneNumber: '+4930901820',
        eventTime: at,
      });
    }
    // alice and bob: a home address in the US, a free mail provider, Chrome on Windows.
    for (const user of ['alice', 'bob']) {
      await send({
        userName: user,
        ipAddress: HOME_IP,
        url: '/account',
        eventType: 'account_login',
        userAgent: CHROME,
        emailAddress: `${user}@gmail.com`,
        eventTime: ago(2 * 3600_000),
      });
      await send({
        userName: user,
        ipAddress: HOME_IP,
        url: '/static/app.js',
        eventType: 'page_view',
        httpCode: '200',
        userAgent: CHROME,
        eventTime: ago(3600_000),
      });
    }
  });
  after(() => h.close());

  test('IPs: type, country, ISP and counters; the type chip and the search filter the rows', async () => {
    const list = await get(`/ips?${period}`);
    assert.equal(list.total, 2);
    const dc = list.rows.find((r: { ip: string }) => r.ip === DATACENTER_IP);
    const home = list.rows.find((r: { ip: string }) => r.ip === HOME_IP);
    assert.equal(dc.type, 'datacenter');
    assert.equal(dc.country, 'DE');
    assert.equal(dc.asn, 16509);
    assert.match(dc.isp, /amazon/i);
    assert.equal(dc.events, 3);
    assert.equal(dc.users, 1);
    assert.equal(home.type, 'residential');
    assert.equal(home.country, 'US');
    assert.equal(home.events, 4);
    assert.equal(home.users, 2);

    const datacenters = await get(`/ips?${period}&type=datacenter`);
    assert.deepEqual(
      datacenters.rows.map((r: { ip: string }) => r.ip),
      [DATACENTER_IP],
    );
    const searched = await get(`/ips?${period}&q=comcast`);
    assert.deepEqual(
      searched.rows.map((r: { ip: string }) => r.ip),
      [HOME_IP],
    );
    const sorted = await get(`/ips?${period}&sort=users&order=desc`);
    assert.equal(sorted.rows[0].ip, HOME_IP);
    const byIsp = await get(`/ips?ispId=${dc.ispId}`);
    assert.deepEqual(
      byIsp.rows.map((r: { ip: string }) => r.ip),
      [DATACENTER_IP],
    );
  });

  test('an IP list page in a period that excludes an IP drops it', async () => {
    const from = encodeURIComponent(ago(90 * 60_000));
    const list = await get(`/ips?from=${from}`);
    assert.deepEqual(
      list.rows.map((r: { ip: string }) => r.ip),
      [HOME_IP],
    );
  });

  test('CSV export holds the filtered rows, all of them, with a header', async () => {
    const res = await viewer.get(h.project(`/ips?${period}&type=residential&format=csv`));
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /text\/csv/);
    assert.match(String(res.headers['content-disposition']), /attachment; filename="ips.csv"/);
    const lines = res.body.trim().split('\r\n');
    assert.equal(lines[0], 'ip,type,country,asn,isp,network,blacklisted,events,users,firstSeen,lastSeen');
    assert.equal(lines.length, 2);
    assert.ok(lines[1]!.startsWith(`${HOME_IP},residential,US,`));
    const all = await viewer.get(h.project(`/ips?${period}&format=csv`));
    assert.equal(all.body.trim().split('\r\n').length, 3);
  });

  test('list activity: events per bucket for the rows shown, and each row in period / before', async () => {
    const activity = await get(`/ips-activity?${period}&bucket=day&tz=Europe/Berlin`);
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    // 6 events in the period (mallory's 10-day-old one is before it).
    assert.equal(sum(activity.series.events), 6);
    assert.equal(activity.times.length, activity.series.events.length);
    const ips = await get(`/ips?${period}`);
    const dc = ips.rows.find((r: { ip: string }) => r.ip === DATACENTER_IP);
    assert.deepEqual(activity.totals[dc.id], { inPeriod: 2, before: 1, after: 0 });
    const bad = await viewer.get(h.project('/ips-activity?bucket=minute&from=2000-01-01T00:00:00Z'));
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().error.field, 'bucket');
    const zone = await viewer.get(h.project(`/ips-activity?tz=Mars/Olympus`));
    assert.equal(zone.statusCode, 400);
  });

  test('IP detail: facts, users, events of the period, chart by class, map', async () => {
    const detail = await get(`/ips/${DATACENTER_IP}?${period}`);
    assert.equal(detail.entity.ip, DATACENTER_IP);
    assert.equal(detail.entity.datacenter, true);
    assert.equal(detail.entity.type, 'datacenter');
    assert.deepEqual(detail.map, { DE: 1 });
    assert.equal(detail.related.devices.length, 1);
    assert.equal(detail.related.devices[0].deviceType, 'bot');

    const users = await get(`/ips/${DATACENTER_IP}/users`);
    assert.deepEqual(
      users.rows.map((u: { userName: string }) => u.userName),
      ['mallory'],
    );
    const events = await get(`/ips/${DATACENTER_IP}/events?${period}`);
    assert.equal(events.total, 2);
    assert.deepEqual(
      events.rows.map((e: { type: string }) => e.type),
      ['page_error', 'account_login_fail'],
    );
    assert.equal(events.rows[0].url, '/api/orders.json');
    assert.equal(events.rows[0].userName, 'mallory');
    const allEvents = await get(`/ips/${DATACENTER_IP}/events`);
    assert.equal(allEvents.total, 3);

    const chart = await get(`/ips/${DATACENTER_IP}/chart?${period}&bucket=day&tz=UTC`);
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    // A page view answered 500 is stored as page_error: both events of the period are alerts.
    assert.equal(sum(chart.series.alert), 2);
    assert.equal(sum(chart.series.regular), 0);
    assert.equal(sum(chart.series.warning), 0);

    const home = await get(`/ips/${HOME_IP}/users?sort=userName&order=asc`);
    assert.deepEqual(
      home.rows.map((u: { userName: string }) => u.userName),
      ['alice', 'bob'],
    );
  });

  test('ISPs and countries: counters over their IPs; details list their users', async () => {
    const isps = await get(`/isps?${period}`);
    const amazon = isps.rows.find((r: { asn: number }) => r.asn === 16509);
    assert.equal(amazon.ips, 1);
    assert.equal(amazon.events, 3);
    const withDatacenter = await get(`/isps?${period}&has=datacenter`);
    assert.deepEqual(
      withDatacenter.rows.map((r: { asn: number }) => r.asn),
      [16509],
    );
    const isp = await get(`/isps/${amazon.id}`);
    assert.equal(isp.entity.users, 1);
    assert.deepEqual(isp.map, { DE: 1 });
    const ispUsers = await get(`/isps/${amazon.id}/users`);
    assert.deepEqual(
      ispUsers.rows.map((u: { userName: string }) => u.userName),
      ['mallory'],
    );

    const countries = await get(`/countries?${period}&sort=name&order=asc`);
    assert.deepEqual(
      countries.rows.map((r: { iso: string; ips: number; events: number }) => [r.iso, r.ips, r.events]),
      [
        ['DE', 1, 3],
        ['US', 1, 4],
      ],
    );
    const us = await get('/countries/us');
    assert.equal(us.entity.name, 'United States');
    assert.equal(us.entity.users, 2);
    assert.deepEqual(us.map, { US: 1 });
    const usUsers = await get('/countries/US/users?sort=userName&order=asc');
    assert.deepEqual(
      usUsers.rows.map((u: { userName: string }) => u.userName),
      ['alice', 'bob'],
    );
    const usEvents = await get(`/countries/US/events?${period}`);
    assert.equal(usEvents.total, 4);
    const map = await get(`/countries-map?${period}&metric=events`);
    assert.deepEqual(map.values, { DE: 3, US: 4 });
  });

  test('domains, e-mails and phones: provider facts, chips, the users behind them', async () => {
    const domains = await get(`/domains?${period}&sort=domain&order=asc`);
    assert.deepEqual(
      domains.rows.map((r: { domain: string; disposable: boolean; free: boolean; users: number }) => [
        r.domain,
        r.disposable,
        r.users,
      ]),
      [
        ['gmail.com', false, 2],
        ['mailinator.com', true, 1],
      ],
    );
    const disposable = await get(`/domains?${period}&kind=disposable`);
    assert.deepEqual(
      disposable.rows.map((r: { domain: string }) => r.domain),
      ['mailinator.com'],
    );
    const gmail = await get('/domains/gmail.com');
    assert.equal(gmail.entity.free, true);
    const gmailUsers = await get('/domains/gmail.com/users?sort=userName&order=asc');
    assert.deepEqual(
      gmailUsers.rows.map((u: { userName: string }) => u.userName),
      ['alice', 'bob'],
    );
    const gmailEmails = await get(`/emails?domainId=${gmail.entity.id}&sort=email&order=asc`);
    assert.deepEqual(
      gmailEmails.rows.map((r: { email: string }) => r.email),
      ['alice@gmail.com', 'bob@gmail.com'],
    );

    const emails = await get(`/emails?${period}&kind=disposable`);
    assert.equal(emails.total, 1);
    assert.equal(emails.rows[0].email, 'mallory@mailinator.com');
    assert.equal(emails.rows[0].userName, 'mallory');
    const email = await get(`/emails/${emails.rows[0].id}`);
    assert.equal(email.entity.disposable, true);
    const emailEvents = await get(`/emails/${emails.rows[0].id}/events`);
    assert.equal(emailEvents.total, 3);

    const phones = await get(`/phones?${period}`);
    assert.equal(phones.total, 1);
    assert.equal(phones.rows[0].country, 'DE');
    const phone = await get(`/phones/${phones.rows[0].id}`);
    assert.deepEqual(phone.map, { DE: 1 });
  });

  test('user agents: parsed facts and bot flags; resources: file type and the HTTP codes seen', async () => {
    const bots = await get(`/devices?${period}&kind=aiBot`);
    assert.equal(bots.total, 1);
    assert.equal(bots.rows[0].deviceType, 'bot');
    assert.equal(bots.rows[0].aiBot, true);
    const desktops = await get(`/devices?${period}&deviceType=desktop`);
    assert.equal(desktops.total, 1);
    assert.equal(desktops.rows[0].browser, 'Chrome');
    assert.equal(desktops.rows[0].os, 'Windows');
    assert.equal(desktops.rows[0].users, 2);
    const chromeUsers = await get(`/devices/${desktops.rows[0].id}/users`);
    assert.equal(chromeUsers.total, 2);

    const assets = await get(`/resources?${period}&fileType=asset`);
    assert.deepEqual(
      assets.rows.map((r: { url: string }) => r.url),
      ['/static/app.js'],
    );
    const api = await get(`/resources?${period}&fileType=api`);
    assert.deepEqual(
      api.rows.map((r: { url: string; httpCode: number }) => [r.url, r.httpCode]),
      [['/api/orders.json', 500]],
    );
    const errors = await get(`/resources?${period}&code=5xx`);
    assert.equal(errors.total, 1);
    const login = (await get(`/resources?q=login`)).rows[0];
    const detail = await get(`/resources/${login.id}`);
    assert.deepEqual(detail.related.codes, [{ code: 401, events: 2 }]);
    const inPeriod = await get(`/resources/${login.id}?${period}`);
    assert.deepEqual(inPeriod.related.codes, [{ code: 401, events: 1 }]);
    const loginUsers = await get(`/resources/${login.id}/users`);
    assert.deepEqual(
      loginUsers.rows.map((u: { userName: string }) => u.userName),
      ['mallory'],
    );
  });

  test('domains, user agents and resources: charts and strips from the hourly rollup equal the events', async () => {
    // Europe/Berlin hours are whole UTC hours: read from entity_events_hourly (migration 0017) plus
    // the raw partial hours. Asia/Kolkata (+05:30) is not: read from the events. Both must agree.
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    const bot = (await get(`/devices?${period}&kind=aiBot`)).rows[0].id;
    const login = (await get('/resources?q=login')).rows[0].id;
    const wide = `from=${encodeURIComponent(ago(20 * DAY))}&to=${encodeURIComponent(new Date(now + 60_000).toISOString())}`;
    for (const [kind, key, list] of [
      ['domains', 'mailinator.com', 'kind=disposable'],
      ['devices', bot, 'kind=aiBot'],
      ['resources', login, 'q=login'],
    ] as const) {
      const answers = [];
      for (const tz of ['Europe/Berlin', 'Asia/Kolkata']) {
        const chart = await get(`/${kind}/${key}/chart?${wide}&bucket=day&tz=${tz}`);
        const strip = await get(`/${kind}-activity?${period}&${list}&bucket=hour&tz=${tz}`);
        answers.push({
          alert: sum(chart.series.alert),
          regular: sum(chart.series.regular),
          warning: sum(chart.series.warning),
          strip: sum(strip.series.events),
          totals: strip.totals,
        });
      }
      assert.deepEqual(answers[0], answers[1], kind);
      // mallory's three events: two failed logins and a page answered 500 (alerts); one before the period.
      assert.deepEqual(
        [answers[0]!.alert, answers[0]!.regular, answers[0]!.warning],
        kind === 'resources' ? [2, 0, 0] : [3, 0, 0],
        kind,
      );
      assert.equal(answers[0]!.strip, kind === 'resources' ? 1 : 2, kind);
    }
  });

  test("another project's entity is a 404 here; a malformed key is a 400", async () => {
    const other = await createProject(h.db, { name: 'Elsewhere' });
    await h.app.inject({
      method: 'POST',
      url: '/sensor/',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'api-key': other.apiKey },
      payload: form({
        userName: 'stranger',
        ipAddress: '8.8.8.8',
        url: '/elsewhere',
        emailAddress: 'stranger@example.org',
      }),
    });
    const { rows } = await h.db.query<{ r: number; e: number }>(
      `SELECT (SELECT id FROM resources WHERE project_id = $1) AS r, (SELECT id FROM emails WHERE project_id = $1) AS e`,
      [other.project.id],
    );
    for (const path of [
      '/ips/8.8.8.8',
      `/resources/${rows[0]!.r}`,
      `/resources/${rows[0]!.r}/events`,
      `/emails/${rows[0]!.e}/users`,
      '/domains/example.org',
      '/countries/FR',
    ]) {
      const res = await viewer.get(h.project(path));
      assert.equal(res.statusCode, 404, `${path}: ${res.body}`);
      assert.equal(res.json().error.code, 'not_found');
    }
    const list = await get('/ips');
    assert.ok(!list.rows.some((r: { ip: string }) => r.ip === '8.8.8.8'));
    const bad = await viewer.get(h.project('/ips/not-an-ip'));
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().error.field, 'ip');
    const chip = await viewer.get(h.project('/ips?type=martian'));
    assert.equal(chip.statusCode, 400);
  });
});
