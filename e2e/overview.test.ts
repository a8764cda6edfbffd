import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { browserMissing, type Console, collectPageErrors, screenshot, startConsole } from './harness.ts';

// The dashboard, users list, global search, events and logbook pages in a browser, on a
// `vigil demo` database: what they show is checked against the console API's own numbers.

const skip = browserMissing() ?? false;

let c: Console;
let page: Page;
let errors: string[];

/** A fixed period (the last 14 days to the next minute), so page and API count the same thing. */
const to = new Date(Math.ceil(Date.now() / 60_000) * 60_000 + 60_000).toISOString();
const from = new Date(Date.parse(to) - 14 * 86_400_000).toISOString();
const period = `from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`;

async function consoleApi<T>(path: string): Promise<T> {
  return page.evaluate(async (url) => {
    const res = await fetch(url);
    if (!res.ok) throw new Error(`GET ${url}: ${res.status} ${await res.text()}`);
    return res.json();
  }, `/api/console/projects/${c.projectId}${path}`) as Promise<T>;
}

const p = (path: string) => `/p/${c.projectId}${path}`;
const number = (text: string | null) => Number((text ?? '').replace(/[^0-9]/g, ''));

async function waitUntil(check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

before(async () => {
  if (skip) return;
  c = await startConsole({ users: 120, days: 10 });
  page = await c.signIn();
  errors = collectPageErrors(page);
});
after(async () => {
  if (skip) return;
  await c.close();
});

test('dashboard: totals equal the API, the chart is drawn, top lists link to their pages', {
  skip,
}, async () => {
  await page.goto(p(`/?${period}`));
  await page.getByTestId('total-events').getByTestId('value').waitFor();
  const api = await consoleApi<{ totals: Record<string, number>; previous: Record<string, number> }>(
    `/overview?${period}&tz=UTC`,
  );
  assert.ok((api.totals.events ?? 0) > 1000, `demo events in the period: ${api.totals.events}`);
  for (const key of [
    'events',
    'activeUsers',
    'newUsers',
    'review',
    'blacklisted',
    'logins',
    'failedLogins',
  ]) {
    const shown = await page.getByTestId(`total-${key}`).getByTestId('value').textContent();
    assert.equal(number(shown), api.totals[key], key);
  }
  // The chart: a canvas with something drawn on it.
  const canvas = page.getByTestId('events-chart').locator('canvas').first();
  await canvas.waitFor();
  // Counted in the page (a string, as the test's TypeScript has no DOM types).
  const painted = (await page.evaluate(`(() => {
    const cv = document.querySelector('[data-testid="events-chart"] canvas');
    const data = cv.getContext('2d').getImageData(0, 0, cv.width, cv.height).data;
    let n = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i] > 0) n++;
    return n;
  })()`)) as number;
  assert.ok(painted > 500, `painted pixels: ${painted}`);

  const top = await consoleApi<{
    users: { id: number }[];
    ips: { ip: string }[];
    countries: { iso: string }[];
    resources: { id: number }[];
  }>(`/overview/top?${period}`);
  const firstLink = (id: string) => page.getByTestId(`top-${id}`).locator('tbody a').first();
  assert.equal(await firstLink('users').getAttribute('href'), p(`/users/${top.users[0]!.id}`));
  assert.equal(await firstLink('ips').getAttribute('href'), p(`/ips/${encodeURIComponent(top.ips[0]!.ip)}`));
  assert.equal(await firstLink('countries').getAttribute('href'), p(`/countries/${top.countries[0]!.iso}`));
  assert.equal(await firstLink('resources').getAttribute('href'), p(`/resources/${top.resources[0]!.id}`));
  await screenshot(page, 'overview-dashboard');
  await firstLink('users').click();
  await page.waitForURL((url) => url.pathname === p(`/users/${top.users[0]!.id}`));
  assert.deepEqual(errors, []);
});

test('users: the score filter changes rows and URL, survives a reload, and the CSV holds the filtered rows', {
  skip,
}, async () => {
  await page.goto(p(`/users?${period}`));
  const table = page.getByTestId('users-table');
  await table.locator('tbody tr').first().waitFor();
  const before = number(await table.getByTestId('row-count').textContent());
  await page.getByRole('button', { name: 'Low (0–32)' }).click();
  await page.waitForURL(
    (url) => url.searchParams.get('scoreMin') === '0' && url.searchParams.get('scoreMax') === '32',
  );
  const api = await consoleApi<{ total: number; rows: { userName: string; score: number }[] }>(
    `/users?${period}&scoreMin=0&scoreMax=32&pageSize=50`,
  );
  assert.ok(api.total > 0 && api.total < before, `low-score users ${api.total} of ${before}`);
  await waitUntil(async () => number(await table.getByTestId('row-count').textContent()) === api.total);
  const scores = await table.locator('tbody tr td:nth-child(2) .badge').allTextContents();
  assert.ok(scores.length > 0 && scores.every((s) => Number(s) <= 32), scores.join(','));
  assert.equal(await table.locator('tbody tr td:first-child a').first().textContent(), api.rows[0]!.userName);

  await page.reload();
  await table.locator('tbody tr').first().waitFor();
  assert.equal(number(await table.getByTestId('row-count').textContent()), api.total);
  assert.equal(await page.getByRole('button', { name: 'Low (0–32)' }).getAttribute('aria-pressed'), 'true');
  await screenshot(page, 'overview-users-filtered');

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByText('Export CSV').click()]);
  const lines = readFileSync((await download.path())!, 'utf8')
    .trim()
    .split('\r\n');
  assert.equal(lines.length - 1, api.total);
  const scoreColumn = lines[0]!.split(',').indexOf('score');
  assert.ok(lines.slice(1).every((l) => Number(l.split(',')[scoreColumn]) <= 32));
  assert.deepEqual(errors, []);
});

