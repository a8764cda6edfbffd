import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createEnricher } from '@vigil/enrich';
import { form, type Harness, postForm, startHarness } from './harness.ts';

const FIREFOX_LINUX = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
const CHROME_WINDOWS =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';

function at(daysAgo: number, minutes = 0): string {
  return new Date(Date.now() - daysAgo * 86_400_000 + minutes * 60_000)
    .toISOString()
    .replace('T', ' ')
    .replace('Z', '');
}

async function waitFor<T>(
  read: () => Promise<T>,
  ok: (v: T) => boolean,
  ms: number,
): Promise<{ value: T; elapsed: number }> {
  const started = Date.now();
  let value = await read();
  while (!ok(value) && Date.now() - started < ms) {
    await new Promise((r) => setTimeout(r, 25));
    value = await read();
  }
  return { value, elapsed: Date.now() - started };
}

describe('real-time scoring through /sensor/', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ enricher: createEnricher(), scoring: true });
    const res = await h.app.inject({
      method: 'PUT',
      url: '/api/v1/rules/preset',
      headers: { 'api-key': h.apiKey },
      payload: { preset: 'account_takeover' },
    });
    assert.equal(res.statusCode, 200, res.body);
  });
  after(() => h.close());

  const user = (name: string) =>
    h.app.inject({ method: 'GET', url: `/api/v1/users/${name}`, headers: { 'api-key': h.apiKey } });

  test('account takeover: new device in a new country, then a password change → score ≤ 33 within 1 s, in review', async () => {
    // A normal history: a German user on one Windows laptop for weeks.
    for (let d = 30; d >= 2; d -= 2) {
      for (const [m, type] of [
        [0, 'account_login'],
        [3, 'page_view'],
        [7, 'page_view'],
      ] as const) {
        const res = await postForm(
          h,
          form({
            userName: 'victim',
            ipAddress: '91.64.10.20',
            url: '/account',
            eventType: type,
            eventTime: at(d, m),
            userAgent: CHROME_WINDOWS,
            browserLanguage: 'de-DE,de;q=0.9',
            httpReferer: 'https://shop.example/',
            emailAddress: 'victim@example.de',
          }),
        );
        assert.equal(res.statusCode, 204);
      }
    }
    const calm = await waitFor(
      () => user('victim').then((r) => r.json()),
      (u) => u.score !== null,
      5000,
    );
    assert.ok(calm.value.score > 33, `a normal history scores high, got ${calm.value.score}`);

    // The takeover: a login from a new device in a new country, then the password is changed.
    const takeover = {
      userName: 'victim',
      ipAddress: '177.67.80.10',
      userAgent: FIREFOX_LINUX,
      browserLanguage: 'pt-BR',
    };
    await postForm(h, form({ ...takeover, url: '/login', eventType: 'account_login', eventTime: at(0, -2) }));
    const sentAt = Date.now();
    await postForm(
      h,
      form({
        ...takeover,
        url: '/account/password',
        eventType: 'account_password_change',
        eventTime: at(0, -1),
      }),
    );
    // Wait for the score that includes the password change (the login alone may already score low).
    const details = () =>
      h.db
        .query<{ score: number | null; status: string; score_details: { code: string }[] | null }>(
          'SELECT score, status, score_details FROM users WHERE project_id = $1 AND user_name = $2',
          [h.projectId, 'victim'],
        )
        .then((r) => r.rows[0]!);
    const after = await waitFor(details, (u) => (u.score_details ?? []).some((d) => d.code === 'A05'), 3000);
    const elapsed = Date.now() - sentAt;
    const codes = (after.value.score_details ?? []).map((d) => d.code);
    for (const code of ['A03', 'A05', 'B02']) assert.ok(codes.includes(code), `${code} fired: ${codes}`);
    assert.ok(elapsed <= 1000, `scored within ${elapsed} ms`);
    assert.ok(
      after.value.score !== null && after.value.score <= 33,
      `score after takeover: ${after.value.score}`,
    );
    const api = (await user('victim')).json();
    assert.equal(api.score, after.value.score, 'GET /api/v1/users/{userName} shows the score');
    assert.equal(api.status, 'review');
    const history = await h.db.query<{
      results: { code: string; status: string; evidence?: { eventIds?: number[] } }[];
    }>(
      `SELECT s.results FROM user_scores s JOIN users u ON u.id = s.user_id
        WHERE u.user_name = 'victim' ORDER BY s.id DESC LIMIT 1`,
    );
    const a05 = history.rows[0]!.results.find((r) => r.code === 'A05');
    assert.equal(a05?.status, 'match');
    assert.ok(a05?.evidence?.eventIds?.length, 'the evidence names the password-change event');
  });

  test('POST /api/v1/decide scores inline and explains the decision', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/v1/decide',
      headers: { 'api-key': h.apiKey },
      payload: {
        userName: 'victim',
        ipAddress: '177.67.80.10',
        url: '/checkout',
        eventType: 'page_view',
        userAgent: FIREFOX_LINUX,
      },
    });
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json();
    assert.equal(body.userName, 'victim');
    assert.ok(body.score <= 33);
    assert.equal(body.decision, 'review');
    assert.ok(body.reasons.some((r: { rule: string }) => r.rule === 'A05'));
    assert.ok(body.reasons.every((r: { weight: number }) => typeof r.weight === 'number'));

    const fresh = await h.app.inject({
      method: 'POST',
      url: '/api/v1/decide',
      headers: { 'api-key': h.apiKey },
      payload: {
        userName: 'newcomer',
        ipAddress: '91.64.10.21',
        url: '/login',
        eventType: 'account_login',
        userAgent: CHROME_WINDOWS,
      },
    });
    assert.equal(fresh.json().decision, 'allow');
  });

  test('operator decisions: blacklist propagates to IPs and e-mails, and the blacklist search finds them', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/v1/users/victim/decision',
      headers: { 'api-key': h.apiKey },
      payload: { decision: 'blacklist', actor: 'analyst@example.com', note: 'confirmed takeover' },
    });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().status, 'blacklisted');
    const search = (value: string) =>
      h.app
        .inject({
          method: 'POST',
          url: '/api/v1/blacklist/search',
          headers: { 'api-key': h.apiKey },
          payload: { value },
        })
        .then((r) => r.json());
    assert.deepEqual(await search('victim'), { value: 'victim', blacklisted: true });
    assert.equal((await search('177.67.80.10')).blacklisted, true);
    assert.equal((await search('victim@example.de')).blacklisted, true);
    assert.equal((await search('newcomer')).blacklisted, false);
    // A later event from a blacklisted IP arrives marked; the decide answer blocks the blacklisted user.
    const decide = await h.app.inject({
      method: 'POST',
      url: '/api/v1/decide',
      headers: { 'api-key': h.apiKey },
      payload: { userName: 'victim', ipAddress: '177.67.80.10', url: '/x' },
    });
    assert.equal(decide.json().decision, 'block');
    const { rows } = await h.db.query<{ decision: string; actor: string }>(
      `SELECT d.decision, d.actor FROM user_decisions d JOIN users u ON u.id = d.user_id
        WHERE u.user_name = 'victim' ORDER BY d.id`,
    );
    assert.deepEqual(rows.at(-1), { decision: 'blacklist', actor: 'analyst@example.com' });
  });

  test('changing a weight rescores the project in the background with visible progress', async () => {
    const res = await h.app.inject({
      method: 'PUT',
      url: '/api/v1/rules/B02',
      headers: { 'api-key': h.apiKey },
      payload: { weight: 0 },
    });
    assert.equal(res.statusCode, 200, res.body);
    assert.ok(res.json().rescore.total >= 2);
    const done = await waitFor(
      () =>
        h.app
          .inject({ method: 'GET', url: '/api/v1/rules/rescore', headers: { 'api-key': h.apiKey } })
          .then((r) => r.json()),
      (p) => p.running === false,
      5000,
    );
    assert.equal(done.value.remaining, 0);
    const bad = await h.app.inject({
      method: 'PUT',
      url: '/api/v1/rules/B02',
      headers: { 'api-key': h.apiKey },
      payload: { weight: 'x' },
    });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().error.field, 'weight');
  });
});
