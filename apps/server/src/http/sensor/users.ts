import { eventTypeFromId, httpMethodFromId } from '@vigil/core';
import type { Executor } from '@vigil/db';
import type { FastifyInstance } from 'fastify';
import { sendError } from '../errors.ts';

/** Read API for integrators, scoped to the project of the Api-Key. */
export function registerUserRoutes(app: FastifyInstance, db: Executor): void {
  app.get<{ Params: { userName: string } }>('/api/v1/users/:userName', async (request, reply) => {
    const { rows } = await db.query<{
      user_name: string;
      score: number | null;
      status: string;
      event_count: number;
      first_seen: Date;
      last_seen: Date;
    }>(
      `SELECT user_name, score, status, event_count, first_seen, last_seen
         FROM users WHERE project_id = $1 AND user_name = $2`,
      [request.project.id, request.params.userName],
    );
    const u = rows[0];
    if (!u) return sendError(reply, 404, 'not_found', 'No such user in this project', 'userName');
    return {
      userName: u.user_name,
      score: u.score,
      status: u.status,
      eventCount: Number(u.event_count),
      firstSeen: u.first_seen.toISOString(),
      lastSeen: u.last_seen.toISOString(),
    };
  });

  app.get<{ Params: { userName: string }; Querystring: { limit?: string } }>(
    '/api/v1/users/:userName/events',
    async (request, reply) => {
      const raw = request.query.limit ?? '50';
      const limit = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
      if (!(limit >= 1 && limit <= 1000)) {
        return sendError(
          reply,
          400,
          'invalid_parameter',
          'limit must be a whole number from 1 to 1000',
          'limit',
        );
      }
      const user = await db.query<{ id: number }>(
        'SELECT id FROM users WHERE project_id = $1 AND user_name = $2',
        [request.project.id, request.params.userName],
      );
      const id = user.rows[0]?.id;
      if (id === undefined)
        return sendError(reply, 404, 'not_found', 'No such user in this project', 'userName');
      const { rows } = await db.query<EventRow>(
        `SELECT e.id, e.type, e.time, host(i.ip) AS ip, r.url, q.query, ua.ua, d.lang, e.http_code,
                e.http_method, ref.referer, em.email, ph.phone, e.payload, e.request_id, e.session_id
           FROM events e
           JOIN ips i ON i.id = e.ip_id
           JOIN resources r ON r.id = e.resource_id
           JOIN devices d ON d.id = e.device_id
           JOIN user_agents ua ON ua.id = d.user_agent_id
           LEFT JOIN resource_queries q ON q.id = e.query_id
           LEFT JOIN referers ref ON ref.id = e.referer_id
           LEFT JOIN emails em ON em.id = e.email_id
           LEFT JOIN phones ph ON ph.id = e.phone_id
          WHERE e.user_id = $1 AND e.project_id = $2
          ORDER BY e.time DESC, e.id DESC
          LIMIT $3`,
        [id, request.project.id, limit],
      );
      const changes = await fieldChanges(
        db,
        rows.map((r) => r.id),
        id,
      );
      return {
        userName: request.params.userName,
        events: rows.map((r) => ({
          id: Number(r.id),
          type: eventTypeFromId(r.type),
          time: r.time.toISOString(),
          ipAddress: r.ip,
          url: r.url,
          query: r.query,
          userAgent: r.ua,
          browserLanguage: r.lang,
          httpCode: r.http_code,
          httpMethod:
            r.http_method === null ? null : (httpMethodFromId(r.http_method)?.toUpperCase() ?? null),
          httpReferer: r.referer,
          emailAddress: r.email,
          phoneNumber: r.phone,
          payload: r.payload,
          fieldHistory: changes.get(Number(r.id)) ?? null,
          requestId: r.request_id,
          sessionId: Number(r.session_id),
        })),
      };
    },
  );
}

interface EventRow {
  id: number;
  type: number;
  time: Date;
  ip: string;
  url: string;
  query: string | null;
  ua: string | null;
  lang: string | null;
  http_code: number | null;
  http_method: number | null;
  referer: string | null;
  email: string | null;
  phone: string | null;
  payload: unknown;
  request_id: string | null;
  session_id: number;
}

async function fieldChanges(db: Executor, eventIds: number[], userId: number) {
  const byEvent = new Map<number, unknown[]>();
  if (eventIds.length === 0) return byEvent;
  const { rows } = await db.query<{
    event_id: number;
    field_id: string;
    field_name: string | null;
    old_value: string | null;
    new_value: string;
    parent_id: string | null;
    parent_name: string | null;
  }>(
    `SELECT c.event_id, f.field_id, c.field_name, c.old_value, c.new_value, c.parent_id, c.parent_name
       FROM field_changes c JOIN fields f ON f.id = c.field_ref
      WHERE c.user_id = $1 AND c.event_id = ANY($2::bigint[])
      ORDER BY c.id`,
    [userId, eventIds],
  );
  for (const r of rows) {
    const list = byEvent.get(Number(r.event_id)) ?? [];
    list.push({
      fieldId: r.field_id,
      fieldName: r.field_name,
      oldValue: r.old_value,
      newValue: r.new_value,
      parentId: r.parent_id,
      parentName: r.parent_name,
    });
    byEvent.set(Number(r.event_id), list);
  }
  return byEvent;
}
