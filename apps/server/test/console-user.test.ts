import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createEnricher } from '@vigil/enrich';
import { type ConsoleClient, type ConsoleHarness, startConsoleHarness } from './console-harness.ts';
import { form, postForm } from './harness.ts';

// The single user view and the field audit trail, on a user with a known history sent through
// /sensor/ and scored by the real worker: what the console API answers must match what was sent.

const CHROME_WINDOWS =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';
const FIREFOX_LINUX = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
const SAFARI_MAC =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15';
const HOME_IP = '91.64.10.20'; // Germany
const TAKEOVER_IP = '177.67.80.10'; // Brazil
const PHONE = '+4915112345678';
const DAY = 86_400_000;

let h: ConsoleHarness;
let analyst: ConsoleClient;
let viewer: ConsoleClient;
let owner: ConsoleClient;
/** Every event time sent for alice (ms), to compute what the sparklines must show. */
const aliceTimes: { time: number; type: string; ip: string }[] = [];
const ids: Record<string, number> = {};

function sensorTime(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}

async function send(fields: Record<string, string>, time: number) {
  const res = await postForm(h, form({ ...fields, eventTime: sensorTime(time) }));
  assert.equal(res.statusCode, 204, res.body);
}

async function sendAlice(
  type: string,
  ip: string,
  ua: string,
  time: number,
  extra: Record<string, string> = {},
) {
  aliceTimes.push({ time, type, ip });
  await send(
    {
      userName: 'alice',
      firstName: 'Alice',
      lastName: 'Liddell',
      emailAddress: 'alice@example.de',
      phoneNumber: PHONE,
      ipAddress: ip,
      userAgent: ua,
      browserLanguage: ua === CHROME_WINDOWS ? 'de-DE' : 'pt-BR',
      url: type === 'account_password_change' ? '/account/password' : '/account',
      eventType: type,
      ...extra,
    },
    time,
  );
}

async function waitFor<T>(read: () => Promise<T>, ok: (v: T) => boolean, ms = 8000): Promise<T> {
  const started = Date.now();
  let value = await read();
  while (!ok(value) && Date.now() - started < ms) {
    await new Promise((r) => setTimeout(r, 50));
    value = await read();
  }
  return value;
}

const userUrl = (id: number, path = '') => h.project(`/users/${id}${path}`);

before(async () => {
  h = await startConsoleHarness({ enricher: createEnricher(), scoring: true });
  const preset = await h.app.inject({
    method: 'PUT',
    url: '/api/v1/rules/preset',
    headers: { 'api-key': h.apiKey },
    payload: { preset: 'account_takeover' },
  });
  assert.equal(preset.statusCode, 200, preset.body);
  analyst = await h.login(h.emails.analyst);
  viewer = await h.login(h.emails.viewer);
  owner = await h.login(h.emails.projectAdmin);

  // Noon UTC days, so no event sits near a day boundary of the UTC calendar the test reads in.
  const today = Math.floor(Date.now() / DAY) * DAY;
  const noon = (daysAgo: number, minutes = 0) => today - daysAgo * DAY + 12 * 3_600_000 + minutes * 60_000;
  // A calm history in Germany on one Windows laptop: the week before last, and this week.
  for (const d of [12, 10, 9, 5, 4, 3]) {
    await sendAlice('account_login', HOME_IP, CHROME_WINDOWS, noon(d, 0));
    await sendAlice('page_view', HOME_IP, CHROME_WINDOWS, noon(d, 5));
  }
  await sendAlice('account_login_fail', HOME_IP, CHROME_WINDOWS, noon(10, 10));
  await sendAlice('account_login_fail', HOME_IP, CHROME_WINDOWS, noon(10, 11));
  await sendAlice('account_login_fail', HOME_IP, CHROME_WINDOWS, noon(3, 10));
  await sendAlice('field_edit', HOME_IP, CHROME_WINDOWS, noon(4, 20), {
    fieldHistory: JSON.stringify([
      {
        field_id: 'email',
        field_name: 'E-mail',
        old_value: 'a@old.example',
        new_value: 'alice@example.de',
        parent_id: 'acct-1',
        parent_name: 'Account',
      },
    ]),
  });
  await sendAlice('field_edit', HOME_IP, CHROME_WINDOWS, noon(3, 30), {
    fieldHistory: JSON.stringify([{ field_id: 'address', new_value: '1 Rabbit Hole', parent_id: 'acct-1' }]),
  });
  // Today: a login from a new device in a new country, then the password is changed.
  await sendAlice('account_login', TAKEOVER_IP, FIREFOX_LINUX, Date.now() - 120_000);
  await sendAlice('account_password_change', TAKEOVER_IP, FIREFOX_LINUX, Date.now() - 60_000);

  // bob shares alice's home IP; carol shares her phone number.
  for (const m of [0, 1, 2]) {
    await send(
      { userName: 'bob', ipAddress: HOME_IP, userAgent: SAFARI_MAC, url: '/shop', eventType: 'page_view' },
      noon(2, m),
    );
  }
  await send(
    {
      userName: 'carol',
      ipAddress: '73.162.0.1',
      phoneNumber: PHONE,
      userAgent: SAFARI_MAC,
      url: '/',
      eventType: 'page_view',
    },
    noon(1),
  );

  const rows = await h.db.query<{ id: number; user_name: string }>(
    'SELECT id, user_name FROM users WHERE project_id = $1',
    [h.projectId],
  );
  for (const r of rows.rows) ids[r.user_name] = Number(r.id);
  // Wait for the score that includes the password change.
  await waitFor(
    () =>
      h.db
        .query<{ d: { code: string }[] | null }>('SELECT score_details AS d FROM users WHERE id = $1', [
          ids.alice,
        ])
        .then((r) => r.rows[0]?.d ?? []),
    (d) => d.some((x) => x.code === 'A05'),
  );
});
after(() => h.close());

