import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { type Database, DataDirLockedError, migrate } from '@vigil/db';
import { DataFormatError, type EnrichmentData, LIST_KINDS } from '@vigil/enrich';
import { type Config, loadConfig } from '../config.ts';
import { openConfiguredDatabase } from '../database.ts';
import { createEnricher, enrichmentDataDir } from '../enrich.ts';
import { DataUpdateError, updateDataDir } from './data-update.ts';
import { projectListIndex } from './project-enricher.ts';
import { ENTITY_TABLES, reenrich } from './reenrich.ts';
import {
  deleteList,
  isListKind,
  ListImportError,
  ListNotFoundError,
  listLists,
  loadActiveEntries,
  parseExpiry,
  parseListInput,
  parseScore,
  storeList,
  UUID_RE,
} from './store.ts';

/**
 * The `vigil lists …` and `vigil data …` commands. Exit codes: 2 for a wrong command line
 * (CliUsageError, printed with the usage), 1 for a failure (CliFailure or any other error).
 */

export const LISTS_USAGE = `  lists [--project ID] [--json]       show the operator lists
  lists import FILE --label L [--kind ${LIST_KINDS.join('|')}] [--score N]
        [--expires YYYY-MM-DD] [--project ID]
                                      import a list file (CSV or one value per line)
  lists delete ID                     delete a list
  data update DIR                     validate the data files in DIR and install them in
                                      <data dir>/enrichment (a running server picks them up)
  data reenrich [--project ID] [--batch N]
                                      recompute the enrichment of stored IPs, user agents,
                                      domains, e-mails and phones
  data status                         show the data sets loaded and their dates`;

/** A wrong command line: exit code 2, with the usage. */
export class CliUsageError extends Error {
  override name = 'CliUsageError';
}

/** A failure with a message meant for the operator: exit code 1, no stack. */
export class CliFailure extends Error {
  override name = 'CliFailure';
}

const out = (line = '') => process.stdout.write(`${line}\n`);

function configFrom(values: { data?: string | undefined }): Config {
  const env = { ...process.env };
  if (values.data !== undefined) env.VIGIL_DATA_DIR = values.data;
  return loadConfig(env);
}

/**
 * Opens and migrates the configured store. On the embedded database a running server holds the
 * folder's lock: say so, and what to do instead.
 */
async function openStore(config: Config, busyHint: string): Promise<Database> {
  let db: Database;
  try {
    db = await openConfiguredDatabase(config);
  } catch (error) {
    if (error instanceof DataDirLockedError) {
      throw new CliFailure(
        `the embedded database in ${error.dataDir} is in use by a running Vigil server (pid ${error.pid}); ` +
          `only one process may open it.\n${busyHint}`,
      );
    }
    throw error;
  }
  try {
    await migrate(db);
  } catch (error) {
    await db.close();
    throw error;
  }
  return db;
}

