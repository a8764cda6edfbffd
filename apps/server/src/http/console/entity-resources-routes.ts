import type { EntityDefinition } from './entities-routes.ts';

// What a URL path serves, from its extension (or an /api prefix): pages, static assets, API.
const FILE_TYPE = `CASE
  WHEN x.url ~* '^/(api|graphql|rpc)(/|$)' OR x.url ~* '\\.(json|xml)$' THEN 'api'
  WHEN x.url ~* '\\.(css|js|mjs|map|png|jpe?g|gif|svg|ico|webp|avif|bmp|woff2?|ttf|otf|eot|mp3|mp4|webm|ogg|wav|pdf|zip|gz|tar|rar|7z|txt|csv|wasm)$' THEN 'asset'
  ELSE 'page' END`;

export const resourcesEntity: EntityDefinition = {
  kind: 'resources',
  noun: 'resource (URL path)',
  keyName: 'resourceId',
  keySchema: { type: 'string', maxLength: 20 },
  parseKey: (raw) => (/^\d{1,15}$/.test(raw) ? Number(raw) : null),
  from: 'resources x',
  lookup: 'x.id = $2',
  id: 'x.id',
  idType: 'bigint',
  columns: `x.id, x.url, x.title, x.http_code AS "httpCode", ${FILE_TYPE} AS "fileType",
    x.event_count AS events, x.first_seen AS "firstSeen", x.last_seen AS "lastSeen"`,
  search: ['x.url', 'x.title'],
  sorts: {
    url: 'x.url',
    httpCode: 'x.http_code',
    events: 'x.event_count',
    firstSeen: 'x.first_seen',
    lastSeen: 'x.last_seen',
  },
  defaultSort: 'lastSeen',
  filters: {
    fileType: Object.fromEntries(['page', 'asset', 'api'].map((t) => [t, `${FILE_TYPE} = '${t}'`])),
    code: {
      '2xx': 'x.http_code BETWEEN 200 AND 299',
      '3xx': 'x.http_code BETWEEN 300 AND 399',
      '4xx': 'x.http_code BETWEEN 400 AND 499',
      '5xx': 'x.http_code BETWEEN 500 AND 599',
      none: 'x.http_code IS NULL',
    },
  },
  csv: ['url', 'title', 'fileType', 'httpCode', 'events', 'firstSeen', 'lastSeen'],
  hourlyKind: 2,
  events: { key: 'e.resource_id' },
  // No user ↔ resource counter exists: the users are those of its events in the period.
  users: `SELECT e.user_id FROM events e
           WHERE e.project_id = $1 AND e.resource_id = $2 AND e.time >= $3 AND e.time < $4`,
  related: {
    codes: `SELECT e.http_code AS code, count(*)::int AS events FROM events e
             WHERE e.project_id = $1 AND e.resource_id = $2 AND e.time >= $3 AND e.time < $4
             GROUP BY e.http_code ORDER BY events DESC`,
  },
};
