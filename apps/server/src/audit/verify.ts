import type { Executor } from '@vigil/db';
import { commitmentOf, entryHash, GENESIS } from './canonical.ts';
import { type FieldChangeRow, fieldChangeContent, operatorContent } from './chain.ts';

/** The action of an erasure's own entry; its details list the entries whose content it removed. */
export const ERASE_ACTION = 'user.erase';

export type ProblemKind = 'changed' | 'removed' | 'reordered' | 'truncated' | 'checkpoint';

export interface AuditProblem {
  chain: string;
  /** Position of the first bad entry in its chain. */
  seq: number;
  kind: ProblemKind;
  message: string;
}

export interface ChainReport {
  chain: string;
  /** Entries checked (pruned periods excluded). */
  entries: number;
  prunedPeriods: string[];
  lastSeq: number;
  lastHash: string;
  /** Sealed field changes whose row is gone (retention): the chain still proves what was sealed. */
  fieldChangesNotStored: number;
  /** Entries whose content an erasure removed (listed by the erasure's entry). */
  erased: number;
  problems: AuditProblem[];
}

export interface HeadCheck {
  hash: string;
  found: { chain: string; seq: number; following: number } | null;
}

export interface VerifyReport {
  ok: boolean;
  chains: ChainReport[];
  heads: HeadCheck[];
  /** The first problem of the first broken chain, or a head no longer reached. */
  firstProblem: AuditProblem | null;
}

interface EntryRow {
  id: number;
  seq: number;
  period: string;
  at: Date;
  actor: string;
  action: string;
  field_change_id: number | null;
  target: string | null;
  details: unknown;
  salt: string | null;
  commitment: string;
  prev_hash: string;
  hash: string;
}

interface CheckpointRow {
  period: string;
  first_seq: number;
  last_seq: number;
  start_hash: string;
  end_hash: string;
  pruned_at: Date | null;
}

const PAGE = 2000;

/**
 * Recomputes every chain (or one) from its first entry, or from the checkpoint of a pruned
 * period, and names the first entry that was changed, removed or reordered. `heads` are hashes
 * exported earlier (`vigil audit head`): each must still be on its chain, so removing the tail, or
 * rewriting the chain and its head, is detected too.
 */
export async function verifyAudit(
  db: Executor,
  options: { chain?: string; heads?: string[] } = {},
): Promise<VerifyReport> {
  const { rows: chains } = await db.query<{ chain: string }>(
    `SELECT chain FROM audit_heads WHERE $1::text IS NULL OR chain = $1
     UNION SELECT DISTINCT chain FROM audit_entries WHERE $1::text IS NULL OR chain = $1
     ORDER BY chain`,
    [options.chain ?? null],
  );
  const wanted = new Map<string, HeadCheck>(
    (options.heads ?? []).map((h) => [h.toLowerCase(), { hash: h.toLowerCase(), found: null }]),
  );
  const reports: ChainReport[] = [];
  for (const { chain } of chains) reports.push(await verifyChain(db, chain, wanted));
  const problems = reports.flatMap((r) => r.problems.slice(0, 1));
  for (const check of wanted.values()) {
    if (!check.found) {
      problems.push({
        chain: options.chain ?? '*',
        seq: 0,
        kind: 'truncated',
        message: `the exported head ${check.hash} is no longer on the chain: entries after it were removed, or the chain was rewritten`,
      });
    }
  }
  return {
    ok: problems.length === 0,
    chains: reports,
    heads: [...wanted.values()],
    firstProblem: problems[0] ?? null,
  };
}

