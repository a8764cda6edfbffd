import type { Database } from '@vigil/db';
import type { FastifyInstance } from 'fastify';
import {
  applyUserDecision,
  USER_DECISIONS as DECISIONS,
  type UserDecision as Decision,
} from '../../scoring/user-decisions.ts';
import { sendError } from '../errors.ts';

/**
 * An operator's decision about a user, recorded with who and when: approve (legitimate; leaves
 * the review queue and is never auto-blacklisted), blacklist (with the user's IPs, e-mails and
 * phones), unblacklist, watch and unwatch. `actor` names who decided (defaults to the API key).
 */
export function registerDecisionRoutes(app: FastifyInstance, db: Database): void {
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
    const { rows } = await db.query<{ id: number }>(
      'SELECT id FROM users WHERE project_id = $1 AND user_name = $2',
      [request.project.id, request.params.userName],
    );
    const user = rows[0];
    if (!user) return sendError(reply, 404, 'not_found', 'No such user in this project', 'userName');
    const result = await applyUserDecision(db, {
      projectId: request.project.id,
      userId: Number(user.id),
      decision,
      actor,
      note,
    });
    if (!result) return sendError(reply, 404, 'not_found', 'No such user in this project', 'userName');
    return { userName: request.params.userName, decision, status: result.status, watched: result.watched };
  });
}
