#!/usr/bin/env node
// Offline enrichment benchmark: `npm run bench:enrich [-- --seconds 3 --events 200000 --json]`
//
// Loads the shipped data sets through the built package (@vigil/enrich → packages/enrich/dist),
// warms the caches with a realistic mix (a few thousand distinct IPv4/IPv6 addresses, ~200 distinct
// User-Agents, e-mails of free, disposable and corporate domains, phones of several countries),
// then measures on one core:
//   - per-event latency of enricher.enrich() (p50/p99/p99.9/max), caches warm;
//   - throughput (enrichments per second) for a fixed time;
//   - the cold path (every value new: a flood of random IPs and User-Agents);
//   - memory of the loaded data (RSS and heap delta after loading).
// Prints a table with PASS/FAIL against the targets; exits 1 when a target is missed.
// Bounded: the whole run takes well under 60 s (it stops itself at 50 s).

import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: process.env.BENCH_SECONDS ?? '3' },
    events: { type: 'string', default: process.env.BENCH_EVENTS ?? '200000' },
    json: { type: 'boolean', default: false },
  },
});
const THROUGHPUT_SECONDS = Math.min(20, Math.max(1, Number(args.seconds)));
const LATENCY_EVENTS = Math.min(2_000_000, Math.max(10_000, Number(args.events)));
const DEADLINE = Date.now() + 50_000;

const TARGETS = { p99Us: 50, perSecond: 100_000, dataMb: 200 };

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc');
function settle() {
  for (let i = 0; i < 3; i++) gc();
}
const mb = (bytes) => bytes / 1024 / 1024;

// --- memory before anything is loaded
settle();
const m0 = process.memoryUsage();
const tImport = performance.now();
const enrich = await import('@vigil/enrich');
const importMs = performance.now() - tImport;
settle();
const m1 = process.memoryUsage();
const tLoad = performance.now();
const data = enrich.loadBundledData();
const loadMs = performance.now() - tLoad;
settle();
const m2 = process.memoryUsage();

// --- a deterministic, realistic mix of values
let seed = 20260617;
const rnd = (n) => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) % n;
};
const pick = (list) => list[rnd(list.length)];
const hex = (n) => rnd(n).toString(16);

function publicIpv4() {
  for (;;) {
    const a = 1 + rnd(223);
    if (a === 10 || a === 127 || a === 100 || a === 169 || a === 172 || a === 192 || a === 198 || a === 203)
      continue;
    return `${a}.${rnd(256)}.${rnd(256)}.${1 + rnd(254)}`;
  }
}
const V6_PREFIXES = [
  '2001:4860:',
  '2a01:4f8:',
  '2600:1f18:',
  '2a03:2880:',
  '2607:f8b0:',
  '2a02:26f0:',
  '2605:59c8:',
  '2a00:1450:',
  '2c0f:fb50:',
  '2400:cb00:',
];
function publicIpv6() {
  return `${pick(V6_PREFIXES)}${hex(65536)}:${hex(65536)}::${hex(65536)}`;
}

const UA_TEMPLATES = [
  (v) =>
    `Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${v}.0.0.0 Safari/537.36`,
  (v) =>
    `Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${v}.0.0.0 Safari/537.36 Edg/${v}.0.2478.80`,
  (v) =>
    `Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/${(v % 6) + 13}.${v % 5} Safari/605.1.15`,
  (v) =>
    `Mozilla/5.0 (iPhone; CPU iPhone OS 17_${v % 6} like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.${v % 6} Mobile/15E148 Safari/604.1`,
  (v) =>
    `Mozilla/5.0 (Linux; Android ${10 + (v % 5)}; SM-S9${10 + (v % 20)}B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${v}.0.6367.82 Mobile Safari/537.36`,
  (v) => `Mozilla/5.0 (X11; Linux x86_64; rv:${v}.0) Gecko/20100101 Firefox/${v}.0`,
  (v) =>
    `Mozilla/5.0 (Linux; Android 14; Pixel ${6 + (v % 3)}) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${v}.0.0.0 Mobile Safari/537.36`,
  (v) =>
    `Mozilla/5.0 (iPad; CPU OS 17_${v % 6} like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/${v}.0.6367.88 Mobile/15E148 Safari/604.1`,
];
const BOT_UAS = [
  'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
  'Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)',
  'Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; ClaudeBot/1.0; +claudebot@anthropic.com)',
  'Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)',
  'curl/8.4.0',
  'python-requests/2.31.0',
  'Go-http-client/1.1',
  'okhttp/4.12.0',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/124.0.0.0 Safari/537.36',
];
const EMAIL_DOMAINS = [
  'gmail.com',
  'yahoo.com',
  'outlook.com',
  'icloud.com',
  'mailinator.com',
  'guerrillamail.com',
  'acme-corp.com',
  'example.co.uk',
  'mit.edu',
  'web.de',
  'proton.me',
  'yopmail.com',
];
const PHONE_FORMATS = [
  () => `+1415555${String(rnd(10000)).padStart(4, '0')}`,
  () => `+447400${String(rnd(1_000_000)).padStart(6, '0')}`,
  () => `+336${String(rnd(100_000_000)).padStart(8, '0')}`,
  () => `+49151${String(rnd(100_000_000)).padStart(8, '0')}`,
  () => `+8190${String(rnd(100_000_000)).padStart(8, '0')}`,
  () => `+9198${String(rnd(100_000_000)).padStart(8, '0')}`,
];

