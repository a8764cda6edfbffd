// What a project scores with, read from the live tables, and the live rule set's versions.
// The draft → published model is described in packages/db/migrations/0005_custom_rules.sql;
// drafts themselves live in rule-set-drafts.ts.
import {
  applyPreset,
  CORE_RULES,
  customRuleDefinition,
  DEFAULT_THRESHOLDS,
  isPresetName,
  type RuleDefinition,
  type RuleThresholds,
} from '@vigil/core';
import type { Executor } from '@vigil/db';

/** A custom rule as stored: the live table and the definitions of drafts and versions. */
export interface CustomRuleEntry {
  code: string;
  name: string;
  description: string;
  source: string;
  weight: number;
}

/** A full rule-set definition: what a draft holds and what each published version was. */
export interface RuleSetDefinition {
  /** Core rule code → weight (absent = 0). */
  weights: Record<string, number>;
  reviewThreshold: number;
  blacklistThreshold: number | null;
  /** Overrides of the core rules' named thresholds. */
  ruleThresholds: Partial<RuleThresholds>;
  /** Sorted by code. */
  customRules: CustomRuleEntry[];
}

/** What a project scores with: rules, weights, named thresholds and decision thresholds. */
export interface RuleSet {
  projectId: string;
  version: number;
  /** CORE_RULES, then the custom rules by code. */
  rules: readonly RuleDefinition[];
  /** Every rule's weight, custom rules' included. */
  weights: Readonly<Record<string, number>>;
  thresholds: RuleThresholds;
  reviewThreshold: number;
  blacklistThreshold: number | null;
}

export const byCustomCode = (a: { code: string }, b: { code: string }) =>
  Number(a.code.slice(1)) - Number(b.code.slice(1));

/**
 * The live definition and its version, read in one statement so that the two always agree.
 * Null for an unknown project.
 */
export async function readLive(
  db: Executor,
  projectId: string,
): Promise<{ version: number; definition: RuleSetDefinition } | null> {
  const { rows } = await db.query<{
    version: number;
    review_threshold: number;
    blacklist_threshold: number | null;
    rule_thresholds: Partial<RuleThresholds>;
    weights: Record<string, number>;
    custom_rules: CustomRuleEntry[];
  }>(
    `SELECT p.rule_set_version AS version, p.review_threshold, p.blacklist_threshold, p.rule_thresholds,
            COALESCE((SELECT jsonb_object_agg(w.code, w.weight) FROM project_rule_weights w
                       WHERE w.project_id = p.id), '{}'::jsonb) AS weights,
            COALESCE((SELECT jsonb_agg(jsonb_build_object('code', c.code, 'name', c.name,
                               'description', c.description, 'source', c.source, 'weight', c.weight))
                        FROM custom_rules c WHERE c.project_id = p.id AND c.deleted_at IS NULL), '[]'::jsonb)
              AS custom_rules
       FROM projects p WHERE p.id = $1`,
    [projectId],
  );
  const p = rows[0];
  if (!p) return null;
  return {
    version: p.version,
    definition: {
      weights: p.weights,
      reviewThreshold: p.review_threshold,
      blacklistThreshold: p.blacklist_threshold,
      ruleThresholds: p.rule_thresholds,
      customRules: [...p.custom_rules].sort(byCustomCode),
    },
  };
}

/**
 * A custom rule as a RuleDefinition. A source that no longer compiles (a stored rule after a
 * schema change, say) becomes a rule that fails at every evaluation: recorded as `error` for each
 * user, never sinking the score nor the worker.
 */
export function customRule(entry: CustomRuleEntry): RuleDefinition {
  try {
    return customRuleDefinition(entry);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return Object.freeze({
      code: entry.code,
      group: 'X' as const,
      name: entry.name,
      description: entry.description,
      requires: [],
      evaluate: () => {
        throw new Error(message);
      },
    });
  }
}

/** Compiles a definition into the rule set evaluateRules runs (custom rules after CORE_RULES). */
export function ruleSetFrom(projectId: string, version: number, definition: RuleSetDefinition): RuleSet {
  const custom = [...definition.customRules].sort(byCustomCode);
  const weights: Record<string, number> = { ...definition.weights };
  for (const rule of custom) weights[rule.code] = rule.weight;
  return {
    projectId,
    version,
    rules: [...CORE_RULES, ...custom.map(customRule)],
    weights,
    thresholds: { ...DEFAULT_THRESHOLDS, ...definition.ruleThresholds },
    reviewThreshold: definition.reviewThreshold,
    blacklistThreshold: definition.blacklistThreshold,
  };
}

/**
 * Live rule sets by project, re-read (and their custom rules compiled, once per version) when
 * the project's rule_set_version moves, checked at most every `ttlMs` per project.
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
    if (hit) {
      const { rows } = await this.db.query<{ rule_set_version: number }>(
        'SELECT rule_set_version FROM projects WHERE id = $1',
        [projectId],
      );
      if (rows[0]?.rule_set_version === hit.set.version) {
        hit.checked = now;
        return hit.set;
      }
    }
    const live = await readLive(this.db, projectId);
    if (!live) throw new Error(`no project ${projectId}`);
    const set = ruleSetFrom(projectId, live.version, live.definition);
    this.cache.set(projectId, { set, checked: now });
    return set;
  }

  invalidate(projectId: string): void {
    this.cache.delete(projectId);
  }
}

/**
 * Records the live definition as the 'published' row of its version, unless one exists. Called
 * right after a change that bumped the version (`publishedNow`: published_at = now), and right
 * before one, so that the version being replaced is in the history even if nobody recorded it
 * (its published_at is then unknown).
 */
export async function recordLiveVersion(
  db: Executor,
  projectId: string,
  options: { createdBy: string; publishedNow: boolean },
): Promise<void> {
  const live = await readLive(db, projectId);
  if (!live) return;
  await db.query(
    `INSERT INTO rule_set_versions (project_id, version, status, definition, created_by, published_by, published_at)
     VALUES ($1, $2, 'published', $3, $4, $4, CASE WHEN $5::boolean THEN now() END)
     ON CONFLICT (project_id, version) DO NOTHING`,
    [projectId, live.version, JSON.stringify(live.definition), options.createdBy, options.publishedNow],
  );
}

/**
 * A direct edit of live ("edit and publish at once"): `change` writes the live tables and bumps
 * projects.rule_set_version; the replaced and the new version are both recorded in the history.
 */
export async function changeLive<T>(
  db: Executor,
  projectId: string,
  actor: string,
  change: () => Promise<T>,
): Promise<T> {
  await recordLiveVersion(db, projectId, { createdBy: 'system', publishedNow: false });
  const result = await change();
  await recordLiveVersion(db, projectId, { createdBy: actor, publishedNow: true });
  return result;
}

/**
 * Replaces every core rule weight of the project with the preset's (core rules it does not name
 * weigh 0). Custom rules keep their weights: presets are about the catalogue.
 */
export async function applyProjectPreset(
  db: Executor,
  projectId: string,
  preset: string,
  actor = 'system',
): Promise<void> {
  if (!isPresetName(preset)) throw new Error(`unknown preset: ${preset}`);
  const weights = applyPreset(preset);
  const codes = Object.keys(weights);
  await changeLive(db, projectId, actor, async () => {
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
  });
}
