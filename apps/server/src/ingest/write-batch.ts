import { createHash } from 'node:crypto';
import { eventTypeId, type FieldChange, httpMethodId, type IpFacts } from '@vigil/core';
import { type Executor, preparedExecutor, serialExecutor } from '@vigil/db';
import { eventClassOf } from '../event-classes.ts';
import {
  type Bump,
  bumpCounters,
  type EnsureInput,
  ensureRows,
  type SharedRow,
  type SharedTable,
} from './shared-rows.ts';
import { Stage } from './stage.ts';
import type { EventWrite, EventWritten, LogWrite } from './types.ts';

/** A session ends after this much idle time, or when it has lasted this long (tirreno's values). */
export const SESSION_IDLE_MS = 1800 * 1000;
export const SESSION_MAX_MS = 14400 * 1000;

/** tirreno's placeholder ISPs: 0 for local networks, 64496 (a documentation ASN) for unknown. */
const LOCAL_ISP = { asn: 0, name: 'Local area network' };
const UNKNOWN_ISP = { asn: 64496, name: 'N/A' };

function ispOf(ip: IpFacts): { asn: number; name: string } {
  if (ip.local) return LOCAL_ISP;
  if (ip.asn === null) return UNKNOWN_ISP;
  return { asn: ip.asn, name: ip.asName ?? `AS${ip.asn}` };
}

// The shared tables and how their rows are recognised (see shared-rows.ts).
const ISPS: SharedTable = {
  table: 'isps',
  key: [['asn', 'bigint']],
  insert: [['name', 'text']],
  returning: [],
};
const IPS: SharedTable = {
  table: 'ips',
  key: [['ip', 'inet']],
  insert: [['hash', 'text']],
  matchBy: 'hash',
  returning: ['blacklisted'],
};
const USER_AGENTS: SharedTable = { table: 'user_agents', key: [['ua', 'text']], nullableKey: 'ua' };
const DOMAINS: SharedTable = { table: 'domains', key: [['domain', 'text']] };
const RESOURCES: SharedTable = { table: 'resources', key: [['url', 'text']] };
const QUERIES: SharedTable = {
  table: 'resource_queries',
  key: [
    ['resource_id', 'bigint'],
    ['query', 'text'],
  ],
};
const REFERERS: SharedTable = { table: 'referers', key: [['referer', 'text']] };
const FIELDS: SharedTable = { table: 'fields', key: [['field_id', 'text']] };

/** One shared row's share of a batch. */
interface Gathered<T> {
  project: string;
  key: unknown[];
  facts: T;
  first: Date;
  last: Date;
  count: number;
}

/**
 * Stores a batch of events in the caller's transaction with a fixed number of set-based
 * statements, whatever the batch size: each entity table gets one multi-row upsert over arrays
 * (unnest), inputs deduplicated and sorted by key so that concurrent batches lock rows in the
 * same order and cannot deadlock each other. Returns one result per event, in input order.
 */
export async function writeEventBatch(
  tx: Executor,
  events: EventWrite[],
  logs: LogWrite[],
): Promise<EventWritten[]> {
  tx = serialExecutor(preparedExecutor(tx));
  const { fresh, presetIds, duplicates } = await claimIdempotencyKeys(tx, events);
  const written = fresh.length > 0 ? await new BatchWriter(tx, fresh, presetIds).run() : [];
  const byItem = new Map(fresh.map((item, i) => [item, written[i]!]));
  const results = events.map((item) => byItem.get(item) ?? duplicates.get(item)!);
  if (logs.length > 0) {
    const stage = new Stage();
    insertLogbook(
      stage,
      logs.map((l) => ({ projectId: l.projectId, log: l.log, eventId: null })),
    );
    await stage.run(tx);
  }
  return results;
}

/**
 * Claims the batch's idempotency keys. A key seen before (or twice in this batch) makes its event a
 * duplicate, answered with the stored event's id; a new key reserves the event id its event will
 * get. Both happen in the batch's transaction, so they stand or fall with it.
 */
async function claimIdempotencyKeys(
  tx: Executor,
  events: EventWrite[],
): Promise<{
  fresh: EventWrite[];
  presetIds: Map<EventWrite, number>;
  duplicates: Map<EventWrite, EventWritten>;
}> {
  const presetIds = new Map<EventWrite, number>();
  const duplicates = new Map<EventWrite, EventWritten>();
  const keyed = events.filter((e) => e.idempotencyKey !== null);
  if (keyed.length === 0) return { fresh: events, presetIds, duplicates };
  const first = new Map<string, EventWrite>();
  for (const item of keyed) {
    const k = key(item.projectId, item.idempotencyKey);
    if (!first.has(k)) first.set(k, item);
  }
  const claims = [...first.values()];
  const { rows: claimed } = await tx.query<{ project_id: string; key: string; event_id: number }>(
    `INSERT INTO idempotency_keys (project_id, key, event_id)
     SELECT p, k, nextval(pg_get_serial_sequence('events', 'id')) FROM unnest($1::uuid[], $2::text[]) AS t(p, k)
     ON CONFLICT (project_id, key) DO NOTHING
     RETURNING project_id, key, event_id`,
    [claims.map((c) => c.projectId), claims.map((c) => c.idempotencyKey)],
  );
  for (const row of claimed) presetIds.set(first.get(key(row.project_id, row.key))!, Number(row.event_id));
  const seen = keyed.filter((item) => !presetIds.has(item));
  if (seen.length > 0) {
    const { rows } = await tx.query<{
      project_id: string;
      key: string;
      event_id: number;
      user_id: number | null;
    }>(
      `SELECT k.project_id, k.key, k.event_id, e.user_id
         FROM idempotency_keys k LEFT JOIN events e ON e.id = k.event_id
        WHERE (k.project_id, k.key) IN (SELECT * FROM unnest($1::uuid[], $2::text[]))`,
      [seen.map((s) => s.projectId), seen.map((s) => s.idempotencyKey)],
    );
    const stored = new Map(rows.map((r) => [key(r.project_id, r.key), r]));
    for (const item of seen) {
      const k = key(item.projectId, item.idempotencyKey);
      const owner = first.get(k)!;
      const row = stored.get(k);
      // The same key twice in this batch: the second waits for the first's id, set below.
      duplicates.set(item, {
        eventId: row ? Number(row.event_id) : presetIds.get(owner)!,
        userId: row?.user_id ? Number(row.user_id) : 0,
        ipBlacklisted: false,
        duplicate: true,
      });
    }
  }
  return { fresh: events.filter((e) => !duplicates.has(e)), presetIds, duplicates };
}

/** Runs a stage; its steps' promises are awaited by the caller, so their failure is not left unhandled. */
async function runStage(tx: Executor, stage: Stage, pending: Promise<unknown>[]): Promise<void> {
  try {
    await stage.run(tx);
  } finally {
    for (const p of pending) p.catch(() => {});
  }
}

type Row = Record<string, unknown>;

