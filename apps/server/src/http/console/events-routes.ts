import { isIP } from 'node:net';
import { EVENT_TYPES, eventTypeFromId, eventTypeId, httpMethodFromId } from '@vigil/core';
import type { Database } from '@vigil/db';
import type { FastifyInstance } from 'fastify';
import { sendError } from '../errors.ts';
import { PROJECT_PREFIX } from './guard.ts';
import { type ListQuery, listQuerySchema, pageOf, sendList } from './lists.ts';
import {
  bucketOf,
  bucketStarts,
  type Period,
  type PeriodQuery,
  periodOf,
  periodQueryProperties,
  toSeries,
  withTimezone,
} from './period.ts';
import { countedEvents, cutHours, hourAlignedZone, paramList } from './rollups.ts';

// The activity stream: every event of the period, filtered by type, device type, IP type, the
// rules its user matches or the user; the chart of the same events by type; one event in full.

export const DEVICE_TYPES = ['bot', 'desktop', 'smartphone', 'tablet', 'other', 'unknown'] as const;
export const IP_TYPES = [
  'blacklisted',
  'local',
  'tor',
  'starlink',
  'relay',
  'vpn',
  'datacenter',
  'residential',
] as const;
export const RULE_CODE = '^[A-Z][0-9]{2,3}$';

export interface EventFilters {
  type?: string;
  deviceType?: string;
  ipType?: string;
  rule?: string;
  userId?: number;
  q?: string;
}

const filterProperties = {
  type: { type: 'string', enum: [...EVENT_TYPES] },
  deviceType: { type: 'string', enum: [...DEVICE_TYPES] },
  ipType: { type: 'string', enum: [...IP_TYPES] },
  rule: { type: 'string', pattern: RULE_CODE, maxLength: 4 },
  userId: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER },
} as const;

const IP_TYPE_SQL: Record<(typeof IP_TYPES)[number], string> = {
  blacklisted: 'blacklisted',
  local: 'is_local',
  tor: 'is_tor IS TRUE',
  starlink: 'is_starlink IS TRUE',
  relay: 'is_relay IS TRUE',
  vpn: 'is_vpn IS TRUE',
  datacenter: 'is_datacenter IS TRUE',
  residential: `NOT is_local AND NOT blacklisted AND is_tor IS NOT TRUE AND is_starlink IS NOT TRUE
                AND is_relay IS NOT TRUE AND is_vpn IS NOT TRUE AND is_datacenter IS NOT TRUE`,
};
const NAMED_DEVICES = "('bot', 'desktop', 'smartphone', 'tablet')";

/**
 * WHERE conditions on events `e` for the filters; values go into params ($1 is the project).
 * Every sub-select is scoped by project, so a filter can never reach another project's rows.
 */
export function eventConditions(filters: EventFilters, params: unknown[]): string[] {
  const where = ['e.project_id = $1'];
  const add = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  if (filters.type) where.push(`e.type = ${add(eventTypeId(filters.type as (typeof EVENT_TYPES)[number]))}`);
  if (filters.userId) where.push(`e.user_id = ${add(filters.userId)}`);
  if (filters.deviceType) {
    const d = filters.deviceType;
    const condition =
      d === 'unknown'
        ? 'ua.device_type IS NULL'
        : d === 'other'
          ? `ua.device_type NOT IN ${NAMED_DEVICES}`
          : `ua.device_type = ${add(d)}`;
    where.push(`e.device_id IN (SELECT d.id FROM devices d JOIN user_agents ua ON ua.id = d.user_agent_id
                                  WHERE d.project_id = $1 AND ${condition})`);
  }
  if (filters.ipType && Object.hasOwn(IP_TYPE_SQL, filters.ipType)) {
    const condition = IP_TYPE_SQL[filters.ipType as keyof typeof IP_TYPE_SQL];
    where.push(`e.ip_id IN (SELECT id FROM ips WHERE project_id = $1 AND ${condition})`);
  }
  if (filters.rule) {
    where.push(`e.user_id IN (SELECT id FROM users WHERE project_id = $1
                   AND score_details @> jsonb_build_array(jsonb_build_object('code', ${add(filters.rule)}::text)))`);
  }
  const q = filters.q?.trim();
  if (q) {
    if (isIP(q)) {
      where.push(`e.ip_id IN (SELECT id FROM ips WHERE project_id = $1 AND ip = ${add(q)}::inet)`);
    } else if (/^[1-5][0-9]{2}$/.test(q)) {
      where.push(`e.http_code = ${add(Number(q))}`);
    } else {
      const p = add(q);
      where.push(`e.user_id IN (SELECT id FROM users WHERE project_id = $1 AND user_name = ${p}
                  UNION SELECT user_id FROM emails WHERE project_id = $1 AND lower(email) = lower(${p}))`);
    }
  }
  return where;
}

