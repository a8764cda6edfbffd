import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { apiAs, browserMissing, type Console, EMAILS, openConsole, screenshot } from './harness.ts';

// The analyst's work lists in a browser, on a `vigil demo` database: the review queue with a bulk
// decision and a note, the blacklist after a blacklisting, and the watchlist's activity.

const skip = browserMissing() ?? false;

let c: Console;
let page: Page;
let errors: string[];

interface ReviewRow {
  id: number;
  userName: string;
}

/** A console API call of the demo project, made by the signed-in page. */
const consoleApi = <T>(method: 'GET' | 'PUT' | 'POST', path: string, body?: unknown) =>
  apiAs<T>(page, method, `/api/console/projects/${c.projectId}${path}`, body);

async function menuCount(name: 'review' | 'blacklisted' | 'watched'): Promise<number> {
  const text = (await page.getByTestId(`count-${name}`).textContent()) ?? '';
  return Number(text.replace(/,/g, ''));
}

async function waitForMenuCount(name: 'review' | 'blacklisted' | 'watched', expected: number) {
  await page.waitForFunction(
    ({ name, expected }) =>
      Number(document.querySelector(`[data-testid="count-${name}"]`)?.textContent?.replace(/,/g, '')) ===
      expected,
    { name, expected },
  );
}

before(async () => {
  if (skip) return;
  ({ c, page, errors } = await openConsole({ users: 150, days: 14 }, EMAILS.analyst));
  page.on('dialog', (dialog) => void dialog.accept());
});
after(async () => {
  if (!skip) await c.close();
});

test('the review queue lists the users in review; a bulk approval with a note empties two rows', {
  skip,
}, async () => {
  await page.goto(`/p/${c.projectId}/review`);
  const table = page.getByTestId('review-table');
  await table.locator('tbody tr').first().waitFor();
  const api = await consoleApi<{ total: number; rows: ReviewRow[] }>('GET', '/review?pageSize=50');
  assert.ok(api.total >= 3, `the demo should put users in review, found ${api.total}`);
  const count = await menuCount('review');
  assert.equal(count, api.total, 'the menu count is the queue length');
  assert.equal(await table.getByTestId('row-count').textContent(), `${api.total.toLocaleString('en')} rows`);
  // Longest waiting first, as the API orders them, with a link to each user's page.
  const shown = await table.locator('tbody tr td:nth-child(2) a').allTextContents();
  assert.deepEqual(
    shown,
    api.rows.map((r) => r.userName),
  );
  assert.equal(
    await table.getByRole('link', { name: api.rows[0]!.userName, exact: true }).getAttribute('href'),
    `/p/${c.projectId}/users/${api.rows[0]!.id}`,
  );

  const [first, second] = api.rows as [ReviewRow, ReviewRow];
  await page.getByLabel(`Select ${first.userName}`, { exact: true }).check();
  await page.getByLabel(`Select ${second.userName}`, { exact: true }).check();
  assert.equal(await page.getByTestId('review-selected').textContent(), '2 selected');
  await page.getByLabel('Reviewer note').fill('Known customers, verified by phone');
  await screenshot(page, 'queues-review-selected');
  await page.getByRole('button', { name: 'Approve selected' }).click();
  await page.getByRole('status').filter({ hasText: '2 decided (approved)' }).waitFor();
  await waitForMenuCount('review', count - 2);
  await table.getByRole('link', { name: first.userName, exact: true }).waitFor({ state: 'detached' });
  assert.equal(await table.getByRole('link', { name: second.userName, exact: true }).count(), 0);
  assert.equal(
    await table.getByTestId('row-count').textContent(),
    `${(api.total - 2).toLocaleString('en')} rows`,
  );
  await screenshot(page, 'queues-review-approved');

  // The decision is the shared one: visible in the user's history with the note and the actor.
  const after = await consoleApi<{ total: number; rows: ReviewRow[] }>('GET', '/review?pageSize=500');
  assert.equal(after.total, api.total - 2);
  assert.ok(!after.rows.some((r) => r.id === first.id || r.id === second.id));
});

test('blacklisting from the queue puts the user and their identities on the blacklist page', {
  skip,
}, async () => {
  const queue = await consoleApi<{ rows: ReviewRow[] }>('GET', '/review');
  const target = queue.rows[0]!;
  const blacklistedBefore = await menuCount('blacklisted');
  await page.getByLabel(`Select ${target.userName}`, { exact: true }).check();
  await page.getByLabel('Reviewer note').fill('Card testing from a datacenter');
  await page.getByRole('button', { name: 'Blacklist selected' }).click();
  await page.getByRole('status').filter({ hasText: '1 decided (blacklisted)' }).waitFor();
  await waitForMenuCount('blacklisted', blacklistedBefore + 1);

  await page
    .getByRole('navigation', { name: 'main' })
    .getByRole('link', { name: /Blacklist/ })
    .click();
  const identities = page.getByTestId('blacklist-identities');
  await identities.locator('tbody tr').first().waitFor();
  const mine = identities
    .locator('tbody tr')
    .filter({ has: page.getByRole('link', { name: target.userName }) });
  assert.ok((await mine.count()) >= 1, 'the identities of the blacklisted user are listed with them');
  const types = await mine.locator('td:first-child').allTextContents();
  assert.ok(types.includes('IP'), `an IP of the user is blacklisted: ${types}`);
  await screenshot(page, 'queues-blacklist-identities');

  await page.getByRole('button', { name: 'Users', exact: true }).click();
  const users = page.getByTestId('blacklist-users');
  const row = users.locator('tbody tr').filter({ has: page.getByRole('link', { name: target.userName }) });
  await row.waitFor();
  const text = (await row.textContent()) ?? '';
  assert.ok(text.includes(EMAILS.analyst), `decided by the analyst: ${text}`);
  assert.ok(text.includes('Card testing from a datacenter'), `with the note: ${text}`);
  await screenshot(page, 'queues-blacklist-users');
});

test('a user watched through the API shows on the watchlist with their activity', { skip }, async () => {
  const users = await consoleApi<{ rows: ReviewRow[] }>('GET', '/review');
  const watched = users.rows[0]!;
  await consoleApi('PUT', `/watchlist/${watched.id}`);
  await page.goto(`/p/${c.projectId}/watchlist?range=1M`);
  const tags = page.getByTestId('watchlist-users');
  await tags.getByRole('link', { name: watched.userName, exact: true }).waitFor();
  await waitForMenuCount('watched', 1);
  const activity = await consoleApi<{ total: number; rows: { userName: string; url: string }[] }>(
    'GET',
    `/watchlist/events?from=${encodeURIComponent(new Date(Date.now() - 30 * 86_400_000).toISOString())}`,
  );
  assert.ok(activity.total > 0, 'the demo user has events in the last month');
  const table = page.getByTestId('watchlist-activity');
  await table.locator('tbody tr').first().waitFor();
  const names = await table.locator('tbody tr td:nth-child(2)').allTextContents();
  assert.ok(
    names.length > 0 && names.every((n) => n === watched.userName),
    `only the watched user: ${names}`,
  );
  assert.equal(
    await table.locator('tbody tr').first().locator('td:nth-child(6)').textContent(),
    activity.rows[0]!.url,
    'newest event first, as the API gives it',
  );
  await screenshot(page, 'queues-watchlist');

  await page.getByRole('button', { name: `Stop watching ${watched.userName}` }).click();
  await page.getByText('Nobody is watched').waitFor();
  await waitForMenuCount('watched', 0);
  assert.deepEqual(errors, []);
});
