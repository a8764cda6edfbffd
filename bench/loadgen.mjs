#!/usr/bin/env node
// Closed-loop HTTP load generator for the sensor endpoint.
//
//   node bench/loadgen.mjs --url http://127.0.0.1:8585/sensor/ --key APIKEY \
//     [--connections 64] [--duration 60] [--max-events N] [--users 5000] [--seed 1] \
//     [--style node|php|python] [--out result.json] [--quiet]
//
// `connections` workers share one keep-alive undici Pool; each sends the next event of the
// simulated traffic (bench/traffic.mjs), waits for the answer, and sends the next one. Every
// request's latency goes into an HDR histogram (µs resolution). The run stops at --duration or
// --max-events, whichever comes first, and never lasts more than 10 minutes. Only loopback
// targets are accepted: this tool must never load someone else's server.

import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import hdr from 'hdr-histogram-js';
import { Pool } from 'undici';
import { createTraffic, encodeForm, STYLES } from './traffic.mjs';

/** No run lasts longer than this, whatever the options say. */
export const HARD_CAP_SECONDS = 600;
/** Requests still in flight this long after the deadline are abandoned. */
const DRAIN_GRACE_MS = 30_000;
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/** Headers each SDK's HTTP client adds besides Content-Type and Api-Key (spec §7). */
const STYLE_HEADERS = {
  node: { 'user-agent': 'node' }, // global fetch
  php: {}, // cURL without CURLOPT_USERAGENT sends none
  python: { 'user-agent': 'python-requests/2.32.3', accept: '*/*' },
};

/** Parses the target URL and refuses anything but a loopback http(s) address. */
export function checkLocalUrl(url) {
  let target;
  try {
    target = new URL(url);
  } catch {
    throw new Error(`--url is not a URL: ${url}`);
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') {
    throw new Error(`--url must be http(s): ${url}`);
  }
  if (!LOOPBACK.has(target.hostname)) {
    throw new Error(
      `refusing to send load to ${target.hostname}: only 127.0.0.1, localhost and ::1 are allowed`,
    );
  }
  return target;
}

const round = (x, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;
const ms = (us) => round(us / 1000, 3);
const sleep = (t) => new Promise((r) => setTimeout(r, t));

function newHistogram() {
  return hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 3_600_000_000,
    numberOfSignificantValueDigits: 3,
  });
}

function statusClass(code) {
  if (code >= 200 && code < 300) return '2xx';
  if (code === 429) return '429';
  if (code >= 400 && code < 500) return '4xx';
  if (code >= 500) return '5xx';
  return 'other';
}

/**
 * Runs the load and returns the result object (also what --out writes).
 * @param {{ url: string, key: string, connections?: number, duration?: number, maxEvents?: number,
 *   users?: number, seed?: number|string, style?: 'node'|'php'|'python',
 *   progress?: (line: string) => void, signal?: AbortSignal }} options
 */
