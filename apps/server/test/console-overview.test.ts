import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createEnricher } from '@vigil/enrich';
import { applyUserDecision } from '../src/scoring/user-decisions.ts';
import { type ConsoleClient, type ConsoleHarness, startConsoleHarness } from './console-harness.ts';
import { form, postForm } from './harness.ts';

// The dashboard, users list, global search, events and logbook APIs on data ingested through
// /sensor/ at known times, so every number asserted here is counted by hand.

const CHROME =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';
const CURL = 'curl/8.5.0';
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

const base = Math.floor(Date.now() / MIN) * MIN;
/**
 * The period asked for: two hours ending half an hour after the data (so the decisions taken while
 * the test sets up, at the real time, fall inside it however slow the machine); previous = the
 * two hours before.
 */
const to = new Date(base + 30 * MIN);
const from = new Date(to.getTime() - 2 * HOUR);
const period = `from=${from.toISOString()}&to=${to.toISOString()}`;

/** A UTC day three days ago, for the timezone test: 10:00Z and 20:00Z fall on two Tokyo days. */
const day = new Date(Math.floor((base - 3 * DAY) / DAY) * DAY);

const sensorTime = (t: number) => new Date(t).toISOString().replace('T', ' ').replace('Z', '');

let h: ConsoleHarness;
let viewer: ConsoleClient;
const ids: Record<string, number> = {};

async function send(fields: Record<string, string>, t: number) {
  const res = await postForm(h, form({ userAgent: CHROME, url: '/', ...fields, eventTime: sensorTime(t) }));
  assert.equal(res.statusCode, 204, res.body);
}

before(async () => {
  h = await startConsoleHarness({ enricher: createEnricher() });
  viewer = await h.login(h.emails.viewer);
  const alice = { userName: 'alice', emailAddress: 'alice@shop.example', ipAddress: '91.64.10.20' };
  // Previous period: alice logs in, dave looks at a page.
  await send({ ...alice, eventType: 'account_login', url: '/login' }, base - 3 * HOUR);
  await send(
    { userName: 'dave', ipAddress: '91.64.10.21', phoneNumber: '+4915112345678', eventType: 'page_view' },
    base - 3.25 * HOUR,
  );
  // The period: alice views three pages, bob logs in from a cloud IP with curl, carol fails twice.
  for (const m of [60, 59, 58])
    await send({ ...alice, eventType: 'page_view', url: '/shop' }, base - m * MIN);
  await send(
    { userName: 'bob', ipAddress: '52.1.2.3', userAgent: CURL, eventType: 'account_login', url: '/login' },
    base - 30 * MIN,
  );
  for (const m of [20, 19]) {
    await send(
      { userName: 'carol', ipAddress: '91.64.10.22', eventType: 'account_login_fail', url: '/login' },
      base - m * MIN,
    );
  }
  // Three days ago, for the timezone buckets.
  await send(
    { userName: 'tokyo', ipAddress: '91.64.10.23', eventType: 'page_view' },
    day.getTime() + 10 * HOUR,
  );
  await send(
    { userName: 'tokyo', ipAddress: '91.64.10.23', eventType: 'page_view' },
    day.getTime() + 20 * HOUR,
  );
  // A request with a warning (empty ipAddress), and a rejected one (no url).
  await send({ userName: 'warned', ipAddress: '', eventType: 'page_view' }, day.getTime() + 11 * HOUR);
  const rejected = await postForm(h, form({ userName: 'nourl', ipAddress: '1.2.3.4' }));
  assert.equal(rejected.statusCode, 400);

  const { rows } = await h.db.query<{ id: number; user_name: string }>(
    'SELECT id, user_name FROM users WHERE project_id = $1',
    [h.projectId],
  );
  for (const r of rows) ids[r.user_name] = r.id;
  // Scores as the scoring worker writes them (the worker is off: these are the known values).
  const scores: [string, number, string[]][] = [
    ['alice', 80, []],
    ['bob', 10, ['B05', 'I04']],
    ['carol', 40, ['A01']],
    ['dave', 60, ['I04']],
  ];
  for (const [name, score, codes] of scores) {
    await h.db.query('UPDATE users SET score = $2, score_details = $3 WHERE id = $1', [
      ids[name],
      score,
      JSON.stringify(codes.map((code) => ({ code, weight: 10 }))),
    ]);
  }
  await h.db.query(`UPDATE users SET status = 'review', added_to_review = $2 WHERE id = $1`, [
    ids.carol,
    new Date(base - 10 * MIN),
  ]);
  await applyUserDecision(h.db, {
    projectId: h.projectId,
    userId: ids.bob!,
    decision: 'blacklist',
    actor: 'test',
  });
});
after(() => h.close());

