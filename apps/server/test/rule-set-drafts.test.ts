import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { draftChanges, rebase } from '../src/scoring/rule-set-drafts.ts';
import type { CustomRuleEntry, RuleSetDefinition } from '../src/scoring/rule-sets.ts';

const rule = (code: string, source: string, weight = 10): CustomRuleEntry => ({
  code,
  name: code,
  description: '',
  source,
  weight,
});

const base: RuleSetDefinition = {
  weights: { A01: 10, B02: 20, C01: 0 },
  reviewThreshold: 33,
  blacklistThreshold: null,
  ruleThresholds: { maxDevices: 4 },
  customRules: [rule('X01', 'true'), rule('X02', 'false')],
};

describe('replaying a draft on a newer live rule set', () => {
  test("the draft's own changes win; everything else follows live", () => {
    const draft: RuleSetDefinition = {
      ...base,
      weights: { A01: 70, B02: 20, C01: 0 }, // changed A01
      ruleThresholds: { maxDevices: 4, maxLoginAttempts: 9 }, // added one
      customRules: [rule('X01', 'user.eventCount > 1'), rule('X03', 'true')], // changed X01, deleted X02, added X03
    };
    const live: RuleSetDefinition = {
      ...base,
      weights: { A01: 0, B02: 0, C01: 10 }, // a preset moved everything
      reviewThreshold: 40,
      ruleThresholds: { maxDevices: 6 },
      customRules: [rule('X01', 'true', 5), rule('X02', 'false', 70)], // direct weight edits
    };
    const replayed = rebase(base, draft, live);
    assert.deepEqual(replayed.weights, { A01: 70, B02: 0, C01: 10 });
    assert.equal(replayed.reviewThreshold, 40);
    assert.deepEqual(replayed.ruleThresholds, { maxDevices: 6, maxLoginAttempts: 9 });
    assert.deepEqual(replayed.customRules, [rule('X01', 'user.eventCount > 1'), rule('X03', 'true')]);
  });

  test('thresholds move as a pair when the draft changed either', () => {
    const draft = { ...base, blacklistThreshold: 10 };
    const live = { ...base, reviewThreshold: 5 };
    const replayed = rebase(base, draft, live);
    assert.equal(replayed.reviewThreshold, 33);
    assert.equal(replayed.blacklistThreshold, 10);
  });

  test('an unchanged draft is live', () => {
    const live = { ...base, weights: { A01: 1 }, customRules: [rule('X01', 'true', 3)] };
    assert.deepEqual(rebase(base, structuredClone(base), live), live);
  });
});

describe('what a draft changes', () => {
  test('weights, thresholds and custom rules against live', () => {
    const draft: RuleSetDefinition = {
      ...base,
      weights: { A01: 10, B02: 0, D01: 20 },
      reviewThreshold: 40,
      customRules: [rule('X01', 'true', 70), rule('X02', 'true'), rule('X10', 'false')],
    };
    assert.deepEqual(draftChanges(base, draft), {
      weights: [
        { code: 'B02', from: 20, to: 0 },
        { code: 'D01', from: 0, to: 20 },
        { code: 'X01', from: 10, to: 70 },
      ],
      thresholds: [{ name: 'reviewThreshold', from: 33, to: 40 }],
      added: ['X10'],
      changed: ['X02'],
      deleted: [],
    });
  });
});
