import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { SMTPServer } from 'smtp-server';
import { issueSetupToken } from '../src/operators/setup.ts';
import { type ConsoleHarness, PASSWORD, startConsoleHarness } from './console-harness.ts';
import { startHarness } from './harness.ts';

// Access to the console: first-run setup, sign-in throttling, sessions, passwords (changed and
// reset by a real e-mail), invitations, operator API tokens, cookies and the page's CSP.

interface Received {
  to: string[];
  body: string;
}
const inbox: Received[] = [];
let smtp: SMTPServer;
let h: ConsoleHarness;

before(async () => {
  // A real SMTP server on loopback, without TLS (nodemailer then sends in clear, as it must here).
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      let body = '';
      stream.on('data', (chunk: Buffer) => {
        body += chunk.toString('utf8');
      });
      stream.on('end', () => {
        inbox.push({ to: session.envelope.rcptTo.map((r) => r.address), body });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  const port = (smtp.server.address() as AddressInfo).port;
  h = await startConsoleHarness({
    env: { SMTP_URL: `smtp://127.0.0.1:${port}`, VIGIL_PUBLIC_URL: 'https://vigil.example.com' },
  });
});
after(async () => {
  await h.close();
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
});

async function auditActions(action: string): Promise<{ actor: string; target: string | null }[]> {
  const { rows } = await h.db.query<{ actor: string; target: string | null }>(
    'SELECT actor, target FROM audit_entries WHERE action = $1 ORDER BY id',
    [action],
  );
  return rows;
}

function cookieOf(res: { cookies: { name: string; value: string }[] }): string {
  return res.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
}

test('first-run setup needs the printed token and works once', async () => {
  const fresh = await startHarness();
  try {
    const token = await issueSetupToken(fresh.db);
    assert.ok(token);
    const state = await fresh.app.inject({ method: 'GET', url: '/api/console/setup' });
    assert.equal(state.json().needed, true);
    assert.ok(state.json().presets.some((p: { name: string }) => p.name === 'account_takeover'));
    const body = {
      email: 'first@example.com',
      password: PASSWORD,
      projectName: 'Shop',
      preset: 'account_takeover',
      timezone: 'Europe/Paris',
    };
    for (const wrong of ['', 'setup_wrong']) {
      const res = await fresh.app.inject({
        method: 'POST',
        url: '/api/console/setup',
        payload: { ...body, token: wrong },
      });
      assert.equal(res.statusCode, 409, res.body);
      assert.equal(res.json().error.field, 'token');
    }
    const done = await fresh.app.inject({
      method: 'POST',
      url: '/api/console/setup',
      payload: { ...body, token },
    });
    assert.equal(done.statusCode, 201, done.body);
    const answer = done.json();
    assert.match(answer.apiKey, /^vgl_/);
    assert.equal(answer.operator.timezone, 'Europe/Paris');
    // Signed in at once, and the key works on the sensor.
    const me = await fresh.app.inject({
      method: 'GET',
      url: '/api/console/me',
      headers: { cookie: cookieOf(done) },
    });
    assert.equal(me.json().projects.find((p: { id: string }) => p.id === answer.project.id).name, 'Shop');
    const sensor = await fresh.app.inject({
      method: 'POST',
      url: '/sensor/',
      headers: { 'api-key': answer.apiKey, 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'userName=u1&ipAddress=203.0.113.1&url=/',
    });
    assert.equal(sensor.statusCode, 204);
    const preset = await fresh.db.query('SELECT preset, timezone FROM projects WHERE id = $1', [
      answer.project.id,
    ]);
    assert.deepEqual(preset.rows[0], { preset: 'account_takeover', timezone: 'Europe/Paris' });
    const again = await fresh.app.inject({
      method: 'POST',
      url: '/api/console/setup',
      payload: { ...body, token },
    });
    assert.equal(again.statusCode, 409);
    assert.equal((await fresh.app.inject({ method: 'GET', url: '/api/console/setup' })).json().needed, false);
    const audit = await fresh.db.query(`SELECT actor FROM audit_entries WHERE action = 'installation.setup'`);
    assert.deepEqual(audit.rows, [{ actor: 'first@example.com' }]);
  } finally {
    await fresh.close();
  }
});

test('five failed sign-ins → 429 with Retry-After; failures and successes are audited', async () => {
  const login = (password: string) =>
    h.app.inject({
      method: 'POST',
      url: '/api/console/auth/login',
      payload: { email: h.emails.analyst, password },
    });
  assert.equal((await login(PASSWORD)).statusCode, 200);
  for (let i = 0; i < 5; i++) {
    const res = await login('wrong password');
    assert.equal(res.statusCode, 401);
    assert.equal(res.json().error.code, 'invalid_credentials');
  }
  const blocked = await login(PASSWORD);
  assert.equal(blocked.statusCode, 429);
  assert.ok(Number(blocked.headers['retry-after']) > 0);
  const failed = await auditActions('operator.login_failed');
  assert.equal(failed.filter((e) => e.actor === h.emails.analyst).length, 5);
  assert.ok((await auditActions('operator.login')).some((e) => e.actor === h.emails.analyst));
});

test('session cookies are HttpOnly and SameSite=Strict; Secure only behind HTTPS', async () => {
  const res = await h.app.inject({
    method: 'POST',
    url: '/api/console/auth/login',
    payload: { email: h.emails.viewer, password: PASSWORD },
  });
  const cookie = res.cookies.find((c) => c.name === 'vigil_session')!;
  assert.equal(cookie.httpOnly, true);
  assert.equal(cookie.sameSite, 'Strict');
  assert.notEqual(cookie.secure, true);
  // Behind a trusted proxy that says the browser used HTTPS.
  const proxied = await startConsoleHarness({ env: { TRUSTED_PROXIES: '127.0.0.1' } });
  try {
    const viaProxy = await proxied.app.inject({
      method: 'POST',
      url: '/api/console/auth/login',
      headers: { 'x-forwarded-proto': 'https', 'x-forwarded-for': '198.51.100.20' },
      payload: { email: proxied.emails.viewer, password: PASSWORD },
    });
    const secure = viaProxy.cookies.find((c) => c.name === 'vigil_session')!;
    assert.equal(secure.secure, true);
    assert.equal(secure.httpOnly, true);
    const plain = await proxied.app.inject({
      method: 'POST',
      url: '/api/console/auth/login',
      payload: { email: proxied.emails.viewer, password: PASSWORD },
    });
    assert.notEqual(plain.cookies.find((c) => c.name === 'vigil_session')!.secure, true);
  } finally {
    await proxied.close();
  }
});

test('the console page is served with a strict Content-Security-Policy', async () => {
  for (const url of ['/', '/login', '/p/x/users']) {
    const res = await h.app.inject({ method: 'GET', url });
    const csp = String(res.headers['content-security-policy']);
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
  }
});

test('logout ends the session; my sessions are listed and revocable', async () => {
  const a = await h.login(h.emails.projectAdmin);
  const b = await h.login(h.emails.projectAdmin);
  const list = await a.get('/api/console/auth/sessions');
  const sessions = list.json().sessions as { id: string; current: boolean }[];
  assert.ok(sessions.length >= 2);
  assert.equal(sessions.filter((s) => s.current).length, 1);
  // A revokes B.
  const bId = (await b.get('/api/console/auth/sessions'))
    .json()
    .sessions.find((s: { current: boolean }) => s.current).id;
  assert.equal((await a.request('DELETE', `/api/console/auth/sessions/${bId}`)).statusCode, 204);
  assert.equal((await b.get('/api/console/me')).statusCode, 401);
  const out = await a.request('POST', '/api/console/auth/logout');
  assert.equal(out.statusCode, 204);
  assert.equal((await a.get('/api/console/me')).statusCode, 401);
  assert.ok((await auditActions('operator.logout')).some((e) => e.actor === h.emails.projectAdmin));
});

test('a password change ends my other sessions and the old password stops working', async () => {
  const email = h.emails.viewer;
  const here = await h.login(email);
  const elsewhere = await h.login(email);
  const wrong = await here.request('POST', '/api/console/auth/password', {
    current: 'nope',
    password: 'new pass phrase 1',
  });
  assert.equal(wrong.statusCode, 400);
  assert.equal(wrong.json().error.field, 'current');
  const changed = await here.request('POST', '/api/console/auth/password', {
    current: PASSWORD,
    password: 'new pass phrase 1',
  });
  assert.equal(changed.statusCode, 204, changed.body);
  assert.equal((await elsewhere.get('/api/console/me')).statusCode, 401);
  assert.equal((await here.get('/api/console/me')).statusCode, 200);
  await assert.rejects(h.login(email, PASSWORD));
  await h.login(email, 'new pass phrase 1');
  assert.ok((await auditActions('operator.password_change')).some((e) => e.actor === email));
  // Back as it was for the other tests.
  const back = await here.request('POST', '/api/console/auth/password', {
    current: 'new pass phrase 1',
    password: PASSWORD,
  });
  assert.equal(back.statusCode, 204);
});

test('password reset by e-mail: the link from a real SMTP delivery sets a new password', async () => {
  const email = h.emails.projectAdmin;
  const before = inbox.length;
  const asked = await h.app.inject({
    method: 'POST',
    url: '/api/console/auth/password-reset',
    payload: { email },
  });
  assert.equal(asked.statusCode, 202);
  // Unknown addresses get the same answer and no mail.
  const unknown = await h.app.inject({
    method: 'POST',
    url: '/api/console/auth/password-reset',
    payload: { email: 'nobody@example.com' },
  });
  assert.equal(unknown.statusCode, 202);
  assert.deepEqual(unknown.json(), asked.json());
  assert.equal(inbox.length, before + 1);
  const mail = inbox.at(-1)!;
  assert.deepEqual(mail.to, [email]);
  // Quoted-printable may wrap long lines with a soft break ("=\r\n").
  const text = mail.body
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
  const token = /https:\/\/vigil\.example\.com\/reset-password#token=([A-Za-z0-9_-]+)/.exec(text)?.[1];
  assert.ok(token, text);
  const stale = await h.login(email);
  const reset = await h.app.inject({
    method: 'POST',
    url: '/api/console/auth/password-reset/confirm',
    payload: { token, password: 'reset pass phrase 2' },
  });
  assert.equal(reset.statusCode, 204, reset.body);
  assert.equal((await stale.get('/api/console/me')).statusCode, 401);
  await h.login(email, 'reset pass phrase 2');
  const reused = await h.app.inject({
    method: 'POST',
    url: '/api/console/auth/password-reset/confirm',
    payload: { token, password: 'another pass phrase' },
  });
  assert.equal(reused.statusCode, 400);
  assert.equal(reused.json().error.field, 'token');
  assert.ok((await auditActions('operator.password_reset')).some((e) => e.actor === email));
  await h.db.query(
    'UPDATE operators SET password_hash = (SELECT password_hash FROM operators WHERE email = $1) WHERE email = $2',
    [h.emails.analyst, email],
  );
});

test('an invitation link makes a new operator a member with the role given', async () => {
  const admin = await h.login(h.emails.admin);
  const invited = await admin.request('POST', h.project('/members'), {
    email: 'newbie@example.com',
    role: 'analyst',
  });
  assert.equal(invited.statusCode, 201, invited.body);
  const outcome = invited.json();
  assert.equal(outcome.kind, 'invited');
  assert.equal(outcome.emailed, true);
  const mail = inbox.at(-1)!;
  assert.deepEqual(mail.to, ['newbie@example.com']);
  const token = /#token=([A-Za-z0-9_-]+)/.exec(outcome.link)?.[1];
  assert.ok(token);
  const accepted = await h.app.inject({
    method: 'POST',
    url: '/api/console/invitations/accept',
    payload: { token, password: PASSWORD, name: 'New Bie' },
  });
  assert.equal(accepted.statusCode, 201, accepted.body);
  const project = accepted.json().projects.find((p: { id: string }) => p.id === h.projectId);
  assert.equal(project.role, 'analyst');
  // The role holds on the server: an analyst may not change settings.
  const newbie = await h.login('newbie@example.com');
  assert.equal((await newbie.request('PATCH', h.project('/settings'), { name: 'x' })).statusCode, 403);
  const again = await h.app.inject({
    method: 'POST',
    url: '/api/console/invitations/accept',
    payload: { token, password: PASSWORD },
  });
  assert.equal(again.statusCode, 400);
  assert.ok((await auditActions('member.invite')).some((e) => e.target === 'newbie@example.com'));
});

test('an operator API token works with Bearer and no CSRF token, until revoked', async () => {
  const admin = await h.login(h.emails.projectAdmin);
  const created = await admin.request('POST', '/api/console/auth/tokens', { name: 'ci script' });
  assert.equal(created.statusCode, 201);
  const { token, id } = created.json();
  assert.match(token, /^vgt_/);
  const bearer = { authorization: `Bearer ${token}` };
  const me = await h.app.inject({ method: 'GET', url: '/api/console/me', headers: bearer });
  assert.equal(me.json().operator.email, h.emails.projectAdmin);
  // A mutation without any CSRF header.
  const patch = await h.app.inject({
    method: 'PATCH',
    url: h.project('/settings'),
    headers: bearer,
    payload: { rateLimitRps: 42 },
  });
  assert.equal(patch.statusCode, 200, patch.body);
  assert.equal(patch.json().settings.rateLimitRps, 42);
  const listed = (await admin.get('/api/console/auth/tokens')).json().tokens;
  assert.ok(listed.some((t: { id: number; lastUsedAt: string | null }) => t.id === id && t.lastUsedAt));
  assert.equal((await admin.request('DELETE', `/api/console/auth/tokens/${id}`)).statusCode, 204);
  assert.equal(
    (await h.app.inject({ method: 'GET', url: '/api/console/me', headers: bearer })).statusCode,
    401,
  );
  assert.ok((await auditActions('operator.token_create')).some((e) => e.target === String(id)));
  assert.ok((await auditActions('operator.token_revoke')).some((e) => e.target === String(id)));
});