/**
 * Map key of a tuple. Each part is tagged (null vs value) and joined by NUL, which the normaliser
 * strips from every input, so two different tuples never share a key.
 */
function key(...parts: unknown[]): string {
  return parts.map((p) => (p === null || p === undefined ? 'n' : `s${String(p)}`)).join('\u0000');
}

function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/** Aggregates the rows one table receives from a batch: one entry per key, counted and time-bounded. */
class Upserts<T extends { first: Date; last: Date; count: number }> {
  readonly byKey = new Map<string, T>();
  add(k: string, make: () => T, time: Date, merge?: (existing: T) => void): void {
    const existing = this.byKey.get(k);
    if (!existing) {
      this.byKey.set(k, make());
      return;
    }
    existing.count += 1;
    if (time < existing.first) existing.first = time;
    if (time > existing.last) existing.last = time;
    merge?.(existing);
  }
  sorted(): [string, T][] {
    return [...this.byKey.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  }
  get size(): number {
    return this.byKey.size;
  }
}

interface Span {
  first: Date;
  last: Date;
  count: number;
}

function span(time: Date): Span {
  return { first: time, last: time, count: 1 };
}

const iso = (d: Date) => d.toISOString();
const HOUR_MS = 3_600_000;

class BatchWriter {
  constructor(
    private readonly tx: Executor,
    private readonly items: EventWrite[],
    /** Event ids already reserved by idempotency keys. */
    private readonly presetIds: ReadonlyMap<EventWrite, number> = new Map(),
  ) {}

  async run(): Promise<EventWritten[]> {
    const items = this.items;
    // Round trip 1: create and lock the users, read their session state, reserve ids.
    const first = new Stage();
    const users = this.upsertUsers(first);
    const ids = first.query<{ events: number[]; sessions: number[] }>(
      `SELECT array(SELECT nextval(pg_get_serial_sequence('events', 'id')) FROM generate_series(1, $1::int)) AS events,
              array(SELECT nextval(pg_get_serial_sequence('sessions', 'id')) FROM generate_series(1, $2::int)) AS sessions`,
      [items.length - this.presetIds.size, items.length],
    );
    await runStage(this.tx, first, [users, ids]);
    const userIds = await this.lockMissingUsers(await users);
    const reserved = (await ids)[0]!;
    const sessionIds = reserved.sessions;
    let nextReserved = 0;
    const eventIds = items.map((item) => this.presetIds.get(item) ?? Number(reserved.events[nextReserved++]));
    const userOf = (i: number) => userIds.get(key(items[i]!.projectId, items[i]!.event.userName))!;
    const sessionOf = this.assignSessions(userIds, sessionIds.map(Number));

    // Round trip 2: every entity that depends on nothing but the event.
    const second = new Stage();
    const pending2 = {
      sessions: this.upsertSessions(second, sessionOf),
      ips: this.upsertIps(second),
      uas: this.upsertUserAgents(second),
      domains: this.upsertDomains(second),
      resources: this.upsertResources(second),
      referers: this.upsertReferers(second),
    };
    await runStage(this.tx, second, Object.values(pending2));
    const ipIds = await pending2.ips;
    const uaIds = await pending2.uas;
    const resourceIds = await pending2.resources;
    const domainIds = await pending2.domains;
    const refererIds = await pending2.referers;

    // Round trip 3: entities that hang off users, user agents, domains and resources.
    const third = new Stage();
    const pending3 = {
      devices: this.upsertDevices(third, userOf, uaIds),
      userIps: this.upsertUserIps(third, userOf, ipIds),
      emails: this.upsertEmails(third, userOf, domainIds),
      phones: this.upsertPhones(third, userOf),
      queries: this.upsertQueries(third, resourceIds),
      fields: this.upsertFields(third),
    };
    await runStage(this.tx, third, Object.values(pending3));
    const deviceIds = await pending3.devices;
    const emailIds = await pending3.emails;
    const phoneIds = await pending3.phones;
    const queryIds = await pending3.queries;

    // Round trip 4: the events themselves, the user rows, field changes, the scoring queue, the
    // logbook, and the counters of shared rows (locked only from here to COMMIT).
    const fourth = new Stage();
    for (const bump of this.finalBumps) bump(fourth);
    this.upsertCountries(fourth);
    const sessionIdOf = (i: number) => sessionOf[i]!.ref;
    this.updateUsers(fourth, userOf, sessionIdOf, emailIds, phoneIds);
    const rows = items.map((item, i) => {
      const e = item.event;
      const p = item.projectId;
      return {
        id: Number(eventIds[i]),
        project: p,
        time: iso(e.eventTime),
        user: userOf(i).id,
        session: sessionIdOf(i),
        ip: ipIds.get(key(p, e.ipAddress))!.id,
        device: deviceIds.get(key(p, userOf(i).id, uaIds.get(key(p, e.userAgent))!, e.browserLanguage))!,
        resource: resourceIds.get(key(p, e.url))!,
        query:
          e.urlQuery === null ? null : queryIds.get(key(p, resourceIds.get(key(p, e.url))!, e.urlQuery))!,
        referer: e.httpReferer === null ? null : refererIds.get(key(p, e.httpReferer))!,
        email: e.emailAddress === null ? null : emailIds.get(key(p, userOf(i).id, e.emailAddress))!,
        phone: e.phoneNumber === null ? null : phoneIds.get(key(p, userOf(i).id, e.phoneNumber))!,
        type: eventTypeId(e.eventType),
        code: e.httpCode,
        method: e.httpMethod === null ? null : httpMethodId(e.httpMethod),
        payload: e.payload === null ? null : JSON.stringify(e.payload),
        requestId: item.log.requestId,
      };
    });
    void fourth
      .query(
        `INSERT INTO events (id, project_id, time, user_id, session_id, ip_id, device_id, resource_id,
         query_id, referer_id, email_id, phone_id, type, http_code, http_method, payload, request_id)
       OVERRIDING SYSTEM VALUE
       SELECT * FROM unnest($1::bigint[], $2::uuid[], $3::timestamptz[], $4::bigint[], $5::bigint[],
         $6::bigint[], $7::bigint[], $8::bigint[], $9::bigint[], $10::bigint[], $11::bigint[],
         $12::bigint[], $13::smallint[], $14::smallint[], $15::smallint[], $16::jsonb[], $17::text[])`,
        columns(rows, [
          'id',
          'project',
          'time',
          'user',
          'session',
          'ip',
          'device',
          'resource',
          'query',
          'referer',
          'email',
          'phone',
          'type',
          'code',
          'method',
          'payload',
          'requestId',
        ]),
      )
      .catch(() => {});
    this.insertFieldChanges(
      fourth,
      userOf,
      await pending3.fields,
      rows.map((r) => r.id),
    );
    this.queueScoring(fourth, userOf);
    this.addToRollups(fourth, userOf, ipIds, resourceIds, {
      domainOf: (i) => {
        const { projectId, event, enrichment } = items[i]!;
        if (event.emailAddress === null || !enrichment.domain) return null;
        return domainIds.get(key(projectId, enrichment.domain.domain)) ?? null;
      },
      userAgentOf: (i) => uaIds.get(key(items[i]!.projectId, items[i]!.event.userAgent))!,
    });
    insertLogbook(
      fourth,
      this.items.map((e, i) => ({ projectId: e.projectId, log: e.log, eventId: rows[i]!.id })),
    );
    await fourth.run(this.tx);
    return items.map((item, i) => ({
      eventId: rows[i]!.id,
      userId: userOf(i).id,
      ipBlacklisted: ipIds.get(key(item.projectId, item.event.ipAddress))!.blacklisted,
      duplicate: false,
    }));
  }

