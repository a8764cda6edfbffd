import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { newUser } from './action-helpers.ts';
import { type ConsoleClient, type ConsoleHarness, startConsoleHarness } from './console-harness.ts';

// The review queue, blacklist and watchlist routes over real HTTP (inject) and a real database:
// decisions go through the shared use-case, so statuses, history and propagation are asserted
// in the tables, not only in the answers.

let h: ConsoleHarness;
let analyst: ConsoleClient;
let viewer: ConsoleClient;
const ids: Record<string, number> = {};

/** Puts users in the review queue as scoring would, oldest first in the order given. */
async function queue(...names: string[]) {
  for (const [i, name] of names.entries()) {
    await h.db.query(
      `UPDATE users SET status = 'review', score = 20 + $3::int,
              score_details = '[{"code": "E01", "weight": -20}]',
              added_to_review = now() - make_interval(hours => 100 - $3::int)
        WHERE project_id = $1 AND id = $2`,
      [h.projectId, ids[name], i],
    );
  }
}

async function statusOf(name: string): Promise<{ status: string; watched: boolean }> {
  const { rows } = await h.db.query<{ status: string; watched: boolean }>(
    'SELECT status, watched FROM users WHERE id = $1',
    [ids[name]],
  );
  return rows[0]!;
}

async function menuCount(client: ConsoleClient, key: 'review' | 'blacklisted' | 'watched') {
  const res = await client.get(h.project());
  assert.equal(res.statusCode, 200, res.body);
  return res.json().counts[key] as number;
}

before(async () => {
  h = await startConsoleHarness();
  analyst = await h.login(h.emails.analyst);
  viewer = await h.login(h.emails.viewer);
  for (const [i, name] of ['ann', 'bob', 'cy', 'dee', 'eve'].entries()) {
    ids[name] = await newUser(h, `${name}@queue.test`, {
      emailAddress: `${name}@queue.example`,
      phoneNumber: `+4420794600${i}0`,
      ipAddress: `198.51.100.${10 + i}`,
      firstName: name,
    });
  }
  await queue('ann', 'bob', 'cy', 'dee');
});
after(() => h.close());

test('the review queue lists the users in review, longest waiting first, with rules and country', async () => {
  const res = await viewer.get(h.project('/review'));
  assert.equal(res.statusCode, 200, res.body);
  const body = res.json();
  assert.equal(body.total, 4);
  assert.equal(body.total, await menuCount(viewer, 'review'));
  assert.deepEqual(
    body.rows.map((r: { userName: string }) => r.userName),
    ['ann@queue.test', 'bob@queue.test', 'cy@queue.test', 'dee@queue.test'],
  );
  const ann = body.rows[0];
  assert.equal(ann.id, ids.ann);
  assert.equal(ann.score, 20);
  assert.deepEqual(ann.rules, [{ code: 'E01', weight: -20, name: ann.rules[0].name }]);
  assert.notEqual(ann.rules[0].name, 'E01', 'a core rule is named from the catalogue');
  assert.ok(ann.lastSeen && ann.addedToReview);

  const newest = await viewer.get(h.project('/review?order=asc'));
  assert.equal(newest.json().rows[0].userName, 'dee@queue.test');
  const searched = await viewer.get(h.project('/review?q=bob'));
  assert.deepEqual(
    searched.json().rows.map((r: { id: number }) => r.id),
    [ids.bob],
  );
  const byRule = await viewer.get(h.project('/review?rule=E99'));
  assert.equal(byRule.json().total, 0);
  const csv = await viewer.get(h.project('/review?format=csv'));
  assert.match(csv.headers['content-type'] as string, /text\/csv/);
  assert.match(csv.body, /ann@queue\.test/);
});

test('a viewer cannot decide; a bad request names the field', async () => {
  const res = await viewer.request('POST', h.project('/review/decisions'), {
    userIds: [ids.ann],
    decision: 'approve',
  });
  assert.equal(res.statusCode, 403);
  assert.equal((await statusOf('ann')).status, 'review');
  const tooMany = await analyst.request('POST', h.project('/review/decisions'), {
    userIds: Array.from({ length: 501 }, (_, i) => i + 1),
    decision: 'approve',
  });
  assert.equal(tooMany.statusCode, 400);
  assert.match(tooMany.json().error.message, /userIds|500/);
  const badDecision = await analyst.request('POST', h.project('/review/decisions'), {
    userIds: [ids.ann],
    decision: 'delete',
  });
  assert.equal(badDecision.statusCode, 400);
});

