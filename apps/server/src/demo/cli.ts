/**
 * `vigil demo`: fills a project with a month of realistic shop traffic and labelled attacks,
 * through the real ingest path, then scores every user, so a new install shows a populated
 * dashboard, a review queue and rules firing.
 */
import { parseArgs } from 'node:util';
import { isPresetName, PRESETS } from '@vigil/core';
import { type Database, DataDirLockedError, migrate } from '@vigil/db';
import { buildApp } from '../app.ts';
import { type Config, loadConfig } from '../config.ts';
import { openConfiguredDatabase } from '../database.ts';
import { createEnricher } from '../enrich.ts';
import { CliFailure, CliUsageError } from '../lists/cli.ts';
import { startEnrichmentReloader } from '../lists/reloader.ts';
import { MAX_DEMO_DAYS, MIN_DEMO_USERS, SCENARIO_INFO, SCENARIOS } from './generate.ts';
import { createProgress, formatCount, formatDuration, type Progress } from './progress.ts';
import {
  DEMO_PRESET,
  DemoError,
  type DemoRunResult,
  runDemo,
  type ScenarioOutcome,
  scenarioOutcomes,
  scoreQueued,
} from './run.ts';

export const DEMO_USAGE = `  demo [--users N] [--days D] [--project ID | --name NAME] [--seed S] [--preset P] [--data DIR]
                                      fill a project with realistic traffic and labelled attacks
                                      through the ingest API, then score every user (default:
                                      2000 users, the last 30 days, seed 1, a new project "Demo
                                      shop" with the ${DEMO_PRESET} preset)`;

const out = (line = '') => process.stdout.write(`${line}\n`);

function wholeNumber(
  name: string,
  value: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new CliUsageError(
      `--${name} takes a whole number from ${min} to ${formatCount(max)}, not "${value}"`,
    );
  }
  return Number(value);
}

export async function demoCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      users: { type: 'string' },
      days: { type: 'string' },
      project: { type: 'string' },
      name: { type: 'string' },
      seed: { type: 'string' },
      preset: { type: 'string' },
      data: { type: 'string' },
    },
  });
  const users = wholeNumber('users', values.users, 2000, MIN_DEMO_USERS, 1_000_000);
  const days = wholeNumber('days', values.days, 30, 1, MAX_DEMO_DAYS);
  if (values.project !== undefined && values.name !== undefined) {
    throw new CliUsageError('give either --project ID (an existing project) or --name NAME (a new one)');
  }
  if (values.name !== undefined && !values.name.trim()) throw new CliUsageError('--name needs a name');
  if (values.preset !== undefined && !isPresetName(values.preset)) {
    throw new CliUsageError(`--preset takes one of ${Object.keys(PRESETS).join(', ')}`);
  }
  const seed = values.seed ?? '1';

  const env = { ...process.env };
  if (values.data !== undefined) env.VIGIL_DATA_DIR = values.data;
  const base = loadConfig(env);
  const config: Config = loadConfig(env, {
    // Request logs of thousands of batches would bury the progress line: warnings only, unless asked.
    logLevel: env.LOG_LEVEL ? base.logLevel : 'warn',
    // Scoring while the events arrive would rescore a user after every batch of theirs: the
    // queue is drained once, at the end.
    scoring: { ...base.scoring, worker: false },
  });

  let db: Database;
  try {
    db = await openConfiguredDatabase(config);
  } catch (error) {
    if (error instanceof DataDirLockedError) {
      throw new CliFailure(
        `the embedded database in ${error.dataDir} is in use by a running Vigil server (pid ${error.pid}); ` +
          'only one process may open it. Stop the server, run `vigil demo`, then start it again ' +
          '(or use DATABASE_URL to run both on PostgreSQL).',
      );
    }
    throw error;
  }
  const started = performance.now();
  try {
    await migrate(db);
    const enricher = await createEnricher(config);
    const app = await buildApp(config, { db, enricher: enricher.enricher });
    // Operator lists take part in enrichment as they do in `vigil start`.
    const reloader = await startEnrichmentReloader({
      db,
      enricher: enricher.enricher,
      config,
      log: { info: () => {}, error: (message) => process.stderr.write(`${message}\n`) },
      intervalMs: 60_000,
      reenrichOnDataUpdate: false,
    });
    let sending: Progress | null = null;
    let result: DemoRunResult;
    try {
      process.stderr.write(
        `Generating ${formatCount(users)} users over the last ${days} day${days === 1 ? '' : 's'} (seed ${seed})…\n`,
      );
      result = await runDemo(
        { app, db },
        {
          users,
          days,
          seed,
          ...(values.project !== undefined ? { projectId: values.project } : {}),
          ...(values.name !== undefined ? { projectName: values.name.trim() } : {}),
          ...(values.preset !== undefined ? { preset: values.preset } : {}),
          maxBodyBytes: config.ingest.maxBodyBytes,
          onGenerated: (traffic) => {
            sending = createProgress(process.stderr, {
              total: traffic.eventCount,
              label: 'Sending events',
              unit: 'events',
            });
          },
          onProgress: (sent) => (sending as Progress | null)?.update(sent),
        },
      );
      (sending as Progress | null)?.finish();
    } finally {
      await reloader.stop();
      await app.close();
    }
    const scoringStarted = performance.now();
    let scoring: Progress | null = null;
    const scored = await scoreQueued(db, (done, total) => {
      scoring ??= createProgress(process.stderr, { total, label: 'Scoring users', unit: 'users' });
      scoring.update(done);
    });
    (scoring as Progress | null)?.finish();
    const scoringMs = performance.now() - scoringStarted;
    const outcomes = await scenarioOutcomes(db, result.traffic, result.project.id);
    report(result, outcomes, { scored, scoringMs, totalMs: performance.now() - started }, config);
  } catch (error) {
    if (error instanceof DemoError) throw new CliFailure(error.message);
    throw error;
  } finally {
    await db.close();
  }
}