  /** Creates unknown users and locks every user of the batch (in id order), reading their session state. */
  private async upsertUsers(stage: Stage): Promise<UserRow[]> {
    const users = new Upserts<Span & { project: string; name: string; created: Date }>();
    for (const { projectId, event: e } of this.items) {
      users.add(
        key(projectId, e.userName),
        () => ({
          ...span(e.eventTime),
          project: projectId,
          name: e.userName,
          created: e.userCreated ?? e.eventTime,
        }),
        e.eventTime,
      );
    }
    const sorted = users.sorted().map(([, u]) => u);
    this.userKeys = sorted.map((u) => ({ project: u.project, name: u.name }));
    const inserted = stage.query<UserRow>(
      `INSERT INTO users (project_id, user_name, created, first_seen, last_seen)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::timestamptz[], $4::timestamptz[], $4::timestamptz[])
       ON CONFLICT (project_id, user_name) DO NOTHING
       RETURNING id, project_id, user_name, last_seen, event_count, NULL::bigint AS session_id,
                 NULL::timestamptz AS started, NULL::timestamptz AS session_last`,
      [
        sorted.map((u) => u.project),
        sorted.map((u) => u.name),
        sorted.map((u) => iso(u.created)),
        sorted.map((u) => iso(u.first)),
      ],
    );
    const existing = stage.query<UserRow>(LOCK_USERS_SQL, [
      sorted.map((u) => u.project),
      sorted.map((u) => u.name),
    ]);
    const [insertedRows, existingRows] = await Promise.all([inserted, existing]);
    return [...insertedRows, ...existingRows];
  }

  private userKeys: { project: string; name: string }[] = [];

  /**
   * The first statement sees the database as it was when it started, so a user another writer
   * created meanwhile is neither inserted nor seen; such users are locked and read again here.
   */
  private async lockMissingUsers(found: UserRow[]): Promise<Map<string, UserState>> {
    const map = new Map<string, UserState>();
    const put = (r: UserRow) =>
      map.set(key(r.project_id, r.user_name), {
        id: Number(r.id),
        projectId: r.project_id,
        isNew: Number(r.event_count) === 0,
        lastSeen: new Date(r.last_seen),
        sessionId: r.session_id === null ? null : Number(r.session_id),
        sessionStarted: r.started === null ? null : new Date(r.started),
        sessionLast: r.session_last === null ? null : new Date(r.session_last),
      });
    found.forEach(put);
    const missing = this.userKeys.filter((u) => !map.has(key(u.project, u.name)));
    if (missing.length > 0) {
      const { rows } = await this.tx.query<UserRow>(LOCK_USERS_SQL, [
        missing.map((u) => u.project),
        missing.map((u) => u.name),
      ]);
      rows.forEach(put);
    }
    return map;
  }

  /**
   * Walks each user's events in arrival order and decides their sessions: a new one for a new
   * user, after more than 30 min between this event and the user's last activity (either way:
   * a late event also starts one, as tirreno), or once the session has lasted 4 h.
   * New sessions take ids from the reserved ones.
   */
  private assignSessions(users: Map<string, UserState>, reserved: number[]): Session[] {
    // Per user: the open session and the time of the latest activity, starting from the stored state.
    const open = new Map<number, { session: Session | null; lastActivity: Date | null }>();
    const sessionOf: Session[] = [];
    let nextReserved = 0;
    for (const { projectId, event: e } of this.items) {
      const user = users.get(key(projectId, e.userName))!;
      let state = open.get(user.id);
      if (!state) {
        const stored =
          !user.isNew && user.sessionId !== null && user.sessionStarted && user.sessionLast
            ? { ref: user.sessionId, user, started: user.sessionStarted, last: user.sessionLast, count: 0 }
            : null;
        state = { session: stored, lastActivity: user.isNew ? null : user.lastSeen };
        open.set(user.id, state);
      }
      const t = e.eventTime;
      let s = state.session;
      if (
        s === null ||
        state.lastActivity === null ||
        Math.abs(t.getTime() - state.lastActivity.getTime()) > SESSION_IDLE_MS ||
        s.last.getTime() - s.started.getTime() > SESSION_MAX_MS
      ) {
        s = { ref: reserved[nextReserved++]!, user, started: t, last: t, count: 0 };
        state.session = s;
      }
      s.count += 1;
      if (t < s.started) s.started = t;
      if (t > s.last) s.last = t;
      state.lastActivity = state.lastActivity === null || t > state.lastActivity ? t : state.lastActivity;
      sessionOf.push(s);
    }
    return sessionOf;
  }

  private async upsertSessions(stage: Stage, sessionOf: Session[]): Promise<void> {
    const rows = [...new Set(sessionOf)].sort((a, b) => a.ref - b.ref);
    await stage.query(
      `INSERT INTO sessions (id, project_id, user_id, started, last_seen, event_count) OVERRIDING SYSTEM VALUE
       SELECT * FROM unnest($1::bigint[], $2::uuid[], $3::bigint[], $4::timestamptz[], $5::timestamptz[], $6::int[])
       ON CONFLICT (id) DO UPDATE SET
         started = LEAST(sessions.started, excluded.started),
         last_seen = GREATEST(sessions.last_seen, excluded.last_seen),
         event_count = sessions.event_count + excluded.event_count`,
      [
        rows.map((s) => s.ref),
        rows.map((s) => s.user.projectId),
        rows.map((s) => s.user.id),
        rows.map((s) => iso(s.started)),
        rows.map((s) => iso(s.last)),
        rows.map((s) => s.count),
      ],
    );
  }

  /** Work for the last statement before COMMIT: counters and facts of shared rows (see shared-rows.ts). */
  private readonly finalBumps: ((stage: Stage) => void)[] = [];

  /**
   * Gathers a batch's rows for one shared table: one entry per key, counted and time-bounded, with
   * the facts of the latest event carrying that key.
   */
  private gather<T>(
    pick: (item: EventWrite) => { key: unknown[]; facts: T } | null,
  ): Map<string, Gathered<T>> {
    const out = new Map<string, Gathered<T>>();
    for (const item of this.items) {
      const picked = pick(item);
      if (!picked) continue;
      const k = key(item.projectId, ...picked.key);
      const t = item.event.eventTime;
      const g = out.get(k);
      if (!g) {
        out.set(k, {
          project: item.projectId,
          key: picked.key,
          facts: picked.facts,
          first: t,
          last: t,
          count: 1,
        });
        continue;
      }
      g.count += 1;
      if (t < g.first) g.first = t;
      if (t >= g.last) {
        g.last = t;
        g.facts = picked.facts;
      }
    }
    return out;
  }

