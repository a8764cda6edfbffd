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

export interface FieldAuditRoutesOptions {
  db: Database;
}

const tags = ['field audit'];
/** Counts above this are reported capped, so a count never scans the whole trail. */
const COUNT_CAP = 10_000;
const idSchema = { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER } as const;

type ChangesQuery = ListQuery & { fieldRef?: number; userId?: number };

/**
 * The field audit trail: the fields an application reports edits of (fields, kept with their
 * counters at ingest) and every change (field_changes): who (the monitored user), when, old → new,
 * the parent object. Filterable by field and by user, searchable, exported as CSV.
 */
export function registerFieldAuditRoutes(app: FastifyInstance, { db }: FieldAuditRoutesOptions): void {
  app.get<{ Querystring: ListQuery }>(`${PROJECT_PREFIX}/field-audit/fields`, {
    config: { access: 'viewer' },
    schema: {
      summary: 'The fields edited: changes, users, last change (period filters by last change)',
      tags,
      querystring: listQuerySchema,
    },
    handler: async (request, reply) => {
      const query = request.query;
      const where = ['f.project_id = $1'];
      const values: unknown[] = [request.consoleProject!.id];
      if (query.q) {
        const p = values.push(likePattern(query.q));
        where.push(`(f.field_id ILIKE $${p} OR f.field_name ILIKE $${p})`);
      }
      if (query.from) where.push(`f.last_seen >= $${values.push(query.from)}`);
      if (query.to) where.push(`f.first_seen < $${values.push(query.to)}`);
      const { limit, offset } = pageOf(query);
      const order = orderBy(
        query,
        {
          fieldId: 'f.field_id',
          fieldName: 'f.field_name',
          edits: 'f.edit_count',
          lastSeen: 'f.last_seen',
          firstSeen: 'f.first_seen',
        },
        'lastSeen',
        'f.id',
      );
      const [page, count] = await Promise.all([
        // Distinct users are counted for the rows of the page only.
        db.query(
          `SELECT f.id, f.field_id AS "fieldId", f.field_name AS "fieldName", f.edit_count::int AS edits,
                  f.first_seen AS "firstSeen", f.last_seen AS "lastSeen",
                  (SELECT count(DISTINCT user_id)::int FROM field_changes fc WHERE fc.field_ref = f.id) AS users
             FROM (SELECT * FROM fields f WHERE ${where.join(' AND ')} ${order} LIMIT ${limit} OFFSET ${offset}) f
            ${order}`,
          values,
        ),
        db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM fields f WHERE ${where.join(' AND ')}`,
          values,
        ),
      ]);
      const rows = page.rows.map((r) => ({ ...r, id: Number(r.id) }));
      return sendList(
        reply,
        query,
        { rows, total: count.rows[0]!.n },
        { filename: 'fields', columns: ['fieldId', 'fieldName', 'edits', 'users', 'firstSeen', 'lastSeen'] },
      );
    },
  });

  app.get<{ Params: { projectId: string; fieldRef: number } }>(
    `${PROJECT_PREFIX}/field-audit/fields/:fieldRef`,
    {
      config: { access: 'viewer' },
      schema: {
        summary: 'One field: its counters, users and IPs behind its changes',
        tags,
        params: {
          type: 'object',
          required: ['projectId', 'fieldRef'],
          properties: { projectId: { type: 'string', maxLength: 64 }, fieldRef: idSchema },
        },
      },
      handler: async (request, reply) => {
        const { rows } = await db.query(
          `SELECT f.id, f.field_id AS "fieldId", f.field_name AS "fieldName", f.edit_count::int AS edits,
                  f.first_seen AS "firstSeen", f.last_seen AS "lastSeen",
                  (SELECT count(DISTINCT user_id)::int FROM field_changes fc WHERE fc.field_ref = f.id) AS users
             FROM fields f WHERE f.project_id = $1 AND f.id = $2`,
          [request.consoleProject!.id, request.params.fieldRef],
        );
        if (!rows[0]) return sendError(reply, 404, 'not_found', 'No such field in this project', 'fieldRef');
        return { field: { ...rows[0], id: Number(rows[0].id) } };
      },
    },
  );

  app.get<{ Querystring: PeriodQuery & { fieldRef?: number; userId?: number } }>(
    `${PROJECT_PREFIX}/field-audit/chart`,
    {
      config: { access: 'viewer' },
      schema: {
        summary:
          "Field changes per bucket in the operator's timezone, and the totals in the period and before",
        tags,
        querystring: {
          type: 'object',
          properties: { ...periodQueryProperties, fieldRef: idSchema, userId: idSchema },
        },
      },
      handler: async (request) => {
        const project = request.consoleProject!;
        const period = periodOf(request.query, project.timezone);
        const where = ['fc.project_id = $1'];
        const values: unknown[] = [project.id];
        if (request.query.fieldRef) where.push(`fc.field_ref = $${values.push(request.query.fieldRef)}`);
        if (request.query.userId) where.push(`fc.user_id = $${values.push(request.query.userId)}`);
        let start = period.from;
        if (!start) {
          // All time: from the first change (the fields' counters know it), at least a week.
          const first = await db.query<{ t: Date | null }>(
            'SELECT min(first_seen) AS t FROM fields WHERE project_id = $1',
            [project.id],
          );
          const weekBefore = new Date(period.to.getTime() - 7 * 86_400_000);
          start = first.rows[0]?.t && first.rows[0].t < weekBefore ? first.rows[0].t : weekBefore;
        }
        const bucket = bucketOf(request.query.bucket, start, period.to);
        const n = values.length;
        const params = [...values, start, period.to, bucket, period.tz];
        const before = period.previous ?? null;
        return withTimezone(period.tz, async () => {
          const [times, counts, totals] = await Promise.all([
            bucketStarts(db, bucket, start, period.to, period.tz),
            db.query<{ ts: number; n: number }>(
              `SELECT extract(epoch FROM (b.t AT TIME ZONE $${n + 4}))::float8 AS ts, b.n FROM (
                 SELECT date_trunc($${n + 3}, fc.time AT TIME ZONE $${n + 4}) AS t, count(*)::int AS n
                   FROM field_changes fc
                  WHERE ${where.join(' AND ')} AND fc.time >= $${n + 1} AND fc.time < $${n + 2}
                  GROUP BY 1) b`,
              params,
            ),
            db.query<{ in_period: number; before: number }>(
              `SELECT (SELECT count(*)::int FROM (SELECT 1 FROM field_changes fc WHERE ${where.join(' AND ')}
                         AND fc.time >= $${n + 1} AND fc.time < $${n + 2} LIMIT ${COUNT_CAP + 1}) x) AS in_period,
                      (SELECT count(*)::int FROM (SELECT 1 FROM field_changes fc WHERE ${where.join(' AND ')}
                         AND fc.time < $${n + 1} ${before ? `AND fc.time >= $${n + 3}` : ''}
                         LIMIT ${COUNT_CAP + 1}) y) AS before`,
              [...values, start, period.to, ...(before ? [before.from] : [])],
            ),
          ]);
          const [series] = toSeries(
            times,
            counts.rows.map((r) => ({ ts: r.ts, key: 'changes', n: r.n })),
            ['changes'],
          );
          const t = totals.rows[0]!;
          return {
            bucket,
            tz: period.tz,
            times,
            values: series!.values,
            totals: {
              inPeriod: Math.min(t.in_period, COUNT_CAP),
              before: Math.min(t.before, COUNT_CAP),
              capped: t.in_period > COUNT_CAP || t.before > COUNT_CAP,
            },
          };
        });
      },
    },
  );

  app.get<{ Querystring: ChangesQuery }>(`${PROJECT_PREFIX}/field-audit/changes`, {
    config: { access: 'viewer' },
    schema: {
      summary: 'Every field change: who, when, old → new, parent object; by field and by user',
      tags,
      querystring: {
        type: 'object',
        properties: { ...listQuerySchema.properties, fieldRef: idSchema, userId: idSchema },
      },
    },
    handler: async (request, reply) => {
      const query = request.query;
      const where = ['fc.project_id = $1'];
      const values: unknown[] = [request.consoleProject!.id];
      if (query.fieldRef) where.push(`fc.field_ref = $${values.push(query.fieldRef)}`);
      if (query.userId) where.push(`fc.user_id = $${values.push(query.userId)}`);
      if (query.from) where.push(`fc.time >= $${values.push(query.from)}`);
      if (query.to) where.push(`fc.time < $${values.push(query.to)}`);
      const join = 'JOIN fields f ON f.id = fc.field_ref JOIN users u ON u.id = fc.user_id';
      if (query.q) {
        const p = values.push(likePattern(query.q));
        where.push(
          `(f.field_id ILIKE $${p} OR fc.field_name ILIKE $${p} OR fc.old_value ILIKE $${p}
            OR fc.new_value ILIKE $${p} OR fc.parent_id ILIKE $${p} OR fc.parent_name ILIKE $${p}
            OR u.user_name ILIKE $${p})`,
        );
      }
      const { limit, offset } = pageOf(query);
      const order = orderBy(
        query,
        { time: 'fc.time', fieldId: 'f.field_id', userName: 'u.user_name' },
        'time',
        'fc.id',
      );
      const [page, count] = await Promise.all([
        db.query(
          `SELECT fc.id, fc.time, fc.event_id AS "eventId", fc.field_ref AS "fieldRef", f.field_id AS "fieldId",
                  coalesce(fc.field_name, f.field_name) AS "fieldName", fc.user_id AS "userId",
                  u.user_name AS "userName", fc.old_value AS "oldValue", fc.new_value AS "newValue",
                  fc.parent_id AS "parentId", fc.parent_name AS "parentName"
             FROM field_changes fc ${join}
            WHERE ${where.join(' AND ')}
            ${order} LIMIT ${limit} OFFSET ${offset}`,
          values,
        ),
        db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM (SELECT 1 FROM field_changes fc ${join}
            WHERE ${where.join(' AND ')} LIMIT ${COUNT_CAP + 1}) x`,
          values,
        ),
      ]);
      const rows = page.rows.map((r) => ({
        ...r,
        id: Number(r.id),
        eventId: Number(r.eventId),
        fieldRef: Number(r.fieldRef),
        userId: Number(r.userId),
      }));
      return sendList(
        reply,
        query,
        { rows, total: count.rows[0]!.n },
        {
          filename: 'field-changes',
          columns: [
            'time',
            'fieldId',
            'fieldName',
            'userName',
            'oldValue',
            'newValue',
            'parentId',
            'parentName',
            'eventId',
          ],
        },
      );
    },
  });
}
