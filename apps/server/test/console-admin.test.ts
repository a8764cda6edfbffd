import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type ConsoleClient, type ConsoleHarness, startConsoleHarness } from './console-harness.ts';

// The Project and Settings pages' API: keys (a revoked or rotated key is refused by the sensor at
// once), usage, settings, members, and deleting a project; every change is in the audit trail.

let h: ConsoleHarness;
let admin: ConsoleClient;
before(async () => {
  h = await startConsoleHarness();
  admin = await h.login(h.emails.projectAdmin);
});
after(() => h.close());

function sensor(key: string, userName = 'key-user') {
  return h.app.inject({
    method: 'POST',
    url: '/sensor/',
    headers: { 'api-key': key, 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ userName, ipAddress: '203.0.113.9', url: '/' }).toString(),
  });
}

async function audit(action: string) {
  const { rows } = await h.db.query<{
    actor: string;
    target: string;
    project_id: string | null;
    details: unknown;
  }>('SELECT actor, target, project_id, details FROM audit_entries WHERE action = $1 ORDER BY id', [action]);
  return rows;
}

test('API keys: create (secret once), rotate and revoke; the sensor refuses a revoked key at once', async () => {
  const created = await admin.request('POST', h.project('/keys'), { name: 'backend' });
  assert.equal(created.statusCode, 201, created.body);
  const { key, id, prefix } = created.json();
  assert.match(key, /^vgl_/);
  assert.equal(prefix, key.slice(0, 8));
  assert.equal((await sensor(key)).statusCode, 204);
  const list = (await admin.get(h.project('/keys'))).json().keys as Record<string, unknown>[];
  const row = list.find((k) => k.id === id)!;
  assert.equal(row.name, 'backend');
  assert.equal(row.prefix, prefix);
  assert.ok(row.lastUsedAt, 'last use recorded');
  assert.equal(row.revokedAt, null);
  assert.ok(!JSON.stringify(list).includes(key), 'the secret is never listed');

  const rotated = await admin.request('POST', h.project(`/keys/${id}/rotate`));
  assert.equal(rotated.statusCode, 201, rotated.body);
  const fresh = rotated.json();
  assert.notEqual(fresh.key, key);
  assert.equal(fresh.name, 'backend');
  assert.equal((await sensor(key)).statusCode, 401);
  assert.equal((await sensor(fresh.key)).statusCode, 204);
  assert.equal((await admin.request('POST', h.project(`/keys/${id}/rotate`))).statusCode, 404);

  const revoked = await admin.request('DELETE', h.project(`/keys/${fresh.id}`));
  assert.equal(revoked.statusCode, 204);
  assert.equal((await sensor(fresh.key)).statusCode, 401);
  assert.equal((await admin.request('DELETE', h.project(`/keys/${fresh.id}`))).statusCode, 404);
  // The harness project's first key still works.
  assert.equal((await sensor(h.apiKey)).statusCode, 204);
  // Another project's key id is not found from this one.
  const other = await h.db.query<{ id: string }>('SELECT id FROM api_keys WHERE project_id = $1', [
    h.otherProjectId,
  ]);
  assert.equal((await admin.request('DELETE', h.project(`/keys/${other.rows[0]!.id}`))).statusCode, 404);

  assert.deepEqual(
    (await audit('api_key.create')).map((e) => [e.actor, e.target, e.project_id]),
    [[h.emails.projectAdmin, id, h.projectId]],
  );
  assert.equal((await audit('api_key.rotate'))[0]!.target, id);
  assert.equal((await audit('api_key.revoke'))[0]!.target, fresh.id);
  // Analysts and viewers cannot see keys.
  const analyst = await h.login(h.emails.analyst);
  assert.equal((await analyst.get(h.project('/keys'))).statusCode, 403);
});