async function verifyChain(
  db: Executor,
  chain: string,
  wanted: Map<string, HeadCheck>,
): Promise<ChainReport> {
  const problems: AuditProblem[] = [];
  const problem = (seq: number, kind: ProblemKind, message: string) =>
    problems.push({ chain, seq, kind, message });
  const checkpoints = (
    await db.query<CheckpointRow>(
      `SELECT period, first_seq, last_seq, start_hash, end_hash, pruned_at FROM audit_checkpoints
       WHERE chain = $1 ORDER BY first_seq`,
      [chain],
    )
  ).rows.map((c) => ({ ...c, first_seq: Number(c.first_seq), last_seq: Number(c.last_seq) }));
  const prunedByFirst = new Map(checkpoints.filter((c) => c.pruned_at).map((c) => [c.first_seq, c]));
  const head = (
    await db.query<{ seq: number; hash: string }>('SELECT seq, hash FROM audit_heads WHERE chain = $1', [
      chain,
    ])
  ).rows[0];

  const report: ChainReport = {
    chain,
    entries: 0,
    prunedPeriods: [],
    lastSeq: 0,
    lastHash: GENESIS,
    fieldChangesNotStored: 0,
    erased: 0,
    problems,
  };
  const seen = new Map<string, { firstSeq: number; firstPrev: string; lastSeq: number; lastHash: string }>();
  const redacted: EntryRow[] = [];
  const erasedByRecord = new Set<number>();
  let running = GENESIS;
  let expected = 1;
  let lastId = 0;
  const reached = (hash: string, seq: number) => {
    const check = wanted.get(hash);
    if (check) check.found = { chain, seq, following: 0 };
  };

  for (let after = 0; ; ) {
    const { rows } = await db.query<EntryRow>(
      `SELECT id, seq, period, at, actor, action, field_change_id, target, details, salt, commitment,
         prev_hash, hash
       FROM audit_entries WHERE chain = $1 AND seq > $2 ORDER BY seq LIMIT ${PAGE}`,
      [chain, after],
    );
    if (rows.length === 0) break;
    const fieldChanges = await loadFieldChanges(db, rows);
    for (const raw of rows) {
      const e = normalise(raw);
      // Periods dropped by retention: continue from their checkpoint.
      for (let cp = prunedByFirst.get(expected); cp && e.seq > expected; cp = prunedByFirst.get(expected)) {
        if (cp.start_hash !== running) {
          problem(
            cp.first_seq,
            'checkpoint',
            `the checkpoint of pruned period ${cp.period} does not follow entry ${expected - 1}`,
          );
        }
        report.prunedPeriods.push(cp.period);
        running = cp.end_hash;
        reached(running, cp.last_seq);
        expected = cp.last_seq + 1;
      }
      const gap = e.seq > expected;
      if (gap) {
        problem(
          expected,
          'removed',
          e.seq === expected + 1
            ? `entry ${expected} was removed (the chain goes from entry ${expected - 1} to entry ${e.seq})`
            : `entries ${expected} to ${e.seq - 1} were removed`,
        );
      }
      const label = `entry ${e.seq} (id ${e.id}, ${e.at.toISOString()}, ${e.action} by ${e.actor})`;

      if (e.salt === null) {
        redacted.push(e);
      } else {
        const content =
          e.field_change_id === null
            ? operatorContent(e.target, e.details)
            : fieldChanges.get(e.field_change_id);
        if (content === undefined) report.fieldChangesNotStored += 1;
        else if (commitmentOf(e.salt, content) !== e.commitment) {
          problem(
            e.seq,
            'changed',
            `${label} was changed: its ${e.field_change_id === null ? 'content' : `field change #${e.field_change_id}`} no longer matches what was sealed`,
          );
        }
      }
      if (e.action === ERASE_ACTION) {
        const listed = (e.details as { redactedSeqs?: unknown } | null)?.redactedSeqs;
        if (Array.isArray(listed)) for (const s of listed) erasedByRecord.add(Number(s));
      }

      const fields = {
        chain,
        at: e.at,
        actor: e.actor,
        action: e.action,
        fieldChangeId: e.field_change_id,
        commitment: e.commitment,
      };
      if (entryHash(running, fields) !== e.hash || e.prev_hash !== running) {
        const intact = entryHash(e.prev_hash, fields) === e.hash;
        if (!intact) problem(e.seq, 'changed', `${label} was changed: its hash does not match its content`);
        else if (!gap) {
          problem(
            e.seq,
            'reordered',
            `${label} does not follow entry ${e.seq - 1}: entries were reordered, or one was inserted or removed`,
          );
        }
      } else if (e.id < lastId) {
        problem(e.seq, 'reordered', `${label} was stored before entry ${e.seq - 1}: entries were reordered`);
      }
      // Carry on from the stored hash so that later, independent damage is reported too.
      running = e.hash;
      reached(running, e.seq);
      expected = e.seq + 1;
      lastId = e.id;
      report.entries += 1;
      const p = seen.get(e.period);
      if (p) {
        p.lastSeq = e.seq;
        p.lastHash = e.hash;
      } else
        seen.set(e.period, { firstSeq: e.seq, firstPrev: e.prev_hash, lastSeq: e.seq, lastHash: e.hash });
    }
    after = Number(rows[rows.length - 1]!.seq);
  }

  report.lastSeq = expected - 1;
  report.lastHash = running;
  if (head) {
    const headSeq = Number(head.seq);
    if (headSeq > report.lastSeq) {
      problem(
        report.lastSeq + 1,
        'truncated',
        `entries ${report.lastSeq + 1} to ${headSeq} were removed from the end of the chain (its head is entry ${headSeq})`,
      );
    } else if (headSeq === report.lastSeq && head.hash !== running) {
      problem(headSeq, 'changed', `the chain head does not match entry ${headSeq}`);
    }
  }
  for (const e of redacted) {
    if (erasedByRecord.has(e.seq)) report.erased += 1;
    else {
      problem(
        e.seq,
        'changed',
        `entry ${e.seq} (id ${e.id}, ${e.action}) had its content removed, and no erasure record lists it`,
      );
    }
  }
  for (const cp of checkpoints) {
    const s = seen.get(cp.period);
    if (cp.pruned_at || !s) continue;
    if (cp.first_seq === s.firstSeq && cp.start_hash !== s.firstPrev) {
      problem(
        cp.first_seq,
        'checkpoint',
        `the checkpoint of period ${cp.period} does not match its first entry`,
      );
    }
    if (cp.last_seq === s.lastSeq && cp.end_hash !== s.lastHash) {
      problem(
        cp.last_seq,
        'checkpoint',
        `the checkpoint of period ${cp.period} does not match its last entry`,
      );
    }
  }
  for (const check of wanted.values()) {
    if (check.found?.chain === chain) check.found.following = report.lastSeq - check.found.seq;
  }
  problems.sort((a, b) => a.seq - b.seq);
  return report;
}

function normalise(row: EntryRow): EntryRow {
  return {
    ...row,
    id: Number(row.id),
    seq: Number(row.seq),
    field_change_id: row.field_change_id === null ? null : Number(row.field_change_id),
  };
}

async function loadFieldChanges(db: Executor, rows: EntryRow[]): Promise<Map<number, unknown>> {
  const ids = rows.filter((r) => r.field_change_id !== null && r.salt !== null).map((r) => r.field_change_id);
  const out = new Map<number, unknown>();
  if (ids.length === 0) return out;
  const { rows: changes } = await db.query<FieldChangeRow>(
    `SELECT id, event_id, user_id, field_ref, time, field_name, old_value, new_value, parent_id, parent_name
     FROM field_changes WHERE id = ANY($1::bigint[])`,
    [ids],
  );
  for (const c of changes) out.set(Number(c.id), fieldChangeContent(c));
  return out;
}