const ips = [
  ...Array.from({ length: 3000 }, publicIpv4),
  ...Array.from({ length: 1000 }, publicIpv6),
  '10.0.0.1',
  '192.168.1.20',
  '::ffff:8.8.8.8',
];
const uas = [
  ...Array.from({ length: 190 }, (_, i) =>
    UA_TEMPLATES[i % UA_TEMPLATES.length](100 + Math.floor(i / UA_TEMPLATES.length)),
  ),
  ...BOT_UAS,
];
const emails = Array.from({ length: 2000 }, (_, i) => `user.${i}${rnd(1000)}@${pick(EMAIL_DOMAINS)}`);
const phones = Array.from({ length: 1000 }, () => pick(PHONE_FORMATS)());

// Events: each user keeps its IP/UA/e-mail/phone; traffic is skewed towards active users.
const USERS = 5000;
const users = Array.from({ length: USERS }, (_, i) => ({
  ipAddress: ips[i % ips.length],
  userAgent: uas[rnd(uas.length)],
  emailAddress: rnd(10) < 8 ? emails[i % emails.length] : null,
  phoneNumber: rnd(10) < 3 ? phones[i % phones.length] : null,
}));
const schedule = new Uint32Array(LATENCY_EVENTS);
for (let i = 0; i < LATENCY_EVENTS; i++) {
  const r = rnd(1_000_000) / 1_000_000;
  schedule[i] = Math.min(USERS - 1, Math.floor(USERS * r * r)); // quadratic skew
}

const enricher = enrich.createEnricher({ data, defaultPhoneCountry: 'US' });

// --- warm-up: every distinct value once (this is also the cold path cost per user)
const tWarm = performance.now();
for (const u of users) enricher.enrich(u);
const warmMs = performance.now() - tWarm;
for (let i = 0; i < 50_000; i++) enricher.enrich(users[schedule[i % LATENCY_EVENTS]]); // JIT

function percentiles(samples) {
  samples.sort((a, b) => a - b);
  const at = (q) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))];
  return { p50: at(0.5), p99: at(0.99), p999: at(0.999), max: samples[samples.length - 1] };
}

// --- latency, caches warm
const lat = new Float64Array(LATENCY_EVENTS);
for (let i = 0; i < LATENCY_EVENTS; i++) {
  const ev = users[schedule[i]];
  const t0 = process.hrtime.bigint();
  enricher.enrich(ev);
  lat[i] = Number(process.hrtime.bigint() - t0) / 1000;
}
const warm = percentiles(Array.from(lat));

// --- throughput, one core, caches warm
let done = 0;
const tEnd = performance.now() + THROUGHPUT_SECONDS * 1000;
const tThr = performance.now();
while (performance.now() < tEnd && Date.now() < DEADLINE) {
  for (let k = 0; k < 1000; k++) enricher.enrich(users[schedule[(done + k) % LATENCY_EVENTS]]);
  done += 1000;
}
const perSecond = done / ((performance.now() - tThr) / 1000);

