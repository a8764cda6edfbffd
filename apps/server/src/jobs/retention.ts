import type { Database, Executor } from '@vigil/db';
import { subtractFromRollups } from '../ingest/rollups.ts';

// Retention: per project with retention_weeks > 0, events older than that many weeks are deleted,
// with what only they kept alive (sessions, IPs, devices, e-mails, phones, resources, referers,
// user agents, domains, ISPs, field changes, logbook rows, and users left with no event at all).
//
// Events are partitioned by month, but each project has its own retention, so this deletes rows
// in small batches (one short transaction each) rather than dropping partitions: ingestion and
// the console keep running while it works.
//
// Decisions outlive the data they were made on: a blacklisted user, IP, e-mail or phone is kept
// even with no event left, so the blacklist keeps blocking. first_seen stays as it was (when the
// entity was first seen is a fact the deletion does not change); event counters go down by the
// events deleted, so they keep matching the events table.

const WEEK_MS = 7 * 86_400_000;
/** A run whose heartbeat is older than this was abandoned (its process died). */
const STALE_MS = 5 * 60_000;

export interface RetentionRun {
  id: number;
  projectId: string;
  retentionWeeks: number;
  cutoff: Date;
  trigger: 'schedule' | 'operator';
  startedAt: Date;
  finishedAt: Date | null;
  eventsTotal: number;
  eventsDeleted: number;
  deleted: Record<string, number>;
  error: string | null;
}

export class RetentionBusy extends Error {}

/** The latest run of a project (running or not), or null. */
export async function latestRetentionRun(db: Executor, projectId: string): Promise<RetentionRun | null> {
  const { rows } = await db.query(
    `SELECT * FROM retention_runs WHERE project_id = $1 ORDER BY id DESC LIMIT 1`,
    [projectId],
  );
  return rows[0] ? toRun(rows[0]) : null;
}

function toRun(r: Record<string, unknown>): RetentionRun {
  return {
    id: Number(r.id),
    projectId: String(r.project_id),
    retentionWeeks: Number(r.retention_weeks),
    cutoff: new Date(r.cutoff as string),
    trigger: r.trigger as RetentionRun['trigger'],
    startedAt: new Date(r.started_at as string),
    finishedAt: r.finished_at ? new Date(r.finished_at as string) : null,
    eventsTotal: Number(r.events_total),
    eventsDeleted: Number(r.events_deleted),
    deleted: r.deleted as Record<string, number>,
    error: (r.error as string | null) ?? null,
  };
}

/**
 * Opens a run for the project (refused with RetentionBusy while another one is going), or
 * returns null when the project keeps its data forever.
 */
export async function openRetentionRun(
  db: Database,
  projectId: string,
  trigger: RetentionRun['trigger'],
  now = new Date(),
): Promise<RetentionRun | null> {
  return db.transaction(async (tx) => {
    const { rows } = await tx.query<{ retention_weeks: number }>(
      'SELECT retention_weeks FROM projects WHERE id = $1 FOR UPDATE',
      [projectId],
    );
    const weeks = rows[0]?.retention_weeks ?? 0;
    if (weeks <= 0) return null;
    await tx.query(
      `UPDATE retention_runs SET finished_at = now(), error = 'abandoned (the process running it stopped)'
        WHERE project_id = $1 AND finished_at IS NULL AND heartbeat_at < now() - $2 * interval '1 millisecond'`,
      [projectId, STALE_MS],
    );
    const open = await tx.query(
      'SELECT 1 FROM retention_runs WHERE project_id = $1 AND finished_at IS NULL',
      [projectId],
    );
    if (open.rows.length > 0) throw new RetentionBusy('a retention run of this project is in progress');
    const cutoff = new Date(now.getTime() - weeks * WEEK_MS);
    const total = await tx.query<{ n: string }>(
      'SELECT count(*) AS n FROM events WHERE project_id = $1 AND time < $2',
      [projectId, cutoff],
    );
    const inserted = await tx.query(
      `INSERT INTO retention_runs (project_id, retention_weeks, cutoff, trigger, events_total)
       VALUES ($1, $2, $3, $4, $5) RETURNING *`,
      [projectId, weeks, cutoff, trigger, Number(total.rows[0]!.n)],
    );
    return toRun(inserted.rows[0]!);
  });
}

