import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Executor } from '@vigil/db';
import { type ConsoleHarness, startConsoleHarness } from './console-harness.ts';
import { form, postForm } from './harness.ts';

// Retention (issue #6): events older than N weeks go, with exactly the rows only they kept alive;
// everything newer is untouched.

const WEEK = 7 * 86_400_000;
const NOW = Date.now();
const sensorTime = (t: number) => new Date(t).toISOString().replace('T', ' ').replace('Z', '');
const CHROME =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36';
const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
const OLD_UA = 'Mozilla/5.0 (Windows NT 6.1; Trident/7.0; rv:11.0) like Gecko';

let h: ConsoleHarness;
before(async () => {
  h = await startConsoleHarness();
});
after(() => h.close());

async function send(weeksAgo: number, fields: Record<string, string>) {
  const res = await postForm(
    h,
    form({ userAgent: CHROME, url: '/', ...fields, eventTime: sensorTime(NOW - weeksAgo * WEEK) }),
  );
  assert.equal(res.statusCode, 204, res.body);
}

/** Tables retention prunes, with what makes a row of them alive: some event, or a decision. */
const TABLES = [
  'events',
  'users',
  'sessions',
  'ips',
  'isps',
  'user_ips',
  'devices',
  'user_agents',
  'emails',
  'domains',
  'phones',
  'resources',
  'resource_queries',
  'referers',
  'fields',
  'field_changes',
  'logbook',
  'project_countries',
] as const;

