import { evaluateRules, type RuleOutcome } from '@vigil/core';
import type { Executor } from '@vigil/db';
import { SCORING_ALERTS_CTE } from '../actions/outbox.ts';
import { loadFeatures } from './features.ts';
import type { RuleSets } from './rule-sets.ts';

export interface UserScore {
  userId: number;
  projectId: string;
  score: number;
  status: string;
  matched: RuleOutcome[];
  reviewThreshold: number;
  blacklistThreshold: number | null;
  /** False when the user's row was busy (skipLocked) and the score was not written. */
  stored: boolean;
}

/**
 * Scores users: loads their features in bulk, evaluates their project's rule set, stores the score
 * with its evidence (history only when it changed), and acts on the thresholds: a score at or
 * below the review threshold puts a user in the review queue once; at or below the blacklist
 * threshold blacklists them with their IPs, e-mails and phones. Operators' decisions stand: an
 * approved or blacklisted user is never moved by scoring. The alerts (review, blacklist, subscribed
 * score crossings and rule matches) go to the outbox in the statement that stores the scores.
 */
export async function scoreUsers(
  db: Executor,
  ruleSets: RuleSets,
  users: { userId: number; projectId: string }[],
  now = new Date(),
  /**
   * Skip users whose row another transaction holds (an ingest batch adding their events): they are
   * not stored and stay queued for the next round, instead of the worker waiting for that commit.
   */
  skipLocked = false,
): Promise<UserScore[]> {
  if (users.length === 0) return [];
  const features = await loadFeatures(
    db,
    users.map((u) => u.userId),
    now,
  );
  const rows: {
    id: number;
    project: string;
    score: number;
    details: string;
    results: string;
    version: number;
    review: number;
    blacklist: number | null;
  }[] = [];
  const scores: UserScore[] = [];
  for (const { userId, projectId } of users) {
    const f = features.get(userId);
    if (!f) continue;
    const set = await ruleSets.get(projectId);
    const evaluation = evaluateRules(f, {
      rules: set.rules,
      weights: set.weights,
      thresholds: set.thresholds,
    });
    const notable = evaluation.results.filter((r) => r.status !== 'no_match');
    rows.push({
      id: userId,
      project: projectId,
      score: evaluation.score,
      details: JSON.stringify(evaluation.matched.map((m) => ({ code: m.code, weight: m.weight }))),
      results: JSON.stringify(notable),
      version: set.version,
      review: set.reviewThreshold,
      blacklist: set.blacklistThreshold,
    });
    scores.push({
      userId,
      projectId,
      score: evaluation.score,
      status: 'normal',
      matched: evaluation.matched,
      reviewThreshold: set.reviewThreshold,
      blacklistThreshold: set.blacklistThreshold,
      stored: false,
    });
  }
  if (rows.length === 0) return scores;
  const params = [
    rows.map((r) => r.id),
    rows.map((r) => r.score),
    rows.map((r) => r.details),
    rows.map((r) => r.results),
    rows.map((r) => r.version),
    rows.map((r) => r.review),
    rows.map((r) => r.blacklist),
  ];
  const { rows: updated } = await db.query<{
    id: number;
    status: string;
    blacklisted_now: boolean;
    review_now: boolean;
  }>(
    `WITH v AS (
       SELECT * FROM unnest($1::bigint[], $2::smallint[], $3::jsonb[], $4::jsonb[], $5::int[], $6::smallint[], $7::smallint[])
         AS v(id, score, details, results, version, review, blacklist)
     ), old AS (
       SELECT u.id, u.score, u.score_details, u.status FROM users u JOIN v ON v.id = u.id
       ORDER BY u.id FOR UPDATE OF u${skipLocked ? ' SKIP LOCKED' : ''}
     ), history AS (
       INSERT INTO user_scores (project_id, user_id, score, rule_set_version, results)
       SELECT u.project_id, v.id, v.score, v.version, v.results
         FROM v JOIN users u ON u.id = v.id JOIN old ON old.id = v.id
        WHERE old.score IS DISTINCT FROM v.score OR old.score_details IS DISTINCT FROM v.details
     ), upd AS (
       UPDATE users u SET
         score = v.score, score_details = v.details, score_updated_at = now(), rule_set_version = v.version,
         status = CASE
           WHEN u.status IN ('approved', 'blacklisted') THEN u.status
           WHEN v.blacklist IS NOT NULL AND v.score <= v.blacklist THEN 'blacklisted'
           WHEN u.status = 'normal' AND u.added_to_review IS NULL AND v.score <= v.review THEN 'review'
           ELSE u.status END,
         added_to_review = CASE
           WHEN u.status = 'normal' AND u.added_to_review IS NULL AND v.score <= v.review THEN now()
           ELSE u.added_to_review END
       FROM v JOIN old ON old.id = v.id WHERE u.id = v.id
       RETURNING u.id, u.status, u.project_id
     ), ${SCORING_ALERTS_CTE}
     SELECT upd.id, upd.status, (old.status <> 'blacklisted' AND upd.status = 'blacklisted') AS blacklisted_now,
            (old.status <> 'review' AND upd.status = 'review') AS review_now
       FROM upd JOIN old ON old.id = upd.id`,
    params,
  );
  const statusOf = new Map(updated.map((u) => [Number(u.id), u.status]));
  for (const s of scores) {
    s.status = statusOf.get(s.userId) ?? s.status;
    s.stored = statusOf.has(s.userId);
  }
  const newlyBlacklisted = updated.filter((u) => u.blacklisted_now).map((u) => Number(u.id));
  if (newlyBlacklisted.length > 0) {
    await recordDecisions(db, newlyBlacklisted, 'blacklist', 'auto-blacklist threshold');
    await propagateBlacklist(db, newlyBlacklisted, true);
  }
  const newlyInReview = updated.filter((u) => u.review_now).map((u) => Number(u.id));
  if (newlyInReview.length > 0) {
    await db.query(
      `INSERT INTO user_decisions (project_id, user_id, decision, actor, note)
       SELECT u.project_id, u.id, 'review', 'scoring', 'score at or below the review threshold'
         FROM users u WHERE u.id = ANY($1::bigint[])
          AND NOT EXISTS (SELECT 1 FROM user_decisions d WHERE d.user_id = u.id AND d.decision = 'review')`,
      [newlyInReview],
    );
  }
  return scores;
}

