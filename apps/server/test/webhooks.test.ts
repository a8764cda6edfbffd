import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { type Database, openDatabase, serialExecutor, testEngine } from '@vigil/db';
import { redeliver, webhookOutcomes } from '../src/actions/deliveries.ts';
import { signatureHeader, verifySignature } from '../src/actions/signature.ts';
import { createSubscription, updateSubscription } from '../src/actions/subscriptions.ts';
import { RuleSets } from '../src/scoring/rule-sets.ts';
import { scoreUsers } from '../src/scoring/score-users.ts';
import { applyUserDecision } from '../src/scoring/user-decisions.ts';
import {
  failingThenOk,
  newUser,
  type Received,
  startReceiver,
  testDispatcher,
  waitUntil,
} from './action-helpers.ts';
import { type ConsoleHarness, startConsoleHarness } from './console-harness.ts';
import { type Harness, startHarness } from './harness.ts';
import {
  createProjectViaCli,
  freePort,
  freshStore,
  type Store,
  startServer,
  stopServer,
} from './server-process.ts';

const SECRET = 'test-secret-0123456789abcdef';

function byDelivery(requests: Received[]): Map<string, Received[]> {
  const map = new Map<string, Received[]>();
  for (const r of requests) {
    const id = String(r.headers['vigil-delivery']);
    map.set(id, [...(map.get(id) ?? []), r]);
  }
  return map;
}

const docs = readFileSync(new URL('../../../docs/webhooks.md', import.meta.url), 'utf8');
function snippet(language: string, containing: string): string {
  const blocks = [...docs.matchAll(/```(\w+)\n([\s\S]*?)```/g)];
  const block = blocks.find(([, lang, code]) => lang === language && code!.includes(containing));
  assert.ok(block, `docs/webhooks.md has a ${language} block with ${containing}`);
  return block[2]!;
}