describe('the single user view', () => {
  test('score with the per-rule breakdown and the events that triggered each rule', async () => {
    const res = await viewer.get(userUrl(ids.alice!));
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json();
    const db = (
      await h.db.query<{ score: number; score_details: { code: string; weight: number }[]; status: string }>(
        'SELECT score, score_details, status FROM users WHERE id = $1',
        [ids.alice],
      )
    ).rows[0]!;
    assert.equal(body.user.userName, 'alice');
    assert.equal(body.user.firstName, 'Alice');
    assert.equal(body.score.score, db.score);
    assert.ok(db.score <= 33, `takeover scores low: ${db.score}`);
    assert.equal(body.user.status, db.status);
    const matched = body.score.matched as {
      code: string;
      name: string;
      weight: number;
      description: string;
      evidence: { eventIds?: number[] };
    }[];
    assert.deepEqual(
      matched.map((m) => [m.code, m.weight]).sort(),
      db.score_details.map((d) => [d.code, d.weight]).sort(),
      'the breakdown is the stored score details',
    );
    for (const code of ['A03', 'A05', 'B02'])
      assert.ok(
        matched.some((m) => m.code === code),
        `${code} in ${matched.map((m) => m.code)}`,
      );
    const a05 = matched.find((m) => m.code === 'A05')!;
    assert.equal(a05.name, 'Password change on new device');
    assert.ok(a05.description.length > 10);
    const passwordEvent = (
      await h.db.query<{ id: number }>(
        `SELECT e.id FROM events e JOIN resources r ON r.id = e.resource_id
          WHERE e.user_id = $1 AND r.url = '/account/password'`,
        [ids.alice],
      )
    ).rows[0]!;
    assert.deepEqual(a05.evidence.eventIds, [Number(passwordEvent.id)], 'A05 names the password change');
    const evidenceEvent = body.score.evidenceEvents.find(
      (e: { id: number }) => e.id === Number(passwordEvent.id),
    );
    assert.equal(evidenceEvent.type, 'account_password_change');
    assert.equal(evidenceEvent.ip, TAKEOVER_IP);
    assert.ok(matched[0]!.weight >= matched[matched.length - 1]!.weight, 'heaviest rules first');

    const history = (await viewer.get(userUrl(ids.alice!, '/scores'))).json().scores;
    assert.ok(history.length >= 1);
    assert.equal(history[0].score, db.score, 'the newest history row is the current score');
    assert.ok(history[0].matched.includes('A05'));
  });

  test('identity tiles and the lists of IPs, countries, ISPs, devices, e-mails, phones', async () => {
    const body = (await viewer.get(userUrl(ids.alice!))).json();
    assert.equal(body.identity.email.email, 'alice@example.de');
    assert.equal(body.identity.email.domain, 'example.de');
    assert.equal(body.identity.phone.phone, PHONE);
    assert.equal(body.identity.phone.userCount, 2, 'carol holds the same phone');
    assert.equal(body.identity.ip.ip, TAKEOVER_IP, 'the latest IP');
    assert.equal(body.identity.ip.country, 'BR');
    assert.match(body.identity.device.osName, /Linux/);

    const entities = (await viewer.get(userUrl(ids.alice!, '/entities'))).json();
    assert.deepEqual(entities.ips.map((i: { ip: string }) => i.ip).sort(), [TAKEOVER_IP, HOME_IP].sort());
    const home = entities.ips.find((i: { ip: string }) => i.ip === HOME_IP);
    assert.equal(home.country, 'DE');
    assert.equal(home.userCount, 2, 'bob is on the home IP too');
    assert.equal(home.events, aliceTimes.filter((e) => e.ip === HOME_IP).length);
    assert.deepEqual(entities.countries.map((c: { iso: string }) => c.iso).sort(), ['BR', 'DE']);
    assert.equal(
      entities.countries.reduce((n: number, c: { events: number }) => n + c.events, 0),
      aliceTimes.length,
    );
    assert.equal(entities.devices.length, 2);
    assert.deepEqual(
      entities.emails.map((e: { email: string }) => e.email),
      ['alice@example.de'],
    );
    assert.deepEqual(
      entities.phones.map((p: { phone: string }) => p.phone),
      [PHONE],
    );
    assert.equal(entities.totals.ips, 2);
    assert.equal(entities.totals.countries, 2);
    assert.equal(entities.totals.edits, 2);
  });

  test('7-day sparklines against the previous 7 days, per day in the asked timezone', async () => {
    const res = await viewer.get(userUrl(ids.alice!, '/activity?tz=UTC'));
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json();
    const today = Math.floor(Date.now() / DAY);
    const ago = (t: number) => today - Math.floor(t / DAY);
    const current = aliceTimes.filter((e) => ago(e.time) <= 6);
    const previous = aliceTimes.filter((e) => ago(e.time) >= 7 && ago(e.time) <= 13);
    assert.equal(body.days.length, 14);
    assert.equal(body.days[13], new Date(today * DAY).toISOString().slice(0, 10), 'ends today');
    assert.equal(body.events.total.current, current.length);
    assert.equal(body.events.total.previous, previous.length);
    assert.equal(
      body.events.current.reduce((a: number, b: number) => a + b, 0),
      current.length,
      'the daily points add up to the week',
    );
    assert.equal(body.logins.total.current, current.filter((e) => e.type === 'account_login').length);
    assert.equal(body.failedLogins.total.current, 1);
    assert.equal(body.failedLogins.total.previous, 2);
    assert.equal(body.ips.total.current, 2);
    assert.equal(body.ips.total.previous, 1);
    // Today holds the two takeover events (and nothing else was sent today).
    assert.equal(body.events.current[6], aliceTimes.filter((e) => ago(e.time) === 0).length);

    const bad = await viewer.get(userUrl(ids.alice!, '/activity?tz=Mars/Olympus'));
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().error.field, 'tz');
  });

  test('the timeline is newest first, paged, with the session of each event', async () => {
    const all = (await viewer.get(userUrl(ids.alice!, '/events?pageSize=500'))).json();
    assert.equal(all.total, aliceTimes.length);
    const times = all.rows.map((r: { time: string }) => Date.parse(r.time));
    assert.deepEqual(
      times,
      [...times].sort((a, b) => b - a),
      'newest first',
    );
    assert.equal(all.rows[0].type, 'account_password_change');
    assert.equal(all.rows[0].url, '/account/password');
    assert.equal(all.rows[0].ip, TAKEOVER_IP);
    assert.equal(all.rows[0].country, 'BR');
    assert.match(all.rows[0].device, /Linux/);
    assert.equal(
      all.rows[0].sessionId,
      all.rows[1].sessionId,
      'the takeover login and change share a session',
    );
    const page2 = (await viewer.get(userUrl(ids.alice!, '/events?pageSize=5&page=2'))).json();
    assert.deepEqual(
      page2.rows.map((r: { id: number }) => r.id),
      all.rows.slice(5, 10).map((r: { id: number }) => r.id),
    );
    const oldest = (await viewer.get(userUrl(ids.alice!, '/events?pageSize=1&sort=time&order=asc'))).json();
    assert.equal(Date.parse(oldest.rows[0].time), Math.min(...aliceTimes.map((e) => e.time)));
  });

  test('connected identities: the users sharing an IP or a phone, with what they share', async () => {
    const body = (await viewer.get(userUrl(ids.alice!, '/connections'))).json();
    const byName = new Map(body.connections.map((c: { userName: string }) => [c.userName, c]));
    const bob = byName.get('bob') as {
      userId: number;
      kinds: string[];
      links: { kind: string; value: string }[];
      sharedEvents: number;
    };
    assert.ok(bob, `bob is connected: ${JSON.stringify(body.connections)}`);
    assert.equal(bob.userId, ids.bob);
    assert.deepEqual(bob.kinds, ['ip']);
    assert.deepEqual(
      bob.links.map((l) => [l.kind, l.value]),
      [['ip', HOME_IP]],
    );
    assert.equal(bob.sharedEvents, 3, "bob's events on the shared IP");
    const carol = byName.get('carol') as { kinds: string[]; links: { kind: string; value: string }[] };
    assert.deepEqual(carol.kinds, ['phone']);
    assert.equal(carol.links[0]!.value, PHONE);
    assert.ok(!byName.has('alice'), 'the user is not connected to themself');
    // From bob's side: alice on the IP; carol has the same browser (user agent and language).
    const fromBob = (await viewer.get(userUrl(ids.bob!, '/connections'))).json();
    assert.deepEqual(
      fromBob.connections.map((c: { userName: string; kinds: string[] }) => [c.userName, c.kinds]),
      [
        ['alice', ['ip']],
        ['carol', ['device']],
      ],
    );
  });

  test("the user's field history, newest first", async () => {
    const body = (await viewer.get(userUrl(ids.alice!, '/field-changes'))).json();
    assert.equal(body.total, 2);
    assert.deepEqual(
      body.changes.map(
        (c: { fieldId: string; oldValue: string | null; newValue: string; parentId: string }) => [
          c.fieldId,
          c.oldValue,
          c.newValue,
          c.parentId,
        ],
      ),
      [
        ['address', null, '1 Rabbit Hole', 'acct-1'],
        ['email', 'a@old.example', 'alice@example.de', 'acct-1'],
      ],
    );
    assert.equal(body.changes[1].fieldName, 'E-mail');
    assert.equal(body.changes[1].parentName, 'Account');
  });

  test('unknown users and users of another project → 404', async () => {
    const other = await h.db.query<{ id: number }>(
      `INSERT INTO users (project_id, user_name, created, first_seen, last_seen)
       VALUES ($1, 'stranger', now(), now(), now()) RETURNING id`,
      [h.otherProjectId],
    );
    ids.stranger = Number(other.rows[0]!.id);
    for (const path of [
      '',
      '/events',
      '/entities',
      '/connections',
      '/activity',
      '/field-changes',
      '/scores',
    ]) {
      const res = await viewer.get(userUrl(ids.stranger, path));
      assert.equal(res.statusCode, 404, `${path}: ${res.body}`);
      assert.equal(res.json().error.code, 'not_found');
    }
    assert.equal((await viewer.get(userUrl(999_999_999))).statusCode, 404);
    assert.equal((await viewer.get(h.project('/users/abc'))).statusCode, 400);
  });
});