export async function runLoad({
  url,
  key,
  connections = 64,
  duration = 60,
  maxEvents = Number.POSITIVE_INFINITY,
  users = 5000,
  seed = 1,
  style = 'node',
  progress = () => {},
  signal,
}) {
  const target = checkLocalUrl(url);
  if (!key) throw new Error('--key is required');
  if (!STYLES.includes(style)) throw new Error(`--style must be one of ${STYLES.join(', ')}`);
  const seconds = Math.min(duration, HARD_CAP_SECONDS);

  const traffic = createTraffic({ users, seed });
  const path = `${target.pathname}${target.search}`;
  const headers = {
    'content-type': 'application/x-www-form-urlencoded',
    'api-key': key,
    ...STYLE_HEADERS[style],
  };
  const pool = new Pool(target.origin, {
    connections,
    pipelining: 1,
    keepAliveTimeout: 60_000,
    keepAliveMaxTimeout: 120_000,
    headersTimeout: DRAIN_GRACE_MS,
    bodyTimeout: DRAIN_GRACE_MS,
    connect: { timeout: 10_000 },
  });

  const histogram = newHistogram();
  const secondHistogram = newHistogram();
  const statuses = {};
  const classes = { '2xx': 0, 429: 0, '4xx': 0, '5xx': 0, network: 0, other: 0 };
  const networkErrors = {};
  const perSecond = [];
  let sent = 0;
  let completed = 0;
  let acknowledged = 0;
  let stoppedBy = 'duration';
  let current = { s: 0, requests: 0, acknowledged: 0, errors: 0 };

  const t0 = performance.now();
  const deadline = t0 + seconds * 1000;
  let lastCompletion = t0;

  /** Closes the seconds before `second` (completion times only grow, so this is in order). */
  function rollTo(second) {
    while (current.s < second) {
      perSecond.push({
        ...current,
        p99Ms: current.requests - current.errors > 0 ? ms(secondHistogram.getValueAtPercentile(99)) : null,
      });
      secondHistogram.reset();
      current = { s: current.s + 1, requests: 0, acknowledged: 0, errors: 0 };
    }
  }

  let closed = false;
  function complete(now, statusCode, latencyUs) {
    if (closed) return; // an abandoned request failing after the results were taken
    lastCompletion = now;
    completed++;
    rollTo(Math.floor((now - t0) / 1000));
    current.requests++;
    if (statusCode === null) {
      current.errors++;
      classes.network++;
      return;
    }
    histogram.recordValue(latencyUs);
    secondHistogram.recordValue(latencyUs);
    statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
    const cls = statusClass(statusCode);
    classes[cls]++;
    if (cls === '2xx') {
      acknowledged++;
      current.acknowledged++;
    } else {
      current.errors++;
    }
  }

  let stopping = false;
  const onAbort = () => {
    stopping = true;
    stoppedBy = 'signal';
  };
  signal?.addEventListener('abort', onAbort, { once: true });

  async function worker() {
    for (;;) {
      if (stopping) return;
      if (sent >= maxEvents) {
        stoppedBy = 'max-events';
        return;
      }
      if (performance.now() >= deadline) return;
      sent++;
      const body = encodeForm(traffic.next().fields, style);
      const start = performance.now();
      try {
        const res = await pool.request({ path, method: 'POST', headers, body });
        await res.body.dump();
        const end = performance.now();
        complete(end, res.statusCode, Math.max(1, Math.round((end - start) * 1000)));
      } catch (err) {
        complete(performance.now(), null, 0);
        const code = err?.code ?? err?.name ?? 'Error';
        networkErrors[code] = (networkErrors[code] ?? 0) + 1;
        await sleep(20); // a dead server must not turn this into a busy loop
      }
    }
  }

  const ticker = setInterval(() => {
    const elapsed = (performance.now() - t0) / 1000;
    const last = perSecond[perSecond.length - 1];
    progress(
      `  ${elapsed.toFixed(0).padStart(4)} s  sent ${sent}  2xx ${acknowledged}  errors ${completed - acknowledged}` +
        (last ? `  last second ${last.acknowledged}/s p99 ${last.p99Ms ?? '-'} ms` : ''),
    );
  }, 5000);

  const workers = Array.from({ length: connections }, worker);
  let abandoned = 0;
  const drained = Promise.all(workers).then(() => true);
  const limit = new Promise((r) => {
    const timer = setTimeout(() => r(false), Math.max(0, deadline - performance.now()) + DRAIN_GRACE_MS);
    drained.then(() => clearTimeout(timer));
  });
  if (!(await Promise.race([drained, limit]))) {
    stopping = true;
    closed = true;
    abandoned = sent - completed;
    stoppedBy = 'hard-cap';
  }
  clearInterval(ticker);
  signal?.removeEventListener('abort', onAbort);
  await pool.destroy().catch(() => {});
  rollTo(Math.floor((lastCompletion - t0) / 1000) + 1);

  const elapsed = Math.max(0.001, (lastCompletion - t0) / 1000);
  // "Sustained": whole seconds only, without the first (connection set-up) and the last (partial).
  const inner = perSecond.slice(1, -1).map((b) => b.acknowledged);
  const sorted = [...inner].sort((a, b) => a - b);
  const has = histogram.totalCount > 0;
  return {
    target: `${target.origin}${path}`,
    style,
    connections,
    users,
    seed,
    durationLimitS: seconds,
    maxEvents: Number.isFinite(maxEvents) ? maxEvents : null,
    startedAt: new Date(Date.now() - (performance.now() - t0)).toISOString(),
    elapsedS: round(elapsed, 3),
    stoppedBy,
    sent,
    completed,
    abandoned,
    acknowledged,
    statuses,
    statusClasses: classes,
    networkErrors,
    eventsPerSecond: round(acknowledged / elapsed, 1),
    requestsPerSecond: round(completed / elapsed, 1),
    sustained: sorted.length
      ? {
          seconds: sorted.length,
          minEventsPerSecond: sorted[0],
          p10EventsPerSecond: sorted[Math.floor(sorted.length * 0.1)],
          medianEventsPerSecond: sorted[Math.floor(sorted.length / 2)],
          maxEventsPerSecond: sorted[sorted.length - 1],
        }
      : null,
    latencyMs: {
      p50: has ? ms(histogram.getValueAtPercentile(50)) : null,
      p90: has ? ms(histogram.getValueAtPercentile(90)) : null,
      p99: has ? ms(histogram.getValueAtPercentile(99)) : null,
      p999: has ? ms(histogram.getValueAtPercentile(99.9)) : null,
      max: has ? ms(histogram.maxValue) : null,
      mean: has ? ms(histogram.mean) : null,
    },
    perSecond,
  };
}