/** Runs an opened run to its end, batch by batch; records the totals or the error on the run. */
export async function executeRetentionRun(
  db: Database,
  run: RetentionRun,
  options: { batchSize?: number; shouldStop?: () => boolean } = {},
): Promise<RetentionRun> {
  const batchSize = options.batchSize ?? 2000;
  const deleted: Record<string, number> = {};
  let eventsDeleted = 0;
  try {
    for (;;) {
      if (options.shouldStop?.()) throw new Error('stopped before the end (server shutting down)');
      const batch = await db.transaction((tx) => deleteEventBatch(tx, run.projectId, run.cutoff, batchSize));
      eventsDeleted += batch.events;
      add(deleted, batch.deleted);
      await db.query(
        'UPDATE retention_runs SET events_deleted = $2, deleted = $3, heartbeat_at = now() WHERE id = $1',
        [run.id, eventsDeleted, JSON.stringify(deleted)],
      );
      if (batch.events < batchSize) break;
    }
    // Rows tied to old times rather than to a deleted event's id.
    for (const [name, sql] of TIMED_PRUNES) {
      for (;;) {
        const { rowCount } = await db.query(sql, [run.projectId, run.cutoff, batchSize]);
        deleted[name] = (deleted[name] ?? 0) + (rowCount ?? 0);
        if ((rowCount ?? 0) < batchSize) break;
      }
    }
    const fields = await db.query(
      `DELETE FROM fields f WHERE f.project_id = $1
          AND NOT EXISTS (SELECT 1 FROM field_changes c WHERE c.field_ref = f.id)`,
      [run.projectId],
    );
    deleted.fields = (deleted.fields ?? 0) + (fields.rowCount ?? 0);
    await db.query(
      `UPDATE retention_runs SET events_deleted = $2, deleted = $3, finished_at = now(), heartbeat_at = now()
        WHERE id = $1`,
      [run.id, eventsDeleted, JSON.stringify(deleted)],
    );
    return { ...run, eventsDeleted, deleted, finishedAt: new Date() };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await db.query(
      `UPDATE retention_runs SET events_deleted = $2, deleted = $3, finished_at = now(), error = $4 WHERE id = $1`,
      [run.id, eventsDeleted, JSON.stringify(deleted), message.slice(0, 1000)],
    );
    throw error;
  }
}

/** Opens and runs retention for one project; null when it keeps data forever. */
export async function runRetention(
  db: Database,
  projectId: string,
  options: { trigger?: RetentionRun['trigger']; now?: Date; batchSize?: number } = {},
): Promise<RetentionRun | null> {
  const run = await openRetentionRun(db, projectId, options.trigger ?? 'operator', options.now);
  return run ? executeRetentionRun(db, run, options) : null;
}

function add(into: Record<string, number>, counts: Record<string, number>) {
  for (const [k, n] of Object.entries(counts)) if (n > 0) into[k] = (into[k] ?? 0) + n;
}

/** Field changes and logbook rows older than the cutoff, pruned by time in batches. */
const TIMED_PRUNES: [string, string][] = [
  [
    'field_changes',
    `DELETE FROM field_changes WHERE id IN (
       SELECT id FROM field_changes WHERE project_id = $1 AND time < $2 ORDER BY time LIMIT $3)`,
  ],
  [
    'logbook',
    `DELETE FROM logbook WHERE id IN (
       SELECT id FROM logbook WHERE project_id = $1 AND started < $2 ORDER BY id LIMIT $3)`,
  ],
];

/** Entities whose counters count events, and the column of events that points to them. */
const DIRECT_COUNTERS: [table: string, column: string][] = [
  ['users', 'user_id'],
  ['sessions', 'session_id'],
  ['ips', 'ip_id'],
  ['devices', 'device_id'],
  ['resources', 'resource_id'],
  ['resource_queries', 'query_id'],
  ['referers', 'referer_id'],
  ['emails', 'email_id'],
  ['phones', 'phone_id'],
];