function table(rows: string[][], rightAligned: ReadonlySet<number>): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) =>
    r
      .map((c, i) => (rightAligned.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd(),
  );
}

function report(
  result: DemoRunResult,
  outcomes: Record<string, ScenarioOutcome>,
  times: { scored: number; scoringMs: number; totalMs: number },
  config: Config,
): void {
  const counts = result.traffic.counts();
  const rows = [
    ['Scenario', 'Users', 'Events', 'In review', 'Mean score', 'Rules it targets'],
    ...SCENARIOS.map((s) => {
      const o = outcomes[s]!;
      return [
        SCENARIO_INFO[s].title,
        formatCount(counts[s].users),
        formatCount(counts[s].events),
        formatCount(o.inReview),
        o.meanScore === null ? '-' : o.meanScore.toFixed(0),
        SCENARIO_INFO[s].rules.join(' ') || '-',
      ];
    }),
  ];
  const attackers = result.traffic.users.filter((u) => u.scenario !== 'normal').length;
  const rate = result.sendMs > 0 ? (result.stored * 1000) / result.sendMs : 0;

  out();
  for (const line of table(rows, new Set([1, 2, 3, 4]))) out(line);
  out();
  out(
    `Users: ${formatCount(result.traffic.users.length)} (${formatCount(attackers)} attackers, ` +
      `${((attackers * 100) / result.traffic.users.length).toFixed(1)}%)`,
  );
  out(
    `Events: ${formatCount(result.stored)} stored of ${formatCount(result.sent)} sent in ` +
      `${formatCount(result.requests)} requests, ${formatDuration(result.sendMs)} (${formatCount(rate)} events/s)`,
  );
  if (result.rejected > 0) out(`Rejected: ${formatCount(result.rejected)} (${result.rejections.join('; ')})`);
  out(`Scored: ${formatCount(times.scored)} users in ${formatDuration(times.scoringMs)}`);
  out(
    `Period: ${new Date(result.traffic.start).toISOString()} to ${new Date(result.traffic.end).toISOString()}`,
  );
  out(`Time taken: ${formatDuration(times.totalMs)}`);
  out();
  out(`Project: ${result.project.name}`);
  out(`Project id: ${result.project.id}`);
  if (result.preset) out(`Rule preset: ${result.preset}`);
  if (result.apiKey) out(`API key (shown only once): ${result.apiKey}`);
  out();
  out(
    config.databaseUrl
      ? 'Open the dashboard of a running `vigil start` to explore the users, the review queue and the rules.'
      : `Explore it: vigil start --data ${config.dataDir}`,
  );
}
