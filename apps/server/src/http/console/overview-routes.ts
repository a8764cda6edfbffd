import type { Database } from '@vigil/db';
import type { FastifyInstance } from 'fastify';
import { PROJECT_PREFIX } from './guard.ts';
import { type PeriodQuery, periodOf, periodQueryProperties } from './period.ts';
import { countedEvents, cutHours, paramList, topByCounter, userEvents } from './rollups.ts';

// The dashboard: totals of the period against the period before, and the top-10 lists. A period
// is read from the rollups kept at ingest (rollups.ts); "all time" top lists from the counters kept
// on entity rows, so neither aggregates the period's events one by one.

const LOGIN = 5; // account_login
const LOGIN_FAIL = 7; // account_login_fail

export interface Totals {
  events: number;
  activeUsers: number;
  newUsers: number;
  review: number;
  blacklisted: number;
  logins: number;
  failedLogins: number;
}

export function registerOverviewRoutes(app: FastifyInstance, { db }: { db: Database }): void {
  app.get<{ Querystring: PeriodQuery }>(`${PROJECT_PREFIX}/overview`, {
    config: { access: 'viewer' },
    schema: {
      summary: 'Dashboard totals for the period, and for the period of the same length before it',
      tags: ['dashboard'],
      querystring: { type: 'object', properties: periodQueryProperties },
    },
    handler: async (request) => {
      const project = request.consoleProject!;
      const period = periodOf(request.query, project.timezone);
      const current = await totals(db, project.id, period.from, period.to);
      const previous = period.previous
        ? await totals(db, project.id, period.previous.from, period.previous.to)
        : null;
      return {
        period: {
          from: period.from,
          to: period.to,
          previousFrom: period.previous?.from ?? null,
          previousTo: period.previous?.to ?? null,
        },
        totals: current,
        previous,
      };
    },
  });

  app.get<{ Querystring: PeriodQuery }>(`${PROJECT_PREFIX}/overview/top`, {
    config: { access: 'viewer' },
    schema: {
      summary: 'Top-10 lists of the period: users by events, risky users, IPs, countries, ISPs, resources',
      tags: ['dashboard'],
      querystring: { type: 'object', properties: periodQueryProperties },
    },
    handler: async (request) => {
      const project = request.consoleProject!;
      const period = periodOf(request.query, project.timezone);
      return period.from ? topOfPeriod(db, project.id, period.from, period.to) : topOfAllTime(db, project.id);
    },
  });
}

/**
 * Totals between from and to (all time when from is null). Events by type and active users come
 * from the rollups (rollups.ts: whole hours from the hourly tables, the partial ends from events);
 * all-time active users from the users' rows.
 */
export async function totals(db: Database, projectId: string, from: Date | null, to: Date): Promise<Totals> {
  const cut = cutHours(from, to);
  const eventParams: unknown[] = [projectId];
  const counted = countedEvents('$1', cut, paramList(eventParams));
  const events = db.query<{ events: number; logins: number; failed: number }>(
    `SELECT coalesce(sum(n), 0)::int AS events,
            coalesce(sum(n) FILTER (WHERE type = ${LOGIN}), 0)::int AS logins,
            coalesce(sum(n) FILTER (WHERE type = ${LOGIN_FAIL}), 0)::int AS failed
       FROM ${counted} c`,
    eventParams,
  );
  const userParams: unknown[] = [projectId];
  const active = from
    ? db.query<{ users: number }>(
        `SELECT count(DISTINCT user_id)::int AS users FROM ${userEvents('$1', cut, paramList(userParams))} u`,
        userParams,
      )
    : db.query<{ users: number }>(
        'SELECT count(*)::int AS users FROM users WHERE project_id = $1 AND first_seen < $2',
        [projectId, to],
      );
  const start = from ?? new Date(0);
  const users = db.query<{ new_users: number; review: number; blacklisted: number }>(
    `SELECT (SELECT count(*)::int FROM users
              WHERE project_id = $1 AND first_seen >= $2 AND first_seen < $3) AS new_users,
            (SELECT count(*)::int FROM users
              WHERE project_id = $1 AND status = 'review' AND added_to_review >= $2 AND added_to_review < $3) AS review,
            (SELECT count(DISTINCT d.user_id)::int FROM user_decisions d JOIN users u ON u.id = d.user_id
              WHERE d.project_id = $1 AND d.decision = 'blacklist' AND d.created_at >= $2 AND d.created_at < $3
                AND u.status = 'blacklisted') AS blacklisted`,
    [projectId, start, to],
  );
  const [e, a, u] = await Promise.all([events, active, users]);
  const ev = e.rows[0]!;
  const b = u.rows[0]!;
  return {
    events: ev.events,
    activeUsers: a.rows[0]!.users,
    newUsers: b.new_users,
    review: b.review,
    blacklisted: b.blacklisted,
    logins: ev.logins,
    failedLogins: ev.failed,
  };
}

