import { CUSTOM_CODE_PATTERN, isPresetName, PRESETS, ruleByCode } from '@vigil/core';
import type { Executor } from '@vigil/db';
import type { FastifyInstance } from 'fastify';
import { applyProjectPreset, changeLive, type RuleSets } from '../../scoring/rule-sets.ts';
import { sendError } from '../errors.ts';

/**
 * The project's rule settings for automation: presets, weights, thresholds, and a background
 * rescoring of every user after a change, with its progress. (The console offers the same.)
 * These edit the live rule set and publish at once (a new version, recorded in the history);
 * custom-rules.ts offers drafts that are tested and published later.
 */
export function registerProjectRuleRoutes(app: FastifyInstance, db: Executor, ruleSets: RuleSets): void {
  app.get('/api/v1/rules', async (request) => {
    const set = await ruleSets.get(request.project.id);
    return {
      version: set.version,
      reviewThreshold: set.reviewThreshold,
      blacklistThreshold: set.blacklistThreshold,
      presets: Object.values(PRESETS).map((p) => ({
        name: p.name,
        title: p.title,
        description: p.description,
      })),
      rules: set.rules.map((r) => ({
        code: r.code,
        group: r.group,
        name: r.name,
        description: r.description,
        weight: set.weights[r.code] ?? 0,
        ...('source' in r ? { source: r.source } : {}),
      })),
    };
  });

  app.put<{ Body: { preset?: unknown; actor?: unknown } }>('/api/v1/rules/preset', async (request, reply) => {
    const preset = request.body?.preset;
    if (typeof preset !== 'string' || !isPresetName(preset)) {
      return sendError(
        reply,
        400,
        'invalid_parameter',
        `preset must be one of ${Object.keys(PRESETS).join(', ')}`,
        'preset',
      );
    }
    await applyProjectPreset(db, request.project.id, preset, actorOf(request.body?.actor));
    ruleSets.invalidate(request.project.id);
    return { preset, rescore: await startRescore(db, request.project.id) };
  });

  app.put<{ Params: { code: string }; Body: { weight?: unknown; actor?: unknown } }>(
    '/api/v1/rules/:code',
    async (request, reply) => {
      const { code } = request.params;
      const custom =
        CUSTOM_CODE_PATTERN.test(code) &&
        (
          await db.query(
            'SELECT 1 FROM custom_rules WHERE project_id = $1 AND code = $2 AND deleted_at IS NULL',
            [request.project.id, code],
          )
        ).rows.length > 0;
      if (!custom && !ruleByCode(code)) return sendError(reply, 404, 'not_found', 'No such rule', 'code');
      const weight = request.body?.weight;
      if (typeof weight !== 'number' || !Number.isInteger(weight) || weight < -100 || weight > 100) {
        return sendError(
          reply,
          400,
          'invalid_parameter',
          'weight must be a whole number from -100 to 100',
          'weight',
        );
      }
      await changeLive(db, request.project.id, actorOf(request.body?.actor), async () => {
        await db.query(
          custom
            ? 'UPDATE custom_rules SET weight = $3, updated_at = now() WHERE project_id = $1 AND code = $2'
            : `INSERT INTO project_rule_weights (project_id, code, weight) VALUES ($1, $2, $3)
               ON CONFLICT (project_id, code) DO UPDATE SET weight = excluded.weight`,
          [request.project.id, code, weight],
        );
        await db.query('UPDATE projects SET rule_set_version = rule_set_version + 1 WHERE id = $1', [
          request.project.id,
        ]);
      });
      ruleSets.invalidate(request.project.id);
      return { code, weight, rescore: await startRescore(db, request.project.id) };
    },
  );

  app.put<{ Body: { reviewThreshold?: unknown; blacklistThreshold?: unknown; actor?: unknown } }>(
    '/api/v1/rules/thresholds',
    async (request, reply) => {
      const { reviewThreshold: review, blacklistThreshold: blacklist } = request.body ?? {};
      if (typeof review !== 'number' || !Number.isInteger(review) || review < 0 || review > 99) {
        return sendError(
          reply,
          400,
          'invalid_parameter',
          'reviewThreshold must be a whole number from 0 to 99',
          'reviewThreshold',
        );
      }
      if (
        blacklist !== null &&
        (typeof blacklist !== 'number' ||
          !Number.isInteger(blacklist) ||
          blacklist < 0 ||
          blacklist >= review)
      ) {
        return sendError(
          reply,
          400,
          'invalid_parameter',
          'blacklistThreshold must be null (off) or a whole number from 0 to below reviewThreshold',
          'blacklistThreshold',
        );
      }
      await changeLive(db, request.project.id, actorOf(request.body?.actor), () =>
        db.query(
          `UPDATE projects SET review_threshold = $2, blacklist_threshold = $3, rule_set_version = rule_set_version + 1
            WHERE id = $1`,
          [request.project.id, review, blacklist],
        ),
      );
      ruleSets.invalidate(request.project.id);
      return {
        reviewThreshold: review,
        blacklistThreshold: blacklist,
        rescore: await startRescore(db, request.project.id),
      };
    },
  );

  app.get('/api/v1/rules/rescore', async (request) => {
    const { rows } = await db.query<{ id: number; total: number; started_at: Date }>(
      'SELECT id, total, started_at FROM rescore_jobs WHERE project_id = $1 ORDER BY id DESC LIMIT 1',
      [request.project.id],
    );
    const job = rows[0];
    if (!job) return { running: false, total: 0, remaining: 0 };
    const left = await db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM scoring_queue WHERE project_id = $1',
      [request.project.id],
    );
    const remaining = Math.min(left.rows[0]!.n, job.total);
    return {
      running: remaining > 0,
      total: job.total,
      remaining,
      done: job.total - remaining,
      startedAt: job.started_at,
    };
  });
}

function actorOf(value: unknown): string {
  return typeof value === 'string' && value.trim() ? value.trim().slice(0, 200) : 'api-key';
}

/** Queues every user of the project for scoring; the workers drain it in the background. */
export async function startRescore(db: Executor, projectId: string): Promise<{ total: number }> {
  const { rowCount } = await db.query(
    `INSERT INTO scoring_queue (user_id, project_id, queued_at)
     SELECT id, project_id, clock_timestamp() FROM users WHERE project_id = $1
     ON CONFLICT (user_id) DO UPDATE SET queued_at = clock_timestamp()`,
    [projectId],
  );
  await db.query('INSERT INTO rescore_jobs (project_id, total) VALUES ($1, $2)', [projectId, rowCount ?? 0]);
  return { total: rowCount ?? 0 };
}
