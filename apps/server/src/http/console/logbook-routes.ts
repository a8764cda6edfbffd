import type { Database } from '@vigil/db';
import type { FastifyInstance } from 'fastify';
import { sendError } from '../errors.ts';
import { PROJECT_PREFIX } from './guard.ts';
import { type ListQuery, likePattern, listQuerySchema, orderBy, pageOf, sendList } from './lists.ts';
import {
  bucketOf,
  bucketStarts,
  type PeriodQuery,
  periodOf,
  periodQueryProperties,
  toSeries,
  withTimezone,
} from './period.ts';

// The logbook: one row per API request with a known key, its outcome and what it sent. Raw fields
// and warnings are the caller's text, returned as JSON strings for the console to show as text.

export const OUTCOMES = ['success', 'warnings', 'rejected', 'failed', 'rate_limited'] as const;
type Outcome = (typeof OUTCOMES)[number];
const COUNT_CAP = 10_001;

type LogbookQuery = ListQuery & { outcome?: Outcome };

export function registerLogbookRoutes(app: FastifyInstance, { db }: { db: Database }): void {
  app.get<{ Querystring: LogbookQuery }>(`${PROJECT_PREFIX}/logbook`, {
    config: { access: 'viewer' },
    schema: {
      summary: 'API requests of the period with their outcome, newest first',
      tags: ['logbook'],
      querystring: {
        type: 'object',
        properties: { ...listQuerySchema.properties, outcome: { type: 'string', enum: [...OUTCOMES] } },
      },
    },
    handler: async (request, reply) => {
      const project = request.consoleProject!;
      const query = request.query;
      const params: unknown[] = [project.id];
      const add = (value: unknown) => {
        params.push(value);
        return `$${params.length}`;
      };
      const where = ['l.project_id = $1'];
      if (query.from) where.push(`l.started >= ${add(new Date(query.from))}`);
      if (query.to) where.push(`l.started < ${add(new Date(query.to))}`);
      if (query.outcome) where.push(`l.error_type = ${add(OUTCOMES.indexOf(query.outcome))}`);
      const q = query.q?.trim();
      if (q) {
        const like = add(likePattern(q));
        where.push(`(l.endpoint ILIKE ${like} OR l.request_id = ${add(q)} OR host(l.caller_ip) = ${add(q)}
                     OR l.error_text::text ILIKE ${like})`);
      }
      const { limit, offset } = pageOf(query);
      const order = orderBy(query, { started: 'l.started', id: 'l.id' }, 'id', 'l.id');
      const sql = where.join(' AND ');
      const [list, count] = await Promise.all([
        db.query<Record<string, unknown>>(
          `SELECT l.id, l.started, l.endpoint, host(l.caller_ip) AS "callerIp", l.event_id AS "eventId",
                  l.error_type AS "errorType", l.error_text AS "warnings", left(l.raw::text, 300) AS "rawPreview",
                  l.request_id AS "requestId"
             FROM logbook l WHERE ${sql} ${order} LIMIT ${limit} OFFSET ${offset}`,
          params,
        ),
        db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM (SELECT 1 FROM logbook l WHERE ${sql} LIMIT ${COUNT_CAP}) x`,
          params,
        ),
      ]);
      const rows = list.rows.map((r) => ({
        ...r,
        outcome: OUTCOMES[r.errorType as number],
        warnings: Array.isArray(r.warnings) ? r.warnings.map(String).join('; ') : null,
      }));
      const total = count.rows[0]!.n;
      const answer = sendList(
        reply,
        query,
        { rows, total: Math.min(total, COUNT_CAP - 1) },
        {
          filename: 'logbook',
          columns: [
            'id',
            'started',
            'endpoint',
            'callerIp',
            'outcome',
            'warnings',
            'eventId',
            'requestId',
            'rawPreview',
          ],
        },
      );
      return query.format === 'csv' ? answer : { ...answer, capped: total >= COUNT_CAP };
    },
  });

  app.get<{ Querystring: PeriodQuery }>(`${PROJECT_PREFIX}/logbook/chart`, {
    config: { access: 'viewer' },
    schema: {
      summary: 'API requests per bucket by outcome',
      tags: ['logbook'],
      querystring: { type: 'object', properties: periodQueryProperties },
    },
    handler: async (request) => {
      const project = request.consoleProject!;
      const period = periodOf(request.query, project.timezone);
      const from = period.from ?? new Date(period.to.getTime() - 7 * 86_400_000);
      const bucket = bucketOf(request.query.bucket, from, period.to);
      return withTimezone(period.tz, async () => {
        const [times, counts] = await Promise.all([
          bucketStarts(db, bucket, from, period.to, period.tz),
          db.query<{ ts: number; t: number; n: number }>(
            `SELECT extract(epoch FROM (b.t AT TIME ZONE $5))::float8 AS ts, b.error_type AS t, b.n FROM (
               SELECT date_trunc($4, started AT TIME ZONE $5) AS t, error_type, count(*)::int AS n
                 FROM logbook WHERE project_id = $1 AND started >= $2 AND started < $3 GROUP BY 1, 2) b`,
            [project.id, from, period.to, bucket, period.tz],
          ),
        ]);
        const series = toSeries(
          times,
          counts.rows.map((r) => ({ ts: r.ts, key: OUTCOMES[r.t] ?? 'failed', n: r.n })),
          [...OUTCOMES],
        );
        return {
          bucket,
          tz: period.tz,
          times,
          series: series.map((s) => ({ outcome: s.key, values: s.values })),
        };
      });
    },
  });

  app.get<{ Params: { projectId: string; entryId: number } }>(`${PROJECT_PREFIX}/logbook/:entryId`, {
    config: { access: 'viewer' },
    schema: {
      summary: 'One API request: where it came from, its outcome, warnings and the raw fields it sent',
      tags: ['logbook'],
      params: {
        type: 'object',
        properties: {
          projectId: { type: 'string' },
          entryId: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER },
        },
      },
    },
    handler: async (request, reply) => {
      const { rows } = await db.query<Record<string, unknown>>(
        `SELECT id, started, ended, endpoint, host(caller_ip) AS "callerIp", event_id AS "eventId",
                error_type AS "errorType", error_text AS "warnings", raw, request_id AS "requestId"
           FROM logbook WHERE project_id = $1 AND id = $2`,
        [request.consoleProject!.id, request.params.entryId],
      );
      const entry = rows[0];
      if (!entry) return sendError(reply, 404, 'not_found', 'No such request in this project', 'entryId');
      return { ...entry, outcome: OUTCOMES[entry.errorType as number] };
    },
  });
}
