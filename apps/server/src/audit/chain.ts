import { randomBytes } from 'node:crypto';
import type { Executor } from '@vigil/db';
import { commitmentOf, entryHash, GENESIS, periodOf } from './canonical.ts';

/** Chain of the installation-wide actions (login, operators, settings without a project). */
export const INSTALLATION_CHAIN = 'installation';

export interface AuditEntry {
  /** The project the action concerns; null for installation-wide actions. */
  projectId: string | null;
  /** Who acted: an operator's e-mail, 'cli', 'sensor'… */
  actor: string;
  /** What was done, dotted: 'user.blacklist', 'rules.update', 'operator.login'… */
  action: string;
  target?: string;
  details?: Record<string, unknown>;
}

/** A row of field_changes, the content a sealed field-audit entry commits to. */
export interface FieldChangeRow {
  id: number;
  event_id: number;
  user_id: number;
  field_ref: number;
  time: Date;
  field_name: string | null;
  old_value: string | null;
  new_value: string;
  parent_id: string | null;
  parent_name: string | null;
}

export function fieldChangeContent(row: FieldChangeRow): Record<string, unknown> {
  return {
    id: Number(row.id),
    eventId: Number(row.event_id),
    userId: Number(row.user_id),
    fieldRef: Number(row.field_ref),
    time: row.time,
    fieldName: row.field_name,
    oldValue: row.old_value,
    newValue: row.new_value,
    parentId: row.parent_id,
    parentName: row.parent_name,
  };
}

/** The content an operator entry commits to (what erasure may have to remove). */
export function operatorContent(target: string | null, details: unknown): Record<string, unknown> {
  return { target, details };
}

export function chainOf(projectId: string | null): string {
  return projectId ?? INSTALLATION_CHAIN;
}

/**
 * Appends an operator action to its chain, inside the caller's transaction: the entry commits or
 * rolls back with the action it records.
 */
export async function appendAudit(tx: Executor, entry: AuditEntry): Promise<void> {
  // jsonb normalises what it stores; hash exactly what will be read back.
  const details = entry.details === undefined ? null : (JSON.parse(JSON.stringify(entry.details)) as unknown);
  await appendEntries(tx, chainOf(entry.projectId), entry.projectId, [
    {
      actor: entry.actor,
      action: entry.action,
      target: entry.target ?? null,
      details,
      fieldChangeId: null,
      content: operatorContent(entry.target ?? null, details),
    },
  ]);
}

export interface PendingEntry {
  actor: string;
  action: string;
  target: string | null;
  details: unknown;
  fieldChangeId: number | null;
  /** What the commitment covers. */
  content: unknown;
}

/**
 * Locks the chain's head (creating it on first use), then links the entries after it. Appends to
 * one chain are serialised across processes by that row lock; other chains are not blocked.
 * Returns the sequence numbers given.
 */
export async function appendEntries(
  tx: Executor,
  chain: string,
  projectId: string | null,
  entries: PendingEntry[],
  now = new Date(),
): Promise<number[]> {
  if (entries.length === 0) return [];
  const head = await lockHead(tx, chain);
  // Time never runs backwards along a chain, even across processes with slightly different
  // clocks, so periods stay contiguous.
  const at = new Date(Math.max(now.getTime(), head.at?.getTime() ?? 0));
  const period = periodOf(at);
  let prev = head.hash;
  let seq = head.seq;
  const rows = entries.map((e) => {
    seq += 1;
    const salt = randomBytes(16).toString('hex');
    const commitment = commitmentOf(salt, e.content);
    const hash = entryHash(prev, {
      chain,
      at,
      actor: e.actor,
      action: e.action,
      fieldChangeId: e.fieldChangeId,
      commitment,
    });
    const row = { seq, prev, hash, salt, commitment, e };
    prev = hash;
    return row;
  });
  await tx.query(
    `INSERT INTO audit_entries (chain, seq, period, at, project_id, actor, action, field_change_id,
       target, details, salt, commitment, prev_hash, hash)
     SELECT $1, s, $2, $3, $4, actor, action, fc, target, details, salt, commitment, prev_hash, hash
     FROM unnest($5::bigint[], $6::text[], $7::text[], $8::bigint[], $9::text[], $10::jsonb[],
       $11::text[], $12::text[], $13::text[], $14::text[])
       AS t(s, actor, action, fc, target, details, salt, commitment, prev_hash, hash)`,
    [
      chain,
      period,
      at,
      projectId,
      rows.map((r) => r.seq),
      rows.map((r) => r.e.actor),
      rows.map((r) => r.e.action),
      rows.map((r) => r.e.fieldChangeId),
      rows.map((r) => r.e.target),
      rows.map((r) => (r.e.details === null ? null : JSON.stringify(r.e.details))),
      rows.map((r) => r.salt),
      rows.map((r) => r.commitment),
      rows.map((r) => r.prev),
      rows.map((r) => r.hash),
    ],
  );
  const first = rows[0]!;
  await tx.query(
    `INSERT INTO audit_checkpoints (chain, period, first_seq, last_seq, start_hash, end_hash)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (chain, period) DO UPDATE SET last_seq = EXCLUDED.last_seq, end_hash = EXCLUDED.end_hash`,
    [chain, period, first.seq, seq, first.prev, prev],
  );
  await tx.query('UPDATE audit_heads SET seq = $2, hash = $3, at = $4 WHERE chain = $1', [
    chain,
    seq,
    prev,
    at,
  ]);
  return rows.map((r) => r.seq);
}

export interface ChainHead {
  chain: string;
  seq: number;
  hash: string;
  at: Date | null;
}

/** Takes the chain's lock: anything else appending to (or erasing from) it waits for this transaction. */
export async function lockHead(tx: Executor, chain: string): Promise<ChainHead> {
  await tx.query('INSERT INTO audit_heads (chain, hash) VALUES ($1, $2) ON CONFLICT (chain) DO NOTHING', [
    chain,
    GENESIS,
  ]);
  const { rows } = await tx.query<ChainHead>(
    'SELECT chain, seq::int8 AS seq, hash, at FROM audit_heads WHERE chain = $1 FOR UPDATE',
    [chain],
  );
  return { ...rows[0]!, seq: Number(rows[0]!.seq) };
}

/** Current heads, for export and for checking later that the chain still reaches them. */
export async function chainHeads(db: Executor, chain?: string): Promise<ChainHead[]> {
  const { rows } = await db.query<ChainHead>(
    `SELECT chain, seq, hash, at FROM audit_heads WHERE seq > 0 AND ($1::text IS NULL OR chain = $1)
     ORDER BY chain`,
    [chain ?? null],
  );
  return rows.map((r) => ({ ...r, seq: Number(r.seq) }));
}
