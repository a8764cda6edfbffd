import type { EntityDefinition } from './entities-routes.ts';

// An e-mail row is one address of one user (as tirreno): the same address on two users is two
// rows, and "users" counts the rows sharing the address.
export const emailsEntity: EntityDefinition = {
  kind: 'emails',
  noun: 'e-mail address',
  keyName: 'emailId',
  keySchema: { type: 'string', maxLength: 20 },
  parseKey: (raw) => (/^\d{1,15}$/.test(raw) ? Number(raw) : null),
  from: 'emails x JOIN users u ON u.id = x.user_id LEFT JOIN domains d ON d.id = x.domain_id',
  lookup: 'x.id = $2',
  id: 'x.id',
  idType: 'bigint',
  columns: `x.id, x.email, x.user_id AS "userId", u.user_name AS "userName", u.score, d.id AS "domainId",
    d.domain, x.is_valid AS valid, d.is_free AS free, d.is_disposable AS disposable, x.blacklisted,
    x.event_count AS events,
    (SELECT count(*) FROM emails o WHERE o.project_id = x.project_id AND o.email = x.email)::int AS users,
    x.first_seen AS "firstSeen", x.last_seen AS "lastSeen"`,
  detailColumns: 'd.has_mx AS mx, x.enrichment, x.enriched_at AS "enrichedAt"',
  search: ['x.email', 'u.user_name'],
  sorts: {
    email: 'x.email',
    userName: 'u.user_name',
    events: 'x.event_count',
    firstSeen: 'x.first_seen',
    lastSeen: 'x.last_seen',
  },
  defaultSort: 'lastSeen',
  filters: {
    kind: {
      blacklisted: 'x.blacklisted',
      invalid: 'x.is_valid = false',
      disposable: 'd.is_disposable',
      free: 'd.is_free',
    },
  },
  scopes: { domainId: { schema: { type: 'integer', minimum: 1 }, sql: (p) => `x.domain_id = ${p}` } },
  csv: [
    'email',
    'userName',
    'domain',
    'valid',
    'free',
    'disposable',
    'blacklisted',
    'events',
    'users',
    'firstSeen',
    'lastSeen',
  ],
  events: { key: 'e.email_id' },
  users: `SELECT o.user_id FROM emails o
           WHERE o.project_id = $1 AND o.email = (SELECT email FROM emails WHERE id = $2)`,
};
