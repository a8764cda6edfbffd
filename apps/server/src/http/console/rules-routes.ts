import {
  CEL_SCHEMA,
  CORE_RULES,
  CUSTOM_CODE_PATTERN,
  type CustomRuleCompileError,
  CustomRuleCompileFailure,
  compileCustomRule,
  customRuleDefinition,
  isPresetName,
  PRESETS,
  type RuleDefinition,
  ruleByCode,
  type testCustomRule,
  type UserFeatures,
  WEIGHTS,
} from '@vigil/core';
import type { Database, Executor } from '@vigil/db';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { appendAudit } from '../../audit/chain.ts';
import type { Operator } from '../../operators/operators.ts';
import {
  type Draft,
  discardDraft,
  draftChanges,
  editDraft,
  listVersions,
  publishDraft,
  readDraft,
} from '../../scoring/rule-set-drafts.ts';
import {
  applyProjectPreset,
  type CustomRuleEntry,
  changeLive,
  type RuleSetDefinition,
  type RuleSets,
  readLive,
  ruleSetFrom,
} from '../../scoring/rule-sets.ts';
import { testRule, whatIf } from '../../scoring/rule-trials.ts';
import { sendError } from '../errors.ts';
import { startRescore } from '../sensor/project-rules.ts';
import { PROJECT_PREFIX } from './guard.ts';
import { type RuleStats, RuleStatsCache } from './rule-stats.ts';

export interface RulesRoutesOptions {
  db: Database;
  ruleSets: RuleSets;
}

const RULES = `${PROJECT_PREFIX}/rules`;
const TAGS = ['rules'];

/** The weights the console offers (tirreno's five levels); the select shows nothing else. */
export const CONSOLE_WEIGHTS: readonly number[] = Object.values(WEIGHTS).sort((a, b) => a - b);

/** Users a rule test runs over unless asked otherwise, and at most. */
const TEST_USERS = { default: 1000, max: 20_000 };
/**
 * Users a what-if compares unless asked otherwise, and at most: the most recently seen ones. Each
 * user costs about a millisecond (features read and every rule run), so the default is a sample
 * that answers in about a second; the answer says how many were compared out of how many.
 */
const WHAT_IF_USERS = { default: 1000, max: 50_000 };

const GROUPS = ['A', 'B', 'C', 'D', 'E', 'I', 'P', 'R'] as const;

const codeParams = {
  type: 'object',
  required: ['projectId', 'code'],
  properties: {
    projectId: { type: 'string', maxLength: 64 },
    code: { type: 'string', maxLength: 8 },
  },
} as const;

const customRuleBody = {
  type: 'object',
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 200 },
    description: { type: 'string', maxLength: 2000 },
    source: { type: 'string', maxLength: 20_000 },
    weight: { type: 'integer', enum: [...CONSOLE_WEIGHTS] },
  },
} as const;

interface CustomRuleBody {
  name?: string;
  description?: string;
  source?: string;
  weight?: number;
}

