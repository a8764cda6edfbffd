import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { apiAs, browserMissing, type Console, EMAILS, openConsole, screenshot } from './harness.ts';

// The rules page in a browser, on a `vigil demo` database (preset account_takeover): a weight
// change that survives a reload and that the API confirms, a rule test, a CEL rule with a syntax
// error shown at its line, fixed and tested, a what-if before publishing, and the published version.

// `skip: null` would report a failing test as skipped: pass false when the browser is there.
const skip = browserMissing() ?? false;

let c: Console;
let page: Page;
let errors: string[];

interface RuleRow {
  code: string;
  weight: number;
  matched: number;
}
interface RulesPage {
  version: number;
  rules: RuleRow[];
}
interface TestReport {
  checked: number;
  matched: number;
}

/** A console API call of the demo project, made by the signed-in page. */
const consoleApi = <T>(method: 'GET' | 'POST', path: string, body?: unknown) =>
  apiAs<T>(page, method, `/api/console/projects/${c.projectId}${path}`, body);

/** Waits until the background rescore started by the last change is over. */
async function rescoreDone() {
  for (let i = 0; i < 300; i++) {
    const progress = await consoleApi<{ running: boolean }>('GET', '/rules/rescore');
    if (!progress.running) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the rescore did not finish');
}

const n = (value: number) => value.toLocaleString('en');

before(async () => {
  if (skip) return;
  ({ c, page, errors } = await openConsole({ users: 150, days: 14 }, EMAILS.admin));
  page.on('dialog', (dialog) => void dialog.accept());
});
after(async () => {
  if (!skip) await c.close();
});

test('the rules table: groups, weights and firing counts as the API has them; a weight change survives a reload', {
  skip,
}, async () => {
  // The whole history, as the API computes it without a period.
  await page.goto(`/p/${c.projectId}/rules?range=all`);
  const table = page.getByTestId('rules-table');
  await table.waitFor();
  const before = await consoleApi<RulesPage>('GET', '/rules');
  assert.equal(await page.getByTestId('rules-shown').textContent(), '112 of 112 rules');
  for (const group of [
    'Account takeover',
    'Behaviour',
    'Country',
    'Device',
    'E-mail',
    'IP',
    'Phone',
    'Reuse',
  ]) {
    await table.locator('tr.rules-group th', { hasText: group }).first().waitFor();
  }
  // The preset's weights, and the most frequent rule's count as the API computed it.
  const a01 = page.getByTestId('rule-A01');
  assert.equal(await a01.getByLabel('Weight of A01').inputValue(), '70');
  const busiest = [...before.rules].sort((a, b) => b.matched - a.matched)[0]!;
  assert.ok(busiest.matched > 0, 'some rule fires on the demo');
  const fired = await page.getByTestId(`rule-${busiest.code}`).getByTestId('fired').textContent();
  assert.ok(fired?.startsWith(`${n(busiest.matched)} (`), `${busiest.code} fired: ${fired}`);
  await screenshot(page, 'rules-table');

  const e01 = before.rules.find((r) => r.code === 'E01')!;
  assert.equal(e01.weight, 0);
  const row = page.getByTestId('rule-E01');
  await row.getByLabel('Weight of E01').selectOption('20');
  await row.getByRole('button', { name: 'Save' }).click();
  await row.getByText(`E01 now weighs 20 (version ${before.version + 1})`).waitFor();
  await page.getByTestId('rescore').waitFor();

  await page.reload();
  await page.getByTestId('rule-E01').waitFor();
  assert.equal(await page.getByTestId('rule-E01').getByLabel('Weight of E01').inputValue(), '20');
  assert.equal(await page.getByTestId('rules-version').textContent(), `Live version ${before.version + 1}`);
  const afterChange = await consoleApi<RulesPage>('GET', '/rules');
  assert.equal(afterChange.version, before.version + 1);
  assert.equal(afterChange.rules.find((r) => r.code === 'E01')!.weight, 20);
  assert.deepEqual(errors, []);
});

test("a rule's test shows its match rate over the last users", { skip }, async () => {
  await page.goto(`/p/${c.projectId}/rules?q=A01`);
  const row = page.getByTestId('rule-A01');
  await row.getByRole('button', { name: /Test A01/ }).click();
  const result = page.getByTestId('test-result');
  await result.waitFor();
  const api = await consoleApi<TestReport>('GET', '/rules/A01/test?users=1000');
  assert.match(
    (await result.textContent()) ?? '',
    new RegExp(`^${n(api.matched)} of ${n(api.checked)} users matched`),
  );
  await screenshot(page, 'rules-test');
  assert.deepEqual(errors, []);
});

test('a CEL rule: the syntax error shown at its line, fixed, tested, saved; what-if; published', {
  skip,
}, async () => {
  await rescoreDone();
  await page.goto(`/p/${c.projectId}/rules/custom`);
  await page.getByTestId('draft-panel').getByText('No draft').waitFor();
  await page.getByRole('link', { name: 'New custom rule' }).click();
  await page.getByLabel('Name').fill('Busy and far-travelled');
  const editor = page.getByLabel('Expression (CEL)');
  await editor.fill('user.eventCount > 3 &&\n  counts.countries >');
  await page.getByRole('button', { name: 'Check' }).click();
  const compileErrors = page.getByTestId('compile-errors');
  await compileErrors.waitFor();
  assert.match((await compileErrors.textContent()) ?? '', /^Line 2, column 21: /);
  assert.equal(await page.locator('.code-gutter .code-line-error').textContent(), '2');
  await screenshot(page, 'rules-cel-error');

  const source = 'user.eventCount > 3 &&\n  counts.countries >= 2';
  await editor.fill(source);
  await page.getByRole('button', { name: 'Test over the last users' }).click();
  const result = page.getByTestId('test-result');
  await result.waitFor();
  assert.equal(await compileErrors.count(), 0, 'the fixed rule has no error left');
  const api = await consoleApi<TestReport>('POST', '/rules/custom/test', { source, users: 1000 });
  assert.match(
    (await result.textContent()) ?? '',
    new RegExp(`^${n(api.matched)} of ${n(api.checked)} users matched`),
  );
  await screenshot(page, 'rules-cel-test');

  await page.getByLabel('Weight').selectOption('20');
  await page.getByRole('button', { name: 'Save to draft' }).click();
  await page.getByTestId('saved').getByText('Saved to the draft as X01.').waitFor();
  await page.waitForURL(/\/rules\/custom\/X01\?saved=1$/);

  await page.getByRole('link', { name: 'Back to custom rules' }).click();
  await page.getByTestId('draft-changes').getByText('added X01').waitFor();
  await page.getByRole('button', { name: 'What if it were published?' }).click();
  const whatIf = page.getByTestId('what-if');
  await whatIf.waitFor();
  const expected = await consoleApi<{ checked: number; enterCount: number; scoreChanges: { down: number } }>(
    'GET',
    '/rules/draft/what-if?users=10000',
  );
  assert.equal(await page.getByTestId('what-if-down').textContent(), n(expected.scoreChanges.down));
  assert.equal(await page.getByTestId('what-if-enter').textContent(), n(expected.enterCount));
  // Only matched users can score lower; how many do depends on the demo's data (a matched user
  // already at 0 cannot go down), so the page is checked against the API, not a fixed count.
  assert.ok(expected.checked > 0, 'the what-if examined no user');
  assert.ok(
    expected.scoreChanges.down <= api.matched,
    `${expected.scoreChanges.down} users scored lower, but only ${api.matched} match the rule`,
  );
  await screenshot(page, 'rules-what-if');

  const live = (await consoleApi<RulesPage>('GET', '/rules')).version;
  await page.getByRole('button', { name: 'Publish draft' }).click();
  await page.getByText(`Published as version ${live + 1}.`).waitFor();
  await page.getByRole('link', { name: 'Versions' }).click();
  const version = page.getByTestId(`version-${live + 1}`);
  await version.waitFor();
  assert.match((await version.textContent()) ?? '', /live.*added X01/);
  await screenshot(page, 'rules-versions');
  const published = await consoleApi<RulesPage>('GET', '/rules');
  assert.equal(published.rules.find((r) => r.code === 'X01')?.weight, 20);
  assert.deepEqual(errors, []);
});
