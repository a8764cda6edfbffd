import assert from 'node:assert/strict';
import { test } from 'node:test';
import { evaluateRules } from '../../src/rules/evaluate.ts';
import {
  CEL_SCHEMA,
  CustomRuleBudgetError,
  CustomRuleCompileFailure,
  CustomRuleRuntimeError,
  celVariables,
  compileCustomRule,
  customRuleDefinition,
  DEFAULT_BUDGET,
  nextCustomCode,
} from '../../src/rules/index.ts';
import { daysAgo, device, email, event, ip, minutesAgo, NOW, phone, user } from './build.ts';

function compile(source: string) {
  const r = compileCustomRule(source);
  if (!r.ok) assert.fail(`${source}: ${JSON.stringify(r.errors)}`);
  return r.rule;
}

const statusOf = (source: string, features = user()) => compile(source).evaluate(features).status;

test('celVariables: ints are CEL ints, instants timestamps, unknown facts absent', () => {
  const f = user({
    firstName: null,
    ips: [ip({ id: 7, asn: 2856, vpn: null, lists: [{ listId: 'l1', label: 'partners', score: null }] })],
    lastPhone: null,
  });
  const v = celVariables(f) as Record<string, Record<string, unknown>>;
  assert.equal(v.user!.eventCount, 40n);
  assert.equal(v.user!.ageDays, 200n);
  assert.equal(v.user!.firstName, undefined);
  assert.equal(v.now, NOW);
  const [i] = v.ips as unknown as Record<string, unknown>[];
  assert.equal(i!.asn, 2856n);
  assert.equal(i!.vpn, undefined);
  assert.deepEqual(i!.lists, ['partners']);
  assert.ok(i!.firstSeen instanceof Date);
  assert.equal(v.lastPhone!.phone, undefined);
  assert.equal(celVariables(f), v, 'cached per features object');
  // Every schema variable is present.
  assert.deepEqual(
    Object.keys(v),
    CEL_SCHEMA.variables.map((x) => x.name),
  );
});

test('celVariables: derived ages, joins and counts', () => {
  const f = user({
    ips: [
      ip({ id: 1, country: 'GB' }),
      ip({ id: 2, country: 'FR', asn: 3215 }),
      ip({ id: 3, country: null }),
    ],
    events: [
      event({ time: minutesAgo(90), ipId: 2, type: 'account_login_fail', httpCode: 401 }),
      event({ time: daysAgo(40), ipId: 9, httpCode: 503 }),
    ],
  });
  const check = (source: string) => assert.equal(statusOf(source, f), 'match', source);
  check('events[0].ageMinutes == 90 && events[0].country == "FR" && events[0].ip == "81.2.69.160"');
  check('cel.bind(e, events[1], !has(e.country) && !has(e.ip))');
  check('user.daysSincePreviousEvent == 39');
  check('counts.countries == 2 && counts.asns == 2 && counts.ips == 3 && counts.recentEvents == 2');
  check('counts.recentFailedLogins == 1 && counts.recent4xx == 1 && counts.recent5xx == 1');
  check('now - events[1].time > duration("959h") && events[0].time > events[1].time');
  check('events[0].localHour == 10'); // 12:00 UTC − 90 minutes
  check('sessions[0].durationMinutes == 25 && devices[0].ageMinutes == 144000');
});

test('match, no_match and not_applicable, with evidence', () => {
  const f = user({ eventCount: 120 });
  const m = compile('user.eventCount > 100 && size(events) > 0').evaluate(f);
  assert.equal(m.status, 'match');
  assert.deepEqual(m.evidence?.values, { 'user.eventCount': 120, 'size(events)': 3 });
  assert.match(m.evidence?.summary ?? '', /^matched: user\.eventCount > 100/);

  assert.equal(statusOf('user.eventCount > 1000', f), 'no_match');

  const na = compile('user.fullName.contains(" ")').evaluate(f);
  assert.equal(na.status, 'not_applicable');
  assert.equal(na.evidence?.reason, 'user.fullName is unknown (vigil.User)');
  assert.equal(statusOf('user["fullName"] == "x"', f), 'not_applicable');
});

test('unknown facts: has(), CEL error absorption, lastEmail/lastPhone without a value', () => {
  const mixed = user({ ips: [ip({ id: 1, vpn: null }), ip({ id: 2, vpn: true })] });
  const unknownOnly = user({ ips: [ip({ id: 1, vpn: null }), ip({ id: 2, vpn: false })] });
  assert.equal(statusOf('ips.exists(i, i.vpn)', mixed), 'match');
  assert.equal(statusOf('ips.exists(i, i.vpn)', unknownOnly), 'not_applicable');
  assert.equal(statusOf('ips.exists(i, has(i.vpn) && i.vpn)', unknownOnly), 'no_match');
  assert.equal(statusOf('ips.all(i, i.vpn)', mixed), 'not_applicable');
  assert.equal(statusOf('false && user.firstName == "x"', user({ firstName: null })), 'no_match');
  assert.equal(statusOf('user.eventCount > 1 || user.firstName == "x"', user({ firstName: null })), 'match');

  const noPhone = user({ phones: [], lastPhone: null });
  assert.equal(statusOf('has(lastPhone.phone)', noPhone), 'no_match');
  const r = compile('lastPhone.country == "GB"').evaluate(noPhone);
  assert.deepEqual(r, {
    status: 'not_applicable',
    evidence: { reason: 'lastPhone.country is unknown (vigil.Phone)' },
  });
  assert.equal(statusOf('lastPhone.country == "GB"', user({ phones: [phone()] })), 'match');
  assert.equal(
    statusOf('lastEmail.disposable', user({ emails: [email({ disposable: null })] })),
    'not_applicable',
  );
});