  private async ensure<T>(
    stage: Stage,
    spec: SharedTable,
    gathered: Map<string, Gathered<T>>,
    keyOf: (row: SharedRow) => string,
    extra?: (g: Gathered<T>) => { insert?: unknown[]; match?: string },
  ): Promise<Map<string, SharedRow>> {
    const inputs = [...gathered.values()].map((g) => ({
      project: g.project,
      key: g.key,
      first: g.first,
      last: g.last,
      ...extra?.(g),
    }));
    const byInput = (r: EnsureInput) => (spec.matchBy ? key(r.project, r.match) : key(r.project, ...r.key));
    return ensureRows(stage, this.tx, spec, inputs, keyOf, byInput);
  }

  private async upsertIps(stage: Stage): Promise<Map<string, { id: number; blacklisted: boolean }>> {
    const isps = this.gather(({ enrichment: x }) => {
      const isp = ispOf(x.ip);
      return { key: [isp.asn], facts: isp.name };
    });
    const ips = this.gather(({ event: e, enrichment: x }) => ({ key: [e.ipAddress], facts: x.ip }));
    const ispRowsP = this.ensure(
      stage,
      ISPS,
      isps,
      (r) => key(r.project_id, Number(r.asn)),
      (g) => ({ insert: [g.facts] }),
    );
    const ipRowsP = this.ensure(
      stage,
      IPS,
      ips,
      (r) => key(r.project_id, r.hash),
      (g) => {
        const hash = sha256(String(g.key[0]));
        return { insert: [hash], match: hash };
      },
    );
    const [ispRows, ipRows] = await Promise.all([ispRowsP, ipRowsP]);
    for (const [k, row] of ispRows) this.ispIds.set(k, Number(row.id));
    const result = new Map<string, { id: number; blacklisted: boolean }>();
    const ipBumps: (Bump & { facts: IpFacts; project: string })[] = [];
    for (const [k, g] of ips) {
      const row = ipRows.get(key(g.project, sha256(String(g.key[0]))))!;
      result.set(k, { id: Number(row.id), blacklisted: row.blacklisted === true });
      ipBumps.push({
        id: Number(row.id),
        first: g.first,
        last: g.last,
        count: g.count,
        facts: g.facts,
        project: g.project,
      });
    }
    const ispBumps = [...isps.values()].map((g) => ({
      id: Number(ispRows.get(key(g.project, g.key[0]))!.id),
      first: g.first,
      last: g.last,
      count: g.count,
      values: [g.facts],
    }));
    this.finalBumps.push((s) => {
      bumpCounters(s, 'isps', 'event_count', ispBumps, [['name', 'text']]);
      // Built now, at the last stage, because how many users are new on each IP is known only
      // once the user-IP links have been written.
      const bumps = ipBumps.map((b) => {
        const f = b.facts;
        return {
          ...b,
          values: [
            Number(ispRows.get(key(b.project, ispOf(f).asn))!.id),
            f.country,
            f.network,
            f.local,
            f.datacenter,
            f.tor,
            f.relay,
            f.starlink,
            f.vpn,
            JSON.stringify({ sources: f.sources, lists: f.lists }),
            this.newUsersOnIp.get(b.id) ?? 0,
          ],
        };
      });
      bumpCounters(s, 'ips', 'event_count', bumps, [
        ['isp_id', 'bigint'],
        ['country', 'char(2)'],
        ['network', 'cidr'],
        ['is_local', 'bool'],
        ['is_datacenter', 'bool'],
        ['is_tor', 'bool'],
        ['is_relay', 'bool'],
        ['is_starlink', 'bool'],
        ['is_vpn', 'bool'],
        ['enrichment', 'jsonb'],
        ['user_count', 'int', 't.user_count + v.user_count'],
        ['enriched_at', 'bool', 'now()'],
      ]);
    });
    return result;
  }

  /** Per-project country counters: only ever touched in the last statement. */
  private upsertCountries(stage: Stage): void {
    const countries = this.gather(({ enrichment: x }) =>
      x.ip.country === null ? null : { key: [x.ip.country], facts: null },
    );
    if (countries.size === 0) return;
    const rows = [...countries.values()].sort((a, b) =>
      key(a.project, ...a.key) < key(b.project, ...b.key) ? -1 : 1,
    );
    void stage
      .query(
        `INSERT INTO project_countries (project_id, country, first_seen, last_seen, event_count)
         SELECT * FROM unnest($1::uuid[], $2::char(2)[], $3::timestamptz[], $4::timestamptz[], $5::bigint[])
         ON CONFLICT (project_id, country) DO UPDATE SET
           first_seen = LEAST(project_countries.first_seen, excluded.first_seen),
           last_seen = GREATEST(project_countries.last_seen, excluded.last_seen),
           event_count = project_countries.event_count + excluded.event_count`,
        [
          rows.map((r) => r.project),
          rows.map((r) => r.key[0]),
          rows.map((r) => iso(r.first)),
          rows.map((r) => iso(r.last)),
          rows.map((r) => r.count),
        ],
      )
      .catch(() => {});
  }

  private async upsertUserAgents(stage: Stage): Promise<Map<string, number>> {
    const uas = this.gather(({ event: e, enrichment: x }) => ({ key: [e.userAgent], facts: x.userAgent }));
    const rows = await this.ensure(stage, USER_AGENTS, uas, (r) => key(r.project_id, r.ua));
    const ids = new Map<string, number>();
    const bumps: Bump[] = [];
    for (const [k, g] of uas) {
      const id = Number(rows.get(k)!.id);
      ids.set(k, id);
      const f = g.facts;
      bumps.push({
        id,
        first: g.first,
        last: g.last,
        count: g.count,
        values: [
          f?.deviceType ?? null,
          f?.brand ?? null,
          f?.model ?? null,
          f?.osName ?? null,
          f?.osVersion ?? null,
          f?.browserName ?? null,
          f?.browserVersion ?? null,
          f ? f.isBot : null,
          f?.botName ?? null,
          f ? f.isAiBot : null,
          JSON.stringify({ lists: f?.lists ?? [] }),
        ],
      });
    }
    this.finalBumps.push((s) =>
      bumpCounters(s, 'user_agents', 'event_count', bumps, [
        ['device_type', 'text'],
        ['brand', 'text'],
        ['model', 'text'],
        ['os_name', 'text'],
        ['os_version', 'text'],
        ['browser_name', 'text'],
        ['browser_version', 'text'],
        ['is_bot', 'bool'],
        ['bot_name', 'text'],
        ['is_ai_bot', 'bool'],
        ['enrichment', 'jsonb'],
        ['enriched_at', 'bool', 'now()'],
      ]),
    );
    return ids;
  }

