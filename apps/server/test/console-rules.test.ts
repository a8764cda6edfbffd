import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { applyUserDecision } from '../src/scoring/user-decisions.ts';
import { type ConsoleClient, type ConsoleHarness, startConsoleHarness } from './console-harness.ts';

const CHROME =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';

/** Four users a custom rule will match by name, and six it will not. */
const MATCHING = ['m-1', 'm-2', 'm-3', 'm-4'];
const OTHERS = ['n-1', 'n-2', 'n-3', 'n-4', 'n-5', 'n-6'];
const ALL = [...MATCHING, ...OTHERS];
const MATCH_SOURCE = 'user.userName.startsWith("m-")';

async function waitFor<T>(read: () => Promise<T>, ok: (v: T) => boolean, ms = 15_000): Promise<T> {
  const started = Date.now();
  let value = await read();
  while (!ok(value) && Date.now() - started < ms) {
    await new Promise((r) => setTimeout(r, 25));
    value = await read();
  }
  return value;
}

interface RuleRow {
  code: string;
  group: string;
  name: string;
  weight: number;
  matched: number;
  confirmed: number;
  approved: number;
  autoBlacklisted: number;
  precision: number | null;
}

describe('console rules page API', () => {
  let h: ConsoleHarness;
  let admin: ConsoleClient;
  let analyst: ConsoleClient;
  let viewer: ConsoleClient;

  const rules = async (client = viewer) => {
    const res = await client.get(h.project('/rules'));
    assert.equal(res.statusCode, 200, res.body);
    return res.json() as { version: number; scored: number; rules: RuleRow[]; reviewThreshold: number };
  };
  const rule = async (code: string) => (await rules()).rules.find((r) => r.code === code)!;

  const users = () =>
    h.db
      .query<{ user_name: string; id: number; status: string; rule_set_version: number | null }>(
        'SELECT user_name, id, status, rule_set_version FROM users WHERE project_id = $1',
        [h.projectId],
      )
      .then((r) => new Map(r.rows.map((u) => [u.user_name, u])));

  /** Waits until every user is scored by this rule-set version and the queue is empty. */
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
      ({ all, queued }) =>
        queued === 0 &&
        all.size === ALL.length &&
        [...all.values()].every((u) => u.rule_set_version === version),
    ).then((v) => v.all);

  const audit = async (action: string) =>
    (
      await h.db.query<{ actor: string; target: string | null; details: Record<string, unknown> }>(
        'SELECT actor, target, details FROM audit_entries WHERE project_id = $1 AND action = $2 ORDER BY seq',
        [h.projectId, action],
      )
    ).rows;

  before(async () => {
    h = await startConsoleHarness({ scoring: true });
    admin = await h.login(h.emails.projectAdmin);
    analyst = await h.login(h.emails.analyst);
    viewer = await h.login(h.emails.viewer);
    const start = Date.now() - 3600_000;
    const events = ALL.map((userName, i) => ({
      userName,
      ipAddress: `203.0.113.${i + 1}`,
      url: '/home',
      eventType: 'account_login',
      eventTime: new Date(start + i * 60_000).toISOString(),
      userAgent: CHROME,
      browserLanguage: 'en-GB,en;q=0.9',
      emailAddress: `${userName}@example.com`,
    }));
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/v1/events',
      headers: { 'api-key': h.apiKey },
      payload: events,
    });
    assert.equal(res.statusCode, 200, res.body);
    await scoredBy((await rules()).version);
  });
  after(() => h.close());

  test('the page lists the 112 core rules in 8 groups with weights, the presets and thresholds', async () => {
    const page = await rules();
    const core = page.rules.filter((r) => r.group !== 'X');
    assert.equal(core.length, 112);
    assert.deepEqual(new Set(core.map((r) => r.group)), new Set(['A', 'B', 'C', 'D', 'E', 'I', 'P', 'R']));
    assert.equal(page.scored, ALL.length);
    assert.equal(page.reviewThreshold, 33);
    const body = (await viewer.get(h.project('/rules'))).json();
    assert.deepEqual(body.weights, [-20, 0, 10, 20, 70]);
    assert.ok(body.presets.some((p: { name: string }) => p.name === 'account_takeover'));
  });

  test('a weight change bumps the rule-set version, is audited, and is refused to analysts and viewers', async () => {
    const before = await rules();
    assert.equal(before.rules.find((r) => r.code === 'A01')!.weight, 0);
    for (const client of [analyst, viewer]) {
      const res = await client.request('PUT', h.project('/rules/A01/weight'), { weight: 70 });
      assert.equal(res.statusCode, 403, res.body);
    }
    assert.equal((await rules()).version, before.version, 'a refused change leaves the version');

    const bad = await admin.request('PUT', h.project('/rules/A01/weight'), { weight: 15 });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().error.field, 'weight');
    const unknown = await admin.request('PUT', h.project('/rules/Q99/weight'), { weight: 10 });
    assert.equal(unknown.statusCode, 404);

    const res = await admin.request('PUT', h.project('/rules/A01/weight'), { weight: 70 });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().version, before.version + 1);
    assert.equal(res.json().rescore.total, ALL.length);
    const after = await rules();
    assert.equal(after.version, before.version + 1);
    assert.equal(after.rules.find((r) => r.code === 'A01')!.weight, 70);
    const publicView = await h.app.inject({
      method: 'GET',
      url: '/api/v1/rules',
      headers: { 'api-key': h.apiKey },
    });
    assert.equal(publicView.json().rules.find((r: RuleRow) => r.code === 'A01').weight, 70);

    const entries = await audit('rules.weight');
    assert.equal(entries.length, 1);
    assert.equal(entries[0]!.actor, h.emails.projectAdmin);
    assert.equal(entries[0]!.target, 'rule:A01');
    assert.deepEqual(entries[0]!.details, { from: 0, to: 70, version: before.version + 1 });

    const versions = (await viewer.get(h.project('/rules/versions'))).json();
    assert.equal(versions.liveVersion, before.version + 1);
    const live = versions.versions.find((v: { live: boolean }) => v.live);
    assert.deepEqual(live.changes.weights, [{ code: 'A01', from: 0, to: 70 }]);

    const progress = (await viewer.get(h.project('/rules/rescore'))).json();
    assert.equal(progress.total, ALL.length);
    await admin.request('PUT', h.project('/rules/A01/weight'), { weight: 0 });
  });

  test('thresholds: validated (auto-blacklist below review, or off) and applied', async () => {
    const wrong = await admin.request('PUT', h.project('/rules/thresholds'), {
      reviewThreshold: 30,
      blacklistThreshold: 40,
    });
    assert.equal(wrong.statusCode, 400);
    assert.equal(wrong.json().error.field, 'blacklistThreshold');
    const outOfRange = await admin.request('PUT', h.project('/rules/thresholds'), {
      reviewThreshold: 120,
      blacklistThreshold: null,
    });
    assert.equal(outOfRange.statusCode, 400);
    const ok = await admin.request('PUT', h.project('/rules/thresholds'), {
      reviewThreshold: 40,
      blacklistThreshold: null,
    });
    assert.equal(ok.statusCode, 200, ok.body);
    assert.equal((await rules()).reviewThreshold, 40);
    assert.equal((await audit('rules.thresholds')).length, 1);
    await admin.request('PUT', h.project('/rules/thresholds'), {
      reviewThreshold: 33,
      blacklistThreshold: null,
    });
  });

  test('a preset replaces the core weights and answers what changed', async () => {
    const res = await admin.request('PUT', h.project('/rules/preset'), { preset: 'dormant_account' });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json().changes, [{ code: 'B09', from: 0, to: 70 }]);
    assert.equal((await rule('B09')).weight, 70);
    const back = await admin.request('PUT', h.project('/rules/preset'), { preset: 'default' });
    assert.deepEqual(back.json().changes, [{ code: 'B09', from: 70, to: 0 }]);
    assert.equal((await audit('rules.preset')).length, 2);
  });

  test('a CEL compile error is answered with its line and column; nothing is saved', async () => {
    const source = 'user.eventCount > 3 &&\n  user.eventCont > 1';
    const validate = await analyst.request('POST', h.project('/rules/custom/validate'), { source });
    assert.equal(validate.statusCode, 200, validate.body);
    assert.equal(validate.json().ok, false);
    assert.deepEqual(
      validate.json().errors.map((e: { line: number; column: number }) => [e.line, e.column]),
      [[2, 8]],
    );
    assert.match(validate.json().errors[0].message, /eventCont/);
    const fine = await analyst.request('POST', h.project('/rules/custom/validate'), { source: MATCH_SOURCE });
    assert.deepEqual(fine.json(), { ok: true, requires: [], variables: ['user'], errors: [] });

    const save = await admin.request('POST', h.project('/rules/draft/custom'), {
      name: 'Broken',
      source,
      weight: 10,
    });
    assert.equal(save.statusCode, 400);
    const error = save.json().error;
    assert.equal(error.code, 'invalid_rule');
    assert.equal(error.field, 'source');
    assert.match(error.message, /line 2, column 8/);
    assert.deepEqual(
      error.errors.map((e: { line: number; column: number }) => [e.line, e.column]),
      [[2, 8]],
    );
    const test = await analyst.request('POST', h.project('/rules/custom/test'), { source });
    assert.equal(test.statusCode, 400);
    assert.equal(test.json().error.errors[0].line, 2);
    assert.equal((await viewer.get(h.project('/rules/draft'))).json().exists, false);
    const forViewer = await viewer.request('POST', h.project('/rules/custom/validate'), { source });
    assert.equal(forViewer.statusCode, 403);
  });

  test('testing a rule over the last N users reports its match rate', async () => {
    const res = await analyst.request('POST', h.project('/rules/custom/test'), { source: MATCH_SOURCE });
    assert.equal(res.statusCode, 200, res.body);
    const report = res.json();
    assert.equal(report.checked, ALL.length);
    assert.equal(report.matched, MATCHING.length);
    assert.equal(report.matchRate, MATCHING.length / ALL.length);
    assert.deepEqual(report.samples.map((s: { userName: string }) => s.userName).sort(), MATCHING);

    // The last 5 users seen are n-2 … n-6 (events one minute apart in ALL's order): no match.
    const lastFive = await analyst.request('POST', h.project('/rules/custom/test'), {
      source: MATCH_SOURCE,
      users: 5,
    });
    assert.equal(lastFive.json().checked, 5);
    assert.equal(lastFive.json().matched, 0);

    const core = await viewer.get(h.project('/rules/A01/test?users=3'));
    assert.equal(core.statusCode, 200, core.body);
    assert.equal(core.json().checked, 3);
    assert.equal(core.json().rule.code, 'A01');
    assert.equal((await viewer.get(h.project('/rules/Z01/test'))).statusCode, 404);
  });

  test('precision: of the users a rule matched, operator blacklists confirm, approvals refute, automatic blacklists do not count', async () => {
    const created = await admin.request('POST', h.project('/rules/draft/custom'), {
      name: 'Named m-',
      description: 'Test users',
      source: MATCH_SOURCE,
      weight: 0,
    });
    assert.equal(created.statusCode, 201, created.body);
    const code = created.json().code as string;
    assert.equal(code, 'X01');
    assert.equal((await audit('rules.draft.custom.create')).length, 1);

    const draft = (await viewer.get(h.project('/rules/draft'))).json();
    assert.equal(draft.exists, true);
    assert.deepEqual(draft.changes.added, ['X01']);
    const tested = await viewer.get(h.project('/rules/X01/test'));
    assert.equal(tested.json().matched, MATCHING.length, 'the draft version of a custom rule is testable');

    const whatIf = await viewer.get(h.project('/rules/draft/what-if'));
    assert.equal(whatIf.statusCode, 200, whatIf.body);
    assert.equal(whatIf.json().checked, ALL.length);
    assert.equal(whatIf.json().customRules.X01.matched, MATCHING.length);
    assert.deepEqual([whatIf.json().projectUsers, whatIf.json().sample], [ALL.length, false]);
    // Fewer users than the project has: a sample of the most recently seen, said so.
    const sampled = (await viewer.get(h.project('/rules/draft/what-if?users=1'))).json();
    assert.deepEqual([sampled.checked, sampled.projectUsers, sampled.sample], [1, ALL.length, true]);

    const published = await admin.request('POST', h.project('/rules/draft/publish'));
    assert.equal(published.statusCode, 200, published.body);
    assert.deepEqual(published.json().changes.added, ['X01']);
    assert.equal((await audit('rules.publish')).length, 1);
    await scoredBy(published.json().version);
    const again = await admin.request('POST', h.project('/rules/draft/publish'));
    assert.equal(again.statusCode, 409);

    const fired = await rule(code);
    assert.deepEqual(
      {
        matched: fired.matched,
        confirmed: fired.confirmed,
        approved: fired.approved,
        precision: fired.precision,
      },
      { matched: 4, confirmed: 0, approved: 0, precision: null },
    );

    // An operator blacklists m-1 and m-2 and approves m-3; m-2 was first approved, then blacklisted
    // (the latest verdict counts).
    const ids = await users();
    const decide = (name: string, decision: 'approve' | 'blacklist') =>
      applyUserDecision(h.db, {
        projectId: h.projectId,
        userId: Number(ids.get(name)!.id),
        decision,
        actor: h.emails.analyst,
      });
    await decide('m-2', 'approve');
    await decide('m-1', 'blacklist');
    await decide('m-2', 'blacklist');
    await decide('m-3', 'approve');
    // m-4 is blacklisted by the threshold: X01 weighs 70 (score 29), auto-blacklist at 30.
    await admin.request('PUT', h.project('/rules/thresholds'), {
      reviewThreshold: 33,
      blacklistThreshold: 30,
    });
    const weighed = await admin.request('PUT', h.project(`/rules/${code}/weight`), { weight: 70 });
    assert.equal(weighed.statusCode, 200, weighed.body);
    const after = await scoredBy(weighed.json().version);
    assert.equal(after.get('m-4')!.status, 'blacklisted');
    assert.equal(after.get('n-1')!.status, 'normal');

    const judged = await rule(code);
    assert.equal(judged.weight, 70);
    assert.equal(judged.matched, 4);
    assert.equal(judged.confirmed, 2);
    assert.equal(judged.approved, 1);
    assert.equal(judged.autoBlacklisted, 1);
    assert.equal(Math.round(judged.precision! * 100), 67);

    // Un-blacklisting m-1 withdraws its confirmation at once (the figures are not served stale).
    await applyUserDecision(h.db, {
      projectId: h.projectId,
      userId: Number(ids.get('m-1')!.id),
      decision: 'unblacklist',
      actor: h.emails.analyst,
    });
    const withdrawn = await rule(code);
    assert.equal(withdrawn.confirmed, 1);
    assert.equal(withdrawn.precision, 0.5);

    // A period in which nobody was seen has no matches.
    const past = await viewer.get(
      h.project(`/rules?from=2020-01-01T00:00:00.000Z&to=2020-01-02T00:00:00.000Z`),
    );
    assert.equal(past.json().scored, 0);
    assert.equal(past.json().rules.find((r: RuleRow) => r.code === code).matched, 0);
  });

  test('custom rules in the draft: change, delete, discard; versions list what each changed', async () => {
    const created = await admin.request('POST', h.project('/rules/draft/custom'), {
      name: 'Many events',
      source: 'user.eventCount > 100',
      weight: 10,
    });
    assert.equal(created.statusCode, 201, created.body);
    const code = created.json().code;
    assert.equal(code, 'X02');
    const changed = await admin.request('PUT', h.project(`/rules/draft/custom/${code}`), {
      source: 'user.eventCount >\n  ',
    });
    assert.equal(changed.statusCode, 400);
    assert.equal(changed.json().error.errors[0].line, 2);
    const renamed = await admin.request('PUT', h.project(`/rules/draft/custom/${code}`), { name: 'Busy' });
    assert.equal(renamed.json().name, 'Busy');
    const analystEdit = await analyst.request('PUT', h.project(`/rules/draft/custom/${code}`), { name: 'x' });
    assert.equal(analystEdit.statusCode, 403);

    const versions = (await viewer.get(h.project('/rules/versions'))).json();
    assert.equal(versions.versions[0].status, 'draft');
    assert.deepEqual(versions.versions[0].changes.added, [code]);

    const removed = await admin.request('DELETE', h.project(`/rules/draft/custom/${code}`));
    assert.equal(removed.statusCode, 200);
    const discarded = await admin.request('DELETE', h.project('/rules/draft'));
    assert.equal(discarded.json().discarded, true);
    assert.equal((await viewer.get(h.project('/rules/draft'))).json().exists, false);
    assert.equal((await audit('rules.draft.discard')).length, 1);
  });
});