describe('webhooks', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());
  // Each test subscribes its own receiver; the previous ones are switched off.
  afterEach(() => h.db.query('UPDATE webhook_subscriptions SET enabled = false'));

  test('a receiver failing three times then succeeding gets each event delivered once, with one id and valid signatures', async () => {
    const receiver = await startReceiver(failingThenOk(3));
    const dispatcher = testDispatcher(h.db);
    try {
      await createSubscription(h.db, h.projectId, {
        url: receiver.url,
        events: ['user.decision', 'user.blacklisted'],
        secret: SECRET,
      });
      const userId = await newUser(h, 'renée');
      const delivered = webhookOutcomes.value({ outcome: 'delivered' });
      const failed = webhookOutcomes.value({ outcome: 'failed' });
      const res = await h.app.inject({
        method: 'POST',
        url: '/api/v1/users/ren%C3%A9e/decision',
        headers: { 'api-key': h.apiKey },
        payload: { decision: 'blacklist', actor: 'analyst@example.com', note: 'card <testing> & "more"' },
      });
      assert.equal(res.statusCode, 200, res.body);
      dispatcher.start();
      await waitUntil(
        () => receiver.requests.filter((r) => r.status === 200).length >= 2,
        15_000,
        'two successful deliveries',
      );
      // Let any erroneous extra attempt arrive before counting.
      await new Promise((r) => setTimeout(r, 300));
      await dispatcher.stop();

      const deliveries = byDelivery(receiver.requests);
      assert.equal(deliveries.size, 2, 'one delivery per event');
      const types = new Set<string>();
      for (const [id, attempts] of deliveries) {
        assert.deepEqual(
          attempts.map((a) => a.status),
          [500, 500, 500, 200],
          'three failures, then exactly one success',
        );
        for (const [i, a] of attempts.entries()) {
          assert.equal(a.headers['vigil-attempt'], String(i + 1));
          assert.ok(
            verifySignature(SECRET, a.body, String(a.headers['vigil-signature'])),
            'signature verifies',
          );
          assert.ok(!verifySignature('another-secret-0123456', a.body, String(a.headers['vigil-signature'])));
          const body = JSON.parse(a.body);
          assert.equal(body.id, id, 'the body carries the delivery id of the header');
          assert.equal(body.type, a.headers['vigil-event']);
          assert.equal(body.user.userName, 'renée');
          assert.equal(body.projectId, h.projectId);
          types.add(body.type);
        }
        assert.equal(new Set(attempts.map((a) => a.body)).size, 1, 'the same body on every attempt');
      }
      assert.deepEqual([...types].sort(), ['user.blacklisted', 'user.decision']);
      const decision = JSON.parse(
        receiver.requests.find((r) => r.headers['vigil-event'] === 'user.decision')!.body,
      );
      assert.deepEqual(decision.data, {
        decision: 'blacklist',
        actor: 'analyst@example.com',
        note: 'card <testing> & "more"',
        status: 'blacklisted',
        previousStatus: 'normal',
      });

      const { rows } = await h.db.query<{ attempts: number; delivered: boolean; log: number[] }>(
        `SELECT d.attempts, d.delivered_at IS NOT NULL AS delivered,
                array(SELECT coalesce(a.status, 0) FROM webhook_attempts a WHERE a.delivery_id = d.id ORDER BY a.id) AS log
           FROM webhook_deliveries d JOIN outbox o ON o.id = d.outbox_id WHERE o.user_id = $1`,
        [userId],
      );
      assert.equal(rows.length, 2);
      for (const r of rows) assert.deepEqual(r, { attempts: 4, delivered: true, log: [500, 500, 500, 200] });
      assert.equal(webhookOutcomes.value({ outcome: 'delivered' }) - delivered, 2);
      assert.equal(webhookOutcomes.value({ outcome: 'failed' }) - failed, 6);
    } finally {
      await dispatcher.stop();
      await receiver.close();
    }
  });

  test('the TypeScript and Python snippets of docs/webhooks.md verify a real delivery', async () => {
    const receiver = await startReceiver(() => 204);
    const dir = mkdtempSync(join(tmpdir(), 'vigil-snippets-'));
    const dispatcher = testDispatcher(h.db);
    try {
      const { subscription, secret } = await createSubscription(h.db, h.projectId, {
        url: receiver.url,
        events: ['user.decision'],
      });
      assert.match(secret, /^whsec_/);
      const result = await applyUserDecision(h.db, {
        projectId: h.projectId,
        userId: await newUser(h, 'zoë'),
        decision: 'watch',
        actor: 'analyst@example.com',
      });
      assert.ok(result);
      dispatcher.start();
      await waitUntil(
        () => receiver.requests.some((r) => JSON.parse(r.body).user.userName === 'zoë'),
        10_000,
        'delivery',
      );
      const request = receiver.requests.find((r) => JSON.parse(r.body).user.userName === 'zoë')!;
      const header = String(request.headers['vigil-signature']);

      const tsFile = join(dir, 'verify.ts');
      writeFileSync(tsFile, snippet('ts', 'verifyVigilSignature'));
      const ts = (await import(pathToFileURL(tsFile).href)) as {
        verifyVigilSignature(secret: string, body: string, header: string): boolean;
      };
      assert.equal(ts.verifyVigilSignature(secret, request.body, header), true);
      assert.equal(
        ts.verifyVigilSignature(secret, `${request.body} `, header),
        false,
        'a changed body fails',
      );
      assert.equal(ts.verifyVigilSignature('whsec_wrong', request.body, header), false);
      // Correctly signed, but at a time long past: a replay.
      const stale = signatureHeader(secret, request.body, 1_000_000_000);
      assert.equal(ts.verifyVigilSignature(secret, request.body, stale), false, 'an old timestamp fails');

      const pyFile = join(dir, 'verify.py');
      writeFileSync(
        pyFile,
        `${snippet('python', 'def verify_vigil_signature')}
import json, sys
case = json.load(sys.stdin)
print(json.dumps([verify_vigil_signature(c["secret"], c["body"].encode("utf-8"), c["header"]) for c in case]))
`,
      );
      const py = spawnSync('python3', [pyFile], {
        input: JSON.stringify([
          { secret, body: request.body, header },
          { secret, body: `${request.body} `, header },
          { secret: 'whsec_wrong', body: request.body, header },
          { secret, body: request.body, header: stale },
        ]),
        encoding: 'utf8',
      });
      assert.equal(py.status, 0, py.stderr);
      assert.deepEqual(JSON.parse(py.stdout), [true, false, false, false]);
      assert.equal(
        (await updateSubscription(h.db, h.projectId, subscription.id, { enabled: false }))?.subscription
          .enabled,
        false,
      );
    } finally {
      await dispatcher.stop();
      await receiver.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('after 24 hours of failures a delivery is given up; a manual redelivery is a new attempt with the same id', async () => {
    let up = false;
    const receiver = await startReceiver(() => (up ? 200 : 503));
    // A short give-up window stands for the 24 hours.
    const dispatcher = testDispatcher(h.db, {
      policy: { timeoutMs: 2000, retryBaseMs: 30, retryMaxMs: 100, giveUpAfterMs: 400 },
    });
    try {
      const { subscription } = await createSubscription(h.db, h.projectId, {
        url: receiver.url,
        events: ['user.unblacklisted'],
      });
      const userId = await newUser(h, 'gives-up');
      const gaveUp = webhookOutcomes.value({ outcome: 'gave_up' });
      for (const decision of ['blacklist', 'unblacklist'] as const) {
        await applyUserDecision(h.db, { projectId: h.projectId, userId, decision, actor: 'a@example.com' });
      }
      dispatcher.start();
      const state = async () =>
        (
          await h.db.query<{
            id: string;
            attempts: number;
            next_attempt_at: Date | null;
            gave_up_at: Date | null;
          }>(
            'SELECT id, attempts, next_attempt_at, gave_up_at FROM webhook_deliveries WHERE subscription_id = $1',
            [subscription.id],
          )
        ).rows[0];
      await waitUntil(async () => (await state())?.gave_up_at != null, 10_000, 'give up');
      await dispatcher.stop();
      const given = (await state())!;
      assert.equal(given.next_attempt_at, null, 'no retry is scheduled after giving up');
      assert.ok(given.attempts >= 2, `retried before giving up (${given.attempts} attempts)`);
      assert.equal(receiver.requests.length, given.attempts);
      assert.equal(webhookOutcomes.value({ outcome: 'gave_up' }) - gaveUp, 1);

      up = true;
      const view = await redeliver(h.db, h.projectId, given.id);
      assert.ok(view && view !== 'busy');
      assert.equal(view.state, 'delivered');
      assert.equal(view.attempts, given.attempts + 1);
      assert.deepEqual(
        view.log.map((a) => a.manual),
        [...Array(given.attempts).fill(false), true],
      );
      const last = receiver.requests.at(-1)!;
      assert.equal(last.headers['vigil-delivery'], given.id, 'the same delivery id');
      assert.equal(last.headers['vigil-attempt'], String(given.attempts + 1));
      assert.equal(await redeliver(h.db, h.projectId, '00000000-0000-4000-8000-000000000000'), null);
    } finally {
      await dispatcher.stop();
      await receiver.close();
    }
  });

  test('score crossings and rule matches are sent only as subscribed', async () => {
    const receiver = await startReceiver(() => 200);
    const dispatcher = testDispatcher(h.db);
    try {
      const preset = await h.app.inject({
        method: 'PUT',
        url: '/api/v1/rules/preset',
        headers: { 'api-key': h.apiKey },
        payload: { preset: 'account_takeover' },
      });
      assert.equal(preset.statusCode, 200, preset.body);
      await createSubscription(h.db, h.projectId, {
        url: receiver.url,
        events: ['user.score_crossed', 'rule.matched'],
        scoreThreshold: 50,
        ruleCodes: ['I04'],
      });
      // An IP address shared with another user: rule I04 matches, among others.
      await newUser(h, 'neighbour', { ipAddress: '198.51.100.77' });
      const userId = await newUser(h, 'crossing', { ipAddress: '198.51.100.77' });
      const ruleSets = new RuleSets(h.db);
      const [score] = await scoreUsers(h.db, ruleSets, [{ userId, projectId: h.projectId }]);
      const codes = score!.matched.map((m) => m.code);
      assert.ok(codes.includes('I04') && codes.length > 1, `several rules match: ${codes}`);
      assert.ok(score!.score <= 50, `the score falls below 50: ${score!.score}`);
      // Scoring again with the same result crosses nothing and matches nothing new.
      await scoreUsers(h.db, ruleSets, [{ userId, projectId: h.projectId }]);
      dispatcher.start();
      await waitUntil(() => receiver.requests.length >= 2, 10_000, 'two deliveries');
      await new Promise((r) => setTimeout(r, 300));
      const bodies = receiver.requests.map((r) => JSON.parse(r.body));
      assert.deepEqual(bodies.map((b) => b.type).sort(), ['rule.matched', 'user.score_crossed']);
      const crossed = bodies.find((b) => b.type === 'user.score_crossed');
      assert.deepEqual(crossed.data, { score: score!.score, previousScore: 99 });
      assert.equal(bodies.find((b) => b.type === 'rule.matched').data.ruleCode, 'I04');
    } finally {
      await dispatcher.stop();
      await receiver.close();
    }
  });
});

describe('alerts are written with the change they report', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  const outboxOf = async (userId: number) =>
    (
      await h.db.query<{ kind: string }>('SELECT kind FROM outbox WHERE user_id = $1 ORDER BY id', [userId])
    ).rows.map((r) => r.kind);
  const statusOf = async (userId: number) =>
    (await h.db.query<{ status: string }>('SELECT status FROM users WHERE id = $1', [userId])).rows[0]!
      .status;

  test('an operator decision and its outbox rows commit or fail together', async () => {
    const userId = await newUser(h, 'decided');
    // The outbox refuses rows: the decision must fail with it, leaving nothing behind.
    await h.db.query('ALTER TABLE outbox ADD CONSTRAINT refuse_all CHECK (false) NOT VALID');
    await assert.rejects(
      applyUserDecision(h.db, {
        projectId: h.projectId,
        userId,
        decision: 'blacklist',
        actor: 'a@example.com',
      }),
    );
    await h.db.query('ALTER TABLE outbox DROP CONSTRAINT refuse_all');
    assert.equal(await statusOf(userId), 'normal', 'the decision rolled back with its alert');
    assert.deepEqual(await outboxOf(userId), []);
    const { rows } = await h.db.query('SELECT 1 FROM user_decisions WHERE user_id = $1', [userId]);
    assert.equal(rows.length, 0);

    await applyUserDecision(h.db, {
      projectId: h.projectId,
      userId,
      decision: 'blacklist',
      actor: 'a@example.com',
    });
    assert.equal(await statusOf(userId), 'blacklisted');
    assert.deepEqual(await outboxOf(userId), ['user.decision', 'user.blacklisted']);
  });

  test('a scoring review flag and its outbox row commit or fail together', async () => {
    await h.db.query('UPDATE projects SET review_threshold = 99 WHERE id = $1', [h.projectId]);
    // Rule sets are read before the transaction: PGlite has one connection, which the transaction holds.
    const ruleSets = new RuleSets(h.db, 3_600_000);
    await ruleSets.get(h.projectId);
    const userId = await newUser(h, 'flagged');
    const users = [{ userId, projectId: h.projectId }];

    // Inside a transaction that fails afterwards: neither the flag nor its alert remain.
    await assert.rejects(
      h.db.transaction(async (tx) => {
        const [score] = await scoreUsers(serialExecutor(tx), ruleSets, users);
        assert.equal(score!.status, 'review');
        const inside = await tx.query('SELECT kind FROM outbox WHERE user_id = $1', [userId]);
        assert.deepEqual(
          inside.rows.map((r) => r.kind),
          ['user.review'],
        );
        throw new Error('abort');
      }),
      /abort/,
    );
    assert.equal(await statusOf(userId), 'normal');
    assert.deepEqual(await outboxOf(userId), []);

    // Without a transaction (as the worker runs it), the alert is part of the statement that stores
    // the score. (On PGlite a failed statement outside a transaction breaks the test connection, so
    // this half runs on PostgreSQL.)
    if (testEngine() === 'postgres') {
      await h.db.query('ALTER TABLE outbox ADD CONSTRAINT refuse_all CHECK (false) NOT VALID');
      await assert.rejects(scoreUsers(h.db, ruleSets, users), /refuse_all/);
      await h.db.query('ALTER TABLE outbox DROP CONSTRAINT refuse_all');
      assert.equal(await statusOf(userId), 'normal');
    }

    await scoreUsers(h.db, ruleSets, users);
    assert.equal(await statusOf(userId), 'review');
    await scoreUsers(h.db, ruleSets, users);
    assert.deepEqual(await outboxOf(userId), ['user.review'], 'flagged once');
  });
});

