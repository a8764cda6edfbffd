import { eventTypeFromId, eventTypeId, ruleByCode } from '@vigil/core';
import type { Database, Executor } from '@vigil/db';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Operator } from '../../operators/operators.ts';
import { eraseUser, UserNotFoundError } from '../../privacy/erase-user.ts';
import type { RuleSets } from '../../scoring/rule-sets.ts';
import { retryOnConflict, scoreUsers } from '../../scoring/score-users.ts';
import { applyUserDecision, USER_DECISIONS, type UserDecision } from '../../scoring/user-decisions.ts';
import { sendError } from '../errors.ts';
import { PROJECT_PREFIX } from './guard.ts';
import { type ListQuery, listQuerySchema, orderBy, pageOf, sendList } from './lists.ts';
import { periodOf, withTimezone } from './period.ts';

export interface UserRoutesOptions {
  db: Database;
  ruleSets: RuleSets;
}

const USER = `${PROJECT_PREFIX}/users/:userId`;
const tags = ['user view'];
const userParams = {
  type: 'object',
  required: ['projectId', 'userId'],
  properties: {
    projectId: { type: 'string', maxLength: 64 },
    userId: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER },
  },
} as const;
type Params = { projectId: string; userId: number };
/** The OpenAPI description of a route about one user. */
const aboutUser = (summary: string) => ({ summary, tags, params: userParams });
const noSuchUser = (reply: FastifyReply) =>
  sendError(reply, 404, 'not_found', 'No such user in this project', 'userId');

/** Lists embedded in the page (IPs, devices, e-mails…) show this many rows at most. */
const SMALL_LIST = 100;
/** Connected identities drawn and listed. */
const MAX_CONNECTIONS = 50;
/** Counts above this are reported as "at least" (capped), so no count scans without bound. */
const COUNT_CAP = 10_000;

/**
 * The single user view: the user with their score breakdown and evidence, identities, activity,
 * timeline, related entities, field history and connected users; and the analyst's actions on
 * them (decision, watch, rescore) and the admin's (delete). Every query is bounded by the user.
 */
