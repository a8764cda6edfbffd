import { createHmac, randomBytes } from 'node:crypto';
import type { Database, Executor } from '@vigil/db';
import { appendAudit, lockHead } from '../audit/chain.ts';
import { ERASE_ACTION } from '../audit/verify.ts';
import { subtractFromRollups } from '../ingest/rollups.ts';

export class UserNotFoundError extends Error {
  override name = 'UserNotFoundError';
  constructor(readonly userName: string) {
    super(`no user ${JSON.stringify(userName)} in this project`);
  }
}

export interface ErasureResult {
  /** Keyed hash naming the erased user in the audit trail (not reversible without the key). */
  subject: string;
  events: number;
  fieldChanges: number;
  logbookEntries: number;
  auditEntriesRedacted: number;
}

/** Strings shorter than this are matched only as whole JSON values, never as substrings. */
const MIN_SUBSTRING = 4;

/**
 * Data-subject erasure: removes a monitored user and everything that carries their personal data
 * (user id, names, e-mails, phones, events and payloads, field changes, logbook requests, pending
 * notifications, audit content about them), in one transaction.
 *
 * The user's events are deleted rather than pseudonymised: their IPs, pages and payloads are
 * personal data too. Counters of the entities shared with other users (IPs, ISPs, countries,
 * user agents, domains, pages, referrers, fields) are decreased by exactly what this user's events
 * added, so totals stay equal to what the remaining events add up to. An IP left with no event is
 * deleted unless an operator blacklisted it.
 *
 * The audit chain stays verifiable: entries about the user lose their content and salt (their
 * commitment stays), and the erasure's own entry lists them. It names the user only by a keyed
 * hash, so an operator holding the installation's key can answer "was X erased?", nobody else.
 */
export async function eraseUser(
  db: Database,
  input: { projectId: string; userName: string; actor: string },
): Promise<ErasureResult> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction((tx) => eraseInTransaction(tx, input));
    } catch (error) {
      // Concurrent ingest updates the same shared counters: a deadlock is retried, as the writer does.
      const code = (error as { code?: string }).code;
      if ((code === '40P01' || code === '40001') && attempt < 5) continue;
      throw error;
    }
  }
}

