import type { Database } from '@vigil/db';
import { lockHead } from './chain.ts';

/**
 * Drops whole periods (UTC months) older than `before` (YYYY-MM). Their checkpoints stay: the
 * first entry of the next period links to the dropped period's last hash, so what remains still
 * verifies from there. The period holding a chain's head is never dropped.
 */
export async function pruneAuditPeriods(
  db: Database,
  before: string,
  chain?: string,
): Promise<{ chain: string; period: string; entries: number }[]> {
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(before)) throw new Error('the period must be YYYY-MM');
  const { rows } = await db.query<{ chain: string; period: string }>(
    `SELECT chain, period FROM audit_checkpoints
     WHERE period < $1 AND pruned_at IS NULL AND ($2::text IS NULL OR chain = $2) ORDER BY chain, period`,
    [before, chain ?? null],
  );
  const dropped: { chain: string; period: string; entries: number }[] = [];
  for (const r of rows) {
    const entries = await db.transaction(async (tx) => {
      const head = await lockHead(tx, r.chain);
      const { rows: last } = await tx.query<{ last_seq: number }>(
        'SELECT last_seq FROM audit_checkpoints WHERE chain = $1 AND period = $2',
        [r.chain, r.period],
      );
      if (Number(last[0]!.last_seq) >= head.seq) return null;
      const deleted = await tx.query('DELETE FROM audit_entries WHERE chain = $1 AND period = $2', [
        r.chain,
        r.period,
      ]);
      await tx.query('UPDATE audit_checkpoints SET pruned_at = now() WHERE chain = $1 AND period = $2', [
        r.chain,
        r.period,
      ]);
      return deleted.rowCount ?? 0;
    });
    if (entries !== null) dropped.push({ ...r, entries });
  }
  return dropped;
}