test('usage counts the API requests per outcome over the period', async () => {
  const before = (await admin.get(h.project('/usage'))).json();
  await sensor(h.apiKey, 'usage-1');
  await sensor(h.apiKey, 'usage-2');
  const missing = await h.app.inject({
    method: 'POST',
    url: '/sensor/',
    headers: { 'api-key': h.apiKey, 'content-type': 'application/x-www-form-urlencoded' },
    payload: 'userName=no-ip&url=/',
  });
  assert.equal(missing.statusCode, 400);
  const from = new Date(Date.now() - 3600_000).toISOString();
  const to = new Date(Date.now() + 60_000).toISOString();
  const res = await admin.get(h.project(`/usage?from=${from}&to=${to}&tz=Europe/Paris`));
  assert.equal(res.statusCode, 200, res.body);
  const usage = res.json();
  assert.equal(usage.bucket, 'minute');
  assert.equal(usage.tz, 'Europe/Paris');
  // The logbook holds every request of the project: the chart's totals are its counts by outcome.
  const { rows } = await h.db.query<{ error_type: number; n: number }>(
    'SELECT error_type::int, count(*)::int AS n FROM logbook WHERE project_id = $1 GROUP BY 1',
    [h.projectId],
  );
  const expected = { success: 0, warnings: 0, rejected: 0, failed: 0, rate_limited: 0 };
  const names = Object.keys(expected) as (keyof typeof expected)[];
  for (const r of rows) expected[names[r.error_type]!] = r.n;
  assert.ok(expected.success + expected.warnings >= 2);
  assert.equal(expected.rejected, 1);
  assert.deepEqual(usage.totals, expected);
  for (const s of usage.series as { key: keyof typeof expected; values: number[] }[]) {
    assert.equal(s.values.length, usage.times.length);
    assert.equal(
      s.values.reduce((a, b) => a + b, 0),
      expected[s.key],
    );
  }
  assert.ok(before.totals.warnings + before.totals.success < expected.success + expected.warnings);
  const bad = await admin.get(h.project('/usage?tz=Mars/Olympus'));
  assert.equal(bad.statusCode, 400);
  assert.equal(bad.json().error.field, 'tz');
});

test('settings: name, timezone, rate limit and retention; bad values name their field', async () => {
  const res = await admin.request('PATCH', h.project('/settings'), {
    name: 'Renamed',
    timezone: 'Asia/Tokyo',
    rateLimitRps: 5,
    rateLimitWindow: 10,
    retentionWeeks: 12,
  });
  assert.equal(res.statusCode, 200, res.body);
  const got = (await admin.get(h.project('/settings'))).json().settings;
  assert.deepEqual(got, {
    name: 'Renamed',
    timezone: 'Asia/Tokyo',
    rateLimitRps: 5,
    rateLimitWindow: 10,
    retentionWeeks: 12,
  });
  const me = (await admin.get('/api/console/me')).json();
  assert.equal(me.projects.find((p: { id: string }) => p.id === h.projectId).timezone, 'Asia/Tokyo');
  for (const [body, field] of [
    [{ timezone: 'Nowhere/Land' }, 'timezone'],
    [{ retentionWeeks: -1 }, 'retentionWeeks'],
    [{ name: '   ' }, 'name'],
    [{ rateLimitRps: 'fast' }, 'rateLimitRps'],
  ] as const) {
    const bad = await admin.request('PATCH', h.project('/settings'), body);
    assert.equal(bad.statusCode, 400, JSON.stringify(body));
    assert.match(String(bad.json().error.field ?? bad.json().error.message), new RegExp(field));
  }
  const changes = await audit('project.settings');
  assert.equal(changes.length, 1);
  assert.deepEqual((changes[0]!.details as Record<string, unknown>).retentionWeeks, { from: 0, to: 12 });
  // The sensor applies the new rate limit (the project is cached with its key: cleared on change).
  await admin.request('PATCH', h.project('/settings'), { rateLimitRps: 0 });
  const viewer = await h.login(h.emails.viewer);
  assert.equal((await viewer.request('PATCH', h.project('/settings'), { name: 'x' })).statusCode, 403);
  assert.equal((await viewer.get(h.project('/settings'))).statusCode, 403);
});

