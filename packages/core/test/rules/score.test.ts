import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  DEFAULT_DECISION_THRESHOLDS,
  decisionFor,
  trustScore,
  WEIGHT_EXTREME,
  WEIGHT_HIGH,
  WEIGHT_MEDIUM,
  WEIGHT_NONE,
  WEIGHT_POSITIVE,
  WEIGHTS,
} from '../../src/rules/score.ts';

const P = WEIGHT_POSITIVE;
const M = WEIGHT_MEDIUM;
const H = WEIGHT_HIGH;
const X = WEIGHT_EXTREME;

test('weight levels', () => {
  assert.deepEqual(
    [WEIGHT_POSITIVE, WEIGHT_NONE, WEIGHT_MEDIUM, WEIGHT_HIGH, WEIGHT_EXTREME],
    [-20, 0, 10, 20, 70],
  );
  assert.deepEqual(WEIGHTS, { positive: -20, none: 0, medium: 10, high: 20, extreme: 70 });
});

describe('trustScore reproduces every example of the spec (§2.2)', () => {
  const cases: [label: string, weights: number[], score: number][] = [
    ['no match', [], 99],
    ['one medium', [M], 89],
    ['one high', [H], 79],
    ['one extreme', [X], 29],
    ['two mediums', [M, M], 76],
    ['medium + high', [M, H], 64],
    ['two highs', [H, H], 53],
    ['three mediums', [M, M, M], 58],
    ['three highs', [H, H, H], 18],
    ['four mediums', [M, M, M, M], 35],
    ['four highs', [H, H, H, H], 0],
    ['five mediums', [M, M, M, M, M], 5],
    ['extreme + positive', [X, P], 49],
    ['high + positive', [H, P], 99],
    ['two extremes', [X, X], 0],
  ];
  for (const [label, weights, score] of cases) {
    test(`${label} → ${score}`, () => assert.equal(trustScore(weights), score));
  }
});

describe('trustScore edges', () => {
  test('matched rules of weight 0 change nothing', () => assert.equal(trustScore([0, 0, M]), 89));
  test('positives alone never add trust above 99', () => assert.equal(trustScore([P, P]), 99));
  test('a positive cancels risk but is not counted in n', () => {
    // S = 10 + 10 − 20 + 20 = 20, n = 3 → 99 − 20·1.3484 = 72.03
    assert.equal(trustScore([M, M, P, H]), 72);
  });
  test('the order of weights does not matter', () => assert.equal(trustScore([H, M]), trustScore([M, H])));
});

describe('decisionFor', () => {
  const withBlacklist = { reviewThreshold: 33, blacklistThreshold: 10 };
  const cases: [
    score: number,
    thresholds: typeof withBlacklist | typeof DEFAULT_DECISION_THRESHOLDS,
    expected: string,
  ][] = [
    [99, DEFAULT_DECISION_THRESHOLDS, 'allow'],
    [34, DEFAULT_DECISION_THRESHOLDS, 'allow'],
    [33, DEFAULT_DECISION_THRESHOLDS, 'review'],
    [0, DEFAULT_DECISION_THRESHOLDS, 'review'],
    [34, withBlacklist, 'allow'],
    [33, withBlacklist, 'review'],
    [11, withBlacklist, 'review'],
    [10, withBlacklist, 'block'],
    [0, withBlacklist, 'block'],
  ];
  for (const [score, thresholds, expected] of cases) {
    test(`${score} with review ≤ ${thresholds.reviewThreshold}, blacklist ≤ ${thresholds.blacklistThreshold} → ${expected}`, () =>
      assert.equal(decisionFor(score, thresholds), expected));
  }
  test('defaults: review at 33, auto-blacklist off', () =>
    assert.deepEqual(DEFAULT_DECISION_THRESHOLDS, { reviewThreshold: 33, blacklistThreshold: null }));
});
