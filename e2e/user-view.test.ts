import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { apiAs, browserMissing, type Console, EMAILS, openConsole, screenshot } from './harness.ts';

// The single user view and the field audit trail in a browser, on a `vigil demo` database: what
// the page shows must be what the console API answers, and a decision made on the page must show
// in the status badge and in the menu's counts.

const skip = browserMissing() ?? false;

let c: Console;
let page: Page;
let errors: string[];

/** A GET of the console API made by the signed-in page (its session cookie). */
const consoleGet = <T>(path: string) => apiAs<T>(page, 'GET', `/api/console/projects/${c.projectId}${path}`);

/** Waits until the element shows exactly this text (locators retry; no script in the page). */
async function waitForText(testId: string, text: string) {
  await page
    .getByTestId(testId)
    .filter({ hasText: new RegExp(`^${text}$`) })
    .first()
    .waitFor();
}

async function waitForMenuCount(name: 'review' | 'blacklisted', expected: number) {
  await waitForText(`count-${name}`, expected.toLocaleString('en'));
}

async function menuCount(name: 'review' | 'blacklisted'): Promise<number> {
  return Number(((await page.getByTestId(`count-${name}`).textContent()) ?? '').replace(/,/g, ''));
}

interface Details {
  user: { id: number; userName: string; status: string };
  score: { score: number; matched: { code: string; weight: number }[] };
  decisions: { decision: string; actor: string; note: string | null }[];
}

before(async () => {
  if (skip) return;
  ({ c, page, errors } = await openConsole({ users: 150, days: 14 }, EMAILS.analyst));
});
after(async () => {
  if (!skip) await c.close();
});

test('a user in review: score and breakdown as the API says, map, graph, timeline; approve then blacklist', {
  skip,
}, async () => {
  await page.goto(`/p/${c.projectId}/`);
  // The riskiest user of the review queue: the one with the lowest score.
  const queue = await consoleGet<{ rows: { id: number }[] }>('/review?sort=score&order=asc&pageSize=1');
  assert.equal(queue.rows.length, 1, 'the demo puts users in review');
  const id = queue.rows[0]!.id;
  const details = await consoleGet<Details>(`/users/${id}`);
  const weighted = details.score.matched.filter((m) => m.weight !== 0);
  assert.ok(weighted.length > 0, 'the user has matched rules');

  await page.goto(`/p/${c.projectId}/users/${id}`);
  await page.getByTestId('user-score').waitFor();
  assert.equal(await page.getByTestId('user-score').textContent(), String(details.score.score));
  assert.equal(await page.getByTestId('user-status').textContent(), 'in review');
  const rows = page.getByTestId('breakdown').locator('tbody tr');
  assert.equal(await rows.count(), weighted.length, 'one row per weighted matched rule');
  for (const rule of weighted) {
    const row = page.getByTestId(`rule-${rule.code}`);
    assert.equal(await row.getByTestId('rule-weight').textContent(), String(rule.weight), rule.code);
  }

  // The map shades exactly the countries of the user's IPs.
  const entities = await consoleGet<{ countries: { iso: string }[]; totals: { ips: number } }>(
    `/users/${id}/entities`,
  );
  await page.getByTestId('world-map').waitFor();
  const map = page.getByTestId('world-map');
  const drawn = await map
    .locator('path.country')
    .evaluateAll((paths) => paths.map((p) => p.getAttribute('data-iso')));
  const shaded = await map
    .locator('path.country:not(.level-0)')
    .evaluateAll((paths) => paths.map((p) => p.getAttribute('data-iso')).sort());
  const expected = entities.countries.map((c) => c.iso).filter((iso) => drawn.includes(iso));
  assert.ok(expected.length > 0, 'the user has a country on the map');
  assert.deepEqual(shaded, expected.sort(), "the map shades the user's countries");
  assert.equal(await page.getByTestId('tile-ips').locator('dd').textContent(), String(entities.totals.ips));

  // The connections graph: one node per connected user, each a link to that user.
  const connections = await consoleGet<{ connections: { userId: number; userName: string }[] }>(
    `/users/${id}/connections`,
  );
  if (connections.connections.length > 0) {
    await page.getByTestId('connections-graph').waitFor();
    const nodes = page.getByTestId('graph-node');
    assert.equal(await nodes.count(), connections.connections.length);
    assert.equal(
      await nodes.first().getAttribute('href'),
      `/p/${c.projectId}/users/${connections.connections[0]!.userId}`,
    );
    assert.equal(
      await page.getByTestId('connections-table').locator('tbody tr').count(),
      connections.connections.length,
    );
  }

  // Sparklines and the timeline.
  const activity = await consoleGet<{ events: { total: { current: number } } }>(`/users/${id}/activity`);
  assert.equal(
    await page.getByTestId('spark-events').getByTestId('spark-current').textContent(),
    activity.events.total.current.toLocaleString('en'),
  );
  const timeline = await consoleGet<{ total: number }>(`/users/${id}/events?pageSize=1`);
  const table = page.getByTestId('user-timeline');
  await table.locator('tbody tr').first().waitFor();
  assert.equal(
    await table.getByTestId('row-count').textContent(),
    `${timeline.total.toLocaleString('en')} rows`,
  );
  await screenshot(page, 'user-view');

  // Approve with a note: the badge changes and the review queue shrinks by one.
  const inReview = await menuCount('review');
  await page.getByLabel('Reviewer note').fill('Known customer, verified by phone');
  await page.getByTestId('action-approve').click();
  await waitForText('user-status', 'approved');
  await waitForMenuCount('review', inReview - 1);
  const approved = await consoleGet<Details>(`/users/${id}`);
  assert.equal(approved.user.status, 'approved');
  assert.deepEqual(approved.decisions[0], {
    ...approved.decisions[0],
    decision: 'approve',
    actor: EMAILS.analyst,
    note: 'Known customer, verified by phone',
  });
  assert.equal(
    await page.getByTestId('user-decisions').locator('li').first().locator('strong').textContent(),
    'Approved',
  );

  // Blacklist: the badge changes and the blacklist count grows by one.
  const blacklisted = await menuCount('blacklisted');
  await page.getByTestId('action-blacklist').click();
  await waitForText('user-status', 'blacklisted');
  await waitForMenuCount('blacklisted', blacklisted + 1);
  assert.equal((await consoleGet<Details>(`/users/${id}`)).user.status, 'blacklisted');
  await page.getByTestId('action-unblacklist').waitFor();
  await screenshot(page, 'user-view-blacklisted');
  assert.deepEqual(errors, []);
});

