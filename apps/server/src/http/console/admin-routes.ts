import type { Database } from '@vigil/db';
import type { FastifyInstance } from 'fastify';
import { appendAudit } from '../../audit/chain.ts';
import { InputError } from '../../input-error.ts';
import { latestRetentionRun, RetentionBusy, type RetentionJob } from '../../jobs/retention.ts';
import { type Operator, validTimezone } from '../../operators/operators.ts';
import { type ApiKeyCache, generateApiKey, hashApiKey } from '../../projects.ts';
import { sendError } from '../errors.ts';
import { PROJECT_PREFIX } from './guard.ts';
import { requestCounts } from './logbook-routes.ts';
import type { PeriodQuery } from './period.ts';
import { bucketOf, bucketStarts, periodOf, periodQueryProperties, toSeries, withTimezone } from './period.ts';

export interface AdminRoutesOptions {
  db: Database;
  /** Revoking a key clears this cache, so the sensor refuses the key at once (in this process). */
  keys: ApiKeyCache | null;
  retention: RetentionJob | null;
}

const TAGS = ['project administration'];
const keyIdParams = {
  type: 'object',
  required: ['projectId', 'keyId'],
  properties: { projectId: { type: 'string' }, keyId: { type: 'string', pattern: '^[0-9]{1,18}$' } },
} as const;

/** The logbook's outcomes (error_type), named as the usage chart shows them. */
const OUTCOMES = ['success', 'warnings', 'rejected', 'failed', 'rate_limited'] as const;

/**
 * The Project and Settings pages: API keys, usage, project settings, retention, deletion. All for
 * the project's admins; every change is written to the project's audit chain in its transaction.
 */
