import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import {
  apiAs,
  browserMissing,
  type Console,
  collectPageErrors,
  PASSWORD,
  screenshot,
  signInOn,
  startConsole,
} from './harness.ts';

// Access end to end: first-run setup from the link `vigil start` prints, sign out and in, my
// account, the Project page's API keys, and a viewer invited from the Settings page.

const skip = browserMissing() ?? false;
const ADMIN = 'first-admin@example.com';
const VIEWER = 'invited-viewer@example.com';

let c: Console;
let page: Page;
let errors: string[];
let projectId = '';

/** Signed out, the app asks who is signed in and a wrong password is refused: both answer 401. */
const notExpected401 = (error: string) => !error.includes('status of 401');

before(async () => {
  if (skip) return;
  c = await startConsole({ demo: false });
  const context = await c.browser.newContext({ baseURL: c.url, viewport: { width: 1400, height: 900 } });
  page = await context.newPage();
  errors = collectPageErrors(page);
});
after(async () => {
  if (!skip) await c.close();
});

test('first run: the setup link creates the admin and the project, and shows the API key once', {
  skip,
}, async () => {
  const link = /(\S+\/setup#token=\S+)/.exec(c.server.output())?.[1];
  assert.ok(link, `no setup link in the server's output:\n${c.server.output()}`);
  const url = new URL(link);
  await page.goto(`${url.pathname}${url.hash}`);
  // The token leaves the address bar once read.
  await page.getByRole('heading', { name: 'Set up Vigil' }).waitFor();
  assert.equal(new URL(page.url()).hash, '');
  await page.getByLabel('E-mail').fill(ADMIN);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByLabel('Name', { exact: true }).fill('First Admin');
  await page.getByLabel('Project name').fill('Shop');
  await page.getByLabel('Rule preset').selectOption('account_takeover');
  await page.getByLabel('Timezone').selectOption('Europe/Paris');
  await page.getByRole('button', { name: 'Create the administrator and the project' }).click();
  const key = (await page.getByTestId('setup-api-key').textContent()) ?? '';
  assert.match(key, /^vgl_[A-Za-z0-9_-]{32}$/);
  await screenshot(page, 'access-setup-key');
  // The key works on the public API at once.
  const sensor = await fetch(`${c.url}/sensor/`, {
    method: 'POST',
    headers: { 'Api-Key': key, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      userName: 'first-user',
      ipAddress: '203.0.113.9',
      url: '/login',
      eventTime: new Date().toISOString().replace('T', ' ').slice(0, 23),
      eventType: 'account_login',
    }),
  });
  assert.equal(sensor.status, 204, await sensor.text());
  await page.getByRole('button', { name: 'Go to the dashboard' }).click();
  await page.locator('nav.sidebar').waitFor();
  projectId = /\/p\/([0-9a-f-]{36})\//.exec(page.url())?.[1] ?? '';
  assert.ok(projectId, page.url());
  assert.equal(await page.getByTestId('project-switcher').locator('option:checked').textContent(), 'Shop');
  // The setup link is spent.
  const again = await fetch(`${c.url}/api/console/setup`);
  assert.equal(((await again.json()) as { needed: boolean }).needed, false);
});

test('sign out, then sign in again and land on the page asked for', { skip }, async () => {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('button', { name: 'Sign in' }).waitFor();
  await page.goto('/account');
  await page.getByLabel('E-mail').fill(ADMIN);
  await page.getByLabel('Password').fill('wrong password entirely');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByText('Wrong e-mail or password').waitFor();
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'My account' }).waitFor();
  assert.equal(new URL(page.url()).pathname, '/account');
  await page.getByText('this session').waitFor();
});

test('my account: change the timezone', { skip }, async () => {
  await page.getByLabel('Timezone').selectOption('America/New_York');
  const profile = page.locator('section', { has: page.getByRole('heading', { name: 'Profile' }) });
  await profile.getByRole('button', { name: 'Save' }).click();
  await profile.getByText('Saved.').waitFor();
  const me = await apiAs<{ operator: { timezone: string } }>(page, 'GET', '/api/console/me');
  assert.equal(me.operator.timezone, 'America/New_York');
  await page.reload();
  assert.equal(await page.getByLabel('Timezone').inputValue(), 'America/New_York');
  await screenshot(page, 'access-account');
  assert.deepEqual(errors.filter(notExpected401), []);
});

