#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { isPresetName, PRESETS } from '@vigil/core';
import { migrate } from '@vigil/db';
import { configuredDispatcher } from './actions/dispatcher.ts';
import { buildApp } from './app.ts';
import { AUDIT_USAGE, auditCommand, userCommand } from './audit/cli.ts';
import { type Config, loadConfig } from './config.ts';
import { openConfiguredDatabase } from './database.ts';
import { DEMO_USAGE, demoCommand } from './demo/cli.ts';
import { createEnricher } from './enrich.ts';
import { CliUsageError, dataCommand, LISTS_USAGE, listsCommand } from './lists/cli.ts';
import { startEnrichmentReloader } from './lists/reloader.ts';
import { createMailer } from './mail.ts';
import { OPERATOR_USAGE, operatorCommand } from './operators/cli.ts';
import { issueSetupToken } from './operators/setup.ts';
import { createProject } from './projects.ts';
import { applyProjectPreset, RuleSets } from './scoring/rule-sets.ts';
import { ScoringWorker } from './scoring/worker.ts';

const USAGE = `Usage: vigil <command> [options]

Commands:
  start [--port N] [--data DIR]       run the HTTP server (and, on the embedded database, the workers)
  migrate [--data DIR]                apply pending database migrations and exit
  worker [--data DIR]                 score users from the queue (extra workers on PostgreSQL)
  project create --name N [--preset P] [--rate-limit RPS] [--json] [--data DIR]
                                      create a project and print its id and API key (shown once)
${OPERATOR_USAGE}
${LISTS_USAGE}
${DEMO_USAGE}
${AUDIT_USAGE}

Environment: PORT, HOST, DATABASE_URL, VIGIL_DATA_DIR, TRUSTED_PROXIES, VIGIL_SECRET, SMTP_URL, LOG_LEVEL.
Without DATABASE_URL, Vigil runs on an embedded PostgreSQL in VIGIL_DATA_DIR (default ./data).`;

/** Thrown for a wrong command line: printed with the usage, exit code 2. */
class UsageError extends Error {}

function check(ok: boolean, label: string, detail = ''): void {
  process.stdout.write(`${ok ? '✓' : '✗'} ${label}${detail ? `: ${detail}` : ''}\n`);
}

function configFrom(values: { port?: string; data?: string }): Config {
  const env = { ...process.env };
  if (values.port !== undefined) env.PORT = values.port;
  if (values.data !== undefined) env.VIGIL_DATA_DIR = values.data;
  return loadConfig(env);
}

async function start(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { port: { type: 'string' }, data: { type: 'string' } },
  });
  let config: Config;
  try {
    config = configFrom(values);
    check(true, 'config', `port ${config.port}, ${config.databaseUrl ? 'PostgreSQL' : 'embedded database'}`);
  } catch (error) {
    check(false, 'config', (error as Error).message);
    process.exitCode = 1;
    return;
  }
  let db: Awaited<ReturnType<typeof openConfiguredDatabase>>;
  try {
    db = await openConfiguredDatabase(config);
    await db.query('SELECT 1');
    check(true, 'database', `${db.engine} at ${db.location}`);
  } catch (error) {
    check(false, 'database', (error as Error).message);
    process.exitCode = 1;
    return;
  }
  try {
    const applied = await migrate(db);
    check(true, 'migrations', applied.length ? `applied ${applied.join(', ')}` : 'up to date');
  } catch (error) {
    check(false, 'migrations', (error as Error).message);
    await db.close();
    process.exitCode = 1;
    return;
  }
  const setupToken = await issueSetupToken(db);
  const enricher = await createEnricher(config);
  check(true, 'enrichment', enricher.description);
  const app = await buildApp(config, { db, enricher: enricher.enricher });
  // Operator lists from the database, and newer data files: kept current without a restart.
  const reloader = await startEnrichmentReloader({ db, enricher: enricher.enricher, config, log: app.log });
  check(true, 'lists', `${enricher.enricher.lists.size} active entries`);
  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (error) {
    check(false, 'http', (error as Error).message);
    await reloader.stop();
    await app.close();
    await db.close();
    process.exitCode = 1;
    return;
  }
  const url = `http://localhost:${config.port}`;
  check(true, 'http', `listening on ${url}`);
  process.stdout.write(`\nVigil is running at ${url}\n`);
  if (!config.databaseUrl) process.stdout.write(`Data folder: ${config.dataDir}\n`);
  if (setupToken) {
    process.stdout.write(
      '\nFirst run: open this link to create the admin account, the first project and its API key\n' +
        `(it works once, and only this link can do it):\n\n    ${url}/setup#token=${setupToken}\n\n` +
        'Without a browser: npx vigil operator create --email E --password P --role admin\n' +
        '                   npx vigil project create --name "My app"\n',
    );
  } else {
    process.stdout.write(`\nSign in at ${url}/login\n`);
  }
  const stop = async (signal: string) => {
    process.stdout.write(`\n${signal}: stopping; committing accepted events…\n`);
    await reloader.stop();
    await app.close();
    await db.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}

