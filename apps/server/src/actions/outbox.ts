import type { Executor } from '@vigil/db';

export const ALERT_KINDS = [
  'user.review',
  'user.blacklisted',
  'user.unblacklisted',
  'user.decision',
  'user.score_crossed',
  'rule.matched',
] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

export function isAlertKind(value: unknown): value is AlertKind {
  return (ALERT_KINDS as readonly unknown[]).includes(value);
}

export interface Alert {
  projectId: string;
  kind: AlertKind;
  userId: number;
  userName?: string;
  data: Record<string, unknown>;
}

/**
 * Records an alert in the outbox. Call it with the transaction that makes the change it reports,
 * so the alert exists exactly when the change committed; dispatchers deliver it afterwards.
 */
export async function enqueueAlert(tx: Executor, alert: Alert): Promise<void> {
  await enqueueAlerts(tx, [alert]);
}

/** Several alerts in one statement. */
export async function enqueueAlerts(tx: Executor, alerts: readonly Alert[]): Promise<void> {
  if (alerts.length === 0) return;
  await tx.query(
    `INSERT INTO outbox (project_id, kind, user_id, user_name, data)
     SELECT * FROM unnest($1::uuid[], $2::text[], $3::bigint[], $4::text[], $5::jsonb[])`,
    [
      alerts.map((a) => a.projectId),
      alerts.map((a) => a.kind),
      alerts.map((a) => a.userId),
      alerts.map((a) => a.userName ?? null),
      alerts.map((a) => JSON.stringify(a.data)),
    ],
  );
}

/**
 * The alerts of a scoring round, as one more common table expression of the statement that stores
 * the scores (scoreUsers): they are written by the very statement that changes the users, so
 * neither can exist without the other, and a round of any size costs no extra statement.
 *
 * It reads that statement's `v` (new score and matched rules per user), `old` (the locked rows
 * before the change) and `upd` (the rows after it). A score crossing and a newly matching rule are
 * recorded only when an enabled subscription of the project asks for them, so unsubscribed
 * projects pay nothing for them; the dispatcher re-checks each subscription when fanning out.
 * A user scored for the first time crosses from 99 (trusted).
 */
export const SCORING_ALERTS_CTE = `alerts AS (
  INSERT INTO outbox (project_id, kind, user_id, user_name, data)
  SELECT u.project_id, a.kind, u.id, u.user_name, a.data
    FROM upd JOIN old ON old.id = upd.id JOIN v ON v.id = upd.id JOIN users u ON u.id = upd.id
   CROSS JOIN LATERAL (
     SELECT 'user.review', jsonb_build_object('score', v.score, 'reviewThreshold', v.review)
      WHERE old.status <> 'review' AND upd.status = 'review'
     UNION ALL
     SELECT 'user.blacklisted',
            jsonb_build_object('score', v.score, 'blacklistThreshold', v.blacklist, 'actor', 'scoring')
      WHERE old.status <> 'blacklisted' AND upd.status = 'blacklisted'
     UNION ALL
     SELECT 'user.score_crossed', jsonb_build_object('score', v.score, 'previousScore', COALESCE(old.score, 99))
      WHERE EXISTS (
        SELECT 1 FROM webhook_subscriptions s
         WHERE s.project_id = u.project_id AND s.enabled AND 'user.score_crossed' = ANY (s.events)
           AND (COALESCE(old.score, 99) > s.score_threshold) <> (v.score > s.score_threshold))
     UNION ALL
     SELECT 'rule.matched', jsonb_build_object('ruleCode', m.code, 'weight', m.weight, 'score', v.score)
       FROM jsonb_to_recordset(v.details) AS m(code text, weight int)
      WHERE NOT COALESCE(old.score_details, '[]') @> jsonb_build_array(jsonb_build_object('code', m.code))
        AND EXISTS (
          SELECT 1 FROM webhook_subscriptions s
           WHERE s.project_id = u.project_id AND s.enabled AND 'rule.matched' = ANY (s.events)
             AND (s.rule_codes IS NULL OR m.code = ANY (s.rule_codes)))
   ) AS a(kind, data)
)`;
