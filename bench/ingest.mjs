#!/usr/bin/env node
// Ingestion benchmark: `npm run bench:ingest [-- --engine postgres|pglite|both --duration 60 --connections 64]`
//
// For each engine: a fresh store, `vigil migrate`, a project without rate limit, `vigil start` as a
// child process, then bench/loadgen.mjs as a second process (so the load generator does not share
// the server's event loop). The server's RSS is sampled every 500 ms. After the load, durability is
// checked: the events stored must be at least the number of 2xx answers (Vigil acknowledges only
// committed events). Prints a table with PASS/FAIL against the targets and writes
// bench/results/ingest-<engine>.json. The server is always stopped and the bench database dropped.
//
// Options (flag, or environment variable):
//   --engine       BENCH_ENGINE       postgres | pglite | both (default both)
//   --duration     BENCH_DURATION     seconds of load (default 60, at most 600)
//   --connections  BENCH_CONNECTIONS  concurrent closed-loop clients (default 64)
//   --users        BENCH_USERS        simulated users (default 5000)
//   --style        BENCH_STYLE        body encoding: node | php | python (default node)
//   --max-events   BENCH_MAX_EVENTS   stop after this many requests
//   --port         BENCH_PORT         server port (default: a free one)
//   --keep                            keep the bench database / data folder afterwards
// PostgreSQL is reached with `psql -h 127.0.0.1 -U postgres` (trust auth), as in CI.

import { spawn, spawnSync } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { freePort, sleep, stopChild, treeRssMb, waitExit } from './lib/proc.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const MAIN = join(ROOT, 'apps/server/dist/main.js');
const LOADGEN = join(ROOT, 'bench/loadgen.mjs');
const RESULTS = join(ROOT, 'bench/results');
const SCRATCH = join(ROOT, '.bench-data'); // git-ignored: data folders, server logs
const PG_ADMIN = ['-h', '127.0.0.1', '-U', 'postgres', '-d', 'postgres', '-v', 'ON_ERROR_STOP=1', '-qAt'];
const PG_URL = (db) => `postgres://postgres@127.0.0.1:5432/${db}`;

/** What each engine must reach. */
const TARGETS = {
  postgres: { eventsPerSecond: 5000, p99Ms: 50, rssMb: 300 },
  pglite: { eventsPerSecond: 1000 },
};

// ---------------------------------------------------------------------------------------------
// Clean-up that also runs on Ctrl-C and on crashes: stop children, drop databases, remove folders.

const cleanups = new Map();
let cleanupId = 0;
function onCleanup(fn) {
  const id = ++cleanupId;
  cleanups.set(id, fn);
  return () => {
    if (cleanups.delete(id)) fn();
  };
}
function runCleanups() {
  for (const [id, fn] of [...cleanups].reverse()) {
    cleanups.delete(id);
    try {
      fn();
    } catch (error) {
      console.error(`clean-up failed: ${error.message}`);
    }
  }
}
process.on('exit', runCleanups);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    console.error(`\n${signal}: stopping the benchmark and cleaning up`);
    process.exit(130);
  });
}

// ---------------------------------------------------------------------------------------------