export function registerUserRoutes(app: FastifyInstance, { db, ruleSets }: UserRoutesOptions): void {
  /** The user row, scoped to the project of the URL; answers 404 and returns null otherwise. */
  async function findUser(request: FastifyRequest, reply: FastifyReply): Promise<UserRow | null> {
    const { userId } = request.params as Params;
    const { rows } = await db.query<UserRow>(
      `SELECT id, user_name, first_name, last_name, full_name, created, first_seen, last_seen, last_ip,
              last_email_id, last_phone_id, event_count, score, score_updated_at, score_details, status,
              added_to_review, watched, decided_at, decided_by, rule_set_version
         FROM users WHERE project_id = $1 AND id = $2`,
      [request.consoleProject!.id, userId],
    );
    if (!rows[0]) {
      noSuchUser(reply);
      return null;
    }
    return rows[0];
  }

  app.get<{ Params: Params }>(USER, {
    config: { access: 'viewer' },
    schema: aboutUser(
      'One user: identity, status, score with the matched rules and their evidence, decisions',
    ),
    handler: async (request, reply) => {
      const user = await findUser(request, reply);
      if (!user) return;
      const projectId = request.consoleProject!.id;
      const id = Number(user.id);
      const [latest, project, decisions, identity] = await Promise.all([
        db.query<{ results: StoredOutcome[]; computed_at: Date }>(
          'SELECT results, computed_at FROM user_scores WHERE user_id = $1 ORDER BY id DESC LIMIT 1',
          [id],
        ),
        db.query<{ rule_set_version: number; review_threshold: number; blacklist_threshold: number | null }>(
          'SELECT rule_set_version, review_threshold, blacklist_threshold FROM projects WHERE id = $1',
          [projectId],
        ),
        db.query(
          `SELECT id::int AS id, decision, actor, note, created_at AS "at" FROM user_decisions
            WHERE user_id = $1 ORDER BY id DESC LIMIT 20`,
          [id],
        ),
        identityOf(db, projectId, user),
      ]);
      const outcomes = new Map((latest.rows[0]?.results ?? []).map((r) => [r.code, r]));
      const customNames = await customRuleDescriptions(db, projectId, user.score_details ?? []);
      // score_details is what the current score was computed from; the history row holds evidence.
      const matched = (user.score_details ?? [])
        .map((d) => {
          const outcome = outcomes.get(d.code);
          const core = ruleByCode(d.code);
          return {
            code: d.code,
            name: outcome?.name ?? core?.name ?? customNames.get(d.code)?.name ?? d.code,
            description: core?.description ?? customNames.get(d.code)?.description ?? '',
            weight: d.weight,
            evidence: outcome?.evidence ?? null,
          };
        })
        .sort((a, b) => b.weight - a.weight || a.code.localeCompare(b.code));
      const notApplicable = [...outcomes.values()]
        .filter((o) => o.status === 'not_applicable')
        .map((o) => ({ code: o.code, name: o.name, reason: o.evidence?.reason ?? null }));
      const evidenceIds = [...new Set(matched.flatMap((m) => m.evidence?.eventIds ?? []))].slice(0, 100);
      const evidenceEvents = evidenceIds.length
        ? (
            await db.query<{ id: number; type: number; time: Date; url: string; ip: string }>(
              `SELECT e.id, e.type, e.time, r.url, host(i.ip) AS ip
                 FROM events e JOIN resources r ON r.id = e.resource_id JOIN ips i ON i.id = e.ip_id
                WHERE e.project_id = $1 AND e.user_id = $2 AND e.id = ANY($3::bigint[])`,
              [projectId, id, evidenceIds],
            )
          ).rows.map((e) => ({
            id: Number(e.id),
            type: eventTypeFromId(e.type) ?? null,
            time: e.time,
            url: e.url,
            ip: e.ip,
          }))
        : [];
      const p = project.rows[0]!;
      return {
        user: {
          id,
          userName: user.user_name,
          firstName: user.first_name,
          lastName: user.last_name,
          fullName: user.full_name,
          created: user.created,
          firstSeen: user.first_seen,
          lastSeen: user.last_seen,
          eventCount: Number(user.event_count),
          status: user.status,
          watched: user.watched,
          addedToReview: user.added_to_review,
          decidedAt: user.decided_at,
          decidedBy: user.decided_by,
        },
        score: {
          score: user.score,
          updatedAt: user.score_updated_at,
          ruleSetVersion: user.rule_set_version,
          currentRuleSetVersion: p.rule_set_version,
          reviewThreshold: p.review_threshold,
          blacklistThreshold: p.blacklist_threshold,
          matched,
          notApplicable,
          evidenceEvents,
        },
        decisions: decisions.rows,
        identity,
      };
    },
  });

  app.get<{ Params: Params; Querystring: { tz?: string } }>(`${USER}/activity`, {
    config: { access: 'viewer' },
    schema: {
      ...aboutUser("The user's last 7 days against the 7 before, per day in the operator's timezone"),
      querystring: { type: 'object', properties: { tz: { type: 'string', maxLength: 64 } } },
    },
    handler: async (request, reply) => {
      const user = await findUser(request, reply);
      if (!user) return;
      const { tz } = periodOf(
        { ...(request.query.tz ? { tz: request.query.tz } : {}) },
        request.consoleProject!.timezone,
      );
      const params = [
        Number(user.id),
        request.consoleProject!.id,
        tz,
        eventTypeId('account_login'),
        eventTypeId('account_login_fail'),
      ];
      // Days are the operator's calendar days: 14 of them, ending today.
      const bounds = `(date_trunc('day', now() AT TIME ZONE $3) - interval '13 days')`;
      const [days, totals] = await withTimezone(tz, () =>
        Promise.all([
          db.query<{ day: string; events: number; logins: number; failed: number; ips: number }>(
            `SELECT to_char(d.day, 'YYYY-MM-DD') AS day, coalesce(c.events, 0)::int AS events,
                  coalesce(c.logins, 0)::int AS logins, coalesce(c.failed, 0)::int AS failed,
                  coalesce(c.ips, 0)::int AS ips
             FROM generate_series(${bounds}, ${bounds} + interval '13 days', interval '1 day') AS d(day)
             LEFT JOIN (
               SELECT date_trunc('day', e.time AT TIME ZONE $3) AS day, count(*) AS events,
                      count(*) FILTER (WHERE e.type = $4) AS logins,
                      count(*) FILTER (WHERE e.type = $5) AS failed, count(DISTINCT e.ip_id) AS ips
                 FROM events e
                WHERE e.user_id = $1 AND e.project_id = $2 AND e.time >= (${bounds} AT TIME ZONE $3)
                GROUP BY 1) c ON c.day = d.day
            ORDER BY d.day`,
            params,
          ),
          db.query<Record<string, number>>(
            `WITH e AS (
             SELECT e.time >= ((${bounds} + interval '7 days') AT TIME ZONE $3) AS current, e.type, e.ip_id
               FROM events e
              WHERE e.user_id = $1 AND e.project_id = $2 AND e.time >= (${bounds} AT TIME ZONE $3))
           SELECT count(*) FILTER (WHERE current)::int AS events_current,
                  count(*) FILTER (WHERE NOT current)::int AS events_previous,
                  count(*) FILTER (WHERE current AND type = $4)::int AS logins_current,
                  count(*) FILTER (WHERE NOT current AND type = $4)::int AS logins_previous,
                  count(*) FILTER (WHERE current AND type = $5)::int AS failed_current,
                  count(*) FILTER (WHERE NOT current AND type = $5)::int AS failed_previous,
                  count(DISTINCT ip_id) FILTER (WHERE current)::int AS ips_current,
                  count(DISTINCT ip_id) FILTER (WHERE NOT current)::int AS ips_previous
             FROM e`,
            params,
          ),
        ]),
      );
      const rows = days.rows;
      const series = (key: 'events' | 'logins' | 'failed' | 'ips') => ({
        current: rows.slice(7).map((r) => Number(r[key])),
        previous: rows.slice(0, 7).map((r) => Number(r[key])),
      });
      const t = totals.rows[0]!;
      const total = (key: string) => ({ current: t[`${key}_current`], previous: t[`${key}_previous`] });
      return {
        timezone: tz,
        days: rows.map((r) => r.day),
        events: { ...series('events'), total: total('events') },
        logins: { ...series('logins'), total: total('logins') },
        failedLogins: { ...series('failed'), total: total('failed') },
        ips: { ...series('ips'), total: total('ips') },
      };
    },
  });

  app.get<{ Params: Params }>(`${USER}/scores`, {
    config: { access: 'viewer' },
    schema: aboutUser("The user's score history (the last 100 changes)"),
    handler: async (request, reply) => {
      const user = await findUser(request, reply);
      if (!user) return;
      const { rows } = await db.query<{
        id: number;
        score: number;
        computed_at: Date;
        rule_set_version: number;
        matched: string[] | null;
      }>(
        `SELECT s.id, s.score, s.computed_at, s.rule_set_version,
                (SELECT array_agg(r->>'code' ORDER BY r->>'code') FROM jsonb_array_elements(s.results) r
                  WHERE r->>'status' = 'match') AS matched
           FROM user_scores s WHERE s.user_id = $1 ORDER BY s.id DESC LIMIT 100`,
        [Number(user.id)],
      );
      return {
        scores: rows.map((r) => ({
          id: Number(r.id),
          score: r.score,
          computedAt: r.computed_at,
          ruleSetVersion: r.rule_set_version,
          matched: r.matched ?? [],
        })),
      };
    },
  });

  app.get<{ Params: Params; Querystring: ListQuery }>(`${USER}/events`, {
    config: { access: 'viewer' },
    schema: {
      ...aboutUser("The user's timeline: events with their session, newest first"),
      querystring: listQuerySchema,
    },
    handler: async (request, reply) => {
      const user = await findUser(request, reply);
      if (!user) return;
      const query = request.query;
      const where = ['e.user_id = $1', 'e.project_id = $2'];
      const values: unknown[] = [Number(user.id), request.consoleProject!.id];
      if (query.from) where.push(`e.time >= $${values.push(query.from)}`);
      if (query.to) where.push(`e.time < $${values.push(query.to)}`);
      const { limit, offset } = pageOf(query);
      const order = orderBy(query, { time: 'e.time' }, 'time', 'e.id');
      const [page, count] = await Promise.all([
        db.query<TimelineRow>(
          `SELECT e.id, e.time, e.type, e.http_code, e.session_id, s.started AS session_started,
                  s.event_count AS session_events, r.url, host(i.ip) AS ip, i.country, i.is_local,
                  i.is_datacenter, i.is_tor, i.is_vpn, i.is_relay, i.is_starlink, i.blacklisted AS ip_blacklisted,
                  d.user_agent_id, ua.device_type, ua.os_name, ua.browser_name, ua.is_bot
             FROM events e
             JOIN sessions s ON s.id = e.session_id
             JOIN resources r ON r.id = e.resource_id
             JOIN ips i ON i.id = e.ip_id
             JOIN devices d ON d.id = e.device_id
             JOIN user_agents ua ON ua.id = d.user_agent_id
            WHERE ${where.join(' AND ')}
            ${order}
            LIMIT ${limit} OFFSET ${offset}`,
          values,
        ),
        db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM (SELECT 1 FROM events e WHERE ${where.join(' AND ')} LIMIT ${COUNT_CAP + 1}) x`,
          values,
        ),
      ]);
      const rows = page.rows.map((r) => ({
        id: Number(r.id),
        time: r.time,
        type: eventTypeFromId(r.type) ?? 'unknown',
        httpCode: r.http_code,
        sessionId: Number(r.session_id),
        sessionStarted: r.session_started,
        sessionEvents: r.session_events,
        url: r.url,
        ip: r.ip,
        country: r.country,
        ipType: ipType(r),
        uaId: Number(r.user_agent_id),
        device: [r.device_type, r.os_name, r.browser_name].filter(Boolean).join(' · ') || null,
        isBot: r.is_bot,
      }));
      return sendList(
        reply,
        query,
        { rows, total: count.rows[0]!.n },
        {
          filename: `user-${user.id}-events`,
          columns: [
            'id',
            'time',
            'type',
            'url',
            'ip',
            'country',
            'ipType',
            'device',
            'sessionId',
            'httpCode',
          ],
        },
      );
    },
  });

  app.get<{ Params: Params }>(`${USER}/entities`, {
    config: { access: 'viewer' },
    schema: aboutUser("The user's IPs, ISPs, countries, devices, e-mails and phones, with totals"),
    handler: async (request, reply) => {
      const user = await findUser(request, reply);
      if (!user) return;
      return entitiesOf(db, request.consoleProject!.id, Number(user.id));
    },
  });

  app.get<{ Params: Params }>(`${USER}/field-changes`, {
    config: { access: 'viewer' },
    schema: aboutUser("The user's field history (newest 100; the field audit trail lists them all)"),
    handler: async (request, reply) => {
      const user = await findUser(request, reply);
      if (!user) return;
      const values = [Number(user.id), request.consoleProject!.id];
      const [changes, count] = await Promise.all([
        db.query(
          `SELECT fc.id, fc.time, fc.event_id AS "eventId", f.id AS "fieldRef", f.field_id AS "fieldId",
                  coalesce(fc.field_name, f.field_name) AS "fieldName", fc.old_value AS "oldValue",
                  fc.new_value AS "newValue", fc.parent_id AS "parentId", fc.parent_name AS "parentName"
             FROM field_changes fc JOIN fields f ON f.id = fc.field_ref
            WHERE fc.user_id = $1 AND fc.project_id = $2
            ORDER BY fc.time DESC, fc.id DESC LIMIT ${SMALL_LIST}`,
          values,
        ),
        db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM (SELECT 1 FROM field_changes
            WHERE user_id = $1 AND project_id = $2 LIMIT ${COUNT_CAP + 1}) x`,
          values,
        ),
      ]);
      return {
        changes: changes.rows.map((c) => ({
          ...c,
          id: Number(c.id),
          eventId: Number(c.eventId),
          fieldRef: Number(c.fieldRef),
        })),
        total: count.rows[0]!.n,
      };
    },
  });

  app.get<{ Params: Params }>(`${USER}/connections`, {
    config: { access: 'viewer' },
    schema: aboutUser(
      `Other users sharing an IP, device, e-mail or phone with this user (top ${MAX_CONNECTIONS})`,
    ),
    handler: async (request, reply) => {
      const user = await findUser(request, reply);
      if (!user) return;
      return { connections: await connectionsOf(db, request.consoleProject!.id, Number(user.id)) };
    },
  });

  app.post<{ Params: Params; Body: { decision: UserDecision; note?: string } }>(`${USER}/decision`, {
    config: { access: 'analyst' },
    schema: {
      ...aboutUser('Decide about the user: approve, blacklist, unblacklist, watch or unwatch, with a note'),
      body: {
        type: 'object',
        required: ['decision'],
        additionalProperties: false,
        properties: {
          decision: { type: 'string', enum: [...USER_DECISIONS] },
          note: { type: 'string', maxLength: 2000 },
        },
      },
    },
    handler: async (request, reply) => {
      const projectId = request.consoleProject!.id;
      const operator = request.operator as Operator;
      const note = request.body.note?.trim() || undefined;
      // applyUserDecision records the decision in the audit trail, in its own transaction.
      const result = await applyUserDecision(db, {
        projectId,
        userId: request.params.userId,
        decision: request.body.decision,
        actor: operator.email,
        note,
      });
      if (!result) return noSuchUser(reply);
      return result;
    },
  });

  app.post<{ Params: Params }>(`${USER}/rescore`, {
    config: { access: 'analyst' },
    schema: aboutUser('Score the user again now, with the live rule set'),
    handler: async (request, reply) => {
      const user = await findUser(request, reply);
      if (!user) return;
      const projectId = request.consoleProject!.id;
      const started = new Date();
      const [scored] = await retryOnConflict(() =>
        scoreUsers(db, ruleSets, [{ userId: Number(user.id), projectId }]),
      );
      if (!scored) return noSuchUser(reply);
      // Scored now: the worker need not score the user again for the same events.
      await db.query(
        'DELETE FROM scoring_queue WHERE user_id = $1 AND taken_until IS NULL AND queued_at <= $2',
        [scored.userId, started],
      );
      return {
        score: scored.score,
        status: scored.status,
        matched: scored.matched.map((m) => ({ code: m.code, weight: m.weight })),
      };
    },
  });

  app.delete<{ Params: Params }>(USER, {
    config: { access: 'admin' },
    schema: aboutUser(
      'Delete the user with their events and personal data (erasure; recorded in the audit trail)',
    ),
    handler: async (request, reply) => {
      const user = await findUser(request, reply);
      if (!user) return;
      try {
        const erased = await eraseUser(db, {
          projectId: request.consoleProject!.id,
          userName: user.user_name,
          actor: (request.operator as Operator).email,
        });
        return { deleted: true, events: erased.events, fieldChanges: erased.fieldChanges };
      } catch (error) {
        if (error instanceof UserNotFoundError) return noSuchUser(reply);
        throw error;
      }
    },
  });
}