test('indexing past the end of a Vigil list is not_applicable; other errors throw', () => {
  const f = user({ events: [event()] });
  const r = compile('events[1].type == "account_login"').evaluate(f);
  assert.equal(r.status, 'not_applicable');
  assert.match(r.evidence?.reason ?? '', /^events\[1\]: .*out of bounds/);

  const missingLiteralKey = compile('{"a": 1}["b"] == 1');
  assert.throws(() => missingLiteralKey.evaluate(f), CustomRuleRuntimeError);
  assert.throws(() => compile('[1, 2][5] == 1').evaluate(f), CustomRuleRuntimeError);

  const division = compile('user.eventCount > 3 &&\n  user.eventCount / (counts.phones) > 1');
  assert.throws(
    () => division.evaluate(f),
    (err: unknown) =>
      err instanceof CustomRuleRuntimeError &&
      /division by zero/.test(err.message) &&
      err.line === 2 &&
      err.column === 3,
  );
  assert.throws(() => compile('int(user.userName) > 3').evaluate(f), CustomRuleRuntimeError);
});

test('customRuleDefinition: a group-X RuleDefinition; evaluateRules records errors without changing the score', () => {
  const fires = customRuleDefinition({
    code: 'X01',
    name: 'Many countries',
    description: 'IPs in two or more countries',
    source: 'counts.countries >= 2',
  });
  const broken = customRuleDefinition({
    code: 'X02',
    name: 'Broken',
    description: 'divides by zero',
    source: 'user.eventCount / counts.phones > 1',
  });
  const unknown = customRuleDefinition({
    code: 'X03',
    name: 'Unknown',
    description: 'reads a null fact',
    source: 'user.fullName == "x"',
  });
  assert.equal(fires.group, 'X');
  assert.deepEqual(fires.requires, ['ip']);
  assert.equal(fires.source, 'counts.countries >= 2');

  const f = user({ ips: [ip({ id: 1, country: 'GB' }), ip({ id: 2, country: 'DE' })], phones: [] });
  const withError = evaluateRules(f, {
    rules: [fires, broken, unknown],
    weights: { X01: 20, X02: 70, X03: 70 },
  });
  assert.deepEqual(
    withError.results.map((r) => [r.code, r.status]),
    [
      ['X01', 'match'],
      ['X02', 'error'],
      ['X03', 'not_applicable'],
    ],
  );
  assert.match(withError.results[1]?.evidence?.reason ?? '', /division by zero/);
  const alone = evaluateRules(f, { rules: [fires], weights: { X01: 20 } });
  assert.equal(withError.score, alone.score);
});

test('customRuleDefinition refuses bad codes and sources', () => {
  const spec = { name: 'n', description: 'd', source: 'true' };
  for (const code of ['X1', 'X00', 'X1000', 'A01', 'x01', '']) {
    assert.throws(() => customRuleDefinition({ ...spec, code }), /invalid custom rule code/, code);
  }
  assert.equal(customRuleDefinition({ ...spec, code: 'X100' }).code, 'X100');
  assert.throws(
    () => customRuleDefinition({ ...spec, code: 'X05', source: 'user.nope' }),
    (err: unknown) =>
      err instanceof CustomRuleCompileFailure &&
      err.errors[0]?.code === 'no_such_key' &&
      /X05 does not compile at line 1, column 6/.test(err.message),
  );
});

test('nextCustomCode: one past the highest X code', () => {
  assert.equal(nextCustomCode([]), 'X01');
  assert.equal(nextCustomCode(['A01', 'B12']), 'X01');
  assert.equal(nextCustomCode(['X01', 'X02', 'X07', 'A01']), 'X08');
  assert.equal(nextCustomCode(new Set(['X09'])), 'X10');
  assert.equal(nextCustomCode(['X99']), 'X100');
  assert.equal(nextCustomCode(['X120', 'X99']), 'X121');
  assert.equal(nextCustomCode(['Xyz', 'X1']), 'X01');
  assert.throws(() => nextCustomCode(['X999']), /no custom rule code left/);
});

// ---------------------------------------------------------------------------------------------
// The budget

const manyIps = user({ ips: Array.from({ length: 200 }, (_, i) => ip({ id: i + 1, asn: i })) });

