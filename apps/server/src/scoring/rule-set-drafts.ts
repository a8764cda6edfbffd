// Rule-set drafts: edited without touching live scoring, then published as a new version.
// The model (live, direct edits, drafts, the three-way replay, the history) is described in
// packages/db/migrations/0005_custom_rules.sql.
import { customRuleDefinition, nextCustomCode, type RuleThresholds } from '@vigil/core';
import type { Database, Executor } from '@vigil/db';
import {
  byCustomCode,
  type CustomRuleEntry,
  type RuleSetDefinition,
  readLive,
  recordLiveVersion,
} from './rule-sets.ts';

export interface Draft {
  /** False when the project has no draft: `definition` is then a copy of live. */
  exists: boolean;
  /** The draft as it would be published: replayed on live when live moved since it was saved. */
  definition: RuleSetDefinition;
  live: RuleSetDefinition;
  liveVersion: number;
  /** The live version the stored draft was started from or last replayed on. */
  baseVersion: number;
  createdBy: string | null;
  createdAt: Date | null;
  updatedAt: Date | null;
}

export interface DraftChanges {
  /** Weights that differ from live, core and custom rules (present in both). */
  weights: { code: string; from: number; to: number }[];
  /** reviewThreshold, blacklistThreshold and named rule thresholds that differ from live. */
  thresholds: { name: string; from: unknown; to: unknown }[];
  /** Custom rules only in the draft, changed (name, description or source), only in live. */
  added: string[];
  changed: string[];
  deleted: string[];
}

const sameText = (a: CustomRuleEntry, b: CustomRuleEntry) =>
  a.name === b.name && a.description === b.description && a.source === b.source;

function sameRule(a: CustomRuleEntry | undefined, b: CustomRuleEntry | undefined): boolean {
  if (!a || !b) return a === b;
  return sameText(a, b) && a.weight === b.weight;
}

/** JSON comparison of threshold values (numbers, arrays of numbers), undefined = absent. */
const sameValue = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

function byCode(rules: readonly CustomRuleEntry[]): Map<string, CustomRuleEntry> {
  return new Map(rules.map((r) => [r.code, r]));
}

/**
 * Replays a draft started from `base` on a newer `live`: what the draft changed from its base
 * wins, everything else follows live. Per weight, per named threshold, per custom rule (added,
 * changed or deleted as a whole); the review and blacklist thresholds go together, since one
 * constrains the other.
 */
export function rebase(
  base: RuleSetDefinition,
  draft: RuleSetDefinition,
  live: RuleSetDefinition,
): RuleSetDefinition {
  const weights = { ...live.weights };
  for (const code of new Set([...Object.keys(base.weights), ...Object.keys(draft.weights)])) {
    const mine = draft.weights[code] ?? 0;
    if (mine !== (base.weights[code] ?? 0)) weights[code] = mine;
  }
  const thresholdsChanged =
    draft.reviewThreshold !== base.reviewThreshold || draft.blacklistThreshold !== base.blacklistThreshold;
  const named: Record<string, unknown> = { ...live.ruleThresholds };
  const baseNamed = base.ruleThresholds as Record<string, unknown>;
  const draftNamed = draft.ruleThresholds as Record<string, unknown>;
  for (const key of new Set([...Object.keys(baseNamed), ...Object.keys(draftNamed)])) {
    if (sameValue(draftNamed[key], baseNamed[key])) continue;
    if (draftNamed[key] === undefined) delete named[key];
    else named[key] = draftNamed[key];
  }
  const [b, d, l] = [byCode(base.customRules), byCode(draft.customRules), byCode(live.customRules)];
  const customRules: CustomRuleEntry[] = [];
  for (const code of new Set([...b.keys(), ...d.keys(), ...l.keys()])) {
    const pick = sameRule(d.get(code), b.get(code)) ? l.get(code) : d.get(code);
    if (pick) customRules.push(pick);
  }
  return {
    weights,
    reviewThreshold: thresholdsChanged ? draft.reviewThreshold : live.reviewThreshold,
    blacklistThreshold: thresholdsChanged ? draft.blacklistThreshold : live.blacklistThreshold,
    ruleThresholds: named as Partial<RuleThresholds>,
    customRules: customRules.sort(byCustomCode),
  };
}

