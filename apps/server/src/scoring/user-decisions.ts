import type { Database } from '@vigil/db';
import { type Alert, enqueueAlerts } from '../actions/outbox.ts';
import { appendAudit, chainOf, lockHead } from '../audit/chain.ts';
import { propagateBlacklist, recordDecisions } from './score-users.ts';

export const USER_DECISIONS = ['approve', 'blacklist', 'unblacklist', 'watch', 'unwatch'] as const;
export type UserDecision = (typeof USER_DECISIONS)[number];

export interface UserDecisionInput {
  projectId: string;
  userId: number;
  decision: UserDecision;
  /** Who decided: an operator's e-mail, or 'api-key' for the public API. */
  actor: string;
  note?: string | undefined;
}

export interface UserDecisionResult {
  status: string;
  watched: boolean;
  previousStatus: string;
}

/**
 * An operator's decision about one user, in one transaction: approve (legitimate; leaves the
 * review queue and is never auto-blacklisted), blacklist (with the user's IPs, e-mails and phones),
 * unblacklist, watch and unwatch, recorded with who, when and why. Returns null when the user is
 * not in the project. Every caller (public API, console, bulk review) goes through here so the
 * side effects (propagation, history, alerts, the audit trail) cannot differ between them.
 */
export async function applyUserDecision(
  db: Database,
  input: UserDecisionInput,
): Promise<UserDecisionResult | null> {
  return db.transaction(async (tx) => {
    // The audit chain's head first, in the order erasure takes its locks, then the user's row.
    await lockHead(tx, chainOf(input.projectId));
    const { rows } = await tx.query<{ status: string; user_name: string }>(
      'SELECT status, user_name FROM users WHERE project_id = $1 AND id = $2 FOR UPDATE',
      [input.projectId, input.userId],
    );
    const before = rows[0];
    if (!before) return null;
    const id = input.userId;
    const { decision } = input;
    if (decision === 'watch' || decision === 'unwatch') {
      await tx.query('UPDATE users SET watched = $2 WHERE id = $1', [id, decision === 'watch']);
    } else {
      const status =
        decision === 'approve' ? 'approved' : decision === 'blacklist' ? 'blacklisted' : 'normal';
      await tx.query('UPDATE users SET status = $2, decided_at = now(), decided_by = $3 WHERE id = $1', [
        id,
        status,
        input.actor,
      ]);
      if (decision === 'blacklist') await propagateBlacklist(tx, [id], true);
      if (before.status === 'blacklisted' && decision !== 'blacklist')
        await propagateBlacklist(tx, [id], false);
    }
    await recordDecisions(tx, [id], decision, input.actor, input.note);
    const after = await tx.query<{ status: string; watched: boolean }>(
      'SELECT status, watched FROM users WHERE id = $1',
      [id],
    );
    const row = after.rows[0] as { status: string; watched: boolean };
    const alert = (kind: Alert['kind']): Alert => ({
      projectId: input.projectId,
      kind,
      userId: id,
      userName: before.user_name,
      data: {
        decision,
        actor: input.actor,
        note: input.note ?? null,
        status: row.status,
        previousStatus: before.status,
      },
    });
    const alerts = [alert('user.decision')];
    if (row.status === 'blacklisted' && before.status !== 'blacklisted')
      alerts.push(alert('user.blacklisted'));
    if (row.status !== 'blacklisted' && before.status === 'blacklisted')
      alerts.push(alert('user.unblacklisted'));
    await enqueueAlerts(tx, alerts);
    await appendAudit(tx, {
      projectId: input.projectId,
      actor: input.actor,
      action: `user.${decision}`,
      target: before.user_name,
      details: { userId: id, note: input.note ?? null, status: row.status, previousStatus: before.status },
    });
    return { ...row, previousStatus: before.status };
  });
}
