import type { Database, Executor } from '@vigil/db';
import type { FastifyInstance } from 'fastify';
import { sendError } from '../errors.ts';
import { PROJECT_PREFIX } from './guard.ts';
import { type ListQuery, likePattern, listQuerySchema, orderBy, pageOf, sendList } from './lists.ts';
import {
  type Bucket,
  bucketOf,
  bucketStarts,
  type PeriodQuery,
  periodOf,
  periodQueryProperties,
  toSeries,
  withTimezone,
} from './period.ts';
import { cutAt, cutHours, hourAlignedZone, paramList, wholeUnits } from './rollups.ts';

const MINUTE = 60_000;

// The logbook: one row per API request with a known key, its outcome and what it sent. Raw fields
// and warnings are the caller's text, returned as JSON strings for the console to show as text.

export const OUTCOMES = ['success', 'warnings', 'rejected', 'failed', 'rate_limited'] as const;
type Outcome = (typeof OUTCOMES)[number];
const COUNT_CAP = 10_001;

type LogbookQuery = ListQuery & { outcome?: Outcome };

/**
 * API requests per bucket (epoch seconds `ts`) and outcome in [from, to), exact, from the counts
 * of migration 0017: the period's whole hours from logbook_counts_hourly (when the zone's hours
 * are whole UTC hours and the bucket is an hour or more, else by the minute), the minutes of its
 * partial hours from logbook_counts_minutely, and its partial first and last minutes from the
 * logbook itself. Every zone's offset is whole minutes, so a minute falls in a single bucket.
 */
export async function requestCounts(
  db: Executor,
  projectId: string,
  from: Date,
  to: Date,
  bucket: Bucket,
  tz: string,
): Promise<{ ts: number; key: Outcome; n: number }[]> {
  const params: unknown[] = [projectId, bucket, tz];
  const add = paramList(params);
  const minutes = cutAt(MINUTE, from, to);
  const cut = bucket !== 'minute' && hourAlignedZone(tz, from, to) ? cutHours(from, to) : null;
  // Only a period holding a whole hour has one (its whole hours then lie within its whole minutes).
  const hours = cut && cut.head!.getTime() < cut.tail.getTime() ? cut : null;
  const byMinute = (lo: Date, hi: Date) =>
    `SELECT minute AS t, error_type, requests AS n FROM logbook_counts_minutely
      WHERE project_id = $1 AND minute >= ${add(lo)} AND minute < ${add(hi)}`;
  const parts = [
    `SELECT started AS t, error_type, 1 AS n FROM logbook
      WHERE project_id = $1 AND ((started >= ${add(from)} AND started < ${add(minutes.head)})
                              OR (started >= ${add(minutes.tail)} AND started < ${add(to)}))`,
  ];
  if (hours) {
    parts.push(
      `SELECT hour AS t, error_type, requests AS n FROM logbook_counts_hourly r
        WHERE project_id = $1 AND ${wholeUnits('r.hour', hours, add)}`,
      byMinute(minutes.head!, hours.head!),
      byMinute(hours.tail, minutes.tail),
    );
  } else {
    parts.push(byMinute(minutes.head!, minutes.tail));
  }
  const { rows: counted } = await db.query<{ ts: number; t: number; n: number }>(
    `SELECT extract(epoch FROM (date_trunc($2, c.t AT TIME ZONE $3) AT TIME ZONE $3))::float8 AS ts,
            c.error_type AS t, sum(c.n)::int AS n
       FROM (${parts.join(' UNION ALL ')}) c GROUP BY 1, 2`,
    params,
  );
  return counted.map((r) => ({ ts: r.ts, key: OUTCOMES[r.t] ?? 'failed', n: r.n }));
}

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
      // Both columns are NOT NULL: no NULLS LAST, so the order is an index's (logbook_project).
      const order = orderBy(query, { started: 'l.started', id: 'l.id' }, 'id', 'l.id').replace(
        ' NULLS LAST',
        '',
      );
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
          requestCounts(db, project.id, from, period.to, bucket, period.tz),
        ]);
        const series = toSeries(times, counts, [...OUTCOMES]);
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
