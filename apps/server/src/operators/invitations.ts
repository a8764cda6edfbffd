import type { Database, Executor } from '@vigil/db';
import { appendAudit } from '../audit/chain.ts';
import { InputError } from '../input-error.ts';
import { escapeHtml, type Mailer } from '../mail.ts';
import { createOperator, normaliseEmail, type Operator, type Role } from './operators.ts';
import { newSecret, sha256 } from './secrets.ts';

const INVITATION_TTL_DAYS = 7;

export type InviteOutcome =
  | { kind: 'added'; operatorId: string }
  /** The link is returned so an admin without SMTP can pass it on; it is shown once. */
  | { kind: 'invited'; link: string; emailed: boolean };

/**
 * Gives an e-mail address a role on a project: an existing operator becomes a member at once;
 * anyone else gets an invitation link to choose a password.
 */
export async function inviteToProject(
  db: Executor,
  input: { projectId: string; projectName: string; email: unknown; role: Role; invitedBy: Operator },
  mail: { mailer: Mailer | null; publicUrl: string },
): Promise<InviteOutcome> {
  const email = normaliseEmail(input.email);
  const { rows } = await db.query<{ id: string }>('SELECT id FROM operators WHERE lower(email) = lower($1)', [
    email,
  ]);
  if (rows[0]) {
    await db.query(
      `INSERT INTO project_members (project_id, operator_id, role) VALUES ($1, $2, $3)
       ON CONFLICT (project_id, operator_id) DO UPDATE SET role = EXCLUDED.role`,
      [input.projectId, rows[0].id, input.role],
    );
    return { kind: 'added', operatorId: rows[0].id };
  }
  const token = newSecret();
  await db.query(
    `INSERT INTO invitations (token_hash, project_id, email, role, invited_by, expires_at)
     VALUES ($1, $2, $3, $4, $5, now() + $6 * interval '1 day')`,
    [sha256(token), input.projectId, email, input.role, input.invitedBy.id, INVITATION_TTL_DAYS],
  );
  const link = `${mail.publicUrl}/accept-invitation#token=${token}`;
  if (mail.mailer) {
    const who = input.invitedBy.name ?? input.invitedBy.email;
    await mail.mailer.send({
      to: email,
      subject: `You are invited to ${input.projectName} on Vigil`,
      text: `${who} invited you to the project "${input.projectName}" on Vigil as ${input.role}.\n\nChoose your password within ${INVITATION_TTL_DAYS} days:\n${link}\n`,
      html: `<p>${escapeHtml(who)} invited you to the project “${escapeHtml(input.projectName)}” on Vigil as ${input.role}.</p><p><a href="${escapeHtml(link)}">Choose your password</a> (valid for ${INVITATION_TTL_DAYS} days).</p>`,
    });
  }
  return { kind: 'invited', link, emailed: mail.mailer !== null };
}

/** Creates the invited operator with the chosen password and makes them a member. */
export async function acceptInvitation(db: Database, token: unknown, password: unknown, name?: unknown) {
  if (typeof token !== 'string' || !token) throw new InputError('the invitation link is invalid', 'token');
  return db.transaction(async (tx) => {
    const { rows } = await tx.query<{ project_id: string; email: string; role: Role }>(
      `UPDATE invitations SET accepted_at = now()
        WHERE token_hash = $1 AND accepted_at IS NULL AND expires_at > now()
        RETURNING project_id, email, role`,
      [sha256(token)],
    );
    const invitation = rows[0];
    if (!invitation) throw new InputError('the invitation is invalid, used or expired', 'token');
    const operator = await createOperator(tx, {
      email: invitation.email,
      password,
      role: 'viewer',
      name: typeof name === 'string' && name.trim() ? name.trim().slice(0, 200) : null,
    });
    await tx.query('INSERT INTO project_members (project_id, operator_id, role) VALUES ($1, $2, $3)', [
      invitation.project_id,
      operator.id,
      invitation.role,
    ]);
    await appendAudit(tx, {
      projectId: invitation.project_id,
      actor: operator.email,
      action: 'member.accept_invitation',
      target: operator.id,
      details: { role: invitation.role },
    });
    return { operator, projectId: invitation.project_id };
  });
}
