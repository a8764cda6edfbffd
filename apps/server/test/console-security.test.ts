import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type ConsoleClient, type ConsoleHarness, startConsoleHarness } from './console-harness.ts';

// The shared security suite: every console route, present and future, is walked from the
// registry the guard fills, so a new route is covered the moment it is registered.

/** The only console routes open without signing in. */
const PUBLIC = [
  'GET /api/console/setup',
  'POST /api/console/setup',
  'POST /api/console/auth/login',
  'POST /api/console/auth/password-reset',
  'POST /api/console/auth/password-reset/confirm',
  'POST /api/console/invitations/accept',
];

let h: ConsoleHarness;
let projectAdmin: ConsoleClient;
let viewer: ConsoleClient;

before(async () => {
  h = await startConsoleHarness();
  projectAdmin = await h.login(h.emails.projectAdmin);
  viewer = await h.login(h.emails.viewer);
});
after(() => h.close());

function fill(url: string, projectId: string): string {
  return url.replace(':projectId', projectId).replace(/:[A-Za-z]+/g, '1');
}
const isMutation = (method: string) => !['GET', 'HEAD', 'OPTIONS'].includes(method);
type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

test('the registry holds the console routes, and only the sign-in and setup routes are public', () => {
  assert.ok(h.app.consoleRoutes.length >= 20, `only ${h.app.consoleRoutes.length} console routes registered`);
  const open = h.app.consoleRoutes.filter((r) => r.access === 'public').map((r) => `${r.method} ${r.url}`);
  assert.deepEqual(open.sort(), [...PUBLIC].sort());
});

test('no session → 401 on every non-public console route', async () => {
  for (const route of h.app.consoleRoutes.filter((r) => r.access !== 'public')) {
    const res = await h.app.inject({
      method: route.method as Method,
      url: fill(route.url, h.projectId),
      payload: {},
    });
    assert.equal(res.statusCode, 401, `${route.method} ${route.url}: ${res.body}`);
    assert.equal(res.json().error.code, 'unauthenticated');
  }
});

test('a forged or expired session cookie and an unknown token → 401', async () => {
  const route = h.project();
  for (const headers of [{ cookie: 'vigil_session=forged' }, { authorization: 'Bearer vgt_forged' }]) {
    const res = await h.app.inject({ method: 'GET', url: route, headers });
    assert.equal(res.statusCode, 401);
  }
});

test("another project's id → 404 on every project route, for a member of this project only", async () => {
  for (const route of h.app.consoleRoutes.filter((r) =>
    r.url.startsWith('/api/console/projects/:projectId'),
  )) {
    const res = await projectAdmin.request(route.method as Method, fill(route.url, h.otherProjectId), {});
    assert.equal(res.statusCode, 404, `${route.method} ${route.url}: ${res.body}`);
    const malformed = await projectAdmin.request(route.method as Method, fill(route.url, 'not-a-uuid'), {});
    assert.equal(malformed.statusCode, 404, `${route.method} ${route.url} with a malformed id`);
  }
});

test('viewer on a mutation → 403 on every project route; no project mutation is open to viewers', async () => {
  const guarded = h.app.consoleRoutes.filter(
    (r) => isMutation(r.method) && !['operator', 'public'].includes(r.access),
  );
  for (const route of guarded) {
    assert.notEqual(route.access, 'viewer', `${route.method} ${route.url} lets viewers change data`);
    const res = await viewer.request(route.method as Method, fill(route.url, h.projectId), {});
    assert.equal(res.statusCode, 403, `${route.method} ${route.url}: ${res.body}`);
    assert.equal(res.json().error.code, 'forbidden');
  }
});

test('missing or wrong CSRF token → 403 on every mutation made with a session cookie', async () => {
  const mutations = h.app.consoleRoutes.filter((r) => isMutation(r.method) && r.access !== 'public');
  assert.ok(mutations.length > 5);
  const admin = await h.login(h.emails.admin);
  for (const route of mutations) {
    const url = fill(route.url, h.projectId);
    const missing = await admin.request(route.method as Method, url, {}, { csrf: false });
    assert.equal(missing.statusCode, 403, `${route.method} ${route.url}: ${missing.body}`);
    assert.equal(missing.json().error.code, 'csrf_failed');
    const wrong = await h.app.inject({
      method: route.method as Method,
      url,
      headers: { cookie: admin.cookie, 'x-csrf-token': projectAdmin.csrfToken },
      payload: {},
    });
    assert.equal(wrong.statusCode, 403, `${route.method} ${route.url} with another session's token`);
  }
});