const USER_JSON = `json_build_object('id', u.id, 'userName', u.user_name, 'fullName', u.full_name,
  'email', em.email, 'score', u.score, 'status', u.status, 'lastSeen', u.last_seen, 'events', t.n)`;

/**
 * Top lists of a period. Users, countries and ISPs are summed from the hourly rollups; IPs and
 * resources, too many to sum over a month, are found from their counters (topByCounter), falling
 * back to a scan of the period's events when counts are too flat for that to settle.
 */
async function topOfPeriod(db: Database, projectId: string, from: Date, to: Date) {
  const cut = cutHours(from, to);
  const userParams: unknown[] = [projectId];
  const placeParams: unknown[] = [projectId];
  const [users, risky, places, ips, resources] = await Promise.all([
    db.query<{ list: unknown[] | null }>(
      `WITH t AS (SELECT user_id, sum(n)::int AS n FROM ${userEvents('$1', cut, paramList(userParams))} x
                   GROUP BY user_id ORDER BY n DESC, user_id LIMIT 10)
       SELECT json_agg(${USER_JSON} ORDER BY t.n DESC, u.id) AS list
         FROM t JOIN users u ON u.id = t.user_id LEFT JOIN emails em ON em.id = u.last_email_id`,
      userParams,
    ),
    riskyUsers(db, projectId, from, to),
    db.query<{ countries: unknown[] | null; isps: unknown[] | null }>(
      `WITH c AS MATERIALIZED (
         SELECT country, isp_id, sum(n)::int AS n
           FROM ${countedEvents('$1', cut, paramList(placeParams), { withIp: true })} x GROUP BY 1, 2
       ), top_countries AS (SELECT country, sum(n)::int AS n FROM c WHERE country IS NOT NULL
                             GROUP BY country ORDER BY n DESC, country LIMIT 10),
       top_isps AS (SELECT isp_id, sum(n)::int AS n FROM c WHERE isp_id IS NOT NULL
                     GROUP BY isp_id ORDER BY n DESC, isp_id LIMIT 10)
       SELECT
         (SELECT json_agg(json_build_object('iso', t.country, 'name', c.name, 'events', t.n) ORDER BY t.n DESC, t.country)
            FROM top_countries t LEFT JOIN countries c ON c.iso = t.country) AS countries,
         (SELECT json_agg(json_build_object('id', s.id, 'asn', s.asn, 'name', s.name, 'events', t.n) ORDER BY t.n DESC, s.id)
            FROM top_isps t JOIN isps s ON s.id = t.isp_id) AS isps`,
      placeParams,
    ),
    topOf(db, projectId, 1, from, to),
    topOf(db, projectId, 2, from, to),
  ]);
  const p = places.rows[0]!;
  return {
    users: users.rows[0]?.list ?? [],
    riskyUsers: risky,
    ips,
    countries: p.countries ?? [],
    isps: p.isps ?? [],
    resources,
  };
}

