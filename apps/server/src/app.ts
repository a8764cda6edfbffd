import type { Enricher } from '@vigil/core';
import { type Database, pendingMigrations } from '@vigil/db';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Config } from './config.ts';
import { installErrorHandler } from './http/errors.ts';
import { sensorContext } from './http/sensor/context.ts';
import { Ingest } from './ingest/ingest.ts';
import { GroupCommitWriter } from './ingest/writer.ts';
import { ApiKeyCache } from './projects.ts';
import { RateLimiter } from './rate-limit.ts';
import { RuleSets } from './scoring/rule-sets.ts';
import { quantile, ScoringWorker } from './scoring/worker.ts';

export interface AppDeps {
  db: Database;
  enricher: Enricher;
}

declare module 'fastify' {
  interface FastifyInstance {
    writer: GroupCommitWriter;
    scoring: ScoringWorker | null;
  }
}

/** Builds the HTTP application without listening; tests drive it with inject() or a real port. */
export async function buildApp(config: Config, deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    logger: config.logLevel === 'silent' ? false : { level: config.logLevel },
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
  app.get('/metrics', async (_request, reply) => {
    const s = writer.stats;
    reply.type('text/plain; version=0.0.4');
    return [
      '# HELP vigil_ingest_events_total Events committed by the group-commit writer.',
      '# TYPE vigil_ingest_events_total counter',
      `vigil_ingest_events_total ${s.events}`,
      '# HELP vigil_ingest_batches_total Transactions committed by the group-commit writer.',
      '# TYPE vigil_ingest_batches_total counter',
      `vigil_ingest_batches_total ${s.batches}`,
      '# HELP vigil_ingest_batch_failures_total Transactions that failed (the events were not acknowledged).',
      '# TYPE vigil_ingest_batch_failures_total counter',
      `vigil_ingest_batch_failures_total ${s.failedBatches}`,
      '# HELP vigil_ingest_commit_seconds_total Time spent in committed write transactions.',
      '# TYPE vigil_ingest_commit_seconds_total counter',
      `vigil_ingest_commit_seconds_total ${(s.commitMsTotal / 1000).toFixed(6)}`,
      '# HELP vigil_scoring_users_total Users scored by this process.',
      '# TYPE vigil_scoring_users_total counter',
      `vigil_scoring_users_total ${scoring?.stats.scored ?? 0}`,
      '# HELP vigil_scoring_seconds_total Time spent scoring users in this process.',
      '# TYPE vigil_scoring_seconds_total counter',
      `vigil_scoring_seconds_total ${((scoring?.stats.scoringMsTotal ?? 0) / 1000).toFixed(6)}`,
      '# HELP vigil_scoring_lag_seconds Event commit to updated score, over the latest 10,000 scored users.',
      '# TYPE vigil_scoring_lag_seconds summary',
      ...[0.5, 0.9, 0.99].map(
        (q) =>
          `vigil_scoring_lag_seconds{quantile="${q}"} ${(quantile(scoring?.stats.lagSamples ?? [], q) / 1000).toFixed(3)}`,
      ),
      '',
    ].join('\n');
  });
  await app.register(sensorContext, {
    db: deps.db,
    ingest,
    keys,
    enricher: deps.enricher,
    ruleSets,
    bodyLimit: config.ingest.maxBodyBytes,
  });
  app.addHook('onReady', async () => {
    scoring?.start();
  });
  app.addHook('onClose', async () => {
    await writer.close();
    await scoring?.stop();
  });
  return app;
}