// --- cold path: every event brings a new IP and a new User-Agent (a flood of random values)
const coldN = 5000;
const cold = [];
for (let i = 0; i < coldN && Date.now() < DEADLINE; i++) {
  const ev = {
    ipAddress: i % 4 === 0 ? publicIpv6() : publicIpv4(),
    userAgent: `Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${rnd(1_000_000)}.0 Safari/537.36`,
    emailAddress: `flood${i}@${pick(EMAIL_DOMAINS)}`,
    phoneNumber: pick(PHONE_FORMATS)(),
  };
  const t0 = process.hrtime.bigint();
  enricher.enrich(ev);
  cold.push(Number(process.hrtime.bigint() - t0) / 1000);
}
const coldP = percentiles(cold);
const stats = enricher.stats();
settle();
const m3 = process.memoryUsage();

const dataRssMb = mb(m2.rss - m1.rss);
const dataHeapMb = mb(m2.heapUsed - m1.heapUsed + (m2.arrayBuffers - m1.arrayBuffers));
const rows = [
  ['data load time', `${loadMs.toFixed(0)} ms`, `(module import ${importMs.toFixed(0)} ms)`, ''],
  [
    'data memory: RSS delta',
    `${dataRssMb.toFixed(1)} MB`,
    `≤ ${TARGETS.dataMb} MB`,
    dataRssMb <= TARGETS.dataMb ? 'PASS' : 'FAIL',
  ],
  ['data memory: heap + buffers delta', `${dataHeapMb.toFixed(1)} MB`, '', ''],
  ['modules memory: RSS delta', `${mb(m1.rss - m0.rss).toFixed(1)} MB`, '', ''],
  ['process RSS at the end', `${mb(m3.rss).toFixed(1)} MB`, '', ''],
  [
    'warm-up (5,000 users, all cold)',
    `${warmMs.toFixed(0)} ms`,
    `${((warmMs * 1000) / USERS).toFixed(1)} µs/event`,
    '',
  ],
  ['latency p50 (warm)', `${warm.p50.toFixed(2)} µs`, '', ''],
  [
    'latency p99 (warm)',
    `${warm.p99.toFixed(2)} µs`,
    `≤ ${TARGETS.p99Us} µs`,
    warm.p99 <= TARGETS.p99Us ? 'PASS' : 'FAIL',
  ],
  ['latency p99.9 / max (warm)', `${warm.p999.toFixed(1)} / ${warm.max.toFixed(0)} µs`, '', ''],
  [
    'throughput (one core, warm)',
    `${Math.round(perSecond).toLocaleString('en')} /s`,
    `≥ ${TARGETS.perSecond.toLocaleString('en')} /s`,
    perSecond >= TARGETS.perSecond ? 'PASS' : 'FAIL',
  ],
  [
    'cold path p50 / p99 (all values new)',
    `${coldP.p50.toFixed(1)} / ${coldP.p99.toFixed(1)} µs`,
    `${cold.length} events`,
    '',
  ],
  [
    'cache sizes ip / ua / email / phone',
    `${stats.caches.ip.size} / ${stats.caches.userAgent.size} / ${stats.caches.email.size} / ${stats.caches.phone.size}`,
    'bounded',
    '',
  ],
];

if (args.json) {
  console.log(
    JSON.stringify(
      {
        loadMs,
        importMs,
        dataRssMb,
        dataHeapMb,
        warm,
        perSecond,
        cold: coldP,
        caches: stats.caches,
        sources: data.sources.map((s) => ({ id: s.id, name: s.name, date: s.date, entries: s.entries })),
      },
      null,
      2,
    ),
  );
} else {
  console.log(
    `\nVigil offline enrichment — Node ${process.version}, ${LATENCY_EVENTS.toLocaleString('en')} timed events, ${USERS} users`,
  );
  console.log(`data: ${data.sources.map((s) => `${s.id} (${s.date ?? s.version ?? '?'})`).join(', ')}\n`);
  const w = [0, 1, 2].map((c) => Math.max(...rows.map((r) => String(r[c]).length)));
  const line = (r) =>
    `  ${String(r[0]).padEnd(w[0])}  ${String(r[1]).padStart(w[1])}  ${String(r[2]).padEnd(w[2])}  ${r[3]}`;
  console.log(line(['measure', 'value', 'target', 'result']));
  console.log(`  ${'-'.repeat(w[0] + w[1] + w[2] + 14)}`);
  for (const r of rows) console.log(line(r));
  console.log('');
}

const failed = rows.some((r) => r[3] === 'FAIL');
process.exit(failed ? 1 : 0);
