import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { UserFeatures } from '../../src/rules/features.ts';
import {
  CEL_SCHEMA,
  CUSTOM_RULE_LIMITS,
  celSchemaMarkdown,
  compileCustomRule,
  DEFAULT_BUDGET,
  SCHEMA_DOC_BEGIN,
  SCHEMA_DOC_END,
  withGeneratedSchema,
} from '../../src/rules/index.ts';
import { daysAgo, device, email, event, ip, minutesAgo, phone, user } from './build.ts';

const doc = readFileSync(new URL('../../../../docs/custom-rules.md', import.meta.url), 'utf8');
/** The document with runs of spaces collapsed (Markdown tables are padded to align columns). */
const norm = (s: string) => s.replace(/ {2,}/g, ' ');
const flatDoc = norm(doc);

function compile(source: string) {
  const r = compileCustomRule(source);
  if (!r.ok) assert.fail(`${source}\n${JSON.stringify(r.errors)}`);
  return r.rule;
}

test('the schema reference in the document is generated from CEL_SCHEMA and up to date', () => {
  assert.equal(
    withGeneratedSchema(doc),
    doc,
    'docs/custom-rules.md is out of date: run node scripts/gen-cel-docs.mjs',
  );
  const region = doc.slice(
    doc.indexOf(SCHEMA_DOC_BEGIN),
    doc.indexOf(SCHEMA_DOC_END) + SCHEMA_DOC_END.length,
  );
  assert.equal(region, celSchemaMarkdown());
});

test('every variable, type and field of the schema is documented with its type', () => {
  for (const v of CEL_SCHEMA.variables) {
    assert.ok(flatDoc.includes(`| \`${v.name}\` |`), `variable ${v.name}`);
    assert.ok(v.description.length > 0);
  }
  for (const t of CEL_SCHEMA.types) {
    assert.ok(flatDoc.includes(`### ${t.name}\n`), `type ${t.name}`);
    const section = flatDoc.slice(flatDoc.indexOf(`### ${t.name}\n`)).split('\n### ')[0] ?? '';
    for (const f of t.fields) {
      const row = norm(`| \`${f.name}\` | \`${f.type}\` | ${f.nullable ? 'yes' : ''} | ${f.description}`);
      assert.ok(section.includes(row), `${t.name}.${f.name}`);
      assert.ok(f.description.length > 0, `${t.name}.${f.name} has a description`);
    }
  }
});

test('the limits and budget quoted in the document are the real ones', () => {
  const n = (x: number) => x.toLocaleString('en-US');
  const flat = doc.replace(/\s+/g, ' ');
  assert.ok(flat.includes(`longer than ${n(CUSTOM_RULE_LIMITS.maxSourceLength)} characters`));
  assert.ok(flat.includes(`more than ${n(CUSTOM_RULE_LIMITS.maxAstNodes)} nodes`));
  assert.ok(flat.includes(`deeper than ${CUSTOM_RULE_LIMITS.maxDepth} levels`));
  assert.ok(flat.includes(`more than ${CUSTOM_RULE_LIMITS.maxListElements} elements`));
  assert.ok(flat.includes(`nests more than ${CUSTOM_RULE_LIMITS.maxComprehensionNesting} list macros`));
  assert.ok(
    flat.includes(
      `more than ${n(DEFAULT_BUDGET.maxCost)} units, or runs for more than ${DEFAULT_BUDGET.timeoutMs} ms`,
    ),
  );
});

