import type { Database } from '@vigil/db';
import type { GroupCommitWriter } from './ingest/writer.ts';
import { metrics, Registry, SECONDS_BUCKETS } from './metrics.ts';
import { quantile, type ScoringWorker } from './scoring/worker.ts';

/** Events per write transaction: how well group commit is batching under the current load. */
export const ingestBatchSize = metrics.histogram(
  'vigil_ingest_batch_size',
  'Events and logbook writes per committed write transaction.',
  [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000],
);

export const ingestCommitSeconds = metrics.histogram(
  'vigil_ingest_commit_seconds',
  'Duration of committed write transactions, from BEGIN to COMMIT.',
  SECONDS_BUCKETS,
);

export const decideSeconds = metrics.histogram(
  'vigil_decide_seconds',
  'Response time of POST /api/v1/decide (store, score and answer).',
  SECONDS_BUCKETS,
);

/** The writer calls this after each committed transaction. */
export function observeCommit(batchSize: number, commitMs: number): void {
  ingestBatchSize.observe(batchSize);
  ingestCommitSeconds.observe(commitMs / 1000);
}

/**
 * Values owned by one app instance, read when /metrics is scraped: its writer's and scoring
 * worker's counters, and the scoring queue (shared by every process on the database, so a web
 * process with its worker off still shows how far behind the workers are).
 */
export function appCollectors(
  db: Database,
  writer: GroupCommitWriter,
  scoring: ScoringWorker | null,
): Registry {
  const r = new Registry();
  const s = writer.stats;
  r.collect(
    'vigil_ingest_events_total',
    'Events committed by the group-commit writer.',
    'counter',
    () => s.events,
  );
  r.collect(
    'vigil_ingest_batches_total',
    'Transactions committed by the group-commit writer.',
    'counter',
    () => s.batches,
  );
  r.collect(
    'vigil_ingest_batch_failures_total',
    'Transactions that failed (the events were not acknowledged).',
    'counter',
    () => s.failedBatches,
  );
  r.collect(
    'vigil_ingest_commit_seconds_total',
    'Time spent in committed write transactions.',
    'counter',
    () => s.commitMsTotal / 1000,
  );
  r.collect(
    'vigil_scoring_users_total',
    'Users scored by this process.',
    'counter',
    () => scoring?.stats.scored ?? 0,
  );
  r.collect(
    'vigil_scoring_seconds_total',
    'Time spent scoring users in this process.',
    'counter',
    () => (scoring?.stats.scoringMsTotal ?? 0) / 1000,
  );
  r.collect(
    'vigil_scoring_lag_seconds',
    'Event commit to updated score, over the latest 10,000 users scored by this process.',
    'summary',
    () =>
      [0.5, 0.9, 0.99].map((q) => ({
        labels: { quantile: String(q) },
        value: quantile(scoring?.stats.lagSamples ?? [], q) / 1000,
      })),
  );
  r.gauge('vigil_scoring_queue_depth', 'Users waiting to be scored (all processes).', async () => {
    const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM scoring_queue');
    return rows[0]!.n;
  });
  r.gauge(
    'vigil_scoring_queue_oldest_seconds',
    'Age of the oldest unscored event in the scoring queue: the current scoring lag (all processes).',
    async () => {
      const { rows } = await db.query<{ s: number | null }>(
        'SELECT extract(epoch FROM now() - min(first_event_at))::float8 AS s FROM scoring_queue',
      );
      return Math.max(0, rows[0]!.s ?? 0);
    },
  );
  return r;
}
