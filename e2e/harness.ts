import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import {
  cli,
  freePort,
  freshStore,
  type RunningServer,
  type Store,
  startServer,
  stopServer,
} from '../apps/server/test/server-process.ts';

// End-to-end tests: the built server as operators run it, a database filled by `vigil demo`,
// and Debian's Chromium driven by playwright-core. `npm test` builds the server and the
// dashboard first; `.ci/run` installs Chromium.

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOTS = join(dirname(fileURLToPath(import.meta.url)), 'screenshots');
export const PASSWORD = 'correct horse battery staple';
export const EMAILS = {
  admin: 'admin@example.com',
  analyst: 'analyst@example.com',
  viewer: 'viewer@example.com',
};

/**
 * Why the browser tests cannot run here, or null. In CI a missing browser is a failure, not a
 * skip: `.ci/run` installs it, and a silent skip would hide the dashboard's tests.
 */
export function browserMissing(): string | null {
  if (existsSync(CHROMIUM)) return null;
  if (process.env.CI) throw new Error(`Chromium not found at ${CHROMIUM}: .ci/run must install it`);
  return `Chromium not found at ${CHROMIUM} (apt-get install -y chromium)`;
}

export interface Console {
  server: RunningServer;
  store: Store;
  url: string;
  /** The demo project's id. */
  projectId: string;
  browser: Browser;
  /** A signed-in page for that operator (a fresh browser context each time). */
  signIn(email?: string): Promise<Page>;
  close(): Promise<void>;
}

/**
 * Starts Vigil on a fresh store filled by `vigil demo` with an admin, an analyst and a viewer
 * (all members of the demo project), and a headless Chromium.
 */
export async function startConsole(
  options: { users?: number; days?: number; demo?: boolean } = {},
): Promise<Console> {
  const store = await freshStore();
  let projectId = '';
  if (options.demo !== false) {
    const demo = cli(store, [
      'demo',
      '--users',
      String(options.users ?? 200),
      '--days',
      String(options.days ?? 14),
    ]);
    if (demo.status !== 0) throw new Error(`vigil demo failed:\n${demo.stdout}\n${demo.stderr}`);
    projectId = /Project id: (\S+)/.exec(demo.stdout)?.[1] ?? '';
    for (const [role, email] of Object.entries(EMAILS)) {
      const made = cli(store, [
        'operator',
        'create',
        '--email',
        email,
        '--password',
        PASSWORD,
        '--role',
        role,
      ]);
      if (made.status !== 0) throw new Error(`operator create failed: ${made.stderr}`);
    }
  }
  const server = await startServer(store, freePort());
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  const contexts: BrowserContext[] = [];
  return {
    server,
    store,
    url: server.url,
    projectId,
    browser,
    async signIn(email = EMAILS.admin) {
      const context = await browser.newContext({
        baseURL: server.url,
        viewport: { width: 1400, height: 900 },
      });
      contexts.push(context);
      const page = await context.newPage();
      await signInOn(page, email);
      return page;
    },
    async close() {
      for (const context of contexts) await context.close().catch(() => {});
      await browser.close();
      await stopServer(server);
      await store.dispose();
    },
  };
}

/**
 * The usual start of a browser suite: a console filled by `vigil demo` (see `startConsole`) and
 * one page signed in as `email`, whose errors are collected.
 */
export async function openConsole(
  options: Parameters<typeof startConsole>[0],
  email: string,
): Promise<{ c: Console; page: Page; errors: string[] }> {
  const c = await startConsole(options);
  const page = await c.signIn(email);
  return { c, page, errors: collectPageErrors(page) };
}

/** Signs in through the login form and waits for the console's shell. */
export async function signInOn(page: Page, email: string, password = PASSWORD): Promise<void> {
  await page.goto('/login');
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('nav.sidebar').waitFor();
}

/**
 * A console API call made by a signed-in page: its session cookie, and on a mutation its CSRF
 * token. An error status fails the call with the server's answer.
 */
export async function apiAs<T>(
  page: Page,
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  url: string,
  body?: unknown,
): Promise<T> {
  return page.evaluate(
    async ({ method, url, body }) => {
      const headers: Record<string, string> = {};
      if (body !== undefined) headers['content-type'] = 'application/json';
      if (method !== 'GET')
        headers['x-csrf-token'] = (await (await fetch('/api/console/me')).json()).csrfToken;
      const res = await fetch(url, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${await res.text()}`);
      return res.json();
    },
    { method, url, body },
  ) as Promise<T>;
}

/** Saves a screenshot under e2e/screenshots/ (kept by CI as evidence that pages render). */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/**
 * Fails the test on any uncaught page error or console error (a broken page often renders
 * "something"); call it right after creating the page.
 */
export function collectPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  return errors;
}