/**
 * One batch: deletes up to `limit` of the oldest events before the cutoff, lowers the counters of
 * what they pointed to, then deletes what no remaining event (or row) points to.
 */
async function deleteEventBatch(
  tx: Executor,
  projectId: string,
  cutoff: Date,
  limit: number,
): Promise<{ events: number; deleted: Record<string, number> }> {
  await tx.query(
    `CREATE TEMP TABLE retention_gone (
       id bigint, user_id bigint, session_id bigint, ip_id bigint, device_id bigint, resource_id bigint,
       query_id bigint, referer_id bigint, email_id bigint, phone_id bigint, project_id uuid,
       time timestamptz, type smallint) ON COMMIT DROP`,
  );
  const gone = await tx.query(
    `WITH gone AS (
       DELETE FROM events e USING (
         SELECT id, time FROM events WHERE project_id = $1 AND time < $2 ORDER BY time LIMIT $3) old
        WHERE e.id = old.id AND e.time = old.time
       RETURNING e.id, e.user_id, e.session_id, e.ip_id, e.device_id, e.resource_id, e.query_id,
                 e.referer_id, e.email_id, e.phone_id, e.project_id, e.time, e.type)
     INSERT INTO retention_gone SELECT * FROM gone`,
    [projectId, cutoff, limit],
  );
  const events = gone.rowCount ?? 0;
  const deleted: Record<string, number> = {};
  if (events === 0) return { events, deleted };

  // Counters first, while the rows that lead to ISPs, countries, user agents and domains exist.
  await subtractFromRollups(tx, 'retention_gone');
  for (const [table, column] of DIRECT_COUNTERS) {
    await tx.query(
      `UPDATE ${table} t SET event_count = GREATEST(t.event_count - g.n, 0)
         FROM (SELECT ${column} AS id, count(*) AS n FROM retention_gone WHERE ${column} IS NOT NULL GROUP BY 1) g
        WHERE t.id = g.id`,
    );
  }
  await tx.query(
    `UPDATE user_ips t SET event_count = GREATEST(t.event_count - g.n, 0)
       FROM (SELECT user_id, ip_id, count(*) AS n FROM retention_gone GROUP BY 1, 2) g
      WHERE t.user_id = g.user_id AND t.ip_id = g.ip_id`,
  );
  const via: [table: string, key: string, from: string][] = [
    ['isps', 'isp_id', 'JOIN ips x ON x.id = g.ip_id'],
    ['user_agents', 'user_agent_id', 'JOIN devices x ON x.id = g.device_id'],
    ['domains', 'domain_id', 'JOIN emails x ON x.id = g.email_id'],
  ];
  for (const [table, key, join] of via) {
    await tx.query(
      `UPDATE ${table} t SET event_count = GREATEST(t.event_count - c.n, 0)
         FROM (SELECT x.${key} AS id, count(*) AS n FROM retention_gone g ${join}
                WHERE x.${key} IS NOT NULL GROUP BY 1) c
        WHERE t.id = c.id`,
    );
  }
  await tx.query(
    `UPDATE project_countries t SET event_count = GREATEST(t.event_count - c.n, 0)
       FROM (SELECT x.country, count(*) AS n FROM retention_gone g JOIN ips x ON x.id = g.ip_id
              WHERE x.country IS NOT NULL GROUP BY 1) c
      WHERE t.project_id = $1 AND t.country = c.country`,
    [projectId],
  );

  // Then what no event points to any more. Children before parents: a row is only deleted once
  // nothing references it, so the foreign keys never refuse.
  const count = async (name: string, sql: string, params: unknown[] = []) => {
    const { rowCount } = await tx.query(sql, params);
    if (rowCount) deleted[name] = (deleted[name] ?? 0) + rowCount;
  };
  const userIps = await tx.query<{ ip_id: string; n: string }>(
    `WITH dropped AS (
       DELETE FROM user_ips u USING (SELECT DISTINCT user_id, ip_id FROM retention_gone) g
        WHERE u.user_id = g.user_id AND u.ip_id = g.ip_id
          AND NOT EXISTS (SELECT 1 FROM events e WHERE e.user_id = g.user_id AND e.ip_id = g.ip_id)
       RETURNING u.ip_id)
     SELECT ip_id, count(*) AS n FROM dropped GROUP BY ip_id`,
  );
  if (userIps.rows.length > 0) {
    deleted.user_ips = userIps.rows.reduce((sum, r) => sum + Number(r.n), 0);
    // An IP's user_count is the number of users seen on it.
    await tx.query(
      `UPDATE ips SET user_count = GREATEST(user_count - v.n, 0)
         FROM unnest($1::bigint[], $2::int[]) AS v(id, n) WHERE ips.id = v.id`,
      [userIps.rows.map((r) => r.ip_id), userIps.rows.map((r) => Number(r.n))],
    );
  }
  await count(
    'sessions',
    `DELETE FROM sessions s USING (SELECT DISTINCT session_id FROM retention_gone) g
      WHERE s.id = g.session_id
        AND NOT EXISTS (SELECT 1 FROM events e WHERE e.user_id = s.user_id AND e.session_id = s.id)`,
  );
  // The user agents, domains and ISPs of the rows deleted below may become orphans in turn.
  await tx.query(`CREATE TEMP TABLE retention_parents (kind text, id bigint) ON COMMIT DROP`);
  await count(
    'devices',
    `WITH d AS (
       DELETE FROM devices x USING (SELECT DISTINCT device_id FROM retention_gone) g
        WHERE x.id = g.device_id AND NOT EXISTS (SELECT 1 FROM events e WHERE e.device_id = x.id)
       RETURNING x.user_agent_id)
     INSERT INTO retention_parents SELECT DISTINCT 'ua', user_agent_id FROM d`,
  );
  await count(
    'emails',
    `WITH d AS (
       DELETE FROM emails x USING (SELECT DISTINCT email_id FROM retention_gone WHERE email_id IS NOT NULL) g
        WHERE x.id = g.email_id AND NOT x.blacklisted
          AND NOT EXISTS (SELECT 1 FROM events e WHERE e.email_id = x.id)
       RETURNING x.domain_id)
     INSERT INTO retention_parents SELECT DISTINCT 'domain', domain_id FROM d WHERE domain_id IS NOT NULL`,
  );
  await count(
    'phones',
    `DELETE FROM phones x USING (SELECT DISTINCT phone_id FROM retention_gone WHERE phone_id IS NOT NULL) g
      WHERE x.id = g.phone_id AND NOT x.blacklisted
        AND NOT EXISTS (SELECT 1 FROM events e WHERE e.phone_id = x.id)`,
  );
  await count(
    'ips',
    `WITH d AS (
       DELETE FROM ips x USING (SELECT DISTINCT ip_id FROM retention_gone) g
        WHERE x.id = g.ip_id AND NOT x.blacklisted
          AND NOT EXISTS (SELECT 1 FROM events e WHERE e.ip_id = x.id)
          AND NOT EXISTS (SELECT 1 FROM user_ips u WHERE u.ip_id = x.id)
       RETURNING x.isp_id)
     INSERT INTO retention_parents SELECT DISTINCT 'isp', isp_id FROM d WHERE isp_id IS NOT NULL`,
  );
  await count(
    'resource_queries',
    `DELETE FROM resource_queries x USING (SELECT DISTINCT resource_id, query_id FROM retention_gone
                                           WHERE query_id IS NOT NULL) g
      WHERE x.id = g.query_id
        AND NOT EXISTS (SELECT 1 FROM events e WHERE e.resource_id = g.resource_id AND e.query_id = x.id)`,
  );
  await count(
    'resources',
    `DELETE FROM resources x USING (SELECT DISTINCT resource_id FROM retention_gone) g
      WHERE x.id = g.resource_id AND NOT EXISTS (SELECT 1 FROM events e WHERE e.resource_id = x.id)`,
  );
  await count(
    'referers',
    `DELETE FROM referers x USING (SELECT DISTINCT referer_id FROM retention_gone WHERE referer_id IS NOT NULL) g
      WHERE x.id = g.referer_id AND NOT EXISTS (SELECT 1 FROM events e WHERE e.referer_id = x.id)`,
  );
  // Users with no event left go with their scores, decisions and remaining identities (cascade);
  // blacklisted ones stay, so the blacklist still holds when they come back.
  await count(
    'users',
    `DELETE FROM users u USING (SELECT DISTINCT user_id FROM retention_gone) g
      WHERE u.id = g.user_id AND u.status <> 'blacklisted'
        AND NOT EXISTS (SELECT 1 FROM events e WHERE e.user_id = u.id)`,
  );
  await count(
    'user_agents',
    `DELETE FROM user_agents x USING (SELECT DISTINCT id FROM retention_parents WHERE kind = 'ua') p
      WHERE x.id = p.id AND NOT EXISTS (SELECT 1 FROM devices d WHERE d.user_agent_id = x.id)`,
  );
  await count(
    'domains',
    `DELETE FROM domains x USING (SELECT DISTINCT id FROM retention_parents WHERE kind = 'domain') p
      WHERE x.id = p.id AND NOT EXISTS (SELECT 1 FROM emails m WHERE m.domain_id = x.id)`,
  );
  await count(
    'isps',
    `DELETE FROM isps x USING (SELECT DISTINCT id FROM retention_parents WHERE kind = 'isp') p
      WHERE x.id = p.id AND NOT EXISTS (SELECT 1 FROM ips i WHERE i.project_id = x.project_id AND i.isp_id = x.id)`,
  );
  await count(
    'project_countries',
    `DELETE FROM project_countries c WHERE c.project_id = $1 AND c.event_count = 0
        AND NOT EXISTS (SELECT 1 FROM ips i WHERE i.project_id = c.project_id AND i.country = c.country)`,
    [projectId],
  );
  return { events, deleted };
}

