#!/usr/bin/env node
// Console benchmark: `npm run bench:console [-- --requests 30 --users 50000 --days 18]`
//
// On the real PostgreSQL server, in the database vigil_bench_console (kept between runs, since
// filling it takes minutes): if it does not hold a "Bench shop" project with at least 1,000,000
// events and 50,000 users, `vigil demo` fills it through the real ingest path and scores every
// user. Then `vigil start` serves it, an operator signs in over HTTP, and every GET route of the
// console API (read from the OpenAPI document at /api/docs, so new pages are covered without
// editing this file) is called with realistic parameters: the period of the last week and of the
// last month, a busy user, IP, ISP, country, e-mail, phone, device, resource. Each call is made
// --requests times after two warm-up calls; p50/p95/max per call are printed and written to
// bench/results/console.json with PASS/FAIL against p95 ≤ 200 ms. Also measured: the compressed
// JavaScript the dashboard's first load transfers (target ≤ 400 KB).
// Load goes only to 127.0.0.1; every phase is bounded.

import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { freePort, sleep, stopChild } from './lib/proc.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const MAIN = join(ROOT, 'apps/server/dist/main.js');
const { values: opts } = parseArgs({
  options: {
    requests: { type: 'string', default: '30' },
    users: { type: 'string', default: '50000' },
    days: { type: 'string', default: '18' },
    'min-events': { type: 'string', default: '1000000' },
    database: { type: 'string', default: 'vigil_bench_console' },
  },
});
const REQUESTS = Math.min(Math.max(Number(opts.requests), 5), 200);
const TARGET_MS = 200;
const JS_TARGET_BYTES = 400 * 1024;
const DB_URL = `postgres://postgres@127.0.0.1:5432/${opts.database}`;
const EMAIL = 'bench@example.com';
const PASSWORD = 'bench password 12345';
const PROJECT = 'Bench shop';

const admin = (sql) =>
  spawnSync('psql', ['-h', '127.0.0.1', '-U', 'postgres', '-d', 'postgres', '-qAt', '-c', sql], {
    encoding: 'utf8',
  });
const env = { ...process.env, DATABASE_URL: DB_URL, LOG_LEVEL: 'warn', HOST: '127.0.0.1' };
const cli = (args, timeoutMs) =>
  spawnSync(process.execPath, [MAIN, ...args], {
    env,
    encoding: 'utf8',
    timeout: timeoutMs,
    stdio: ['ignore', 'pipe', 'inherit'],
  });