describe('actions on the user', () => {
  test('a viewer cannot decide, rescore or delete', async () => {
    for (const [method, path, body] of [
      ['POST', '/decision', { decision: 'approve' }],
      ['POST', '/rescore', {}],
      ['DELETE', '', undefined],
    ] as const) {
      const res = await viewer.request(method, userUrl(ids.alice!, path), body);
      assert.equal(res.statusCode, 403, `${method} ${path}`);
    }
    const status = await h.db.query<{ status: string }>('SELECT status FROM users WHERE id = $1', [
      ids.alice,
    ]);
    assert.notEqual(status.rows[0]!.status, 'approved');
  });

  test('approve with a note, then blacklist and unblacklist: status, history with the operator, audit', async () => {
    const approve = await analyst.request('POST', userUrl(ids.alice!, '/decision'), {
      decision: 'approve',
      note: '  Called the customer: it was her new laptop.  ',
    });
    assert.equal(approve.statusCode, 200, approve.body);
    assert.equal(approve.json().status, 'approved');
    const row = await h.db.query<{ status: string; decided_by: string }>(
      'SELECT status, decided_by FROM users WHERE id = $1',
      [ids.alice],
    );
    assert.deepEqual(row.rows[0], { status: 'approved', decided_by: h.emails.analyst });
    const decision = await h.db.query<{ decision: string; actor: string; note: string }>(
      'SELECT decision, actor, note FROM user_decisions WHERE user_id = $1 ORDER BY id DESC LIMIT 1',
      [ids.alice],
    );
    assert.deepEqual(decision.rows[0], {
      decision: 'approve',
      actor: h.emails.analyst,
      note: 'Called the customer: it was her new laptop.',
    });
    const audit = await h.db.query<{ actor: string; target: string }>(
      "SELECT actor, target FROM audit_entries WHERE chain = $1 AND action = 'user.approve'",
      [h.projectId],
    );
    assert.deepEqual(audit.rows, [{ actor: h.emails.analyst, target: 'alice' }]);
    const view = (await viewer.get(userUrl(ids.alice!))).json();
    assert.equal(view.user.status, 'approved');
    assert.equal(view.decisions[0].decision, 'approve');
    assert.equal(view.decisions[0].actor, h.emails.analyst);

    const blacklist = await analyst.request('POST', userUrl(ids.alice!, '/decision'), {
      decision: 'blacklist',
    });
    assert.equal(blacklist.json().status, 'blacklisted');
    const ips = await h.db.query<{ ip: string; blacklisted: boolean }>(
      `SELECT host(i.ip) AS ip, i.blacklisted FROM ips i JOIN user_ips u ON u.ip_id = i.id WHERE u.user_id = $1`,
      [ids.alice],
    );
    assert.ok(
      ips.rows.every((r) => r.blacklisted),
      'blacklisting propagates to her IPs',
    );
    const unblacklist = await analyst.request('POST', userUrl(ids.alice!, '/decision'), {
      decision: 'unblacklist',
    });
    assert.equal(unblacklist.json().status, 'normal');
    assert.equal(unblacklist.json().previousStatus, 'blacklisted');

    const bad = await analyst.request('POST', userUrl(ids.alice!, '/decision'), { decision: 'obliterate' });
    assert.equal(bad.statusCode, 400);
    const missing = await analyst.request('POST', userUrl(ids.stranger!, '/decision'), {
      decision: 'approve',
    });
    assert.equal(missing.statusCode, 404, 'a user of another project cannot be decided about');
    const stranger = await h.db.query<{ status: string }>('SELECT status FROM users WHERE id = $1', [
      ids.stranger,
    ]);
    assert.equal(stranger.rows[0]!.status, 'normal');
  });

  test('watch and unwatch', async () => {
    await analyst.request('POST', userUrl(ids.alice!, '/decision'), { decision: 'watch' });
    assert.equal((await viewer.get(userUrl(ids.alice!))).json().user.watched, true);
    await analyst.request('POST', userUrl(ids.alice!, '/decision'), { decision: 'unwatch' });
    assert.equal((await viewer.get(userUrl(ids.alice!))).json().user.watched, false);
  });

  test('rescore now answers the score the database then holds', async () => {
    await h.db.query('UPDATE users SET score = 99, score_details = $2 WHERE id = $1', [ids.alice, '[]']);
    const res = await analyst.request('POST', userUrl(ids.alice!, '/rescore'));
    assert.equal(res.statusCode, 200, res.body);
    const db = await h.db.query<{ score: number; score_details: { code: string }[] }>(
      'SELECT score, score_details FROM users WHERE id = $1',
      [ids.alice],
    );
    assert.equal(res.json().score, db.rows[0]!.score);
    assert.ok(db.rows[0]!.score < 99, 'the stale score was replaced');
    assert.ok(db.rows[0]!.score_details.some((d) => d.code === 'A05'));
  });

  test('delete (admins only) removes the user and their events, in this project only', async () => {
    assert.equal((await analyst.request('DELETE', userUrl(ids.bob!))).statusCode, 403);
    const other = await owner.request('DELETE', userUrl(ids.stranger!));
    assert.equal(other.statusCode, 404);
    assert.equal((await h.db.query('SELECT 1 FROM users WHERE id = $1', [ids.stranger])).rowCount, 1);

    const res = await owner.request('DELETE', userUrl(ids.bob!));
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().events, 3);
    assert.equal((await h.db.query('SELECT 1 FROM users WHERE id = $1', [ids.bob])).rowCount, 0);
    assert.equal((await h.db.query('SELECT 1 FROM events WHERE user_id = $1', [ids.bob])).rowCount, 0);
    assert.equal((await viewer.get(userUrl(ids.bob!))).statusCode, 404);
    const alice = (await viewer.get(userUrl(ids.alice!, '/connections'))).json();
    assert.ok(!alice.connections.some((c: { userName: string }) => c.userName === 'bob'));
    assert.equal((await viewer.get(userUrl(ids.alice!, '/events'))).json().total, aliceTimes.length);
  });
});