export function registerAdminRoutes(app: FastifyInstance, { db, keys, retention }: AdminRoutesOptions): void {
  app.get(`${PROJECT_PREFIX}/keys`, {
    config: { access: 'admin' },
    schema: {
      summary: "The project's API keys (prefix, created, last used; secrets are never shown again)",
      tags: TAGS,
    },
    handler: async (request) => {
      const { rows } = await db.query(
        `SELECT id, name, key_prefix AS prefix, created_at AS "createdAt", last_used_at AS "lastUsedAt",
                revoked_at AS "revokedAt"
           FROM api_keys WHERE project_id = $1 ORDER BY revoked_at IS NOT NULL, id DESC LIMIT 200`,
        [request.consoleProject!.id],
      );
      return { keys: rows.map((r) => ({ ...r, id: String(r.id) })) };
    },
  });

  app.post<{ Body: { name?: string } }>(`${PROJECT_PREFIX}/keys`, {
    config: { access: 'admin' },
    schema: {
      summary: 'Create an API key; its secret is in this answer only',
      tags: TAGS,
      body: { type: 'object', properties: { name: { type: 'string', minLength: 1, maxLength: 100 } } },
    },
    handler: async (request, reply) => {
      const project = request.consoleProject!;
      const name = request.body.name?.trim() || 'default';
      const created = await db.transaction(async (tx) => {
        const key = await insertKey(tx, project.id, name);
        await appendAudit(tx, {
          projectId: project.id,
          actor: (request.operator as Operator).email,
          action: 'api_key.create',
          target: key.id,
          details: { name, prefix: key.prefix },
        });
        return key;
      });
      return reply.code(201).send(created);
    },
  });

  app.post<{ Params: { projectId: string; keyId: string } }>(`${PROJECT_PREFIX}/keys/:keyId/rotate`, {
    config: { access: 'admin' },
    schema: {
      summary:
        'Replace a key: a new key with the same name (its secret in this answer only); the old one is revoked',
      tags: TAGS,
      params: keyIdParams,
    },
    handler: async (request, reply) => {
      const project = request.consoleProject!;
      const rotated = await db.transaction(async (tx) => {
        const { rows } = await tx.query<{ name: string; key_prefix: string }>(
          `UPDATE api_keys SET revoked_at = now()
            WHERE project_id = $1 AND id = $2 AND revoked_at IS NULL RETURNING name, key_prefix`,
          [project.id, request.params.keyId],
        );
        const old = rows[0];
        if (!old) return null;
        const key = await insertKey(tx, project.id, old.name);
        await appendAudit(tx, {
          projectId: project.id,
          actor: (request.operator as Operator).email,
          action: 'api_key.rotate',
          target: request.params.keyId,
          details: { name: old.name, oldPrefix: old.key_prefix, newKeyId: key.id, newPrefix: key.prefix },
        });
        return key;
      });
      if (!rotated) return sendError(reply, 404, 'not_found', 'No such active key', 'keyId');
      keys?.invalidate();
      return reply.code(201).send({ ...rotated, revokedKeyId: request.params.keyId });
    },
  });

  app.delete<{ Params: { projectId: string; keyId: string } }>(`${PROJECT_PREFIX}/keys/:keyId`, {
    config: { access: 'admin' },
    schema: {
      summary: 'Revoke an API key: requests with it are refused from now on',
      tags: TAGS,
      params: keyIdParams,
    },
    handler: async (request, reply) => {
      const project = request.consoleProject!;
      const ok = await db.transaction(async (tx) => {
        const { rows } = await tx.query<{ name: string; key_prefix: string }>(
          `UPDATE api_keys SET revoked_at = now()
            WHERE project_id = $1 AND id = $2 AND revoked_at IS NULL RETURNING name, key_prefix`,
          [project.id, request.params.keyId],
        );
        if (!rows[0]) return false;
        await appendAudit(tx, {
          projectId: project.id,
          actor: (request.operator as Operator).email,
          action: 'api_key.revoke',
          target: request.params.keyId,
          details: { name: rows[0].name, prefix: rows[0].key_prefix },
        });
        return true;
      });
      if (!ok) return sendError(reply, 404, 'not_found', 'No such active key', 'keyId');
      keys?.invalidate();
      return reply.code(204).send();
    },
  });

  app.get<{ Querystring: PeriodQuery }>(`${PROJECT_PREFIX}/usage`, {
    config: { access: 'admin' },
    schema: {
      summary: 'API requests per bucket and outcome over the period (from the logbook)',
      tags: TAGS,
      querystring: { type: 'object', properties: periodQueryProperties },
    },
    handler: async (request) => {
      const project = request.consoleProject!;
      const period = periodOf(request.query, project.timezone);
      let from = period.from;
      if (!from) {
        const first = await db.query<{ t: Date | null }>(
          'SELECT min(started) AS t FROM logbook WHERE project_id = $1',
          [project.id],
        );
        from = first.rows[0]?.t ? new Date(first.rows[0].t) : new Date(period.to.getTime() - 86_400_000);
        if (from >= period.to) from = new Date(period.to.getTime() - 86_400_000);
      }
      const start = from;
      const bucket = bucketOf(request.query.bucket, start, period.to);
      return withTimezone(period.tz, async () => {
        const times = await bucketStarts(db, bucket, start, period.to, period.tz);
        const named = await requestCounts(db, project.id, start, period.to, bucket, period.tz);
        const series = toSeries(times, named, [...OUTCOMES]);
        const totals = Object.fromEntries(series.map((s) => [s.key, s.values.reduce((a, b) => a + b, 0)]));
        return { from: start, to: period.to, tz: period.tz, bucket, times, series, totals };
      });
    },
  });

  app.get(`${PROJECT_PREFIX}/settings`, {
    config: { access: 'admin' },
    schema: { summary: "The project's settings and its last retention run", tags: TAGS },
    handler: async (request) => {
      const projectId = request.consoleProject!.id;
      return {
        settings: await projectSettings(db, projectId),
        retention: await latestRetentionRun(db, projectId),
      };
    },
  });

  app.patch<{
    Body: {
      name?: string;
      timezone?: string;
      rateLimitRps?: number;
      rateLimitWindow?: number;
      retentionWeeks?: number;
    };
  }>(`${PROJECT_PREFIX}/settings`, {
    config: { access: 'admin' },
    schema: {
      summary:
        'Change the project name, timezone, sensor rate limit or retention (weeks; 0 keeps data forever)',
      tags: TAGS,
      body: {
        type: 'object',
        properties: {
          name: { type: 'string', minLength: 1, maxLength: 200 },
          timezone: { type: 'string', maxLength: 64 },
          rateLimitRps: { type: 'integer', minimum: 0, maximum: 100_000 },
          rateLimitWindow: { type: 'integer', minimum: 0, maximum: 3600 },
          retentionWeeks: { type: 'integer', minimum: 0, maximum: 5200 },
        },
      },
    },
    handler: async (request) => {
      const project = request.consoleProject!;
      const b = request.body;
      const name = b.name === undefined ? undefined : b.name.trim();
      if (name === '') throw new InputError('name must not be blank', 'name');
      const timezone = b.timezone === undefined ? undefined : validTimezone(b.timezone);
      const settings = await db.transaction(async (tx) => {
        const before = await projectSettings(tx, project.id);
        await tx.query(
          `UPDATE projects SET name = COALESCE($2, name), timezone = COALESCE($3, timezone),
                  rate_limit_rps = COALESCE($4, rate_limit_rps), rate_limit_window = COALESCE($5, rate_limit_window),
                  retention_weeks = COALESCE($6, retention_weeks)
            WHERE id = $1`,
          [
            project.id,
            name ?? null,
            timezone ?? null,
            b.rateLimitRps ?? null,
            b.rateLimitWindow ?? null,
            b.retentionWeeks ?? null,
          ],
        );
        const after = await projectSettings(tx, project.id);
        const changed = Object.fromEntries(
          Object.entries(after)
            .filter(([k, v]) => before[k as keyof typeof before] !== v)
            .map(([k, v]) => [k, { from: before[k as keyof typeof before], to: v }]),
        );
        if (Object.keys(changed).length > 0) {
          await appendAudit(tx, {
            projectId: project.id,
            actor: (request.operator as Operator).email,
            action: 'project.settings',
            target: project.id,
            details: changed,
          });
        }
        return after;
      });
      // The sensor caches the project (rate limit) with its key.
      keys?.invalidate();
      return { settings };
    },
  });

  app.get(`${PROJECT_PREFIX}/retention`, {
    config: { access: 'admin' },
    schema: { summary: 'The latest retention run of the project, with its progress', tags: TAGS },
    handler: async (request) => ({ run: await latestRetentionRun(db, request.consoleProject!.id) }),
  });

  app.post(`${PROJECT_PREFIX}/retention/run`, {
    config: { access: 'admin' },
    schema: {
      summary: 'Apply the retention policy now, in the background (GET …/retention for progress)',
      tags: TAGS,
    },
    handler: async (request, reply) => {
      const project = request.consoleProject!;
      if (!retention)
        return sendError(reply, 503, 'unavailable', 'Background jobs do not run in this process');
      try {
        const run = await retention.runNow(project.id);
        if (!run) {
          throw new InputError(
            'this project keeps its data forever: set a retention in weeks first',
            'retentionWeeks',
          );
        }
        await db.transaction((tx) =>
          appendAudit(tx, {
            projectId: project.id,
            actor: (request.operator as Operator).email,
            action: 'retention.run',
            target: String(run.id),
            details: { retentionWeeks: run.retentionWeeks, cutoff: run.cutoff, events: run.eventsTotal },
          }),
        );
        return reply.code(202).send({ run });
      } catch (error) {
        if (error instanceof RetentionBusy) return sendError(reply, 409, 'conflict', error.message);
        throw error;
      }
    },
  });

  app.delete<{ Params: { projectId: string }; Querystring: { confirm?: string } }>(PROJECT_PREFIX, {
    config: { access: 'admin' },
    schema: {
      summary: 'Delete this project and all its data; ?confirm= must be its exact name',
      tags: TAGS,
      querystring: { type: 'object', properties: { confirm: { type: 'string', maxLength: 200 } } },
    },
    handler: async (request, reply) => {
      const project = request.consoleProject!;
      if (request.query.confirm !== project.name) {
        throw new InputError('type the exact name of the project to confirm', 'confirm');
      }
      await db.transaction(async (tx) => {
        const counts = await tx.query<{ users: string; events: string }>(
          `SELECT (SELECT count(*) FROM users WHERE project_id = $1) AS users,
                  (SELECT count(*) FROM events WHERE project_id = $1) AS events`,
          [project.id],
        );
        // Every table of project data cascades from projects; the audit trail outlives it.
        await tx.query('DELETE FROM projects WHERE id = $1', [project.id]);
        await appendAudit(tx, {
          projectId: null,
          actor: (request.operator as Operator).email,
          action: 'project.delete',
          target: project.id,
          details: {
            name: project.name,
            users: Number(counts.rows[0]!.users),
            events: Number(counts.rows[0]!.events),
          },
        });
      });
      keys?.invalidate();
      return reply.code(204).send();
    },
  });
}

async function insertKey(tx: Parameters<typeof appendAudit>[0], projectId: string, name: string) {
  const key = generateApiKey();
  const { rows } = await tx.query<{ id: string; created_at: Date }>(
    `INSERT INTO api_keys (project_id, key_hash, key_prefix, name) VALUES ($1, $2, $3, $4)
     RETURNING id, created_at`,
    [projectId, hashApiKey(key), key.slice(0, 8), name],
  );
  return { id: String(rows[0]!.id), name, prefix: key.slice(0, 8), key, createdAt: rows[0]!.created_at };
}

async function projectSettings(db: Parameters<typeof appendAudit>[0], projectId: string) {
  const { rows } = await db.query<{
    name: string;
    timezone: string;
    rate_limit_rps: number;
    rate_limit_window: number;
    retention_weeks: number;
  }>(
    'SELECT name, timezone, rate_limit_rps, rate_limit_window, retention_weeks FROM projects WHERE id = $1',
    [projectId],
  );
  const r = rows[0]!;
  return {
    name: r.name,
    timezone: r.timezone,
    rateLimitRps: r.rate_limit_rps,
    rateLimitWindow: r.rate_limit_window,
    retentionWeeks: r.retention_weeks,
  };
}