/**
 * Retries work that lost a deadlock or serialisation conflict (scoring and ingest lock the same
 * user rows from different transactions); PostgreSQL aborts one side, which is safe to rerun.
 */
export async function retryOnConflict<T>(work: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      const code = (error as { code?: string }).code;
      if ((code !== '40P01' && code !== '40001') || attempt >= attempts) throw error;
    }
  }
}

export async function recordDecisions(
  db: Executor,
  userIds: number[],
  decision: string,
  actor: string,
  note?: string,
) {
  await db.query(
    `INSERT INTO user_decisions (project_id, user_id, decision, actor, note)
     SELECT project_id, id, $2, $3, $4 FROM users WHERE id = ANY($1::bigint[])`,
    [userIds, decision, actor, note ?? null],
  );
}

/**
 * Blacklisting a user marks every IP they used, their e-mails and phones, in their project; later
 * events carrying one of them arrive marked (rules R01–R03). Un-blacklisting clears the marks
 * that no other blacklisted user of the project still holds.
 */
export async function propagateBlacklist(
  db: Executor,
  userIds: number[],
  blacklisted: boolean,
): Promise<void> {
  if (blacklisted) {
    await db.query(
      `UPDATE ips SET blacklisted = true WHERE id IN (SELECT ip_id FROM user_ips WHERE user_id = ANY($1::bigint[]))`,
      [userIds],
    );
    await db.query(
      `UPDATE emails e SET blacklisted = true FROM emails mine
        WHERE mine.user_id = ANY($1::bigint[]) AND e.project_id = mine.project_id AND e.email = mine.email`,
      [userIds],
    );
    await db.query(
      `UPDATE phones p SET blacklisted = true FROM phones mine
        WHERE mine.user_id = ANY($1::bigint[]) AND p.project_id = mine.project_id AND p.phone = mine.phone`,
      [userIds],
    );
    return;
  }
  await db.query(
    `UPDATE ips i SET blacklisted = false
      WHERE i.id IN (SELECT ip_id FROM user_ips WHERE user_id = ANY($1::bigint[]))
        AND NOT EXISTS (SELECT 1 FROM user_ips l JOIN users u ON u.id = l.user_id
                         WHERE l.ip_id = i.id AND u.status = 'blacklisted' AND NOT u.id = ANY($1::bigint[]))`,
    [userIds],
  );
  await db.query(
    `UPDATE emails e SET blacklisted = false FROM emails mine
      WHERE mine.user_id = ANY($1::bigint[]) AND e.project_id = mine.project_id AND e.email = mine.email
        AND NOT EXISTS (SELECT 1 FROM emails o JOIN users u ON u.id = o.user_id
                         WHERE o.project_id = e.project_id AND o.email = e.email AND u.status = 'blacklisted'
                           AND NOT u.id = ANY($1::bigint[]))`,
    [userIds],
  );
  await db.query(
    `UPDATE phones p SET blacklisted = false FROM phones mine
      WHERE mine.user_id = ANY($1::bigint[]) AND p.project_id = mine.project_id AND p.phone = mine.phone
        AND NOT EXISTS (SELECT 1 FROM phones o JOIN users u ON u.id = o.user_id
                         WHERE o.project_id = p.project_id AND o.phone = p.phone AND u.status = 'blacklisted'
                           AND NOT u.id = ANY($1::bigint[]))`,
    [userIds],
  );
}
