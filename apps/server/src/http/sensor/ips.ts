import { canonicalIp, type Enricher, type IpFacts } from '@vigil/core';
import type { Executor } from '@vigil/db';
import type { FastifyInstance } from 'fastify';
import { sendError } from '../errors.ts';

/**
 * The type an operator sees for an address, first match wins (tirreno's order): a blacklisted IP
 * is "blacklisted" whatever else it is; an address with no known facts is "unknown".
 */
export function ipType(facts: IpFacts, blacklisted: boolean): string {
  if (blacklisted) return 'blacklisted';
  if (facts.local) return 'local';
  if (facts.tor) return 'tor';
  if (facts.starlink) return 'starlink';
  if (facts.relay) return 'relay';
  if (facts.vpn) return 'vpn';
  if (facts.datacenter) return 'datacenter';
  if (facts.country === null && facts.asn === null) return 'unknown';
  return 'residential';
}

/** What Vigil knows of one IP address, for integrators deciding in their own code. */
export function registerIpRoutes(app: FastifyInstance, db: Executor, enricher: Enricher): void {
  app.get<{ Params: { ip: string } }>('/api/v1/ips/:ip', async (request, reply) => {
    const ip = canonicalIp(request.params.ip);
    if (ip === null) return sendError(reply, 400, 'invalid_parameter', 'Not an IPv4 or IPv6 address', 'ip');
    const facts = enricher.enrich(
      { ipAddress: ip, userAgent: null, emailAddress: null, phoneNumber: null },
      { projectId: request.project.id },
    ).ip;
    const { rows } = await db.query<{
      id: number;
      blacklisted: boolean;
      first_seen: Date;
      last_seen: Date;
      event_count: number;
      isp: string | null;
      users: number;
    }>(
      `SELECT i.id, i.blacklisted, i.first_seen, i.last_seen, i.event_count, isp.name AS isp,
              (SELECT count(DISTINCT e.user_id)::int FROM events e WHERE e.ip_id = i.id) AS users
         FROM ips i LEFT JOIN isps isp ON isp.id = i.isp_id
        WHERE i.project_id = $1 AND i.ip = $2::inet`,
      [request.project.id, ip],
    );
    const seen = rows[0];
    const country = facts.country
      ? (await db.query<{ name: string }>('SELECT name FROM countries WHERE iso = $1', [facts.country]))
          .rows[0]?.name
      : undefined;
    const blacklisted = seen?.blacklisted ?? false;
    return {
      ip,
      type: ipType(facts, blacklisted),
      country: facts.country,
      countryName: country ?? null,
      asn: facts.asn,
      isp: facts.asName,
      network: facts.network,
      flags: {
        local: facts.local,
        datacenter: facts.datacenter,
        tor: facts.tor,
        relay: facts.relay,
        starlink: facts.starlink,
        vpn: facts.vpn,
      },
      sources: facts.sources,
      lists: facts.lists,
      blacklisted,
      seen: seen !== undefined,
      users: seen?.users ?? 0,
      events: seen ? Number(seen.event_count) : 0,
      firstSeen: seen?.first_seen.toISOString() ?? null,
      lastSeen: seen?.last_seen.toISOString() ?? null,
    };
  });
}
