import {
  CORE_RULES,
  CUSTOM_CODE_PATTERN,
  type CustomRuleCompileError,
  CustomRuleCompileFailure,
  compileCustomRule,
  customRuleDefinition,
  ruleByCode,
  type testCustomRule,
  type UserFeatures,
} from '@vigil/core';
import type { Database } from '@vigil/db';
import type { FastifyInstance, FastifyReply } from 'fastify';
import {
  type Draft,
  discardDraft,
  draftChanges,
  editDraft,
  listVersions,
  publishDraft,
  readDraft,
} from '../../scoring/rule-set-drafts.ts';
import { type CustomRuleEntry, type RuleSets, ruleSetFrom } from '../../scoring/rule-sets.ts';
import { testRule, whatIf } from '../../scoring/rule-trials.ts';
import { type ErrorCode, sendError } from '../errors.ts';
import { fieldsOf } from './body.ts';
import { startRescore } from './project-rules.ts';

/** Users a test runs over when the request does not say. */
export const DEFAULT_TEST_USERS = 1000;
/** Users a what-if runs over when the request does not say: all of them, up to this many. */
export const DEFAULT_WHAT_IF_USERS = 50_000;

/** A refusal raised inside a draft edit (the transaction rolls back) or a handler. */
class Refusal extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly field?: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

function compileRefusal(errors: readonly CustomRuleCompileError[], field = 'source', code?: string): Refusal {
  const first = errors[0];
  const where = first ? `: line ${first.line}, column ${first.column}: ${first.message}` : '';
  const subject = code ? `Custom rule ${code}` : 'The rule';
  return new Refusal(400, 'invalid_rule', `${subject} does not compile${where}`, field, {
    errors: errors.map((e) => ({ message: e.message, line: e.line, column: e.column })),
  });
}

/** Runs a handler, turning refusals and compile failures into error answers. */
async function answer<T>(reply: FastifyReply, run: () => Promise<T>): Promise<T | FastifyReply> {
  try {
    return await run();
  } catch (err) {
    const refusal =
      err instanceof CustomRuleCompileFailure
        ? compileRefusal(err.errors, 'source', err.message.match(/custom rule (X\d+)/)?.[1])
        : err;
    if (refusal instanceof Refusal) {
      return sendError(reply, refusal.status, refusal.code, refusal.message, refusal.field, refusal.details);
    }
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------
// Parameters

function weightOf(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < -100 || value > 100) {
    throw new Refusal(400, 'invalid_parameter', `${field} must be a whole number from -100 to 100`, field);
  }
  return value;
}

function nameOf(value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '' || value.trim().length > 200) {
    throw new Refusal(400, 'invalid_parameter', 'name must be a text of 1 to 200 characters', 'name');
  }
  return value.trim();
}

function descriptionOf(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string' || value.length > 2000) {
    throw new Refusal(
      400,
      'invalid_parameter',
      'description must be a text of at most 2000 characters',
      'description',
    );
  }
  return value.trim();
}

/** A source that compiles, or a refusal with every error's position. */
function sourceOf(value: unknown) {
  if (typeof value !== 'string') throw new Refusal(400, 'missing_field', 'source is required', 'source');
  const compiled = compileCustomRule(value);
  if (!compiled.ok) throw compileRefusal(compiled.errors);
  return compiled.rule;
}

function usersOf(value: unknown, fallback: number): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new Refusal(400, 'invalid_parameter', 'users must be a whole number of at least 1', 'users');
  }
  return value;
}

function actorOf(value: unknown): string {
  return typeof value === 'string' && value.trim() ? value.trim().slice(0, 200) : 'api-key';
}

function thresholdsOf(body: Record<string, unknown>): { review: number; blacklist: number | null } {
  const { reviewThreshold: review, blacklistThreshold: blacklist = null } = body;
  if (typeof review !== 'number' || !Number.isInteger(review) || review < 0 || review > 99) {
    throw new Refusal(
      400,
      'invalid_parameter',
      'reviewThreshold must be a whole number from 0 to 99',
      'reviewThreshold',
    );
  }
  if (
    blacklist !== null &&
    (typeof blacklist !== 'number' || !Number.isInteger(blacklist) || blacklist < 0 || blacklist >= review)
  ) {
    throw new Refusal(
      400,
      'invalid_parameter',
      'blacklistThreshold must be null (off) or a whole number from 0 to below reviewThreshold',
      'blacklistThreshold',
    );
  }
  return { review, blacklist };
}

// ---------------------------------------------------------------------------------------------
// Views

