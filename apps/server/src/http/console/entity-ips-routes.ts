import { canonicalIp } from '@vigil/core';
import type { EntityDefinition } from './entities-routes.ts';

/** The type an operator sees for an IP, first match wins (the order of ipType() in the public API). */
export const IP_TYPES = [
  'blacklisted',
  'local',
  'tor',
  'starlink',
  'relay',
  'vpn',
  'datacenter',
  'unknown',
  'residential',
] as const;
const IP_TYPE = `CASE WHEN x.blacklisted THEN 'blacklisted' WHEN x.is_local THEN 'local'
  WHEN x.is_tor THEN 'tor' WHEN x.is_starlink THEN 'starlink' WHEN x.is_relay THEN 'relay'
  WHEN x.is_vpn THEN 'vpn' WHEN x.is_datacenter THEN 'datacenter'
  WHEN x.country IS NULL AND (s.asn IS NULL OR s.asn = 64496) THEN 'unknown' ELSE 'residential' END`;

export const ipsEntity: EntityDefinition = {
  kind: 'ips',
  noun: 'IP address',
  keyName: 'ip',
  keySchema: { type: 'string', maxLength: 64 },
  parseKey: (raw) => canonicalIp(raw),
  from: 'ips x LEFT JOIN isps s ON s.id = x.isp_id LEFT JOIN countries c ON c.iso = x.country',
  lookup: 'x.ip = $2::inet',
  id: 'x.id',
  idType: 'bigint',
  columns: `x.id, host(x.ip) AS ip, x.country, c.name AS "countryName", s.id AS "ispId", s.asn,
    s.name AS isp, x.network::text AS network, ${IP_TYPE} AS type, x.blacklisted,
    x.event_count AS events, x.user_count AS users, x.first_seen AS "firstSeen", x.last_seen AS "lastSeen"`,
  detailColumns: `x.is_local AS local, x.is_datacenter AS datacenter, x.is_tor AS tor, x.is_relay AS relay,
    x.is_starlink AS starlink, x.is_vpn AS vpn, x.enrichment, x.enriched_at AS "enrichedAt"`,
  search: ['host(x.ip)', 's.name', 's.asn::text', 'x.country', 'c.name'],
  sorts: {
    ip: 'x.ip',
    country: 'x.country',
    asn: 's.asn',
    isp: 's.name',
    events: 'x.event_count',
    users: 'x.user_count',
    firstSeen: 'x.first_seen',
    lastSeen: 'x.last_seen',
  },
  defaultSort: 'lastSeen',
  filters: { type: Object.fromEntries(IP_TYPES.map((t) => [t, `${IP_TYPE} = '${t}'`])) },
  scopes: {
    ispId: { schema: { type: 'integer', minimum: 1 }, sql: (p) => `x.isp_id = ${p}` },
    country: { schema: { type: 'string', pattern: '^[A-Z]{2}$' }, sql: (p) => `x.country = ${p}` },
  },
  csv: [
    'ip',
    'type',
    'country',
    'asn',
    'isp',
    'network',
    'blacklisted',
    'events',
    'users',
    'firstSeen',
    'lastSeen',
  ],
  events: { key: 'e.ip_id' },
  users: 'SELECT ui.user_id FROM user_ips ui WHERE ui.ip_id = $2',
  related: {
    devices: `SELECT ua.id AS "uaId", ua.device_type AS "deviceType", ua.os_name AS os,
                     ua.browser_name AS browser, count(DISTINCT d.user_id)::int AS users
                FROM (SELECT DISTINCT e.device_id FROM events e
                       WHERE e.ip_id = $2 AND e.project_id = $1 AND e.time >= $3 AND e.time < $4) ed
                JOIN devices d ON d.id = ed.device_id JOIN user_agents ua ON ua.id = d.user_agent_id
               GROUP BY ua.id ORDER BY users DESC LIMIT 50`,
  },
  map: 'SELECT x.country AS iso, 1 AS value FROM ips x WHERE x.id = $2 AND x.project_id = $1 AND x.country IS NOT NULL',
};
