import { randomUUID } from 'node:crypto';
import type { Executor } from '@vigil/db';
import { type Operator, toOperator } from './operators.ts';
import { newSecret, sha256 } from './secrets.ts';

/** A session ends after 12 idle hours or 7 days, whichever comes first. */
const IDLE_MS = 12 * 3600_000;
const MAX_AGE_MS = 7 * 24 * 3600_000;
/** last_seen_at is written at most this often, so reading a page is not a write per request. */
const TOUCH_EVERY_MS = 60_000;

export interface SessionInfo {
  publicId: string;
  csrfToken: string;
  operator: Operator;
}

export async function createSession(
  db: Executor,
  operatorId: string,
  client: { ip: string; userAgent: string | undefined },
): Promise<{ token: string; csrfToken: string; publicId: string; maxAgeSeconds: number }> {
  const token = newSecret();
  const csrfToken = newSecret();
  const publicId = randomUUID();
  await db.query(
    `INSERT INTO operator_sessions (id_hash, public_id, operator_id, csrf_token, expires_at, ip, user_agent)
     VALUES ($1, $2, $3, $4, now() + $5 * interval '1 millisecond', $6, $7)`,
    [
      sha256(token),
      publicId,
      operatorId,
      csrfToken,
      MAX_AGE_MS,
      client.ip,
      client.userAgent?.slice(0, 500) ?? null,
    ],
  );
  return { token, csrfToken, publicId, maxAgeSeconds: MAX_AGE_MS / 1000 };
}

export async function resolveSession(db: Executor, token: string): Promise<SessionInfo | null> {
  const { rows } = await db.query(
    `SELECT s.public_id, s.csrf_token, s.last_seen_at, o.id, o.email, o.name, o.role, o.timezone
       FROM operator_sessions s JOIN operators o ON o.id = s.operator_id
      WHERE s.id_hash = $1 AND s.expires_at > now() AND o.disabled_at IS NULL
        AND s.last_seen_at > now() - $2 * interval '1 millisecond'`,
    [sha256(token), IDLE_MS],
  );
  const row = rows[0];
  if (!row) return null;
  if (Date.now() - new Date(row.last_seen_at).getTime() > TOUCH_EVERY_MS) {
    await db.query('UPDATE operator_sessions SET last_seen_at = now() WHERE id_hash = $1', [sha256(token)]);
  }
  return { publicId: row.public_id, csrfToken: row.csrf_token, operator: toOperator(row) };
}

export async function endSession(db: Executor, token: string): Promise<void> {
  await db.query('DELETE FROM operator_sessions WHERE id_hash = $1', [sha256(token)]);
}

export async function listSessions(db: Executor, operatorId: string) {
  const { rows } = await db.query(
    `SELECT public_id AS id, created_at AS "createdAt", last_seen_at AS "lastSeenAt", expires_at AS "expiresAt",
            ip, user_agent AS "userAgent"
       FROM operator_sessions WHERE operator_id = $1 AND expires_at > now() ORDER BY last_seen_at DESC`,
    [operatorId],
  );
  return rows;
}

/** Ends one of the operator's sessions; false if it is not theirs or does not exist. */
export async function revokeSession(db: Executor, operatorId: string, publicId: string): Promise<boolean> {
  const { rowCount } = await db.query(
    'DELETE FROM operator_sessions WHERE operator_id = $1 AND public_id::text = $2',
    [operatorId, publicId],
  );
  return (rowCount ?? 0) > 0;
}

/** After a password change or reset: every session but the current one ends. */
export async function revokeOtherSessions(db: Executor, operatorId: string, keepPublicId: string | null) {
  await db.query(
    'DELETE FROM operator_sessions WHERE operator_id = $1 AND public_id::text IS DISTINCT FROM $2',
    [operatorId, keepPublicId],
  );
}
