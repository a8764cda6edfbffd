import type { Database } from '@vigil/db';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type ProjectAccess, projectAccess } from '../../operators/access.ts';
import { type Operator, type Role, roleAtLeast } from '../../operators/operators.ts';
import { sameSecret } from '../../operators/secrets.ts';
import { resolveSession } from '../../operators/sessions.ts';
import { resolveToken } from '../../operators/tokens.ts';
import { sendError } from '../errors.ts';

/**
 * Who may call a console route. 'public': anyone (setup, login, reset). 'operator': any signed-in
 * operator, for their own account. A role: on routes under /api/console/projects/:projectId the
 * operator's role on that project, elsewhere their installation role.
 */
export type Access = 'public' | 'operator' | Role;

export const SESSION_COOKIE = 'vigil_session';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    operator: Operator | null;
    /** The project of a /api/console/projects/:projectId route, with the operator's role on it. */
    consoleProject: ProjectAccess | null;
    /** The browser session (null when the caller used an operator API token). */
    consoleSession: { publicId: string; token: string; csrfToken: string } | null;
  }
}

export interface ConsoleRouteInfo {
  method: string;
  url: string;
  access: Access;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** A project-scoped route: its URL starts with this and its role applies to that project. */
export const PROJECT_PREFIX = '/api/console/projects/:projectId';

/**
 * Installs the checks every console route passes, in this order: signed in (401), project visible
 * to the operator (404, the same whether it exists or not), role (403), CSRF token on a mutation
 * made with a session cookie (403). A route without a declared access level refuses to register,
 * so a new route cannot be left open by forgetting it.
 */
export function installGuard(app: FastifyInstance, db: Database, routes: ConsoleRouteInfo[]): void {
  app.decorateRequest('operator', null);
  app.decorateRequest('consoleProject', null);
  app.decorateRequest('consoleSession', null);
  app.addHook('onRoute', (route) => {
    const access = route.config?.access;
    if (!access) throw new Error(`console route ${route.method} ${route.url} declares no access level`);
    for (const method of [route.method].flat()) {
      if (method !== 'HEAD') routes.push({ method, url: route.url, access });
    }
  });
  app.addHook('onRequest', async (request, reply) => {
    const access = request.routeOptions.config.access;
    if (!access || access === 'public') return;
    if (!(await identify(db, request))) {
      return sendError(reply, 401, 'unauthenticated', 'Sign in first (session cookie or operator API token)');
    }
    const operator = request.operator as Operator;
    let role: Role = operator.role;
    if (request.routeOptions.url?.startsWith(PROJECT_PREFIX)) {
      const projectId = (request.params as { projectId?: string }).projectId ?? '';
      const project = await projectAccess(db, operator, projectId);
      if (!project) return sendError(reply, 404, 'not_found', 'No such project', 'projectId');
      request.consoleProject = project;
      role = project.role;
    }
    if (access !== 'operator' && !roleAtLeast(role, access)) {
      return sendError(reply, 403, 'forbidden', `This needs the ${access} role; you are ${role}`);
    }
    if (!SAFE_METHODS.has(request.method) && request.consoleSession) return checkCsrf(request, reply);
  });
}

async function identify(db: Database, request: FastifyRequest): Promise<boolean> {
  const authorization = request.headers.authorization;
  if (authorization?.startsWith('Bearer ')) {
    request.operator = await resolveToken(db, authorization.slice(7).trim());
    return request.operator !== null;
  }
  const token = request.cookies[SESSION_COOKIE];
  if (!token) return false;
  const session = await resolveSession(db, token);
  if (!session) return false;
  request.operator = session.operator;
  request.consoleSession = { publicId: session.publicId, token, csrfToken: session.csrfToken };
  return true;
}

function checkCsrf(request: FastifyRequest, reply: FastifyReply) {
  const expected = request.consoleSession?.csrfToken ?? '';
  const sent = request.headers['x-csrf-token'];
  if (typeof sent !== 'string' || !sameSecret(sent, expected)) {
    return sendError(
      reply,
      403,
      'csrf_failed',
      'Missing or wrong X-CSRF-Token header (GET /api/console/me gives it)',
    );
  }
}
