import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createEnricher } from '@vigil/enrich';
import { runRetention } from '../src/jobs/retention.ts';
import { eraseUser } from '../src/privacy/erase-user.ts';
import { form, type Harness, postForm, startHarness } from './harness.ts';

// The rollups of migrations 0016 (hourly counts by type, country and ISP; hourly events per user;
// daily events per IP and resource) and 0017 (hourly events by chart class per resource, e-mail
// domain and user agent; logbook requests per hour and per minute and outcome) must always add up to what the events table holds: after
// ingest (several batches, hours and days), after retention and after a user's erasure.

const HOUR = 3_600_000;
const WEEK = 7 * 24 * HOUR;
const NOW = Date.now();
const sensorTime = (t: number) => new Date(t).toISOString().replace('T', ' ').replace('Z', '');

let h: Harness;
before(async () => {
  h = await startHarness({ enricher: createEnricher() });
});
after(() => h.close());

async function send(t: number, fields: Record<string, string>) {
  const res = await postForm(h, form({ url: '/', ...fields, eventTime: sensorTime(t) }));
  assert.equal(res.statusCode, 204, res.body);
}

/** Each rollup as stored, and as recounted from the events, as comparable sorted rows. */
async function rollupsAndRecount(projectId: string) {
  const rows = async (sql: string) =>
    (await h.db.query<{ r: string }>(sql, [projectId])).rows.map((x) => x.r).sort();
  return {
    stored: {
      hourly: await rows(
        `SELECT concat_ws('|', extract(epoch FROM hour), type, country, isp_id, events) AS r
           FROM event_counts_hourly WHERE project_id = $1`,
      ),
      users: await rows(
        `SELECT concat_ws('|', extract(epoch FROM hour), user_id, events) AS r
           FROM user_events_hourly WHERE project_id = $1`,
      ),
      entities: await rows(
        `SELECT concat_ws('|', kind, entity_id, day, events) AS r FROM entity_events_daily WHERE project_id = $1`,
      ),
      entityHours: await rows(
        `SELECT concat_ws('|', kind, entity_id, extract(epoch FROM hour), class, events) AS r
           FROM entity_events_hourly WHERE project_id = $1`,
      ),
      logbook: await rows(
        `SELECT concat_ws('|', extract(epoch FROM hour), error_type, requests) AS r
           FROM logbook_counts_hourly WHERE project_id = $1`,
      ),
      logbookMinutes: await rows(
        `SELECT concat_ws('|', extract(epoch FROM minute), error_type, requests) AS r
           FROM logbook_counts_minutely WHERE project_id = $1`,
      ),
    },
    recount: {
      hourly: await rows(
        `SELECT concat_ws('|', extract(epoch FROM date_trunc('hour', e.time, 'UTC')), e.type, i.country, i.isp_id,
                          count(*)) AS r
           FROM events e JOIN ips i ON i.id = e.ip_id WHERE e.project_id = $1
          GROUP BY date_trunc('hour', e.time, 'UTC'), e.type, i.country, i.isp_id`,
      ),
      users: await rows(
        `SELECT concat_ws('|', extract(epoch FROM date_trunc('hour', time, 'UTC')), user_id, count(*)) AS r
           FROM events WHERE project_id = $1 GROUP BY date_trunc('hour', time, 'UTC'), user_id`,
      ),
      entities: await rows(
        `SELECT concat_ws('|', kind, id, day, count(*)) AS r FROM (
           SELECT 1 AS kind, ip_id AS id, (time AT TIME ZONE 'UTC')::date AS day FROM events WHERE project_id = $1
           UNION ALL
           SELECT 2, resource_id, (time AT TIME ZONE 'UTC')::date FROM events WHERE project_id = $1) x
          GROUP BY kind, id, day`,
      ),
      entityHours: await rows(
        `SELECT concat_ws('|', kind, id, extract(epoch FROM hour), class, count(*)) AS r FROM (
           SELECT 2 AS kind, e.resource_id AS id, e.time, e.type FROM events e WHERE e.project_id = $1
           UNION ALL
           SELECT 3, m.domain_id, e.time, e.type FROM events e JOIN emails m ON m.id = e.email_id
            WHERE e.project_id = $1 AND m.domain_id IS NOT NULL
           UNION ALL
           SELECT 4, d.user_agent_id, e.time, e.type FROM events e JOIN devices d ON d.id = e.device_id
            WHERE e.project_id = $1) x,
           LATERAL (SELECT date_trunc('hour', x.time, 'UTC') AS hour,
                           CASE WHEN x.type IN (3, 12, 7, 9, 10) THEN 2 WHEN x.type IN (2, 8, 11, 13) THEN 1
                                ELSE 0 END AS class) c
          GROUP BY kind, id, hour, class`,
      ),
      logbook: await rows(
        `SELECT concat_ws('|', extract(epoch FROM date_trunc('hour', started, 'UTC')), error_type, count(*)) AS r
           FROM logbook WHERE project_id = $1 GROUP BY date_trunc('hour', started, 'UTC'), error_type`,
      ),
      logbookMinutes: await rows(
        `SELECT concat_ws('|', extract(epoch FROM date_trunc('minute', started, 'UTC')), error_type, count(*)) AS r
           FROM logbook WHERE project_id = $1 GROUP BY date_trunc('minute', started, 'UTC'), error_type`,
      ),
    },
  };
}