test('members: invite (link shown when there is no SMTP), change role, remove; all audited', async () => {
  const invited = await admin.request('POST', h.project('/members'), {
    email: 'guest@example.com',
    role: 'viewer',
  });
  assert.equal(invited.statusCode, 201, invited.body);
  assert.equal(invited.json().kind, 'invited');
  assert.equal(invited.json().emailed, false);
  assert.match(invited.json().link, /\/accept-invitation#token=/);
  const listed = (await admin.get(h.project('/members'))).json();
  assert.ok(listed.invitations.some((i: { email: string }) => i.email === 'guest@example.com'));
  const analyst = listed.members.find((m: { email: string }) => m.email === h.emails.analyst);
  const promoted = await admin.request('PATCH', h.project(`/members/${analyst.id}`), { role: 'admin' });
  assert.equal(promoted.statusCode, 200);
  const asAdmin = await h.login(h.emails.analyst);
  assert.equal((await asAdmin.get(h.project('/keys'))).statusCode, 200);
  await admin.request('PATCH', h.project(`/members/${analyst.id}`), { role: 'analyst' });
  const removed = await admin.request('DELETE', h.project(`/members/${analyst.id}`));
  assert.equal(removed.statusCode, 204);
  assert.equal((await asAdmin.get(h.project())).statusCode, 404);
  const roles = await audit('member.role');
  assert.deepEqual(
    roles.map((r) => r.details),
    [
      { from: 'analyst', to: 'admin' },
      { from: 'admin', to: 'analyst' },
    ],
  );
  assert.equal((await audit('member.remove'))[0]!.target, h.emails.analyst);
  assert.equal((await audit('member.invite'))[0]!.target, 'guest@example.com');
});

test('deleting a project needs its exact name, removes all its data, and its keys stop working', async () => {
  const installationAdmin = await h.login(h.emails.admin);
  const made = await installationAdmin.request('POST', '/api/console/projects', { name: 'Doomed' });
  assert.equal(made.statusCode, 201, made.body);
  const { project, apiKey } = made.json();
  for (const user of ['d1', 'd2', 'd3']) assert.equal((await sensor(apiKey, user)).statusCode, 204);
  const url = `/api/console/projects/${project.id}`;
  const wrong = await installationAdmin.request('DELETE', `${url}?confirm=doomed`);
  assert.equal(wrong.statusCode, 400);
  assert.equal(wrong.json().error.field, 'confirm');
  // A project admin of another project cannot reach it.
  assert.equal((await admin.request('DELETE', `${url}?confirm=Doomed`)).statusCode, 404);
  const done = await installationAdmin.request('DELETE', `${url}?confirm=Doomed`);
  assert.equal(done.statusCode, 204, done.body);
  for (const table of ['projects', 'users', 'events', 'api_keys', 'logbook']) {
    const column = table === 'projects' ? 'id' : 'project_id';
    const { rows } = await h.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ${table} WHERE ${column} = $1`,
      [project.id],
    );
    assert.equal(rows[0]!.n, 0, table);
  }
  assert.equal((await sensor(apiKey)).statusCode, 401);
  assert.equal((await installationAdmin.get(url)).statusCode, 404);
  const me = (await installationAdmin.get('/api/console/me')).json();
  assert.ok(!me.projects.some((p: { id: string }) => p.id === project.id));
  // Recorded in the installation's chain, which outlives the project.
  const entries = await audit('project.delete');
  assert.equal(entries.length, 1);
  assert.equal(entries[0]!.project_id, null);
  assert.equal(entries[0]!.target, project.id);
  assert.deepEqual(entries[0]!.details, { name: 'Doomed', users: 3, events: 3 });
  // The harness project is untouched.
  assert.equal((await sensor(h.apiKey)).statusCode, 204);
});