test('as admin: create an API key on the Project page and see its secret once', { skip }, async () => {
  await page.goto(`/p/${projectId}/project`);
  await page.getByRole('heading', { name: 'Project: Shop' }).waitFor();
  // The setup key is listed by its prefix only.
  const rows = page.getByTestId('api-keys').locator('tbody tr');
  await rows.first().waitFor();
  assert.equal(await rows.count(), 1);
  await page.getByLabel('Key name').fill('backend');
  await page.getByRole('button', { name: 'Create API key' }).click();
  const secret = (await page.getByTestId('new-api-key').textContent()) ?? '';
  assert.match(secret, /^vgl_/);
  await page.getByTestId('api-keys').getByText('backend').waitFor();
  assert.equal(await rows.count(), 2);
  const table = (await page.getByTestId('api-keys').textContent()) ?? '';
  assert.ok(table.includes(`${secret.slice(0, 8)}…`));
  assert.ok(!table.includes(secret), 'the secret is not in the list');
  // The snippets carry this server's URL.
  await page.getByRole('tab', { name: 'TypeScript' }).click();
  assert.ok(((await page.getByTestId('snippet').textContent()) ?? '').includes(`url: '${c.url}'`));
  await screenshot(page, 'access-project');
  // Leaving and coming back: the secret is gone for good.
  await page.reload();
  await page.getByTestId('api-keys').waitFor();
  assert.equal(await page.getByTestId('new-api-key').count(), 0);
  // It works against the sensor.
  const res = await fetch(`${c.url}/sensor/`, {
    method: 'POST',
    headers: { 'Api-Key': secret, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'userName=second&ipAddress=203.0.113.10&url=/',
  });
  assert.equal(res.status, 204);
});

test('as viewer (invited from Settings): the Settings controls are hidden and the API refuses', {
  skip,
}, async () => {
  await page.goto(`/p/${projectId}/settings`);
  await page.getByLabel('Keep events for (weeks)').waitFor();
  const invite = page.locator('form', { has: page.getByRole('button', { name: 'Invite' }) });
  await invite.getByRole('textbox', { name: 'E-mail' }).fill(VIEWER);
  await invite.locator('select').selectOption('viewer');
  await page.getByRole('button', { name: 'Invite' }).click();
  const link = (await page.getByTestId('invitation-link').textContent()) ?? '';
  assert.match(link, /\/accept-invitation#token=/);
  await screenshot(page, 'access-settings');
  assert.deepEqual(errors.filter(notExpected401), []);

  const context = await c.browser.newContext({ baseURL: c.url, viewport: { width: 1400, height: 900 } });
  const viewer = await context.newPage();
  const viewerErrors = collectPageErrors(viewer);
  const url = new URL(link);
  await viewer.goto(`${url.pathname}${url.hash}`);
  await viewer.getByLabel('Name', { exact: true }).fill('Vera Viewer');
  await viewer.getByLabel('Password').fill(PASSWORD);
  await viewer.getByRole('button', { name: 'Create my account' }).click();
  await viewer.locator('nav.sidebar').waitFor();
  await viewer.getByRole('button', { name: 'Sign out' }).click();
  await signInOn(viewer, VIEWER);
  await viewer.goto(`/p/${projectId}/settings`);
  await viewer.getByTestId('settings-admin-only').waitFor();
  assert.equal(await viewer.getByRole('button', { name: 'Save' }).count(), 0);
  assert.equal(await viewer.getByRole('button', { name: /Delete the project/ }).count(), 0);
  // The page asked the server for nothing it would refuse.
  assert.deepEqual(viewerErrors.filter(notExpected401), []);
  await assert.rejects(
    apiAs(viewer, 'PATCH', `/api/console/projects/${projectId}/settings`, { name: 'hijacked' }),
    /: 403 /,
  );
  await screenshot(viewer, 'access-settings-viewer');
  await context.close();
});