test('the field audit trail: fields, one field, its changes, filter by user, CSV', { skip }, async () => {
  const fields = await consoleGet<{ total: number; rows: { id: number; fieldId: string; edits: number }[] }>(
    '/field-audit/fields',
  );
  assert.ok(fields.total > 0, 'the demo edits fields');
  await page.goto(`/p/${c.projectId}/field-audit?range=all`);
  const table = page.getByTestId('fields-table');
  await table.locator('tbody tr').first().waitFor();
  assert.equal(
    await table.getByTestId('row-count').textContent(),
    `${fields.total.toLocaleString('en')} rows`,
  );
  await page.getByTestId('chart').first().waitFor();
  await screenshot(page, 'field-audit');

  const field = fields.rows[0]!;
  await table.getByRole('link', { name: field.fieldId, exact: true }).first().click();
  await page.getByTestId('field-title').waitFor();
  assert.equal(
    await page.getByTestId('field-edits').locator('dd').textContent(),
    field.edits.toLocaleString('en'),
  );
  const changes = await consoleGet<{ total: number; rows: { userId: number; userName: string }[] }>(
    `/field-audit/changes?fieldRef=${field.id}`,
  );
  const changeTable = page.getByTestId('changes-table');
  await changeTable.locator('tbody tr').first().waitFor();
  assert.equal(
    await changeTable.getByTestId('row-count').textContent(),
    `${changes.total.toLocaleString('en')} rows`,
  );

  // Filter the whole trail by the user of the first change.
  const user = changes.rows[0]!;
  const byUser = await consoleGet<{ total: number }>(`/field-audit/changes?userId=${user.userId}`);
  await page.goto(`/p/${c.projectId}/field-audit/changes?range=all&userId=${user.userId}`);
  await page.getByTestId('filter-user').getByText(user.userName).waitFor();
  await page
    .getByTestId('changes-table')
    .getByTestId('row-count')
    .filter({ hasText: `${byUser.total.toLocaleString('en')} rows` })
    .waitFor();
  const download = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Export CSV' }).click();
  const csv = await (await download).createReadStream();
  let text = '';
  for await (const chunk of csv) text += chunk;
  const lines = text.trim().split('\r\n');
  assert.equal(lines.length, byUser.total + 1, 'the CSV holds the filtered changes');
  assert.ok(
    lines.slice(1).every((l) => l.includes(`,${user.userName},`) || l.includes(`"${user.userName}"`)),
  );
  await screenshot(page, 'field-audit-changes');
  assert.deepEqual(errors, []);
});
