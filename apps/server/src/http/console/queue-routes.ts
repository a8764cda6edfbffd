import { isIP } from 'node:net';
import { eventTypeFromId, ruleByCode } from '@vigil/core';
import type { Database, Executor } from '@vigil/db';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { appendAudit } from '../../audit/chain.ts';
import { notifyListsChanged } from '../../lists/changes.ts';
import {
  deleteList,
  importList,
  ListImportError,
  ListNotFoundError,
  listLists,
  parseExpiry,
} from '../../lists/store.ts';
import type { Operator } from '../../operators/operators.ts';
import { retryOnConflict } from '../../scoring/score-users.ts';
import { applyUserDecision, type UserDecision } from '../../scoring/user-decisions.ts';
import { sendError } from '../errors.ts';
import { PROJECT_PREFIX } from './guard.ts';
import { type ListQuery, likePattern, listQuerySchema, orderBy, pageOf, sendList } from './lists.ts';

export interface QueueRoutesOptions {
  db: Database;
}

/** Users one bulk review request may decide: enough for a screenful of pages, bounded in time. */
export const MAX_BULK_DECISIONS = 500;
/** Watched users whose events feed the watchlist's activity stream. */
const MAX_WATCHED = 1000;
/** The activity stream's total is counted up to this (the pager needs no exact figure beyond). */
const ACTIVITY_COUNT_CAP = 10_000;
/** An imported list file sent through the console (the public API takes larger ones). */
const LIST_IMPORT_LIMIT = 16 * 1024 * 1024;

const userIdParam = {
  type: 'object',
  required: ['userId'],
  properties: { userId: { type: 'string', pattern: '^[0-9]{1,15}$' } },
} as const;

const ruleFilter = { type: 'string', pattern: '^[A-Z][0-9]{2,3}$' } as const;

type Rules = { code: string; weight: number; name: string }[];

/**
 * The analyst's work lists: the review queue with bulk decisions, the blacklist (users, the
 * identities their blacklisting marked, and the operator lists), and the watchlist with its
 * activity. Every decision goes through applyUserDecision, as the public API's do.
 */
