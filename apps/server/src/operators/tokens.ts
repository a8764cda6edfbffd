import type { Executor } from '@vigil/db';
import { type Operator, toOperator } from './operators.ts';
import { newSecret, sha256 } from './secrets.ts';

/**
 * Operator API tokens: for scripts that call the console API. Sent as `Authorization: Bearer
 * vgt_…`; they act with the operator's roles and need no CSRF token (no cookie is involved).
 */
export async function createToken(db: Executor, operatorId: string, name: string) {
  const token = newSecret('vgt_');
  const { rows } = await db.query<{ id: number; created_at: Date }>(
    `INSERT INTO operator_tokens (operator_id, token_hash, token_prefix, name) VALUES ($1, $2, $3, $4)
     RETURNING id, created_at`,
    [operatorId, sha256(token), token.slice(0, 8), name],
  );
  return { id: Number(rows[0]!.id), name, token, createdAt: rows[0]!.created_at };
}

export async function resolveToken(db: Executor, token: string): Promise<Operator | null> {
  const { rows } = await db.query(
    `UPDATE operator_tokens t SET last_used_at = now()
       FROM operators o
      WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND o.id = t.operator_id AND o.disabled_at IS NULL
      RETURNING o.id, o.email, o.name, o.role, o.timezone`,
    [sha256(token)],
  );
  return rows[0] ? toOperator(rows[0]) : null;
}

export async function listTokens(db: Executor, operatorId: string) {
  const { rows } = await db.query(
    `SELECT id, name, token_prefix AS prefix, created_at AS "createdAt", last_used_at AS "lastUsedAt"
       FROM operator_tokens WHERE operator_id = $1 AND revoked_at IS NULL ORDER BY id`,
    [operatorId],
  );
  return rows.map((r) => ({ ...r, id: Number(r.id) }));
}

export async function revokeToken(db: Executor, operatorId: string, id: number): Promise<boolean> {
  const { rowCount } = await db.query(
    'UPDATE operator_tokens SET revoked_at = now() WHERE operator_id = $1 AND id = $2 AND revoked_at IS NULL',
    [operatorId, id],
  );
  return (rowCount ?? 0) > 0;
}
