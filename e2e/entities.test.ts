import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { apiAs, browserMissing, type Console, EMAILS, openConsole, screenshot } from './harness.ts';

// The entity pages in a browser on a `vigil demo` database: every list and one detail page of
// each, their content checked against the console API, chips and CSV export, the links between
// entities, the maps and the charts.

const skip = browserMissing() ?? false;

let c: Console;
let page: Page;
let errors: string[];

type Row = Record<string, unknown>;
interface List {
  rows: Row[];
  total: number;
}

const consoleApi = <T>(path: string) => apiAs<T>(page, 'GET', `/api/console/projects/${c.projectId}${path}`);

/** Each list, its default sort (as the page asks), and what its detail page is titled by. */
const LISTS: { kind: string; sort: string; link: string; title: (r: Row) => string }[] = [
  { kind: 'ips', sort: 'lastSeen', link: 'ips', title: (r) => String(r.ip) },
  { kind: 'isps', sort: 'events', link: 'isps', title: (r) => String(r.name) },
  { kind: 'countries', sort: 'events', link: 'countries', title: (r) => String(r.name) },
  { kind: 'domains', sort: 'events', link: 'domains', title: (r) => String(r.domain) },
  { kind: 'emails', sort: 'lastSeen', link: 'emails', title: (r) => String(r.email) },
  { kind: 'phones', sort: 'lastSeen', link: 'phones', title: (r) => String(r.e164 ?? r.phone) },
  { kind: 'devices', sort: 'lastSeen', link: 'devices', title: (r) => String(r.botName ?? r.browser ?? '') },
  { kind: 'resources', sort: 'lastSeen', link: 'resources', title: (r) => String(r.url) },
];

const rowCount = async (testId: string) =>
  Number(
    ((await page.getByTestId(testId).getByTestId('row-count').textContent()) ?? '').replace(/[^0-9]/g, ''),
  );

/** Waits until the table says it holds n rows (after a filter, the old page stays until then). */
const waitRowCount = (testId: string, n: number) =>
  page
    .getByTestId(testId)
    .getByTestId('row-count')
    .filter({ hasText: new RegExp(`^${n.toLocaleString('en')} rows$`) })
    .waitFor();

before(async () => {
  if (skip) return;
  ({ c, page, errors } = await openConsole({ users: 150, days: 14 }, EMAILS.viewer));
});
after(async () => {
  if (!skip) await c.close();
});

test('every list shows the API rows with counters, a chart and period totals; each detail page opens from it', {
  skip,
}, async () => {
  for (const list of LISTS) {
    await page.goto(`/p/${c.projectId}/${list.kind}?range=all`);
    const table = page.getByTestId(`${list.kind}-table`);
    await table.locator('tbody tr').first().waitFor();
    const api = await consoleApi<List>(`/${list.kind}?page=1&pageSize=50&sort=${list.sort}&order=desc`);
    assert.ok(api.total > 0, `${list.kind}: the demo has rows`);
    assert.equal(await rowCount(`${list.kind}-table`), api.total, `${list.kind}: the total`);
    const first = table.locator('tbody tr').first();
    const firstLink = first.locator(`a[data-link="${list.link}"]`).first();
    // The in-period / before totals arrive from the activity call; the chart is drawn.
    await table.getByTestId('period-total').first().waitFor();
    await page.locator(`[data-testid="${list.kind}-list"] [data-testid="chart"] canvas`).first().waitFor();
    await screenshot(page, `entities-${list.kind}`);

    const expected = list.title(api.rows[0]!);
    await firstLink.click();
    await page.getByTestId(`${list.kind}-detail`).waitFor();
    const title = (await page.getByTestId('entity-title').textContent()) ?? '';
    assert.ok(title.includes(expected), `${list.kind}: detail titled "${title}", expected "${expected}"`);
    assert.match(page.url(), new RegExp(`/p/${c.projectId}/${list.kind}/[^/?]+`));
    // Related users, then the events chart and table, last.
    await page.getByTestId('entity-users').getByTestId('row-count').waitFor();
    await page.getByTestId('entity-events').getByTestId('row-count').waitFor();
    await page.locator(`[data-testid="${list.kind}-detail"] [data-testid="chart"] canvas`).first().waitFor();
    await screenshot(page, `entities-${list.kind}-detail`);
  }
  assert.deepEqual(errors, []);
});

test('IPs: the type chip filters the rows, the CSV holds exactly the filtered rows', { skip }, async () => {
  await page.goto(`/p/${c.projectId}/ips?range=all`);
  const table = page.getByTestId('ips-table');
  await table.locator('tbody tr').first().waitFor();
  const all = await rowCount('ips-table');
  await page.getByRole('button', { name: 'Datacenter', exact: true }).click();
  await page.waitForURL(/type=datacenter/);
  const api = await consoleApi<List>('/ips?type=datacenter&pageSize=500');
  assert.ok(api.total > 0 && api.total < all, `datacenter IPs ${api.total} of ${all}`);
  await waitRowCount('ips-table', api.total);
  const types = await table.locator('tbody tr td:nth-child(2)').allTextContents();
  assert.ok(types.length > 0 && types.every((t) => t === 'Datacenter'), types.join(','));

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    table.getByRole('link', { name: 'Export CSV' }).click(),
  ]);
  const csv = readFileSync((await download.path())!, 'utf8')
    .trim()
    .split('\r\n');
  assert.equal(csv[0], 'ip,type,country,asn,isp,network,blacklisted,events,users,firstSeen,lastSeen');
  assert.equal(csv.length - 1, api.total);
  assert.ok(csv.slice(1).every((line) => line.split(',')[1] === 'datacenter'));
  assert.deepEqual(
    csv
      .slice(1)
      .map((l) => l.split(',')[0])
      .sort(),
    api.rows.map((r) => String(r.ip)).sort(),
  );
});