const fmt = (n) => (n === null || n === undefined ? '-' : Number(n).toLocaleString('en-US'));

/** Human-readable summary of a result. */
export function formatSummary(r) {
  const c = r.statusClasses;
  const other = Object.entries(r.statuses)
    .filter(([code]) => code !== '204')
    .map(([code, n]) => `${code}: ${fmt(n)}`)
    .join('  ');
  const lines = [
    `load against ${r.target} (style ${r.style}, ${r.connections} connections, ${fmt(r.users)} users)`,
    `  elapsed        ${r.elapsedS.toFixed(1)} s (stopped by ${r.stoppedBy})`,
    `  sent           ${fmt(r.sent)}${r.abandoned ? `  (${fmt(r.abandoned)} abandoned in flight)` : ''}`,
    `  acknowledged   ${fmt(r.acknowledged)} (2xx)  ${fmt(r.eventsPerSecond)} events/s`,
    `  statuses       204: ${fmt(r.statuses[204] ?? 0)}  429: ${fmt(c[429])}  4xx: ${fmt(c['4xx'])}  5xx: ${fmt(c['5xx'])}  network errors: ${fmt(c.network)}`,
  ];
  if (other) lines.push(`  other codes    ${other}`);
  if (c.network) lines.push(`  network        ${JSON.stringify(r.networkErrors)}`);
  const l = r.latencyMs;
  lines.push(
    `  latency ms     p50 ${l.p50 ?? '-'}  p90 ${l.p90 ?? '-'}  p99 ${l.p99 ?? '-'}  p99.9 ${l.p999 ?? '-'}  max ${l.max ?? '-'}`,
  );
  if (r.sustained) {
    const s = r.sustained;
    lines.push(
      `  per second     min ${fmt(s.minEventsPerSecond)}  p10 ${fmt(s.p10EventsPerSecond)}  median ${fmt(s.medianEventsPerSecond)}  max ${fmt(s.maxEventsPerSecond)}  (${s.seconds} whole seconds)`,
    );
  }
  return lines.join('\n');
}

function positiveInt(name, value, { allowZero = false } = {}) {
  const n = Number(value);
  if (!Number.isInteger(n) || n < (allowZero ? 0 : 1))
    throw new Error(`--${name} must be a positive integer: ${value}`);
  return n;
}

async function main() {
  const { values } = parseArgs({
    options: {
      url: { type: 'string' },
      key: { type: 'string' },
      connections: { type: 'string', default: '64' },
      duration: { type: 'string', default: '60' },
      'max-events': { type: 'string' },
      users: { type: 'string', default: '5000' },
      seed: { type: 'string', default: '1' },
      style: { type: 'string', default: 'node' },
      out: { type: 'string' },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(
      'usage: node bench/loadgen.mjs --url http://127.0.0.1:PORT/sensor/ --key APIKEY [--connections 64] ' +
        '[--duration 60] [--max-events N] [--users 5000] [--seed 1] [--style node|php|python] [--out FILE] [--quiet]',
    );
    return 0;
  }
  if (!values.url) throw new Error('--url is required');
  const duration = Number(values.duration);
  if (!(duration > 0)) throw new Error(`--duration must be a positive number of seconds: ${values.duration}`);
  if (duration > HARD_CAP_SECONDS) console.error(`--duration capped at ${HARD_CAP_SECONDS} s`);
  const options = {
    url: values.url,
    key: values.key,
    connections: positiveInt('connections', values.connections),
    duration,
    maxEvents:
      values['max-events'] === undefined ? undefined : positiveInt('max-events', values['max-events']),
    users: positiveInt('users', values.users),
    seed: /^\d+$/.test(values.seed) ? Number(values.seed) : values.seed,
    style: values.style,
    progress: values.quiet ? () => {} : (line) => console.error(line),
  };
  checkLocalUrl(options.url); // fail before anything starts
  const controller = new AbortController();
  let signals = 0;
  const onSignal = (sig) => {
    if (++signals > 1) process.exit(130);
    console.error(`${sig}: finishing the requests in flight (again to quit now)`);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const result = await runLoad({ ...options, signal: controller.signal });
  if (values.out) writeFileSync(values.out, `${JSON.stringify(result, null, 2)}\n`);
  console.log(formatSummary(result));
  if (values.out) console.log(`  result         ${values.out}`);
  return 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().then(
    (code) => process.exit(code),
    (err) => {
      console.error(`loadgen: ${err.message}`);
      process.exit(2);
    },
  );
}
