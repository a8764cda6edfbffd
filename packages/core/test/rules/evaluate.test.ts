import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CORE_RULES } from '../../src/rules/catalogue.ts';
import { evaluateRules } from '../../src/rules/evaluate.ts';
import { DEFAULT_THRESHOLDS, type RuleDefinition, type RuleThresholds } from '../../src/rules/features.ts';
import { I04, I12 } from '../../src/rules/ip.ts';
import { applyPreset } from '../../src/rules/presets.ts';
import { R01 } from '../../src/rules/reuse.ts';
import { ip, user } from './build.ts';

function fake(code: string, evaluate: RuleDefinition['evaluate']): RuleDefinition {
  return { code, group: 'X', name: `fake ${code}`, description: 'test rule', requires: [], evaluate };
}

const always = fake('X01', () => ({ status: 'match', evidence: { summary: 'always' } }));
const throws = fake('X02', () => {
  throw new Error('boom');
});
const throwsString = fake('X03', () => {
  throw 'not an error';
});
const broken = fake('X04', () => ({ status: 'maybe' }) as never);

// A user on a shared (I04), blacklisted (R01) public IP: I12 does not match.
const features = user({ ips: [ip({ sharedUsers: 2, blacklisted: true })] });

test('every rule runs, weight 0 included; the score uses the weights of matched rules', () => {
  const r = evaluateRules(features, {
    rules: [I04, I12, R01, always],
    weights: { I04: 20, I12: 70, R01: 0 },
    thresholds: DEFAULT_THRESHOLDS,
  });
  assert.deepEqual(
    r.results.map((x) => [x.code, x.name, x.status, x.weight]),
    [
      ['I04', 'Shared IP', 'match', 20],
      ['I12', 'IP belongs to LAN', 'no_match', 70],
      ['R01', 'IP in blacklist', 'match', 0],
      ['X01', 'fake X01', 'match', 0],
    ],
  );
  assert.deepEqual(
    r.matched.map((x) => x.code),
    ['I04', 'R01', 'X01'],
  );
  assert.deepEqual(r.results[0]?.evidence?.values, { ips: [{ ip: '81.2.69.160', sharedUsers: 2 }] });
  assert.equal(r.score, 79); // one high
});

test('a rule that throws is an error with its message and sinks neither the others nor the score', () => {
  const r = evaluateRules(features, {
    rules: [throws, I04, throwsString, broken, R01],
    weights: { X02: 70, I04: 20, X03: 70, X04: 70, R01: 70 },
  });
  assert.deepEqual(
    r.results.map((x) => [x.code, x.status, x.evidence?.reason]),
    [
      ['X02', 'error', 'boom'],
      ['I04', 'match', undefined],
      ['X03', 'error', 'not an error'],
      ['X04', 'error', 'rule returned an invalid result'],
      ['R01', 'match', undefined],
    ],
  );
  assert.deepEqual(
    r.matched.map((x) => x.code),
    ['I04', 'R01'],
  );
  assert.equal(r.score, 0); // high + extreme: 99 − 90·1.1435
});

test('thresholds are passed to the rules, defaulting to DEFAULT_THRESHOLDS', () => {
  const seen: RuleThresholds[] = [];
  const spy = fake('X05', (_f, t) => {
    seen.push(t);
    return { status: 'no_match' };
  });
  const custom = { ...DEFAULT_THRESHOLDS, numerousIps: 1 };
  evaluateRules(features, { rules: [spy], weights: {} });
  evaluateRules(features, { rules: [spy], weights: {}, thresholds: custom });
  assert.deepEqual(seen, [DEFAULT_THRESHOLDS, custom]);
});

test('no rule matched → 99; a missing or inherited weight counts as 0', () => {
  const r = evaluateRules(user(), {
    rules: [I12, fake('constructor', () => ({ status: 'match' }))],
    weights: {},
  });
  assert.equal(r.score, 99);
  assert.deepEqual(
    r.results.map((x) => x.weight),
    [0, 0],
  );
});

test('all core rules run on a quiet user without error; account_registration trusts them fully', () => {
  const r = evaluateRules(user(), { rules: CORE_RULES, weights: applyPreset('account_registration') });
  assert.equal(r.results.length, 112);
  assert.deepEqual(
    r.results.filter((x) => x.status === 'error'),
    [],
  );
  assert.ok(r.matched.some((x) => x.code === 'I10' && x.weight === -20));
  assert.equal(r.score, 99);
});