/**
 * Runs retention for every project that has it, every `intervalMs` (hourly by default), and for
 * one project when an operator asks (runNow). One run at a time per process.
 */
export class RetentionJob {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopping = false;
  private readonly queue: RetentionRun[] = [];

  constructor(
    private readonly db: Database,
    private readonly options: {
      intervalMs: number;
      batchSize?: number;
      log: (message: string, error: unknown) => void;
    },
  ) {}

  start(): void {
    this.stopping = false;
    // The first pass waits an interval: a restart loop must not become a deletion loop.
    this.timer = setInterval(() => void this.scheduled(), this.options.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** Opens a run of the project now and works on it in the background; null if it keeps data forever. */
  async runNow(projectId: string): Promise<RetentionRun | null> {
    const run = await openRetentionRun(this.db, projectId, 'operator');
    if (run) {
      this.queue.push(run);
      this.drain();
    }
    return run;
  }

  /** Resolves when the runs queued so far are done (for tests and shutdown). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async scheduled(): Promise<void> {
    if (this.running || this.stopping) return;
    try {
      const { rows } = await this.db.query<{ id: string }>(
        'SELECT id FROM projects WHERE retention_weeks > 0 ORDER BY id',
      );
      for (const { id } of rows) {
        try {
          const run = await openRetentionRun(this.db, id, 'schedule');
          if (run) this.queue.push(run);
        } catch (error) {
          if (!(error instanceof RetentionBusy)) throw error;
        }
      }
      this.drain();
    } catch (error) {
      this.options.log('retention: could not list the projects to prune', error);
    }
  }

  private drain(): void {
    if (this.running) return;
    this.running = (async () => {
      for (let run = this.queue.shift(); run; run = this.queue.shift()) {
        try {
          await executeRetentionRun(this.db, run, {
            batchSize: this.options.batchSize,
            shouldStop: () => this.stopping,
          });
        } catch (error) {
          this.options.log(`retention of project ${run.projectId} failed`, error);
        }
      }
    })().finally(() => {
      this.running = null;
      if (this.queue.length > 0 && !this.stopping) this.drain();
    });
  }
}