  private async upsertDomains(stage: Stage): Promise<Map<string, number>> {
    const domains = this.gather(({ event: e, enrichment: x }) =>
      e.emailAddress === null || x.domain === null ? null : { key: [x.domain.domain], facts: x.domain },
    );
    const rows = await this.ensure(stage, DOMAINS, domains, (r) => key(r.project_id, r.domain));
    const ids = new Map<string, number>();
    const bumps: Bump[] = [];
    for (const [k, g] of domains) {
      const id = Number(rows.get(k)!.id);
      ids.set(k, id);
      const d = g.facts;
      bumps.push({
        id,
        first: g.first,
        last: g.last,
        count: g.count,
        values: [
          d.registrable,
          d.publicSuffix,
          d.freeProvider,
          d.disposable,
          d.hasMx,
          JSON.stringify({ lists: d.lists }),
        ],
      });
    }
    this.finalBumps.push((s) =>
      bumpCounters(s, 'domains', 'event_count', bumps, [
        ['registrable', 'text'],
        ['public_suffix', 'text'],
        ['is_free', 'bool'],
        ['is_disposable', 'bool'],
        ['has_mx', 'bool', 'COALESCE(v.has_mx, t.has_mx)'],
        ['enrichment', 'jsonb'],
        ['enriched_at', 'bool', 'now()'],
      ]),
    );
    return ids;
  }

  /** The page title and HTTP code are those of the latest event for that resource. */
  private async upsertResources(stage: Stage): Promise<Map<string, number>> {
    const resources = this.gather(({ event: e }) => ({
      key: [e.url],
      facts: [e.pageTitle, e.httpCode] as const,
    }));
    return this.idsAndBumps(stage, RESOURCES, resources, (r) => key(r.project_id, r.url), 'event_count', [
      ['title', 'text', 'COALESCE(v.title, t.title)'],
      ['http_code', 'smallint', 'COALESCE(v.http_code, t.http_code)'],
    ]);
  }

  private async upsertQueries(stage: Stage, resourceIds: Map<string, number>): Promise<Map<string, number>> {
    const queries = this.gather(({ projectId: p, event: e }) =>
      e.urlQuery === null ? null : { key: [resourceIds.get(key(p, e.url))!, e.urlQuery], facts: [] },
    );
    return this.idsAndBumps(
      stage,
      QUERIES,
      queries,
      (r) => key(r.project_id, Number(r.resource_id), r.query),
      'event_count',
    );
  }

  private async upsertReferers(stage: Stage): Promise<Map<string, number>> {
    const referers = this.gather(({ event: e }) =>
      e.httpReferer === null ? null : { key: [e.httpReferer], facts: [] },
    );
    return this.idsAndBumps(stage, REFERERS, referers, (r) => key(r.project_id, r.referer), 'event_count');
  }

  /** field_edit events: the fields touched, by (project, field id). */
  private async upsertFields(stage: Stage): Promise<Map<string, number>> {
    const fields = new Map<string, Gathered<readonly unknown[]>>();
    for (const { projectId: p, event: e } of this.items) {
      if (e.eventType !== 'field_edit' || !e.fieldHistory) continue;
      for (const change of e.fieldHistory) {
        const k = key(p, change.fieldId);
        const g = fields.get(k);
        if (!g) {
          fields.set(k, {
            project: p,
            key: [change.fieldId],
            facts: [change.fieldName],
            first: e.eventTime,
            last: e.eventTime,
            count: 1,
          });
          continue;
        }
        g.count += 1;
        if (e.eventTime < g.first) g.first = e.eventTime;
        if (e.eventTime > g.last) g.last = e.eventTime;
        if (change.fieldName !== null) g.facts = [change.fieldName];
      }
    }
    return this.idsAndBumps(stage, FIELDS, fields, (r) => key(r.project_id, r.field_id), 'edit_count', [
      ['field_name', 'text', 'COALESCE(v.field_name, t.field_name)'],
    ]);
  }

  /** ensure + counters, for shared tables whose facts are a plain list of column values. */
  private async idsAndBumps(
    stage: Stage,
    spec: SharedTable,
    gathered: Map<string, Gathered<readonly unknown[]>>,
    keyOf: (row: SharedRow) => string,
    counter: string,
    sets: readonly (readonly [string, string, string?])[] = [],
  ): Promise<Map<string, number>> {
    const rows = await this.ensure(stage, spec, gathered, keyOf);
    const ids = new Map<string, number>();
    const bumps: Bump[] = [];
    for (const [k, g] of gathered) {
      const id = Number(rows.get(k)!.id);
      ids.set(k, id);
      bumps.push({ id, first: g.first, last: g.last, count: g.count, values: [...g.facts] });
    }
    this.finalBumps.push((s) => bumpCounters(s, spec.table, counter, bumps, sets));
    return ids;
  }

  /** ISP ids by key(project, asn), for the rollups. */
  private readonly ispIds = new Map<string, number>();