test('bulk approve with a note: statuses, decision rows with actor and note, the queue shrinks', async () => {
  const before = await menuCount(analyst, 'review');
  const res = await analyst.request('POST', h.project('/review/decisions'), {
    userIds: [ids.ann, ids.bob, ids.eve, 999_999_999],
    decision: 'approve',
    note: 'known customers, checked by phone',
  });
  assert.equal(res.statusCode, 200, res.body);
  const body = res.json();
  assert.deepEqual(body.counts, { decided: 2, skipped: 1, notFound: 1 });
  assert.deepEqual(body.results, [
    { userId: ids.ann, outcome: 'decided', status: 'approved' },
    { userId: ids.bob, outcome: 'decided', status: 'approved' },
    { userId: ids.eve, outcome: 'skipped', status: 'normal' },
    { userId: 999_999_999, outcome: 'not_found', status: null },
  ]);
  assert.equal((await statusOf('ann')).status, 'approved');
  assert.equal((await statusOf('bob')).status, 'approved');
  assert.equal((await statusOf('eve')).status, 'normal', 'a user not in the queue is left alone');
  const { rows } = await h.db.query<{ user_id: number; actor: string; note: string }>(
    `SELECT user_id, actor, note FROM user_decisions WHERE decision = 'approve' ORDER BY user_id`,
  );
  assert.deepEqual(
    rows.map((r) => [Number(r.user_id), r.actor, r.note]),
    [
      [ids.ann, h.emails.analyst, 'known customers, checked by phone'],
      [ids.bob, h.emails.analyst, 'known customers, checked by phone'],
    ],
  );
  assert.equal(await menuCount(analyst, 'review'), before - 2);
  const queueNow = await analyst.get(h.project('/review'));
  assert.deepEqual(
    queueNow.json().rows.map((r: { id: number }) => r.id),
    [ids.cy, ids.dee],
  );
  // Each decision of the bulk request is in the tamper-evident audit trail, with who decided.
  const audit = await h.db.query<{ actor: string; action: string; target: string }>(
    `SELECT actor, action, target FROM audit_entries WHERE action = 'user.approve' ORDER BY target`,
  );
  assert.deepEqual(
    audit.rows.map((r) => [r.actor, r.action]),
    [
      [h.emails.analyst, 'user.approve'],
      [h.emails.analyst, 'user.approve'],
    ],
  );
});

test('blacklisting from the queue: the blacklist shows the user and the IP, e-mail and phone it marked', async () => {
  const res = await analyst.request('POST', h.project('/review/decisions'), {
    userIds: [ids.cy],
    decision: 'blacklist',
    note: 'card testing',
  });
  assert.equal(res.json().counts.decided, 1);
  const users = (await viewer.get(h.project('/blacklist/users'))).json();
  assert.equal(users.total, 1);
  assert.equal(users.total, await menuCount(viewer, 'blacklisted'));
  assert.equal(users.rows[0].id, ids.cy);
  assert.equal(users.rows[0].decidedBy, h.emails.analyst);
  assert.equal(users.rows[0].note, 'card testing');
  assert.ok(users.rows[0].decidedAt);

  const identities = (await viewer.get(h.project('/blacklist/identities?sort=type&order=asc'))).json();
  assert.deepEqual(
    identities.rows.map((r: { type: string; value: string; userId: number }) => [r.type, r.value, r.userId]),
    [
      ['email', 'cy@queue.example', ids.cy],
      ['ip', '198.51.100.12', ids.cy],
      ['phone', '+442079460020', ids.cy],
    ],
  );
  const onlyIps = (await viewer.get(h.project('/blacklist/identities?type=ip'))).json();
  assert.deepEqual(
    onlyIps.rows.map((r: { value: string }) => r.value),
    ['198.51.100.12'],
  );
});

test('removing one identity from the blacklist leaves the others and the user blacklisted', async () => {
  const denied = await viewer.request('DELETE', h.project('/blacklist/identities/email/cy%40queue.example'));
  assert.equal(denied.statusCode, 403);
  const res = await analyst.request('DELETE', h.project('/blacklist/identities/email/cy%40queue.example'));
  assert.equal(res.statusCode, 204, res.body);
  const marks = await h.db.query<{ kind: string; blacklisted: boolean }>(
    `SELECT 'email' AS kind, blacklisted FROM emails WHERE user_id = $1
     UNION ALL SELECT 'phone', blacklisted FROM phones WHERE user_id = $1
     UNION ALL SELECT 'ip', blacklisted FROM ips WHERE ip = '198.51.100.12'`,
    [ids.cy],
  );
  assert.deepEqual(Object.fromEntries(marks.rows.map((r) => [r.kind, r.blacklisted])), {
    email: false,
    phone: true,
    ip: true,
  });
  assert.equal((await statusOf('cy')).status, 'blacklisted');
  const again = await analyst.request('DELETE', h.project('/blacklist/identities/email/cy%40queue.example'));
  assert.equal(again.statusCode, 404);
  const badIp = await analyst.request('DELETE', h.project('/blacklist/identities/ip/not-an-ip'));
  assert.equal(badIp.statusCode, 400);
  assert.equal(badIp.json().error.field, 'value');
  const ip = await analyst.request('DELETE', h.project('/blacklist/identities/ip/198.51.100.12'));
  assert.equal(ip.statusCode, 204);
  const left = (await viewer.get(h.project('/blacklist/identities'))).json();
  assert.deepEqual(
    left.rows.map((r: { type: string }) => r.type),
    ['phone'],
  );
  const audit = await h.db.query<{ target: string }>(
    `SELECT target FROM audit_entries WHERE action = 'blacklist.identity_remove' ORDER BY seq`,
  );
  assert.deepEqual(
    audit.rows.map((r) => r.target),
    ['email:cy@queue.example', 'ip:198.51.100.12'],
  );
});

