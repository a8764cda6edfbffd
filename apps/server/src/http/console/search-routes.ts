import { isIP } from 'node:net';
import type { Database } from '@vigil/db';
import type { FastifyInstance } from 'fastify';
import { PROJECT_PREFIX } from './guard.ts';

// The shell's search box: one text, looked up as whatever it can be (user id, e-mail, IP or IP
// prefix, ASN, domain, phone). Each look-up is one indexed query with a small LIMIT.

export interface SearchHit {
  kind: 'user' | 'email' | 'ip' | 'isp' | 'domain' | 'phone';
  label: string;
  detail?: string;
  path: string;
}

const MAX_HITS = 10;
const PER_KIND = 5;

/** `abc` → `abc%` for LIKE, the pattern characters of the text taken literally. */
function prefix(q: string): string {
  return `${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** "10.1" or "10.1.2." → the network of those whole octets ("10.1.0.0/16"); null otherwise. */
export function ipv4Prefix(q: string): string | null {
  const m = /^(\d{1,3})(?:\.(\d{1,3}))?(?:\.(\d{1,3}))?\.?$/.exec(q);
  if (!m || !q.includes('.')) return null;
  const octets = m
    .slice(1)
    .filter((o) => o !== undefined)
    .map(Number);
  if (octets.some((o) => o > 255)) return null;
  const bits = octets.length * 8;
  while (octets.length < 4) octets.push(0);
  return `${octets.join('.')}/${bits}`;
}

export function registerSearchRoutes(app: FastifyInstance, { db }: { db: Database }): void {
  app.get<{ Querystring: { q: string } }>(`${PROJECT_PREFIX}/search`, {
    config: { access: 'viewer' },
    schema: {
      summary: 'Find users, e-mails, IPs, ISPs (ASN), domains and phones by id, value or prefix',
      tags: ['search'],
      querystring: {
        type: 'object',
        required: ['q'],
        properties: { q: { type: 'string', minLength: 1, maxLength: 200 } },
      },
    },
    handler: async (request) => ({
      results: await search(db, request.consoleProject!.id, request.query.q.trim()),
    }),
  });
}

export async function search(db: Database, projectId: string, q: string): Promise<SearchHit[]> {
  if (!q) return [];
  const lookups: Promise<SearchHit[]>[] = [];
  const run = <R>(sql: string, params: unknown[], hit: (row: R) => SearchHit) =>
    lookups.push(db.query<R & Record<string, unknown>>(sql, params).then((r) => r.rows.map(hit)));

  run<{ id: number; user_name: string; full_name: string | null }>(
    `SELECT id, user_name, full_name FROM users
      WHERE project_id = $1 AND user_name LIKE $2 ORDER BY user_name = $3 DESC, user_name LIMIT ${PER_KIND}`,
    [projectId, prefix(q), q],
    (r) => ({
      kind: 'user',
      label: r.user_name,
      ...(r.full_name ? { detail: r.full_name } : {}),
      path: `/users/${r.id}`,
    }),
  );

  if (q.includes('@')) {
    run<{ id: number; email: string; user_id: number; user_name: string }>(
      `SELECT e.id, e.email, e.user_id, u.user_name FROM emails e JOIN users u ON u.id = e.user_id
        WHERE e.project_id = $1 AND lower(e.email) LIKE $2 ORDER BY lower(e.email), e.id LIMIT ${PER_KIND}`,
      [projectId, prefix(q.toLowerCase())],
      (r) => ({ kind: 'email', label: r.email, detail: r.user_name, path: `/emails/${r.id}` }),
    );
  }

  const family = isIP(q);
  const network = family ? null : q.includes('/') ? cidrOf(q) : ipv4Prefix(q);
  if (family || network) {
    run<{ ip: string; country: string | null; event_count: number }>(
      `SELECT host(ip) AS ip, country, event_count FROM ips
        WHERE project_id = $1 AND ${family ? 'ip = $2::inet' : 'ip <<= $2::inet'}
        ORDER BY ip LIMIT ${PER_KIND}`,
      [projectId, family ? q : network],
      (r) => ({
        kind: 'ip',
        label: r.ip,
        detail: [r.country, `${r.event_count} events`].filter(Boolean).join(' · '),
        path: `/ips/${encodeURIComponent(r.ip)}`,
      }),
    );
  }

  const asn = /^(?:AS)?\s*(\d{1,10})$/i.exec(q);
  if (asn && Number(asn[1]) <= 4_294_967_295) {
    run<{ id: number; asn: number; name: string }>(
      `SELECT id, asn, name FROM isps WHERE project_id = $1 AND asn = $2 LIMIT 1`,
      [projectId, Number(asn[1])],
      (r) => ({ kind: 'isp', label: `AS${r.asn}`, detail: r.name, path: `/isps/${r.id}` }),
    );
  }

  if (!q.includes('@') && /^[a-z0-9][a-z0-9.-]*\.[a-z0-9-]*$/i.test(q) && !family && !network) {
    run<{ domain: string }>(
      `SELECT domain FROM domains WHERE project_id = $1 AND domain LIKE $2 ORDER BY domain LIMIT ${PER_KIND}`,
      [projectId, prefix(q.toLowerCase())],
      (r) => ({ kind: 'domain', label: r.domain, path: `/domains/${encodeURIComponent(r.domain)}` }),
    );
  }

  const digits = q.replace(/[\s().-]/g, '');
  if (/^\+?\d{5,20}$/.test(digits)) {
    const e164 = digits.startsWith('+') ? digits : `+${digits}`;
    run<{ id: number; phone: string; user_name: string }>(
      `SELECT p.id, p.phone, u.user_name FROM phones p JOIN users u ON u.id = p.user_id
        WHERE p.project_id = $1 AND p.id IN (
          (SELECT id FROM phones WHERE project_id = $1 AND phone LIKE $2 LIMIT ${PER_KIND})
          UNION (SELECT id FROM phones WHERE project_id = $1 AND e164 = $3 LIMIT ${PER_KIND}))
        ORDER BY p.phone, p.id LIMIT ${PER_KIND}`,
      [projectId, prefix(q), e164],
      (r) => ({ kind: 'phone', label: r.phone, detail: r.user_name, path: `/phones/${r.id}` }),
    );
  }

  const groups = await Promise.all(lookups);
  // Round-robin over the kinds, so one kind with many hits does not hide the others.
  const hits: SearchHit[] = [];
  for (let i = 0; hits.length < MAX_HITS && groups.some((g) => i < g.length); i++) {
    for (const group of groups) if (group[i] && hits.length < MAX_HITS) hits.push(group[i]!);
  }
  return hits;
}

/** "10.0.0.0/8" or "2001:db8::/32" as a network; null when it is not one. */
function cidrOf(q: string): string | null {
  const [address, bits, ...rest] = q.split('/');
  if (rest.length || !address || !bits || !/^\d{1,3}$/.test(bits)) return null;
  const family = isIP(address);
  if (!family || Number(bits) > (family === 4 ? 32 : 128)) return null;
  return q;
}