describe('dashboard', () => {
  test('totals of the period and of the period before, counted from the events', async () => {
    const res = await viewer.get(h.project(`/overview?${period}`));
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json();
    assert.deepEqual(body.totals, {
      events: 6,
      activeUsers: 3,
      newUsers: 2,
      review: 1,
      blacklisted: 1,
      logins: 1,
      failedLogins: 2,
    });
    assert.deepEqual(body.previous, {
      events: 2,
      activeUsers: 2,
      newUsers: 2,
      review: 0,
      blacklisted: 0,
      logins: 1,
      failedLogins: 0,
    });
    assert.equal(body.period.previousTo, from.toISOString());
  });

  test('all time totals come from the counters', async () => {
    const body = (await viewer.get(h.project('/overview'))).json();
    assert.equal(body.previous, null);
    assert.equal(body.totals.events, 11);
    assert.equal(body.totals.activeUsers, 6);
    assert.equal(body.totals.failedLogins, 2);
  });

  test('top-10 lists of the period, with what their links need', async () => {
    const res = await viewer.get(h.project(`/overview/top?${period}`));
    assert.equal(res.statusCode, 200, res.body);
    const top = res.json();
    assert.deepEqual(
      top.users.map((u: { userName: string; events: number }) => [u.userName, u.events]),
      [
        ['alice', 3],
        ['carol', 2],
        ['bob', 1],
      ],
    );
    assert.equal(top.users[0].id, ids.alice);
    assert.equal(top.users[0].email, 'alice@shop.example');
    assert.deepEqual(
      top.riskyUsers.map((u: { userName: string }) => u.userName),
      ['bob', 'carol', 'alice'],
    );
    assert.deepEqual(top.ips[0], { ip: '91.64.10.20', country: 'DE', events: 3 });
    assert.equal(top.countries[0].iso, 'DE');
    assert.equal(top.countries[0].events, 5);
    assert.equal(top.countries[0].name, 'Germany');
    assert.ok(top.isps.length >= 1 && typeof top.isps[0].id === 'number');
    assert.deepEqual(
      top.resources.map((r: { url: string; events: number }) => `${r.url} ${r.events}`).sort(),
      ['/login 3', '/shop 3'],
    );
  });

  test('chart buckets are local days of the timezone asked for', async () => {
    // Tokyo is UTC+9: 10:00Z is 19:00 on `day`, 20:00Z is 05:00 the next day.
    const tokyoMidnight = day.getTime() - 9 * HOUR;
    const q = `from=${new Date(tokyoMidnight).toISOString()}&to=${new Date(tokyoMidnight + 2 * DAY).toISOString()}`;
    const res = await viewer.get(h.project(`/events/chart?${q}&bucket=day&tz=Asia/Tokyo&type=page_view`));
    assert.equal(res.statusCode, 200, res.body);
    const chart = res.json();
    assert.deepEqual(chart.times, [tokyoMidnight / 1000, (tokyoMidnight + DAY) / 1000]);
    const views = chart.series.find((s: { type: string }) => s.type === 'page_view');
    assert.deepEqual(views.values, [2, 1]); // the warned user's 11:00Z event is on the first day
    // In UTC the same events fall on one day.
    const utc = (
      await viewer.get(
        h.project(
          `/events/chart?from=${day.toISOString()}&to=${new Date(day.getTime() + DAY).toISOString()}&bucket=day&tz=UTC&type=page_view`,
        ),
      )
    ).json();
    assert.deepEqual(utc.series[0].values, [3]);
  });

  test('a bad timezone is a 400 naming tz', async () => {
    const res = await viewer.get(h.project('/events/chart?tz=Mars/Olympus'));
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().error.field, 'tz');
  });
});