interface UserRow {
  id: number;
  user_name: string;
  first_name: string | null;
  last_name: string | null;
  full_name: string | null;
  created: Date;
  first_seen: Date;
  last_seen: Date;
  last_ip: string | null;
  last_email_id: number | null;
  last_phone_id: number | null;
  event_count: number;
  score: number | null;
  score_updated_at: Date | null;
  score_details: { code: string; weight: number }[] | null;
  status: string;
  added_to_review: Date | null;
  watched: boolean;
  decided_at: Date | null;
  decided_by: string | null;
  rule_set_version: number | null;
}

interface StoredOutcome {
  code: string;
  name: string;
  status: string;
  weight: number;
  evidence?: { summary?: string; values?: Record<string, unknown>; eventIds?: number[]; reason?: string };
}

interface IpFlags {
  is_local: boolean;
  is_datacenter: boolean | null;
  is_tor: boolean | null;
  is_vpn: boolean | null;
  is_relay: boolean | null;
  is_starlink: boolean | null;
}

interface TimelineRow extends IpFlags {
  id: number;
  time: Date;
  type: number;
  http_code: number | null;
  session_id: number;
  session_started: Date;
  session_events: number;
  url: string;
  ip: string;
  country: string | null;
  ip_blacklisted: boolean;
  user_agent_id: number;
  device_type: string | null;
  os_name: string | null;
  browser_name: string | null;
  is_bot: boolean | null;
}

