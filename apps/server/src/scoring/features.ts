import {
  type DeviceFeature,
  type EmailFeature,
  EVENT_CONTEXT_LIMIT,
  type EventFeature,
  eventTypeFromId,
  httpMethodFromId,
  type IpFeature,
  type ListMatch,
  type PhoneFeature,
  type SessionFeature,
  type UserFeatures,
} from '@vigil/core';
import type { Executor } from '@vigil/db';

/**
 * Session facts (IPs, devices and countries per session) come from the user's latest events:
 * sessions older than these are summarised by their stored counters only.
 */
const SESSION_EVENTS_LIMIT = 200;

/**
 * Loads the rule features of many users at once: seven queries whatever the number of users,
 * reading counters kept at ingest and each user's latest events (never their whole history).
 */
export async function loadFeatures(
  db: Executor,
  userIds: number[],
  now = new Date(),
): Promise<Map<number, UserFeatures>> {
  const out = new Map<number, UserFeatures>();
  if (userIds.length === 0) return out;
  const ids = [...new Set(userIds)];
  const [users, events, ips, devices, emails, phones, sessions] = await Promise.all([
    db.query<{
      id: number;
      user_name: string;
      created: Date;
      first_seen: Date;
      last_seen: Date;
      first_name: string | null;
      last_name: string | null;
      full_name: string | null;
      event_count: number;
      last_email_id: number | null;
      last_phone_id: number | null;
      timezone: string;
    }>(
      `SELECT u.id, u.user_name, u.created, u.first_seen, u.last_seen, u.first_name, u.last_name, u.full_name,
              u.event_count, u.last_email_id, u.last_phone_id, p.timezone
         FROM users u JOIN projects p ON p.id = u.project_id
        WHERE u.id = ANY($1::bigint[])`,
      [ids],
    ),
    db.query<{
      user_id: number;
      id: number;
      time: Date;
      type: number;
      http_code: number | null;
      http_method: number | null;
      url: string;
      referer: string | null;
      ip_id: number;
      device_id: number;
      session_id: number;
      country: string | null;
    }>(
      `SELECT u.id AS user_id, e.id, e.time, e.type, e.http_code, e.http_method, r.url, ref.referer,
              e.ip_id, e.device_id, e.session_id, i.country
         FROM unnest($1::bigint[]) AS u(id)
        CROSS JOIN LATERAL (
          SELECT * FROM events e WHERE e.user_id = u.id ORDER BY e.time DESC, e.id DESC LIMIT ${SESSION_EVENTS_LIMIT}
        ) e
         JOIN resources r ON r.id = e.resource_id
         JOIN ips i ON i.id = e.ip_id
         LEFT JOIN referers ref ON ref.id = e.referer_id
        ORDER BY u.id, e.time DESC, e.id DESC`,
      [ids],
    ),
    db.query<{
      user_id: number;
      id: number;
      ip: string;
      country: string | null;
      asn: number | null;
      network: string | null;
      is_local: boolean;
      is_datacenter: boolean | null;
      is_tor: boolean | null;
      is_relay: boolean | null;
      is_starlink: boolean | null;
      is_vpn: boolean | null;
      blacklisted: boolean;
      user_count: number;
      enrichment: { lists?: ListMatch[] };
      first_seen: Date;
      last_seen: Date;
    }>(
      `SELECT l.user_id, i.id, host(i.ip) AS ip, i.country, isp.asn, i.network::text AS network, i.is_local,
              i.is_datacenter, i.is_tor, i.is_relay, i.is_starlink, i.is_vpn, i.blacklisted, i.user_count,
              i.enrichment, l.first_seen, l.last_seen
         FROM user_ips l JOIN ips i ON i.id = l.ip_id LEFT JOIN isps isp ON isp.id = i.isp_id
        WHERE l.user_id = ANY($1::bigint[])`,
      [ids],
    ),
    db.query<{
      user_id: number;
      id: number;
      ua: string | null;
      lang: string | null;
      device_type: string | null;
      os_name: string | null;
      os_version: string | null;
      browser_name: string | null;
      browser_version: string | null;
      is_bot: boolean | null;
      bot_name: string | null;
      is_ai_bot: boolean | null;
      first_seen: Date;
      last_seen: Date;
    }>(
      `SELECT d.user_id, d.id, ua.ua, d.lang, ua.device_type, ua.os_name, ua.os_version, ua.browser_name,
              ua.browser_version, ua.is_bot, ua.bot_name, ua.is_ai_bot, d.first_seen, d.last_seen
         FROM devices d JOIN user_agents ua ON ua.id = d.user_agent_id
        WHERE d.user_id = ANY($1::bigint[])`,
      [ids],
    ),
    db.query<{
      user_id: number;
      id: number;
      email: string;
      is_valid: boolean | null;
      enrichment: Record<string, unknown>;
      domain: string | null;
      is_free: boolean | null;
      is_disposable: boolean | null;
      has_mx: boolean | null;
      blacklisted: boolean;
      first_seen: Date;
      last_seen: Date;
    }>(
      `SELECT e.user_id, e.id, e.email, e.is_valid, e.enrichment, d.domain, d.is_free, d.is_disposable, d.has_mx,
              e.blacklisted, e.first_seen, e.last_seen
         FROM emails e LEFT JOIN domains d ON d.id = e.domain_id
        WHERE e.user_id = ANY($1::bigint[])`,
      [ids],
    ),
    db.query<{
      user_id: number;
      id: number;
      phone: string;
      is_valid: boolean | null;
      e164: string | null;
      country: string | null;
      line_type: string | null;
      blacklisted: boolean;
      enrichment: { lists?: ListMatch[] };
      shared: number;
      first_seen: Date;
      last_seen: Date;
    }>(
      `SELECT p.user_id, p.id, p.phone, p.is_valid, p.e164, p.country, p.line_type, p.blacklisted, p.enrichment,
              (SELECT count(DISTINCT o.user_id)::int FROM phones o WHERE o.project_id = p.project_id AND o.phone = p.phone) AS shared,
              p.first_seen, p.last_seen
         FROM phones p WHERE p.user_id = ANY($1::bigint[])`,
      [ids],
    ),
    db.query<{ user_id: number; id: number; started: Date; last_seen: Date; event_count: number }>(
      `SELECT s.user_id, s.id, s.started, s.last_seen, s.event_count
         FROM sessions s WHERE s.user_id = ANY($1::bigint[]) ORDER BY s.user_id, s.started DESC`,
      [ids],
    ),
  ]);

  const group = <R extends { user_id: number }>(rows: R[]) => {
    const m = new Map<number, R[]>();
    for (const r of rows) {
      const k = Number(r.user_id);
      const list = m.get(k);
      if (list) list.push(r);
      else m.set(k, [r]);
    }
    return m;
  };
  const eventsBy = group(events.rows);
  const ipsBy = group(ips.rows);
  const devicesBy = group(devices.rows);
  const emailsBy = group(emails.rows);
  const phonesBy = group(phones.rows);
  const sessionsBy = group(sessions.rows);

  for (const u of users.rows) {
    const id = Number(u.id);
    const recent = eventsBy.get(id) ?? [];
    const eventFeatures: EventFeature[] = recent.slice(0, EVENT_CONTEXT_LIMIT).map((e) => ({
      id: Number(e.id),
      time: e.time,
      type: eventTypeFromId(e.type) ?? 'page_view',
      httpCode: e.http_code,
      httpMethod: e.http_method === null ? null : (httpMethodFromId(e.http_method) ?? null),
      url: e.url,
      refererEmpty: e.referer === null || e.referer === '',
      ipId: Number(e.ip_id),
      deviceId: Number(e.device_id),
      sessionId: Number(e.session_id),
    }));
    // Per-session distinct IPs, devices and countries, from the latest events.
    const perSession = new Map<number, { ips: Set<number>; devices: Set<number>; countries: Set<string> }>();
    for (const e of recent) {
      const sid = Number(e.session_id);
      let s = perSession.get(sid);
      if (!s) {
        s = { ips: new Set(), devices: new Set(), countries: new Set() };
        perSession.set(sid, s);
      }
      s.ips.add(Number(e.ip_id));
      s.devices.add(Number(e.device_id));
      if (e.country) s.countries.add(e.country);
    }
    const sessionFeatures: SessionFeature[] = (sessionsBy.get(id) ?? []).map((s) => {
      const seen = perSession.get(Number(s.id));
      return {
        id: Number(s.id),
        started: s.started,
        lastSeen: s.last_seen,
        eventCount: Number(s.event_count),
        ipCount: seen ? seen.ips.size : 1,
        deviceCount: seen ? seen.devices.size : 1,
        countryCount: seen ? seen.countries.size : 0,
      };
    });
    const ipFeatures: IpFeature[] = (ipsBy.get(id) ?? []).map((i) => ({
      id: Number(i.id),
      ip: i.ip,
      country: i.country,
      asn: i.asn === null ? null : Number(i.asn),
      network: i.network,
      local: i.is_local,
      datacenter: i.is_datacenter,
      tor: i.is_tor,
      relay: i.is_relay,
      starlink: i.is_starlink,
      vpn: i.is_vpn,
      blocklist: null,
      hostedDomains: null,
      blacklisted: i.blacklisted,
      sharedUsers: Number(i.user_count),
      lists: i.enrichment?.lists ?? [],
      firstSeen: i.first_seen,
      lastSeen: i.last_seen,
    }));
    const deviceFeatures: DeviceFeature[] = (devicesBy.get(id) ?? []).map((d) => ({
      id: Number(d.id),
      userAgent: d.ua,
      language: d.lang,
      deviceType: d.device_type,
      osName: d.os_name,
      osVersion: d.os_version,
      browserName: d.browser_name,
      browserVersion: d.browser_version,
      isBot: d.is_bot,
      botName: d.bot_name,
      isAiBot: d.is_ai_bot,
      firstSeen: d.first_seen,
      lastSeen: d.last_seen,
    }));
    const emailFeatures: EmailFeature[] = (emailsBy.get(id) ?? []).map((e) => emailFeature(e));
    const phoneFeatures: PhoneFeature[] = (phonesBy.get(id) ?? []).map((p) => ({
      id: Number(p.id),
      phone: p.phone,
      valid: p.is_valid,
      e164: p.e164,
      country: p.country,
      lineType: p.line_type,
      sharedUsers: Number(p.shared),
      blacklisted: p.blacklisted,
      lists: p.enrichment?.lists ?? [],
      firstSeen: p.first_seen,
      lastSeen: p.last_seen,
    }));
    out.set(id, {
      userId: id,
      userName: u.user_name,
      now,
      timezone: u.timezone,
      created: u.created,
      firstSeen: u.first_seen,
      lastSeen: u.last_seen,
      firstName: u.first_name,
      lastName: u.last_name,
      fullName: u.full_name,
      eventCount: Number(u.event_count),
      events: eventFeatures,
      ips: ipFeatures,
      devices: deviceFeatures,
      emails: emailFeatures,
      lastEmail: emailFeatures.find((e) => e.id === Number(u.last_email_id)) ?? null,
      phones: phoneFeatures,
      lastPhone: phoneFeatures.find((p) => p.id === Number(u.last_phone_id)) ?? null,
      sessions: sessionFeatures,
    });
  }
  return out;
}