test('every CEL block of the document compiles', () => {
  const blocks = [...doc.matchAll(/```cel\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
  assert.ok(blocks.length >= 8);
  for (const source of blocks) compile(source);
});

test('the compile errors shown in the document are the ones returned', () => {
  const section = flatDoc.slice(flatDoc.indexOf('## Compile errors'), flatDoc.indexOf('## Testing a rule'));
  const rows = [...section.matchAll(/^\| `(.+)` \| (\d+):(\d+) (.+) \|$/gm)];
  assert.equal(rows.length, 5);
  for (const [, source = '', line, column, message = ''] of rows) {
    const r = compileCustomRule(source);
    assert.equal(r.ok, false, source);
    if (r.ok) continue;
    const e = r.errors[0];
    assert.deepEqual([e?.line, e?.column], [Number(line), Number(column)], source);
    assert.ok(e?.message.startsWith(message.replace(/…$/, '')), `${source}: ${e?.message}`);
  }
});

// ---------------------------------------------------------------------------------------------
// The examples, with users built to match and not to match them.

const examples = new Map(
  [...doc.matchAll(/<!-- example: ([\w-]+) -->\n```cel\n([\s\S]*?)```/g)].map((m) => [
    m[1] ?? '',
    m[2] ?? '',
  ]),
);

function behaves(id: string, cases: [string, UserFeatures][]) {
  const source = examples.get(id);
  assert.ok(source, `example ${id} is in the document`);
  const rule = compile(source);
  for (const [expected, features] of cases) {
    assert.equal(rule.evaluate(features).status, expected, `${id}: expected ${expected}`);
  }
}

test('the document has the examples the suite checks', () => {
  assert.deepEqual([...examples.keys()].sort(), [
    'ato-login-after-failures',
    'ato-new-country',
    'bot-speed',
    'bot-user-agent',
    'disposable-vpn',
    'multi-account',
    'night-login',
  ]);
});

test('example: account takeover, credentials changed after a login from a new country', () => {
  const home = ip({ id: 1, country: 'GB', firstSeen: daysAgo(100) });
  const change = event({ type: 'account_password_change', time: minutesAgo(10) });
  const newIp = (country: string | null) => ip({ id: 2, country, firstSeen: minutesAgo(30) });
  behaves('ato-new-country', [
    ['match', user({ ips: [home, newIp('FR')], events: [change, event({ type: 'account_login' })] })],
    ['no_match', user({ ips: [home, newIp('GB')], events: [change] })],
    ['no_match', user({ ips: [home, newIp('FR')], events: [event({ type: 'page_view' })] })],
    ['no_match', user({ ips: [newIp('FR')], events: [change] })], // no history
    ['no_match', user({ ips: [home, newIp(null)], events: [change] })], // new IP's country unknown
    [
      'match',
      user({
        ips: [home, newIp('FR')],
        events: [event({ type: 'account_email_change', time: minutesAgo(59) })],
      }),
    ],
  ]);
});

test('example: account takeover, a login after a burst of failures', () => {
  const fail = (m: number) => event({ type: 'account_login_fail', time: minutesAgo(m) });
  const login = event({ type: 'account_login', time: minutesAgo(5) });
  behaves('ato-login-after-failures', [
    ['match', user({ events: [login, fail(8), fail(10), fail(12)] })],
    ['no_match', user({ events: [login, fail(8), fail(10), fail(50)] })], // one failure too old
    ['no_match', user({ events: [fail(1), fail(2), fail(3), login] })], // failures after the login
    ['no_match', user({ events: [fail(8), fail(10), fail(12)] })],
  ]);
});

test('example: bots by user agent', () => {
  behaves('bot-user-agent', [
    ['match', user({ devices: [device(), device({ id: 2, isBot: true, botName: 'Googlebot' })] })],
    ['match', user({ devices: [device({ isAiBot: true })] })],
    [
      'match',
      user({ devices: [device({ userAgent: 'python-requests/2.32.3', isBot: null, isAiBot: null })] }),
    ],
    ['match', user({ devices: [device({ userAgent: 'Mozilla/5.0 HeadlessChrome/126.0' })] })],
    ['no_match', user()],
    ['no_match', user({ devices: [device({ userAgent: null, isBot: null, isAiBot: null })] })],
  ]);
});

test('example: bots browsing at machine speed from a data centre', () => {
  const burst = (refererEmpty: (i: number) => boolean) =>
    Array.from({ length: 24 }, (_, i) => event({ time: minutesAgo(i % 2), refererEmpty: refererEmpty(i) }));
  const dc = [ip({ datacenter: true })];
  behaves('bot-speed', [
    ['match', user({ ips: dc, events: burst(() => true) })],
    ['match', user({ ips: dc, events: burst((i) => i !== 0) })], // 23 of 24 without a referer
    ['no_match', user({ ips: dc, events: burst((i) => i % 2 === 0) })],
    ['no_match', user({ ips: [ip({ datacenter: false })], events: burst(() => true) })],
    ['no_match', user({ ips: [ip({ datacenter: null })], events: burst(() => true) })],
    ['no_match', user({ ips: dc, events: burst(() => true).slice(0, 19) })],
  ]);
});

test('example: multi-accounting, a new account on a crowded IP or phone', () => {
  const young = { created: daysAgo(2), firstSeen: daysAgo(2) };
  behaves('multi-account', [
    ['match', user({ ...young, ips: [ip({ sharedUsers: 6 })] })],
    ['match', user({ ...young, phones: [phone({ sharedUsers: 2 })] })],
    ['no_match', user({ ...young, ips: [ip({ sharedUsers: 4 })] })],
    ['no_match', user({ ...young, ips: [ip({ local: true, sharedUsers: 40 })] })],
    ['no_match', user({ ips: [ip({ sharedUsers: 6 })] })], // 200 days old
  ]);
});

test('example: disposable e-mail behind a VPN, not applicable when disposability is unknown', () => {
  const vpn = [ip({ vpn: true })];
  behaves('disposable-vpn', [
    ['match', user({ emails: [email({ disposable: true })], ips: vpn })],
    ['no_match', user({ emails: [email({ disposable: false })], ips: vpn })],
    ['no_match', user({ emails: [email({ disposable: true })], ips: [ip({ vpn: false })] })],
    ['not_applicable', user({ emails: [email({ disposable: null })], ips: vpn })],
    ['not_applicable', user({ emails: [], lastEmail: null, ips: vpn })],
    // No VPN: false whatever the e-mail, as the document explains.
    ['no_match', user({ emails: [email({ disposable: null })], ips: [ip({ vpn: false })] })],
  ]);
});

test('example: insider activity at night, in the project timezone', () => {
  const loginAt = (iso: string) => [event({ type: 'account_login', time: new Date(iso) })];
  behaves('night-login', [
    ['match', user({ events: loginAt('2026-06-15T03:00:00Z') })],
    ['no_match', user({ events: loginAt('2026-06-15T10:00:00Z') })],
    ['match', user({ timezone: 'Asia/Tokyo', events: loginAt('2026-06-14T19:30:00Z') })], // 04:30 in Tokyo
    ['no_match', user({ timezone: 'Asia/Tokyo', events: loginAt('2026-06-15T03:00:00Z') })], // noon in Tokyo
    ['no_match', user({ events: [event({ type: 'page_view', time: new Date('2026-06-15T03:00:00Z') })] })],
  ]);
});

test('the language notes of the document hold', () => {
  const f = user({ firstName: 'Jane', events: [event({ time: new Date('2026-06-14T10:00:00Z') })] });
  const holds = [
    'has(user.firstName) && !has(user.fullName) && has(lastEmail.email)',
    '\'text\' == "text" && duration("90m") > duration("1h")',
    'events[0].time.getDayOfWeek() == 0', // 2026-06-14 is a Sunday
    'now - events[0].time < duration("27h") && events[0].time.getHours("Europe/Paris") == 12',
    'user.ageDays > 0.5 && " a ".trim() == "a" && "a,b".split(",").join("-") == "a-b"',
    'events.filter(e, false).all(x, x.id < 0) && {"a": 1}["a"] == 1 && int("42") == 42',
    'cel.bind(e, events[0], has(e.httpCode))',
  ];
  for (const source of holds) assert.equal(compile(source).evaluate(f).status, 'match', source);
});