test('a runaway expression is stopped by the cost budget and recorded as an error', () => {
  const runaway = customRuleDefinition({
    code: 'X09',
    name: 'runaway',
    description: '200³ iterations',
    source: 'ips.exists(a, ips.exists(b, ips.exists(c, a.asn + b.asn + c.asn < 0)))',
    budget: { timeoutMs: 10_000 },
  });
  const started = performance.now();
  assert.throws(
    () => runaway.evaluate(manyIps, {} as never),
    (err: unknown) => err instanceof CustomRuleBudgetError && /more than 100000 cost units/.test(err.message),
  );
  assert.ok(performance.now() - started < 2000);
  const r = evaluateRules(manyIps, { rules: [runaway], weights: { X09: 70 } });
  assert.equal(r.results[0]?.status, 'error');
  assert.match(r.results[0]?.evidence?.reason ?? '', /budget exceeded/);
  assert.equal(r.score, 99);

  // The same shape over a few IPs is cheap and fine.
  assert.equal(runaway.evaluate(user(), {} as never).status, 'no_match');
});

test('error absorption cannot swallow a stop: `runaway || true` is still an error', () => {
  const rule = compile('ips.exists(a, ips.exists(b, ips.exists(c, a.asn < 0))) || true');
  assert.throws(() => rule.evaluate(manyIps), CustomRuleBudgetError);
  const inExists = compile('ips.exists(a, a.asn == 199 || ips.exists(b, ips.exists(c, c.asn < 0)))');
  assert.throws(() => inExists.evaluate(manyIps), CustomRuleBudgetError);
});

test('doubling a string with cel.bind is stopped before it exhausts memory', () => {
  // 14 bindings (the nesting limit allows no more than about 30): 2^14 × 1,000 characters.
  let source = 'size(v0) > 0';
  for (let i = 1; i <= 14; i++) source = `cel.bind(v${i - 1}, v${i} + v${i}, ${source})`;
  source = `cel.bind(v14, devices[0].userAgent, ${source})`;
  const rule = compile(source);
  const f = user({ devices: [device({ userAgent: 'x'.repeat(1000) })] });
  assert.throws(() => rule.evaluate(f), CustomRuleBudgetError);
  assert.equal(rule.evaluate(user({ devices: [device({ userAgent: 'x' })] })).status, 'match');
  let doubled = 'size(h) > 0';
  for (const [v, from] of [
    ['h', 'g'],
    ['g', 'f'],
    ['f', 'e'],
    ['e', 'd'],
    ['d', 'c'],
    ['c', 'b'],
    ['b', 'a'],
  ]) {
    doubled = `cel.bind(${v}, ${from} + ${from}, ${doubled})`;
  }
  const lists = compile(`cel.bind(a, ips + ips, ${doubled})`); // 200 × 2^8 IPs
  assert.throws(() => lists.evaluate(manyIps), CustomRuleBudgetError);
  assert.equal(lists.evaluate(user()).status, 'match');
});

test('the wall-clock limit stops an evaluation that stays within its cost budget', () => {
  const rule = compile('ips.exists(a, ips.exists(b, ips.exists(c, a.asn + b.asn + c.asn < 0)))');
  const started = performance.now();
  assert.throws(
    () => rule.evaluate(manyIps, { maxCost: Number.MAX_SAFE_INTEGER, timeoutMs: 20 }),
    (err: unknown) =>
      err instanceof CustomRuleBudgetError && /timed out \(more than 20 ms\)/.test(err.message),
  );
  assert.ok(performance.now() - started < 1000);
});

test('matches() runs in linear time on attacker-controlled text', () => {
  const agent = `${'a'.repeat(20_000)}!`;
  const f = user({ devices: [device({ userAgent: agent })] });
  const rule = compile('devices.exists(d, d.userAgent.matches("^(a+)+$"))');
  const started = performance.now();
  assert.equal(rule.evaluate(f, { maxCost: 1_000_000, timeoutMs: 5_000 }).status, 'no_match');
  assert.ok(performance.now() - started < 1000);
  assert.equal(statusOf('devices.exists(d, d.userAgent.matches("(?i)CHROME/1[0-9]{2}"))'), 'match');
  assert.equal(statusOf('user.userName.matches("an")'), 'match', 'a partial match, as in CEL');
  assert.equal(statusOf('user.userName.matches("^an$")'), 'no_match');
});

test('a typical rule is far within the default budget', () => {
  const f = user({
    events: Array.from({ length: 25 }, (_, i) =>
      event({ time: minutesAgo(i), type: i % 3 ? 'page_view' : 'account_login_fail' }),
    ),
  });
  const rule = compile(
    'size(events.filter(e, e.type == "account_login_fail" && e.ageMinutes < 30)) >= 3 && ips.exists(i, !i.local)',
  );
  assert.equal(rule.evaluate(f, { ...DEFAULT_BUDGET, maxCost: 1_000 }).status, 'match');
});
