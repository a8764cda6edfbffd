import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { form, type Harness, postForm, startHarness, userEvents } from './harness.ts';

function at(minutes: number): string {
  const d = new Date(Date.UTC(2026, 0, 10, 8, 0, 0) + minutes * 60_000);
  return d.toISOString().replace('T', ' ').replace('Z', '');
}

describe('sessions, devices and counters', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  const send = (userName: string, minutes: number, extra: Record<string, string> = {}) =>
    postForm(
      h,
      form({
        userName,
        ipAddress: '5.6.7.8',
        url: '/',
        eventTime: at(minutes),
        userAgent: 'UA-1',
        browserLanguage: 'en',
        ...extra,
      }),
    );

  test('a new session after more than 30 idle minutes, or after 4 hours', async () => {
    // 0, 10, 40 (30 min gap: same session), 71 (31 min gap: new), then every 25 min for 5 h.
    for (const m of [0, 10, 40, 71]) assert.equal((await send('sess', m)).statusCode, 204);
    for (let m = 96; m <= 71 + 300; m += 25) assert.equal((await send('sess', m)).statusCode, 204);
    const events = (await userEvents(h, 'sess', 100)).reverse();
    const sessions = events.map((e) => e.sessionId);
    assert.equal(sessions[0], sessions[1]);
    assert.equal(sessions[1], sessions[2], 'exactly 30 minutes idle keeps the session');
    assert.notEqual(sessions[2], sessions[3], 'over 30 minutes idle starts a new one');
    const distinctAfter = new Set(sessions.slice(3));
    assert.ok(distinctAfter.size >= 2, 'a session longer than 4 hours is cut');
    const { rows } = await h.db.query<{ started: Date; last_seen: Date; event_count: number }>(
      `SELECT s.started, s.last_seen, s.event_count FROM sessions s WHERE s.id = $1`,
      [sessions[0]],
    );
    assert.equal(rows[0]!.event_count, 3);
    assert.equal(rows[0]!.started.toISOString(), '2026-01-10T08:00:00.000Z');
    assert.equal(rows[0]!.last_seen.toISOString(), '2026-01-10T08:40:00.000Z');
  });

  test('a late event more than 30 minutes before the last activity starts a session (absolute gap)', async () => {
    await send('late', 100);
    await send('late', 10);
    const [newest, older] = await userEvents(h, 'late');
    assert.notEqual(newest!.sessionId, older!.sessionId);
    const { rows } = await h.db.query<{ last_seen: Date; first_seen: Date }>(
      'SELECT first_seen, last_seen FROM users WHERE project_id = $1 AND user_name = $2',
      [h.projectId, 'late'],
    );
    assert.equal(
      rows[0]!.last_seen.toISOString(),
      '2026-01-10T09:40:00.000Z',
      'last seen never goes backwards',
    );
    assert.equal(rows[0]!.first_seen.toISOString(), '2026-01-10T08:10:00.000Z');
  });

  test('a device is (user, user agent, language); counters add up', async () => {
    await send('dev', 0);
    await send('dev', 1);
    await send('dev', 2, { browserLanguage: 'fr' });
    await send('dev', 3, { userAgent: 'UA-2' });
    await send('dev2', 4);
    const { rows } = await h.db.query<{ user_name: string; ua: string; lang: string; event_count: number }>(
      `SELECT u.user_name, ua.ua, d.lang, d.event_count FROM devices d
         JOIN users u ON u.id = d.user_id JOIN user_agents ua ON ua.id = d.user_agent_id
        WHERE u.user_name IN ('dev', 'dev2') ORDER BY u.user_name, ua.ua, d.lang`,
    );
    assert.deepEqual(
      rows.map((r) => [r.user_name, r.ua, r.lang, r.event_count]),
      [
        ['dev', 'UA-1', 'en', 2],
        ['dev', 'UA-1', 'fr', 1],
        ['dev', 'UA-2', 'en', 1],
        ['dev2', 'UA-1', 'en', 1],
      ],
    );
    const ua = await h.db.query<{ event_count: number }>(
      "SELECT event_count FROM user_agents WHERE project_id = $1 AND ua = 'UA-1'",
      [h.projectId],
    );
    const expected = await h.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM events e JOIN devices d ON d.id = e.device_id JOIN user_agents ua ON ua.id = d.user_agent_id
        WHERE e.project_id = $1 AND ua.ua = 'UA-1'`,
      [h.projectId],
    );
    assert.equal(ua.rows[0]!.event_count, expected.rows[0]!.n);
  });

  test('concurrent events of one user in one batch keep every counter exact', async () => {
    const sends = Array.from({ length: 40 }, (_, i) =>
      send('burst', 500 + (i % 5), { userAgent: `UA-${i % 3}` }),
    );
    const statuses = (await Promise.all(sends)).map((r) => r.statusCode);
    assert.deepEqual(new Set(statuses), new Set([204]));
    const { rows } = await h.db.query<{
      event_count: number;
      events: number;
      sessions: number;
      devices: number;
    }>(
      `SELECT u.event_count,
              (SELECT count(*)::int FROM events e WHERE e.user_id = u.id) AS events,
              (SELECT count(DISTINCT session_id)::int FROM events e WHERE e.user_id = u.id) AS sessions,
              (SELECT sum(event_count)::int FROM devices d WHERE d.user_id = u.id) AS devices
         FROM users u WHERE u.project_id = $1 AND u.user_name = 'burst'`,
      [h.projectId],
    );
    assert.deepEqual(rows[0], { event_count: 40, events: 40, sessions: 1, devices: 40 });
    const queued = await h.db.query(
      'SELECT 1 FROM scoring_queue q JOIN users u ON u.id = q.user_id WHERE u.user_name = $1',
      ['burst'],
    );
    assert.equal(queued.rows.length, 1, 'the user is marked dirty for scoring');
  });

  test('userName absent: md5 of the e-mail, or N/A', async () => {
    await postForm(h, form({ ipAddress: '1.1.1.1', url: '/', emailAddress: 'Someone@Example.com' }));
    await postForm(h, form({ ipAddress: '1.1.1.1', url: '/' }));
    const { createHash } = await import('node:crypto');
    const md5 = createHash('md5').update('someone@example.com').digest('hex');
    assert.equal((await userEvents(h, md5)).length, 1);
    assert.equal((await userEvents(h, 'N/A')).length, 1);
  });
});