/** The one word the tables show for an IP, the most telling flag first. */
function ipType(flags: IpFlags): string {
  if (flags.is_local) return 'private';
  if (flags.is_tor) return 'tor';
  if (flags.is_vpn) return 'vpn';
  if (flags.is_relay) return 'relay';
  if (flags.is_starlink) return 'starlink';
  if (flags.is_datacenter) return 'datacenter';
  return 'residential';
}

async function customRuleDescriptions(
  db: Executor,
  projectId: string,
  details: { code: string }[],
): Promise<Map<string, { name: string; description: string }>> {
  const codes = details.map((d) => d.code).filter((c) => c.startsWith('X'));
  if (codes.length === 0) return new Map();
  const { rows } = await db.query<{ code: string; name: string; description: string }>(
    'SELECT code, name, description FROM custom_rules WHERE project_id = $1 AND code = ANY($2::text[])',
    [projectId, codes],
  );
  return new Map(rows.map((r) => [r.code, { name: r.name, description: r.description }]));
}

/** The identity tiles: the user's latest e-mail, phone, device and IP with their facts. */
async function identityOf(db: Executor, projectId: string, user: UserRow) {
  const id = Number(user.id);
  const [email, phone, device, ip] = await Promise.all([
    db.query(
      `SELECT m.id, m.email, m.is_valid AS "isValid", m.blacklisted, m.first_seen AS "firstSeen",
              d.domain, d.is_free AS "isFree", d.is_disposable AS "isDisposable", d.has_mx AS "hasMx",
              (SELECT count(*)::int FROM emails o WHERE o.project_id = m.project_id AND o.email = m.email) AS "userCount"
         FROM emails m LEFT JOIN domains d ON d.id = m.domain_id
        WHERE m.user_id = $1 AND m.project_id = $2
        ORDER BY (m.id = $3) DESC, m.last_seen DESC LIMIT 1`,
      [id, projectId, user.last_email_id ?? 0],
    ),
    db.query(
      `SELECT p.id, p.phone, p.e164, p.country, p.line_type AS "lineType", p.is_valid AS "isValid",
              p.blacklisted,
              (SELECT count(*)::int FROM phones o WHERE o.project_id = p.project_id AND o.phone = p.phone) AS "userCount"
         FROM phones p WHERE p.user_id = $1 AND p.project_id = $2
        ORDER BY (p.id = $3) DESC, p.last_seen DESC LIMIT 1`,
      [id, projectId, user.last_phone_id ?? 0],
    ),
    db.query(
      `SELECT ua.id AS "uaId", ua.ua, ua.device_type AS "deviceType", ua.os_name AS "osName",
              ua.os_version AS "osVersion", ua.browser_name AS "browserName",
              ua.browser_version AS "browserVersion", ua.is_bot AS "isBot", ua.is_ai_bot AS "isAiBot", d.lang
         FROM devices d JOIN user_agents ua ON ua.id = d.user_agent_id
        WHERE d.user_id = $1 AND d.project_id = $2 ORDER BY d.last_seen DESC LIMIT 1`,
      [id, projectId],
    ),
    db.query<IpFlags & Record<string, unknown>>(
      `SELECT host(i.ip) AS ip, i.country, c.name AS "countryName", i.isp_id AS "ispId", s.asn,
              s.name AS "ispName", i.is_local, i.is_datacenter, i.is_tor, i.is_vpn, i.is_relay,
              i.is_starlink, i.blacklisted, i.user_count AS "userCount"
         FROM user_ips ui JOIN ips i ON i.id = ui.ip_id
         LEFT JOIN countries c ON c.iso = i.country LEFT JOIN isps s ON s.id = i.isp_id
        WHERE ui.user_id = $1 AND ui.project_id = $2
        ORDER BY (i.ip = $3::inet) DESC NULLS LAST, ui.last_seen DESC LIMIT 1`,
      [id, projectId, user.last_ip],
    ),
  ]);
  const lastIp = ip.rows[0];
  return {
    email: email.rows[0] ?? null,
    phone: phone.rows[0] ?? null,
    device: device.rows[0] ?? null,
    ip: lastIp ? publicIp(lastIp) : null,
  };
}