test('a user taken off the blacklist is normal again, with their remaining identities', async () => {
  const notBlacklisted = await analyst.request('DELETE', h.project(`/blacklist/users/${ids.dee}`));
  assert.equal(notBlacklisted.statusCode, 409);
  const res = await analyst.request('DELETE', h.project(`/blacklist/users/${ids.cy}`));
  assert.equal(res.statusCode, 200, res.body);
  assert.equal(res.json().status, 'normal');
  assert.equal((await statusOf('cy')).status, 'normal');
  const phone = await h.db.query('SELECT blacklisted FROM phones WHERE user_id = $1', [ids.cy]);
  assert.equal(phone.rows[0]!.blacklisted, false);
  assert.equal((await viewer.get(h.project('/blacklist/identities'))).json().total, 0);
  const history = await h.db.query(
    `SELECT actor FROM user_decisions WHERE user_id = $1 AND decision = 'unblacklist'`,
    [ids.cy],
  );
  assert.equal(history.rows[0]!.actor, h.emails.analyst);
});

test('list import is all or nothing and names the line at fault', async () => {
  const bad = await analyst.request('POST', h.project('/lists'), {
    label: 'Bad IPs',
    kind: 'ip',
    content: '192.0.2.1\n192.0.2.2\nnot-an-address\n192.0.2.4\n',
  });
  assert.equal(bad.statusCode, 400, bad.body);
  const error = bad.json().error;
  assert.equal(error.code, 'invalid_list');
  assert.equal(error.line, 3);
  assert.match(error.message, /line 3/);
  assert.equal((await viewer.get(h.project('/lists'))).json().lists.length, 0);
  const { rows } = await h.db.query('SELECT count(*)::int AS n FROM list_entries');
  assert.equal(rows[0]!.n, 0, 'nothing of a bad file is stored');

  const viewerImport = await viewer.request('POST', h.project('/lists'), {
    label: 'x',
    content: '192.0.2.1',
  });
  assert.equal(viewerImport.statusCode, 403);

  const good = await analyst.request('POST', h.project('/lists'), {
    label: 'Bad IPs',
    content: 'value,label\n192.0.2.1,scanner\n198.51.100.0/24,\nspam.example,\n',
    score: 5,
  });
  assert.equal(good.statusCode, 201, good.body);
  assert.equal(good.json().entryCount, 3);
  const lists = (await viewer.get(h.project('/lists'))).json().lists;
  assert.equal(lists.length, 1);
  assert.equal(lists[0].label, 'Bad IPs');
  assert.equal(lists[0].entryCount, 3);
  assert.deepEqual(lists[0].counts, { ip: 1, cidr: 1, domain: 1 });
  const deleted = await analyst.request('DELETE', h.project(`/lists/${lists[0].listId}`));
  assert.equal(deleted.statusCode, 204);
  assert.equal((await viewer.get(h.project('/lists'))).json().lists.length, 0);
  const missing = await analyst.request('DELETE', h.project(`/lists/${lists[0].listId}`));
  assert.equal(missing.statusCode, 404);
});

test('watchlist: watch a user, see their recent activity newest first, unwatch', async () => {
  assert.equal((await viewer.get(h.project('/watchlist'))).json().users.length, 0);
  const watched = await analyst.request('PUT', h.project(`/watchlist/${ids.eve}`));
  assert.equal(watched.statusCode, 200, watched.body);
  assert.equal((await statusOf('eve')).watched, true);
  await newUser(h, 'eve@queue.test', {
    ipAddress: '198.51.100.14',
    url: '/checkout',
    eventType: 'page_view',
  });
  const list = (await viewer.get(h.project('/watchlist'))).json().users;
  assert.deepEqual(
    list.map((u: { id: number }) => u.id),
    [ids.eve],
  );
  assert.ok(list[0].watchedSince);
  assert.equal(await menuCount(viewer, 'watched'), 1);
  const events = (await viewer.get(h.project('/watchlist/events'))).json();
  assert.equal(events.total, 2);
  assert.deepEqual(
    events.rows.map((e: { url: string; type: string; userId: number }) => [e.url, e.type, e.userId]),
    [
      ['/checkout', 'page_view', ids.eve],
      ['/login', 'account_login', ids.eve],
    ],
  );
  const future = (
    await viewer.get(h.project(`/watchlist/events?from=${encodeURIComponent('2999-01-01T00:00:00Z')}`))
  ).json();
  assert.equal(future.total, 0, 'the period bounds the activity');
  const unwatched = await analyst.request('DELETE', h.project(`/watchlist/${ids.eve}`));
  assert.equal(unwatched.statusCode, 200);
  assert.equal((await statusOf('eve')).watched, false);
  assert.equal((await viewer.get(h.project('/watchlist/events'))).json().total, 0);
  const nobody = await analyst.request('PUT', h.project('/watchlist/999999999'));
  assert.equal(nobody.statusCode, 404);
});