function customRuleView(rule: CustomRuleEntry) {
  const compiled = compileCustomRule(rule.source);
  return {
    ...rule,
    ...(compiled.ok
      ? { requires: compiled.rule.requires }
      : {
          requires: [],
          errors: compiled.errors.map((e) => ({ message: e.message, line: e.line, column: e.column })),
        }),
  };
}

function draftView(draft: Draft) {
  const d = draft.definition;
  return {
    exists: draft.exists,
    liveVersion: draft.liveVersion,
    baseVersion: draft.baseVersion,
    createdBy: draft.createdBy,
    createdAt: draft.createdAt,
    updatedAt: draft.updatedAt,
    reviewThreshold: d.reviewThreshold,
    blacklistThreshold: d.blacklistThreshold,
    ruleThresholds: d.ruleThresholds,
    weights: Object.fromEntries(CORE_RULES.map((r) => [r.code, d.weights[r.code] ?? 0])),
    customRules: d.customRules.map(customRuleView),
    changes: draftChanges(draft.live, d),
  };
}

// ---------------------------------------------------------------------------------------------

/**
 * Custom rules in CEL and rule-set versions for automation (the console offers the same):
 * validate a rule; edit a draft (weights, thresholds, custom rules) that live scoring never
 * reads; test one rule over the last N users; see what the draft would change ("what-if");
 * publish it as a new version, which rescores every user; list the versions. The model is
 * described in packages/db/migrations/0005_custom_rules.sql.
 */