/** An IP row for the API: type word and flags in camelCase. */
function publicIp(row: IpFlags & Record<string, unknown>) {
  const { is_local, is_datacenter, is_tor, is_vpn, is_relay, is_starlink, ...rest } = row;
  return {
    ...rest,
    ipType: ipType(row),
    isLocal: is_local,
    isDatacenter: is_datacenter,
    isTor: is_tor,
    isVpn: is_vpn,
    isRelay: is_relay,
    isStarlink: is_starlink,
  };
}

async function entitiesOf(db: Executor, projectId: string, userId: number) {
  const values = [userId, projectId];
  const [ips, isps, countries, devices, emails, phones, totals] = await Promise.all([
    db.query<IpFlags & Record<string, unknown>>(
      `SELECT i.id, host(i.ip) AS ip, i.country, c.name AS "countryName", i.isp_id AS "ispId", s.asn,
              s.name AS "ispName", i.is_local, i.is_datacenter, i.is_tor, i.is_vpn, i.is_relay, i.is_starlink,
              i.blacklisted, i.user_count AS "userCount", ui.event_count::int AS events,
              ui.first_seen AS "firstSeen", ui.last_seen AS "lastSeen"
         FROM user_ips ui JOIN ips i ON i.id = ui.ip_id
         LEFT JOIN countries c ON c.iso = i.country LEFT JOIN isps s ON s.id = i.isp_id
        WHERE ui.user_id = $1 AND ui.project_id = $2
        ORDER BY ui.last_seen DESC, i.id DESC LIMIT ${SMALL_LIST}`,
      values,
    ),
    db.query(
      `SELECT s.id, s.asn, s.name, count(*)::int AS ips, sum(ui.event_count)::int AS events,
              bool_or(i.blacklisted) AS blacklisted
         FROM user_ips ui JOIN ips i ON i.id = ui.ip_id JOIN isps s ON s.id = i.isp_id
        WHERE ui.user_id = $1 AND ui.project_id = $2
        GROUP BY s.id ORDER BY events DESC, s.id LIMIT ${SMALL_LIST}`,
      values,
    ),
    db.query(
      `SELECT i.country AS iso, c.name, count(*)::int AS ips, sum(ui.event_count)::int AS events
         FROM user_ips ui JOIN ips i ON i.id = ui.ip_id LEFT JOIN countries c ON c.iso = i.country
        WHERE ui.user_id = $1 AND ui.project_id = $2 AND i.country IS NOT NULL
        GROUP BY i.country, c.name ORDER BY events DESC, i.country LIMIT ${SMALL_LIST}`,
      values,
    ),
    db.query(
      `SELECT d.id, ua.id AS "uaId", ua.ua, ua.device_type AS "deviceType", ua.os_name AS "osName",
              ua.os_version AS "osVersion", ua.browser_name AS "browserName",
              ua.browser_version AS "browserVersion", ua.is_bot AS "isBot", ua.is_ai_bot AS "isAiBot",
              d.lang, d.event_count::int AS events, d.first_seen AS "firstSeen", d.last_seen AS "lastSeen"
         FROM devices d JOIN user_agents ua ON ua.id = d.user_agent_id
        WHERE d.user_id = $1 AND d.project_id = $2 ORDER BY d.last_seen DESC, d.id DESC LIMIT ${SMALL_LIST}`,
      values,
    ),
    db.query(
      `SELECT m.id, m.email, m.is_valid AS "isValid", m.blacklisted, m.event_count::int AS events,
              m.first_seen AS "firstSeen", m.last_seen AS "lastSeen", d.domain, d.is_free AS "isFree",
              d.is_disposable AS "isDisposable"
         FROM emails m LEFT JOIN domains d ON d.id = m.domain_id
        WHERE m.user_id = $1 AND m.project_id = $2 ORDER BY m.last_seen DESC, m.id DESC LIMIT ${SMALL_LIST}`,
      values,
    ),
    db.query(
      `SELECT p.id, p.phone, p.e164, p.country, p.line_type AS "lineType", p.is_valid AS "isValid",
              p.blacklisted, p.event_count::int AS events, p.first_seen AS "firstSeen", p.last_seen AS "lastSeen"
         FROM phones p WHERE p.user_id = $1 AND p.project_id = $2
        ORDER BY p.last_seen DESC, p.id DESC LIMIT ${SMALL_LIST}`,
      values,
    ),
    db.query<Record<string, number>>(
      `SELECT (SELECT count(*)::int FROM user_ips WHERE user_id = $1 AND project_id = $2) AS ips,
              (SELECT count(DISTINCT i.isp_id)::int FROM user_ips ui JOIN ips i ON i.id = ui.ip_id
                WHERE ui.user_id = $1 AND ui.project_id = $2) AS isps,
              (SELECT count(DISTINCT i.country)::int FROM user_ips ui JOIN ips i ON i.id = ui.ip_id
                WHERE ui.user_id = $1 AND ui.project_id = $2) AS countries,
              (SELECT count(*)::int FROM devices WHERE user_id = $1 AND project_id = $2) AS devices,
              (SELECT count(*)::int FROM emails WHERE user_id = $1 AND project_id = $2) AS emails,
              (SELECT count(*)::int FROM phones WHERE user_id = $1 AND project_id = $2) AS phones,
              (SELECT count(*)::int FROM sessions WHERE user_id = $1 AND project_id = $2) AS sessions,
              (SELECT count(*)::int FROM (SELECT 1 FROM field_changes WHERE user_id = $1 AND project_id = $2
                 LIMIT ${COUNT_CAP + 1}) x) AS edits`,
      values,
    ),
  ]);
  const num = <T extends Record<string, unknown>>(rows: T[]) =>
    rows.map((r) => ({ ...r, id: Number(r.id), ...('uaId' in r ? { uaId: Number(r.uaId) } : {}) }));
  return {
    ips: ips.rows.map((r) => ({
      ...publicIp(r),
      id: Number(r.id),
      ispId: r.ispId === null ? null : Number(r.ispId),
    })),
    isps: num(isps.rows),
    countries: countries.rows,
    devices: num(devices.rows),
    emails: num(emails.rows),
    phones: num(phones.rows),
    totals: totals.rows[0],
  };
}