async function withStore<T>(config: Config, busyHint: string, fn: (db: Database) => Promise<T>): Promise<T> {
  const db = await openStore(config, busyHint);
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

interface ProjectRow {
  id: string;
  name: string;
}

/** The project given, or the only one; several projects and none given is a usage error. */
async function resolveProject(db: Database, given: string | undefined): Promise<ProjectRow> {
  if (given !== undefined) {
    if (!UUID_RE.test(given))
      throw new CliUsageError(`--project takes a project id (a UUID), not "${given}"`);
    const { rows } = await db.query<ProjectRow>('SELECT id, name FROM projects WHERE id = $1', [given]);
    if (!rows[0]) throw new CliFailure(`no project with id ${given}`);
    return rows[0];
  }
  const { rows } = await db.query<ProjectRow>('SELECT id, name FROM projects ORDER BY created_at, id');
  if (rows.length === 1) return rows[0]!;
  if (rows.length === 0) {
    throw new CliFailure('there is no project yet: create one with `vigil project create --name N`');
  }
  throw new CliUsageError(
    `there are ${rows.length} projects: choose one with --project ID\n${rows.map((r) => `  ${r.id}  ${r.name}`).join('\n')}`,
  );
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function describeCounts(counts: Partial<Record<string, number>>): string {
  return Object.entries(counts)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
}

export async function listsCommand(argv: string[]): Promise<void> {
  const [sub] = argv;
  if (sub === 'import') return listsImport(argv.slice(1));
  if (sub === 'delete') return listsDelete(argv.slice(1));
  if (sub === undefined || sub.startsWith('-')) return listsShow(argv);
  throw new CliUsageError(`unknown lists command: ${sub}`);
}

async function listsImport(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      label: { type: 'string' },
      kind: { type: 'string' },
      score: { type: 'string' },
      expires: { type: 'string' },
      project: { type: 'string' },
      data: { type: 'string' },
    },
  });
  if (positionals.length !== 1) throw new CliUsageError('lists import takes one FILE');
  const file = positionals[0]!;
  if (!values.label?.trim()) throw new CliUsageError('lists import needs --label');
  if (values.kind !== undefined && !isListKind(values.kind)) {
    throw new CliUsageError(`--kind must be one of ${LIST_KINDS.join(', ')}`);
  }
  const score = values.score === undefined ? null : parseScore(values.score);
  if (values.score !== undefined && score === null) throw new CliUsageError('--score takes a number');
  const expiresAt = values.expires === undefined ? null : parseExpiry(values.expires);
  if (values.expires !== undefined && expiresAt === null) {
    throw new CliUsageError('--expires takes a date, YYYY-MM-DD (or an ISO 8601 date-time with its zone)');
  }
  const config = configFrom(values);

  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new CliFailure(`cannot read ${file}: ${(error as Error).message}`);
  }
  // The whole file is checked before the store is opened: a bad file is reported even when the
  // store is busy, and nothing is written.
  let parsed: ReturnType<typeof parseListInput>;
  try {
    parsed = parseListInput({
      text,
      label: values.label,
      kind: values.kind as (typeof LIST_KINDS)[number] | undefined,
      score,
      expiresAt,
    });
  } catch (error) {
    if (error instanceof ListImportError) {
      const where = error.field === 'content' && error.line ? `${file}:${error.line}: ` : `${file}: `;
      throw new CliFailure(`list not imported, nothing stored. ${where}${error.message}`);
    }
    throw error;
  }

  const query = new URLSearchParams({ label: values.label.trim() });
  if (values.kind) query.set('kind', values.kind);
  if (score !== null) query.set('score', String(score));
  if (expiresAt) query.set('expiresAt', expiresAt.toISOString());
  const hint =
    'Import it through the running server instead (the key chooses the project):\n' +
    `  curl -X POST ${shellQuote(`http://localhost:${config.port}/api/v1/lists?${query}`)} \\\n` +
    `    -H 'Api-Key: <API key>' -H 'Content-Type: text/csv' --data-binary @${shellQuote(file)}\n` +
    'or stop the server first. (With DATABASE_URL, the CLI works while servers run.)';
  await withStore(config, hint, async (db) => {
    const project = await resolveProject(db, values.project);
    const list = await storeList(db, project.id, parsed);
    out(
      `Imported list "${list.label}" into project "${project.name}" (${project.id}): ` +
        `${list.entryCount} entries (${describeCounts(list.counts)})`,
    );
    out(`List id: ${list.listId}`);
    if (list.expiresAt) out(`Expires: ${list.expiresAt.toISOString()}`);
    out('A running server applies it to new events within a few seconds.');
  });
}

async function listsDelete(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { project: { type: 'string' }, data: { type: 'string' } },
  });
  if (positionals.length !== 1) throw new CliUsageError('lists delete takes one list ID');
  const id = positionals[0]!;
  if (!UUID_RE.test(id)) throw new CliUsageError(`a list id is a UUID, not "${id}"`);
  if (values.project !== undefined && !UUID_RE.test(values.project)) {
    throw new CliUsageError('--project takes a project id (a UUID)');
  }
  const config = configFrom(values);
  const hint =
    'Delete it through the running server instead:\n' +
    `  curl -X DELETE http://localhost:${config.port}/api/v1/lists/${id} -H 'Api-Key: <API key>'\n` +
    'or stop the server first.';
  await withStore(config, hint, async (db) => {
    try {
      await deleteList(db, values.project ?? null, id);
    } catch (error) {
      if (error instanceof ListNotFoundError) throw new CliFailure(`no list with id ${id}`);
      throw error;
    }
    out(`Deleted list ${id}`);
  });
}

