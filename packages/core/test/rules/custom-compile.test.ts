import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type CompileResult,
  type CustomRuleCompileError,
  compileCustomRule,
  lineColumn,
} from '../../src/rules/custom/compile.ts';
import { CUSTOM_RULE_LIMITS } from '../../src/rules/custom/engine.ts';

function errorsOf(result: CompileResult): CustomRuleCompileError[] {
  assert.equal(result.ok, false, 'expected a compile error');
  return result.ok ? [] : result.errors;
}

/** The first error as [line, column, code], and its message. */
function firstError(source: string): { at: [number, number, string]; message: string } {
  const [e] = errorsOf(compileCustomRule(source));
  assert.ok(e);
  return { at: [e.line, e.column, e.code], message: e.message };
}

test('lineColumn counts 1-based lines and columns', () => {
  assert.deepEqual(lineColumn('abc', 0), { line: 1, column: 1 });
  assert.deepEqual(lineColumn('abc', 3), { line: 1, column: 4 });
  assert.deepEqual(lineColumn('a\nbc\n', 3), { line: 2, column: 2 });
  assert.deepEqual(lineColumn('a\nbc\n', 5), { line: 3, column: 1 });
});

test('syntax errors carry their line and column', () => {
  assert.deepEqual(firstError('user.eventCount >').at, [1, 18, 'unexpected_token']);
  assert.match(firstError('user.eventCount >').message, /Unexpected token: EOF/);

  const multiLine = 'user.eventCount > 3 &&\n  (counts.ips > 2';
  const e = firstError(multiLine);
  assert.deepEqual(e.at.slice(0, 2), [2, 18]); // the end of input
  assert.match(e.message, /RPAREN/);

  assert.deepEqual(firstError('user.eventCount > 3 &&\n  counts.ips >> 2').at.slice(0, 2), [2, 15]);
  assert.deepEqual(firstError('"unterminated').at.slice(0, 2), [1, 1]);
});

test('type errors: unknown variable, unknown field, wrong operand types, with positions', () => {
  const unknownVar = firstError('account.age > 3');
  assert.deepEqual(unknownVar.at, [1, 1, 'unknown_variable']);
  assert.match(unknownVar.message, /Unknown variable: account/);

  const unknownField = firstError('user.eventCount > 3 &&\nuser.eventCont > 3');
  assert.deepEqual(unknownField.at, [2, 6, 'no_such_key']);
  assert.match(unknownField.message, /eventCont/);

  // A field of an element inside a macro is checked too.
  assert.deepEqual(firstError('ips.exists(i, i.vnp)').at, [1, 17, 'no_such_key']);

  const wrongType = firstError('user.eventCount == "3"');
  assert.equal(wrongType.at[2], 'no_such_overload');
  assert.match(wrongType.message, /int == string/);

  assert.match(firstError('user.userName.startsWith(3)').message, /overload/);
  assert.match(firstError('events.exists(e, e.type)').message, /bool/);
});

test('comparing with null is refused with a hint about has()', () => {
  const e = firstError('user.firstName != null');
  assert.match(e.message, /has\(object\.field\)/);
});

test('a rule must evaluate to bool', () => {
  const e = firstError('  user.eventCount + 1');
  assert.deepEqual(e.at, [1, 3, 'not_bool']);
  assert.match(e.message, /must evaluate to bool, got int/);
  assert.match(firstError('user.userName').message, /got string/);
  assert.match(firstError('ips').message, /got list/);
});

test('an empty or overlong source is refused', () => {
  assert.equal(firstError('').at[2], 'empty');
  assert.equal(firstError('   \n ').at[2], 'empty');
  const long = `user.eventCount > 1${' || user.eventCount > 1'.repeat(200)}`;
  assert.ok(long.length > CUSTOM_RULE_LIMITS.maxSourceLength);
  assert.equal(firstError(long).at[2], 'too_long');
});

test('structural limits: AST size, nesting depth, macro nesting', () => {
  const many = Array.from({ length: 400 }, (_, i) => `user.eventCount > ${i}`).join('||');
  assert.ok(many.length > 4000 || firstError(many).message.includes('maxAstNodes'));
  const manyShort = Array.from({ length: 520 }, () => '1<2').join('||');
  assert.ok(manyShort.length <= CUSTOM_RULE_LIMITS.maxSourceLength);
  assert.match(firstError(manyShort).message, /maxAstNodes/);

  const deep = `${'('.repeat(40)}true${')'.repeat(40)}`;
  assert.match(firstError(deep).message, /maxDepth/);

  const three = 'events.exists(a, ips.exists(b, devices.exists(c, c.id == b.id && b.id == a.id)))';
  assert.equal(compileCustomRule(three).ok, true);
  const four = 'events.exists(a, ips.exists(b, devices.exists(c,\n  sessions.exists(d, d.id == c.id))))';
  const e = firstError(four);
  assert.deepEqual(e.at, [2, 3, 'too_deep']);
  assert.match(e.message, /More than 3 nested list macros/);
  // A macro in the range of another is not nested in it.
  assert.equal(
    compileCustomRule(
      'ips.filter(a, a.ageDays < 1).filter(b, b.id > 0).filter(c, c.id > 0).exists(d, d.local)',
    ).ok,
    true,
  );
});

test('matches() needs a literal RE2 pattern, checked at compile time', () => {
  const dynamic = firstError('user.userName.matches(user.firstName)');
  assert.deepEqual(dynamic.at, [1, 23, 'regex_not_literal']);

  const invalid = firstError('devices.exists(d, has(d.userAgent) &&\n  d.userAgent.matches("(bot"))');
  assert.deepEqual(invalid.at, [2, 23, 'invalid_regex']);
  assert.match(invalid.message, /missing closing \)/);

  // Back-references are not RE2.
  assert.equal(firstError('user.userName.matches("(a)\\\\1")').at[2], 'invalid_regex');
  // RE2 flags are accepted.
  assert.equal(compileCustomRule('user.userName.matches("(?i)^adm")').ok, true);
});

test('a valid rule compiles and reports the variables and enrichment it relies on', () => {
  const r = compileCustomRule(
    'ips.exists(i, i.tor) || lastEmail.domainAgeDays < 30 || phones.exists(p, p.sharedUsers > 3)',
  );
  assert.equal(r.ok, true);
  if (!r.ok) return;
  assert.deepEqual(r.rule.variables, ['ips', 'lastEmail', 'phones']);
  assert.deepEqual(r.rule.requires, ['ip', 'email', 'domain', 'phone']);

  const plain = compileCustomRule('user.ageDays < 1');
  assert.ok(plain.ok && plain.rule.requires.length === 0);
  const country = compileCustomRule('events[0].country == "FR"');
  assert.ok(country.ok && country.rule.requires.join() === 'ip');
});