/** A refusal raised inside a change (its transaction rolls back) and answered as a 4xx. */
class Refusal extends Error {
  constructor(
    readonly status: number,
    readonly code: 'invalid_rule' | 'invalid_parameter' | 'not_found' | 'no_draft',
    message: string,
    readonly field?: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

const positions = (errors: readonly CustomRuleCompileError[]) =>
  errors.map((e) => ({ message: e.message, line: e.line, column: e.column, start: e.start, end: e.end }));

function compileRefusal(errors: readonly CustomRuleCompileError[], code?: string): Refusal {
  const first = errors[0];
  const where = first ? `: line ${first.line}, column ${first.column}: ${first.message}` : '';
  return new Refusal(
    400,
    'invalid_rule',
    `${code ? `Custom rule ${code}` : 'The rule'} does not compile${where}`,
    'source',
    {
      errors: positions(errors),
    },
  );
}

/** A CEL source that compiles, or a refusal naming every error's line and column. */
function compiled(source: string) {
  const result = compileCustomRule(source);
  if (!result.ok) throw compileRefusal(result.errors);
  return result.rule;
}

/** Runs a handler, answering refusals and compile failures as errors. */
async function answer<T>(reply: FastifyReply, run: () => Promise<T>): Promise<T | FastifyReply> {
  try {
    return await run();
  } catch (err) {
    const refusal =
      err instanceof CustomRuleCompileFailure
        ? compileRefusal(err.errors, /custom rule (X\d+)/.exec(err.message)?.[1])
        : err;
    if (refusal instanceof Refusal) {
      return sendError(reply, refusal.status, refusal.code, refusal.message, refusal.field, refusal.details);
    }
    throw err;
  }
}

/**
 * The draft use-cases open their own transaction on a Database; this one runs them inside the
 * caller's, so the audit entry commits or rolls back with the change it records.
 */
function inTransaction(db: Database, tx: Executor): Database {
  return {
    engine: db.engine,
    location: db.location,
    query: (text, values) => tx.query(text, values),
    transaction: (fn) => fn(tx),
    close: () => Promise.reject(new Error('a transaction is closed by its owner')),
  };
}

/** What a direct change returns: the new live version and the background rescore it started. */
async function versionAndRescore(tx: Executor, projectId: string) {
  const live = await readLive(tx, projectId);
  return { version: live?.version ?? 0, rescore: await startRescore(tx, projectId) };
}

interface DiffSummary {
  weights: { code: string; from: number; to: number }[];
  thresholds: { name: string; from: unknown; to: unknown }[];
  added: string[];
  changed: string[];
  deleted: string[];
}

function customRuleView(rule: CustomRuleEntry) {
  const result = compileCustomRule(rule.source);
  return {
    ...rule,
    requires: result.ok ? result.rule.requires : [],
    errors: result.ok ? [] : positions(result.errors),
  };
}

function draftView(draft: Draft) {
  return {
    exists: draft.exists,
    liveVersion: draft.liveVersion,
    baseVersion: draft.baseVersion,
    createdBy: draft.createdBy,
    updatedAt: draft.updatedAt,
    reviewThreshold: draft.definition.reviewThreshold,
    blacklistThreshold: draft.definition.blacklistThreshold,
    customRules: draft.definition.customRules.map(customRuleView),
    changes: draftChanges(draft.live, draft.definition) as DiffSummary,
  };
}

/**
 * The rules page: the live rules with their weights, how often each fired and how precise it was
 * by review outcome; presets and thresholds (changed live at once, a new version, rescored in
 * the background); the per-rule test; custom rules in CEL edited in a draft that is tested,
 * compared ("what-if") and published as a version. Every change is audited in its transaction.
 */
export function registerRulesRoutes(app: FastifyInstance, { db, ruleSets }: RulesRoutesOptions): void {
  const stats = new RuleStatsCache(db);

  /** Runs a change of the project's rules in one transaction with its audit entry. */
  async function change<T>(
    projectId: string,
    operator: Operator,
    audit: { action: string; target?: string; details?: (result: T) => Record<string, unknown> },
    work: (tx: Executor) => Promise<T>,
  ): Promise<T> {
    const result = await db.transaction(async (tx: Executor) => {
      const done = await work(tx);
      await appendAudit(tx, {
        projectId,
        actor: operator.email,
        action: audit.action,
        ...(audit.target ? { target: audit.target } : {}),
        ...(audit.details ? { details: audit.details(done) } : {}),
      });
      return done;
    });
    ruleSets.invalidate(projectId);
    return result;
  }

  app.get<{ Querystring: { from?: string; to?: string } }>(RULES, {
    config: { access: 'viewer' },
    schema: {
      summary:
        'Every rule with its weight, how often it fired among the users seen in the period, and its precision by review outcome',
      tags: TAGS,
      querystring: {
        type: 'object',
        properties: {
          from: { type: 'string', format: 'date-time' },
          to: { type: 'string', format: 'date-time' },
        },
      },
    },
    handler: async (request) => {
      const projectId = request.consoleProject!.id;
      const set = await ruleSets.get(projectId);
      const to = request.query.to ? new Date(request.query.to) : new Date();
      const from = request.query.from ? new Date(request.query.from) : null;
      const [period, project, rescore, draft] = await Promise.all([
        stats.get(projectId, set.version, from, to),
        db.query<{ preset: string }>('SELECT preset FROM projects WHERE id = $1', [projectId]),
        rescoreProgress(db, projectId),
        db.query<{ updated_at: Date }>(
          `SELECT updated_at FROM rule_set_versions WHERE project_id = $1 AND status = 'draft'`,
          [projectId],
        ),
      ]);
      const none: RuleStats = { matched: 0, confirmed: 0, approved: 0, autoBlacklisted: 0 };
      return {
        version: set.version,
        preset: project.rows[0]?.preset ?? null,
        reviewThreshold: set.reviewThreshold,
        blacklistThreshold: set.blacklistThreshold,
        weights: CONSOLE_WEIGHTS,
        groups: GROUPS,
        scored: period.scored,
        draft: draft.rows[0] ? { updatedAt: draft.rows[0].updated_at } : null,
        rescore,
        presets: Object.values(PRESETS).map((p) => ({
          name: p.name,
          title: p.title,
          description: p.description,
          weights: p.weights,
        })),
        rules: set.rules.map((rule) => {
          const s = period.rules.get(rule.code) ?? none;
          const decided = s.confirmed + s.approved;
          return {
            code: rule.code,
            group: rule.group,
            name: rule.name,
            description: rule.description,
            weight: set.weights[rule.code] ?? 0,
            ...s,
            precision: decided === 0 ? null : s.confirmed / decided,
          };
        }),
      };
    },
  });

  app.put<{ Params: { code: string }; Body: { weight: number } }>(`${RULES}/:code/weight`, {
    config: { access: 'admin' },
    schema: {
      summary: "Change one rule's weight in the live rule set (a new version; every user is rescored)",
      tags: TAGS,
      params: codeParams,
      body: {
        type: 'object',
        required: ['weight'],
        properties: { weight: { type: 'integer', enum: [...CONSOLE_WEIGHTS] } },
      },
    },
    handler: async (request, reply) => {
      const projectId = request.consoleProject!.id;
      const { code } = request.params;
      const { weight } = request.body;
      const custom =
        CUSTOM_CODE_PATTERN.test(code) &&
        (
          await db.query(
            'SELECT 1 FROM custom_rules WHERE project_id = $1 AND code = $2 AND deleted_at IS NULL',
            [projectId, code],
          )
        ).rows.length > 0;
      if (!custom && !ruleByCode(code)) return sendError(reply, 404, 'not_found', 'No such rule', 'code');
      const before = (await ruleSets.get(projectId)).weights[code] ?? 0;
      const done = await change(
        projectId,
        request.operator!,
        {
          action: 'rules.weight',
          target: `rule:${code}`,
          details: (r) => ({ from: before, to: weight, version: r.version }),
        },
        async (tx: Executor) => {
          await changeLive(tx, projectId, request.operator!.email, async () => {
            await tx.query(
              custom
                ? 'UPDATE custom_rules SET weight = $3, updated_at = now() WHERE project_id = $1 AND code = $2'
                : `INSERT INTO project_rule_weights (project_id, code, weight) VALUES ($1, $2, $3)
                   ON CONFLICT (project_id, code) DO UPDATE SET weight = excluded.weight`,
              [projectId, code, weight],
            );
            await tx.query('UPDATE projects SET rule_set_version = rule_set_version + 1 WHERE id = $1', [
              projectId,
            ]);
          });
          return versionAndRescore(tx, projectId);
        },
      );
      return { code, weight, ...done };
    },
  });

  app.put<{ Body: { preset: string } }>(`${RULES}/preset`, {
    config: { access: 'admin' },
    schema: {
      summary:
        'Replace every core rule weight with a preset (custom rules keep theirs); every user is rescored',
      tags: TAGS,
      body: {
        type: 'object',
        required: ['preset'],
        properties: { preset: { type: 'string', enum: Object.keys(PRESETS) } },
      },
    },
    handler: async (request, reply) => {
      const projectId = request.consoleProject!.id;
      const { preset } = request.body;
      if (!isPresetName(preset))
        return sendError(reply, 400, 'invalid_parameter', 'Unknown preset', 'preset');
      const before = (await ruleSets.get(projectId)).weights;
      const changes = CORE_RULES.map((r) => ({
        code: r.code,
        from: before[r.code] ?? 0,
        to: PRESETS[preset].weights[r.code] ?? 0,
      })).filter((c) => c.from !== c.to);
      const done = await change(
        projectId,
        request.operator!,
        {
          action: 'rules.preset',
          target: `preset:${preset}`,
          details: (r) => ({ changes, version: r.version }),
        },
        async (tx: Executor) => {
          await applyProjectPreset(tx, projectId, preset, request.operator!.email);
          return versionAndRescore(tx, projectId);
        },
      );
      return { preset, changes, ...done };
    },
  });

  app.put<{ Body: { reviewThreshold: number; blacklistThreshold: number | null } }>(`${RULES}/thresholds`, {
    config: { access: 'admin' },
    schema: {
      summary:
        'Set the review threshold and the auto-blacklist threshold (null = off; below the review threshold); every user is rescored',
      tags: TAGS,
      body: {
        type: 'object',
        required: ['reviewThreshold', 'blacklistThreshold'],
        properties: {
          reviewThreshold: { type: 'integer', minimum: 0, maximum: 99 },
          blacklistThreshold: { type: ['integer', 'null'], minimum: 0, maximum: 98 },
        },
      },
    },
    handler: async (request, reply) => {
      const projectId = request.consoleProject!.id;
      const { reviewThreshold: review, blacklistThreshold: blacklist } = request.body;
      if (blacklist !== null && blacklist >= review) {
        return sendError(
          reply,
          400,
          'invalid_parameter',
          'The auto-blacklist threshold must be below the review threshold (or off)',
          'blacklistThreshold',
        );
      }
      const set = await ruleSets.get(projectId);
      const from = { reviewThreshold: set.reviewThreshold, blacklistThreshold: set.blacklistThreshold };
      const done = await change(
        projectId,
        request.operator!,
        {
          action: 'rules.thresholds',
          details: (r) => ({
            from,
            to: { reviewThreshold: review, blacklistThreshold: blacklist },
            version: r.version,
          }),
        },
        async (tx: Executor) => {
          await changeLive(tx, projectId, request.operator!.email, () =>
            tx.query(
              `UPDATE projects SET review_threshold = $2, blacklist_threshold = $3, rule_set_version = rule_set_version + 1
                WHERE id = $1`,
              [projectId, review, blacklist],
            ),
          );
          return versionAndRescore(tx, projectId);
        },
      );
      return { reviewThreshold: review, blacklistThreshold: blacklist, ...done };
    },
  });

  app.get(`${RULES}/rescore`, {
    config: { access: 'viewer' },
    schema: { summary: 'Progress of the background rescoring started by the last rule change', tags: TAGS },
    handler: async (request) => rescoreProgress(db, request.consoleProject!.id),
  });

  app.get<{ Params: { code: string }; Querystring: { users: number } }>(`${RULES}/:code/test`, {
    config: { access: 'viewer' },
    schema: {
      summary:
        'Run one rule (core, or custom: the draft version first) over the last N users seen; nothing is written',
      tags: TAGS,
      params: codeParams,
      querystring: {
        type: 'object',
        properties: {
          users: { type: 'integer', minimum: 1, maximum: TEST_USERS.max, default: TEST_USERS.default },
        },
      },
    },
    handler: (request, reply) =>
      answer(reply, async () => {
        const projectId = request.consoleProject!.id;
        const code = request.params.code.toUpperCase();
        const { rule, about } = await testable(projectId, code);
        const users = request.query.users;
        return { rule: about, users, ...(await testRule(db, projectId, rule, users)) };
      }),
  });

  /** A rule as testRule runs it: a core rule with the project's thresholds, or a custom rule. */
  async function testable(projectId: string, code: string) {
    const core = ruleByCode(code);
    if (core) {
      const { thresholds } = await ruleSets.get(projectId);
      const rule: Parameters<typeof testCustomRule>[0] = {
        evaluate: (features: UserFeatures) => core.evaluate(features, thresholds),
      };
      return { rule, about: { code, name: core.name } };
    }
    if (CUSTOM_CODE_PATTERN.test(code)) {
      const draft = await readDraft(db, projectId);
      const entry =
        draft.definition.customRules.find((r) => r.code === code) ??
        draft.live.customRules.find((r) => r.code === code);
      if (entry) {
        return {
          rule: customRuleDefinition(entry) as RuleDefinition & Parameters<typeof testCustomRule>[0],
          about: { code, name: entry.name, source: entry.source },
        };
      }
    }
    throw new Refusal(404, 'not_found', `No rule ${code}`, 'code');
  }

  app.get(`${RULES}/custom/schema`, {
    config: { access: 'viewer' },
    schema: { summary: 'What a CEL custom rule may read: variables and their fields', tags: TAGS },
    handler: async () => CEL_SCHEMA,
  });

  app.post<{ Body: { source: string } }>(`${RULES}/custom/validate`, {
    config: { access: 'analyst' },
    schema: {
      summary: 'Compile a CEL expression against the feature schema: ok, or its errors with line and column',
      tags: TAGS,
      body: {
        type: 'object',
        required: ['source'],
        properties: { source: { type: 'string', maxLength: 20_000 } },
      },
    },
    handler: async (request) => {
      // A check that finds errors succeeded: the answer lists them (saving such a rule is a 400).
      const result = compileCustomRule(request.body.source);
      return result.ok
        ? { ok: true, requires: result.rule.requires, variables: result.rule.variables, errors: [] }
        : { ok: false, errors: positions(result.errors) };
    },
  });

  app.post<{ Body: { source: string; users: number } }>(`${RULES}/custom/test`, {
    config: { access: 'analyst' },
    schema: {
      summary: 'Run an unsaved CEL expression over the last N users seen; nothing is written',
      tags: TAGS,
      body: {
        type: 'object',
        required: ['source'],
        properties: {
          source: { type: 'string', maxLength: 20_000 },
          users: { type: 'integer', minimum: 1, maximum: TEST_USERS.max, default: TEST_USERS.default },
        },
      },
    },
    handler: (request, reply) =>
      answer(reply, async () => {
        const rule = compiled(request.body.source);
        const { users } = request.body;
        return {
          rule: { source: rule.source },
          users,
          ...(await testRule(db, request.consoleProject!.id, rule, users)),
        };
      }),
  });

  app.get(`${RULES}/draft`, {
    config: { access: 'viewer' },
    schema: {
      summary: 'The draft rule set (a copy of live when there is none): its custom rules and what it changes',
      tags: TAGS,
    },
    handler: async (request) => draftView(await readDraft(db, request.consoleProject!.id)),
  });

  app.delete(`${RULES}/draft`, {
    config: { access: 'admin' },
    schema: { summary: 'Discard the draft', tags: TAGS },
    handler: async (request) => {
      const projectId = request.consoleProject!.id;
      const discarded = await change(
        projectId,
        request.operator!,
        { action: 'rules.draft.discard' },
        (tx: Executor) => discardDraft(tx, projectId),
      );
      return { discarded };
    },
  });

  app.post<{ Body: CustomRuleBody }>(`${RULES}/draft/custom`, {
    config: { access: 'admin' },
    schema: {
      summary: 'Add a custom rule (CEL) to the draft; it scores nobody until the draft is published',
      tags: TAGS,
      body: { ...customRuleBody, required: ['name', 'source', 'weight'] },
    },
    handler: (request, reply) =>
      answer(reply, async () => {
        const projectId = request.consoleProject!.id;
        const body = request.body;
        const name = (body.name ?? '').trim();
        if (!name) throw new Refusal(400, 'invalid_parameter', 'name must not be blank', 'name');
        const rule = compiled(body.source ?? '');
        const created = await change(
          projectId,
          request.operator!,
          {
            action: 'rules.draft.custom.create',
            details: (r) => ({ code: r.code, name, source: rule.source }),
          },
          async (tx: Executor) => {
            const { result } = await editDraft(
              inTransaction(db, tx),
              projectId,
              request.operator!.email,
              (definition, context) => {
                const entry: CustomRuleEntry = {
                  code: context.nextCode(),
                  name,
                  description: (body.description ?? '').trim(),
                  source: rule.source,
                  weight: body.weight ?? 0,
                };
                definition.customRules.push(entry);
                return entry;
              },
            );
            return result;
          },
        );
        reply.code(201);
        return customRuleView(created);
      }),
  });

  app.put<{ Params: { code: string }; Body: CustomRuleBody }>(`${RULES}/draft/custom/:code`, {
    config: { access: 'admin' },
    schema: {
      summary: 'Change a custom rule of the draft (name, description, CEL source, weight)',
      tags: TAGS,
      params: codeParams,
      body: customRuleBody,
    },
    handler: (request, reply) =>
      answer(reply, async () => {
        const projectId = request.consoleProject!.id;
        const { code } = request.params;
        const body = request.body;
        const patch: Partial<CustomRuleEntry> = {};
        if (body.name !== undefined) {
          patch.name = body.name.trim();
          if (!patch.name) throw new Refusal(400, 'invalid_parameter', 'name must not be blank', 'name');
        }
        if (body.description !== undefined) patch.description = body.description.trim();
        if (body.source !== undefined) patch.source = compiled(body.source).source;
        if (body.weight !== undefined) patch.weight = body.weight;
        const updated = await change(
          projectId,
          request.operator!,
          { action: 'rules.draft.custom.update', target: `rule:${code}`, details: () => ({ ...patch }) },
          async (tx: Executor) => {
            const { result } = await editDraft(
              inTransaction(db, tx),
              projectId,
              request.operator!.email,
              (definition) => {
                const rule = definition.customRules.find((r) => r.code === code);
                if (!rule) throw new Refusal(404, 'not_found', `No custom rule ${code} in the draft`, 'code');
                Object.assign(rule, patch);
                return { ...rule };
              },
            );
            return result;
          },
        );
        return customRuleView(updated);
      }),
  });

  app.delete<{ Params: { code: string } }>(`${RULES}/draft/custom/:code`, {
    config: { access: 'admin' },
    schema: { summary: 'Remove a custom rule from the draft', tags: TAGS, params: codeParams },
    handler: (request, reply) =>
      answer(reply, async () => {
        const projectId = request.consoleProject!.id;
        const { code } = request.params;
        await change(
          projectId,
          request.operator!,
          { action: 'rules.draft.custom.delete', target: `rule:${code}` },
          (tx: Executor) =>
            editDraft(inTransaction(db, tx), projectId, request.operator!.email, (definition) => {
              const at = definition.customRules.findIndex((r) => r.code === code);
              if (at === -1)
                throw new Refusal(404, 'not_found', `No custom rule ${code} in the draft`, 'code');
              definition.customRules.splice(at, 1);
            }),
        );
        return { code, deleted: true };
      }),
  });

  app.get<{ Querystring: { users: number } }>(`${RULES}/draft/what-if`, {
    config: { access: 'viewer' },
    schema: {
      summary:
        'What publishing the draft would do to the last N users seen (a sample when the project has more): scores up or down, review queue, blacklist',
      tags: TAGS,
      querystring: {
        type: 'object',
        properties: {
          users: { type: 'integer', minimum: 1, maximum: WHAT_IF_USERS.max, default: WHAT_IF_USERS.default },
        },
      },
    },
    handler: async (request) => {
      const projectId = request.consoleProject!.id;
      const draft = await readDraft(db, projectId);
      const set = ruleSetFrom(projectId, draft.liveVersion, draft.definition);
      const { users } = request.query;
      const report = await whatIf(db, projectId, set, users);
      const { rows } = await db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM users WHERE project_id = $1',
        [projectId],
      );
      const projectUsers = rows[0]!.n;
      return {
        draft: draft.exists,
        liveVersion: draft.liveVersion,
        users,
        projectUsers,
        sample: report.checked < projectUsers,
        reviewThreshold: set.reviewThreshold,
        blacklistThreshold: set.blacklistThreshold,
        ...report,
      };
    },
  });

  app.post(`${RULES}/draft/publish`, {
    config: { access: 'admin' },
    schema: { summary: 'Publish the draft as the next live version; every user is rescored', tags: TAGS },
    handler: (request, reply) =>
      answer(reply, async () => {
        const projectId = request.consoleProject!.id;
        const done = await change(
          projectId,
          request.operator!,
          {
            action: 'rules.publish',
            details: (r) => ({ version: r.version, previousVersion: r.previousVersion, changes: r.changes }),
          },
          async (tx: Executor) => {
            const before = await readDraft(tx, projectId);
            const published = await publishDraft(inTransaction(db, tx), projectId, request.operator!.email);
            if (!published) throw new Refusal(409, 'no_draft', 'There is no draft to publish');
            return {
              version: published.version,
              previousVersion: published.previousVersion,
              changes: draftChanges(before.live, published.definition) as DiffSummary,
              rescore: await startRescore(tx, projectId),
            };
          },
        );
        return done;
      }),
  });

  app.get<{ Querystring: { limit: number } }>(`${RULES}/versions`, {
    config: { access: 'viewer' },
    schema: {
      summary:
        'Rule-set versions, newest first (the draft first), each with what it changed from the one before',
      tags: TAGS,
      querystring: {
        type: 'object',
        properties: { limit: { type: 'integer', minimum: 1, maximum: 200, default: 30 } },
      },
    },
    handler: async (request) => {
      const projectId = request.consoleProject!.id;
      // One more than shown, so the oldest shown version has something to be compared with.
      const { liveVersion, versions } = await listVersions(db, projectId, request.query.limit + 1);
      const live = versions.find((v) => v.live)?.definition;
      const previous = (i: number): RuleSetDefinition | undefined =>
        versions[i]?.status === 'draft' ? live : versions[i + 1]?.definition;
      return {
        liveVersion,
        versions: versions.slice(0, request.query.limit).map((v, i) => {
          const before = previous(i);
          return {
            version: v.version,
            status: v.status,
            live: v.live,
            createdBy: v.createdBy,
            createdAt: v.createdAt,
            publishedBy: v.publishedBy,
            publishedAt: v.publishedAt,
            changes: before ? (draftChanges(before, v.definition) as DiffSummary) : null,
          };
        }),
      };
    },
  });
}

/** The last background rescore of the project: how many of its users are still waiting. */
async function rescoreProgress(db: Executor, projectId: string) {
  const { rows } = await db.query<{ total: number; started_at: Date; remaining: number }>(
    `SELECT j.total, j.started_at,
            (SELECT count(*)::int FROM scoring_queue q WHERE q.project_id = j.project_id) AS remaining
       FROM rescore_jobs j WHERE j.project_id = $1 ORDER BY j.id DESC LIMIT 1`,
    [projectId],
  );
  const job = rows[0];
  if (!job) return { running: false, total: 0, done: 0, remaining: 0, startedAt: null };
  const remaining = Math.min(job.remaining, job.total);
  return {
    running: remaining > 0,
    total: job.total,
    done: job.total - remaining,
    remaining,
    startedAt: job.started_at,
  };
}
