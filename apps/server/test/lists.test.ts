import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createEnricher as createOfflineEnricher } from '@vigil/enrich';
import { loadConfig } from '../src/config.ts';
import { createProjectEnricher, type ProjectEnricher } from '../src/lists/project-enricher.ts';
import { reenrich } from '../src/lists/reenrich.ts';
import { type EnrichmentReloader, startEnrichmentReloader } from '../src/lists/reloader.ts';
import { deleteList, importList, ListImportError, listLists } from '../src/lists/store.ts';
import { createProject } from '../src/projects.ts';
import { form, type Harness, postForm, startHarness } from './harness.ts';

// Bring-your-own lists end to end: imported over HTTP (and through the use-case), matched at
// ingest, visible on GET /api/v1/ips/{ip} and on the stored rows, scoped to their project.
describe('operator lists', () => {
  let h: Harness;
  let enricher: ProjectEnricher;
  let reloader: EnrichmentReloader;
  let dataDir: string;
  /** The enricher's clock for list expiry; moved by the expiry test. */
  let clockOffset = 0;
  const logs: string[] = [];
  let other: { id: string; apiKey: string };

  before(async () => {
    enricher = createProjectEnricher(createOfflineEnricher({ now: () => Date.now() + clockOffset }));
    h = await startHarness({ enricher });
    dataDir = mkdtempSync(join(tmpdir(), 'vigil-lists-'));
    reloader = await startEnrichmentReloader({
      db: h.db,
      enricher,
      config: loadConfig({ LOG_LEVEL: 'silent', VIGIL_DATA_DIR: dataDir }),
      log: { info: (m) => logs.push(m), error: (m) => logs.push(`ERROR ${m}`) },
      // Long: these tests rely on the immediate reload after an HTTP change, not on the poll.
      intervalMs: 60_000,
    });
    const b = await createProject(h.db, { name: 'Other project', rateLimitRps: 0 });
    other = { id: b.project.id, apiKey: b.apiKey };
  });
  after(async () => {
    await reloader.stop();
    await h.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const ipInfo = async (ip: string, apiKey = h.apiKey) => {
    const res = await h.app.inject({
      method: 'GET',
      url: `/api/v1/ips/${ip}`,
      headers: { 'api-key': apiKey },
    });
    assert.equal(res.statusCode, 200, res.body);
    return res.json();
  };
  const postList = (
    body: string | Record<string, unknown>,
    query = '',
    contentType = typeof body === 'string' ? 'text/csv' : 'application/json',
    apiKey = h.apiKey,
  ) =>
    h.app.inject({
      method: 'POST',
      url: `/api/v1/lists${query}`,
      headers: { 'api-key': apiKey, 'content-type': contentType },
      payload: typeof body === 'string' ? body : JSON.stringify(body),
    });
  const send = (fields: Record<string, string>, apiKey = h.apiKey) =>
    postForm(h, form({ url: '/login', eventType: 'account_login', ...fields }), { 'api-key': apiKey });
  const storedIp = async (projectId: string, ip: string) =>
    (
      await h.db.query<{ enrichment: { lists: { listId: string; label: string; score: number | null }[] } }>(
        'SELECT enrichment FROM ips WHERE project_id = $1 AND ip = $2::inet',
        [projectId, ip],
      )
    ).rows[0]?.enrichment;

  test('a plain-text list over HTTP marks events from its IPs and CIDRs', async () => {
    const res = await postList(
      '# bad actors\n81.2.69.142\n81.2.70.0/24   # a whole block\n\n2a02:c7c:4c1a::/48\n',
      '?label=Bad%20actors&score=20',
      'text/plain',
    );
    assert.equal(res.statusCode, 201, res.body);
    const created = res.json();
    assert.match(created.listId, /^[0-9a-f-]{36}$/);
    assert.deepEqual(created.counts, { ip: 1, cidr: 2 });
    assert.equal(created.entryCount, 3);
    assert.equal(created.score, 20);

    assert.equal((await send({ userName: 'listed', ipAddress: '81.2.70.9' })).statusCode, 204);
    const info = await ipInfo('81.2.70.9');
    assert.deepEqual(info.lists, [{ listId: created.listId, label: 'Bad actors', score: 20 }]);
    const row = await storedIp(h.projectId, '81.2.70.9');
    assert.deepEqual(row?.lists, [{ listId: created.listId, label: 'Bad actors', score: 20 }]);
    assert.equal((await ipInfo('81.2.69.142')).lists.length, 1);
    assert.equal((await ipInfo('2a02:c7c:4c1a:1::5')).lists.length, 1);
    assert.deepEqual((await ipInfo('81.2.71.1')).lists, [], 'an address outside the list has no match');
  });

  test('a CSV list in JSON with ASN, domain and e-mail entries marks the IP, domain and e-mail rows', async () => {
    const res = await postList({
      label: 'Watch',
      content:
        'value,label,score\nAS16509,Amazon hosting,10\nfraudmail.net,Fraud mail,70\n"mule@example.org","Known mule",99\n',
    });
    assert.equal(res.statusCode, 201, res.body);
    const { listId, counts } = res.json();
    assert.deepEqual(counts, { asn: 1, domain: 1, email: 1 });

    await send({ userName: 'cloud', ipAddress: '3.120.0.1', emailAddress: 'Someone@FraudMail.net' });
    const info = await ipInfo('3.120.0.1');
    assert.deepEqual(info.lists, [{ listId, label: 'Amazon hosting', score: 10 }]);
    assert.deepEqual((await storedIp(h.projectId, '3.120.0.1'))?.lists, [
      { listId, label: 'Amazon hosting', score: 10 },
    ]);
    const domain = await h.db.query<{ enrichment: { lists: unknown[] } }>(
      "SELECT enrichment FROM domains WHERE project_id = $1 AND domain = 'fraudmail.net'",
      [h.projectId],
    );
    assert.deepEqual(domain.rows[0]!.enrichment.lists, [{ listId, label: 'Fraud mail', score: 70 }]);

    await send({ userName: 'mule', ipAddress: '88.198.0.1', emailAddress: 'mule@example.org' });
    const email = await h.db.query<{ enrichment: { lists: unknown[] } }>(
      "SELECT enrichment FROM emails WHERE project_id = $1 AND email = 'mule@example.org'",
      [h.projectId],
    );
    assert.deepEqual(email.rows[0]!.enrichment.lists, [{ listId, label: 'Known mule', score: 99 }]);

    const listed = await h.app.inject({
      method: 'GET',
      url: '/api/v1/lists',
      headers: { 'api-key': h.apiKey },
    });
    assert.equal(listed.statusCode, 200);
    const watch = listed.json().lists.find((l: { listId: string }) => l.listId === listId);
    assert.equal(watch.label, 'Watch');
    assert.equal(watch.kind, null);
    assert.equal(watch.entryCount, 3);
    assert.equal(watch.expired, false);
  });

  test('a malformed file is rejected whole with its line number, and nothing is stored', async () => {
    const before = await h.db.query<{ lists: number; entries: number }>(
      'SELECT (SELECT count(*)::int FROM lists) AS lists, (SELECT count(*)::int FROM list_entries) AS entries',
    );
    const res = await postList(
      '203.0.113.5\n# fine so far\n81.2.69.1\nnot-an-ip!\n81.2.69.2\n',
      '?label=Broken&kind=ip',
    );
    assert.equal(res.statusCode, 400);
    const { error } = res.json();
    assert.equal(error.code, 'invalid_list');
    assert.equal(error.field, 'content');
    assert.equal(error.line, 4);
    assert.match(error.message, /line 4/);
    assert.match(error.message, /not an IP address/);
    const afterCount = await h.db.query<{ lists: number; entries: number }>(
      'SELECT (SELECT count(*)::int FROM lists) AS lists, (SELECT count(*)::int FROM list_entries) AS entries',
    );
    assert.deepEqual(afterCount.rows[0], before.rows[0]);

    const csv = await postList({ label: 'Bad CSV', content: 'value,score\n81.2.69.1,5\n81.2.69.2,lots\n' });
    assert.equal(csv.statusCode, 400);
    assert.equal(csv.json().error.line, 3);
  });

  test('requests without a label, with a bad kind, score or expiry are 400 naming the field', async () => {
    const cases: [ReturnType<typeof postList>, string, string][] = [
      [postList('81.2.69.1\n'), 'missing_field', 'label'],
      [postList({ content: '81.2.69.1' }), 'missing_field', 'label'],
      [postList({ label: 'x' }), 'missing_field', 'content'],
      [postList('81.2.69.1\n', '?label=x&kind=ipv4'), 'invalid_parameter', 'kind'],
      [postList('81.2.69.1\n', '?label=x&score=high'), 'invalid_parameter', 'score'],
      [postList('81.2.69.1\n', '?label=x&expiresAt=2026-02-31'), 'invalid_parameter', 'expiresAt'],
      [postList('81.2.69.1\n', '?label=x&expiresAt=2020-01-01'), 'invalid_parameter', 'expiresAt'],
      [postList('\n# only comments\n', '?label=x'), 'invalid_list', 'content'],
    ];
    for (const [pending, code, field] of cases) {
      const res = await pending;
      assert.equal(res.statusCode, 400, res.body);
      assert.equal(res.json().error.code, code, res.body);
      assert.equal(res.json().error.field, field, res.body);
    }
    const unauthenticated = await h.app.inject({ method: 'GET', url: '/api/v1/lists' });
    assert.equal(unauthenticated.statusCode, 401);
    const wrongType = await postList('<x/>', '?label=x', 'application/xml');
    assert.equal(wrongType.statusCode, 415);
  });

  test("a list of one project never marks another project's entities", async () => {
    const res = await postList('45.83.64.1\n', '?label=Only%20A&kind=ip');
    assert.equal(res.statusCode, 201);
    const { listId } = res.json();

    assert.equal((await send({ userName: 'in-b', ipAddress: '45.83.64.1' }, other.apiKey)).statusCode, 204);
    assert.deepEqual((await ipInfo('45.83.64.1', other.apiKey)).lists, [], 'B does not see A’s list');
    assert.deepEqual((await storedIp(other.id, '45.83.64.1'))?.lists, [], 'nor is B’s row marked');
    assert.equal((await send({ userName: 'in-a', ipAddress: '45.83.64.1' })).statusCode, 204);
    assert.deepEqual((await storedIp(h.projectId, '45.83.64.1'))?.lists, [
      { listId, label: 'Only A', score: null },
    ]);

    const listB = await h.app.inject({
      method: 'GET',
      url: '/api/v1/lists',
      headers: { 'api-key': other.apiKey },
    });
    assert.deepEqual(listB.json().lists, []);
    const deleteFromB = await h.app.inject({
      method: 'DELETE',
      url: `/api/v1/lists/${listId}`,
      headers: { 'api-key': other.apiKey },
    });
    assert.equal(deleteFromB.statusCode, 404);
    assert.equal((await ipInfo('45.83.64.1')).lists.length, 1, 'still listed for A');

    // B's own list on the same address: each project sees its own match only.
    const b = await postList('45.83.64.1\n', '?label=Only%20B', 'text/plain', other.apiKey);
    assert.equal(b.statusCode, 201);
    assert.deepEqual(
      (await ipInfo('45.83.64.1', other.apiKey)).lists.map((m: { label: string }) => m.label),
      ['Only B'],
    );
    assert.deepEqual(
      (await ipInfo('45.83.64.1')).lists.map((m: { label: string }) => m.label),
      ['Only A'],
    );
    // Without any project (no request scope) nothing matches: the enricher fails closed.
    assert.deepEqual(enricher.ip('45.83.64.1').lists, []);
    assert.equal(enricher.forProject(other.id).ip('45.83.64.1').lists.length, 1);
    const event = { ipAddress: '45.83.64.1', userAgent: null, emailAddress: null, phoneNumber: null };
    assert.deepEqual(
      enricher.enrich(event, { projectId: h.projectId }).ip.lists.map((m) => m.label),
      ['Only A'],
    );
  });

  test('deleting a list over HTTP takes effect at once', async () => {
    const res = await postList('185.199.108.1\n', '?label=Temporary');
    const { listId } = res.json();
    assert.equal((await ipInfo('185.199.108.1')).lists.length, 1);
    const del = await h.app.inject({
      method: 'DELETE',
      url: `/api/v1/lists/${listId}`,
      headers: { 'api-key': h.apiKey },
    });
    assert.equal(del.statusCode, 204);
    assert.deepEqual((await ipInfo('185.199.108.1')).lists, []);
    const again = await h.app.inject({
      method: 'DELETE',
      url: `/api/v1/lists/${listId}`,
      headers: { 'api-key': h.apiKey },
    });
    assert.equal(again.statusCode, 404);
    const bad = await h.app.inject({
      method: 'DELETE',
      url: '/api/v1/lists/42',
      headers: { 'api-key': h.apiKey },
    });
    assert.equal(bad.statusCode, 400);
  });

  test('expiry is honoured: expired entries never match, and a list stops matching when it expires', async () => {
    const res = await postList(
      'ip,expires\n91.198.174.1,2020-01-01\n91.198.174.2,\n',
      `?label=Expiring&expiresAt=${encodeURIComponent(new Date(Date.now() + 3_600_000).toISOString())}`,
    );
    assert.equal(res.statusCode, 201, res.body);
    assert.deepEqual((await ipInfo('91.198.174.1')).lists, [], 'the entry expired in 2020');
    assert.equal((await ipInfo('91.198.174.2')).lists.length, 1);
    clockOffset = 2 * 3_600_000;
    try {
      assert.deepEqual((await ipInfo('91.198.174.2')).lists, [], 'two hours later the list has expired');
    } finally {
      clockOffset = 0;
    }
  });

  test('the use-case: import, list and delete, a bad file rejected with its line', async () => {
    const good = await importList(h.db, h.projectId, {
      text: 'Googlebot-Image\nsqlmap/\n',
      label: 'Scanners',
      kind: 'ua',
      score: 5,
    });
    assert.deepEqual(good.counts, { ua: 2 });
    await assert.rejects(
      importList(h.db, h.projectId, {
        text: 'example.com\nnot a domain\n',
        label: 'Domains',
        kind: 'domain',
      }),
      (error: unknown) => {
        assert.ok(error instanceof ListImportError);
        assert.equal(error.line, 2);
        assert.equal(error.field, 'content');
        return true;
      },
    );
    const mine = await listLists(h.db, h.projectId);
    assert.ok(mine.some((l) => l.listId === good.listId && l.kind === 'ua' && l.entryCount === 2));
    assert.ok(!mine.some((l) => l.label === 'Domains'));
    assert.ok(!(await listLists(h.db, other.id)).some((l) => l.listId === good.listId));
    await assert.rejects(deleteList(h.db, other.id, good.listId), /No list/);
    await deleteList(h.db, h.projectId, good.listId);
    assert.ok(!(await listLists(h.db, h.projectId)).some((l) => l.listId === good.listId));
  });

  test('a list imported by another process is picked up by the poll; re-enrichment marks existing rows', async () => {
    await send({ userName: 'early', ipAddress: '94.130.1.1', userAgent: 'sqlmap/1.7 (https://sqlmap.org)' });
    assert.deepEqual((await storedIp(h.projectId, '94.130.1.1'))?.lists, []);
    // Written straight to the database, as the CLI of another process would: no in-process signal.
    const list = await importList(h.db, h.projectId, { text: '94.130.1.0/24\n', label: 'Late list' });
    const ua = await importList(h.db, h.projectId, { text: 'sqlmap\n', label: 'Late UA', kind: 'ua' });
    assert.deepEqual((await ipInfo('94.130.1.1')).lists, [], 'not yet: the poll has not run');
    await reloader.refresh();
    assert.equal((await ipInfo('94.130.1.1')).lists.length, 1);

    const result = await reenrich(h.db, enricher, { projectId: h.projectId, batchSize: 2 });
    assert.ok(result.ips.checked >= 5);
    assert.ok(result.ips.changed >= 1);
    assert.deepEqual((await storedIp(h.projectId, '94.130.1.1'))?.lists, [
      { listId: list.listId, label: 'Late list', score: null },
    ]);
    const uaRow = await h.db.query<{ enrichment: { lists: { listId: string }[] }; is_bot: boolean }>(
      "SELECT enrichment, is_bot FROM user_agents WHERE project_id = $1 AND ua LIKE 'sqlmap%'",
      [h.projectId],
    );
    assert.deepEqual(
      uaRow.rows[0]!.enrichment.lists.map((m) => m.listId),
      [ua.listId],
    );
    const again = await reenrich(h.db, enricher, { projectId: h.projectId });
    assert.equal(
      again.ips.changed + again.user_agents.changed + again.emails.changed,
      0,
      'nothing left to change',
    );
    assert.deepEqual(
      (await storedIp(other.id, '45.83.64.1'))?.lists,
      [],
      'the other project was not re-enriched (and A’s lists would not mark it anyway)',
    );
    assert.ok(!logs.some((l) => l.startsWith('ERROR')), logs.join('\n'));
  });
});
