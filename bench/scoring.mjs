#!/usr/bin/env node
// Scoring benchmark: `npm run bench:scoring [-- --duration 30 --rate 1000 --decide-rate 200]`
//
// On the real PostgreSQL server (a fresh database): starts `vigil start` with the account_takeover
// preset on its project, then
//   1. sends realistic traffic open-loop at --rate events/s (a second process is not needed: the
//      sender here is a small paced loop on its own event loop) for --duration seconds, and reads
//      the server's own measurements from /metrics: event commit → updated score lag quantiles
//      over every scored user, and mean scoring cost per user;
//   2. sends POST /api/v1/decide open-loop at --decide-rate requests/s for --decide-duration
//      seconds and measures their latency on the client.
// Prints PASS/FAIL against the targets (lag p99 ≤ 1 s, ≤ 2 ms per user, decide p99 ≤ 25 ms) and
// writes bench/results/scoring.json. Load goes only to 127.0.0.1; every phase is bounded in time.

import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import hdr from 'hdr-histogram-js';
import { Pool } from 'undici';
import { freePort, sleep, stopChild } from './lib/proc.mjs';
import { createTraffic, encodeForm } from './traffic.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const MAIN = join(ROOT, 'apps/server/dist/main.js');
const { values: opts } = parseArgs({
  options: {
    duration: { type: 'string', default: '30' },
    rate: { type: 'string', default: '1000' },
    'decide-rate': { type: 'string', default: '200' },
    'decide-duration': { type: 'string', default: '20' },
    users: { type: 'string', default: '5000' },
  },
});
const duration = Math.min(Number(opts.duration), 300);
const rate = Number(opts.rate);
const decideRate = Number(opts['decide-rate']);
const decideDuration = Math.min(Number(opts['decide-duration']), 120);

const db = `vigil_bench_scoring_${Date.now()}`;
const psql = (sql) =>
  spawnSync('psql', ['-h', '127.0.0.1', '-U', 'postgres', '-d', 'postgres', '-qAt', '-c', sql], {
    encoding: 'utf8',
  });