async function migrateCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { data: { type: 'string' } } });
  const config = configFrom(values);
  const db = await openConfiguredDatabase(config);
  try {
    const applied = await migrate(db);
    check(true, 'migrations', applied.length ? `applied ${applied.join(', ')}` : 'up to date');
  } finally {
    await db.close();
  }
}

async function projectCommand(argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub !== 'create') throw new UsageError(`unknown project command: ${sub ?? '(none)'}`);
  const { values } = parseArgs({
    args: rest,
    options: {
      name: { type: 'string' },
      'rate-limit': { type: 'string' },
      preset: { type: 'string' },
      json: { type: 'boolean', default: false },
      data: { type: 'string' },
    },
  });
  if (!values.name?.trim()) throw new UsageError('project create needs --name');
  const rateLimit = values['rate-limit'];
  if (rateLimit !== undefined && !/^\d+$/.test(rateLimit)) {
    throw new UsageError('--rate-limit takes a whole number of requests per second (0 disables the limit)');
  }
  if (values.preset !== undefined && !isPresetName(values.preset)) {
    throw new UsageError(`unknown preset ${values.preset}; one of: ${Object.keys(PRESETS).join(', ')}`);
  }
  const config = configFrom(values);
  const db = await openConfiguredDatabase(config);
  try {
    await migrate(db);
    const { project, apiKey } = await createProject(db, {
      name: values.name.trim(),
      ...(rateLimit !== undefined ? { rateLimitRps: Number(rateLimit) } : {}),
    });
    if (values.preset !== undefined) await applyProjectPreset(db, project.id, values.preset);
    if (values.json) {
      process.stdout.write(`${JSON.stringify({ projectId: project.id, apiKey })}\n`);
    } else {
      process.stdout.write(
        `Project: ${project.name}\nProject id: ${project.id}\nAPI key (shown only once): ${apiKey}\n`,
      );
    }
  } finally {
    await db.close();
  }
}

/**
 * A scoring worker without HTTP: on PostgreSQL, run as many as the load needs beside `vigil start`
 * (with VIGIL_SCORING_WORKER=off there). They share the queue through FOR UPDATE SKIP LOCKED.
 */
async function workerCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { data: { type: 'string' } } });
  const config = configFrom(values);
  const db = await openConfiguredDatabase(config);
  await migrate(db);
  const worker = new ScoringWorker(db, new RuleSets(db), {
    batchSize: config.scoring.batchSize,
    pollMs: 100,
    leaseMs: 30_000,
    lingerMs: 150,
    log: (message, error) => process.stderr.write(`${message}: ${(error as Error)?.message ?? ''}\n`),
  });
  worker.start();
  const actions = configuredDispatcher(db, config, createMailer(config), (message, error) =>
    process.stderr.write(`${message}: ${(error as Error)?.message ?? ''}\n`),
  );
  actions.start();
  check(true, 'worker', `scoring users and delivering alerts on ${db.engine} at ${db.location}`);
  const stop = async () => {
    await worker.stop();
    await actions.stop();
    await db.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
}

const commands: Record<string, (argv: string[]) => Promise<void>> = {
  start,
  migrate: migrateCommand,
  project: projectCommand,
  worker: workerCommand,
  lists: listsCommand,
  data: dataCommand,
  demo: demoCommand,
  operator: operatorCommand,
  audit: auditCommand,
  user: userCommand,
};

async function main(): Promise<void> {
  const [command, ...argv] = process.argv.slice(2);
  if (!command || command === '--help' || command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const run = commands[command];
  if (!run) throw new UsageError(`unknown command: ${command}`);
  await run(argv);
}

main().catch((error: unknown) => {
  if (
    error instanceof UsageError ||
    error instanceof CliUsageError ||
    (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
  ) {
    process.stderr.write(`vigil: ${(error as Error).message}\n\n${USAGE}\n`);
    process.exit(2);
  }
  process.stderr.write(`vigil: ${(error as Error).message}\n`);
  process.exit(1);
});