describe('users list', () => {
  const names = (body: { rows: { userName: string }[] }) => body.rows.map((r) => r.userName).sort();

  test('score range, status and matched rule filters change the rows', async () => {
    const all = (await viewer.get(h.project('/users'))).json();
    assert.equal(all.total, 6);
    const mid = (await viewer.get(h.project('/users?scoreMin=30&scoreMax=70'))).json();
    assert.deepEqual(names(mid), ['carol', 'dave']);
    assert.equal(mid.total, 2);
    assert.deepEqual(names((await viewer.get(h.project('/users?rule=I04'))).json()), ['bob', 'dave']);
    assert.deepEqual(names((await viewer.get(h.project('/users?rule=A01&scoreMax=50'))).json()), ['carol']);
    assert.deepEqual(names((await viewer.get(h.project('/users?status=blacklisted'))).json()), ['bob']);
    assert.deepEqual(names((await viewer.get(h.project('/users?q=alice%40shop'))).json()), ['alice']);
    const row = (await viewer.get(h.project('/users?rule=I04&sort=score&order=asc'))).json().rows[0];
    assert.equal(row.userName, 'bob');
    assert.equal(row.matchedRules, 'B05 I04');
    assert.equal(row.id, ids.bob);
  });

  test('bad filters are 400s naming the field', async () => {
    for (const [q, field] of [
      ['scoreMin=120', 'scoreMin'],
      ['rule=DROP', 'rule'],
      ['scoreMin=60&scoreMax=10', 'scoreMin'],
      ['status=evil', 'status'],
    ]) {
      const res = await viewer.get(h.project(`/users?${q}`));
      assert.equal(res.statusCode, 400, q);
      assert.equal(res.json().error.field, field, q);
    }
  });

  test('CSV holds the filtered rows, every one of them', async () => {
    const res = await viewer.get(h.project('/users?scoreMax=50&format=csv&pageSize=1'));
    assert.equal(res.statusCode, 200);
    assert.match(res.headers['content-type'] as string, /text\/csv/);
    const lines = res.body.trim().split('\r\n');
    assert.equal(lines[0]!.split(',')[1], 'userName');
    assert.deepEqual(
      lines
        .slice(1)
        .map((l) => l.split(',')[1])
        .sort(),
      ['bob', 'carol'],
    );
  });

  test('the rule filter options name core rules', async () => {
    const body = (await viewer.get(h.project('/users/filters'))).json();
    assert.ok(body.rules.some((r: { code: string }) => r.code === 'A01'));
  });
});

describe('global search', () => {
  const search = async (q: string) => {
    const res = await viewer.get(h.project(`/search?q=${encodeURIComponent(q)}`));
    assert.equal(res.statusCode, 200, res.body);
    return res.json().results as { kind: string; label: string; path: string }[];
  };

  test('finds each kind, with the path of its page', async () => {
    assert.deepEqual(
      (await search('ali')).filter((r) => r.kind === 'user'),
      [{ kind: 'user', label: 'alice', path: `/users/${ids.alice}` }],
    );
    const email = (await search('alice@shop')).find((r) => r.kind === 'email');
    const { rows: emails } = await h.db.query<{ id: number }>(
      "SELECT id FROM emails WHERE email = 'alice@shop.example'",
    );
    assert.equal(email?.path, `/emails/${emails[0]!.id}`);
    assert.deepEqual(
      (await search('91.64.10.20')).map((r) => [r.kind, r.path]),
      [['ip', '/ips/91.64.10.20']],
    );
    const prefix = (await search('91.64.10')).filter((r) => r.kind === 'ip').map((r) => r.label);
    assert.deepEqual(prefix, ['91.64.10.20', '91.64.10.21', '91.64.10.22', '91.64.10.23']);
    const { rows: isps } = await h.db.query<{ id: number; asn: number }>(
      `SELECT s.id, s.asn FROM ips i JOIN isps s ON s.id = i.isp_id WHERE i.ip = '52.1.2.3'`,
    );
    for (const q of [`AS${isps[0]!.asn}`, String(isps[0]!.asn)]) {
      assert.ok(
        (await search(q)).some((r) => r.kind === 'isp' && r.path === `/isps/${isps[0]!.id}`),
        q,
      );
    }
    assert.deepEqual(
      (await search('shop.exa')).filter((r) => r.kind === 'domain').map((r) => r.path),
      ['/domains/shop.example'],
    );
    const phone = await search('+4915112345678');
    const { rows: phones } = await h.db.query<{ id: number }>('SELECT id FROM phones');
    assert.deepEqual(
      phone.filter((r) => r.kind === 'phone').map((r) => r.path),
      [`/phones/${phones[0]!.id}`],
    );
  });

  test('never more than ten hits; nothing for an unknown text; q is required', async () => {
    assert.deepEqual(await search('zzz-nobody'), []);
    assert.equal((await viewer.get(h.project('/search'))).statusCode, 400);
  });
});