async function eraseInTransaction(
  tx: Executor,
  input: { projectId: string; userName: string; actor: string },
): Promise<ErasureResult> {
  const p = input.projectId;
  // The chain lock first, as the sealer takes it: deleting field changes removes rows from its queue.
  await lockHead(tx, p);
  const user = (
    await tx.query<{
      id: number;
      first_name: string | null;
      last_name: string | null;
      full_name: string | null;
    }>(
      `SELECT id, first_name, last_name, full_name FROM users
       WHERE project_id = $1 AND user_name = $2 FOR UPDATE`,
      [p, input.userName],
    )
  ).rows[0];
  if (!user) throw new UserNotFoundError(input.userName);
  const u = Number(user.id);

  const contacts = await tx.query<{ v: string | null }>(
    `SELECT email AS v FROM emails WHERE user_id = $1
     UNION SELECT phone FROM phones WHERE user_id = $1
     UNION SELECT e164 FROM phones WHERE user_id = $1`,
    [u],
  );
  const personal = [
    ...new Set(
      [
        input.userName,
        user.first_name,
        user.last_name,
        user.full_name,
        ...contacts.rows.map((r) => r.v),
      ].filter((v): v is string => typeof v === 'string' && v.length > 0),
    ),
  ];
  // LIKE patterns over JSON text: a value as a whole JSON string, or (long enough) anywhere.
  const jsonPatterns = personal.map((v) =>
    v.length >= MIN_SUBSTRING ? `%${likeEscape(jsonInner(v))}%` : `%${likeEscape(JSON.stringify(v))}%`,
  );
  const textPatterns = personal.filter((v) => v.length >= MIN_SUBSTRING).map((v) => `%${likeEscape(v)}%`);

  const counts = await decreaseSharedCounters(tx, p, u);

  const logbook = await tx.query(
    `UPDATE logbook SET raw = NULL, error_text = NULL
     WHERE project_id = $1 AND (raw IS NOT NULL OR error_text IS NOT NULL)
       AND (event_id IN (SELECT id FROM events WHERE user_id = $2)
            OR raw::text LIKE ANY($3::text[]) OR error_text::text LIKE ANY($3::text[]))`,
    [p, u, jsonPatterns],
  );
  await tx.query(
    'DELETE FROM idempotency_keys WHERE project_id = $1 AND event_id IN (SELECT id FROM events WHERE user_id = $2)',
    [p, u],
  );
  // Pages and referrers are shared rows; one that carries this user's data loses it for everyone.
  if (textPatterns.length > 0) {
    await tx.query(
      `UPDATE events SET referer_id = NULL WHERE project_id = $1 AND referer_id IN
         (SELECT id FROM referers WHERE project_id = $1 AND referer LIKE ANY($2::text[]))`,
      [p, textPatterns],
    );
    await tx.query('DELETE FROM referers WHERE project_id = $1 AND referer LIKE ANY($2::text[])', [
      p,
      textPatterns,
    ]);
    await tx.query(
      `UPDATE events SET query_id = NULL WHERE project_id = $1 AND query_id IN
         (SELECT id FROM resource_queries WHERE project_id = $1 AND query LIKE ANY($2::text[]))`,
      [p, textPatterns],
    );
    await tx.query('DELETE FROM resource_queries WHERE project_id = $1 AND query LIKE ANY($2::text[])', [
      p,
      textPatterns,
    ]);
    await tx.query(
      `UPDATE resources SET url = '[erased ' || id || ']', title = NULL
       WHERE project_id = $1 AND (url LIKE ANY($2::text[]) OR title LIKE ANY($2::text[]))`,
      [p, textPatterns],
    );
  }
  if ((await tx.query("SELECT to_regclass('outbox') AS t")).rows[0]?.t) {
    // Notifications not yet delivered about this user are dropped with their delivery log.
    await tx.query(
      `DELETE FROM outbox WHERE project_id = $1 AND (user_name = $2 OR data::text LIKE ANY($3::text[]))`,
      [p, input.userName, jsonPatterns],
    );
  }

  const fieldChanges = Number(
    (await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM field_changes WHERE user_id = $1', [u]))
      .rows[0]!.n,
  );
  const redacted = await tx.query<{ seq: number }>(
    `UPDATE audit_entries SET target = NULL, details = NULL, salt = NULL
     WHERE chain = $1 AND salt IS NOT NULL AND action <> $5
       AND (field_change_id IN (SELECT id FROM field_changes WHERE user_id = $2)
            OR target = ANY($3::text[]) OR target LIKE ANY($4::text[])
            OR details::text LIKE ANY($6::text[]))
     RETURNING seq`,
    [p, u, personal, textPatterns, ERASE_ACTION, jsonPatterns],
  );

  const events = await tx.query('DELETE FROM events WHERE project_id = $1 AND user_id = $2', [p, u]);
  // Sessions, devices, e-mails, phones, field changes, IP links, scores and decisions go with the user.
  await tx.query('DELETE FROM users WHERE id = $1', [u]);
  await tx.query(
    `DELETE FROM ips WHERE id = ANY($1::bigint[]) AND event_count <= 0 AND NOT blacklisted
       AND NOT EXISTS (SELECT 1 FROM events WHERE ip_id = ips.id)`,
    [counts.ipIds],
  );

  const subject = await subjectRef(tx, p, input.userName);
  const redactedSeqs = redacted.rows.map((r) => Number(r.seq)).sort((a, b) => a - b);
  await appendAudit(tx, {
    projectId: p,
    actor: input.actor,
    action: ERASE_ACTION,
    target: `subject:${subject}`,
    details: {
      subject,
      events: events.rowCount ?? 0,
      fieldChanges,
      logbookEntries: logbook.rowCount ?? 0,
      redactedSeqs,
    },
  });
  return {
    subject,
    events: events.rowCount ?? 0,
    fieldChanges,
    logbookEntries: logbook.rowCount ?? 0,
    auditEntriesRedacted: redactedSeqs.length,
  };
}

/** Takes back from shared rows what this user's events added at ingest; returns the IPs touched. */
async function decreaseSharedCounters(tx: Executor, p: string, u: number): Promise<{ ipIds: number[] }> {
  await subtractFromRollups(
    tx,
    '(SELECT project_id, time, type, user_id, ip_id, resource_id, email_id, device_id FROM events WHERE project_id = $1 AND user_id = $2)',
    [p, u],
  );
  const ips = await tx.query<{ ip_id: number }>(
    `UPDATE ips SET event_count = GREATEST(0, ips.event_count - c.n)
     FROM (SELECT ip_id, count(*) AS n FROM events WHERE user_id = $1 GROUP BY ip_id) c
     WHERE ips.id = c.ip_id RETURNING ips.id AS ip_id`,
    [u],
  );
  await tx.query(
    `UPDATE ips SET user_count = GREATEST(0, user_count - 1)
     WHERE id IN (SELECT ip_id FROM user_ips WHERE user_id = $1)`,
    [u],
  );
  await tx.query(
    `UPDATE isps SET event_count = GREATEST(0, isps.event_count - c.n)
     FROM (SELECT i.isp_id, count(*) AS n FROM events e JOIN ips i ON i.id = e.ip_id
           WHERE e.user_id = $1 AND i.isp_id IS NOT NULL GROUP BY i.isp_id) c
     WHERE isps.id = c.isp_id`,
    [u],
  );
  await tx.query(
    `UPDATE project_countries pc SET event_count = GREATEST(0, pc.event_count - c.n)
     FROM (SELECT i.country, count(*) AS n FROM events e JOIN ips i ON i.id = e.ip_id
           WHERE e.user_id = $2 AND i.country IS NOT NULL GROUP BY i.country) c
     WHERE pc.project_id = $1 AND pc.country = c.country`,
    [p, u],
  );
  await tx.query(
    `UPDATE user_agents SET event_count = GREATEST(0, user_agents.event_count - c.n)
     FROM (SELECT d.user_agent_id, count(*) AS n FROM events e JOIN devices d ON d.id = e.device_id
           WHERE e.user_id = $1 GROUP BY d.user_agent_id) c
     WHERE user_agents.id = c.user_agent_id`,
    [u],
  );
  await tx.query(
    `UPDATE domains SET event_count = GREATEST(0, domains.event_count - c.n)
     FROM (SELECT m.domain_id, count(*) AS n FROM events e JOIN emails m ON m.id = e.email_id
           WHERE e.user_id = $1 AND m.domain_id IS NOT NULL GROUP BY m.domain_id) c
     WHERE domains.id = c.domain_id`,
    [u],
  );
  for (const [table, column] of [
    ['resources', 'resource_id'],
    ['resource_queries', 'query_id'],
    ['referers', 'referer_id'],
  ] as const) {
    await tx.query(
      `UPDATE ${table} t SET event_count = GREATEST(0, t.event_count - c.n)
       FROM (SELECT ${column} AS id, count(*) AS n FROM events WHERE user_id = $1 AND ${column} IS NOT NULL
             GROUP BY ${column}) c
       WHERE t.id = c.id`,
      [u],
    );
  }
  await tx.query(
    `UPDATE fields SET edit_count = GREATEST(0, fields.edit_count - c.n)
     FROM (SELECT field_ref, count(*) AS n FROM field_changes WHERE user_id = $1 GROUP BY field_ref) c
     WHERE fields.id = c.field_ref`,
    [u],
  );
  return { ipIds: ips.rows.map((r) => Number(r.ip_id)) };
}

/**
 * HMAC-SHA256 of the project and user name under a random per-installation key kept in the
 * database: stable, so the same user erased twice gets the same reference, but not a plain hash
 * that anyone could test names against.
 */
async function subjectRef(tx: Executor, projectId: string, userName: string): Promise<string> {
  await tx.query('INSERT INTO audit_subject_key (key) VALUES ($1) ON CONFLICT DO NOTHING', [
    randomBytes(32).toString('hex'),
  ]);
  const { rows } = await tx.query<{ key: string }>('SELECT key FROM audit_subject_key');
  return createHmac('sha256', rows[0]!.key).update(`${projectId}\n${userName}`).digest('hex');
}

function jsonInner(value: string): string {
  return JSON.stringify(value).slice(1, -1);
}

function likeEscape(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}
