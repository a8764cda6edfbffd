import type { Enricher } from '@vigil/core';
import type { Database } from '@vigil/db';
import type { FastifyInstance } from 'fastify';
import type { Ingest } from '../../ingest/ingest.ts';
import type { ApiKeyCache } from '../../projects.ts';
import { InlineScorer } from '../../scoring/inline-scorer.ts';
import type { RuleSets } from '../../scoring/rule-sets.ts';
import { apiKeyAuth } from './auth.ts';
import { registerBlacklistRoutes } from './blacklist.ts';
import { registerBodyParsers } from './body.ts';
import { registerCustomRuleRoutes } from './custom-rules.ts';
import { registerDecideRoutes } from './decide.ts';
import { registerDecisionRoutes } from './decisions.ts';
import { registerEventRoutes } from './events.ts';
import { registerIpRoutes } from './ips.ts';
import { registerListRoutes } from './lists.ts';
import { registerProjectRuleRoutes } from './project-rules.ts';
import { registerSensorRoutes } from './sensor.ts';
import { registerUserRoutes } from './users.ts';

export interface SensorContextOptions {
  db: Database;
  ingest: Ingest;
  keys: ApiKeyCache;
  enricher: Enricher;
  ruleSets: RuleSets;
  bodyLimit: number;
}

/**
 * The public context: Api-Key authentication, its own body parsers and limits. Encapsulated, so
 * nothing here leaks into the operator console.
 */
export async function sensorContext(app: FastifyInstance, options: SensorContextOptions): Promise<void> {
  registerBodyParsers(app, options.bodyLimit);
  // Authenticate before the body is read: an unauthenticated client cannot make us parse anything.
  app.addHook('onRequest', apiKeyAuth(options.keys));
  registerSensorRoutes(app, options.ingest);
  registerEventRoutes(app, options.ingest);
  registerUserRoutes(app, options.db);
  registerIpRoutes(app, options.db, options.enricher);
  registerListRoutes(app, options.db);
  registerDecideRoutes(app, options.ingest, new InlineScorer(options.db, options.ruleSets));
  registerBlacklistRoutes(app, options.db);
  registerDecisionRoutes(app, options.db);
  registerProjectRuleRoutes(app, options.db, options.ruleSets);
  registerCustomRuleRoutes(app, options.db, options.ruleSets);
}
