import {
  applyPreset,
  CORE_RULES,
  DEFAULT_THRESHOLDS,
  isPresetName,
  type RuleDefinition,
  type RuleThresholds,
} from '@vigil/core';
import type { Executor } from '@vigil/db';

/** What a project scores with: rules, weights, named thresholds and decision thresholds. */
export interface RuleSet {
  projectId: string;
  version: number;
  rules: readonly RuleDefinition[];
  weights: Readonly<Record<string, number>>;
  thresholds: RuleThresholds;
  reviewThreshold: number;
  blacklistThreshold: number | null;
}

/**
 * Rule sets by project, re-read when the project's rule_set_version moves (any change of weights,
 * thresholds, preset or rules bumps it), at most every `ttlMs` per project.
 */
export class RuleSets {
  private readonly cache = new Map<string, { set: RuleSet; checked: number }>();

  constructor(
    private readonly db: Executor,
    private readonly ttlMs = 1000,
  ) {}

  async get(projectId: string): Promise<RuleSet> {
    const hit = this.cache.get(projectId);
    const now = Date.now();
    if (hit && now - hit.checked < this.ttlMs) return hit.set;
    const { rows } = await this.db.query<{
      rule_set_version: number;
      rule_thresholds: Partial<RuleThresholds>;
      review_threshold: number;
      blacklist_threshold: number | null;
    }>(
      'SELECT rule_set_version, rule_thresholds, review_threshold, blacklist_threshold FROM projects WHERE id = $1',
      [projectId],
    );
    const p = rows[0];
    if (!p) throw new Error(`no project ${projectId}`);
    if (hit && hit.set.version === p.rule_set_version) {
      hit.checked = now;
      return hit.set;
    }
    const weights = await this.db.query<{ code: string; weight: number }>(
      'SELECT code, weight FROM project_rule_weights WHERE project_id = $1',
      [projectId],
    );
    const set: RuleSet = {
      projectId,
      version: p.rule_set_version,
      rules: CORE_RULES,
      weights: Object.fromEntries(weights.rows.map((w) => [w.code, w.weight])),
      thresholds: { ...DEFAULT_THRESHOLDS, ...p.rule_thresholds },
      reviewThreshold: p.review_threshold,
      blacklistThreshold: p.blacklist_threshold,
    };
    this.cache.set(projectId, { set, checked: now });
    return set;
  }

  invalidate(projectId: string): void {
    this.cache.delete(projectId);
  }
}

/** Replaces every weight of the project with the preset's (rules it does not name weigh 0). */
export async function applyProjectPreset(db: Executor, projectId: string, preset: string): Promise<void> {
  if (!isPresetName(preset)) throw new Error(`unknown preset: ${preset}`);
  const weights = applyPreset(preset);
  const codes = Object.keys(weights);
  await db.query('DELETE FROM project_rule_weights WHERE project_id = $1', [projectId]);
  await db.query(
    `INSERT INTO project_rule_weights (project_id, code, weight)
     SELECT $1, * FROM unnest($2::text[], $3::int[])`,
    [projectId, codes, codes.map((c) => weights[c])],
  );
  await db.query('UPDATE projects SET preset = $2, rule_set_version = rule_set_version + 1 WHERE id = $1', [
    projectId,
    preset,
  ]);
}