function emailFeature(e: {
  id: number;
  email: string;
  is_valid: boolean | null;
  enrichment: Record<string, unknown>;
  domain: string | null;
  is_free: boolean | null;
  is_disposable: boolean | null;
  has_mx: boolean | null;
  blacklisted: boolean;
  first_seen: Date;
  last_seen: Date;
}): EmailFeature {
  const facts = e.enrichment as {
    localPart?: string;
    roleAddress?: boolean;
    institution?: 'edu' | 'gov' | 'mil' | null;
    appleDomain?: boolean;
    lists?: ListMatch[];
  };
  const at = e.email.lastIndexOf('@');
  return {
    id: Number(e.id),
    email: e.email,
    valid: e.is_valid,
    localPart: facts.localPart ?? (at > 0 ? e.email.slice(0, at) : e.email),
    domain: e.domain ?? (at > 0 ? e.email.slice(at + 1) : ''),
    freeProvider: e.is_free,
    disposable: e.is_disposable,
    roleAddress: facts.roleAddress ?? null,
    institution: facts.institution ?? null,
    appleDomain: facts.appleDomain ?? null,
    hasMx: e.has_mx,
    domainCreated: null,
    domainDisabled: null,
    domainBlocklisted: null,
    trancoRank: null,
    dataBreach: null,
    earliestBreach: null,
    emailBlocklisted: null,
    blacklisted: e.blacklisted,
    lists: facts.lists ?? [],
    firstSeen: e.first_seen,
    lastSeen: e.last_seen,
  };
}