function options() {
  const { values } = parseArgs({
    options: {
      engine: { type: 'string', default: process.env.BENCH_ENGINE ?? 'both' },
      duration: { type: 'string', default: process.env.BENCH_DURATION ?? '60' },
      connections: { type: 'string', default: process.env.BENCH_CONNECTIONS ?? '64' },
      users: { type: 'string', default: process.env.BENCH_USERS ?? '5000' },
      style: { type: 'string', default: process.env.BENCH_STYLE ?? 'node' },
      'max-events': { type: 'string', default: process.env.BENCH_MAX_EVENTS },
      port: { type: 'string', default: process.env.BENCH_PORT },
      keep: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(
      readFileSync(fileURLToPath(import.meta.url), 'utf8')
        .split('\n')
        .slice(1, 20)
        .join('\n'),
    );
    process.exit(0);
  }
  const engines = values.engine === 'both' ? ['postgres', 'pglite'] : [values.engine];
  for (const e of engines)
    if (!(e in TARGETS)) throw new Error(`--engine must be postgres, pglite or both: ${e}`);
  const int = (name, value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer: ${value}`);
    return n;
  };
  const duration = Number(values.duration);
  if (!(duration > 0 && duration <= 600))
    throw new Error(`--duration must be 1..600 seconds: ${values.duration}`);
  if (!['node', 'php', 'python'].includes(values.style)) throw new Error(`--style: ${values.style}`);
  return {
    engines,
    duration,
    connections: int('connections', values.connections),
    users: int('users', values.users),
    style: values.style,
    maxEvents: values['max-events'] ? int('max-events', values['max-events']) : null,
    port: values.port ? int('port', values.port) : null,
    keep: values.keep,
  };
}

function step(text) {
  console.log(`\n── ${text}`);
}

/** Runs a command to completion; throws with its output when it fails. */
function run(command, args, { env = process.env, timeoutMs = 120_000 } = {}) {
  const result = spawnSync(command, args, { env, encoding: 'utf8', timeout: timeoutMs, cwd: ROOT });
  if (result.error) throw new Error(`${command} ${args[0] ?? ''}: ${result.error.message}`);
  if (result.status !== 0) {
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim();
    throw new Error(
      `${command} ${args.slice(0, 2).join(' ')} exited with ${result.status ?? result.signal}\n${output}`,
    );
  }
  return result.stdout;
}

function vigil(args, env) {
  return run(process.execPath, [MAIN, ...args], { env });
}

function gitCommit() {
  const r = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) return null;
  const dirty = spawnSync('git', ['status', '--porcelain'], { cwd: ROOT, encoding: 'utf8' }).stdout?.trim();
  return `${r.stdout.trim()}${dirty ? '-dirty' : ''}`;
}

function tail(path, lines = 30) {
  try {
    return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

async function waitReady(url, server, logPath, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (server.exitCode !== null || server.signalCode !== null) {
      throw new Error(
        `the server exited (${server.exitCode ?? server.signalCode}) before it was ready:\n${tail(logPath)}`,
      );
    }
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      last = `${res.status} ${await res.text()}`;
      if (res.status === 200) return;
    } catch (error) {
      last = error.cause?.code ?? error.message;
    }
    await sleep(250);
  }
  throw new Error(`GET ${url} not 200 after ${timeoutMs / 1000} s (last: ${last}):\n${tail(logPath)}`);
}

async function countEventsPostgres(url) {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query('SELECT count(*)::bigint AS n FROM events');
    return Number(rows[0].n);
  } finally {
    await client.end();
  }
}

async function countEventsPglite(dataDir) {
  const { PGlite } = await import('@electric-sql/pglite');
  const db = new PGlite(dataDir);
  try {
    await db.waitReady;
    const { rows } = await db.query('SELECT count(*)::bigint AS n FROM events');
    return Number(rows[0].n);
  } finally {
    await db.close();
  }
}

function check(name, value, target, pass, unit = '') {
  return { name, value, target, unit, pass };
}

// ---------------------------------------------------------------------------------------------

async function benchEngine(engine, opts) {
  const result = { engine, ok: false, error: null, checks: [] };
  const startedAt = new Date();
  // Ingest alone: scoring has its own benchmark (bench/scoring.mjs); with the in-process worker on,
  // every batch would also rescore its users and this would measure both at once.
  const env = {
    ...process.env,
    HOST: '127.0.0.1',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    VIGIL_SCORING_WORKER: process.env.VIGIL_SCORING_WORKER ?? 'off',
  };
  delete env.VIGIL_DATA_DIR;
  const dataArgs = [];
  let databaseUrl = null;
  let dataDir = null;
  const releases = [];
  let server = null;
  const logPath = join(SCRATCH, `server-${engine}.log`);

  try {
    step(`${engine}: preparing a fresh store`);
    if (engine === 'postgres') {
      const db = `vigil_bench_${Date.now()}`;
      run('psql', [...PG_ADMIN, '-c', `CREATE DATABASE "${db}"`]);
      const drop = () => {
        if (opts.keep) return console.log(`kept database ${db}`);
        spawnSync('psql', [...PG_ADMIN, '-c', `DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`], {
          stdio: 'ignore',
        });
        console.log(`dropped database ${db}`);
      };
      releases.push(onCleanup(drop));
      databaseUrl = PG_URL(db);
      env.DATABASE_URL = databaseUrl;
      console.log(`database ${db} (${databaseUrl})`);
    } else {
      dataDir = mkdtempSync(join(SCRATCH, 'pglite-'));
      const dir = dataDir;
      releases.push(
        onCleanup(() => {
          if (opts.keep) return console.log(`kept data folder ${dir}`);
          rmSync(dir, { recursive: true, force: true });
          console.log(`removed ${relative(ROOT, dir)}`);
        }),
      );
      delete env.DATABASE_URL;
      dataArgs.push('--data', dataDir);
      console.log(`data folder ${relative(ROOT, dataDir)}`);
    }

    step(`${engine}: vigil migrate`);
    process.stdout.write(vigil(['migrate', ...dataArgs], env));

    step(`${engine}: vigil project create --rate-limit 0`);
    const out = vigil(
      ['project', 'create', '--name', `bench-${engine}`, '--rate-limit', '0', '--json', ...dataArgs],
      env,
    );
    const line = out
      .trim()
      .split('\n')
      .reverse()
      .find((l) => l.trim().startsWith('{'));
    const project = line ? JSON.parse(line) : null;
    if (!project?.apiKey) throw new Error(`project create printed no {"projectId","apiKey"} line:\n${out}`);
    console.log(`project ${project.projectId}`);

    const port = opts.port ?? (await freePort());
    step(`${engine}: vigil start --port ${port} (log: ${relative(ROOT, logPath)})`);
    const log = openSync(logPath, 'w');
    server = spawn(process.execPath, [MAIN, 'start', '--port', String(port), ...dataArgs], {
      env,
      cwd: ROOT,
      stdio: ['ignore', log, log],
    });
    closeSync(log); // the child has its own copy
    const srv = server;
    releases.push(
      onCleanup(() => {
        if (srv.exitCode === null && srv.signalCode === null) srv.kill('SIGKILL');
      }),
    );
    const rss = [];
    const sampleRss = () => {
      const mb = treeRssMb(srv.pid);
      if (mb !== null) rss.push({ t: Math.round((Date.now() - startedAt.getTime()) / 100) / 10, mb });
      return mb;
    };
    const sampler = setInterval(sampleRss, 500);
    try {
      await waitReady(`http://127.0.0.1:${port}/readyz`, srv, logPath);
      const rssReady = sampleRss();
      console.log(`ready; server RSS ${rssReady} MB`);

      step(`${engine}: load for ${opts.duration} s, ${opts.connections} connections (bench/loadgen.mjs)`);
      const outFile = join(SCRATCH, `loadgen-${engine}.json`);
      rmSync(outFile, { force: true });
      const loadArgs = [
        LOADGEN,
        ...['--url', `http://127.0.0.1:${port}/sensor/`, '--key', project.apiKey],
        ...['--connections', String(opts.connections), '--duration', String(opts.duration)],
        ...['--users', String(opts.users), '--style', opts.style, '--out', outFile],
        ...(opts.maxEvents ? ['--max-events', String(opts.maxEvents)] : []),
      ];
      const loadgen = spawn(process.execPath, loadArgs, {
        cwd: ROOT,
        stdio: ['ignore', 'inherit', 'inherit'],
      });
      releases.push(
        onCleanup(() => {
          if (loadgen.exitCode === null && loadgen.signalCode === null) loadgen.kill('SIGKILL');
        }),
      );
      const exited = await waitExit(loadgen, (opts.duration + 120) * 1000);
      if (!exited) {
        loadgen.kill('SIGKILL');
        throw new Error('the load generator did not finish in time');
      }
      if (exited.code !== 0) throw new Error(`the load generator failed (${exited.code ?? exited.signal})`);
      const load = JSON.parse(readFileSync(outFile, 'utf8'));
      rmSync(outFile, { force: true });
      const rssEnd = sampleRss();
      clearInterval(sampler);
      const serverAlive = srv.exitCode === null && srv.signalCode === null;
      if (!serverAlive) throw new Error(`the server died during the load:\n${tail(logPath)}`);

      step(`${engine}: durability`);
      let stored;
      let shutdown;
      if (engine === 'postgres') {
        // Counted while the server still runs: an acknowledged event must already be committed.
        stored = await countEventsPostgres(databaseUrl);
        shutdown = await stopChild(srv, 30_000);
      } else {
        shutdown = await stopChild(srv, 60_000);
        stored = await countEventsPglite(dataDir);
      }
      console.log(
        `stored ${stored} events for ${load.acknowledged} acknowledged; server stop ` +
          `${shutdown.clean ? 'clean' : `NOT clean (${shutdown.code ?? shutdown.signal})`} in ${shutdown.ms} ms`,
      );

      const rssPeak = Math.max(...rss.map((s) => s.mb));
      const t = TARGETS[engine];
      const eps = load.eventsPerSecond;
      result.checks.push(
        check(
          `throughput ≥ ${t.eventsPerSecond} events/s`,
          eps,
          t.eventsPerSecond,
          eps >= t.eventsPerSecond,
          'events/s',
        ),
      );
      if (t.p99Ms !== undefined) {
        const p99 = load.latencyMs.p99;
        result.checks.push(
          check(`p99 latency ≤ ${t.p99Ms} ms`, p99, t.p99Ms, p99 !== null && p99 <= t.p99Ms, 'ms'),
        );
      }
      if (t.rssMb !== undefined) {
        result.checks.push(
          check(`server peak RSS ≤ ${t.rssMb} MB`, rssPeak, t.rssMb, rssPeak <= t.rssMb, 'MB'),
        );
      }
      result.checks.push(
        check(
          'stored events ≥ acknowledged',
          stored,
          load.acknowledged,
          load.acknowledged > 0 && stored >= load.acknowledged,
          'events',
        ),
      );
      Object.assign(result, {
        ok: result.checks.every((c) => c.pass),
        startedAt: startedAt.toISOString(),
        commit: gitCommit(),
        machine: {
          cpus: cpus().length,
          cpuModel: cpus()[0]?.model ?? null,
          memoryMb: Math.round(totalmem() / 2 ** 20),
          node: process.version,
          platform: `${process.platform} ${process.arch}`,
        },
        config: {
          duration: opts.duration,
          connections: opts.connections,
          users: opts.users,
          style: opts.style,
          maxEvents: opts.maxEvents,
        },
        server: {
          rssReadyMb: rssReady,
          rssPeakMb: rssPeak,
          rssEndMb: rssEnd,
          shutdown,
          rssSamples: rss,
        },
        durability: { acknowledged: load.acknowledged, stored, ok: stored >= load.acknowledged },
        load,
      });
    } finally {
      clearInterval(sampler);
    }
  } catch (error) {
    result.error = error.message;
    console.error(`\n${engine}: ${error.message}`);
  } finally {
    if (server && server.exitCode === null && server.signalCode === null) await stopChild(server, 15_000);
    for (const release of releases.reverse()) release();
  }
  writeFileSync(join(RESULTS, `ingest-${engine}.json`), `${JSON.stringify(result, null, 2)}\n`);
  return result;
}

const fmt = (n, digits = 0) =>
  n === null || n === undefined
    ? '-'
    : Number(n).toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

function printTable(results) {
  const rows = [
    [
      'engine',
      'events/s',
      'p50 ms',
      'p99 ms',
      'p99.9 ms',
      'peak RSS MB',
      'end RSS MB',
      '2xx',
      'stored',
      'errors',
      'result',
    ],
  ];
  for (const r of results) {
    if (r.error) {
      rows.push([r.engine, '-', '-', '-', '-', '-', '-', '-', '-', '-', 'ERROR']);
      continue;
    }
    const l = r.load;
    const c = l.statusClasses;
    rows.push([
      r.engine,
      fmt(l.eventsPerSecond),
      fmt(l.latencyMs.p50, 1),
      fmt(l.latencyMs.p99, 1),
      fmt(l.latencyMs.p999, 1),
      fmt(r.server.rssPeakMb),
      fmt(r.server.rssEndMb),
      fmt(l.acknowledged),
      fmt(r.durability.stored),
      fmt(c['429'] + c['4xx'] + c['5xx'] + c.network + c.other),
      r.ok ? 'PASS' : 'FAIL',
    ]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => String(row[i]).length)));
  console.log('\n══ ingest benchmark');
  for (const row of rows)
    console.log(
      row
        .map((cell, i) => (i === 0 ? String(cell).padEnd(widths[i]) : String(cell).padStart(widths[i])))
        .join('  '),
    );
  for (const r of results) {
    console.log(
      `\n${r.engine}${r.load ? `: ${fmt(r.load.sent)} requests in ${r.load.elapsedS} s, statuses ${JSON.stringify(r.load.statuses)}` : ''}`,
    );
    if (r.error) console.log(`  ERROR  ${r.error.split('\n')[0]}`);
    for (const c of r.checks) {
      console.log(
        `  ${c.pass ? 'PASS' : 'FAIL'}  ${c.name.padEnd(34)} ${fmt(c.value, c.unit === 'ms' ? 1 : 0)} ${c.unit}`,
      );
    }
    if (r.load?.sustained) {
      const s = r.load.sustained;
      console.log(
        `        per-second 2xx: min ${fmt(s.minEventsPerSecond)}, p10 ${fmt(s.p10EventsPerSecond)}, median ${fmt(s.medianEventsPerSecond)}`,
      );
    }
    console.log(`        ${relative(ROOT, join(RESULTS, `ingest-${r.engine}.json`))}`);
  }
}

async function main() {
  const opts = options();
  if (!existsSync(MAIN)) {
    throw new Error(
      `${relative(ROOT, MAIN)} is missing: build first (npm run bench:ingest builds before running)`,
    );
  }
  mkdirSync(RESULTS, { recursive: true });
  mkdirSync(SCRATCH, { recursive: true });
  console.log(
    `ingest benchmark: ${opts.engines.join(', ')}; ${opts.duration} s, ${opts.connections} connections, ` +
      `${opts.users} users, ${opts.style} bodies; ${cpus().length} CPUs, node ${process.version}`,
  );
  const results = [];
  for (const engine of opts.engines) results.push(await benchEngine(engine, opts));
  printTable(results);
  return results.every((r) => r.ok) ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(`bench:ingest: ${error.message}`);
    process.exit(2);
  },
);