test('links lead to the right pages: IP → network, country, user; the IP map shades its country', {
  skip,
}, async () => {
  const ip = (await consoleApi<List>('/ips?sort=users&order=desc&pageSize=1')).rows[0]!;
  await page.goto(`/p/${c.projectId}/ips/${encodeURIComponent(String(ip.ip))}?range=all`);
  await page.getByTestId('ips-detail').waitFor();
  assert.equal(await page.getByTestId('tile-users').locator('dd').textContent(), String(ip.users));
  assert.equal(await page.getByTestId('tile-events').locator('dd').textContent(), String(ip.events));
  const map = page.getByTestId('world-map');
  await map.waitFor();
  assert.equal(await map.locator(`path[data-iso="${ip.country}"]`).getAttribute('class'), 'country level-5');
  await screenshot(page, 'entities-ip-map');

  const users = await consoleApi<List>(
    `/ips/${encodeURIComponent(String(ip.ip))}/users?sort=lastSeen&order=desc&pageSize=25`,
  );
  assert.equal(await rowCount('entity-users'), users.total);
  await page.getByTestId('entity-users').locator('a[data-link="users"]').first().click();
  await page.waitForURL(new RegExp(`/users/${users.rows[0]!.id}`));

  await page.goto(`/p/${c.projectId}/ips/${encodeURIComponent(String(ip.ip))}?range=all`);
  await page.getByTestId('tile-isp').locator('a').click();
  await page.getByTestId('isps-detail').waitFor();
  assert.match(page.url(), new RegExp(`/isps/${ip.ispId}`));
  // The network's page lists its IPs; ours is among them.
  await page.getByTestId('entity-ips').locator('tbody tr').first().waitFor();
  const netIps = await consoleApi<List>(`/ips?ispId=${ip.ispId}&pageSize=1`);
  assert.equal(await rowCount('entity-ips'), netIps.total);

  await page.goto(`/p/${c.projectId}/ips/${encodeURIComponent(String(ip.ip))}?range=all`);
  await page.getByTestId('tile-country').locator('a').click();
  await page.getByTestId('countries-detail').waitFor();
  assert.equal(await page.getByTestId('entity-title').textContent(), ip.countryName);
});

test('countries: the map is shaded by events or by risky users, and a country opens from it', {
  skip,
}, async () => {
  await page.goto(`/p/${c.projectId}/countries?range=all`);
  const map = page.getByTestId('countries-map');
  await page.getByTestId('countries-table').locator('tbody tr').first().waitFor();
  const events = await consoleApi<{ values: Record<string, number> }>('/countries-map?metric=events');
  const top = Object.entries(events.values).sort((a, b) => b[1] - a[1])[0]!;
  await map.locator(`path[data-iso="${top[0]}"].level-5`).waitFor();
  await screenshot(page, 'entities-countries-map');

  await map.getByRole('button', { name: 'Risky users' }).click();
  await page.waitForURL(/metric=risky/);
  const risky = await consoleApi<{ values: Record<string, number> }>('/countries-map?metric=risky');
  const riskiest = Object.entries(risky.values).sort((a, b) => b[1] - a[1])[0];
  assert.ok(riskiest, 'the demo has risky users');
  await page.locator('[data-testid="countries-map"][data-metric="risky"]').waitFor();
  await map.locator(`path[data-iso="${riskiest[0]}"].level-5`).waitFor();
  // Countries without risky users are left blank in this view.
  const blank = Object.keys(events.values).find((iso) => !(iso in risky.values));
  if (blank) await map.locator(`path[data-iso="${blank}"].level-0`).waitFor();
  await screenshot(page, 'entities-countries-risky');
  await map.locator(`a path[data-iso="${top[0]}"]`).click();
  await page.getByTestId('countries-detail').waitFor();
  assert.match(page.url(), new RegExp(`/countries/${top[0]}`));
  assert.deepEqual(errors, []);
});

test('devices and resources: chips for bots and file types change the rows', { skip }, async () => {
  await page.goto(`/p/${c.projectId}/devices?range=all`);
  await page.getByTestId('devices-table').locator('tbody tr').first().waitFor();
  await page.getByRole('button', { name: 'Bots', exact: true }).click();
  const bots = await consoleApi<List>('/devices?kind=bot');
  await waitRowCount('devices-table', bots.total);
  const resources = await consoleApi<List>('/resources?fileType=asset');
  await page.goto(`/p/${c.projectId}/resources?range=all&fileType=asset`);
  await page.getByTestId('resources-table').getByTestId('row-count').waitFor();
  assert.equal(await rowCount('resources-table'), resources.total);
  assert.deepEqual(errors, []);
});
