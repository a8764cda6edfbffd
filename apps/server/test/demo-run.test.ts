// `vigil demo` end to end: the generated traffic through the real app (ingest API, offline
// enrichment, group-commit writer) on a fresh test database, then scoring.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestDatabase, type Database } from '@vigil/db';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { SCENARIOS } from '../src/demo/generate.ts';
import { createProgress } from '../src/demo/progress.ts';
import {
  DEMO_PRESET,
  DemoError,
  type DemoRunResult,
  runDemo,
  scenarioOutcomes,
  scoreQueued,
} from '../src/demo/run.ts';
import { createEnricher } from '../src/enrich.ts';
import { createProject } from '../src/projects.ts';
import { cli, freshStore, type Store } from './server-process.ts';

const NOW = Date.parse('2026-11-27T15:42:17Z');

describe('vigil demo through the real ingest path', () => {
  let db: Database;
  let app: FastifyInstance;
  let config: ReturnType<typeof loadConfig>;
  let run: DemoRunResult;

  before(async () => {
    db = await createTestDatabase();
    config = loadConfig({ LOG_LEVEL: 'silent', VIGIL_SCORING_WORKER: 'off' });
    const { enricher } = await createEnricher(config);
    app = await buildApp(config, { db, enricher });
    const progress: number[] = [];
    run = await runDemo(
      { app, db },
      {
        users: 60,
        days: 3,
        seed: 11,
        now: NOW,
        projectName: 'Demo test',
        // Small requests and several lanes, so that batching and ordering are exercised.
        batchSize: 97,
        lanes: 3,
        maxBodyBytes: config.ingest.maxBodyBytes,
        onProgress: (sent) => progress.push(sent),
      },
    );
    assert.equal(progress.at(-1), run.traffic.eventCount);
    assert.ok(progress.every((v, i) => i === 0 || v >= progress[i - 1]!));
  });

  after(async () => {
    await app.close();
    await db.close();
  });

  test('stores every generated event, with the expected users per scenario', async () => {
    assert.equal(run.sent, run.traffic.eventCount);
    assert.equal(run.stored, run.traffic.eventCount);
    assert.equal(run.rejected, 0, run.rejections.join('; '));
    assert.ok(run.requests >= Math.ceil(run.traffic.eventCount / 97));
    const events = await db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM events WHERE project_id = $1',
      [run.project.id],
    );
    assert.equal(events.rows[0]!.n, run.traffic.eventCount);

    const users = await db.query<{ user_name: string; event_count: string }>(
      'SELECT user_name, event_count FROM users WHERE project_id = $1',
      [run.project.id],
    );
    const stored = Object.fromEntries(SCENARIOS.map((s) => [s, 0]));
    for (const u of users.rows) {
      const scenario = run.traffic.scenarioOf(u.user_name);
      assert.ok(scenario, `${u.user_name} is a generated user`);
      stored[scenario] = stored[scenario]! + 1;
    }
    const expected = run.traffic.counts();
    for (const s of SCENARIOS) assert.equal(stored[s], expected[s].users, s);
    const byName = new Map(run.traffic.users.map((u) => [u.userName, u.events.length]));
    for (const u of users.rows) assert.equal(Number(u.event_count), byName.get(u.user_name), u.user_name);
  });

  test('creates the project without a rate limit, with the demo preset and a working API key', async () => {
    const { rows } = await db.query<{ name: string; rate_limit_rps: number; preset: string }>(
      'SELECT name, rate_limit_rps, preset FROM projects WHERE id = $1',
      [run.project.id],
    );
    assert.deepEqual(rows[0], { name: 'Demo test', rate_limit_rps: 0, preset: DEMO_PRESET });
    assert.equal(run.preset, DEMO_PRESET);
    assert.ok(run.apiKey?.startsWith('vgl_'));
    const someone = run.traffic.users[0]!;
    const res = await app.inject({
      method: 'GET',
      url: `/api/v1/users/${encodeURIComponent(someone.userName)}`,
      headers: { 'api-key': run.apiKey! },
    });
    assert.equal(res.statusCode, 200, res.body);
  });

  test('the enrichment sees the attackers’ datacenter networks and the customers’ residential ones', async () => {
    const { rows } = await db.query<{ user_name: string; datacenter: boolean | null }>(
      `SELECT DISTINCT u.user_name, i.is_datacenter AS datacenter
         FROM events e JOIN users u ON u.id = e.user_id JOIN ips i ON i.id = e.ip_id
        WHERE e.project_id = $1`,
      [run.project.id],
    );
    for (const r of rows) {
      const scenario = run.traffic.scenarioOf(r.user_name);
      if (scenario === 'credential_stuffing' || scenario === 'bot')
        assert.equal(r.datacenter, true, `${scenario} ${r.user_name}`);
      if (scenario === 'normal' || scenario === 'insider' || scenario === 'multi_accounting')
        assert.equal(r.datacenter, false, `${scenario} ${r.user_name}`);
    }
  });

  test('scores every user once the events are in; takeovers and stuffing land in the review queue', async () => {
    const scored = await scoreQueued(db);
    assert.equal(scored, run.traffic.users.length);
    const outcomes = await scenarioOutcomes(db, run.traffic, run.project.id);
    for (const s of SCENARIOS) {
      assert.equal(outcomes[s].users, run.traffic.counts()[s].users, s);
      assert.equal(outcomes[s].scored, outcomes[s].users, s);
    }
    assert.equal(outcomes.account_takeover.inReview, outcomes.account_takeover.users);
    assert.equal(outcomes.credential_stuffing.inReview, outcomes.credential_stuffing.users);
    assert.ok(
      outcomes.normal.inReview <= outcomes.normal.users * 0.1,
      `${outcomes.normal.inReview} normal users`,
    );
  });

  test('fills an existing project with a temporary key, keeping its rules and its API keys', async () => {
    const existing = await createProject(db, { name: 'Shop' });
    const before = await db.query('SELECT id FROM api_keys WHERE project_id = $1', [existing.project.id]);
    const result = await runDemo(
      { app, db },
      {
        users: 25,
        days: 2,
        seed: 2,
        now: NOW,
        projectId: existing.project.id,
        maxBodyBytes: config.ingest.maxBodyBytes,
      },
    );
    assert.equal(result.apiKey, null);
    assert.equal(result.preset, null);
    assert.equal(result.stored, result.traffic.eventCount);
    const after = await db.query('SELECT id FROM api_keys WHERE project_id = $1', [existing.project.id]);
    assert.deepEqual(after.rows, before.rows, 'the temporary key is gone');
    const { rows } = await db.query<{ preset: string; n: number }>(
      'SELECT preset, (SELECT count(*)::int FROM users WHERE project_id = $1) AS n FROM projects WHERE id = $1',
      [existing.project.id],
    );
    assert.deepEqual(rows[0], { preset: 'default', n: 25 });
  });

  test('refuses an unknown project or preset', async () => {
    const options = { users: 20, days: 1, seed: 1, maxBodyBytes: 1 << 20 };
    await assert.rejects(
      runDemo({ app, db }, { ...options, projectId: '00000000-0000-4000-8000-000000000000' }),
      DemoError,
    );
    await assert.rejects(runDemo({ app, db }, { ...options, projectId: 'shop' }), DemoError);
    await assert.rejects(runDemo({ app, db }, { ...options, preset: 'everything' }), DemoError);
  });
});