describe('the field audit trail', () => {
  test('fields list with changes and users; per field; every change filterable; CSV', async () => {
    const fields = (await viewer.get(h.project('/field-audit/fields'))).json();
    const byId = new Map(fields.rows.map((f: { fieldId: string }) => [f.fieldId, f]));
    const email = byId.get('email') as { id: number; edits: number; users: number; fieldName: string };
    assert.deepEqual([email.edits, email.users, email.fieldName], [1, 1, 'E-mail']);
    assert.ok(byId.has('address'));
    assert.equal(fields.total, 2);

    const one = (await viewer.get(h.project(`/field-audit/fields/${email.id}`))).json();
    assert.equal(one.field.fieldId, 'email');
    assert.equal((await viewer.get(h.project('/field-audit/fields/999999'))).statusCode, 404);

    const changes = (await viewer.get(h.project(`/field-audit/changes?fieldRef=${email.id}`))).json();
    assert.equal(changes.total, 1);
    assert.deepEqual(
      [
        changes.rows[0].userName,
        changes.rows[0].oldValue,
        changes.rows[0].newValue,
        changes.rows[0].parentName,
      ],
      ['alice', 'a@old.example', 'alice@example.de', 'Account'],
    );
    const all = (await viewer.get(h.project('/field-audit/changes'))).json();
    assert.deepEqual(
      all.rows.map((r: { fieldId: string }) => r.fieldId),
      ['address', 'email'],
      'newest first',
    );
    const byUser = (await viewer.get(h.project(`/field-audit/changes?userId=${ids.alice}`))).json();
    assert.equal(byUser.total, 2);
    const nobody = (await viewer.get(h.project(`/field-audit/changes?userId=${ids.carol}`))).json();
    assert.equal(nobody.total, 0);
    const searched = (await viewer.get(h.project('/field-audit/changes?q=rabbit'))).json();
    assert.deepEqual(
      searched.rows.map((r: { fieldId: string }) => r.fieldId),
      ['address'],
    );

    const csv = await viewer.get(h.project(`/field-audit/changes?fieldRef=${email.id}&format=csv`));
    assert.equal(csv.statusCode, 200);
    assert.match(String(csv.headers['content-type']), /text\/csv/);
    const lines = csv.body.trim().split('\r\n');
    assert.equal(lines.length, 2);
    assert.match(lines[0]!, /^time,fieldId,fieldName,userName,oldValue,newValue/);
    assert.match(lines[1]!, /,email,E-mail,alice,a@old.example,alice@example.de,acct-1,Account,/);

    const chart = (
      await viewer.get(
        h.project(
          `/field-audit/chart?from=${new Date(Date.now() - 7 * DAY).toISOString()}&to=${new Date().toISOString()}&tz=UTC`,
        ),
      )
    ).json();
    assert.equal(chart.bucket, 'hour');
    assert.equal(
      chart.values.reduce((a: number, b: number) => a + b, 0),
      2,
    );
    assert.deepEqual(chart.totals, { inPeriod: 2, before: 0, capped: false });
  });

  test('another project sees none of these fields', async () => {
    const admin = await h.login(h.emails.admin);
    const other = (await admin.get(`/api/console/projects/${h.otherProjectId}/field-audit/changes`)).json();
    assert.equal(other.total, 0);
    const field = (await viewer.get(h.project('/field-audit/fields'))).json().rows[0];
    const res = await admin.get(`/api/console/projects/${h.otherProjectId}/field-audit/fields/${field.id}`);
    assert.equal(res.statusCode, 404);
  });
});
