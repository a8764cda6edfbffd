// Trying rules on stored users without changing anything: the "test" of one rule over the last
// N users, and the "what-if" of a whole draft rule set against the users' current scores.
// Read-only; features are loaded in batches so that any N runs in bounded memory per batch.
import {
  evaluateRules,
  type RuleEvidence,
  TEST_SAMPLE_LIMIT,
  testCustomRule,
  type UserFeatures,
} from '@vigil/core';
import type { Executor } from '@vigil/db';
import { loadFeatures } from './features.ts';
import type { RuleSet } from './rule-sets.ts';

/** Users whose features are loaded at once. */
export const TRIAL_BATCH_SIZE = 500;
/** How many user names each what-if list returns. */
export const WHAT_IF_LIST_LIMIT = 100;

/**
 * The project's `limit` most recently seen users, in batches, most recent first, with their
 * features as of `now`. Only the ids of the whole run are held at once.
 */
async function* recentUsers(
  db: Executor,
  projectId: string,
  limit: number,
  now: Date,
): AsyncGenerator<{ ids: number[]; features: Map<number, UserFeatures> }> {
  const { rows } = await db.query<{ id: number }>(
    'SELECT id FROM users WHERE project_id = $1 ORDER BY last_seen DESC, id DESC LIMIT $2',
    [projectId, limit],
  );
  for (let i = 0; i < rows.length; i += TRIAL_BATCH_SIZE) {
    const ids = rows.slice(i, i + TRIAL_BATCH_SIZE).map((r) => Number(r.id));
    yield { ids, features: await loadFeatures(db, ids, now) };
  }
}

export interface RuleTestReport {
  /** Users evaluated (at most the N asked for; fewer when the project has fewer users). */
  checked: number;
  matched: number;
  noMatch: number;
  notApplicable: number;
  /** Users for whom the rule threw or exceeded its budget. */
  errors: number;
  /** matched / checked (0 when nothing was checked). */
  matchRate: number;
  /** The first matches, most recent users first, with their evidence. */
  samples: { userName: string; evidence?: RuleEvidence }[];
  /** The first errors, with their message. */
  errorSamples: { userName: string; message: string }[];
}

/** Runs one rule (a compiled CEL source, a custom or a core rule) over the last `limit` users. */
export async function testRule(
  db: Executor,
  projectId: string,
  rule: Parameters<typeof testCustomRule>[0],
  limit: number,
  now = new Date(),
): Promise<RuleTestReport> {
  const report: RuleTestReport = {
    checked: 0,
    matched: 0,
    noMatch: 0,
    notApplicable: 0,
    errors: 0,
    matchRate: 0,
    samples: [],
    errorSamples: [],
  };
  for await (const batch of recentUsers(db, projectId, limit, now)) {
    const list = batch.ids.map((id) => batch.features.get(id)).filter((f) => f !== undefined);
    const part = testCustomRule(rule, list);
    report.checked += part.checked;
    report.matched += part.matched;
    report.noMatch += part.noMatch;
    report.notApplicable += part.notApplicable;
    report.errors += part.errors;
    for (const s of part.samples) {
      if (report.samples.length >= TEST_SAMPLE_LIMIT) break;
      report.samples.push(
        s.evidence ? { userName: s.userName, evidence: s.evidence } : { userName: s.userName },
      );
    }
    for (const e of part.errorSamples) {
      if (report.errorSamples.length >= TEST_SAMPLE_LIMIT) break;
      report.errorSamples.push({ userName: e.userName, message: e.message });
    }
  }
  report.matchRate = report.checked === 0 ? 0 : report.matched / report.checked;
  return report;
}

export interface WhatIfReport {
  checked: number;
  /**
   * Users not in the review queue now (status normal, never queued) whose score under the
   * rule set would put them there.
   */
  wouldEnterReview: string[];
  enterCount: number;
  /**
   * Users in the review queue now whose score under the rule set is above its review threshold.
   * Scoring never takes anyone out of the queue (an operator decides), so these are the items the
   * rule set no longer supports.
   */
  wouldLeaveReview: string[];
  leaveCount: number;
  /** Users not decided by an operator whose score would be at or below the blacklist threshold. */
  wouldBeBlacklisted: string[];
  blacklistCount: number;
  /** The new score against the stored one (up = more trusted); `unscored`: no stored score. */
  scoreChanges: { up: number; down: number; same: number; unscored: number };
  /** Per custom rule: how many users it matched and for how many it failed. */
  customRules: Record<string, { matched: number; errors: number }>;
}

/**
 * Evaluates `set` for the last `limit` users and compares with their stored score and status,
 * applying the rules scoreUsers applies (operators' decisions stand; the blacklist threshold
 * wins over review; the queue is entered once). Writes nothing.
 */
export async function whatIf(
  db: Executor,
  projectId: string,
  set: RuleSet,
  limit: number,
  now = new Date(),
): Promise<WhatIfReport> {
  const report: WhatIfReport = {
    checked: 0,
    wouldEnterReview: [],
    enterCount: 0,
    wouldLeaveReview: [],
    leaveCount: 0,
    wouldBeBlacklisted: [],
    blacklistCount: 0,
    scoreChanges: { up: 0, down: 0, same: 0, unscored: 0 },
    customRules: {},
  };
  const custom = set.rules.filter((r) => r.group === 'X');
  for (const rule of custom) report.customRules[rule.code] = { matched: 0, errors: 0 };
  const note = (list: string[], name: string) => {
    if (list.length < WHAT_IF_LIST_LIMIT) list.push(name);
  };
  for await (const batch of recentUsers(db, projectId, limit, now)) {
    const { rows } = await db.query<{ id: number; score: number | null; status: string; queued: boolean }>(
      `SELECT id, score, status, added_to_review IS NOT NULL AS queued FROM users WHERE id = ANY($1::bigint[])`,
      [batch.ids],
    );
    const stored = new Map(rows.map((r) => [Number(r.id), r]));
    for (const id of batch.ids) {
      const features = batch.features.get(id);
      const current = stored.get(id);
      if (!features || !current) continue;
      report.checked++;
      const { score, results } = evaluateRules(features, {
        rules: set.rules,
        weights: set.weights,
        thresholds: set.thresholds,
      });
      for (const r of results) {
        const stats = report.customRules[r.code];
        if (!stats) continue;
        if (r.status === 'match') stats.matched++;
        else if (r.status === 'error') stats.errors++;
      }
      const changes = report.scoreChanges;
      if (current.score === null) changes.unscored++;
      else if (score > current.score) changes.up++;
      else if (score < current.score) changes.down++;
      else changes.same++;
      if (current.status === 'approved' || current.status === 'blacklisted') continue;
      if (set.blacklistThreshold !== null && score <= set.blacklistThreshold) {
        report.blacklistCount++;
        note(report.wouldBeBlacklisted, features.userName);
      } else if (current.status === 'normal' && !current.queued && score <= set.reviewThreshold) {
        report.enterCount++;
        note(report.wouldEnterReview, features.userName);
      } else if (current.status === 'review' && score > set.reviewThreshold) {
        report.leaveCount++;
        note(report.wouldLeaveReview, features.userName);
      }
    }
  }
  return report;
}
