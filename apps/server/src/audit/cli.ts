import { createWriteStream } from 'node:fs';
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { type Database, migrate } from '@vigil/db';
import { loadConfig } from '../config.ts';
import { openConfiguredDatabase } from '../database.ts';
import { CliFailure, CliUsageError } from '../lists/cli.ts';
import { eraseUser, UserNotFoundError } from '../privacy/erase-user.ts';
import { chainHeads, chainOf } from './chain.ts';
import { exportAudit } from './export.ts';
import { pruneAuditPeriods } from './retention.ts';
import { verifyAudit } from './verify.ts';

export const AUDIT_USAGE = `  audit verify [--project ID] [--head HASH]...
                                      recompute the audit chains; name the first entry changed,
                                      removed or reordered (exit 1); with --head, check the chain
                                      still reaches a head exported earlier
  audit head [--project ID]           print each chain's head hash (keep it off this machine)
  audit export [--project ID] [--from T] [--to T] [--out FILE]
                                      write audit entries as JSON lines
  audit prune --before YYYY-MM [--project ID]
                                      drop whole months of audit entries (checkpoints stay)
  user erase USER --project ID        erase a monitored user's personal data (data subject request)`;

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const out = (line = '') => process.stdout.write(`${line}\n`);

async function openStore(data: string | undefined): Promise<Database> {
  const env = { ...process.env };
  if (data !== undefined) env.VIGIL_DATA_DIR = data;
  const db = await openConfiguredDatabase(loadConfig(env));
  try {
    await migrate(db);
  } catch (error) {
    await db.close();
    throw error;
  }
  return db;
}

function projectOption(value: string | undefined, required: boolean): string | undefined {
  if (value === undefined) {
    if (required) throw new CliUsageError('--project ID is required');
    return undefined;
  }
  if (!UUID_RE.test(value)) throw new CliUsageError('--project takes a project id (a UUID)');
  return value.toLowerCase();
}

function dateOption(name: string, value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new CliUsageError(`--${name} takes a date or time (ISO 8601)`);
  return date;
}

export async function auditCommand(argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: {
      project: { type: 'string' },
      head: { type: 'string', multiple: true },
      from: { type: 'string' },
      to: { type: 'string' },
      out: { type: 'string' },
      before: { type: 'string' },
      data: { type: 'string' },
    },
  });
  const project = projectOption(values.project, false);
  const chain = project === undefined ? undefined : chainOf(project);
  if (sub === 'verify') {
    for (const h of values.head ?? []) {
      if (!/^[0-9a-f]{64}$/i.test(h)) throw new CliUsageError('--head takes a SHA-256 hash (64 hex digits)');
    }
    const db = await openStore(values.data);
    try {
      const report = await verifyAudit(db, { chain, heads: values.head ?? [] });
      for (const c of report.chains) {
        const status = c.problems.length === 0 ? '✓' : '✗';
        const notes = [
          c.prunedPeriods.length > 0 ? `pruned ${c.prunedPeriods.join(', ')}` : '',
          c.erased > 0 ? `${c.erased} erased by request` : '',
          c.fieldChangesNotStored > 0 ? `${c.fieldChangesNotStored} field changes no longer stored` : '',
        ].filter(Boolean);
        out(
          `${status} chain ${c.chain}: ${c.entries} entries, last ${c.lastSeq} ${c.lastHash}${notes.length ? ` (${notes.join('; ')})` : ''}`,
        );
        for (const p of c.problems.slice(0, 1)) out(`  first problem: ${p.message}`);
        if (c.problems.length > 1) out(`  (${c.problems.length - 1} more)`);
      }
      for (const h of report.heads) {
        out(
          h.found
            ? `✓ head ${h.hash} reached: entry ${h.found.seq} of chain ${h.found.chain}, ${h.found.following} entries since`
            : `✗ head ${h.hash} is no longer on the chain: entries after it were removed, or the chain was rewritten`,
        );
      }
      if (report.chains.length === 0) out('no audit entries yet');
      if (!report.ok) {
        process.stderr.write(`vigil: audit verification failed: ${report.firstProblem!.message}\n`);
        process.exitCode = 1;
      }
    } finally {
      await db.close();
    }
    return;
  }
  if (sub === 'head') {
    const db = await openStore(values.data);
    try {
      for (const h of await chainHeads(db, chain)) {
        out(`${h.hash} ${h.chain} ${h.seq} ${h.at?.toISOString() ?? ''}`);
      }
    } finally {
      await db.close();
    }
    return;
  }
  if (sub === 'export') {
    const from = dateOption('from', values.from);
    const to = dateOption('to', values.to);
    const db = await openStore(values.data);
    const file = values.out === undefined ? null : createWriteStream(values.out, { flags: 'wx' });
    try {
      const write = (line: string) =>
        file
          ? new Promise<void>((resolve, reject) =>
              file.write(`${line}\n`, (error) => (error ? reject(error) : resolve())),
            )
          : void process.stdout.write(`${line}\n`);
      const n = await exportAudit(db, { chain, from, to }, write);
      if (file) process.stderr.write(`${n} entries written to ${values.out}\n`);
    } finally {
      if (file) await new Promise<void>((resolve) => file.end(resolve));
      await db.close();
    }
    return;
  }
  if (sub === 'prune') {
    if (!values.before || !/^\d{4}-(0[1-9]|1[0-2])$/.test(values.before)) {
      throw new CliUsageError('audit prune needs --before YYYY-MM');
    }
    const db = await openStore(values.data);
    try {
      const dropped = await pruneAuditPeriods(db, values.before, chain);
      for (const d of dropped) out(`dropped ${d.period} of chain ${d.chain}: ${d.entries} entries`);
      if (dropped.length === 0) out('nothing to drop');
    } finally {
      await db.close();
    }
    return;
  }
  throw new CliUsageError(`unknown audit command: ${sub ?? '(none)'}`);
}

export async function userCommand(argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub !== 'erase') throw new CliUsageError(`unknown user command: ${sub ?? '(none)'}`);
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: { project: { type: 'string' }, data: { type: 'string' } },
  });
  if (positionals.length !== 1 || !positionals[0]) throw new CliUsageError('user erase takes one user name');
  const project = projectOption(values.project, true)!;
  const db = await openStore(values.data);
  try {
    const result = await eraseUser(db, {
      projectId: project,
      userName: positionals[0],
      actor: `cli:${safeUserName()}`,
    });
    out(
      `Erased: ${result.events} events, ${result.fieldChanges} field changes, ${result.logbookEntries} logbook requests, ` +
        `${result.auditEntriesRedacted} audit entries redacted.\nAudit reference: ${result.subject}`,
    );
  } catch (error) {
    if (error instanceof UserNotFoundError) throw new CliFailure(error.message);
    throw error;
  } finally {
    await db.close();
  }
}

function safeUserName(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}
