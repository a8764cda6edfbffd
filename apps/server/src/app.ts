import swagger from '@fastify/swagger';
import type { Enricher } from '@vigil/core';
import { type Database, pendingMigrations } from '@vigil/db';
import Fastify, { type FastifyInstance } from 'fastify';
import { configuredDispatcher } from './actions/dispatcher.ts';
import { appCollectors, decideSeconds } from './app-metrics.ts';
import { AuditSealer } from './audit/sealer.ts';
import type { Config } from './config.ts';
import { consoleContext } from './http/console/context.ts';
import type { ConsoleRouteInfo } from './http/console/guard.ts';
import { registerDashboard } from './http/dashboard.ts';
import { installErrorHandler } from './http/errors.ts';
import { sensorContext } from './http/sensor/context.ts';
import { Ingest } from './ingest/ingest.ts';
import { GroupCommitWriter } from './ingest/writer.ts';
import { RetentionJob } from './jobs/retention.ts';
import { loggerOptions } from './logging.ts';
import { createMailer } from './mail.ts';
import { metrics, renderMetrics } from './metrics.ts';
import { ApiKeyCache } from './projects.ts';
import { RateLimiter } from './rate-limit.ts';
import { RuleSets } from './scoring/rule-sets.ts';
import { ScoringWorker } from './scoring/worker.ts';

export interface AppDeps {
  db: Database;
  enricher: Enricher;
}

declare module 'fastify' {
  interface FastifyInstance {
    writer: GroupCommitWriter;
    scoring: ScoringWorker | null;
    retention: RetentionJob;
    /** Every console route with its access level (the security suite walks this). */
    consoleRoutes: ConsoleRouteInfo[];
  }
}

/** Builds the HTTP application without listening; tests drive it with inject() or a real port. */
export async function buildApp(config: Config, deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    logger: loggerOptions(config.logLevel),
    // The client IP is a fraud signal: take it from the socket unless the proxy is trusted.
    trustProxy: config.trustedProxies.length > 0 ? config.trustedProxies : false,
    bodyLimit: config.ingest.maxBodyBytes,
    requestIdHeader: false,
    genReqId: () => crypto.randomUUID(),
  });
  const writer = new GroupCommitWriter(deps.db, {
    maxBatch: config.ingest.maxBatch,
    concurrency: deps.db.engine === 'pglite' ? 1 : config.ingest.concurrency,
    lingerMs: config.ingest.lingerMs,
  });
  app.decorate('writer', writer);
  const ruleSets = new RuleSets(deps.db);
  // Users are scored as soon as their events commit: the writer wakes the worker.
  const scoring = config.scoring.worker
    ? new ScoringWorker(deps.db, ruleSets, {
        batchSize: config.scoring.batchSize,
        pollMs: 250,
        leaseMs: 30_000,
        lingerMs: 150,
        log: (message, error) => app.log.error({ err: error }, message),
      })
    : null;
  app.decorate('scoring', scoring);
  if (scoring) writer.onCommit = () => scoring.wake();
  const ingest = new Ingest(writer, deps.enricher, new RateLimiter());
  const keys = new ApiKeyCache(deps.db);

  installErrorHandler(app);
  // Registered first so it sees every route: the console's schemas become the OpenAPI document.
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'Vigil API',
        version: '1',
        description:
          'The console API (/api/console/*: session cookie + X-CSRF-Token, or Authorization: Bearer <operator API token>) and the public API (/sensor/, /api/v1/*: Api-Key header).',
      },
      components: {
        securitySchemes: {
          operatorToken: { type: 'http', scheme: 'bearer' },
          session: { type: 'apiKey', in: 'cookie', name: 'vigil_session' },
          apiKey: { type: 'apiKey', in: 'header', name: 'Api-Key' },
        },
      },
    },
  });
  app.addHook('onSend', async (request, reply) => {
    reply.header('X-Request-Id', request.id);
  });
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    try {
      await deps.db.query('SELECT 1');
      const pending = await pendingMigrations(deps.db);
      if (pending.length > 0) return reply.code(503).send({ status: 'migrations pending', pending });
      return { status: 'ready', engine: deps.db.engine };
    } catch {
      return reply.code(503).send({ status: 'database unavailable' });
    }
  });
  const appMetrics = appCollectors(deps.db, writer, scoring);
  app.get('/metrics', async (_request, reply) => {
    reply.type('text/plain; version=0.0.4; charset=utf-8');
    return renderMetrics(metrics, appMetrics);
  });
  app.addHook('onResponse', async (request, reply) => {
    if (request.routeOptions.url === '/api/v1/decide') decideSeconds.observe(reply.elapsedTime / 1000);
  });
  await app.register(sensorContext, {
    db: deps.db,
    ingest,
    keys,
    enricher: deps.enricher,
    ruleSets,
    bodyLimit: config.ingest.maxBodyBytes,
  });
  // Old events are deleted per the projects' retention policies: hourly where the scoring worker
  // runs, and at once when an operator asks (in the process that received the request).
  const retention = new RetentionJob(deps.db, {
    intervalMs: 3_600_000,
    log: (message, error) => app.log.error({ err: error }, message),
  });
  app.decorate('retention', retention);
  // One SMTP transport for the process: console mail (resets, invitations) and alerts share it.
  const mailer = createMailer(config);
  const consoleRoutes: ConsoleRouteInfo[] = [];
  app.decorate('consoleRoutes', consoleRoutes);
  await app.register(consoleContext, {
    db: deps.db,
    ruleSets,
    mailer,
    publicUrl: config.publicUrl,
    routes: consoleRoutes,
    keys,
    retention,
  });
  app.get('/api/docs', { schema: { hide: true } }, async () => app.swagger());
  await registerDashboard(app, config.dashboardDir);
  // Webhooks, e-mail and SIEM export run beside the scoring worker (and in `vigil worker`).
  const actions = scoring
    ? configuredDispatcher(deps.db, config, mailer, (m, e) => app.log.error({ err: e }, m))
    : null;
  // Field-audit records join the tamper-evident chain within about a second (audit/sealer.ts).
  const sealer = new AuditSealer(deps.db, {
    intervalMs: 1000,
    batchSize: 500,
    log: (message, error) => app.log.error({ err: error }, message),
  });
  app.addHook('onReady', async () => {
    scoring?.start();
    if (scoring) retention.start();
    sealer.start();
    actions?.start();
  });
  app.addHook('onClose', async () => {
    await writer.close();
    await scoring?.stop();
    await retention.stop();
    await sealer.stop();
    await actions?.stop();
  });
  return app;
}