  /**
   * Adds the batch to the rollups (migration 0016): one upsert per table, rows aggregated here and
   * sorted by key so that concurrent batches lock them in the same order. Run in the last statement,
   * so the current hour's rows, which every batch touches, stay locked only until COMMIT.
   */
  private addToRollups(
    stage: Stage,
    userOf: (i: number) => UserState,
    ipIds: Map<string, { id: number }>,
    resourceIds: Map<string, number>,
    more: { domainOf: (i: number) => number | null; userAgentOf: (i: number) => number },
  ): void {
    const counts = new Map<
      string,
      { p: string; h: string; t: number; c: string | null; i: number; n: number }
    >();
    const users = new Map<string, { p: string; h: string; u: number; n: number }>();
    const entities = new Map<string, { p: string; k: number; e: number; d: string; n: number }>();
    const perHour = new Map<string, { p: string; k: number; e: number; h: string; c: number; n: number }>();
    this.items.forEach(({ projectId: p, event: e, enrichment: x }, i) => {
      const ms = e.eventTime.getTime();
      const hour = iso(new Date(ms - (((ms % HOUR_MS) + HOUR_MS) % HOUR_MS)));
      const day = hour.slice(0, 10);
      const type = eventTypeId(e.eventType);
      const isp = this.ispIds.get(key(p, ispOf(x.ip).asn))!;
      const bump = <T extends { n: number }>(map: Map<string, T>, k: string, make: () => T) => {
        const row = map.get(k);
        if (row) row.n += 1;
        else map.set(k, make());
      };
      bump(counts, key(p, hour, type, x.ip.country, isp), () => ({
        p,
        h: hour,
        t: type,
        c: x.ip.country,
        i: isp,
        n: 1,
      }));
      const user = userOf(i).id;
      bump(users, key(p, hour, user), () => ({ p, h: hour, u: user, n: 1 }));
      const ip = ipIds.get(key(p, e.ipAddress))!.id;
      bump(entities, key(p, 1, ip, day), () => ({ p, k: 1, e: ip, d: day, n: 1 }));
      const resource = resourceIds.get(key(p, e.url))!;
      bump(entities, key(p, 2, resource, day), () => ({ p, k: 2, e: resource, d: day, n: 1 }));
      // Resources (2), e-mail domains (3) and user agents (4) per hour and chart class.
      const c = eventClassOf(type);
      const hourly = (k: number, id: number) =>
        bump(perHour, key(p, k, id, hour, c), () => ({ p, k, e: id, h: hour, c, n: 1 }));
      hourly(2, resource);
      const domain = more.domainOf(i);
      if (domain !== null) hourly(3, domain);
      hourly(4, more.userAgentOf(i));
    });
    const sorted = <T>(map: Map<string, T>) =>
      [...map].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([, v]) => v);
    const c = sorted(counts);
    const u = sorted(users);
    const d = sorted(entities);
    const h = sorted(perHour);
    const run = (sql: string, params: unknown[]) => void stage.query(sql, params).catch(() => {});
    run(
      `INSERT INTO event_counts_hourly AS r (project_id, hour, type, country, isp_id, events)
       SELECT * FROM unnest($1::uuid[], $2::timestamptz[], $3::smallint[], $4::char(2)[], $5::bigint[], $6::bigint[])
       ON CONFLICT (project_id, hour, type, country, isp_id) DO UPDATE SET events = r.events + excluded.events`,
      [
        c.map((r) => r.p),
        c.map((r) => r.h),
        c.map((r) => r.t),
        c.map((r) => r.c),
        c.map((r) => r.i),
        c.map((r) => r.n),
      ],
    );
    run(
      `INSERT INTO user_events_hourly AS r (project_id, hour, user_id, events)
       SELECT * FROM unnest($1::uuid[], $2::timestamptz[], $3::bigint[], $4::int[])
       ON CONFLICT (project_id, hour, user_id) DO UPDATE SET events = r.events + excluded.events`,
      [u.map((r) => r.p), u.map((r) => r.h), u.map((r) => r.u), u.map((r) => r.n)],
    );
    run(
      `INSERT INTO entity_events_daily AS r (project_id, kind, entity_id, day, events)
       SELECT * FROM unnest($1::uuid[], $2::smallint[], $3::bigint[], $4::date[], $5::int[])
       ON CONFLICT (project_id, kind, entity_id, day) DO UPDATE SET events = r.events + excluded.events`,
      [d.map((r) => r.p), d.map((r) => r.k), d.map((r) => r.e), d.map((r) => r.d), d.map((r) => r.n)],
    );
    run(
      `INSERT INTO entity_events_hourly AS r (project_id, kind, entity_id, hour, class, events)
       SELECT * FROM unnest($1::uuid[], $2::smallint[], $3::bigint[], $4::timestamptz[], $5::smallint[], $6::int[])
       ON CONFLICT (project_id, kind, entity_id, hour, class) DO UPDATE SET events = r.events + excluded.events`,
      [
        h.map((r) => r.p),
        h.map((r) => r.k),
        h.map((r) => r.e),
        h.map((r) => r.h),
        h.map((r) => r.c),
        h.map((r) => r.n),
      ],
    );
  }

  /** Users that used an IP for the first time, per IP id: they raise the IP's user count. */
  private readonly newUsersOnIp = new Map<number, number>();

  /** The user ↔ IP links, so a user's IPs and an IP's users are read without scanning events. */
  private async upsertUserIps(
    stage: Stage,
    userOf: (i: number) => UserState,
    ipIds: Map<string, { id: number }>,
  ): Promise<void> {
    const links = new Upserts<Span & { project: string; user: number; ip: number }>();
    this.items.forEach(({ projectId: p, event: e }, i) => {
      const user = userOf(i).id;
      const ip = ipIds.get(key(p, e.ipAddress))!.id;
      links.add(key(user, ip), () => ({ ...span(e.eventTime), project: p, user, ip }), e.eventTime);
    });
    const rows = links.sorted().map(([, v]) => v);
    const res = await stage.query<{ ip_id: number; inserted: boolean }>(
      `INSERT INTO user_ips (user_id, ip_id, project_id, first_seen, last_seen, event_count)
       SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::uuid[], $4::timestamptz[], $5::timestamptz[], $6::bigint[])
       ON CONFLICT (user_id, ip_id) DO UPDATE SET
         first_seen = LEAST(user_ips.first_seen, excluded.first_seen),
         last_seen = GREATEST(user_ips.last_seen, excluded.last_seen),
         event_count = user_ips.event_count + excluded.event_count
       RETURNING ip_id, (xmax = 0) AS inserted`,
      [
        rows.map((r) => r.user),
        rows.map((r) => r.ip),
        rows.map((r) => r.project),
        rows.map((r) => iso(r.first)),
        rows.map((r) => iso(r.last)),
        rows.map((r) => r.count),
      ],
    );
    for (const r of res) {
      if (r.inserted)
        this.newUsersOnIp.set(Number(r.ip_id), (this.newUsersOnIp.get(Number(r.ip_id)) ?? 0) + 1);
    }
  }

  private async upsertDevices(
    stage: Stage,
    userOf: (i: number) => UserState,
    uaIds: Map<string, number>,
  ): Promise<Map<string, number>> {
    const devices = new Upserts<Span & { project: string; user: number; ua: number; lang: string | null }>();
    this.items.forEach(({ projectId: p, event: e }, i) => {
      const user = userOf(i).id;
      const ua = uaIds.get(key(p, e.userAgent))!;
      devices.add(
        key(p, user, ua, e.browserLanguage),
        () => ({ ...span(e.eventTime), project: p, user, ua, lang: e.browserLanguage }),
        e.eventTime,
      );
    });
    const rows = devices.sorted().map(([, v]) => v);
    const res = await stage.query<{
      id: number;
      project_id: string;
      user_id: number;
      user_agent_id: number;
      lang: string | null;
    }>(
      `INSERT INTO devices (project_id, user_id, user_agent_id, lang, first_seen, last_seen, event_count)
       SELECT * FROM unnest($1::uuid[], $2::bigint[], $3::bigint[], $4::text[], $5::timestamptz[], $6::timestamptz[], $7::bigint[])
       ON CONFLICT (project_id, user_id, user_agent_id, lang) DO UPDATE SET
         first_seen = LEAST(devices.first_seen, excluded.first_seen),
         last_seen = GREATEST(devices.last_seen, excluded.last_seen),
         event_count = devices.event_count + excluded.event_count
       RETURNING id, project_id, user_id, user_agent_id, lang`,
      [
        rows.map((r) => r.project),
        rows.map((r) => r.user),
        rows.map((r) => r.ua),
        rows.map((r) => r.lang),
        rows.map((r) => iso(r.first)),
        rows.map((r) => iso(r.last)),
        rows.map((r) => r.count),
      ],
    );
    return new Map(
      res.map((r) => [key(r.project_id, Number(r.user_id), Number(r.user_agent_id), r.lang), Number(r.id)]),
    );
  }