/** Top-10 IPs (kind 1) or resources (kind 2) of a period, as the dashboard shows them. */
async function topOf(db: Database, projectId: string, kind: 1 | 2, from: Date, to: Date): Promise<unknown[]> {
  const column = kind === 1 ? 'ip_id' : 'resource_id';
  let top = await topByCounter(db, projectId, kind, from, to);
  if (!top) {
    const { rows } = await db.query<{ id: string; n: number }>(
      `SELECT e.${column} AS id, count(*)::int AS n FROM events e
        WHERE e.project_id = $1 AND e.time >= $2 AND e.time < $3
        GROUP BY 1 ORDER BY n DESC, 1 LIMIT 10`,
      [projectId, from, to],
    );
    top = rows.map((r) => ({ id: Number(r.id), n: r.n }));
  }
  if (top.length === 0) return [];
  const select =
    kind === 1
      ? `json_build_object('ip', host(x.ip), 'country', x.country, 'events', t.n)`
      : `json_build_object('id', x.id, 'url', x.url, 'events', t.n)`;
  const { rows } = await db.query<{ list: unknown[] | null }>(
    `SELECT json_agg(${select} ORDER BY t.n DESC, t.id) AS list
       FROM unnest($1::bigint[], $2::int[]) AS t(id, n) JOIN ${kind === 1 ? 'ips' : 'resources'} x ON x.id = t.id`,
    [top.map((t) => t.id), top.map((t) => t.n)],
  );
  return rows[0]?.list ?? [];
}

/** The lowest trust scores among the users active in the period (or ever). */
async function riskyUsers(db: Database, projectId: string, from: Date | null, to: Date): Promise<unknown[]> {
  const { rows } = await db.query<{ list: unknown[] | null }>(
    `WITH t AS (SELECT u.id, u.event_count AS n FROM users u
                 WHERE u.project_id = $1 AND u.score IS NOT NULL AND u.last_seen >= $2 AND u.first_seen < $3
                 ORDER BY u.score ASC, u.last_seen DESC, u.id LIMIT 10)
     SELECT json_agg(${USER_JSON} ORDER BY u.score ASC, u.last_seen DESC, u.id) AS list
       FROM t JOIN users u ON u.id = t.id LEFT JOIN emails em ON em.id = u.last_email_id`,
    [projectId, from ?? new Date(0), to],
  );
  return rows[0]?.list ?? [];
}

async function topOfAllTime(db: Database, projectId: string) {
  const now = new Date(Date.now() + 1000);
  const { rows } = await db.query<Record<string, unknown[] | null>>(
    `SELECT
       (SELECT json_agg(${USER_JSON} ORDER BY t.n DESC, u.id)
          FROM (SELECT id, event_count AS n FROM users WHERE project_id = $1
                 ORDER BY event_count DESC, id LIMIT 10) t
          JOIN users u ON u.id = t.id LEFT JOIN emails em ON em.id = u.last_email_id) AS users,
       (SELECT json_agg(json_build_object('ip', host(ip), 'country', country, 'events', event_count)
                        ORDER BY event_count DESC, id)
          FROM (SELECT * FROM ips WHERE project_id = $1 ORDER BY event_count DESC, id LIMIT 10) t) AS ips,
       (SELECT json_agg(json_build_object('iso', t.country, 'name', c.name, 'events', t.event_count)
                        ORDER BY t.event_count DESC, t.country)
          FROM (SELECT * FROM project_countries WHERE project_id = $1
                 ORDER BY event_count DESC, country LIMIT 10) t
          LEFT JOIN countries c ON c.iso = t.country) AS countries,
       (SELECT json_agg(json_build_object('id', id, 'asn', asn, 'name', name, 'events', event_count)
                        ORDER BY event_count DESC, id)
          FROM (SELECT * FROM isps WHERE project_id = $1 ORDER BY event_count DESC, id LIMIT 10) t) AS isps,
       (SELECT json_agg(json_build_object('id', id, 'url', url, 'events', event_count)
                        ORDER BY event_count DESC, id)
          FROM (SELECT * FROM resources WHERE project_id = $1 ORDER BY event_count DESC, id LIMIT 10) t) AS resources`,
    [projectId],
  );
  const r = rows[0]!;
  return {
    users: r.users ?? [],
    riskyUsers: await riskyUsers(db, projectId, null, now),
    ips: r.ips ?? [],
    countries: r.countries ?? [],
    isps: r.isps ?? [],
    resources: r.resources ?? [],
  };
}
