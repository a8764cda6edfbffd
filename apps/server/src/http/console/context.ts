import cookie from '@fastify/cookie';
import type { Database } from '@vigil/db';
import type { FastifyInstance } from 'fastify';
import type { Mailer } from '../../mail.ts';
import type { RuleSets } from '../../scoring/rule-sets.ts';
import { registerAuthRoutes } from './auth-routes.ts';
import { type ConsoleRouteInfo, installGuard } from './guard.ts';
import { registerProjectRoutes } from './projects-routes.ts';

export interface ConsoleContextOptions {
  db: Database;
  ruleSets: RuleSets;
  mailer: Mailer | null;
  publicUrl: string;
  /** Filled with every console route and its access level, for the security suite and docs. */
  routes: ConsoleRouteInfo[];
}

/**
 * The operator context: session cookies or operator API tokens, roles, CSRF on mutations. Every
 * route module below registers through the guard, which refuses a route without an access level.
 */
export async function consoleContext(app: FastifyInstance, options: ConsoleContextOptions): Promise<void> {
  await app.register(cookie);
  installGuard(app, options.db, options.routes);
  registerAuthRoutes(app, options);
  registerProjectRoutes(app, options);
  // Feature route modules: one line each (see README.md in this folder).
}