  /** An address another user of the project had blacklisted arrives blacklisted (tirreno §6.5). */
  private async upsertEmails(
    stage: Stage,
    userOf: (i: number) => UserState,
    domainIds: Map<string, number>,
  ): Promise<Map<string, number>> {
    const emails = new Upserts<Span & { project: string; user: number; item: EventWrite }>();
    this.items.forEach((item, i) => {
      const e = item.event;
      if (e.emailAddress === null) return;
      const user = userOf(i).id;
      emails.add(
        key(item.projectId, user, e.emailAddress),
        () => ({ ...span(e.eventTime), project: item.projectId, user, item }),
        e.eventTime,
      );
    });
    if (emails.size === 0) return new Map();
    const rows = emails.sorted().map(([, v]) => {
      const email = v.item.event.emailAddress!;
      const f = v.item.enrichment.email;
      const domain = v.item.enrichment.domain;
      return {
        project: v.project,
        user: v.user,
        email,
        hash: sha256(email),
        domain: domain ? (domainIds.get(key(v.project, domain.domain)) ?? null) : null,
        valid: f ? f.valid : null,
        enrichment: JSON.stringify(f ?? {}),
        first: iso(v.first),
        last: iso(v.last),
        count: v.count,
      };
    });
    const res = await stage.query<{ id: number; project_id: string; user_id: number; email: string }>(
      `INSERT INTO emails (project_id, user_id, email, hash, domain_id, is_valid, enrichment, enriched_at,
         blacklisted, first_seen, last_seen, event_count)
       SELECT p, u, em, h, d, v, en, now(),
              EXISTS (SELECT 1 FROM emails b WHERE b.project_id = p AND b.email = em AND b.blacklisted), f, l, n
         FROM unnest($1::uuid[], $2::bigint[], $3::text[], $4::text[], $5::bigint[], $6::bool[], $7::jsonb[],
           $8::timestamptz[], $9::timestamptz[], $10::bigint[]) AS t(p, u, em, h, d, v, en, f, l, n)
       ON CONFLICT (project_id, user_id, email) DO UPDATE SET
         domain_id = excluded.domain_id, is_valid = excluded.is_valid, enrichment = excluded.enrichment,
         enriched_at = excluded.enriched_at,
         first_seen = LEAST(emails.first_seen, excluded.first_seen),
         last_seen = GREATEST(emails.last_seen, excluded.last_seen),
         event_count = emails.event_count + excluded.event_count
       RETURNING id, project_id, user_id, email`,
      columns(rows, [
        'project',
        'user',
        'email',
        'hash',
        'domain',
        'valid',
        'enrichment',
        'first',
        'last',
        'count',
      ]),
    );
    return new Map(res.map((r) => [key(r.project_id, Number(r.user_id), r.email), Number(r.id)]));
  }

  private async upsertPhones(stage: Stage, userOf: (i: number) => UserState): Promise<Map<string, number>> {
    const phones = new Upserts<Span & { project: string; user: number; item: EventWrite }>();
    this.items.forEach((item, i) => {
      const e = item.event;
      if (e.phoneNumber === null) return;
      const user = userOf(i).id;
      phones.add(
        key(item.projectId, user, e.phoneNumber),
        () => ({ ...span(e.eventTime), project: item.projectId, user, item }),
        e.eventTime,
      );
    });
    if (phones.size === 0) return new Map();
    const rows = phones.sorted().map(([, v]) => {
      const phone = v.item.event.phoneNumber!;
      const f = v.item.enrichment.phone;
      return {
        project: v.project,
        user: v.user,
        phone,
        hash: sha256(phone),
        e164: f?.e164 ?? null,
        country: f?.country ?? null,
        lineType: f?.lineType ?? null,
        valid: f ? f.valid : null,
        enrichment: JSON.stringify({ lists: f?.lists ?? [] }),
        first: iso(v.first),
        last: iso(v.last),
        count: v.count,
      };
    });
    const res = await stage.query<{ id: number; project_id: string; user_id: number; phone: string }>(
      `INSERT INTO phones (project_id, user_id, phone, hash, e164, country, line_type, is_valid, enrichment,
         enriched_at, blacklisted, first_seen, last_seen, event_count)
       SELECT p, u, ph, h, e, c, lt, v, en, now(),
              EXISTS (SELECT 1 FROM phones b WHERE b.project_id = p AND b.phone = ph AND b.blacklisted), f, l, n
         FROM unnest($1::uuid[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::char(2)[], $7::text[],
           $8::bool[], $9::jsonb[], $10::timestamptz[], $11::timestamptz[], $12::bigint[])
           AS t(p, u, ph, h, e, c, lt, v, en, f, l, n)
       ON CONFLICT (project_id, user_id, phone) DO UPDATE SET
         e164 = excluded.e164, country = excluded.country, line_type = excluded.line_type,
         is_valid = excluded.is_valid, enrichment = excluded.enrichment, enriched_at = excluded.enriched_at,
         first_seen = LEAST(phones.first_seen, excluded.first_seen),
         last_seen = GREATEST(phones.last_seen, excluded.last_seen),
         event_count = phones.event_count + excluded.event_count
       RETURNING id, project_id, user_id, phone`,
      columns(rows, [
        'project',
        'user',
        'phone',
        'hash',
        'e164',
        'country',
        'lineType',
        'valid',
        'enrichment',
        'first',
        'last',
        'count',
      ]),
    );
    return new Map(res.map((r) => [key(r.project_id, Number(r.user_id), r.phone), Number(r.id)]));
  }