// ─── 1. The data set ───────────────────────────────────────────────────────────────
if (!admin(`SELECT 1 FROM pg_database WHERE datname = '${opts.database}'`).stdout.trim()) {
  admin(`CREATE DATABASE ${opts.database}`);
}
const pool = new pg.Pool({ connectionString: DB_URL, max: 2 });
async function dataSet() {
  try {
    const { rows } = await pool.query(
      `SELECT p.id, (SELECT count(*) FROM users u WHERE u.project_id = p.id)::int AS users,
              (SELECT count(*) FROM events e WHERE e.project_id = p.id)::int AS events
         FROM projects p WHERE p.name = $1 ORDER BY p.created_at DESC LIMIT 1`,
      [PROJECT],
    );
    return rows[0] ?? null;
  } catch {
    return null; // not migrated yet
  }
}
let data = await dataSet();
if (!data || data.events < Number(opts['min-events']) || data.users < Number(opts.users)) {
  console.log(
    `Filling ${opts.database} with vigil demo: ${opts.users} users over ${opts.days} days (several minutes)…`,
  );
  const started = Date.now();
  const demo = cli(['demo', '--users', opts.users, '--days', opts.days, '--name', PROJECT], 60 * 60_000);
  if (demo.status !== 0) throw new Error(`vigil demo failed (${demo.status})`);
  console.log(`demo done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  data = await dataSet();
}
console.log(
  `data set: project ${data.id}, ${data.users.toLocaleString('en')} users, ${data.events.toLocaleString('en')} events`,
);
if (data.events < Number(opts['min-events']) || data.users < Number(opts.users)) {
  throw new Error('the data set is smaller than asked: drop the database and run again');
}
await pool.query('ANALYZE');
const exists = await pool.query('SELECT 1 FROM operators WHERE email = $1', [EMAIL]);
if (!exists.rows.length) {
  const made = cli(
    ['operator', 'create', '--email', EMAIL, '--password', PASSWORD, '--role', 'admin'],
    60_000,
  );
  if (made.status !== 0) throw new Error('operator create failed');
}

// Busy entities of the project, to fill the detail pages' parameters.
const one = async (sql) => (await pool.query(sql, [data.id])).rows[0]?.v ?? null;
const samples = {
  projectId: data.id,
  userId: await one('SELECT id AS v FROM users WHERE project_id = $1 ORDER BY event_count DESC LIMIT 1'),
  ip: await one('SELECT host(ip) AS v FROM ips WHERE project_id = $1 ORDER BY event_count DESC LIMIT 1'),
  ispId: await one(
    'SELECT id AS v FROM isps WHERE project_id = $1 ORDER BY event_count DESC NULLS LAST LIMIT 1',
  ),
  iso: await one(
    'SELECT country AS v FROM ips WHERE project_id = $1 AND country IS NOT NULL GROUP BY country ORDER BY count(*) DESC LIMIT 1',
  ),
  domain: await one(
    'SELECT domain AS v FROM domains WHERE project_id = $1 ORDER BY event_count DESC NULLS LAST LIMIT 1',
  ),
  emailId: await one(
    'SELECT id AS v FROM emails WHERE project_id = $1 ORDER BY event_count DESC NULLS LAST LIMIT 1',
  ),
  phoneId: await one(
    'SELECT id AS v FROM phones WHERE project_id = $1 ORDER BY event_count DESC NULLS LAST LIMIT 1',
  ),
  uaId: await one(
    'SELECT id AS v FROM user_agents WHERE project_id = $1 ORDER BY event_count DESC NULLS LAST LIMIT 1',
  ),
  resourceId: await one(
    'SELECT id AS v FROM resources WHERE project_id = $1 ORDER BY event_count DESC NULLS LAST LIMIT 1',
  ),
};
await pool.end();

// ─── 2. The server ─────────────────────────────────────────────────────────────────
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const server = spawn(process.execPath, [MAIN, 'start', '--port', String(port)], {
  env: { ...env, VIGIL_SCORING_WORKER: 'off' },
  stdio: ['ignore', 'ignore', 'inherit'],
});
const cleanup = () => stopChild(server, 10_000);
process.on('SIGINT', () => cleanup().then(() => process.exit(130)));
const deadline = Date.now() + 60_000;
while (Date.now() < deadline) {
  const ok = await fetch(`${base}/readyz`).then(
    (r) => r.ok,
    () => false,
  );
  if (ok) break;
  await sleep(250);
}

const login = await fetch(`${base}/api/console/auth/login`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ email: EMAIL, password: PASSWORD }),
});
if (!login.ok) throw new Error(`login failed: ${login.status} ${await login.text()}`);
const cookie = login.headers
  .getSetCookie()
  .map((c) => c.split(';')[0])
  .join('; ');

// ─── 3. Every console GET route, from the OpenAPI document ─────────────────────────
const docs = await (await fetch(`${base}/api/docs`)).json();
const now = new Date(Math.ceil(Date.now() / 60_000) * 60_000);
const periods = {
  '1W': { from: new Date(now - 7 * 86_400_000).toISOString(), to: now.toISOString(), bucket: 'hour' },
  '1M': { from: new Date(now - 30 * 86_400_000).toISOString(), to: now.toISOString(), bucket: 'day' },
};
const calls = [];
const skipped = [];
for (const [path, item] of Object.entries(docs.paths)) {
  const get = item.get;
  if (!get || !path.startsWith('/api/console/projects/{projectId}')) continue;
  const names = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
  const missing = names.filter((n) => samples[n] === null || samples[n] === undefined);
  if (missing.length) {
    skipped.push(`${path} (no sample for ${missing.join(', ')})`);
    continue;
  }
  const url = path.replace(/\{(\w+)\}/g, (_, n) => encodeURIComponent(String(samples[n])));
  const accepts = new Set((get.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name));
  const requiredQuery = (get.parameters ?? [])
    .filter((p) => p.in === 'query' && p.required)
    .map((p) => p.name);
  const fillable = new Set(['from', 'to', 'bucket', 'tz', 'q']);
  if (requiredQuery.some((n) => !fillable.has(n))) {
    skipped.push(`${path} (needs ${requiredQuery.join(', ')})`);
    continue;
  }
  for (const [name, period] of Object.entries(periods)) {
    const query = new URLSearchParams();
    for (const [k, v] of Object.entries({ ...period, tz: 'Europe/Berlin' }))
      if (accepts.has(k)) query.set(k, v);
    if (requiredQuery.includes('q')) query.set('q', 'a');
    if (!accepts.has('from') && name !== '1W') continue; // no period: measured once
    calls.push({
      page: (get.tags ?? ['other'])[0],
      summary: get.summary ?? '',
      path,
      period: accepts.has('from') ? name : '-',
      url: `${url}${query.size ? `?${query}` : ''}`,
    });
  }
}

async function timed(url) {
  const started = performance.now();
  const res = await fetch(`${base}${url}`, { headers: { cookie } });
  await res.arrayBuffer();
  return { ms: performance.now() - started, status: res.status };
}
const pct = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
const results = [];
const benchDeadline = Date.now() + 20 * 60_000;
for (const call of calls) {
  if (Date.now() > benchDeadline) {
    skipped.push(`${call.path} (time budget of the run spent)`);
    continue;
  }
  const first = await timed(call.url);
  if (first.status !== 200) {
    results.push({ ...call, status: first.status, error: true });
    continue;
  }
  await timed(call.url);
  const times = [];
  for (let i = 0; i < REQUESTS; i++) times.push((await timed(call.url)).ms);
  times.sort((a, b) => a - b);
  results.push({
    ...call,
    status: 200,
    cold: Math.round(first.ms),
    p50: Math.round(pct(times, 0.5)),
    p95: Math.round(pct(times, 0.95)),
    max: Math.round(times.at(-1)),
  });
}

// ─── 4. First load of the dashboard: compressed JavaScript ─────────────────────────
const html = await (await fetch(`${base}/`)).text();
const scripts = [
  ...html.matchAll(/<script[^>]+src="([^"]+)"/g),
  ...html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="([^"]+)"/g),
].map((m) => m[1]);
// fetch decodes Content-Encoding, so the transferred size is read from the pre-compressed files.
let jsBytes = 0;
for (const src of new Set(scripts)) {
  const res = await fetch(`${base}${src}.br`);
  jsBytes += res.ok ? (await res.arrayBuffer()).byteLength : 0;
}
await cleanup();

// ─── 5. Report ─────────────────────────────────────────────────────────────────────
const failed = results.filter((r) => r.error || r.p95 > TARGET_MS);
console.log(
  `\n${'page'.padEnd(12)} ${'period'.padEnd(6)} ${'p50'.padStart(6)} ${'p95'.padStart(6)} ${'max'.padStart(6)}  call`,
);
for (const r of results) {
  const figures = r.error
    ? `HTTP ${r.status}`.padStart(20)
    : `${String(r.p50).padStart(6)} ${String(r.p95).padStart(6)} ${String(r.max).padStart(6)}`;
  console.log(
    `${r.page.padEnd(12)} ${r.period.padEnd(6)} ${figures}  ${r.p95 > TARGET_MS || r.error ? '✗' : ' '} ${r.path}`,
  );
}
for (const s of skipped) console.log(`skipped: ${s}`);
const worst = results.filter((r) => !r.error).sort((a, b) => b.p95 - a.p95)[0];
console.log(
  `\n${results.length} calls measured (${REQUESTS} requests each); worst p95 ${worst?.p95} ms (${worst?.path}); ${failed.length} over ${TARGET_MS} ms or failing`,
);
console.log(
  `dashboard first load: ${(jsBytes / 1024).toFixed(1)} KB of JavaScript (brotli) — ${jsBytes <= JS_TARGET_BYTES ? 'PASS' : 'FAIL'} (≤ 400 KB)`,
);
console.log(`API p95 ≤ ${TARGET_MS} ms on every call: ${failed.length === 0 ? 'PASS' : 'FAIL'}`);
mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
writeFileSync(
  join(ROOT, 'bench/results/console.json'),
  `${JSON.stringify(
    {
      date: new Date().toISOString(),
      machine: { cpus: cpus().length, model: cpus()[0]?.model, memoryGb: Math.round(totalmem() / 2 ** 30) },
      data: { users: data.users, events: data.events },
      requestsPerCall: REQUESTS,
      results,
      skipped,
      dashboardJsBrotliBytes: jsBytes,
    },
    null,
    2,
  )}\n`,
);
process.exit(failed.length === 0 && jsBytes <= JS_TARGET_BYTES ? 0 : 1);
