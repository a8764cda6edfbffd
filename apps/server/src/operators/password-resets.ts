import type { Database, Executor } from '@vigil/db';
import { appendAudit } from '../audit/chain.ts';
import { InputError } from '../input-error.ts';
import { escapeHtml, type Mailer } from '../mail.ts';
import { hashPassword, passwordProblem } from './passwords.ts';
import { newSecret, sha256 } from './secrets.ts';
import { revokeOtherSessions } from './sessions.ts';

const RESET_TTL_MINUTES = 30;

/**
 * Sends a reset link to the operator's address if it is known. The caller answers the same way
 * whether or not it was, so the form does not reveal which addresses have accounts.
 */
export async function requestPasswordReset(db: Executor, mailer: Mailer, publicUrl: string, email: string) {
  const { rows } = await db.query<{ id: string; email: string }>(
    'SELECT id, email FROM operators WHERE lower(email) = lower($1) AND disabled_at IS NULL',
    [email],
  );
  const operator = rows[0];
  if (!operator) return;
  const token = newSecret();
  await db.query(
    `INSERT INTO password_resets (token_hash, operator_id, expires_at)
     VALUES ($1, $2, now() + $3 * interval '1 minute')`,
    [sha256(token), operator.id, RESET_TTL_MINUTES],
  );
  const link = `${publicUrl}/reset-password#token=${token}`;
  await mailer.send({
    to: operator.email,
    subject: 'Reset your Vigil password',
    text: `Someone asked to reset the password of ${operator.email} on Vigil.\n\nTo choose a new password, open this link within ${RESET_TTL_MINUTES} minutes:\n${link}\n\nIf it was not you, ignore this e-mail: your password stays as it is.\n`,
    html: `<p>Someone asked to reset the password of ${escapeHtml(operator.email)} on Vigil.</p><p><a href="${escapeHtml(link)}">Choose a new password</a> (valid for ${RESET_TTL_MINUTES} minutes).</p><p>If it was not you, ignore this e-mail: your password stays as it is.</p>`,
  });
}

/** Sets the new password from a valid, unused link, and ends every session of that operator. */
export async function resetPassword(db: Database, token: unknown, password: unknown): Promise<string> {
  const problem = passwordProblem(password);
  if (problem) throw new InputError(problem, 'password');
  if (typeof token !== 'string' || !token) throw new InputError('the reset link is invalid', 'token');
  return db.transaction(async (tx) => {
    const { rows } = await tx.query<{ operator_id: string }>(
      `UPDATE password_resets SET used_at = now()
        WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now() RETURNING operator_id`,
      [sha256(token)],
    );
    const operatorId = rows[0]?.operator_id;
    if (!operatorId) throw new InputError('the reset link is invalid or has expired', 'token');
    await tx.query('UPDATE operators SET password_hash = $2, password_changed_at = now() WHERE id = $1', [
      operatorId,
      await hashPassword(password as string),
    ]);
    await revokeOtherSessions(tx, operatorId, null);
    const { rows: who } = await tx.query<{ email: string }>('SELECT email FROM operators WHERE id = $1', [
      operatorId,
    ]);
    await appendAudit(tx, {
      projectId: null,
      actor: who[0]!.email,
      action: 'operator.password_reset',
      target: operatorId,
    });
    return operatorId;
  });
}
