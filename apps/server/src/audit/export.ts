import type { Executor } from '@vigil/db';
import { type FieldChangeRow, fieldChangeContent } from './chain.ts';

/**
 * Writes entries as JSON lines, oldest first per chain, with everything needed to recompute the
 * chain elsewhere: salt and commitment, and the sealed field change while it is still stored.
 */
export async function exportAudit(
  db: Executor,
  options: { chain?: string; from?: Date; to?: Date },
  write: (line: string) => void | Promise<void>,
): Promise<number> {
  let count = 0;
  for (let afterChain = '', afterSeq = 0; ; ) {
    const { rows } = await db.query<Record<string, unknown>>(
      `SELECT a.chain, a.seq, a.period, a.at, a.project_id, a.actor, a.action, a.target, a.details,
         a.field_change_id, a.salt, a.commitment, a.prev_hash, a.hash,
         fc.id AS fc_id, fc.event_id, fc.user_id, fc.field_ref, fc.time, fc.field_name, fc.old_value,
         fc.new_value, fc.parent_id, fc.parent_name
       FROM audit_entries a LEFT JOIN field_changes fc ON fc.id = a.field_change_id AND a.salt IS NOT NULL
       WHERE (a.chain, a.seq) > ($1, $2) AND ($3::text IS NULL OR a.chain = $3)
         AND ($4::timestamptz IS NULL OR a.at >= $4) AND ($5::timestamptz IS NULL OR a.at < $5)
       ORDER BY a.chain, a.seq LIMIT 1000`,
      [afterChain, afterSeq, options.chain ?? null, options.from ?? null, options.to ?? null],
    );
    if (rows.length === 0) return count;
    for (const r of rows) {
      const fieldChange =
        r.fc_id === null
          ? null
          : fieldChangeContent({ ...(r as unknown as FieldChangeRow), id: Number(r.fc_id) });
      await write(
        JSON.stringify({
          chain: r.chain,
          seq: Number(r.seq),
          period: r.period,
          at: (r.at as Date).toISOString(),
          projectId: r.project_id,
          actor: r.actor,
          action: r.action,
          target: r.target,
          details: r.details,
          fieldChangeId: r.field_change_id === null ? null : Number(r.field_change_id),
          fieldChange,
          salt: r.salt,
          commitment: r.commitment,
          prevHash: r.prev_hash,
          hash: r.hash,
        }),
      );
      count += 1;
    }
    const last = rows[rows.length - 1]!;
    afterChain = String(last.chain);
    afterSeq = Number(last.seq);
  }
}
