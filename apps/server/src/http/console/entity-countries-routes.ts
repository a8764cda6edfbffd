import type { Database } from '@vigil/db';
import type { FastifyInstance } from 'fastify';
import type { EntityDefinition } from './entities-routes.ts';
import { PROJECT_PREFIX } from './guard.ts';
import { listQuerySchema } from './lists.ts';

const IPS_OF = 'FROM ips i WHERE i.project_id = x.project_id AND i.country = x.country';

export const countriesEntity: EntityDefinition = {
  kind: 'countries',
  noun: 'country',
  keyName: 'iso',
  keySchema: { type: 'string', maxLength: 2 },
  parseKey: (raw) => (/^[A-Za-z]{2}$/.test(raw) ? raw.toUpperCase() : null),
  from: 'project_countries x JOIN countries c ON c.iso = x.country',
  lookup: 'x.country = $2',
  id: 'x.country',
  idType: 'text',
  columns: `x.country AS iso, c.name, x.event_count AS events,
    (SELECT count(*) ${IPS_OF})::int AS ips,
    (SELECT count(DISTINCT i.isp_id) ${IPS_OF})::int AS isps,
    x.first_seen AS "firstSeen", x.last_seen AS "lastSeen"`,
  // Users of a country span thousands of IPs: counted on its own page, not for every list row.
  detailColumns: `(SELECT count(DISTINCT ui.user_id) FROM ips i JOIN user_ips ui ON ui.ip_id = i.id
      WHERE i.project_id = x.project_id AND i.country = x.country)::int AS users`,
  search: ['c.name', 'x.country'],
  sorts: {
    name: 'c.name',
    iso: 'x.country',
    events: 'x.event_count',
    firstSeen: 'x.first_seen',
    lastSeen: 'x.last_seen',
  },
  defaultSort: 'events',
  csv: ['iso', 'name', 'events', 'ips', 'isps', 'firstSeen', 'lastSeen'],
  events: { join: 'JOIN ips ei ON ei.id = e.ip_id', key: 'ei.country' },
  hourly: 'country',
  users: `SELECT ui.user_id FROM user_ips ui JOIN ips i ON i.id = ui.ip_id
           WHERE i.project_id = $1 AND i.country = $2`,
  related: {
    isps: `SELECT s.id, s.asn, s.name, count(*)::int AS ips, sum(i.event_count)::int8 AS events
             FROM ips i JOIN isps s ON s.id = i.isp_id
            WHERE i.project_id = $1 AND i.country = $2
            GROUP BY s.id ORDER BY events DESC LIMIT 50`,
  },
  map: 'SELECT x.country AS iso, 1 AS value FROM project_countries x WHERE x.project_id = $1 AND x.country = $2',
};

/**
 * The countries page's map: per country, its events (the counter, for countries seen in the
 * period) or its risky users (in review, blacklisted, or scored at or below the review
 * threshold) active in the period, placed by the country of their last IP.
 */
export function registerCountryMap(app: FastifyInstance, db: Database): void {
  app.get<{ Querystring: { from?: string; to?: string; metric: 'events' | 'risky' } }>(
    `${PROJECT_PREFIX}/countries-map`,
    {
      config: { access: 'viewer' },
      schema: {
        summary: 'Values per country for the world map: events, or risky users',
        tags: ['entities'],
        querystring: {
          type: 'object',
          properties: {
            from: listQuerySchema.properties.from,
            to: listQuerySchema.properties.to,
            metric: { type: 'string', enum: ['events', 'risky'], default: 'events' },
          },
        },
      },
      handler: async (request) => {
        const { from, to, metric } = request.query;
        const args = [request.consoleProject!.id, from ?? '-infinity', to ?? 'infinity'];
        const sql =
          metric === 'risky'
            ? `SELECT i.country AS iso, count(*)::int AS value
                 FROM users u JOIN projects p ON p.id = u.project_id
                 JOIN ips i ON i.project_id = u.project_id AND i.ip = u.last_ip
                WHERE u.project_id = $1 AND u.last_seen >= $2 AND u.first_seen < $3
                  AND i.country IS NOT NULL
                  AND (u.status IN ('review', 'blacklisted') OR u.score <= p.review_threshold)
                GROUP BY i.country`
            : `SELECT country AS iso, event_count AS value FROM project_countries
                WHERE project_id = $1 AND last_seen >= $2 AND first_seen < $3`;
        const { rows } = await db.query<{ iso: string; value: number }>(sql, args);
        return { metric, values: Object.fromEntries(rows.map((r) => [r.iso, Number(r.value)])) };
      },
    },
  );
}
