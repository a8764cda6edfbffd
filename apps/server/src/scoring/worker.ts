import type { Executor } from '@vigil/db';
import type { RuleSets } from './rule-sets.ts';
import { retryOnConflict, scoreUsers } from './score-users.ts';

export interface WorkerOptions {
  /** Users scored per round. */
  batchSize: number;
  /** How often an idle worker looks for work (it is also woken after each ingest commit). */
  pollMs: number;
  /** How long a taken user stays reserved; a crashed worker's users are retaken after this. */
  leaseMs: number;
  /**
   * After a round smaller than a full batch, wait this long before the next one so that dirty
   * users gather: a round costs about the same for one user as for a hundred (a fixed number of
   * queries), so this trades a little latency (well inside the 1 s budget) for throughput.
   */
  lingerMs?: number;
  log?: (message: string, error?: unknown) => void;
}

export interface WorkerStats {
  rounds: number;
  scored: number;
  failures: number;
  /** Milliseconds from an event's commit to its user's new score, last round (max). */
  lastLagMs: number;
  scoringMsTotal: number;
  /** The latest lags, one per scored user (a ring), for quantiles. */
  lagSamples: number[];
}

const LAG_SAMPLES = 10_000;

/** The q-quantile (0..1) of a list of numbers; 0 for an empty list. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/**
 * Drains the scoring queue. Several workers (processes) may run at once: each takes users with a
 * short lease under FOR UPDATE SKIP LOCKED, scores them outside any lock, then removes them from
 * the queue unless a newer event re-queued them meanwhile.
 */
export class ScoringWorker {
  readonly stats: WorkerStats = {
    rounds: 0,
    scored: 0,
    failures: 0,
    lastLagMs: 0,
    scoringMsTotal: 0,
    lagSamples: [],
  };
  private lagCursor = 0;
  private running = false;
  private timer: NodeJS.Timeout | null = null;
  private wakeUp: (() => void) | null = null;
  private loop: Promise<void> | null = null;

  constructor(
    private readonly db: Executor,
    private readonly ruleSets: RuleSets,
    private readonly options: WorkerOptions,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loop;
  }

  /** Called after new events commit, so scoring starts at once instead of at the next poll. */
  wake(): void {
    const wake = this.wakeUp;
    this.wakeUp = null;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    wake?.();
  }

  /** One round: take, score, release. Returns how many users were scored. */
  async runOnce(): Promise<number> {
    // queued_at goes back as text: a JavaScript Date would drop its microseconds, and the row would
    // then look re-queued forever.
    const { rows } = await this.db.query<{
      user_id: number;
      project_id: string;
      queued_at: Date;
      queued_text: string;
    }>(
      `UPDATE scoring_queue q SET taken_until = clock_timestamp() + make_interval(secs => $2::float8 / 1000)
        WHERE q.user_id IN (
          SELECT user_id FROM scoring_queue
           WHERE taken_until IS NULL OR taken_until < clock_timestamp()
           ORDER BY queued_at LIMIT $1
             FOR UPDATE SKIP LOCKED)
       RETURNING q.user_id, q.project_id, q.queued_at, q.queued_at::text AS queued_text`,
      [this.options.batchSize, this.options.leaseMs],
    );
    if (rows.length === 0) return 0;
    const started = performance.now();
    let scores: Awaited<ReturnType<typeof scoreUsers>>;
    try {
      scores = await retryOnConflict(() =>
        scoreUsers(
          this.db,
          this.ruleSets,
          rows.map((r) => ({ userId: Number(r.user_id), projectId: r.project_id })),
          new Date(),
          true,
        ),
      );
    } catch (error) {
      // Give the users back at once rather than when the lease runs out.
      await this.db
        .query('UPDATE scoring_queue SET taken_until = NULL WHERE user_id = ANY($1::bigint[])', [
          rows.map((r) => r.user_id),
        ])
        .catch(() => {});
      throw error;
    }
    const stored = new Set(scores.filter((s) => s.stored).map((s) => s.userId));
    // Users skipped because an ingest batch held them stay queued (their lease is released below).
    const done = rows.filter((r) => stored.has(Number(r.user_id)));
    const finished = Date.now();
    this.stats.scoringMsTotal += performance.now() - started;
    const lags = done.map((r) => finished - r.queued_at.getTime());
    this.stats.lastLagMs = lags.length > 0 ? Math.max(...lags) : 0;
    for (const lag of lags) {
      this.stats.lagSamples[this.lagCursor] = lag;
      this.lagCursor = (this.lagCursor + 1) % LAG_SAMPLES;
    }
    await this.db.query(
      `WITH done AS (
         DELETE FROM scoring_queue q USING unnest($1::bigint[], $2::timestamptz[]) AS t(id, queued)
          WHERE q.user_id = t.id AND q.queued_at <= t.queued
         RETURNING q.user_id)
       UPDATE scoring_queue SET taken_until = NULL
        WHERE user_id = ANY($1::bigint[]) AND user_id NOT IN (SELECT user_id FROM done)`,
      [done.map((r) => r.user_id), done.map((r) => r.queued_text)],
    );
    const skipped = rows.filter((r) => !stored.has(Number(r.user_id))).map((r) => r.user_id);
    if (skipped.length > 0) {
      await this.db.query('UPDATE scoring_queue SET taken_until = NULL WHERE user_id = ANY($1::bigint[])', [
        skipped,
      ]);
    }
    this.stats.rounds += 1;
    this.stats.scored += done.length;
    return done.length;
  }

  /** Idempotency keys are kept two days (see migration 0006); pruned here about once a minute. */
  private lastPrune = 0;

  private async prune(): Promise<void> {
    if (Date.now() - this.lastPrune < 60_000) return;
    this.lastPrune = Date.now();
    await this.db.query("DELETE FROM idempotency_keys WHERE created_at < now() - interval '2 days'");
  }

  private async run(): Promise<void> {
    while (this.running) {
      let scored = 0;
      await this.prune().catch((error) => this.options.log?.('pruning idempotency keys failed', error));
      try {
        scored = await this.runOnce();
      } catch (error) {
        this.stats.failures += 1;
        this.options.log?.('scoring round failed', error);
      }
      if (!this.running) break;
      if (scored > 0 && scored < this.options.batchSize && this.options.lingerMs) {
        await new Promise((resolve) => setTimeout(resolve, this.options.lingerMs));
      }
      if (scored === 0) {
        await new Promise<void>((resolve) => {
          this.wakeUp = resolve;
          this.timer = setTimeout(() => this.wake(), this.options.pollMs);
        });
      }
    }
  }
}
