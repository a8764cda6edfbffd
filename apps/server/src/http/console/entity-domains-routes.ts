import type { EntityDefinition } from './entities-routes.ts';

export const domainsEntity: EntityDefinition = {
  kind: 'domains',
  noun: 'e-mail domain',
  keyName: 'domain',
  keySchema: { type: 'string', maxLength: 255 },
  parseKey: (raw) => {
    const domain = raw.trim().toLowerCase();
    return domain.length > 0 && domain.length <= 255 ? domain : null;
  },
  from: 'domains x',
  lookup: 'x.domain = $2',
  id: 'x.id',
  idType: 'bigint',
  columns: `x.id, x.domain, x.registrable, x.public_suffix AS "publicSuffix", x.is_free AS free,
    x.is_disposable AS disposable, x.has_mx AS mx, x.event_count AS events,
    (SELECT count(DISTINCT m.user_id) FROM emails m WHERE m.domain_id = x.id)::int AS users,
    (SELECT count(*) FROM emails m WHERE m.domain_id = x.id AND m.blacklisted)::int AS "blacklistedEmails",
    x.first_seen AS "firstSeen", x.last_seen AS "lastSeen"`,
  detailColumns: 'x.enrichment, x.enriched_at AS "enrichedAt"',
  search: ['x.domain'],
  sorts: {
    domain: 'x.domain',
    events: 'x.event_count',
    firstSeen: 'x.first_seen',
    lastSeen: 'x.last_seen',
  },
  defaultSort: 'events',
  filters: {
    kind: {
      free: 'x.is_free',
      disposable: 'x.is_disposable',
      noMx: 'x.has_mx = false',
      business: 'x.is_free = false AND x.is_disposable = false',
    },
  },
  csv: [
    'domain',
    'free',
    'disposable',
    'mx',
    'events',
    'users',
    'blacklistedEmails',
    'firstSeen',
    'lastSeen',
  ],
  hourlyKind: 3,
  events: { join: 'JOIN emails ee ON ee.id = e.email_id', key: 'ee.domain_id' },
  users: 'SELECT m.user_id FROM emails m WHERE m.domain_id = $2',
};