async function assertConsistent(projectId: string, label: string) {
  const { stored, recount } = await rollupsAndRecount(projectId);
  assert.ok(recount.hourly.length > 0, `${label}: some events`);
  // Every kind of entity hour is exercised: resources, e-mail domains, user agents, and classes.
  for (const kind of ['2|', '3|', '4|']) {
    assert.ok(
      recount.entityHours.some((r) => r.startsWith(kind)),
      `${label}: kind ${kind}`,
    );
  }
  assert.deepEqual(stored, recount, label);
}

test('rollups equal a recount from events after ingest, retention and erasure', async () => {
  const projectId = h.projectId;
  // Old events (retention takes them), several users, IPs of two countries, pages, event types.
  for (const weeks of [12, 10]) {
    await send(NOW - weeks * WEEK, {
      userName: 'old',
      ipAddress: '91.64.10.20',
      url: '/old',
      eventType: 'page_view',
    });
    await send(NOW - weeks * WEEK + 1000, {
      userName: 'mixed',
      ipAddress: '52.1.2.3',
      eventType: 'account_login',
      emailAddress: 'mixed@example.org',
    });
  }
  for (let i = 0; i < 30; i++) {
    const t = NOW - (i % 7) * 5 * HOUR - i * 60_000;
    await send(t, {
      userName: ['alice', 'bob', 'carol', 'mixed'][i % 4]!,
      ipAddress: ['91.64.10.20', '52.1.2.3', '91.64.10.22', ''][i % 4]!,
      url: ['/', '/shop', '/login'][i % 3]!,
      eventType: ['page_view', 'account_login', 'account_login_fail', 'account_edit'][i % 4]!,
      userAgent: ['Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0', 'curl/8.0'][i % 2]!,
      ...(i % 3 === 0 ? { emailAddress: `${['alice', 'bob', 'carol', 'mixed'][i % 4]}@example.com` } : {}),
    });
  }
  // Several events of one batch on the same keys: sent at once, so the writer groups them.
  await Promise.all(
    [1, 2, 3, 4, 5].map((i) =>
      send(NOW - 2 * HOUR - i * 1000, { userName: `burst${i % 2}`, ipAddress: '91.64.10.20', url: '/shop' }),
    ),
  );
  await assertConsistent(projectId, 'after ingest');

  await h.db.query('UPDATE projects SET retention_weeks = 8 WHERE id = $1', [projectId]);
  const run = await runRetention(h.db, projectId, { batchSize: 3 });
  assert.equal(run?.eventsDeleted, 4);
  await assertConsistent(projectId, 'after retention');

  const erased = await eraseUser(h.db, { projectId, userName: 'alice', actor: 'test' });
  assert.ok(erased.events > 0);
  await assertConsistent(projectId, 'after erasure');
  const { rows } = await h.db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM user_events_hourly r JOIN users u ON u.id = r.user_id
      WHERE r.project_id = $1 AND u.user_name = 'alice'`,
    [projectId],
  );
  assert.equal(rows[0]!.n, 0);
});