describe('demo progress line', () => {
  test('prints plain lines every 10% when the stream is not a terminal', () => {
    let text = '';
    let t = 0;
    const progress = createProgress(
      { write: (s: string) => (text += s) },
      { total: 1000, label: 'Sending events', unit: 'events', now: () => t },
    );
    for (let done = 0; done <= 1000; done += 50) {
      t += 500;
      progress.update(done);
    }
    progress.finish();
    const lines = text.trim().split('\n');
    assert.equal(lines.length, 11);
    assert.match(lines[5]!, /^Sending events: 50% 500\/1,000 events, 91 events\/s, ETA \d+s$/);
    assert.match(lines.at(-1)!, /^Sending events: 100% 1,000\/1,000 events, \d+ events\/s, in 11s$/);
  });

  test('redraws one line on a terminal', () => {
    let text = '';
    let t = 0;
    const progress = createProgress(
      { write: (s: string) => (text += s), isTTY: true, columns: 120 },
      { total: 200, label: 'Sending events', unit: 'events', now: () => t },
    );
    t = 1000;
    progress.update(100);
    t = 2000;
    progress.update(200);
    progress.finish();
    assert.equal(text.split('\n').length, 2, 'one line, ended once');
    const CLEAR = '\u001b[K';
    const [first, last] = text.split(CLEAR);
    assert.match(first!, /^\r.*█{12}░{12}\s+50%\s+100\/200 events\s+100 events\/s\s+ETA 1s$/);
    assert.ok(text.endsWith(`${CLEAR}\n`));
    assert.match(last!, /^\r.*100%\s+200\/200 events\s+100 events\/s\s+in 2s$/);
  });
});

describe('vigil demo (built CLI)', () => {
  let store: Store;
  before(async () => {
    store = await freshStore();
  });
  after(async () => {
    await store.dispose();
  });

  test('fills a new project and prints the summary with the project id and API key', () => {
    const res = cli(store, ['demo', '--users', '40', '--days', '2', '--seed', '5', '--name', 'CLI demo']);
    assert.equal(res.status, 0, res.stderr);
    assert.match(res.stdout, /Account takeover\s+1\s+\d+/);
    assert.match(res.stdout, /Events: ([\d,]+) stored of \1 sent/);
    assert.match(
      res.stdout,
      /Project: CLI demo\nProject id: [0-9a-f-]{36}\nRule preset: account_takeover\nAPI key \(shown only once\): vgl_/,
    );
    assert.match(res.stderr, /Sending events: 100% /);
    assert.match(res.stderr, /Scoring users: 100% /);
  });

  test('a wrong command line is a usage error', () => {
    for (const args of [
      ['demo', '--users', '5'],
      ['demo', '--days', '0'],
      ['demo', '--project', 'x', '--name', 'y'],
      ['demo', '--preset', 'nope'],
    ]) {
      const res = cli(store, args);
      assert.equal(res.status, 2, `${args.join(' ')}: ${res.stderr}`);
      assert.match(res.stderr, /Usage: vigil/);
    }
  });
});