/** Opens the database of a stopped server's store (a PGlite folder or a PostgreSQL database). */
function openStore(store: Store): Promise<Database> {
  return store.env.DATABASE_URL
    ? openDatabase({ kind: 'postgres', url: store.env.DATABASE_URL, poolSize: 1 })
    : openDatabase({ kind: 'pglite', dataDir: store.args[1]! });
}

describe('webhook retries across a restart', () => {
  test('killing the server in the middle of retries loses nothing and sends nothing twice', {
    timeout: 180_000,
  }, async () => {
    let lastRequestAt = 0;
    const answer = failingThenOk(3);
    const receiver = await startReceiver((request) => {
      lastRequestAt = Date.now();
      return answer(request);
    });
    const store = await freshStore();
    const slowRetries: Store = { ...store, env: { ...store.env, VIGIL_WEBHOOK_RETRY_MS: '400' } };
    let server: Awaited<ReturnType<typeof startServer>> | null = null;
    try {
      const { projectId, apiKey } = createProjectViaCli(store);
      let db = await openStore(store);
      await createSubscription(db, projectId, {
        url: receiver.url,
        events: ['user.decision', 'user.blacklisted'],
        secret: SECRET,
      });
      await db.close();

      const port = freePort();
      server = await startServer(slowRetries, port);
      const post = (path: string, body: unknown) =>
        fetch(`${server!.url}${path}`, {
          method: 'POST',
          headers: { 'api-key': apiKey, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      const event = await post('/api/v1/events', {
        userName: 'restart-user',
        ipAddress: '203.0.113.50',
        url: '/login',
        eventType: 'account_login',
      });
      assert.ok(event.status < 300, await event.text());
      const decision = await post('/api/v1/users/restart-user/decision', {
        decision: 'blacklist',
        actor: 'ops@example.com',
      });
      assert.equal(decision.status, 200, await decision.text());

      // Both deliveries have failed at least once: stop the process hard, mid-retries.
      // Killed between attempts (not during one, whose lease would hold it for the attempt timeout).
      await waitUntil(
        () => byDelivery(receiver.requests).size === 2 && Date.now() - lastRequestAt > 150,
        30_000,
        'first attempts',
      );
      await stopServer(server, 'SIGKILL');
      const before = receiver.requests.length;
      assert.equal(
        receiver.requests.filter((r) => r.status === 200).length,
        0,
        'nothing delivered before the kill',
      );

      server = await startServer(slowRetries, port);
      await waitUntil(
        () => receiver.requests.filter((r) => r.status === 200).length >= 2,
        90_000,
        'deliveries after the restart',
      );
      await new Promise((r) => setTimeout(r, 1500));
      await stopServer(server);
      server = null;
      assert.ok(receiver.requests.length > before, 'the restarted server carried on');

      const deliveries = byDelivery(receiver.requests);
      assert.equal(deliveries.size, 2, 'the same two delivery ids before and after the restart');
      for (const attempts of deliveries.values()) {
        assert.equal(attempts.filter((a) => a.status === 200).length, 1, 'delivered exactly once');
        assert.equal(attempts.at(-1)!.status, 200, 'nothing after the success');
        for (const a of attempts)
          assert.ok(verifySignature(SECRET, a.body, String(a.headers['vigil-signature'])));
      }
      db = await openStore(store);
      const { rows } = await db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM webhook_deliveries WHERE delivered_at IS NOT NULL',
      );
      await db.close();
      assert.equal(rows[0]!.n, 2);
    } finally {
      if (server) await stopServer(server, 'SIGKILL');
      await receiver.close();
      await store.dispose();
    }
  });
});

describe('webhooks in the console API', () => {
  let h: ConsoleHarness;
  before(async () => {
    h = await startConsoleHarness();
  });
  after(() => h.close());

  test('a project admin subscribes, tests, reads the delivery log and redelivers; others may not', async () => {
    const receiver = await startReceiver(failingThenOk(1));
    try {
      const admin = await h.login(h.emails.projectAdmin);
      const analyst = await h.login(h.emails.analyst);
      const refused = await analyst.request('POST', h.project('/webhooks'), {
        url: receiver.url,
        events: ['user.decision'],
      });
      assert.equal(refused.statusCode, 403);
      assert.equal((await analyst.get(h.project('/webhooks'))).statusCode, 403);

      const bad = await admin.request('POST', h.project('/webhooks'), {
        url: 'ftp://x.example',
        events: ['user.decision'],
      });
      assert.equal(bad.statusCode, 400);
      assert.equal(bad.json().error.field, 'url');
      const noThreshold = await admin.request('POST', h.project('/webhooks'), {
        url: receiver.url,
        events: ['user.score_crossed'],
      });
      assert.equal(noThreshold.statusCode, 400);
      assert.equal(noThreshold.json().error.field, 'scoreThreshold');

      const created = await admin.request('POST', h.project('/webhooks'), {
        url: receiver.url,
        events: ['user.decision'],
        description: 'CRM',
      });
      assert.equal(created.statusCode, 201, created.body);
      const { subscription, secret } = created.json();
      assert.match(secret, /^whsec_/);
      const listed = (await admin.get(h.project('/webhooks'))).json().subscriptions;
      assert.deepEqual(
        listed.map((s: { id: string; description: string }) => [s.id, s.description]),
        [[subscription.id, 'CRM']],
      );
      assert.ok(!JSON.stringify(listed).includes(secret), 'the secret is never listed');

      const test = await admin.request('POST', h.project(`/webhooks/${subscription.id}/test`));
      assert.equal(test.statusCode, 200, test.body);
      assert.equal(test.json().result.status, 500, 'the receiver’s first answer is reported');
      const ping = receiver.requests.at(-1)!;
      assert.equal(ping.headers['vigil-event'], 'webhook.test');
      assert.ok(verifySignature(secret, ping.body, String(ping.headers['vigil-signature'])));

      const rotated = await admin.request('PATCH', h.project(`/webhooks/${subscription.id}`), {
        rotateSecret: true,
      });
      assert.equal(rotated.statusCode, 200, rotated.body);
      const newSecret = rotated.json().secret;
      assert.ok(newSecret && newSecret !== secret);

      // A decision makes a delivery; the console shows it and redelivers it with the same id.
      const userId = await newUser(h, 'console-user');
      await applyUserDecision(h.db, {
        projectId: h.projectId,
        userId,
        decision: 'approve',
        actor: h.emails.analyst,
      });
      const dispatcher = testDispatcher(h.db);
      await dispatcher.processOutbox();
      assert.equal(await dispatcher.deliverDue(), 1, 'the first attempt fails');
      await new Promise((r) => setTimeout(r, 100)); // past the (test-short) retry delay
      assert.equal(await dispatcher.deliverDue(), 1, 'the retry succeeds');
      const log = await admin.get(h.project(`/webhook-deliveries?subscriptionId=${subscription.id}`));
      assert.equal(log.statusCode, 200, log.body);
      const { rows, total } = log.json();
      assert.equal(total, 1);
      assert.equal(rows[0].kind, 'user.decision');
      assert.equal(rows[0].userName, 'console-user');
      assert.equal(rows[0].state, 'delivered');
      assert.deepEqual(
        rows[0].log.map((a: { status: number }) => a.status),
        [500, 200],
      );
      const again = await admin.request('POST', h.project(`/webhook-deliveries/${rows[0].id}/redeliver`));
      assert.equal(again.statusCode, 200, again.body);
      assert.equal(again.json().delivery.attempts, 3);
      assert.equal(receiver.requests.at(-1)!.headers['vigil-delivery'], rows[0].id);
      assert.ok(
        verifySignature(
          newSecret,
          receiver.requests.at(-1)!.body,
          String(receiver.requests.at(-1)!.headers['vigil-signature']),
        ),
      );

      // Another project's admin path cannot reach this delivery.
      const otherAdmin = await h.login(h.emails.admin);
      const foreign = await otherAdmin.request(
        'POST',
        `/api/console/projects/${h.otherProjectId}/webhook-deliveries/${rows[0].id}/redeliver`,
      );
      assert.equal(foreign.statusCode, 404);

      const siem = await admin.request('PUT', h.project('/siem'), { fileName: '../escape.log' });
      assert.equal(siem.statusCode, 400);
      assert.equal(siem.json().error.field, 'fileName');
      const saved = await admin.request('PUT', h.project('/siem'), {
        syslog: { host: '127.0.0.1', port: 5514, protocol: 'tcp' },
      });
      assert.equal(saved.statusCode, 200, saved.body);
      assert.deepEqual((await admin.get(h.project('/siem'))).json().sink, {
        fileName: null,
        syslog: { host: '127.0.0.1', port: 5514, protocol: 'tcp' },
        enabled: true,
      });
      const recipients = await admin.request('PUT', h.project('/alert-recipients'), {
        recipients: ['not-an-address'],
      });
      assert.equal(recipients.statusCode, 400);

      const settings = await analyst.request('PATCH', '/api/console/me/email-settings', {
        reminderFrequency: 'weekly',
        workingHoursStart: 7,
      });
      assert.equal(settings.statusCode, 200, settings.body);
      assert.equal(
        (await analyst.get('/api/console/me/email-settings')).json().settings.reminderFrequency,
        'weekly',
      );

      const deleted = await admin.request('DELETE', h.project(`/webhooks/${subscription.id}`));
      assert.equal(deleted.statusCode, 204);
      assert.equal((await admin.get(h.project(`/webhooks/${subscription.id}`))).statusCode, 404);
    } finally {
      await receiver.close();
    }
  });
});
