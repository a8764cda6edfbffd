import type { Executor } from '@vigil/db';
import type { FastifyInstance } from 'fastify';
import { propagateBlacklist, recordDecisions } from '../../scoring/score-users.ts';
import { sendError } from '../errors.ts';

const DECISIONS = ['approve', 'blacklist', 'unblacklist', 'watch', 'unwatch'] as const;
type Decision = (typeof DECISIONS)[number];

/**
 * An operator's decision about a user, recorded with who and when: approve (legitimate; leaves
 * the review queue and is never auto-blacklisted), blacklist (with the user's IPs, e-mails and
 * phones), unblacklist, watch and unwatch. `actor` names who decided (defaults to the API key).
 */
export function registerDecisionRoutes(app: FastifyInstance, db: Executor): void {
  app.post<{ Params: { userName: string } }>('/api/v1/users/:userName/decision', async (request, reply) => {
    const body = (request.body ?? {}) as { decision?: unknown; actor?: unknown; note?: unknown };
    const decision = body.decision as Decision;
    if (!DECISIONS.includes(decision)) {
      return sendError(
        reply,
        400,
        'invalid_parameter',
        `decision must be one of ${DECISIONS.join(', ')}`,
        'decision',
      );
    }
    const actor =
      typeof body.actor === 'string' && body.actor.trim() ? body.actor.trim().slice(0, 200) : 'api-key';
    const note = typeof body.note === 'string' ? body.note.slice(0, 2000) : undefined;
    const { rows } = await db.query<{ id: number; status: string }>(
      'SELECT id, status FROM users WHERE project_id = $1 AND user_name = $2',
      [request.project.id, request.params.userName],
    );
    const user = rows[0];
    if (!user) return sendError(reply, 404, 'not_found', 'No such user in this project', 'userName');
    const id = Number(user.id);
    if (decision === 'watch' || decision === 'unwatch') {
      await db.query('UPDATE users SET watched = $2 WHERE id = $1', [id, decision === 'watch']);
    } else {
      const status =
        decision === 'approve' ? 'approved' : decision === 'blacklist' ? 'blacklisted' : 'normal';
      await db.query('UPDATE users SET status = $2, decided_at = now(), decided_by = $3 WHERE id = $1', [
        id,
        status,
        actor,
      ]);
      if (decision === 'blacklist') await propagateBlacklist(db, [id], true);
      if (user.status === 'blacklisted' && decision !== 'blacklist')
        await propagateBlacklist(db, [id], false);
    }
    await recordDecisions(db, [id], decision, actor, note);
    const after = await db.query<{ status: string; watched: boolean }>(
      'SELECT status, watched FROM users WHERE id = $1',
      [id],
    );
    return { userName: request.params.userName, decision, ...after.rows[0] };
  });
}
