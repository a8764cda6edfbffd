import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Database } from '@vigil/db';
import { appendAudit } from '../src/audit/chain.ts';
import { verifyAudit } from '../src/audit/verify.ts';
import { eraseUser, UserNotFoundError } from '../src/privacy/erase-user.ts';
import { type Harness, postForm, startHarness } from './harness.ts';

const SUBJECT = {
  userName: 'erin-subject-7731',
  email: 'Erin.Subject@Example.org',
  oldEmail: 'erin.previous-mail@example.net',
  firstName: 'Erinnalda',
  lastName: 'Subjectovska',
  phone: '+14155550199',
};
/** Everything that must be gone afterwards, searched case-insensitively in every column. */
const NEEDLES = [
  SUBJECT.userName,
  SUBJECT.email,
  SUBJECT.oldEmail,
  SUBJECT.firstName,
  SUBJECT.lastName,
  SUBJECT.phone,
  '4155550199',
];

/** Rows in any table of the schema whose text, JSON or array columns contain the needle. */
async function traces(db: Database, needle: string): Promise<string[]> {
  const { rows: columns } = await db.query<{ table_name: string; column_name: string }>(
    `SELECT c.table_name, c.column_name FROM information_schema.columns c
     JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
     WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
       AND c.data_type IN ('text', 'character varying', 'character', 'json', 'jsonb', 'ARRAY', 'inet', 'cidr')`,
  );
  assert.ok(columns.length > 40, 'the schema was searched');
  const found: string[] = [];
  for (const { table_name, column_name } of columns) {
    const { rows } = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM "${table_name}" WHERE "${column_name}"::text ILIKE $1`,
      [`%${needle}%`],
    );
    if (rows[0]!.n > 0) found.push(`${table_name}.${column_name} (${rows[0]!.n})`);
  }
  return found;
}

/** Every shared counter equals what the stored events (or field changes) add up to. */
async function inconsistentCounters(db: Database, projectId: string): Promise<string[]> {
  const checks: Record<string, string> = {
    'ips.event_count': `SELECT i.id FROM ips i WHERE i.project_id = $1
       AND i.event_count <> (SELECT count(*) FROM events e WHERE e.ip_id = i.id)`,
    'ips.user_count': `SELECT i.id FROM ips i WHERE i.project_id = $1
       AND i.user_count <> (SELECT count(*) FROM user_ips u WHERE u.ip_id = i.id)`,
    'isps.event_count': `SELECT s.id FROM isps s WHERE s.project_id = $1
       AND s.event_count <> (SELECT count(*) FROM events e JOIN ips i ON i.id = e.ip_id WHERE i.isp_id = s.id)`,
    'project_countries.event_count': `SELECT c.country FROM project_countries c WHERE c.project_id = $1
       AND c.event_count <> (SELECT count(*) FROM events e JOIN ips i ON i.id = e.ip_id
                             WHERE e.project_id = $1 AND i.country = c.country)`,
    'user_agents.event_count': `SELECT a.id FROM user_agents a WHERE a.project_id = $1
       AND a.event_count <> (SELECT count(*) FROM events e JOIN devices d ON d.id = e.device_id
                             WHERE d.user_agent_id = a.id)`,
    'domains.event_count': `SELECT d.id FROM domains d WHERE d.project_id = $1
       AND d.event_count <> (SELECT count(*) FROM events e JOIN emails m ON m.id = e.email_id WHERE m.domain_id = d.id)`,
    'resources.event_count': `SELECT r.id FROM resources r WHERE r.project_id = $1
       AND r.event_count <> (SELECT count(*) FROM events e WHERE e.resource_id = r.id)`,
    'resource_queries.event_count': `SELECT q.id FROM resource_queries q WHERE q.project_id = $1
       AND q.event_count <> (SELECT count(*) FROM events e WHERE e.query_id = q.id)`,
    'referers.event_count': `SELECT r.id FROM referers r WHERE r.project_id = $1
       AND r.event_count <> (SELECT count(*) FROM events e WHERE e.referer_id = r.id)`,
    'fields.edit_count': `SELECT f.id FROM fields f WHERE f.project_id = $1
       AND f.edit_count <> (SELECT count(*) FROM field_changes c WHERE c.field_ref = f.id)`,
    'users.event_count': `SELECT u.id FROM users u WHERE u.project_id = $1
       AND u.event_count <> (SELECT count(*) FROM events e WHERE e.user_id = u.id)`,
  };
  const bad: string[] = [];
  for (const [name, sql] of Object.entries(checks)) {
    const { rowCount } = await db.query(sql, [projectId]);
    if (rowCount) bad.push(`${name} (${rowCount} rows)`);
  }
  return bad;
}

describe('data subject erasure', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h.close();
  });

  const send = async (fields: Record<string, string>) => {
    const res = await postForm(
      h,
      new URLSearchParams({
        ipAddress: '8.8.8.8',
        userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0',
        httpReferer: 'https://shop.example.com/',
        ...fields,
      }).toString(),
    );
    assert.equal(res.statusCode, 204, res.body);
  };

  test('removes every trace of the user, keeps the counters consistent, and leaves an audit record', async () => {
    const s = SUBJECT;
    const who = {
      userName: s.userName,
      emailAddress: s.email,
      phoneNumber: s.phone,
      firstName: s.firstName,
      lastName: s.lastName,
    };
    await send({ ...who, url: '/login', eventType: 'account_login' });
    await send({
      ...who,
      url: '/search?q=shoes',
      eventType: 'page_search',
      'payload[field_id]': 'q',
      'payload[value]': `${s.firstName} ${s.lastName}`,
    });
    await send({
      ...who,
      url: '/account/email',
      eventType: 'account_email_change',
      'payload[old_value]': s.oldEmail,
      'payload[new_value]': s.email,
    });
    await send({
      ...who,
      url: '/profile',
      eventType: 'field_edit',
      'fieldHistory[0][field_id]': 'contact',
      'fieldHistory[0][old_value]': s.oldEmail,
      'fieldHistory[0][new_value]': s.phone,
      'fieldHistory[1][field_id]': 'city',
      'fieldHistory[1][new_value]': 'Lyon',
    });
    // A request the sensor refused still logged what it was sent.
    const refused = await postForm(
      h,
      new URLSearchParams({ userName: s.userName, emailAddress: s.email, url: '/x' }).toString(),
    );
    assert.equal(refused.statusCode, 400, refused.body);
    // Another user shares the IP, user agent, page, referrer and field.
    for (const url of ['/login', '/profile'])
      await send({ userName: 'other-user', emailAddress: 'other@example.org', url });
    await send({
      userName: 'other-user',
      url: '/profile',
      eventType: 'field_edit',
      'fieldHistory[0][field_id]': 'city',
      'fieldHistory[0][new_value]': 'Nice',
    });
    // An operator acted on the user (the console writes such entries), and their field changes are sealed.
    await h.db.transaction((tx) =>
      appendAudit(tx, {
        projectId: h.projectId,
        actor: 'analyst@ops.example',
        action: 'user.blacklist',
        target: `user:${s.userName}`,
        details: { userName: s.userName, note: `called ${s.phone}` },
      }),
    );
    await h.db.transaction((tx) =>
      appendAudit(tx, {
        projectId: h.projectId,
        actor: 'analyst@ops.example',
        action: 'rules.update',
        details: { rule: 'R1' },
      }),
    );
    await waitFor(async () => (await h.db.query('SELECT 1 FROM audit_seal_queue')).rowCount === 0);

    for (const needle of NEEDLES)
      assert.notDeepEqual(await traces(h.db, needle), [], `${needle} is stored before`);
    assert.deepEqual(await inconsistentCounters(h.db, h.projectId), []);
    const otherEvents = await eventsOf(h.db, 'other-user');
    assert.equal(otherEvents, 3);

    const result = await eraseUser(h.db, {
      projectId: h.projectId,
      userName: s.userName,
      actor: 'dpo@ops.example',
    });
    assert.equal(result.events, 4);
    assert.equal(result.fieldChanges, 2);
    assert.ok(result.logbookEntries >= 5);
    assert.equal(result.auditEntriesRedacted, 3, 'the operator entry and the two sealed field changes');

    for (const needle of NEEDLES) assert.deepEqual(await traces(h.db, needle), [], `traces of ${needle}`);
    assert.deepEqual(await inconsistentCounters(h.db, h.projectId), []);
    assert.equal(await eventsOf(h.db, 'other-user'), otherEvents);
    const shared = (
      await h.db.query<{ event_count: number; user_count: number }>(
        `SELECT event_count, user_count FROM ips WHERE project_id = $1 AND ip = '8.8.8.8'`,
        [h.projectId],
      )
    ).rows[0]!;
    assert.deepEqual([Number(shared.event_count), Number(shared.user_count)], [3, 1]);

    // The erasure is on the chain, naming the user only by a keyed hash; the chain still verifies.
    const { rows } = await h.db.query<{
      actor: string;
      target: string;
      details: Record<string, unknown>;
      at: Date;
    }>(`SELECT actor, target, details, at FROM audit_entries WHERE chain = $1 AND action = 'user.erase'`, [
      h.projectId,
    ]);
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.actor, 'dpo@ops.example');
    assert.match(String(rows[0]!.details.subject), /^[0-9a-f]{64}$/);
    assert.equal(rows[0]!.details.subject, result.subject);
    assert.equal(rows[0]!.target, `subject:${result.subject}`);
    assert.equal(rows[0]!.details.events, 4);
    const report = await verifyAudit(h.db, { chain: h.projectId });
    assert.equal(report.ok, true, JSON.stringify(report.firstProblem));
    assert.equal(report.chains[0]!.erased, 3);

    // The user may come back: a new event creates a new, unrelated user.
    await send({ userName: s.userName, url: '/login' });
    assert.equal(await eventsOf(h.db, s.userName), 1);
  });

  test('an unknown user is refused by name', async () => {
    await assert.rejects(
      eraseUser(h.db, { projectId: h.projectId, userName: 'nobody-here', actor: 'cli' }),
      (error) => error instanceof UserNotFoundError && /nobody-here/.test(error.message),
    );
  });
});

async function eventsOf(db: Database, userName: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM events e JOIN users u ON u.id = e.user_id WHERE u.user_name = $1',
    [userName],
  );
  return rows[0]!.n;
}

async function waitFor(check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}