interface ConnectionRow {
  user_id: number;
  user_name: string;
  score: number | null;
  status: string;
  kinds: string[];
  shared_events: number;
  links: { kind: string; value: string; ref: string; events: number }[];
}

/**
 * Other users who share an IP (not a private one), a device (same user agent and language), an
 * e-mail address or a phone number with this user. Each of the user's identifiers contributes at
 * most 50 others (those with the most events on it), so a busy shared IP costs a bounded amount;
 * users sharing more kinds of identifier, then more events, come first.
 */
async function connectionsOf(db: Executor, projectId: string, userId: number) {
  const { rows } = await db.query<ConnectionRow>(
    `WITH links AS (
       SELECT o.user_id, 'ip' AS kind, host(i.ip) AS value, host(i.ip) AS ref, o.event_count AS events
         FROM (SELECT ip_id FROM user_ips WHERE user_id = $1 AND project_id = $2
                ORDER BY event_count DESC LIMIT 100) mine
         JOIN ips i ON i.id = mine.ip_id AND NOT i.is_local
         CROSS JOIN LATERAL (SELECT u.user_id, u.event_count FROM user_ips u
                              WHERE u.ip_id = mine.ip_id AND u.user_id <> $1
                              ORDER BY u.event_count DESC LIMIT 50) o
       UNION ALL
       SELECT o.user_id, 'device', concat_ws(' · ', ua.device_type, ua.os_name, ua.browser_name, mine.lang),
              ua.id::text, o.event_count
         FROM (SELECT user_agent_id, lang FROM devices WHERE user_id = $1 AND project_id = $2
                ORDER BY event_count DESC LIMIT 20) mine
         JOIN user_agents ua ON ua.id = mine.user_agent_id AND ua.ua IS NOT NULL
         CROSS JOIN LATERAL (SELECT d.user_id, d.event_count FROM devices d
                              WHERE d.project_id = $2 AND d.user_agent_id = mine.user_agent_id
                                AND d.lang IS NOT DISTINCT FROM mine.lang AND d.user_id <> $1
                              ORDER BY d.event_count DESC LIMIT 50) o
       UNION ALL
       SELECT o.user_id, 'email', mine.email, mine.id::text, o.event_count
         FROM (SELECT id, email FROM emails WHERE user_id = $1 AND project_id = $2
                ORDER BY last_seen DESC LIMIT 20) mine
         CROSS JOIN LATERAL (SELECT e.user_id, e.event_count FROM emails e
                              WHERE e.project_id = $2 AND e.email = mine.email AND e.user_id <> $1
                              ORDER BY e.event_count DESC LIMIT 50) o
       UNION ALL
       SELECT o.user_id, 'phone', mine.phone, mine.id::text, o.event_count
         FROM (SELECT id, phone FROM phones WHERE user_id = $1 AND project_id = $2
                ORDER BY last_seen DESC LIMIT 20) mine
         CROSS JOIN LATERAL (SELECT p.user_id, p.event_count FROM phones p
                              WHERE p.project_id = $2 AND p.phone = mine.phone AND p.user_id <> $1
                              ORDER BY p.event_count DESC LIMIT 50) o
     ), top AS (
       SELECT user_id, array_agg(DISTINCT kind ORDER BY kind) AS kinds, sum(events)::int AS shared_events,
              jsonb_agg(jsonb_build_object('kind', kind, 'value', value, 'ref', ref, 'events', events)
                        ORDER BY kind, events DESC, value) AS links
         FROM links GROUP BY user_id
        ORDER BY count(DISTINCT kind) DESC, sum(events) DESC, user_id
        LIMIT ${MAX_CONNECTIONS})
     SELECT top.*, u.user_name, u.score, u.status
       FROM top JOIN users u ON u.id = top.user_id AND u.project_id = $2
      ORDER BY cardinality(top.kinds) DESC, top.shared_events DESC, top.user_id`,
    [userId, projectId],
  );
  return rows.map((r) => ({
    userId: Number(r.user_id),
    userName: r.user_name,
    score: r.score,
    status: r.status,
    kinds: r.kinds,
    sharedEvents: r.shared_events,
    links: r.links.map((l) => ({ ...l, events: Number(l.events) })),
  }));
}