export function registerQueueRoutes(app: FastifyInstance, { db }: QueueRoutesOptions): void {
  // ---- Review queue -------------------------------------------------------------------------

  app.get<{ Querystring: ListQuery & { rule?: string } }>(`${PROJECT_PREFIX}/review`, {
    config: { access: 'viewer' },
    schema: {
      summary: 'Users waiting for a review decision (default: longest waiting first)',
      description:
        'Like the queue itself, the list ignores the period: every pending user is shown. ' +
        'Sort: waiting (time in the queue), score, lastSeen, created, userName. Filter: rule (a matched rule code).',
      tags: ['review'],
      querystring: {
        type: 'object',
        properties: { ...listQuerySchema.properties, rule: ruleFilter },
      },
    },
    handler: async (request, reply) => {
      const projectId = request.consoleProject!.id;
      const query = request.query;
      const params: unknown[] = [projectId];
      const where = [`u.project_id = $1`, `u.status = 'review'`];
      if (query.q) {
        params.push(likePattern(query.q));
        where.push(`(u.user_name ILIKE $${params.length} OR u.full_name ILIKE $${params.length})`);
      }
      if (query.rule) {
        params.push(JSON.stringify([{ code: query.rule }]));
        where.push(`u.score_details @> $${params.length}::jsonb`);
      }
      // "waiting" descending = added to the queue longest ago first, the default order.
      const waiting = !query.sort || query.sort === 'waiting';
      const order = orderBy(
        waiting ? { ...query, order: query.order === 'asc' ? 'desc' : 'asc' } : query,
        {
          waiting: 'u.added_to_review',
          score: 'u.score',
          lastSeen: 'u.last_seen',
          created: 'u.created',
          userName: 'u.user_name',
        },
        'waiting',
        'u.id',
      );
      const { limit, offset } = pageOf(query);
      const [rows, total, rules] = await Promise.all([
        db.query(
          `SELECT u.id, u.user_name AS "userName", u.full_name AS "fullName", u.score,
                  u.score_details AS rules, u.added_to_review AS "addedToReview", u.last_seen AS "lastSeen",
                  u.created, u.event_count AS "eventCount", i.country
             FROM users u
             LEFT JOIN ips i ON i.project_id = u.project_id AND i.ip = u.last_ip
            WHERE ${where.join(' AND ')} ${order}
            LIMIT ${limit} OFFSET ${offset}`,
          params,
        ),
        db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM users u WHERE ${where.join(' AND ')}`,
          params,
        ),
        customRuleNames(db, projectId),
      ]);
      const result = rows.rows.map((r) => {
        const matched = namedRules(r.rules, rules);
        return {
          id: Number(r.id),
          userName: r.userName,
          fullName: r.fullName,
          score: r.score,
          rules: matched,
          rulesSummary: matched.map((m) => m.code).join(' '),
          addedToReview: r.addedToReview,
          lastSeen: r.lastSeen,
          created: r.created,
          eventCount: Number(r.eventCount),
          country: r.country,
        };
      });
      return sendList(
        reply,
        query,
        { rows: result, total: total.rows[0]?.n ?? 0 },
        {
          filename: 'review-queue',
          columns: [
            'id',
            'userName',
            'fullName',
            'score',
            'rulesSummary',
            'addedToReview',
            'lastSeen',
            'country',
            'eventCount',
          ],
        },
      );
    },
  });

  app.post<{ Body: { userIds: number[]; decision: 'approve' | 'blacklist'; note?: string } }>(
    `${PROJECT_PREFIX}/review/decisions`,
    {
      config: { access: 'analyst' },
      schema: {
        summary: `Approve or blacklist up to ${MAX_BULK_DECISIONS} users of the review queue, with a note`,
        description:
          'Each user is decided in its own transaction, as a single decision would be; the answer gives ' +
          "each user's outcome: decided (approved / blacklisted), skipped (no longer in the queue: " +
          'someone decided meanwhile) or not_found.',
        tags: ['review'],
        body: {
          type: 'object',
          required: ['userIds', 'decision'],
          properties: {
            userIds: {
              type: 'array',
              minItems: 1,
              maxItems: MAX_BULK_DECISIONS,
              uniqueItems: true,
              items: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER },
            },
            decision: { type: 'string', enum: ['approve', 'blacklist'] },
            note: { type: 'string', maxLength: 2000 },
          },
        },
      },
      handler: async (request) => {
        const projectId = request.consoleProject!.id;
        const actor = (request.operator as Operator).email;
        const { userIds, decision } = request.body;
        const note = request.body.note?.trim() || undefined;
        const { rows } = await db.query<{ id: number; status: string }>(
          'SELECT id, status FROM users WHERE project_id = $1 AND id = ANY($2::bigint[])',
          [projectId, userIds],
        );
        const statusOf = new Map(rows.map((r) => [Number(r.id), r.status]));
        const results: {
          userId: number;
          outcome: 'decided' | 'skipped' | 'not_found';
          status: string | null;
        }[] = [];
        for (const userId of userIds) {
          const status = statusOf.get(userId);
          if (status === undefined) {
            results.push({ userId, outcome: 'not_found', status: null });
          } else if (status !== 'review') {
            results.push({ userId, outcome: 'skipped', status });
          } else {
            const done = await retryOnConflict(() =>
              applyUserDecision(db, { projectId, userId, decision, actor, note }),
            );
            results.push(
              done
                ? { userId, outcome: 'decided', status: done.status }
                : { userId, outcome: 'not_found', status: null },
            );
          }
        }
        const decided = results.filter((r) => r.outcome === 'decided').map((r) => r.userId);
        // Each decision is in the audit trail already (applyUserDecision).
        return {
          decision,
          results,
          counts: {
            decided: decided.length,
            skipped: results.filter((r) => r.outcome === 'skipped').length,
            notFound: results.filter((r) => r.outcome === 'not_found').length,
          },
        };
      },
    },
  );

  // ---- Blacklist ----------------------------------------------------------------------------

  app.get<{ Querystring: ListQuery }>(`${PROJECT_PREFIX}/blacklist/users`, {
    config: { access: 'viewer' },
    schema: {
      summary: 'Blacklisted users: who decided, when, and the note',
      description: 'Sort: decided (default), score, userName, lastSeen. The period does not apply.',
      tags: ['blacklist'],
      querystring: listQuerySchema,
    },
    handler: async (request, reply) => {
      const query = request.query;
      const params: unknown[] = [request.consoleProject!.id];
      const where = [`u.project_id = $1`, `u.status = 'blacklisted'`];
      if (query.q) {
        params.push(likePattern(query.q));
        where.push(`(u.user_name ILIKE $${params.length} OR u.full_name ILIKE $${params.length})`);
      }
      const order = orderBy(
        query,
        { decided: 'u.decided_at', score: 'u.score', userName: 'u.user_name', lastSeen: 'u.last_seen' },
        'decided',
        'u.id',
      );
      const { limit, offset } = pageOf(query);
      const [rows, total] = await Promise.all([
        db.query(
          `SELECT u.id, u.user_name AS "userName", u.full_name AS "fullName", u.score,
                  u.decided_at AS "decidedAt", u.decided_by AS "decidedBy", u.last_seen AS "lastSeen",
                  (SELECT d.note FROM user_decisions d
                    WHERE d.user_id = u.id AND d.decision = 'blacklist' ORDER BY d.id DESC LIMIT 1) AS note
             FROM users u WHERE ${where.join(' AND ')} ${order}
            LIMIT ${limit} OFFSET ${offset}`,
          params,
        ),
        db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM users u WHERE ${where.join(' AND ')}`,
          params,
        ),
      ]);
      return sendList(
        reply,
        query,
        { rows: rows.rows.map((r) => ({ ...r, id: Number(r.id) })), total: total.rows[0]?.n ?? 0 },
        {
          filename: 'blacklisted-users',
          columns: ['id', 'userName', 'fullName', 'score', 'decidedAt', 'decidedBy', 'note', 'lastSeen'],
        },
      );
    },
  });

  app.delete<{ Params: { projectId: string; userId: string } }>(`${PROJECT_PREFIX}/blacklist/users/:userId`, {
    config: { access: 'analyst' },
    schema: {
      summary: 'Take a user off the blacklist (with the identities only they held)',
      tags: ['blacklist'],
      params: userIdParam,
    },
    handler: async (request, reply) =>
      decide(db, reply, request.consoleProject!.id, request.params.userId, 'unblacklist', request.operator!, {
        mustBe: 'blacklisted',
      }),
  });

  app.get<{ Querystring: ListQuery & { type?: IdentityType } }>(`${PROJECT_PREFIX}/blacklist/identities`, {
    config: { access: 'viewer' },
    schema: {
      summary: 'Blacklisted identities: IPs, e-mail addresses and phone numbers',
      description:
        'One row per identity, with the latest blacklisted user who holds it. ' +
        'Sort: added (default), type, value, score, lastSeen. Filter: type (ip | email | phone).',
      tags: ['blacklist'],
      querystring: {
        type: 'object',
        properties: { ...listQuerySchema.properties, type: { type: 'string', enum: IDENTITY_TYPES } },
      },
    },
    handler: async (request, reply) => {
      const query = request.query;
      const params: unknown[] = [request.consoleProject!.id];
      const where: string[] = [];
      if (query.type) {
        params.push(query.type);
        where.push(`type = $${params.length}`);
      }
      if (query.q) {
        params.push(likePattern(query.q));
        where.push(`(value ILIKE $${params.length} OR "userName" ILIKE $${params.length})`);
      }
      const order = orderBy(
        query,
        { added: '"blacklistedAt"', type: 'type', value: 'value', score: 'score', lastSeen: '"lastSeen"' },
        'added',
        'value',
      );
      const { limit, offset } = pageOf(query);
      const { rows } = await db.query(
        `SELECT *, count(*) OVER ()::int AS total FROM (${IDENTITIES_SQL}) x
          ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ${order}
          LIMIT ${limit} OFFSET ${offset}`,
        params,
      );
      let total = rows[0]?.total ?? 0;
      if (rows.length === 0 && offset > 0) {
        const count = await db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM (${IDENTITIES_SQL}) x ${where.length ? `WHERE ${where.join(' AND ')}` : ''}`,
          params,
        );
        total = count.rows[0]?.n ?? 0;
      }
      const result = rows.map(({ total: _, ...r }) => ({
        ...r,
        entityId: Number(r.entityId),
        userId: r.userId === null ? null : Number(r.userId),
      }));
      return sendList(
        reply,
        query,
        { rows: result, total },
        {
          filename: 'blacklisted-identities',
          columns: ['type', 'value', 'users', 'userId', 'userName', 'score', 'blacklistedAt', 'lastSeen'],
        },
      );
    },
  });

  app.delete<{ Params: { projectId: string; type: IdentityType; value: string } }>(
    `${PROJECT_PREFIX}/blacklist/identities/:type/:value`,
    {
      config: { access: 'analyst' },
      schema: {
        summary: 'Take one IP, e-mail address or phone number off the blacklist',
        description:
          'Only that identity: its users keep their status. It is marked again if a user holding it is blacklisted later.',
        tags: ['blacklist'],
        params: {
          type: 'object',
          required: ['type', 'value'],
          properties: {
            type: { type: 'string', enum: IDENTITY_TYPES },
            value: { type: 'string', minLength: 1, maxLength: 320 },
          },
        },
      },
      handler: async (request, reply) => {
        const projectId = request.consoleProject!.id;
        const { type, value } = request.params;
        if (type === 'ip' && isIP(value) === 0) {
          return sendError(reply, 400, 'invalid_parameter', 'Not an IP address', 'value');
        }
        const sql = {
          ip: 'UPDATE ips SET blacklisted = false WHERE project_id = $1 AND ip = $2::inet AND blacklisted',
          email: 'UPDATE emails SET blacklisted = false WHERE project_id = $1 AND email = $2 AND blacklisted',
          phone: 'UPDATE phones SET blacklisted = false WHERE project_id = $1 AND phone = $2 AND blacklisted',
        }[type];
        const removed = await db.transaction(async (tx) => {
          const { rowCount } = await tx.query(sql, [projectId, value]);
          if (!rowCount) return false;
          await appendAudit(tx, {
            projectId,
            actor: (request.operator as Operator).email,
            action: 'blacklist.identity_remove',
            target: `${type}:${value}`,
          });
          return true;
        });
        if (!removed) {
          return sendError(reply, 404, 'not_found', `No blacklisted ${type} with this value`, 'value');
        }
        return reply.code(204).send();
      },
    },
  );

  // ---- Operator lists (the blacklist page shows and imports them) ----------------------------

  app.get(`${PROJECT_PREFIX}/lists`, {
    config: { access: 'viewer' },
    schema: { summary: 'Operator lists of this project, newest first', tags: ['blacklist'] },
    handler: async (request) => ({
      lists: (await listLists(db, request.consoleProject!.id)).map((l) => ({
        listId: l.listId,
        label: l.label,
        kind: l.kind,
        score: l.score,
        expiresAt: l.expiresAt?.toISOString() ?? null,
        expired: l.expired,
        createdAt: l.createdAt.toISOString(),
        entryCount: l.entryCount,
        counts: l.counts,
      })),
    }),
  });

  app.post<{ Body: { label: string; kind?: string; score?: number; expiresAt?: string; content: string } }>(
    `${PROJECT_PREFIX}/lists`,
    {
      config: { access: 'analyst' },
      bodyLimit: LIST_IMPORT_LIMIT,
      schema: {
        summary: 'Import an operator list (CSV or one value per line), all or nothing',
        description:
          'A malformed file is refused whole: 400 invalid_list with the 1-based line at fault, and nothing is stored.',
        tags: ['blacklist'],
        body: {
          type: 'object',
          required: ['label', 'content'],
          properties: {
            label: { type: 'string', minLength: 1, maxLength: 200 },
            kind: { type: 'string', enum: ['ip', 'cidr', 'asn', 'domain', 'email', 'phone', 'ua'] },
            score: { type: 'number', minimum: -1000, maximum: 1000 },
            expiresAt: { type: 'string', maxLength: 40 },
            content: { type: 'string', maxLength: LIST_IMPORT_LIMIT },
          },
        },
      },
      handler: async (request, reply) => {
        const projectId = request.consoleProject!.id;
        const body = request.body;
        let expiresAt: Date | null = null;
        if (body.expiresAt) {
          expiresAt = parseExpiry(body.expiresAt);
          if (!expiresAt) {
            return sendError(
              reply,
              400,
              'invalid_parameter',
              'expiresAt must be a date (YYYY-MM-DD) or an ISO 8601 date-time with its zone',
              'expiresAt',
            );
          }
        }
        try {
          const list = await importList(db, projectId, {
            text: body.content,
            label: body.label,
            kind: body.kind as never,
            score: body.score ?? null,
            expiresAt,
          });
          await notifyListsChanged(db);
          await db.transaction((tx) =>
            appendAudit(tx, {
              projectId,
              actor: (request.operator as Operator).email,
              action: 'list.import',
              target: `list:${list.listId}`,
              details: { label: list.label, kind: list.kind, entryCount: list.entryCount },
            }),
          );
          return reply.code(201).send({
            listId: list.listId,
            label: list.label,
            kind: list.kind,
            score: list.score,
            expiresAt: list.expiresAt?.toISOString() ?? null,
            entryCount: list.entryCount,
            counts: list.counts,
          });
        } catch (error) {
          if (!(error instanceof ListImportError)) throw error;
          if (error.field !== 'content') {
            return sendError(reply, 400, 'invalid_parameter', error.message, error.field);
          }
          return sendError(reply, 400, 'invalid_list', error.message, 'content', { line: error.line });
        }
      },
    },
  );

  app.delete<{ Params: { projectId: string; listId: string } }>(`${PROJECT_PREFIX}/lists/:listId`, {
    config: { access: 'analyst' },
    schema: {
      summary: 'Delete an operator list',
      tags: ['blacklist'],
      params: {
        type: 'object',
        required: ['listId'],
        properties: { listId: { type: 'string', maxLength: 36 } },
      },
    },
    handler: async (request, reply) => {
      const projectId = request.consoleProject!.id;
      try {
        await deleteList(db, projectId, request.params.listId);
      } catch (error) {
        if (error instanceof ListNotFoundError) {
          return sendError(reply, 404, 'not_found', 'No list with this id in this project', 'listId');
        }
        throw error;
      }
      await notifyListsChanged(db);
      await db.transaction((tx) =>
        appendAudit(tx, {
          projectId,
          actor: (request.operator as Operator).email,
          action: 'list.delete',
          target: `list:${request.params.listId}`,
        }),
      );
      return reply.code(204).send();
    },
  });

  // ---- Watchlist ----------------------------------------------------------------------------

  app.get(`${PROJECT_PREFIX}/watchlist`, {
    config: { access: 'viewer' },
    schema: {
      summary: `Watched (starred) users, most recently seen first (at most ${MAX_WATCHED})`,
      tags: ['watchlist'],
    },
    handler: async (request) => {
      const { rows } = await db.query(
        `SELECT u.id, u.user_name AS "userName", u.full_name AS "fullName", u.score, u.status,
                u.last_seen AS "lastSeen", u.event_count AS "eventCount",
                (SELECT d.created_at FROM user_decisions d
                  WHERE d.user_id = u.id AND d.decision = 'watch' ORDER BY d.id DESC LIMIT 1) AS "watchedSince"
           FROM users u WHERE u.project_id = $1 AND u.watched
          ORDER BY u.last_seen DESC, u.id LIMIT ${MAX_WATCHED}`,
        [request.consoleProject!.id],
      );
      return { users: rows.map((r) => ({ ...r, id: Number(r.id), eventCount: Number(r.eventCount) })) };
    },
  });

  app.get<{ Querystring: ListQuery & { userId?: string } }>(`${PROJECT_PREFIX}/watchlist/events`, {
    config: { access: 'viewer' },
    schema: {
      summary: 'Recent activity of the watched users: their events in the period, newest first',
      description: `Filter: userId (one watched user). The total is counted up to ${ACTIVITY_COUNT_CAP}.`,
      tags: ['watchlist'],
      querystring: {
        type: 'object',
        properties: {
          ...listQuerySchema.properties,
          userId: { type: 'string', pattern: '^[0-9]{1,15}$' },
        },
      },
    },
    handler: async (request, reply) => {
      const query = request.query;
      const projectId = request.consoleProject!.id;
      const { limit, offset } = pageOf(query);
      const params: unknown[] = [projectId, query.from ?? null, query.to ?? null];
      let watched = `SELECT id, user_name FROM users WHERE project_id = $1 AND watched`;
      if (query.userId) {
        params.push(query.userId);
        watched += ` AND id = $${params.length}::bigint`;
      }
      const period = `e.project_id = $1 AND ($2::timestamptz IS NULL OR e.time >= $2::timestamptz)
                      AND ($3::timestamptz IS NULL OR e.time < $3::timestamptz)`;
      const w = `WITH w AS (${watched} ORDER BY last_seen DESC LIMIT ${MAX_WATCHED})`;
      // Each watched user contributes at most the rows up to this page's end, read newest first
      // from their (user_id, time) index, so the merge never scans a user's whole history.
      const perUser = offset + limit;
      const [rows, total] = await Promise.all([
        db.query(
          `${w}
           SELECT e.id, e.time, e.type, e.http_code AS "httpCode", w.id AS "userId", w.user_name AS "userName",
                  host(i.ip) AS ip, i.country, r.id AS "resourceId", r.url
             FROM w CROSS JOIN LATERAL (
                    SELECT e.id, e.time, e.type, e.http_code, e.ip_id, e.resource_id FROM events e
                     WHERE e.user_id = w.id AND ${period} ORDER BY e.time DESC, e.id DESC LIMIT ${perUser}) e
             JOIN ips i ON i.id = e.ip_id
             JOIN resources r ON r.id = e.resource_id
            ORDER BY e.time ${query.order === 'asc' ? 'ASC' : 'DESC'}, e.id DESC
            LIMIT ${limit} OFFSET ${offset}`,
          params,
        ),
        db.query<{ n: number }>(
          `${w}
           SELECT count(*)::int AS n FROM (
             SELECT 1 FROM w JOIN events e ON e.user_id = w.id WHERE ${period} LIMIT ${ACTIVITY_COUNT_CAP}) c`,
          params,
        ),
      ]);
      const result = rows.rows.map((r) => ({
        id: Number(r.id),
        time: r.time,
        type: eventTypeFromId(Number(r.type)) ?? 'unknown',
        httpCode: r.httpCode,
        userId: Number(r.userId),
        userName: r.userName,
        ip: r.ip,
        country: r.country,
        resourceId: Number(r.resourceId),
        url: r.url,
      }));
      return sendList(
        reply,
        query,
        { rows: result, total: total.rows[0]?.n ?? 0 },
        {
          filename: 'watchlist-activity',
          columns: ['id', 'time', 'type', 'userId', 'userName', 'ip', 'country', 'url', 'httpCode'],
        },
      );
    },
  });

  app.put<{ Params: { projectId: string; userId: string } }>(`${PROJECT_PREFIX}/watchlist/:userId`, {
    config: { access: 'analyst' },
    schema: { summary: 'Watch (star) a user', tags: ['watchlist'], params: userIdParam },
    handler: async (request, reply) =>
      decide(db, reply, request.consoleProject!.id, request.params.userId, 'watch', request.operator!),
  });

  app.delete<{ Params: { projectId: string; userId: string } }>(`${PROJECT_PREFIX}/watchlist/:userId`, {
    config: { access: 'analyst' },
    schema: { summary: 'Stop watching a user', tags: ['watchlist'], params: userIdParam },
    handler: async (request, reply) =>
      decide(db, reply, request.consoleProject!.id, request.params.userId, 'unwatch', request.operator!),
  });
}

const IDENTITY_TYPES = ['ip', 'email', 'phone'] as const;
type IdentityType = (typeof IDENTITY_TYPES)[number];

/**
 * The identities propagateBlacklist marks (ips / emails / phones .blacklisted), one row per value.
 * An e-mail or phone has a row per user holding it, so those are grouped by value; each row
 * names the most recently blacklisted user who holds it, if any still does.
 */
const IDENTITIES_SQL = `
  SELECT 'ip'::text AS type, host(i.ip) AS value, i.id AS "entityId", i.last_seen AS "lastSeen",
         i.user_count AS users, b.id AS "userId", b.user_name AS "userName", b.score, b.decided_at AS "blacklistedAt"
    FROM ips i
    LEFT JOIN LATERAL (
      SELECT u.id, u.user_name, u.score, u.decided_at FROM user_ips l JOIN users u ON u.id = l.user_id
       WHERE l.ip_id = i.id AND u.status = 'blacklisted' ORDER BY u.decided_at DESC NULLS LAST LIMIT 1) b ON true
   WHERE i.project_id = $1 AND i.blacklisted
  UNION ALL
  SELECT 'email', g.value, g.id, g.last_seen, g.users, b.id, b.user_name, b.score, b.decided_at
    FROM (SELECT email AS value, min(id) AS id, max(last_seen) AS last_seen, count(*)::int AS users
            FROM emails WHERE project_id = $1 AND blacklisted GROUP BY email) g
    LEFT JOIN LATERAL (
      SELECT u.id, u.user_name, u.score, u.decided_at FROM emails o JOIN users u ON u.id = o.user_id
       WHERE o.project_id = $1 AND o.email = g.value AND u.status = 'blacklisted'
       ORDER BY u.decided_at DESC NULLS LAST LIMIT 1) b ON true
  UNION ALL
  SELECT 'phone', g.value, g.id, g.last_seen, g.users, b.id, b.user_name, b.score, b.decided_at
    FROM (SELECT phone AS value, min(id) AS id, max(last_seen) AS last_seen, count(*)::int AS users
            FROM phones WHERE project_id = $1 AND blacklisted GROUP BY phone) g
    LEFT JOIN LATERAL (
      SELECT u.id, u.user_name, u.score, u.decided_at FROM phones o JOIN users u ON u.id = o.user_id
       WHERE o.project_id = $1 AND o.phone = g.value AND u.status = 'blacklisted'
       ORDER BY u.decided_at DESC NULLS LAST LIMIT 1) b ON true`;

/** A single decision about one user of the project, through the shared use-case. */
async function decide(
  db: Database,
  reply: FastifyReply,
  projectId: string,
  userIdText: string,
  decision: UserDecision,
  operator: Operator,
  options: { mustBe?: string } = {},
) {
  const userId = Number(userIdText);
  if (options.mustBe) {
    const { rows } = await db.query<{ status: string }>(
      'SELECT status FROM users WHERE project_id = $1 AND id = $2',
      [projectId, userId],
    );
    if (!rows[0]) return sendError(reply, 404, 'not_found', 'No such user in this project', 'userId');
    if (rows[0].status !== options.mustBe) {
      return sendError(
        reply,
        409,
        'conflict',
        `The user is ${rows[0].status}, not ${options.mustBe}`,
        'userId',
      );
    }
  }
  const result = await retryOnConflict(() =>
    applyUserDecision(db, { projectId, userId, decision, actor: operator.email }),
  );
  if (!result) return sendError(reply, 404, 'not_found', 'No such user in this project', 'userId');
  return { userId, decision, status: result.status, watched: result.watched };
}

/** Custom rules' names (core rules carry theirs in the catalogue). */
async function customRuleNames(db: Executor, projectId: string): Promise<Map<string, string>> {
  const { rows } = await db.query<{ code: string; name: string }>(
    'SELECT code, name FROM custom_rules WHERE project_id = $1',
    [projectId],
  );
  return new Map(rows.map((r) => [r.code, r.name]));
}

function namedRules(details: unknown, custom: Map<string, string>): Rules {
  if (!Array.isArray(details)) return [];
  return details
    .filter((d): d is { code: string; weight: number } => typeof d?.code === 'string')
    .map((d) => ({
      code: d.code,
      weight: Number(d.weight),
      name: ruleByCode(d.code)?.name ?? custom.get(d.code) ?? d.code,
    }));
}
