import { CORE_RULES } from '@vigil/core';
import type { Database } from '@vigil/db';
import type { FastifyInstance } from 'fastify';
import { InputError } from '../../input-error.ts';
import { RULE_CODE } from './events-routes.ts';
import { PROJECT_PREFIX } from './guard.ts';
import { type ListQuery, likePattern, listQuerySchema, orderBy, pageOf, sendList } from './lists.ts';

// The users list: score, status and counters come from the users row (kept at ingest and by
// scoring), so filtering and sorting never aggregate events.

const STATUSES = ['normal', 'review', 'approved', 'blacklisted'] as const;

type UsersQuery = ListQuery & {
  scoreMin?: number;
  scoreMax?: number;
  status?: (typeof STATUSES)[number];
  rule?: string;
  watched?: boolean;
};

const SORTS: Record<string, string> = {
  id: 'u.id',
  userName: 'u.user_name',
  score: 'u.score',
  status: 'u.status',
  firstSeen: 'u.first_seen',
  lastSeen: 'u.last_seen',
  events: 'u.event_count',
};

const CSV_COLUMNS = [
  'id',
  'userName',
  'fullName',
  'email',
  'score',
  'status',
  'matchedRules',
  'firstSeen',
  'lastSeen',
  'events',
  'country',
  'lastIp',
];

export function registerUsersRoutes(app: FastifyInstance, { db }: { db: Database }): void {
  app.get<{ Querystring: UsersQuery }>(`${PROJECT_PREFIX}/users`, {
    config: { access: 'viewer' },
    schema: {
      summary: 'Users active in the period, with score range, status, matched rule and text filters',
      tags: ['users'],
      querystring: {
        type: 'object',
        properties: {
          ...listQuerySchema.properties,
          scoreMin: { type: 'integer', minimum: 0, maximum: 99 },
          scoreMax: { type: 'integer', minimum: 0, maximum: 99 },
          status: { type: 'string', enum: [...STATUSES] },
          rule: { type: 'string', pattern: RULE_CODE, maxLength: 4 },
          watched: { type: 'boolean' },
        },
      },
    },
    handler: async (request, reply) => {
      const project = request.consoleProject!;
      const query = request.query;
      if (query.scoreMin !== undefined && query.scoreMax !== undefined && query.scoreMin > query.scoreMax) {
        throw new InputError('scoreMin must not be above scoreMax', 'scoreMin');
      }
      const params: unknown[] = [project.id];
      const add = (value: unknown) => {
        params.push(value);
        return `$${params.length}`;
      };
      const where = ['u.project_id = $1'];
      if (query.from) where.push(`u.last_seen >= ${add(new Date(query.from))}`);
      if (query.to) where.push(`u.first_seen < ${add(new Date(query.to))}`);
      if (query.scoreMin !== undefined) where.push(`u.score >= ${add(query.scoreMin)}`);
      if (query.scoreMax !== undefined) where.push(`u.score <= ${add(query.scoreMax)}`);
      if (query.status) where.push(`u.status = ${add(query.status)}`);
      if (query.watched !== undefined) where.push(`u.watched = ${add(query.watched)}`);
      if (query.rule) {
        where.push(
          `u.score_details @> jsonb_build_array(jsonb_build_object('code', ${add(query.rule)}::text))`,
        );
      }
      const q = query.q?.trim();
      if (q) {
        const exact = add(q);
        const like = add(likePattern(q));
        where.push(`(u.user_name = ${exact} OR u.user_name ILIKE ${like} OR u.full_name ILIKE ${like}
                     OR concat_ws(' ', u.first_name, u.last_name) ILIKE ${like}
                     OR EXISTS (SELECT 1 FROM emails em WHERE em.user_id = u.id AND em.project_id = $1
                                   AND em.email ILIKE ${like}))`);
      }
      const { limit, offset } = pageOf(query);
      const order = orderBy(query, SORTS, 'lastSeen', 'u.id');
      const sql = where.join(' AND ');
      const [list, count] = await Promise.all([
        db.query(
          `SELECT u.id, u.user_name AS "userName",
                  coalesce(u.full_name, nullif(concat_ws(' ', u.first_name, u.last_name), '')) AS "fullName",
                  em.email, u.score, u.status, u.watched, u.first_seen AS "firstSeen", u.last_seen AS "lastSeen",
                  u.event_count AS events, i.country, host(u.last_ip) AS "lastIp",
                  coalesce((SELECT string_agg(m->>'code', ' ' ORDER BY m->>'code')
                              FROM jsonb_array_elements(coalesce(u.score_details, '[]')) m), '') AS "matchedRules"
             FROM (SELECT u.* FROM users u WHERE ${sql} ${order} LIMIT ${limit} OFFSET ${offset}) u
             LEFT JOIN emails em ON em.id = u.last_email_id
             LEFT JOIN ips i ON i.project_id = u.project_id AND i.ip = u.last_ip
            ${order}`,
          params,
        ),
        query.format === 'csv'
          ? Promise.resolve({ rows: [{ n: 0 }] })
          : db.query<{ n: number }>(`SELECT count(*)::int AS n FROM users u WHERE ${sql}`, params),
      ]);
      return sendList(
        reply,
        query,
        { rows: list.rows, total: count.rows[0]!.n },
        { filename: 'users', columns: CSV_COLUMNS },
      );
    },
  });

  app.get(`${PROJECT_PREFIX}/users/filters`, {
    config: { access: 'viewer' },
    schema: { summary: 'The rules the users list can be filtered by (core and custom)', tags: ['users'] },
    handler: async (request) => {
      const { rows } = await db.query<{ code: string; name: string }>(
        'SELECT code, name FROM custom_rules WHERE project_id = $1 AND deleted_at IS NULL ORDER BY code',
        [request.consoleProject!.id],
      );
      return {
        statuses: STATUSES,
        rules: [...CORE_RULES.map((r) => ({ code: r.code, name: r.name })), ...rows],
      };
    },
  });
}
