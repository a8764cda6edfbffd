import type { LightMyRequestResponse } from 'fastify';
import { createOperator, type Role } from '../src/operators/operators.ts';
import { createProject } from '../src/projects.ts';
import { type Harness, startHarness } from './harness.ts';

export const PASSWORD = 'correct horse battery staple';

/** A signed-in browser: its session cookie and CSRF token, replayed on every request. */
export interface ConsoleClient {
  email: string;
  cookie: string;
  csrfToken: string;
  request(
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    url: string,
    body?: unknown,
    options?: { csrf?: boolean },
  ): Promise<LightMyRequestResponse>;
  get(url: string): Promise<LightMyRequestResponse>;
}

export interface ConsoleHarness extends Harness {
  /** A second project none of the non-admin operators belongs to. */
  otherProjectId: string;
  /** Operators of the harness project: admin is an installation admin; the rest are members. */
  emails: Record<'admin' | 'projectAdmin' | 'analyst' | 'viewer', string>;
  login(email: string, password?: string): Promise<ConsoleClient>;
  /** `/api/console/projects/<projectId>` + path. */
  project(path?: string): string;
}

/**
 * The test harness with the console's people: an installation admin, and an admin, an analyst
 * and a viewer of the harness project only (so another project's id must answer 404 to them).
 */
export async function startConsoleHarness(
  options: Parameters<typeof startHarness>[0] = {},
): Promise<ConsoleHarness> {
  const h = await startHarness(options);
  const { project: other } = await createProject(h.db, { name: 'Other project' });
  const emails = {
    admin: 'admin@example.com',
    projectAdmin: 'owner@example.com',
    analyst: 'analyst@example.com',
    viewer: 'viewer@example.com',
  };
  await createOperator(h.db, { email: emails.admin, password: PASSWORD, role: 'admin' });
  const members: [string, Role][] = [
    [emails.projectAdmin, 'admin'],
    [emails.analyst, 'analyst'],
    [emails.viewer, 'viewer'],
  ];
  for (const [email, role] of members) {
    const operator = await createOperator(h.db, { email, password: PASSWORD, role: 'viewer' });
    await h.db.query('INSERT INTO project_members (project_id, operator_id, role) VALUES ($1, $2, $3)', [
      h.projectId,
      operator.id,
      role,
    ]);
  }
  async function login(email: string, password = PASSWORD): Promise<ConsoleClient> {
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/console/auth/login',
      payload: { email, password },
    });
    if (res.statusCode !== 200) throw new Error(`login of ${email} failed: ${res.statusCode} ${res.body}`);
    const cookie = res.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
    const csrfToken = res.json().csrfToken as string;
    const client: ConsoleClient = {
      email,
      cookie,
      csrfToken,
      request: (method, url, body, opts = {}) =>
        h.app.inject({
          method,
          url,
          headers: { cookie, ...(opts.csrf === false ? {} : { 'x-csrf-token': csrfToken }) },
          ...(body === undefined ? {} : { payload: body as Record<string, unknown> }),
        }),
      get: (url) => client.request('GET', url),
    };
    return client;
  }
  return {
    ...h,
    otherProjectId: other.id,
    emails,
    login,
    project: (path = '') => `/api/console/projects/${h.projectId}${path}`,
  };
}