async function counts(db: Executor, projectId: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of TABLES) {
    const where =
      table === 'user_ips' ? 'ip_id IN (SELECT id FROM ips WHERE project_id = $1)' : 'project_id = $1';
    const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE ${where}`, [
      projectId,
    ]);
    out[table] = rows[0]!.n;
  }
  return out;
}

/** The ids each entity table must keep: those the events after the cutoff point to. */
async function referencedByNewEvents(db: Executor, projectId: string, cutoff: Date) {
  const ids = async (sql: string) =>
    (await db.query<{ id: string }>(sql, [projectId, cutoff])).rows.map((r) => String(r.id)).sort();
  const fresh = 'FROM events WHERE project_id = $1 AND time >= $2';
  return {
    events: await ids(`SELECT id ${fresh}`),
    users: await ids(`SELECT DISTINCT user_id AS id ${fresh}`),
    sessions: await ids(`SELECT DISTINCT session_id AS id ${fresh}`),
    ips: await ids(`SELECT DISTINCT ip_id AS id ${fresh}`),
    devices: await ids(`SELECT DISTINCT device_id AS id ${fresh}`),
    emails: await ids(`SELECT DISTINCT email_id AS id ${fresh} AND email_id IS NOT NULL`),
    phones: await ids(`SELECT DISTINCT phone_id AS id ${fresh} AND phone_id IS NOT NULL`),
    resources: await ids(`SELECT DISTINCT resource_id AS id ${fresh}`),
    referers: await ids(`SELECT DISTINCT referer_id AS id ${fresh} AND referer_id IS NOT NULL`),
    user_agents: await ids(
      `SELECT DISTINCT d.user_agent_id AS id FROM events e JOIN devices d ON d.id = e.device_id
        WHERE e.project_id = $1 AND e.time >= $2`,
    ),
    domains: await ids(
      `SELECT DISTINCT m.domain_id AS id FROM events e JOIN emails m ON m.id = e.email_id
        WHERE e.project_id = $1 AND e.time >= $2 AND m.domain_id IS NOT NULL`,
    ),
  };
}

async function idsOf(db: Executor, table: string, projectId: string): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    `SELECT id FROM ${table} WHERE project_id = $1 ORDER BY id`,
    [projectId],
  );
  return rows.map((r) => String(r.id)).sort();
}

test('retention deletes the events older than N weeks and what only they referenced, nothing newer', async () => {
  // Old only: gone entirely, with its e-mail, phone, IP, device, user agent, pages and referer.
  for (const weeks of [30, 22, 14]) {
    await send(weeks, {
      userName: 'old-only',
      emailAddress: 'old@old-only.example',
      phoneNumber: '+14155550101',
      ipAddress: '198.51.100.7',
      userAgent: OLD_UA,
      url: `/old-page-${weeks}?ref=mail`,
      httpReferer: 'https://old-referer.example/',
      eventType: 'field_edit',
      'fieldHistory[0][field_id]': 'old-field',
      'fieldHistory[0][new_value]': `v${weeks}`,
    });
  }
  // Mixed: the old IP, e-mail and device go; the user, its new IP and new e-mail stay.
  await send(20, {
    userName: 'mixed',
    emailAddress: 'mixed-old@mixed-old.example',
    ipAddress: '198.51.100.8',
    userAgent: FIREFOX,
    url: '/shared-page',
  });
  await send(1, {
    userName: 'mixed',
    emailAddress: 'mixed@shared.example',
    ipAddress: '203.0.113.50',
    url: '/shared-page',
    httpReferer: 'https://old-referer.example/',
  });
  await send(3, { userName: 'new-only', emailAddress: 'new@shared.example', ipAddress: '203.0.113.50' });
  // Old only but blacklisted: the decision (and the blacklisted IP) outlive the events.
  await send(25, { userName: 'banned', ipAddress: '192.0.2.66', emailAddress: 'banned@banned.example' });
  const projectId = h.projectId;
  await h.db.query(`UPDATE users SET status = 'blacklisted' WHERE project_id = $1 AND user_name = 'banned'`, [
    projectId,
  ]);
  await h.db.query(`UPDATE ips SET blacklisted = true WHERE project_id = $1 AND ip = '192.0.2.66'`, [
    projectId,
  ]);
  // Another project's old events are not this project's retention.
  const other = await h.db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM events WHERE project_id = $1',
    [h.otherProjectId],
  );

  const admin = await h.login(h.emails.projectAdmin);
  const set = await admin.request('PATCH', h.project('/settings'), { retentionWeeks: 8 });
  assert.equal(set.statusCode, 200, set.body);
  assert.equal(set.json().settings.retentionWeeks, 8);
  // The cutoff the run will use: 8 weeks before now (the run's own clock is a few ms later).
  const cutoff = new Date(Date.now() - 8 * WEEK);

  const before = await counts(h.db, projectId);
  const keep = await referencedByNewEvents(h.db, projectId, cutoff);
  const oldEvents = before.events! - keep.events.length;
  assert.equal(oldEvents, 5);
  assert.equal(keep.events.length, 2);
  const bannedUser = (await idsOf(h.db, 'users', projectId)).length;
  assert.equal(bannedUser, 4);
  const fieldChangesBefore = before.field_changes;
  assert.equal(fieldChangesBefore, 3);

  const started = await admin.request('POST', h.project('/retention/run'));
  assert.equal(started.statusCode, 202, started.body);
  assert.equal(started.json().run.eventsTotal, 5);
  await h.app.retention.idle();
  const status = await admin.get(h.project('/retention'));
  const run = status.json().run;
  assert.ok(run.finishedAt, JSON.stringify(run));
  assert.equal(run.error, null);
  assert.equal(run.eventsDeleted, 5);

  const afterCounts = await counts(h.db, projectId);
  // Exactly the newer events remain, unchanged.
  assert.deepEqual(await idsOf(h.db, 'events', projectId), keep.events);
  assert.equal(afterCounts.events, 2);
  // Users: the two with newer events, and the blacklisted one.
  const users = await h.db.query<{ user_name: string; event_count: number }>(
    'SELECT user_name, event_count::int FROM users WHERE project_id = $1 ORDER BY user_name',
    [projectId],
  );
  assert.deepEqual(users.rows, [
    { user_name: 'banned', event_count: 0 },
    { user_name: 'mixed', event_count: 1 },
    { user_name: 'new-only', event_count: 1 },
  ]);
  // Each entity table keeps exactly what the newer events point to (plus decisions).
  const banned = await h.db.query<{ id: string }>(
    `SELECT id FROM ips WHERE project_id = $1 AND blacklisted`,
    [projectId],
  );
  for (const table of [
    'sessions',
    'devices',
    'phones',
    'resources',
    'referers',
    'user_agents',
    'domains',
  ] as const) {
    assert.deepEqual(await idsOf(h.db, table, projectId), keep[table], table);
  }
  assert.deepEqual(
    await idsOf(h.db, 'ips', projectId),
    [...keep.ips, ...banned.rows.map((r) => String(r.id))].sort(),
  );
  assert.deepEqual(await idsOf(h.db, 'emails', projectId), keep.emails);
  // The old user's field changes and the field only it had are gone; queries of old pages too.
  assert.equal(afterCounts.field_changes, 0);
  assert.equal(afterCounts.fields, 0);
  assert.equal(afterCounts.resource_queries, 0);
  // user_ips: only the pairs of the newer events; the shared IP counts its two users.
  const pairs = await h.db.query<{ ip: string; user_count: number; n: number }>(
    `SELECT host(i.ip) AS ip, i.user_count, count(u.user_id)::int AS n FROM ips i
       LEFT JOIN user_ips u ON u.ip_id = i.id WHERE i.project_id = $1 GROUP BY i.id ORDER BY 1`,
    [projectId],
  );
  assert.deepEqual(pairs.rows, [
    { ip: '192.0.2.66', user_count: 0, n: 0 },
    { ip: '203.0.113.50', user_count: 2, n: 2 },
  ]);
  // Counters match the events left.
  const ip = await h.db.query<{ event_count: number }>(
    `SELECT event_count::int FROM ips WHERE project_id = $1 AND ip = '203.0.113.50'`,
    [projectId],
  );
  assert.equal(ip.rows[0]!.event_count, 2);
  const page = await h.db.query<{ event_count: number }>(
    `SELECT event_count::int FROM resources WHERE project_id = $1 AND url = '/shared-page'`,
    [projectId],
  );
  assert.equal(page.rows[0]!.event_count, 1);
  // The run's report matches what happened.
  assert.equal(run.deleted.users, 1);
  assert.equal(afterCounts.users, 3);
  // The other project is untouched.
  const otherAfter = await h.db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM events WHERE project_id = $1',
    [h.otherProjectId],
  );
  assert.equal(otherAfter.rows[0]!.n, other.rows[0]!.n);
  // A second run finds nothing more to do.
  await admin.request('POST', h.project('/retention/run'));
  await h.app.retention.idle();
  assert.deepEqual(await counts(h.db, projectId), afterCounts);
});

test('retention is refused while the project keeps data forever; viewers cannot start it', async () => {
  const admin = await h.login(h.emails.projectAdmin);
  await admin.request('PATCH', h.project('/settings'), { retentionWeeks: 0 });
  const res = await admin.request('POST', h.project('/retention/run'));
  assert.equal(res.statusCode, 400);
  assert.equal(res.json().error.field, 'retentionWeeks');
  const viewer = await h.login(h.emails.viewer);
  assert.equal((await viewer.request('POST', h.project('/retention/run'))).statusCode, 403);
});