export function registerCustomRuleRoutes(app: FastifyInstance, db: Database, ruleSets: RuleSets): void {
  app.post('/api/v1/rules/custom/validate', (request, reply) =>
    answer(reply, async () => {
      const rule = sourceOf(fieldsOf(request.body).source);
      return { ok: true, requires: rule.requires, variables: rule.variables };
    }),
  );

  app.get('/api/v1/rules/draft', async (request) => draftView(await readDraft(db, request.project.id)));

  app.delete('/api/v1/rules/draft', async (request) => ({
    discarded: await discardDraft(db, request.project.id),
  }));

  app.put('/api/v1/rules/draft/weights', (request, reply) =>
    answer(reply, async () => {
      const body = fieldsOf(request.body);
      const entries = Object.entries(body).map(([code, w]) => [code, weightOf(w, code)] as const);
      if (entries.length === 0) {
        throw new Refusal(400, 'invalid_parameter', 'Send {"CODE": weight, …}', 'weights');
      }
      const { draft } = await editDraft(db, request.project.id, 'api-key', (definition) => {
        for (const [code, weight] of entries) {
          const custom = definition.customRules.find((r) => r.code === code);
          if (custom) custom.weight = weight;
          else if (ruleByCode(code)) definition.weights[code] = weight;
          else throw new Refusal(400, 'invalid_parameter', `No rule ${code} in the draft`, code);
        }
      });
      return draftView(draft);
    }),
  );

  app.put('/api/v1/rules/draft/thresholds', (request, reply) =>
    answer(reply, async () => {
      const { review, blacklist } = thresholdsOf(fieldsOf(request.body));
      const { draft } = await editDraft(db, request.project.id, 'api-key', (definition) => {
        definition.reviewThreshold = review;
        definition.blacklistThreshold = blacklist;
      });
      return draftView(draft);
    }),
  );

  app.post('/api/v1/rules/draft/custom', (request, reply) =>
    answer(reply, async () => {
      const body = fieldsOf(request.body);
      const name = nameOf(body.name);
      const description = descriptionOf(body.description);
      const compiled = sourceOf(body.source);
      if (body.weight === undefined) throw new Refusal(400, 'missing_field', 'weight is required', 'weight');
      const weight = weightOf(body.weight, 'weight');
      const { result } = await editDraft(
        db,
        request.project.id,
        actorOf(body.actor),
        (definition, context) => {
          const rule: CustomRuleEntry = {
            code: context.nextCode(),
            name,
            description,
            source: compiled.source,
            weight,
          };
          definition.customRules.push(rule);
          return rule;
        },
      );
      reply.code(201);
      return { ...result, requires: compiled.requires };
    }),
  );

  app.put<{ Params: { code: string } }>('/api/v1/rules/draft/custom/:code', (request, reply) =>
    answer(reply, async () => {
      const body = fieldsOf(request.body);
      const patch: Partial<CustomRuleEntry> = {};
      if (body.name !== undefined) patch.name = nameOf(body.name);
      if (body.description !== undefined) patch.description = descriptionOf(body.description);
      if (body.source !== undefined) patch.source = sourceOf(body.source).source;
      if (body.weight !== undefined) patch.weight = weightOf(body.weight, 'weight');
      if (Object.keys(patch).length === 0) {
        throw new Refusal(400, 'missing_field', 'Send at least one of name, description, source, weight');
      }
      const { code } = request.params;
      const { result } = await editDraft(db, request.project.id, actorOf(body.actor), (definition) => {
        const rule = definition.customRules.find((r) => r.code === code);
        if (!rule) throw new Refusal(404, 'not_found', `No custom rule ${code} in the draft`, 'code');
        Object.assign(rule, patch);
        return { ...rule };
      });
      return customRuleView(result);
    }),
  );

  app.delete<{ Params: { code: string } }>('/api/v1/rules/draft/custom/:code', (request, reply) =>
    answer(reply, async () => {
      const { code } = request.params;
      await editDraft(db, request.project.id, 'api-key', (definition) => {
        const at = definition.customRules.findIndex((r) => r.code === code);
        if (at === -1) throw new Refusal(404, 'not_found', `No custom rule ${code} in the draft`, 'code');
        definition.customRules.splice(at, 1);
      });
      return { code, deleted: true };
    }),
  );

  app.post('/api/v1/rules/test', (request, reply) =>
    answer(reply, async () => {
      const body = fieldsOf(request.body);
      const users = usersOf(body.users, DEFAULT_TEST_USERS);
      const projectId = request.project.id;
      if ((body.source === undefined) === (body.code === undefined)) {
        throw new Refusal(
          400,
          'invalid_parameter',
          'Send either source (a CEL expression) or code',
          'source',
        );
      }
      let rule: Parameters<typeof testCustomRule>[0];
      let about: Record<string, string>;
      if (body.source !== undefined) {
        rule = sourceOf(body.source);
        about = { source: rule.source };
      } else {
        const code = typeof body.code === 'string' ? body.code.trim().toUpperCase() : '';
        const core = ruleByCode(code);
        if (core) {
          const { thresholds } = await ruleSets.get(projectId);
          rule = { evaluate: (features: UserFeatures) => core.evaluate(features, thresholds) };
          about = { code, name: core.name };
        } else if (CUSTOM_CODE_PATTERN.test(code)) {
          // The draft's version of the rule first (testing comes before publishing), else live's.
          const draft = await readDraft(db, projectId);
          const entry =
            draft.definition.customRules.find((r) => r.code === code) ??
            draft.live.customRules.find((r) => r.code === code);
          if (!entry) throw new Refusal(404, 'not_found', `No custom rule ${code}`, 'code');
          rule = customRuleDefinition(entry);
          about = { code, name: entry.name, source: entry.source };
        } else {
          throw new Refusal(404, 'not_found', `No rule ${String(body.code)}`, 'code');
        }
      }
      return { rule: about, users, ...(await testRule(db, projectId, rule, users)) };
    }),
  );

  app.post('/api/v1/rules/draft/what-if', (request, reply) =>
    answer(reply, async () => {
      const users = usersOf(fieldsOf(request.body).users, DEFAULT_WHAT_IF_USERS);
      const projectId = request.project.id;
      const draft = await readDraft(db, projectId);
      const set = ruleSetFrom(projectId, draft.liveVersion, draft.definition);
      return {
        draft: draft.exists,
        liveVersion: draft.liveVersion,
        users,
        reviewThreshold: set.reviewThreshold,
        blacklistThreshold: set.blacklistThreshold,
        ...(await whatIf(db, projectId, set, users)),
      };
    }),
  );

  app.post('/api/v1/rules/draft/publish', (request, reply) =>
    answer(reply, async () => {
      const projectId = request.project.id;
      const published = await publishDraft(db, projectId, actorOf(fieldsOf(request.body).actor));
      if (!published) throw new Refusal(409, 'no_draft', 'There is no draft to publish');
      ruleSets.invalidate(projectId);
      return {
        version: published.version,
        previousVersion: published.previousVersion,
        rescore: await startRescore(db, projectId),
      };
    }),
  );

  app.get<{ Querystring: { limit?: string } }>('/api/v1/rules/versions', (request, reply) =>
    answer(reply, async () => {
      const raw = request.query.limit;
      const limit = raw === undefined ? 50 : Number(raw);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
        throw new Refusal(400, 'invalid_parameter', 'limit must be a whole number from 1 to 1000', 'limit');
      }
      return listVersions(db, request.project.id, limit);
    }),
  );
}