/** What publishing `draft` would change in `live`. */
export function draftChanges(live: RuleSetDefinition, draft: RuleSetDefinition): DraftChanges {
  const changes: DraftChanges = { weights: [], thresholds: [], added: [], changed: [], deleted: [] };
  for (const code of new Set([...Object.keys(live.weights), ...Object.keys(draft.weights)])) {
    const from = live.weights[code] ?? 0;
    const to = draft.weights[code] ?? 0;
    if (from !== to) changes.weights.push({ code, from, to });
  }
  const [l, d] = [byCode(live.customRules), byCode(draft.customRules)];
  for (const [code, mine] of d) {
    const theirs = l.get(code);
    if (!theirs) changes.added.push(code);
    else {
      if (!sameText(mine, theirs)) changes.changed.push(code);
      if (mine.weight !== theirs.weight) changes.weights.push({ code, from: theirs.weight, to: mine.weight });
    }
  }
  for (const code of l.keys()) if (!d.has(code)) changes.deleted.push(code);
  for (const name of ['reviewThreshold', 'blacklistThreshold'] as const) {
    if (live[name] !== draft[name]) changes.thresholds.push({ name, from: live[name], to: draft[name] });
  }
  const liveNamed = live.ruleThresholds as Record<string, unknown>;
  const draftNamed = draft.ruleThresholds as Record<string, unknown>;
  for (const name of new Set([...Object.keys(liveNamed), ...Object.keys(draftNamed)])) {
    if (!sameValue(liveNamed[name], draftNamed[name])) {
      changes.thresholds.push({ name, from: liveNamed[name] ?? null, to: draftNamed[name] ?? null });
    }
  }
  changes.weights.sort((a, b) => a.code.localeCompare(b.code));
  for (const list of [changes.added, changes.changed, changes.deleted]) {
    list.sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)));
  }
  return changes;
}

/** A definition read back from jsonb, with every part present and custom rules in code order. */
function normalised(value: Partial<RuleSetDefinition> | null | undefined): RuleSetDefinition {
  const v = value ?? {};
  return {
    weights: { ...v.weights },
    reviewThreshold: v.reviewThreshold ?? 33,
    blacklistThreshold: v.blacklistThreshold ?? null,
    ruleThresholds: { ...v.ruleThresholds },
    customRules: [...(v.customRules ?? [])].sort(byCustomCode),
  };
}

