import type { EntityDefinition } from './entities-routes.ts';

const IPS_OF = 'FROM ips i WHERE i.project_id = x.project_id AND i.isp_id = x.id';

export const ispsEntity: EntityDefinition = {
  kind: 'isps',
  noun: 'network (ISP)',
  keyName: 'ispId',
  keySchema: { type: 'string', maxLength: 20 },
  parseKey: (raw) => (/^\d{1,15}$/.test(raw) ? Number(raw) : null),
  from: 'isps x',
  lookup: 'x.id = $2',
  id: 'x.id',
  idType: 'bigint',
  // Counts over the network's IPs are select-list subqueries: computed for the page's rows only.
  columns: `x.id, x.asn, x.name, x.event_count AS events,
    (SELECT count(*) ${IPS_OF})::int AS ips,
    (SELECT count(*) ${IPS_OF} AND i.blacklisted)::int AS "blacklistedIps",
    x.first_seen AS "firstSeen", x.last_seen AS "lastSeen"`,
  // A big network's users span thousands of IPs: counted on its own page, not for every row.
  detailColumns: `(SELECT count(DISTINCT ui.user_id) FROM ips i JOIN user_ips ui ON ui.ip_id = i.id
      WHERE i.project_id = x.project_id AND i.isp_id = x.id)::int AS users`,
  search: ['x.name', 'x.asn::text'],
  sorts: {
    asn: 'x.asn',
    name: 'x.name',
    events: 'x.event_count',
    firstSeen: 'x.first_seen',
    lastSeen: 'x.last_seen',
  },
  defaultSort: 'events',
  filters: {
    has: {
      datacenter: `EXISTS (SELECT 1 ${IPS_OF} AND i.is_datacenter)`,
      vpn: `EXISTS (SELECT 1 ${IPS_OF} AND i.is_vpn)`,
      tor: `EXISTS (SELECT 1 ${IPS_OF} AND i.is_tor)`,
      blacklisted: `EXISTS (SELECT 1 ${IPS_OF} AND i.blacklisted)`,
    },
  },
  csv: ['asn', 'name', 'events', 'ips', 'blacklistedIps', 'firstSeen', 'lastSeen'],
  events: { join: 'JOIN ips ei ON ei.id = e.ip_id', key: 'ei.isp_id' },
  hourly: 'isp_id',
  users: `SELECT ui.user_id FROM user_ips ui JOIN ips i ON i.id = ui.ip_id
           WHERE i.project_id = $1 AND i.isp_id = $2`,
  map: `SELECT country AS iso, count(*)::int AS value FROM ips
         WHERE project_id = $1 AND isp_id = $2 AND country IS NOT NULL GROUP BY country`,
};
