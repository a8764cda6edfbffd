import cookie from '@fastify/cookie';
import type { Database } from '@vigil/db';
import type { FastifyInstance } from 'fastify';
import type { RetentionJob } from '../../jobs/retention.ts';
import type { Mailer } from '../../mail.ts';
import type { ApiKeyCache } from '../../projects.ts';
import type { RuleSets } from '../../scoring/rule-sets.ts';
import { registerAdminRoutes } from './admin-routes.ts';
import { registerAuthRoutes } from './auth-routes.ts';
import { registerEntitiesRoutes } from './entities-routes.ts';
import { registerEventsRoutes } from './events-routes.ts';
import { registerFieldAuditRoutes } from './field-audit-routes.ts';
import { type ConsoleRouteInfo, installGuard } from './guard.ts';
import { registerLogbookRoutes } from './logbook-routes.ts';
import { registerOverviewRoutes } from './overview-routes.ts';
import { registerProjectRoutes } from './projects-routes.ts';
import { registerQueueRoutes } from './queue-routes.ts';
import { registerRulesRoutes } from './rules-routes.ts';
import { registerSearchRoutes } from './search-routes.ts';
import { registerUserRoutes } from './user-routes.ts';
import { registerUsersRoutes } from './users-routes.ts';
import { registerWebhookRoutes } from './webhooks.ts';

export interface ConsoleContextOptions {
  db: Database;
  ruleSets: RuleSets;
  mailer: Mailer | null;
  publicUrl: string;
  /** Filled with every console route and its access level, for the security suite and docs. */
  routes: ConsoleRouteInfo[];
  /** The sensor's API-key cache, cleared when a key is revoked (absent: keys expire from it). */
  keys?: ApiKeyCache;
  /** The retention job, for "run now" (absent where background jobs do not run). */
  retention?: RetentionJob | null;
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
  registerEntitiesRoutes(app, options);
  registerOverviewRoutes(app, options);
  registerUsersRoutes(app, options);
  registerSearchRoutes(app, options);
  registerEventsRoutes(app, options);
  registerLogbookRoutes(app, options);
  registerUserRoutes(app, options);
  registerFieldAuditRoutes(app, options);
  registerQueueRoutes(app, options);
  registerRulesRoutes(app, options);
  registerWebhookRoutes(app, options);
  registerAdminRoutes(app, {
    db: options.db,
    keys: options.keys ?? null,
    retention: options.retention ?? null,
  });
}