describe('events', () => {
  const list = async (q: string) => {
    const res = await viewer.get(h.project(`/events?${q}`));
    assert.equal(res.statusCode, 200, res.body);
    return res.json();
  };

  test('the period, its totals and the count before it', async () => {
    const body = await list(period);
    assert.equal(body.total, 6);
    const totals = await viewer.get(h.project(`/events/totals?${period}`));
    assert.deepEqual(totals.json(), { inPeriod: 6, before: 5, capped: false });
    const fails = await viewer.get(h.project(`/events/totals?${period}&type=account_login_fail`));
    assert.deepEqual(fails.json(), { inPeriod: 2, before: 0, capped: false });
    assert.equal(body.rows[0].userName, 'carol'); // newest first
  });

  test('filters: event type, user, IP type, device type, matched rule', async () => {
    const fails = await list(`${period}&type=account_login_fail`);
    assert.deepEqual(
      fails.rows.map((r: { userName: string; type: string }) => [r.userName, r.type]),
      [
        ['carol', 'account_login_fail'],
        ['carol', 'account_login_fail'],
      ],
    );
    assert.equal((await list(`userId=${ids.alice}`)).total, 4);
    const { rows: cloud } = await h.db.query<{ is_datacenter: boolean | null }>(
      "SELECT is_datacenter FROM ips WHERE ip = '52.1.2.3'",
    );
    assert.equal(cloud[0]!.is_datacenter, true, 'the offline enrichment knows AWS ranges');
    const dc = await list(`${period}&ipType=datacenter`);
    assert.deepEqual(
      dc.rows.map((r: { userName: string; ipType: string }) => [r.userName, r.ipType]),
      [['bob', 'blacklisted']],
    );
    const residential = await list(`${period}&ipType=residential`);
    assert.equal(residential.total, 5);
    const desktops = await list(`${period}&deviceType=desktop`);
    assert.equal(desktops.total, 5);
    assert.ok(desktops.rows.every((r: { deviceType: string }) => r.deviceType === 'desktop'));
    assert.deepEqual(
      (await list(`${period}&rule=A01`)).rows.map((r: { userName: string }) => r.userName),
      ['carol', 'carol'],
    );
    assert.equal((await list(`q=91.64.10.20`)).total, 4);
    const csv = await viewer.get(h.project(`/events?${period}&type=account_login_fail&format=csv`));
    assert.equal(csv.body.trim().split('\r\n').length, 3);
  });

  test('the detail panel: fields, enrichment, the logbook row and its warnings', async () => {
    const row = (await list(`${period}&type=account_login`)).rows[0];
    const res = await viewer.get(h.project(`/events/${row.id}`));
    assert.equal(res.statusCode, 200, res.body);
    const event = res.json();
    assert.equal(event.type, 'account_login');
    assert.equal(event.user.userName, 'bob');
    assert.equal(event.ip.ip, '52.1.2.3');
    assert.equal(event.ip.isDatacenter, true);
    assert.equal(event.resource.url, '/login');
    assert.equal(event.device.ua, CURL);
    assert.equal(event.logbook.errorType, 0);

    const warned = (await list(`userId=${ids.warned}`)).rows[0];
    const detail = (await viewer.get(h.project(`/events/${warned.id}`))).json();
    assert.equal(detail.logbook.errorType, 1);
    assert.ok(detail.logbook.errorText.length >= 1);

    assert.equal((await viewer.get(h.project('/events/999999999'))).statusCode, 404);
    const other = await viewer.get(`/api/console/projects/${h.otherProjectId}/events/${row.id}`);
    assert.equal(other.statusCode, 404);
  });
});

describe('logbook', () => {
  test('every request with its outcome, filterable, with its detail', async () => {
    const all = (await viewer.get(h.project('/logbook'))).json();
    assert.equal(all.total, 12);
    const count = async (outcome: string) =>
      (await viewer.get(h.project(`/logbook?outcome=${outcome}`))).json();
    assert.equal((await count('success')).total, 10);
    const warnings = await count('warnings');
    assert.equal(warnings.total, 1);
    assert.equal(warnings.rows[0].outcome, 'warnings');
    const rejected = await count('rejected');
    assert.equal(rejected.total, 1);
    assert.match(rejected.rows[0].warnings, /url/);
    const detail = (await viewer.get(h.project(`/logbook/${rejected.rows[0].id}`))).json();
    assert.equal(detail.outcome, 'rejected');
    assert.equal(detail.raw.userName, 'nourl');
    assert.equal(detail.endpoint, '/sensor/');
    assert.equal((await count('rate_limited')).total, 0);
    const chart = (await viewer.get(h.project('/logbook/chart'))).json();
    const total = chart.series.reduce(
      (n: number, s: { values: number[] }) => n + s.values.reduce((a, b) => a + b, 0),
      0,
    );
    assert.equal(total, 12);
  });
});
