import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createProject } from '../src/projects.ts';
import { type Harness, startHarness } from './harness.ts';

const CHROME =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';

/** 14 light users (one event; four of them send a HEAD request), then 6 heavy users (6 events). */
const LIGHT = Array.from({ length: 14 }, (_, i) => `light-${String(i + 1).padStart(2, '0')}`);
const HEAD = new Set(LIGHT.slice(0, 4));
const HEAVY = Array.from({ length: 6 }, (_, i) => `heavy-${i + 1}`);
const ALL = [...LIGHT, ...HEAVY];

async function waitFor<T>(read: () => Promise<T>, ok: (v: T) => boolean, ms = 10_000): Promise<T> {
  const started = Date.now();
  let value = await read();
  while (!ok(value) && Date.now() - started < ms) {
    await new Promise((r) => setTimeout(r, 25));
    value = await read();
  }
  return value;
}

describe('custom rules in CEL and rule-set versions', () => {
  let h: Harness;
  let otherKey: string;

  const api = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: object, key = h.apiKey) =>
    h.app.inject({ method, url, headers: { 'api-key': key }, ...(payload ? { payload } : {}) });

  const users = () =>
    h.db
      .query<{
        user_name: string;
        score: number | null;
        status: string;
        rule_set_version: number | null;
        score_details: { code: string }[] | null;
        score_updated_at: Date | null;
      }>(
        `SELECT user_name, score, status, rule_set_version, score_details, score_updated_at
           FROM users WHERE project_id = $1 ORDER BY user_name`,
        [h.projectId],
      )
      .then((r) => new Map(r.rows.map((u) => [u.user_name, u])));

  const liveVersion = async () => (await api('GET', '/api/v1/rules')).json().version as number;

  /** Waits until every user is scored by the given rule-set version and the queue is empty. */
  const scoredBy = (version: number) =>
    waitFor(
      async () => {
        const [all, queue] = await Promise.all([
          users(),
          h.db.query<{ n: number }>('SELECT count(*)::int AS n FROM scoring_queue WHERE project_id = $1', [
            h.projectId,
          ]),
        ]);
        return { all, queued: queue.rows[0]!.n };
      },
      ({ all, queued }) => queued === 0 && [...all.values()].every((u) => u.rule_set_version === version),
    ).then((v) => v.all);

  before(async () => {
    h = await startHarness({ scoring: true });
    otherKey = (await createProject(h.db, { name: 'Other project', rateLimitRps: 0 })).apiKey;
    const start = Date.now() - 3 * 3600_000;
    const events: object[] = [];
    ALL.forEach((userName, i) => {
      const count = userName.startsWith('heavy') ? 6 : 1;
      for (let k = 0; k < count; k++) {
        events.push({
          userName,
          ipAddress: `203.0.113.${i + 1}`,
          url: '/home',
          eventType: k === 0 ? 'account_login' : 'page_view',
          eventTime: new Date(start + i * 300_000 + k * 10_000).toISOString(),
          userAgent: CHROME,
          browserLanguage: 'en-GB,en;q=0.9',
          httpReferer: 'https://shop.example/',
          emailAddress: `${userName.replace('-', '.')}@example.com`,
          ...(HEAD.has(userName) ? { httpMethod: 'HEAD' } : {}),
        });
      }
    });
    const res = await api('POST', '/api/v1/events', events);
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().stored, events.length);
    const all = await scoredBy(await liveVersion());
    assert.equal(all.size, ALL.length);
    for (const u of all.values()) {
      assert.equal(u.status, 'normal', `${u.user_name} starts outside the review queue (score ${u.score})`);
      assert.ok(u.score !== null && u.score > 33, `${u.user_name} starts above the review threshold`);
    }
  });
  after(() => h.close());

  test('validate: compile errors carry their line and column; a valid rule lists what it requires', async () => {
    const eof = await api('POST', '/api/v1/rules/custom/validate', { source: 'user.eventCount >' });
    assert.equal(eof.statusCode, 400);
    const e = eof.json().error;
    assert.equal(e.code, 'invalid_rule');
    assert.equal(e.field, 'source');
    assert.match(e.message, /line 1, column 18/);
    assert.deepEqual(
      e.errors.map((x: { line: number; column: number }) => [x.line, x.column]),
      [[1, 18]],
    );
    assert.equal(typeof e.errors[0].message, 'string');

    const second = await api('POST', '/api/v1/rules/custom/validate', {
      source: 'user.eventCount > 3 &&\n  user.eventCont > 1',
    });
    assert.equal(second.statusCode, 400);
    assert.deepEqual(
      second.json().error.errors.map((x: { line: number; column: number }) => [x.line, x.column]),
      [[2, 8]],
    );
    assert.match(second.json().error.errors[0].message, /eventCont/);

    const notBool = await api('POST', '/api/v1/rules/custom/validate', { source: 'user.eventCount' });
    assert.equal(notBool.json().error.code, 'invalid_rule');

    const missing = await api('POST', '/api/v1/rules/custom/validate', {});
    assert.equal(missing.statusCode, 400);
    assert.equal(missing.json().error.field, 'source');

    const ok = await api('POST', '/api/v1/rules/custom/validate', {
      source: 'ips.exists(i, has(i.country) && i.country == "NG")',
    });
    assert.equal(ok.statusCode, 200, ok.body);
    assert.deepEqual(ok.json(), { ok: true, requires: ['ip'], variables: ['ips'] });
  });

  test('test: a CEL source over the last N users reports the match rate with samples', async () => {
    const all = await api('POST', '/api/v1/rules/test', { source: 'user.eventCount >= 5' });
    assert.equal(all.statusCode, 200, all.body);
    const r = all.json();
    assert.equal(r.users, 1000);
    assert.equal(r.checked, ALL.length);
    assert.equal(r.matched, HEAVY.length);
    assert.equal(r.matchRate, HEAVY.length / ALL.length);
    assert.equal(r.errors, 0);
    assert.deepEqual(r.samples.map((s: { userName: string }) => s.userName).sort(), HEAVY);
    assert.equal(r.samples[0].evidence.values['user.eventCount'], 6);

    // The 5 most recently seen users are the last five heavy ones.
    const recent = (
      await api('POST', '/api/v1/rules/test', { source: 'user.eventCount >= 5', users: 5 })
    ).json();
    assert.equal(recent.checked, 5);
    assert.equal(recent.matchRate, 1);

    const none = (await api('POST', '/api/v1/rules/test', { source: 'user.eventCount > 100' })).json();
    assert.equal(none.matched, 0);
    assert.deepEqual(none.samples, []);

    const bad = await api('POST', '/api/v1/rules/test', { source: 'user.eventCount >' });
    assert.equal(bad.json().error.code, 'invalid_rule');
    const zero = await api('POST', '/api/v1/rules/test', { source: 'true', users: 0 });
    assert.equal(zero.statusCode, 400);
    assert.equal(zero.json().error.field, 'users');
    const both = await api('POST', '/api/v1/rules/test', { source: 'true', code: 'B18' });
    assert.equal(both.statusCode, 400);
  });

  test('test: a core rule by its code', async () => {
    const res = await api('POST', '/api/v1/rules/test', { code: 'B18' });
    assert.equal(res.statusCode, 200, res.body);
    const r = res.json();
    assert.deepEqual(r.rule, { code: 'B18', name: 'HEAD request' });
    assert.equal(r.checked, ALL.length);
    assert.equal(r.matched, HEAD.size);
    assert.equal(r.matchRate, HEAD.size / ALL.length);
    assert.deepEqual(r.samples.map((s: { userName: string }) => s.userName).sort(), [...HEAD].sort());
    assert.ok(r.samples[0].evidence.eventIds.length > 0);
    const unknown = await api('POST', '/api/v1/rules/test', { code: 'Z99' });
    assert.equal(unknown.statusCode, 404);
    const noCustom = await api('POST', '/api/v1/rules/test', { code: 'X01' });
    assert.equal(noCustom.statusCode, 404);
  });

  test('a custom rule in the draft changes nothing live; another project cannot see the draft', async () => {
    const version = await liveVersion();
    const before = await users();
    const bad = await api('POST', '/api/v1/rules/draft/custom', {
      name: 'Broken',
      source: 'user.eventCount >',
      weight: 10,
    });
    assert.equal(bad.statusCode, 400);
    assert.deepEqual(bad.json().error.errors[0], {
      message: bad.json().error.errors[0].message,
      line: 1,
      column: 18,
    });
    const noWeight = await api('POST', '/api/v1/rules/draft/custom', { name: 'n', source: 'true' });
    assert.equal(noWeight.json().error.field, 'weight');

    const created = await api('POST', '/api/v1/rules/draft/custom', {
      name: 'Busy user',
      description: 'Five events or more',
      source: 'user.eventCount >= 5',
      weight: 70,
      actor: 'alice@example.com',
    });
    assert.equal(created.statusCode, 201, created.body);
    assert.deepEqual(created.json(), {
      code: 'X01',
      name: 'Busy user',
      description: 'Five events or more',
      source: 'user.eventCount >= 5',
      weight: 70,
      requires: [],
    });

    const draft = (await api('GET', '/api/v1/rules/draft')).json();
    assert.equal(draft.exists, true);
    assert.equal(draft.createdBy, 'alice@example.com');
    assert.equal(draft.baseVersion, version);
    assert.deepEqual(
      draft.customRules.map((r: { code: string }) => r.code),
      ['X01'],
    );
    assert.deepEqual(draft.changes.added, ['X01']);
    assert.equal(draft.weights.A01, (await api('GET', '/api/v1/rules')).json().rules[0].weight);

    // Live: same version, no X01, and a newly scored user is scored without it.
    const live = (await api('GET', '/api/v1/rules')).json();
    assert.equal(live.version, version);
    assert.ok(!live.rules.some((r: { code: string }) => r.code === 'X01'));
    const res = await api('POST', '/api/v1/events', {
      userName: 'heavy-1',
      ipAddress: '203.0.113.15',
      url: '/home',
      userAgent: CHROME,
      browserLanguage: 'en-GB,en;q=0.9',
      httpReferer: 'https://shop.example/',
    });
    assert.equal(res.json().stored, 1);
    const rescored = await waitFor(
      () => users().then((u) => u.get('heavy-1')!),
      (u) => u.score_updated_at!.getTime() > before.get('heavy-1')!.score_updated_at!.getTime(),
    );
    assert.equal(rescored.rule_set_version, version);
    assert.equal(rescored.status, 'normal');
    assert.ok(!(rescored.score_details ?? []).some((d) => d.code === 'X01'));
    assert.ok(rescored.score! > 33);

    // Another project: no draft, no X01 to test, and its own codes start at X01.
    const other = (await api('GET', '/api/v1/rules/draft', undefined, otherKey)).json();
    assert.equal(other.exists, false);
    assert.deepEqual(other.customRules, []);
    const otherTest = await api('POST', '/api/v1/rules/test', { code: 'X01' }, otherKey);
    assert.equal(otherTest.statusCode, 404);
    const otherWhatIf = (await api('POST', '/api/v1/rules/draft/what-if', {}, otherKey)).json();
    assert.equal(otherWhatIf.checked, 0);
    const otherPublish = await api('POST', '/api/v1/rules/draft/publish', {}, otherKey);
    assert.equal(otherPublish.statusCode, 409);
    assert.equal(otherPublish.json().error.code, 'no_draft');
    const otherDelete = await api('DELETE', '/api/v1/rules/draft/custom/X01', undefined, otherKey);
    assert.equal(otherDelete.statusCode, 404);

    // The draft's rule is testable by its code before it is published.
    const tested = (await api('POST', '/api/v1/rules/test', { code: 'X01' })).json();
    assert.equal(tested.matched, HEAVY.length);
  });

  test('what-if lists who would enter the review queue, and writes nothing', async () => {
    const before = await users();
    const countRows = async () =>
      (
        await h.db.query<{ n: number }>(
          `SELECT (SELECT count(*) FROM user_scores) + (SELECT count(*) FROM user_decisions) AS n`,
        )
      ).rows[0]!.n;
    const rowsBefore = await countRows();
    const res = await api('POST', '/api/v1/rules/draft/what-if', {});
    assert.equal(res.statusCode, 200, res.body);
    const r = res.json();
    assert.equal(r.draft, true);
    assert.equal(r.checked, ALL.length);
    assert.deepEqual([...r.wouldEnterReview].sort(), HEAVY);
    assert.equal(r.enterCount, HEAVY.length);
    assert.deepEqual(r.wouldLeaveReview, []);
    assert.equal(r.leaveCount, 0);
    assert.equal(r.scoreChanges.down, HEAVY.length);
    assert.equal(r.scoreChanges.same, ALL.length - HEAVY.length);
    assert.deepEqual(r.customRules, { X01: { matched: HEAVY.length, errors: 0 } });
    const limited = (await api('POST', '/api/v1/rules/draft/what-if', { users: 3 })).json();
    assert.equal(limited.checked, 3);

    const after = await users();
    for (const [name, u] of after) {
      assert.equal(u.score, before.get(name)!.score);
      assert.equal(u.status, before.get(name)!.status);
    }
    assert.equal(await countRows(), rowsBefore);
  });

  test('publish: a new version, a background rescore, scores recorded with the new version', async () => {
    const previous = await liveVersion();
    const res = await api('POST', '/api/v1/rules/draft/publish', { actor: 'alice@example.com' });
    assert.equal(res.statusCode, 200, res.body);
    const published = res.json();
    assert.equal(published.previousVersion, previous);
    assert.equal(published.version, previous + 1);
    assert.equal(published.rescore.total, ALL.length);
    assert.equal(await liveVersion(), published.version);

    const all = await scoredBy(published.version);
    for (const name of HEAVY) {
      const u = all.get(name)!;
      assert.ok(u.score! <= 33, `${name}: ${u.score}`);
      assert.equal(u.status, 'review');
      assert.ok(u.score_details!.some((d) => d.code === 'X01'));
    }
    for (const name of LIGHT) assert.equal(all.get(name)!.status, 'normal');
    const history = await h.db.query<{
      rule_set_version: number;
      results: { code: string; status: string }[];
    }>(
      `SELECT s.rule_set_version, s.results FROM user_scores s JOIN users u ON u.id = s.user_id
        WHERE u.project_id = $1 AND u.user_name = 'heavy-2' ORDER BY s.id DESC LIMIT 1`,
      [h.projectId],
    );
    assert.equal(history.rows[0]!.rule_set_version, published.version);
    assert.equal(history.rows[0]!.results.find((r) => r.code === 'X01')?.status, 'match');

    const live = (await api('GET', '/api/v1/rules')).json();
    assert.deepEqual(
      live.rules.filter((r: { group: string }) => r.group === 'X'),
      [
        {
          code: 'X01',
          group: 'X',
          name: 'Busy user',
          description: 'Five events or more',
          weight: 70,
          source: 'user.eventCount >= 5',
        },
      ],
    );
    const draft = (await api('GET', '/api/v1/rules/draft')).json();
    assert.equal(draft.exists, false);
    assert.equal(draft.baseVersion, published.version);

    const versions = (await api('GET', '/api/v1/rules/versions')).json();
    assert.equal(versions.liveVersion, published.version);
    const [latest, replaced] = versions.versions;
    assert.equal(latest.version, published.version);
    assert.equal(latest.status, 'published');
    assert.equal(latest.live, true);
    assert.equal(latest.publishedBy, 'alice@example.com');
    assert.equal(latest.baseVersion, previous);
    assert.equal(latest.definition.customRules[0].code, 'X01');
    assert.equal(replaced.version, previous);
    assert.equal(replaced.live, false);
    assert.deepEqual(replaced.definition.customRules, []);
  });

  test('a custom rule that throws is recorded as error for each user and never sinks the score', async () => {
    const weights = await api('PUT', '/api/v1/rules/draft/weights', { X01: 0 });
    assert.equal(weights.statusCode, 200, weights.body);
    assert.equal(weights.json().customRules[0].weight, 0);
    const unknownCode = await api('PUT', '/api/v1/rules/draft/weights', { X77: 5 });
    assert.equal(unknownCode.statusCode, 400);
    assert.equal(unknownCode.json().error.field, 'X77');

    const divide = await api('POST', '/api/v1/rules/draft/custom', {
      name: 'Divides by zero',
      source: '100 / (user.eventCount - user.eventCount) > 1',
      weight: 70,
    });
    assert.equal(divide.statusCode, 201, divide.body);
    assert.equal(divide.json().code, 'X02');

    // What-if: X01 at weight 0 takes the heavy users out of the review band; X02 fails for all.
    const w = (await api('POST', '/api/v1/rules/draft/what-if', {})).json();
    assert.deepEqual([...w.wouldLeaveReview].sort(), HEAVY);
    assert.equal(w.leaveCount, HEAVY.length);
    assert.deepEqual(w.wouldEnterReview, []);
    assert.equal(w.scoreChanges.up, HEAVY.length);
    assert.deepEqual(w.customRules.X02, { matched: 0, errors: ALL.length });

    const tested = (await api('POST', '/api/v1/rules/test', { code: 'X02' })).json();
    assert.equal(tested.errors, ALL.length);
    assert.match(tested.errorSamples[0].message, /divi/i);

    const before = await users();
    const published = (await api('POST', '/api/v1/rules/draft/publish', {})).json();
    const all = await scoredBy(published.version);
    for (const name of ALL) {
      const u = all.get(name)!;
      assert.ok(u.score !== null && u.score > 33, `${name} is scored without X02: ${u.score}`);
      assert.ok(!u.score_details!.some((d) => d.code === 'X02'));
    }
    // The light users' score is what it was: the failing rule changed nothing.
    for (const name of LIGHT) assert.equal(all.get(name)!.score, before.get(name)!.score);
    // Scoring never takes anyone out of the review queue.
    for (const name of HEAVY) assert.equal(all.get(name)!.status, 'review');
    const { rows } = await h.db.query<{
      results: { code: string; status: string; evidence?: { reason?: string } }[];
    }>(
      `SELECT s.results FROM user_scores s JOIN users u ON u.id = s.user_id
        WHERE u.project_id = $1 AND u.user_name = 'heavy-3' AND s.rule_set_version = $2`,
      [h.projectId, published.version],
    );
    const x02 = rows[0]!.results.find((r) => r.code === 'X02');
    assert.equal(x02?.status, 'error');
    assert.match(x02?.evidence?.reason ?? '', /divi/i);
  });

  test('editing and deleting draft rules; a direct live edit is replayed under the draft', async () => {
    const edited = await api('PUT', '/api/v1/rules/draft/custom/X02', { source: 'user.eventCount == 1' });
    assert.equal(edited.statusCode, 200, edited.body);
    assert.equal(edited.json().source, 'user.eventCount == 1');
    const badEdit = await api('PUT', '/api/v1/rules/draft/custom/X02', { source: 'user.eventCount ==' });
    assert.equal(badEdit.json().error.code, 'invalid_rule');
    const missing = await api('PUT', '/api/v1/rules/draft/custom/X09', { weight: 1 });
    assert.equal(missing.statusCode, 404);
    const draftWeight = await api('PUT', '/api/v1/rules/draft/weights', { B18: 33 });
    assert.equal(draftWeight.statusCode, 200);

    // A direct (live) edit while the draft is open: the draft keeps its own changes and follows
    // live for the rest.
    const version = await liveVersion();
    const direct = await api('PUT', '/api/v1/rules/thresholds', {
      reviewThreshold: 40,
      blacklistThreshold: null,
    });
    assert.equal(direct.statusCode, 200, direct.body);
    const draft = (await api('GET', '/api/v1/rules/draft')).json();
    assert.equal(draft.liveVersion, version + 1);
    assert.equal(draft.baseVersion, version);
    assert.equal(draft.reviewThreshold, 40);
    assert.equal(draft.weights.B18, 33);
    assert.deepEqual(draft.changes.changed, ['X02']);
    assert.deepEqual(draft.changes.thresholds, []);

    const removed = await api('DELETE', '/api/v1/rules/draft/custom/X01');
    assert.equal(removed.statusCode, 200);
    const created = await api('POST', '/api/v1/rules/draft/custom', {
      name: 'Again',
      source: 'false',
      weight: 0,
    });
    assert.equal(created.json().code, 'X03', 'codes are never reused');
    const published = (await api('POST', '/api/v1/rules/draft/publish', {})).json();
    assert.equal(published.version, version + 2);
    const live = (await api('GET', '/api/v1/rules')).json();
    assert.equal(live.reviewThreshold, 40);
    assert.deepEqual(
      live.rules.filter((r: { group: string }) => r.group === 'X').map((r: { code: string }) => r.code),
      ['X02', 'X03'],
    );
    assert.equal(live.rules.find((r: { code: string }) => r.code === 'B18').weight, 33);
    const { rows } = await h.db.query<{ code: string; deleted: boolean }>(
      'SELECT code, deleted_at IS NOT NULL AS deleted FROM custom_rules WHERE project_id = $1 ORDER BY code',
      [h.projectId],
    );
    assert.deepEqual(rows, [
      { code: 'X01', deleted: true },
      { code: 'X02', deleted: false },
      { code: 'X03', deleted: false },
    ]);
    const versions = (await api('GET', '/api/v1/rules/versions')).json().versions;
    assert.deepEqual(
      versions.slice(0, 3).map((v: { version: number }) => v.version),
      [version + 2, version + 1, version],
    );
    assert.equal(versions[1].definition.reviewThreshold, 40);
    assert.equal(versions[1].createdBy, 'api-key');

    const discarded = await api('DELETE', '/api/v1/rules/draft');
    assert.deepEqual(discarded.json(), { discarded: false });

    // Direct edits reach live custom rules too (and deleted ones are gone).
    const directX = await api('PUT', '/api/v1/rules/X02', { weight: 5 });
    assert.equal(directX.statusCode, 200, directX.body);
    assert.equal(directX.json().rescore.total, ALL.length);
    const after = (await api('GET', '/api/v1/rules')).json();
    assert.equal(after.version, version + 3);
    assert.equal(after.rules.find((r: { code: string }) => r.code === 'X02').weight, 5);
    assert.equal((await api('PUT', '/api/v1/rules/X01', { weight: 5 })).statusCode, 404);
  });
});
