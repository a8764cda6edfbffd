import type { Executor } from '@vigil/db';

/** The actor scoring records on the blacklist decisions it takes by itself (score-users.ts). */
export const AUTOMATIC_ACTORS: readonly string[] = ['auto-blacklist threshold', 'scoring'];

/** One rule among the users seen in a period. */
export interface RuleStats {
  /** Users whose latest score matched the rule (whatever its weight). */
  matched: number;
  /** Of those, users whose latest verdict is a blacklisting by an operator (not by a threshold). */
  confirmed: number;
  /** Of those, users whose latest verdict is an operator's approval. */
  approved: number;
  /** Of those, users blacklisted by the auto-blacklist threshold: not evidence either way. */
  autoBlacklisted: number;
}

export interface PeriodStats {
  /** Users seen in the period with a score. */
  scored: number;
  rules: Map<string, RuleStats>;
}

/**
 * How often each rule fired and how analysts judged the users it fired for: the matches of the
 * latest score (users.score_details) of every user seen in the period, joined with each user's
 * latest verdict (approve / blacklist / unblacklist). A later unblacklisting cancels a
 * blacklisting, and a blacklisting by the threshold is never a confirmation.
 */
export async function ruleStats(
  db: Executor,
  projectId: string,
  from: Date | null,
  to: Date,
): Promise<PeriodStats> {
  const params = [projectId, from, to, AUTOMATIC_ACTORS];
  const seen = `SELECT u.id, u.score_details FROM users u
                 WHERE u.project_id = $1 AND ($2::timestamptz IS NULL OR u.last_seen >= $2) AND u.last_seen <= $3
                   AND u.score_details IS NOT NULL`;
  const [rules, scored] = await Promise.all([
    db.query<{ code: string; matched: number; confirmed: number; approved: number; auto: number }>(
      `WITH seen AS (${seen}),
            verdict AS (
              SELECT DISTINCT ON (d.user_id) d.user_id, d.decision, d.actor
                FROM user_decisions d
               WHERE d.project_id = $1 AND d.decision IN ('approve', 'blacklist', 'unblacklist')
               ORDER BY d.user_id, d.id DESC)
       SELECT m.code, count(*)::int AS matched,
              count(*) FILTER (WHERE v.decision = 'blacklist' AND NOT v.actor = ANY($4::text[]))::int AS confirmed,
              count(*) FILTER (WHERE v.decision = 'approve')::int AS approved,
              count(*) FILTER (WHERE v.decision = 'blacklist' AND v.actor = ANY($4::text[]))::int AS auto
         FROM seen s
        CROSS JOIN LATERAL jsonb_to_recordset(s.score_details) AS m(code text)
         LEFT JOIN verdict v ON v.user_id = s.id
        GROUP BY m.code`,
      params,
    ),
    db.query<{ n: number }>(`SELECT count(*)::int AS n FROM (${seen}) s`, params.slice(0, 3)),
  ]);
  return {
    scored: scored.rows[0]?.n ?? 0,
    rules: new Map(
      rules.rows.map((r) => [
        r.code,
        { matched: r.matched, confirmed: r.confirmed, approved: r.approved, autoBlacklisted: r.auto },
      ]),
    ),
  };
}

/** How long figures are reused at most (users entering or leaving the period move them too). */
const TTL_MS = 30_000;
const MAX_ENTRIES = 200;

/**
 * ruleStats, reused per project and period while nothing it reads moved: the key holds the
 * rule-set version, the project's newest decision and its newest score change (a score history
 * row is written whenever a user's score or matched rules change), so a review decision or a
 * rescore shows at once.
 */
export class RuleStatsCache {
  private readonly entries = new Map<string, { at: number; value: PeriodStats }>();

  constructor(private readonly db: Executor) {}

  async get(projectId: string, version: number, from: Date | null, to: Date): Promise<PeriodStats> {
    const { rows } = await this.db.query<{ decision: string | null; score: string | null }>(
      `SELECT (SELECT max(id)::text FROM user_decisions WHERE project_id = $1) AS decision,
              (SELECT max(id)::text FROM user_scores WHERE project_id = $1) AS score`,
      [projectId],
    );
    // The period's ends are rounded to the minute (the console sends them so) to share entries.
    const minute = (d: Date | null) => (d ? Math.floor(d.getTime() / 60_000) : 'all');
    const key = [projectId, version, rows[0]?.decision, rows[0]?.score, minute(from), minute(to)].join('|');
    const now = Date.now();
    const hit = this.entries.get(key);
    if (hit && now - hit.at < TTL_MS) return hit.value;
    const value = await ruleStats(this.db, projectId, from, to);
    if (this.entries.size >= MAX_ENTRIES) {
      for (const [k, e] of this.entries) if (now - e.at >= TTL_MS) this.entries.delete(k);
      if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    }
    this.entries.set(key, { at: now, value });
    return value;
  }
}