  /**
   * Folds the batch into each user row: counters, last IP (of the latest event), current session,
   * names only when sent (an absent name keeps the stored one), last e-mail and phone never reset.
   */
  private updateUsers(
    stage: Stage,
    userOf: (i: number) => UserState,
    sessionOf: (i: number) => number,
    emailIds: Map<string, number>,
    phoneIds: Map<string, number>,
  ): void {
    interface Fold {
      id: number;
      first: Date;
      last: Date;
      count: number;
      lastIp: string;
      session: number;
      firstName: string | null;
      lastName: string | null;
      fullName: string | null;
      created: Date | null;
      email: number | null;
      phone: number | null;
    }
    const folds = new Map<number, Fold>();
    this.items.forEach(({ projectId: p, event: e }, i) => {
      const user = userOf(i);
      const email = e.emailAddress === null ? null : emailIds.get(key(p, user.id, e.emailAddress))!;
      const phone = e.phoneNumber === null ? null : phoneIds.get(key(p, user.id, e.phoneNumber))!;
      let f = folds.get(user.id);
      if (!f) {
        f = {
          id: user.id,
          first: e.eventTime,
          last: e.eventTime,
          count: 0,
          lastIp: e.ipAddress,
          session: sessionOf(i),
          firstName: null,
          lastName: null,
          fullName: null,
          created: null,
          email: null,
          phone: null,
        };
        folds.set(user.id, f);
      }
      f.count += 1;
      if (e.eventTime < f.first) f.first = e.eventTime;
      if (e.eventTime >= f.last) {
        f.last = e.eventTime;
        f.lastIp = e.ipAddress;
      }
      f.session = sessionOf(i);
      f.firstName = e.firstName ?? f.firstName;
      f.lastName = e.lastName ?? f.lastName;
      f.fullName = e.fullName ?? f.fullName;
      f.created = e.userCreated ?? f.created;
      f.email = email ?? f.email;
      f.phone = phone ?? f.phone;
    });
    const rows = [...folds.values()].sort((a, b) => a.id - b.id);
    void stage
      .query(
        `UPDATE users u SET
         first_seen = LEAST(u.first_seen, v.f), last_seen = GREATEST(u.last_seen, v.l),
         last_ip = CASE WHEN v.l >= u.last_seen OR u.event_count = 0 THEN v.ip ELSE u.last_ip END,
         event_count = u.event_count + v.n, session_id = v.s,
         first_name = COALESCE(v.fn, u.first_name), last_name = COALESCE(v.ln, u.last_name),
         full_name = COALESCE(v.fu, u.full_name), created = COALESCE(v.cr, u.created),
         last_email_id = COALESCE(v.em, u.last_email_id), last_phone_id = COALESCE(v.ph, u.last_phone_id)
       FROM unnest($1::bigint[], $2::timestamptz[], $3::timestamptz[], $4::inet[], $5::bigint[], $6::bigint[],
         $7::text[], $8::text[], $9::text[], $10::timestamptz[], $11::bigint[], $12::bigint[])
         AS v(id, f, l, ip, n, s, fn, ln, fu, cr, em, ph)
       WHERE u.id = v.id`,
        [
          rows.map((r) => r.id),
          rows.map((r) => iso(r.first)),
          rows.map((r) => iso(r.last)),
          rows.map((r) => r.lastIp),
          rows.map((r) => r.count),
          rows.map((r) => r.session),
          rows.map((r) => r.firstName),
          rows.map((r) => r.lastName),
          rows.map((r) => r.fullName),
          rows.map((r) => (r.created ? iso(r.created) : null)),
          rows.map((r) => r.email),
          rows.map((r) => r.phone),
        ],
      )
      .catch(() => {});
  }

  /** One row per change of every field_edit event, tied to its field and event. */
  private insertFieldChanges(
    stage: Stage,
    userOf: (i: number) => UserState,
    fieldRef: Map<string, number>,
    eventIds: number[],
  ): void {
    const changes: { i: number; project: string; change: FieldChange }[] = [];
    this.items.forEach(({ projectId: p, event: e }, i) => {
      if (e.eventType !== 'field_edit' || !e.fieldHistory) return;
      for (const change of e.fieldHistory) changes.push({ i, project: p, change });
    });
    if (changes.length === 0) return;
    void stage
      .query(
        `INSERT INTO field_changes (project_id, field_ref, user_id, event_id, time, field_name, old_value,
           new_value, parent_id, parent_name)
         SELECT * FROM unnest($1::uuid[], $2::bigint[], $3::bigint[], $4::bigint[], $5::timestamptz[], $6::text[],
           $7::text[], $8::text[], $9::text[], $10::text[])`,
        [
          changes.map((c) => c.project),
          changes.map((c) => fieldRef.get(key(c.project, c.change.fieldId))!),
          changes.map((c) => userOf(c.i).id),
          changes.map((c) => eventIds[c.i]!),
          changes.map((c) => iso(this.items[c.i]!.event.eventTime)),
          changes.map((c) => c.change.fieldName),
          changes.map((c) => c.change.oldValue),
          changes.map((c) => c.change.newValue),
          changes.map((c) => c.change.parentId),
          changes.map((c) => c.change.parentName),
        ],
      )
      .catch(() => {});
  }

  /** Marks every user of the batch for rescoring, in this same transaction. */
  private queueScoring(stage: Stage, userOf: (i: number) => UserState): void {
    const users = new Map<number, string>();
    this.items.forEach((item, i) => {
      users.set(userOf(i).id, item.projectId);
    });
    const ids = [...users.keys()].sort((a, b) => a - b);
    void stage
      .query(
        `INSERT INTO scoring_queue (user_id, project_id, queued_at)
         SELECT *, clock_timestamp() FROM unnest($1::bigint[], $2::uuid[])
         ON CONFLICT (user_id) DO UPDATE SET queued_at = clock_timestamp()`,
        [ids, ids.map((id) => users.get(id))],
      )
      .catch(() => {});
  }
}

/** A user row as read at the start of a batch (timestamps as JSON strings). */
interface UserRow {
  id: number;
  project_id: string;
  user_name: string;
  last_seen: string;
  event_count: number;
  session_id: number | null;
  started: string | null;
  session_last: string | null;
}

interface Session {
  ref: number;
  user: UserState;
  started: Date;
  last: Date;
  count: number;
}

const LOCK_USERS_SQL = `SELECT u.id, u.project_id, u.user_name, u.last_seen, u.event_count, u.session_id,
         s.started, s.last_seen AS session_last
    FROM users u
    LEFT JOIN sessions s ON s.id = u.session_id
   WHERE (u.project_id, u.user_name) IN (SELECT * FROM unnest($1::uuid[], $2::text[]))
   ORDER BY u.id
     FOR UPDATE OF u`;

interface UserState {
  id: number;
  projectId: string;
  isNew: boolean;
  lastSeen: Date;
  sessionId: number | null;
  sessionStarted: Date | null;
  sessionLast: Date | null;
}

function columns<T extends Row>(rows: T[], names: (keyof T)[]): unknown[][] {
  return names.map((name) => rows.map((r) => r[name]));
}

function insertLogbook(
  stage: Stage,
  entries: { projectId: string; log: EventWrite['log']; eventId: number | null }[],
): void {
  if (entries.length === 0) return;
  void stage
    .query(
      `INSERT INTO logbook (project_id, started, endpoint, caller_ip, event_id, error_type, error_text, raw, request_id)
     SELECT * FROM unnest($1::uuid[], $2::timestamptz[], $3::text[], $4::inet[], $5::bigint[], $6::smallint[],
       $7::jsonb[], $8::jsonb[], $9::text[])`,
      [
        entries.map((e) => e.projectId),
        entries.map((e) => iso(e.log.started)),
        entries.map((e) => e.log.endpoint),
        entries.map((e) => e.log.callerIp),
        entries.map((e) => e.eventId),
        entries.map((e) => e.log.errorType),
        entries.map((e) => (e.log.errorText === null ? null : JSON.stringify(e.log.errorText))),
        entries.map((e) => (e.log.raw === null ? null : JSON.stringify(e.log.raw))),
        entries.map((e) => e.log.requestId),
      ],
    )
    .catch(() => {});
}