/** The project's draft (replayed on live if live moved), or a copy of live when there is none. */
export async function readDraft(db: Executor, projectId: string): Promise<Draft> {
  const live = await readLive(db, projectId);
  if (!live) throw new Error(`no project ${projectId}`);
  const { rows } = await db.query<{
    definition: RuleSetDefinition;
    base: RuleSetDefinition | null;
    base_version: number | null;
    created_by: string;
    created_at: Date;
    updated_at: Date;
  }>(
    `SELECT definition, base, base_version, created_by, created_at, updated_at
       FROM rule_set_versions WHERE project_id = $1 AND status = 'draft'`,
    [projectId],
  );
  const row = rows[0];
  if (!row) {
    return {
      exists: false,
      definition: structuredClone(live.definition),
      live: live.definition,
      liveVersion: live.version,
      baseVersion: live.version,
      createdBy: null,
      createdAt: null,
      updatedAt: null,
    };
  }
  const stored = normalised(row.definition);
  const definition =
    row.base_version === live.version || !row.base
      ? stored
      : rebase(normalised(row.base), stored, live.definition);
  return {
    exists: true,
    definition,
    live: live.definition,
    liveVersion: live.version,
    baseVersion: row.base_version ?? live.version,
    createdBy: row.created_by,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/**
 * Serialises changes of one project's rule set (draft edits, publishing). FOR NO KEY UPDATE does
 * not conflict with the key-share locks that ingest's foreign keys take on the project row.
 */
async function lockProject(tx: Executor, projectId: string): Promise<void> {
  await tx.query('SELECT 1 FROM projects WHERE id = $1 FOR NO KEY UPDATE', [projectId]);
}

export interface DraftEditContext {
  /** The next free custom code: past every code live ever used and every code of the draft. */
  nextCode(): string;
}

/**
 * Edits the project's draft in one transaction, creating it from live on the first edit.
 * `edit` mutates the definition it is given; when it throws, nothing is saved and the error
 * propagates. The saved draft is rebased on the current live version.
 */
export async function editDraft<T>(
  db: Database,
  projectId: string,
  actor: string,
  edit: (definition: RuleSetDefinition, context: DraftEditContext) => T,
): Promise<{ draft: Draft; result: T }> {
  return db.transaction(async (tx) => {
    await lockProject(tx, projectId);
    const draft = await readDraft(tx, projectId);
    const { rows: used } = await tx.query<{ code: string }>(
      'SELECT code FROM custom_rules WHERE project_id = $1',
      [projectId],
    );
    const definition = draft.definition;
    const result = edit(definition, {
      nextCode: () =>
        nextCustomCode([...used.map((r) => r.code), ...definition.customRules.map((r) => r.code)]),
    });
    definition.customRules.sort(byCustomCode);
    const params = [projectId, JSON.stringify(definition), JSON.stringify(draft.live), draft.liveVersion];
    const { rows } = draft.exists
      ? await tx.query<{ created_by: string; created_at: Date; updated_at: Date }>(
          `UPDATE rule_set_versions SET definition = $2, base = $3, base_version = $4, updated_at = now()
            WHERE project_id = $1 AND status = 'draft'
           RETURNING created_by, created_at, updated_at`,
          params,
        )
      : await tx.query<{ created_by: string; created_at: Date; updated_at: Date }>(
          `INSERT INTO rule_set_versions (project_id, status, definition, base, base_version, created_by)
           VALUES ($1, 'draft', $2, $3, $4, $5)
           RETURNING created_by, created_at, updated_at`,
          [...params, actor],
        );
    const saved = rows[0]!;
    return {
      draft: {
        ...draft,
        exists: true,
        definition,
        baseVersion: draft.liveVersion,
        createdBy: saved.created_by,
        createdAt: saved.created_at,
        updatedAt: saved.updated_at,
      },
      result,
    };
  });
}

/** Drops the project's draft. Returns whether there was one. */
export async function discardDraft(db: Executor, projectId: string): Promise<boolean> {
  const { rowCount } = await db.query(
    `DELETE FROM rule_set_versions WHERE project_id = $1 AND status = 'draft'`,
    [projectId],
  );
  return (rowCount ?? 0) > 0;
}

/** Writes a definition into the live tables (the caller bumps the version). */
async function writeLive(tx: Executor, projectId: string, definition: RuleSetDefinition): Promise<void> {
  const codes = Object.keys(definition.weights);
  await tx.query('DELETE FROM project_rule_weights WHERE project_id = $1 AND NOT (code = ANY($2::text[]))', [
    projectId,
    codes,
  ]);
  await tx.query(
    `INSERT INTO project_rule_weights (project_id, code, weight)
     SELECT $1, * FROM unnest($2::text[], $3::int[])
     ON CONFLICT (project_id, code) DO UPDATE SET weight = excluded.weight`,
    [projectId, codes, codes.map((c) => definition.weights[c])],
  );
  await tx.query(
    'UPDATE projects SET review_threshold = $2, blacklist_threshold = $3, rule_thresholds = $4 WHERE id = $1',
    [
      projectId,
      definition.reviewThreshold,
      definition.blacklistThreshold,
      JSON.stringify(definition.ruleThresholds),
    ],
  );
  const rules = definition.customRules;
  await tx.query(
    `UPDATE custom_rules SET deleted_at = now(), updated_at = now()
      WHERE project_id = $1 AND deleted_at IS NULL AND NOT (code = ANY($2::text[]))`,
    [projectId, rules.map((r) => r.code)],
  );
  await tx.query(
    `INSERT INTO custom_rules AS c (project_id, code, name, description, source, weight)
     SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::int[])
     ON CONFLICT (project_id, code) DO UPDATE SET
       name = excluded.name, description = excluded.description, source = excluded.source,
       weight = excluded.weight, deleted_at = NULL,
       updated_at = CASE
         WHEN (c.name, c.description, c.source, c.weight) IS NOT DISTINCT FROM
              (excluded.name, excluded.description, excluded.source, excluded.weight)
          AND c.deleted_at IS NULL THEN c.updated_at
         ELSE now() END`,
    [
      projectId,
      rules.map((r) => r.code),
      rules.map((r) => r.name),
      rules.map((r) => r.description),
      rules.map((r) => r.source),
      rules.map((r) => r.weight),
    ],
  );
}

/**
 * Publishes the project's draft: in one transaction, records the version it replaces (if it was
 * never recorded), writes the draft into the live tables, bumps projects.rule_set_version and
 * turns the draft into that version's history row. Null when there is no draft. Throws
 * CustomRuleCompileFailure when a custom rule of the draft does not compile (nothing is written).
 * The caller invalidates cached rule sets and starts the rescore.
 */
export async function publishDraft(
  db: Database,
  projectId: string,
  actor: string,
): Promise<{ version: number; previousVersion: number; definition: RuleSetDefinition } | null> {
  return db.transaction(async (tx) => {
    await lockProject(tx, projectId);
    const draft = await readDraft(tx, projectId);
    if (!draft.exists) return null;
    for (const rule of draft.definition.customRules) customRuleDefinition(rule);
    await recordLiveVersion(tx, projectId, { createdBy: 'system', publishedNow: false });
    await writeLive(tx, projectId, draft.definition);
    const { rows } = await tx.query<{ rule_set_version: number }>(
      'UPDATE projects SET rule_set_version = rule_set_version + 1 WHERE id = $1 RETURNING rule_set_version',
      [projectId],
    );
    const version = rows[0]!.rule_set_version;
    await tx.query(
      `UPDATE rule_set_versions
          SET status = 'published', version = $2, definition = $3, base = $4, base_version = $5,
              published_by = $6, published_at = now(), updated_at = now()
        WHERE project_id = $1 AND status = 'draft'`,
      [
        projectId,
        version,
        JSON.stringify(draft.definition),
        JSON.stringify(draft.live),
        draft.liveVersion,
        actor,
      ],
    );
    return { version, previousVersion: draft.liveVersion, definition: draft.definition };
  });
}

export interface RuleSetVersion {
  /** Null for the draft. */
  version: number | null;
  status: 'draft' | 'published';
  /** True for the version that scores users now. */
  live: boolean;
  definition: RuleSetDefinition;
  /** For a draft (and a published former draft): the live version it was based on. */
  baseVersion: number | null;
  createdBy: string | null;
  createdAt: Date | null;
  updatedAt: Date | null;
  publishedBy: string | null;
  /** Null when unknown (a version recorded after the fact). */
  publishedAt: Date | null;
}

/**
 * The history, newest first: the draft if any, then the published versions. The live version is
 * listed even if it was never recorded (it then has no author or dates).
 */
export async function listVersions(
  db: Executor,
  projectId: string,
  limit: number,
): Promise<{ liveVersion: number; versions: RuleSetVersion[] }> {
  const live = await readLive(db, projectId);
  if (!live) throw new Error(`no project ${projectId}`);
  const { rows } = await db.query<{
    version: number | null;
    status: 'draft' | 'published';
    definition: RuleSetDefinition;
    base_version: number | null;
    created_by: string;
    created_at: Date;
    updated_at: Date;
    published_by: string | null;
    published_at: Date | null;
  }>(
    `SELECT version, status, definition, base_version, created_by, created_at, updated_at, published_by, published_at
       FROM rule_set_versions WHERE project_id = $1
      ORDER BY version DESC NULLS FIRST LIMIT $2`,
    [projectId, limit],
  );
  const versions: RuleSetVersion[] = rows.map((r) => ({
    version: r.version,
    status: r.status,
    live: r.version === live.version,
    definition: normalised(r.definition),
    baseVersion: r.base_version,
    createdBy: r.created_by,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    publishedBy: r.published_by,
    publishedAt: r.published_at,
  }));
  if (!versions.some((v) => v.version === live.version)) {
    const at = versions.findIndex((v) => v.version !== null && v.version < live.version);
    versions.splice(at === -1 ? versions.length : at, 0, {
      version: live.version,
      status: 'published',
      live: true,
      definition: live.definition,
      baseVersion: null,
      createdBy: null,
      createdAt: null,
      updatedAt: null,
      publishedBy: null,
      publishedAt: null,
    });
    if (versions.length > limit) versions.pop();
  }
  return { liveVersion: live.version, versions };
}