const created = psql(`CREATE DATABASE ${db}`);
if (created.status !== 0) throw new Error(`cannot create the bench database: ${created.stderr}`);
const env = {
  ...process.env,
  DATABASE_URL: `postgres://postgres@127.0.0.1:5432/${db}`,
  LOG_LEVEL: 'warn',
  HOST: '127.0.0.1',
};
let server;
const cleanup = async () => {
  if (server) await stopChild(server, 10_000);
  psql(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
};
process.on('SIGINT', () => cleanup().then(() => process.exit(130)));

try {
  const made = spawnSync(
    process.execPath,
    [
      MAIN,
      'project',
      'create',
      '--name',
      'bench',
      '--rate-limit',
      '0',
      '--preset',
      'account_takeover',
      '--json',
    ],
    {
      env,
      encoding: 'utf8',
    },
  );
  if (made.status !== 0) throw new Error(made.stderr);
  const { apiKey } = JSON.parse(made.stdout.trim().split('\n').pop());
  const port = await freePort();
  server = spawn(process.execPath, [MAIN, 'start', '--port', String(port)], {
    env,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${base}/readyz`)).status === 200) break;
    } catch {}
    if (i > 600) throw new Error('server did not become ready');
    await sleep(100);
  }
  const pool = new Pool(base, { connections: 64, pipelining: 1 });

  // Phase 1: traffic at a fixed rate; the server measures lag and cost itself.
  console.log(`── scoring: ${rate} events/s for ${duration} s (account_takeover preset)`);
  const traffic = createTraffic({
    users: Number(opts.users),
    seed: 7,
    startTime: Date.now() - 3 * 86_400_000,
  });
  const sent = await paced(rate, duration, async () => {
    const { fields } = traffic.next();
    const res = await pool.request({
      path: '/sensor/',
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'api-key': apiKey },
      body: encodeForm(fields, 'node'),
    });
    await res.body.dump();
    return res.statusCode;
  });
  await sleep(2000); // let the queue drain
  const metrics = parseMetrics(await (await fetch(`${base}/metrics`)).text());
  const scored = metrics.vigil_scoring_users_total;
  const costMs = (metrics.vigil_scoring_seconds_total * 1000) / Math.max(scored, 1);
  const lag = {
    p50: metrics['vigil_scoring_lag_seconds{quantile="0.5"}'] * 1000,
    p90: metrics['vigil_scoring_lag_seconds{quantile="0.9"}'] * 1000,
    p99: metrics['vigil_scoring_lag_seconds{quantile="0.99"}'] * 1000,
  };
  console.log(
    `   sent ${sent.sent} (${sent.ok} acknowledged, ${(sent.ok / duration).toFixed(0)}/s), users scored ${scored}`,
  );
  console.log(
    `   event → score lag ms  p50 ${lag.p50.toFixed(0)}  p90 ${lag.p90.toFixed(0)}  p99 ${lag.p99.toFixed(0)}`,
  );
  console.log(`   scoring cost          ${costMs.toFixed(2)} ms per user (mean)`);

  // Phase 2: synchronous decisions.
  console.log(`── decide: ${decideRate} requests/s for ${decideDuration} s`);
  const histogram = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 60_000_000,
    numberOfSignificantValueDigits: 3,
  });
  const failures = new Map();
  let failureSample = '';
  const decideTraffic = createTraffic({ users: 2000, seed: 11, startTime: Date.now() - 86_400_000 });
  const decided = await paced(decideRate, decideDuration, async () => {
    const { fields } = decideTraffic.next();
    const started = performance.now();
    const res = await pool.request({
      path: '/api/v1/decide',
      method: 'POST',
      headers: { 'content-type': 'application/json', 'api-key': apiKey },
      body: JSON.stringify(fields),
    });
    if (res.statusCode !== 200) {
      const text = await res.body.text();
      failures.set(res.statusCode, (failures.get(res.statusCode) ?? 0) + 1);
      if (!failureSample) failureSample = text.slice(0, 300);
    } else {
      await res.body.dump();
    }
    histogram.recordValue(Math.round((performance.now() - started) * 1000));
    return res.statusCode;
  });
  const decideMs = {
    p50: histogram.getValueAtPercentile(50) / 1000,
    p90: histogram.getValueAtPercentile(90) / 1000,
    p99: histogram.getValueAtPercentile(99) / 1000,
    max: histogram.maxValue / 1000,
  };
  console.log(`   sent ${decided.sent} (${decided.ok} answered 200)`);
  if (failures.size > 0)
    console.log(`   other answers: ${JSON.stringify(Object.fromEntries(failures))} e.g. ${failureSample}`);
  console.log(
    `   latency ms  p50 ${decideMs.p50.toFixed(1)}  p90 ${decideMs.p90.toFixed(1)}  p99 ${decideMs.p99.toFixed(1)}  max ${decideMs.max.toFixed(1)}`,
  );
  await pool.close();

  const checks = [
    ['event → score lag p99 ≤ 1000 ms', lag.p99 <= 1000, `${lag.p99.toFixed(0)} ms`],
    ['mean scoring cost ≤ 2 ms per user', costMs <= 2, `${costMs.toFixed(2)} ms`],
    ['decide p99 ≤ 25 ms at the rate', decideMs.p99 <= 25, `${decideMs.p99.toFixed(1)} ms`],
    ['sustained the traffic rate', sent.ok >= rate * duration * 0.95, `${(sent.ok / duration).toFixed(0)}/s`],
  ];
  console.log('\n══ scoring benchmark');
  for (const [name, pass, value] of checks)
    console.log(`  ${pass ? 'PASS' : 'FAIL'}  ${name.padEnd(36)} ${value}`);
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
  writeFileSync(
    join(ROOT, 'bench/results/scoring.json'),
    JSON.stringify(
      {
        machine: { cpus: cpus().length, model: cpus()[0]?.model },
        rate,
        duration,
        sent,
        scored,
        costMs,
        lag,
        decideRate,
        decided,
        decideMs,
      },
      null,
      2,
    ),
  );
  await cleanup();
  process.exit(checks.every(([, pass]) => pass) ? 0 : 1);
} catch (error) {
  console.error(error);
  await cleanup();
  process.exit(1);
}

/** Calls `send` at `perSecond` for `seconds` (open loop: slow answers do not slow the sender). */
async function paced(perSecond, seconds, send) {
  let sent = 0;
  let ok = 0;
  const inflight = new Set();
  const started = performance.now();
  const end = started + seconds * 1000;
  while (performance.now() < end) {
    const due = Math.floor(((performance.now() - started) / 1000) * perSecond);
    while (sent < due) {
      sent++;
      const p = send()
        .then((status) => {
          if (status >= 200 && status < 300) ok++;
        })
        .catch(() => {})
        .finally(() => inflight.delete(p));
      inflight.add(p);
    }
    await sleep(2);
  }
  await Promise.race([Promise.all(inflight), sleep(30_000)]);
  return { sent, ok };
}

function parseMetrics(text) {
  const out = {};
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    out[line.slice(0, at)] = Number(line.slice(at + 1));
  }
  return out;
}