test('global search: / focuses it, and a user found opens its page', { skip }, async () => {
  const users = await consoleApi<{ rows: { id: number; userName: string }[] }>(
    '/users?pageSize=1&sort=events',
  );
  const user = users.rows[0]!;
  await page.goto(p(`/?${period}`));
  await page.getByTestId('total-events').waitFor();
  await page.locator('body').press('/');
  assert.equal(await page.evaluate("document.activeElement?.getAttribute('data-testid')"), 'global-search');
  await page.keyboard.type(user.userName);
  await page.locator('.search-results li', { hasText: user.userName }).first().waitFor();
  await page.keyboard.press('Enter');
  await page.waitForURL((url) => url.pathname === p(`/users/${user.id}`));
  assert.deepEqual(errors, []);
});

test('events: a type filter changes the rows, the detail panel opens from a row', { skip }, async () => {
  await page.goto(p(`/events?${period}&type=account_login_fail`));
  const table = page.getByTestId('events-table');
  await table.locator('tbody tr').first().waitFor();
  const api = await consoleApi<{ total: number; rows: { id: number; userId: number; userName: string }[] }>(
    `/events?${period}&type=account_login_fail`,
  );
  assert.ok(api.total > 0);
  assert.equal(number(await table.getByTestId('row-count').textContent()), api.total);
  const types = await table.locator('tbody tr td:nth-child(3)').allTextContents();
  assert.ok(
    types.every((t) => t === 'Failed login'),
    types.join(','),
  );
  await page.getByTestId('events-chart').locator('canvas').first().waitFor();
  await page.getByTestId('events-totals').getByText('in the period').waitFor();

  await table.locator('tbody tr').first().locator('td').first().getByRole('button').click();
  await page.waitForURL((url) => url.searchParams.get('eventId') === String(api.rows[0]!.id));
  const panel = page.getByTestId('event-panel');
  await panel.getByText(`Event #${api.rows[0]!.id}`).waitFor();
  await panel.getByText('Failed login').first().waitFor();
  // The user's link (a user id is often also their e-mail, shown again among the e-mail facts).
  await panel
    .getByRole('link', { name: api.rows[0]!.userName, exact: true })
    .and(panel.locator(`a[href$="/users/${api.rows[0]!.userId}"]`))
    .waitFor();
  await screenshot(page, 'overview-events-panel');
  await page.keyboard.press('Escape');
  await panel.waitFor({ state: 'detached' });
  assert.deepEqual(errors, []);
});

test('logbook: requests with their outcome, and the raw fields of one', { skip }, async () => {
  await page.goto(p(`/logbook?${period}`));
  const table = page.getByTestId('logbook-table');
  await table.locator('tbody tr').first().waitFor();
  const api = await consoleApi<{ total: number; rows: { id: number; endpoint: string }[] }>(
    `/logbook?${period}`,
  );
  assert.ok(api.total > 0);
  assert.equal(await table.locator('tbody tr td:nth-child(2)').first().textContent(), api.rows[0]!.endpoint);
  await table.locator('tbody tr').first().locator('td').first().getByRole('button').click();
  const panel = page.getByTestId('logbook-panel');
  await panel.getByTestId('logbook-raw').waitFor();
  assert.match((await panel.getByTestId('logbook-raw').textContent()) ?? '', /userName/);
  await page.getByRole('button', { name: 'Rejected' }).click();
  await page.waitForURL((url) => url.searchParams.get('outcome') === 'rejected');
  await screenshot(page, 'overview-logbook');
  assert.deepEqual(errors, []);
});
