import type { EntityDefinition } from './entities-routes.ts';

const KNOWN_TYPES = "'desktop', 'smartphone', 'tablet', 'bot'";

// The "devices" pages list user agents (parsed facts, bot flags); a device row proper is a
// (user, user agent, language) triple, and "users" counts the users behind one agent.
export const devicesEntity: EntityDefinition = {
  kind: 'devices',
  noun: 'user agent',
  keyName: 'uaId',
  keySchema: { type: 'string', maxLength: 20 },
  parseKey: (raw) => (/^\d{1,15}$/.test(raw) ? Number(raw) : null),
  from: 'user_agents x',
  lookup: 'x.id = $2',
  id: 'x.id',
  idType: 'bigint',
  columns: `x.id, x.ua, x.device_type AS "deviceType", x.brand, x.model, x.os_name AS os,
    x.os_version AS "osVersion", x.browser_name AS browser, x.browser_version AS "browserVersion",
    x.is_bot AS bot, x.bot_name AS "botName", x.is_ai_bot AS "aiBot", x.event_count AS events,
    (SELECT count(DISTINCT d.user_id) FROM devices d
      WHERE d.project_id = x.project_id AND d.user_agent_id = x.id)::int AS users,
    x.first_seen AS "firstSeen", x.last_seen AS "lastSeen"`,
  detailColumns: 'x.enrichment, x.enriched_at AS "enrichedAt"',
  search: ['x.ua', 'x.os_name', 'x.browser_name', 'x.bot_name', 'x.device_type'],
  sorts: {
    deviceType: 'x.device_type',
    os: 'x.os_name',
    browser: 'x.browser_name',
    events: 'x.event_count',
    firstSeen: 'x.first_seen',
    lastSeen: 'x.last_seen',
  },
  defaultSort: 'lastSeen',
  filters: {
    deviceType: {
      desktop: "x.device_type = 'desktop'",
      smartphone: "x.device_type = 'smartphone'",
      tablet: "x.device_type = 'tablet'",
      bot: "x.device_type = 'bot'",
      other: `x.device_type NOT IN (${KNOWN_TYPES})`,
      unknown: 'x.device_type IS NULL',
    },
    kind: {
      bot: 'x.is_bot',
      aiBot: 'x.is_ai_bot',
      human: 'x.is_bot IS NOT TRUE',
    },
  },
  csv: [
    'ua',
    'deviceType',
    'os',
    'osVersion',
    'browser',
    'browserVersion',
    'bot',
    'botName',
    'aiBot',
    'events',
    'users',
    'firstSeen',
    'lastSeen',
  ],
  hourlyKind: 4,
  events: {
    join: 'JOIN devices ed ON ed.id = e.device_id AND ed.project_id = e.project_id',
    key: 'ed.user_agent_id',
  },
  users: 'SELECT d.user_id FROM devices d WHERE d.project_id = $1 AND d.user_agent_id = $2',
};