async function listsShow(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      project: { type: 'string' },
      json: { type: 'boolean', default: false },
      data: { type: 'string' },
    },
  });
  if (values.project !== undefined && !UUID_RE.test(values.project)) {
    throw new CliUsageError('--project takes a project id (a UUID)');
  }
  const config = configFrom(values);
  const hint = `List them through the running server instead:\n  curl http://localhost:${config.port}/api/v1/lists -H 'Api-Key: <API key>'`;
  await withStore(config, hint, async (db) => {
    const lists = await listLists(db, values.project ?? null);
    if (values.json) {
      out(JSON.stringify(lists));
      return;
    }
    if (lists.length === 0) {
      out('No lists.');
      return;
    }
    const { rows: projects } = await db.query<ProjectRow>('SELECT id, name FROM projects');
    const nameOf = new Map(projects.map((p) => [p.id, p.name]));
    out(
      table([
        ['ID', 'PROJECT', 'LABEL', 'KIND', 'ENTRIES', 'SCORE', 'EXPIRES', 'CREATED'],
        ...lists.map((l) => [
          l.listId,
          nameOf.get(l.projectId) ?? l.projectId,
          l.label,
          l.kind ?? 'mixed',
          String(l.entryCount),
          l.score === null ? '-' : String(l.score),
          l.expiresAt
            ? `${l.expiresAt.toISOString().slice(0, 16)}Z${l.expired ? ' (expired)' : ''}`
            : 'never',
          `${l.createdAt.toISOString().slice(0, 16)}Z`,
        ]),
      ]),
    );
  });
}

export async function dataCommand(argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub === 'update') return dataUpdate(rest);
  if (sub === 'reenrich') return dataReenrich(rest);
  if (sub === 'status') return dataStatus(rest);
  throw new CliUsageError(`unknown data command: ${sub ?? '(none)'}`);
}

function printSources(data: EnrichmentData): void {
  out(
    table([
      ['SOURCE', 'ORIGIN', 'DATE', 'ENTRIES', 'NAME'],
      ...data.sources.map((s) => [s.id, s.origin, s.date ?? '-', String(s.entries), s.name]),
    ]),
  );
}

async function dataUpdate(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { data: { type: 'string' } },
  });
  if (positionals.length !== 1)
    throw new CliUsageError('data update takes one folder: vigil data update DIR');
  const config = configFrom(values);
  const target = enrichmentDataDir(config);
  let result: Awaited<ReturnType<typeof updateDataDir>>;
  try {
    result = await updateDataDir(positionals[0]!, target);
  } catch (error) {
    if (error instanceof DataFormatError || error instanceof DataUpdateError) {
      throw new CliFailure(`data not updated, nothing changed: ${error.message}`);
    }
    throw error;
  }
  out(`Installed ${result.copied.length} file(s) in ${result.target}: ${result.copied.join(', ')}`);
  if (result.ignored.length > 0) out(`Not recognised, not copied: ${result.ignored.join(', ')}`);
  out('');
  printSources(result.data);
  out('');
  out(
    'A running server loads the new data within a few seconds and re-enriches stored entities in the\n' +
      'background; otherwise it is loaded at the next start (then run `vigil data reenrich`).',
  );
}

async function dataStatus(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { data: { type: 'string' } } });
  const config = configFrom(values);
  try {
    const { enricher } = await createEnricher(config);
    out(`Data folder: ${enrichmentDataDir(config)}`);
    printSources(enricher.data);
    if (enricher.data.ignoredFiles.length > 0) out(`Ignored files: ${enricher.data.ignoredFiles.join(', ')}`);
  } catch (error) {
    if (error instanceof DataFormatError)
      throw new CliFailure(`the data folder does not load: ${error.message}`);
    throw error;
  }
}

async function dataReenrich(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { project: { type: 'string' }, batch: { type: 'string' }, data: { type: 'string' } },
  });
  if (values.project !== undefined && !UUID_RE.test(values.project)) {
    throw new CliUsageError('--project takes a project id (a UUID)');
  }
  const batchSize = values.batch === undefined ? 1000 : Number(values.batch);
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) {
    throw new CliUsageError('--batch takes a whole number from 1 to 10000');
  }
  const config = configFrom(values);
  const hint =
    'A running server re-enriches stored entities by itself after `vigil data update`.\n' +
    'To run it now, stop the server first. (With DATABASE_URL, the CLI works while servers run.)';
  const { enricher } = await createEnricher(config);
  await withStore(config, hint, async (db) => {
    if (values.project !== undefined) await resolveProject(db, values.project);
    const { index, owners } = projectListIndex(await loadActiveEntries(db));
    enricher.swapLists(index, owners);
    const started = Date.now();
    const result = await reenrich(db, enricher, {
      projectId: values.project ?? null,
      batchSize,
      onProgress: (p) =>
        out(`${p.table}: ${p.done}/${p.total} checked, ${p.changed} changed${p.finished ? ' ✓' : ''}`),
    });
    const changed = ENTITY_TABLES.reduce((n, t) => n + result[t].changed, 0);
    out(`Re-enrichment done in ${((Date.now() - started) / 1000).toFixed(1)} s: ${changed} rows changed.`);
  });
}