/** Counting stops here: past it the page says "10,000+" rather than scanning every row. */
const COUNT_CAP = 10_001;

type EventsQuery = ListQuery & EventFilters & PeriodQuery;

export function registerEventsRoutes(app: FastifyInstance, { db }: { db: Database }): void {
  app.get<{ Querystring: EventsQuery }>(`${PROJECT_PREFIX}/events`, {
    config: { access: 'viewer' },
    schema: {
      summary: 'Events of the period, newest first, with filters; totals in the period and before it',
      tags: ['events'],
      querystring: {
        type: 'object',
        properties: { ...listQuerySchema.properties, ...filterProperties, tz: periodQueryProperties.tz },
      },
    },
    handler: async (request, reply) => {
      const project = request.consoleProject!;
      const query = request.query;
      const period = periodOf(query, project.timezone);
      const params: unknown[] = [project.id];
      const where = eventConditions(query, params);
      const filtered = [...where];
      params.push(period.to);
      filtered.push(`e.time < $${params.length}`);
      if (period.from) {
        params.push(period.from);
        filtered.push(`e.time >= $${params.length}`);
      }
      const { limit, offset } = pageOf(query);
      // Time is never null: no NULLS LAST, so the (project_id, time DESC) indexes give the order.
      const direction = query.order === 'asc' ? 'ASC' : 'DESC';
      const order = `ORDER BY e.time ${direction}, e.id ${direction}`;
      const list = db.query(
        `SELECT e.id, e.time, e.type, e.http_code AS "httpCode", e.http_method AS "httpMethod",
                e.session_id AS "sessionId", e.user_id AS "userId", u.user_name AS "userName",
                u.score, u.status, em.email, host(i.ip) AS ip, i.country,
                i.blacklisted AS "ipBlacklisted", i.is_local AS "isLocal", i.is_tor AS "isTor",
                i.is_starlink AS "isStarlink", i.is_relay AS "isRelay", i.is_vpn AS "isVpn",
                i.is_datacenter AS "isDatacenter", ua.id AS "uaId", ua.device_type AS "deviceType",
                ua.os_name AS os, ua.browser_name AS browser, r.id AS "resourceId", r.url, q.query
           FROM (SELECT e.* FROM events e WHERE ${filtered.join(' AND ')}
                 ${order} LIMIT ${limit} OFFSET ${offset}) e
           JOIN users u ON u.id = e.user_id
           JOIN ips i ON i.id = e.ip_id
           JOIN devices d ON d.id = e.device_id
           JOIN user_agents ua ON ua.id = d.user_agent_id
           JOIN resources r ON r.id = e.resource_id
           LEFT JOIN resource_queries q ON q.id = e.query_id
           LEFT JOIN emails em ON em.id = u.last_email_id
          ${order}`,
        params,
      );
      const counts = db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM (SELECT 1 FROM events e WHERE ${filtered.join(' AND ')} LIMIT ${COUNT_CAP}) x`,
        params,
      );
      const [rows, count] = await Promise.all([list, counts]);
      const out = rows.rows.map((r) => ({
        ...r,
        type: eventTypeFromId(r.type as number) ?? String(r.type),
        httpMethod: r.httpMethod ? (httpMethodFromId(r.httpMethod as number) ?? null) : null,
        ipType: ipTypeOf(r),
      }));
      const total = count.rows[0]!.n;
      const answer = sendList(
        reply,
        query,
        { rows: out, total: Math.min(total, COUNT_CAP - 1) },
        {
          filename: 'events',
          columns: [
            'id',
            'time',
            'type',
            'userId',
            'userName',
            'email',
            'score',
            'ip',
            'country',
            'ipType',
            'deviceType',
            'os',
            'browser',
            'url',
            'query',
            'httpCode',
            'httpMethod',
          ],
        },
      );
      return query.format === 'csv' ? answer : { ...answer, capped: total >= COUNT_CAP };
    },
  });

  app.get<{ Querystring: EventFilters & PeriodQuery }>(`${PROJECT_PREFIX}/events/totals`, {
    config: { access: 'viewer' },
    schema: {
      summary: 'How many events match the filters in the period, and before it (counted up to 10,000)',
      tags: ['events'],
      querystring: { type: 'object', properties: { ...periodQueryProperties, ...filterProperties } },
    },
    handler: async (request) => {
      const project = request.consoleProject!;
      const period = periodOf(request.query, project.timezone);
      if (onlyTypeFilter(request.query)) return totalsFromRollups(db, project.id, request.query.type, period);
      const params: unknown[] = [project.id];
      const where = eventConditions(request.query, params).join(' AND ');
      params.push(period.from ?? new Date(0), period.to);
      const n = params.length;
      const { rows } = await db.query<{ in_period: number; before: number }>(
        `SELECT (SELECT count(*)::int FROM (SELECT 1 FROM events e
                  WHERE ${where} AND e.time >= $${n - 1} AND e.time < $${n} LIMIT ${COUNT_CAP}) x) AS in_period,
                (SELECT count(*)::int FROM (SELECT 1 FROM events e
                  WHERE ${where} AND e.time < $${n - 1} LIMIT ${COUNT_CAP}) x) AS before`,
        params,
      );
      const { in_period: inPeriod, before } = rows[0]!;
      return {
        inPeriod: Math.min(inPeriod, COUNT_CAP - 1),
        before: Math.min(before, COUNT_CAP - 1),
        capped: inPeriod >= COUNT_CAP || before >= COUNT_CAP,
      };
    },
  });

  app.get<{ Querystring: EventFilters & PeriodQuery }>(`${PROJECT_PREFIX}/events/chart`, {
    config: { access: 'viewer' },
    schema: {
      summary: "Events per bucket (minute, hour or day in the operator's timezone), one series per type",
      tags: ['events'],
      querystring: { type: 'object', properties: { ...periodQueryProperties, ...filterProperties } },
    },
    handler: async (request) => {
      const project = request.consoleProject!;
      const period = periodOf(request.query, project.timezone);
      return withTimezone(period.tz, () =>
        eventsChart(db, project.id, request.query, period.from, period.to, period.tz, request.query.bucket),
      );
    },
  });

  app.get<{ Params: { projectId: string; eventId: number } }>(`${PROJECT_PREFIX}/events/:eventId`, {
    config: { access: 'viewer' },
    schema: {
      summary: 'One event: every field, its enrichment, its field changes and its API request',
      tags: ['events'],
      params: {
        type: 'object',
        properties: {
          projectId: { type: 'string' },
          eventId: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER },
        },
      },
    },
    handler: async (request, reply) => {
      const projectId = request.consoleProject!.id;
      const event = await eventDetail(db, projectId, request.params.eventId);
      if (!event) return sendError(reply, 404, 'not_found', 'No such event in this project', 'eventId');
      return event;
    },
  });
}

/** Filters the rollups can answer: none, or the event type alone. */
function onlyTypeFilter(filters: EventFilters): boolean {
  return !filters.deviceType && !filters.ipType && !filters.rule && !filters.userId && !filters.q?.trim();
}

export function ipTypeOf(r: Record<string, unknown>): string {
  if (r.ipBlacklisted) return 'blacklisted';
  if (r.isLocal) return 'local';
  if (r.isTor) return 'tor';
  if (r.isStarlink) return 'starlink';
  if (r.isRelay) return 'relay';
  if (r.isVpn) return 'vpn';
  if (r.isDatacenter) return 'datacenter';
  return 'residential';
}

/** The totals route's answer from the rollups: exact counts, capped as the scan would cap them. */
async function totalsFromRollups(db: Database, projectId: string, type: string | undefined, period: Period) {
  const typeIs = type ? eventTypeId(type as (typeof EVENT_TYPES)[number]) : undefined;
  const params: unknown[] = [projectId];
  const add = paramList(params);
  const from = period.from ?? new Date(0);
  const inPeriod = countedEvents('$1', cutHours(from, period.to), add, { typeIs });
  const before = countedEvents('$1', cutHours(null, from), add, { typeIs });
  const { rows } = await db.query<{ in_period: number; before: number }>(
    `SELECT (SELECT coalesce(sum(n), 0)::int FROM ${inPeriod} c) AS in_period,
            (SELECT coalesce(sum(n), 0)::int FROM ${before} c) AS before`,
    params,
  );
  const { in_period: n, before: b } = rows[0]!;
  return {
    inPeriod: Math.min(n, COUNT_CAP - 1),
    before: Math.min(b, COUNT_CAP - 1),
    capped: n >= COUNT_CAP || b >= COUNT_CAP,
  };
}

/** Events per bucket and type; "all time" starts at the project's first event. */
export async function eventsChart(
  db: Database,
  projectId: string,
  filters: EventFilters,
  from: Date | null,
  to: Date,
  tz: string,
  asked: 'minute' | 'hour' | 'day' | undefined,
) {
  let start = from;
  if (!start) {
    const first = await db.query<{ t: Date | null }>(
      'SELECT min(time) AS t FROM events WHERE project_id = $1 AND time < $2',
      [projectId, to],
    );
    const weekBefore = new Date(to.getTime() - 7 * 86_400_000);
    start = first.rows[0]?.t && first.rows[0].t < weekBefore ? first.rows[0].t : weekBefore;
  }
  const bucket = bucketOf(asked, start, to);
  const params: unknown[] = [projectId];
  let sql: string;
  if (bucket !== 'minute' && onlyTypeFilter(filters) && hourAlignedZone(tz, start, to)) {
    // Hour and day buckets of whole UTC hours: the rollup's hours fall whole into one bucket.
    const add = paramList(params);
    const typeIs = filters.type ? eventTypeId(filters.type as (typeof EVENT_TYPES)[number]) : undefined;
    const counted = countedEvents('$1', cutHours(start, to), add, { typeIs });
    const [b, zone] = [add(bucket), add(tz)];
    sql = `SELECT extract(epoch FROM (b.t AT TIME ZONE ${zone}))::float8 AS ts, b.type, b.n FROM (
             SELECT date_trunc(${b}, c.t AT TIME ZONE ${zone}) AS t, c.type, sum(c.n)::int AS n
               FROM ${counted} c GROUP BY 1, 2) b`;
  } else {
    const where = eventConditions(filters, params);
    params.push(start, to, bucket, tz);
    const n = params.length;
    sql = `SELECT extract(epoch FROM (b.t AT TIME ZONE $${n})):: float8 AS ts, b.type, b.n FROM (
             SELECT date_trunc($${n - 1}, e.time AT TIME ZONE $${n}) AS t, e.type, count(*)::int AS n
               FROM events e WHERE ${where.join(' AND ')} AND e.time >= $${n - 3} AND e.time < $${n - 2}
              GROUP BY 1, 2) b`;
  }
  const [times, counts] = await Promise.all([
    bucketStarts(db, bucket, start, to, tz),
    db.query<{ ts: number; type: number; n: number }>(sql, params),
  ]);
  const types = [...new Set(counts.rows.map((r) => r.type))].sort((a, b) => a - b);
  const series = toSeries(
    times,
    counts.rows.map((r) => ({ ts: r.ts, key: String(r.type), n: r.n })),
    types.map(String),
  );
  return {
    bucket,
    tz,
    from: start,
    to,
    times,
    series: series.map((s) => ({ type: eventTypeFromId(Number(s.key)) ?? s.key, values: s.values })),
  };
}

async function eventDetail(db: Database, projectId: string, eventId: number) {
  const { rows } = await db.query<Record<string, unknown>>(
    `SELECT e.id, e.time, e.received_at AS "receivedAt", e.type, e.http_code AS "httpCode",
            e.http_method AS "httpMethod", e.payload, e.request_id AS "requestId", e.session_id AS "sessionId",
            q.query, ref.referer,
            json_build_object('id', u.id, 'userName', u.user_name, 'firstName', u.first_name,
              'lastName', u.last_name, 'fullName', u.full_name, 'score', u.score, 'status', u.status,
              'scoreDetails', u.score_details, 'decidedAt', u.decided_at, 'decidedBy', u.decided_by,
              'firstSeen', u.first_seen, 'lastSeen', u.last_seen, 'eventCount', u.event_count) AS "user",
            json_build_object('id', i.id, 'ip', host(i.ip), 'network', i.network::text, 'country', i.country,
              'countryName', c.name, 'ispId', s.id, 'asn', s.asn, 'ispName', s.name, 'isLocal', i.is_local,
              'isDatacenter', i.is_datacenter, 'isTor', i.is_tor, 'isRelay', i.is_relay,
              'isStarlink', i.is_starlink, 'isVpn', i.is_vpn, 'blacklisted', i.blacklisted,
              'eventCount', i.event_count, 'userCount', i.user_count, 'firstSeen', i.first_seen,
              'enrichment', i.enrichment) AS ip,
            json_build_object('id', d.id, 'uaId', ua.id, 'ua', ua.ua, 'lang', d.lang, 'firstSeen', d.first_seen,
              'deviceType', ua.device_type, 'brand', ua.brand, 'model', ua.model, 'os', ua.os_name,
              'osVersion', ua.os_version, 'browser', ua.browser_name, 'browserVersion', ua.browser_version,
              'isBot', ua.is_bot, 'botName', ua.bot_name, 'isAiBot', ua.is_ai_bot) AS device,
            json_build_object('id', r.id, 'url', r.url, 'title', r.title) AS resource,
            CASE WHEN em.id IS NULL THEN NULL ELSE json_build_object('id', em.id, 'email', em.email,
              'isValid', em.is_valid, 'blacklisted', em.blacklisted, 'firstSeen', em.first_seen,
              'enrichment', em.enrichment, 'domain', dm.domain, 'isFree', dm.is_free,
              'isDisposable', dm.is_disposable, 'hasMx', dm.has_mx) END AS email,
            CASE WHEN ph.id IS NULL THEN NULL ELSE json_build_object('id', ph.id, 'phone', ph.phone,
              'e164', ph.e164, 'country', ph.country, 'lineType', ph.line_type, 'isValid', ph.is_valid,
              'blacklisted', ph.blacklisted, 'enrichment', ph.enrichment) END AS phone
       FROM events e
       JOIN users u ON u.id = e.user_id
       JOIN ips i ON i.id = e.ip_id
       LEFT JOIN countries c ON c.iso = i.country
       LEFT JOIN isps s ON s.id = i.isp_id
       JOIN devices d ON d.id = e.device_id
       JOIN user_agents ua ON ua.id = d.user_agent_id
       JOIN resources r ON r.id = e.resource_id
       LEFT JOIN resource_queries q ON q.id = e.query_id
       LEFT JOIN referers ref ON ref.id = e.referer_id
       LEFT JOIN emails em ON em.id = e.email_id
       LEFT JOIN domains dm ON dm.id = em.domain_id
       LEFT JOIN phones ph ON ph.id = e.phone_id
      WHERE e.project_id = $1 AND e.id = $2`,
    [projectId, eventId],
  );
  const event = rows[0];
  if (!event) return null;
  const userId = (event.user as { id: number }).id;
  const [changes, logbook] = await Promise.all([
    db.query(
      `SELECT f.field_id AS "fieldId", c.field_name AS "fieldName", c.old_value AS "oldValue",
              c.new_value AS "newValue", c.parent_id AS "parentId", c.parent_name AS "parentName"
         FROM field_changes c JOIN fields f ON f.id = c.field_ref
        WHERE c.user_id = $1 AND c.event_id = $2 AND c.project_id = $3 ORDER BY c.id`,
      [userId, eventId, projectId],
    ),
    db.query(
      `SELECT id, started, endpoint, error_type AS "errorType", error_text AS "errorText"
         FROM logbook WHERE event_id = $1 AND project_id = $2 ORDER BY id LIMIT 1`,
      [eventId, projectId],
    ),
  ]);
  return {
    ...event,
    type: eventTypeFromId(event.type as number) ?? String(event.type),
    httpMethod: event.httpMethod ? (httpMethodFromId(event.httpMethod as number) ?? null) : null,
    fieldChanges: changes.rows,
    logbook: logbook.rows[0] ?? null,
  };
}
