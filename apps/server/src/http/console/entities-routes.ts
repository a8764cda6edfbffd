import { eventTypeFromId } from '@vigil/core';
import type { Database } from '@vigil/db';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { eventClassSql } from '../../event-classes.ts';
import { validTimezone } from '../../operators/operators.ts';
import { sendError } from '../errors.ts';
import { countriesEntity, registerCountryMap } from './entity-countries-routes.ts';
import { devicesEntity } from './entity-devices-routes.ts';
import { domainsEntity } from './entity-domains-routes.ts';
import { emailsEntity } from './entity-emails-routes.ts';
import { ipsEntity } from './entity-ips-routes.ts';
import { ispsEntity } from './entity-isps-routes.ts';
import { phonesEntity } from './entity-phones-routes.ts';
import { resourcesEntity } from './entity-resources-routes.ts';
import { PROJECT_PREFIX } from './guard.ts';
import { type ListQuery, likePattern, listQuerySchema, orderBy, pageOf, sendList } from './lists.ts';
import {
  type AddParam,
  countedEvents,
  cutHours,
  hourAlignedZone,
  paramList,
  rawEnds,
  wholeUnits,
} from './rollups.ts';

/**
 * One entity page family (IPs, ISPs, countries, …), described as data: where its rows live, how
 * a URL key finds one, which columns it shows, sorts, searches and filters, and how its events
 * and users are found. `registerEntityRoutes` turns a definition into five routes:
 *
 *   GET /<kind>                 the list (paging, sort, search, chips, period, CSV)
 *   GET /<kind>-activity        the list's chart strip and per-row "in period / before" totals
 *   GET /<kind>/:key            one entity: its row (tiles), related facts, map values
 *   GET /<kind>/:key/users      the users behind it
 *   GET /<kind>/:key/events     its events in the period, newest first (count capped)
 *   GET /<kind>/:key/chart      its events per bucket, by class (regular / warning / alert)
 *
 * SQL in a definition is static text: the alias `x` is the entity row, `$1` the project id, and
 * in `users`, `related` and `map` `$2` is the entity's id (`id` below), `$3`/`$4` the period.
 * Client values only ever travel as parameters; sort columns and chip values are whitelists.
 */
export interface EntityDefinition {
  /** URL segment and CSV file name, e.g. 'ips'. */
  kind: string;
  /** What one is called in the API docs, e.g. 'IP address'. */
  noun: string;
  /** Name and JSON schema of the detail URL's parameter, e.g. 'ip'. */
  keyName: string;
  keySchema: Record<string, unknown>;
  /** The URL key as the lookup's $2, or null when malformed (→ 400). */
  parseKey(raw: string): string | number | null;
  from: string;
  /** Finds one row by the parsed key ($2), within the project ($1). */
  lookup: string;
  /** The entity's identity in events/users queries, and its SQL type for arrays of them. */
  id: string;
  idType: 'bigint' | 'text';
  columns: string;
  /** More columns for the detail page's tiles. */
  detailColumns?: string;
  search: string[];
  sorts: Record<string, string>;
  defaultSort: string;
  /** Chip filters: query parameter → allowed value → SQL condition. */
  filters?: Record<string, Record<string, string>>;
  /** Parent scopes, e.g. the IPs of one ISP: query parameter → its schema and condition. */
  scopes?: Record<string, { schema: Record<string, unknown>; sql: (param: string) => string }>;
  csv: string[];
  /** How an event belongs to the entity: `key` is an expression over `e` (and `join`). */
  events: { join?: string; key: string };
  /**
   * The column of both event_counts_hourly and ips that holds the entity's id, when the entity is
   * one of the event's IP (country, ISP): its charts then read the hourly rollup (rollups.ts).
   */
  hourly?: 'country' | 'isp_id';
  /** Or its kind in entity_events_hourly (migration 0017), whose rows count its events by hour. */
  hourlyKind?: 2 | 3 | 4;
  /** A query of user ids ($1 project, $2 id, $3/$4 period). */
  users: string;
  /** Named queries shown on the detail page ($1 project, $2 id, $3/$4 period). */
  related?: Record<string, string>;
  /** Countries to shade on the detail page's map: rows {iso, value}. */
  map?: string;
}

/** A period and bucket for charts; `tz` is the operator's zone (IANA). */
const chartQuerySchema = {
  bucket: { type: 'string', enum: ['minute', 'hour', 'day'], default: 'day' },
  tz: { type: 'string', maxLength: 64 },
} as const;
type Bucket = 'minute' | 'hour' | 'day';
const BUCKET_MS: Record<Bucket, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };
/** More points than this is a bucket too small for the period (the client picks a bigger one). */
const MAX_BUCKETS = 5000;
/** Detail pages count an entity's events up to here and then say "10,000+". */
export const EVENT_COUNT_CAP = 10_000;

const CLASS_OF_TYPE = eventClassSql('e.type');

export const ENTITIES: EntityDefinition[] = [
  ipsEntity,
  ispsEntity,
  countriesEntity,
  domainsEntity,
  emailsEntity,
  phonesEntity,
  devicesEntity,
  resourcesEntity,
];

/** Every entity page's routes (one line in context.ts). */
export function registerEntitiesRoutes(app: FastifyInstance, { db }: { db: Database }): void {
  for (const definition of ENTITIES) registerEntityRoutes(app, db, definition);
  registerCountryMap(app, db);
}

/** Parameters of one SQL statement: $1 is the project; add() appends and names the next one. */
export class Params {
  readonly values: unknown[];
  constructor(projectId: string) {
    this.values = [projectId];
  }
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

type EntityListQuery = ListQuery & Record<string, unknown>;
interface ChartQuery {
  from?: string;
  to?: string;
  bucket: Bucket;
  tz?: string;
}

function listWhere(def: EntityDefinition, query: EntityListQuery, params: Params): string {
  const where = ['x.project_id = $1'];
  // An entity belongs to a period when its first..last sighting overlaps it.
  if (query.from) where.push(`x.last_seen >= ${params.add(query.from)}`);
  if (query.to) where.push(`x.first_seen < ${params.add(query.to)}`);
  if (query.q) {
    const pattern = params.add(likePattern(query.q));
    where.push(`(${def.search.map((s) => `${s} ILIKE ${pattern}`).join(' OR ')})`);
  }
  for (const [name, values] of Object.entries(def.filters ?? {})) {
    const value = query[name];
    if (typeof value === 'string' && Object.hasOwn(values, value)) where.push(`(${values[value]})`);
  }
  for (const [name, scope] of Object.entries(def.scopes ?? {})) {
    const value = query[name];
    if (value !== undefined) where.push(`(${scope.sql(params.add(value))})`);
  }
  return where.join(' AND ');
}

function listSelect(def: EntityDefinition, projectId: string, query: EntityListQuery, select: string) {
  const params = new Params(projectId);
  const where = listWhere(def, query, params);
  const order = orderBy(query, def.sorts, def.defaultSort, def.id);
  const { limit, offset } = pageOf(query);
  return {
    sql: `SELECT ${select} FROM ${def.from} WHERE ${where} ${order} LIMIT ${limit} OFFSET ${offset}`,
    count: `SELECT count(*)::int AS n FROM ${def.from} WHERE ${where}`,
    params,
  };
}

/** The period of a detail query as $3/$4 (open ends are infinities). */
function periodParams(query: { from?: string; to?: string }): [string, string] {
  return [query.from ?? '-infinity', query.to ?? 'infinity'];
}

function zoneOf(query: { tz?: string }, fallback: string): string {
  return validTimezone(query.tz ?? fallback);
}

/**
 * The buckets of a period in the operator's zone, as epoch seconds: local midnights (or hours,
 * minutes) turned back into instants, so a day is the operator's day, DST included.
 */
async function bucketTimes(
  db: Database,
  range: { from: Date; to: Date },
  bucket: Bucket,
  tz: string,
): Promise<number[]> {
  const { rows } = await db.query<{ t: number }>(
    `SELECT DISTINCT extract(epoch FROM (g AT TIME ZONE $4))::int8 AS t
       FROM generate_series(date_trunc($3, $1::timestamptz AT TIME ZONE $4),
                            date_trunc($3, $2::timestamptz AT TIME ZONE $4),
                            ('1 ' || $3)::interval) g
      ORDER BY t`,
    [range.from.toISOString(), range.to.toISOString(), bucket, tz],
  );
  return rows.map((r) => Number(r.t));
}

/** SQL for the epoch second of the bucket holding `column`, given the bucket and zone params. */
const bucketOf = (column: string, bucket: string, tz: string) =>
  `extract(epoch FROM (date_trunc(${bucket}, ${column} AT TIME ZONE ${tz}) AT TIME ZONE ${tz}))::int8`;

function checkBuckets(reply: FastifyReply, range: { from: Date; to: Date }, bucket: Bucket) {
  if ((range.to.getTime() - range.from.getTime()) / BUCKET_MS[bucket] > MAX_BUCKETS) {
    sendError(
      reply,
      400,
      'invalid_parameter',
      `a ${bucket} bucket is too small for this period (more than ${MAX_BUCKETS} points)`,
      'bucket',
    );
    return false;
  }
  return true;
}

function registerEntityRoutes(app: FastifyInstance, db: Database, def: EntityDefinition): void {
  const base = `${PROJECT_PREFIX}/${def.kind}`;
  const tags = ['entities'];
  const filterProperties = Object.fromEntries([
    ...Object.entries(def.filters ?? {}).map(([name, values]) => [
      name,
      { type: 'string', enum: Object.keys(values) },
    ]),
    ...Object.entries(def.scopes ?? {}).map(([name, scope]) => [name, scope.schema]),
  ]);
  const listSchema = {
    type: 'object',
    properties: { ...listQuerySchema.properties, ...filterProperties },
  } as const;
  const keyParams = {
    type: 'object',
    required: ['projectId', def.keyName],
    properties: { projectId: { type: 'string' }, [def.keyName]: def.keySchema },
  };

  app.get<{ Querystring: EntityListQuery }>(base, {
    config: { access: 'viewer' },
    schema: {
      summary: `List ${def.noun} rows seen in the period, with their counters`,
      tags,
      querystring: listSchema,
    },
    handler: async (request, reply) => {
      const query = request.query;
      const { sql, count, params } = listSelect(def, request.consoleProject!.id, query, def.columns);
      const { rows } = await db.query(sql, params.values);
      const total =
        query.format === 'csv'
          ? rows.length
          : (await db.query<{ n: number }>(count, params.values)).rows[0]!.n;
      return sendList(reply, query, { rows, total }, { filename: def.kind, columns: def.csv });
    },
  });

  app.get<{ Querystring: EntityListQuery & ChartQuery }>(`${base}-activity`, {
    config: { access: 'viewer' },
    schema: {
      summary: `Events per bucket of the ${def.noun} rows of one list page, new ones per bucket, and each row's events in the period and before it`,
      tags,
      querystring: {
        type: 'object',
        properties: { ...listSchema.properties, ...chartQuerySchema },
      },
    },
    handler: async (request, reply) => {
      const project = request.consoleProject!;
      const query = { ...request.query, format: 'json' as const };
      const tz = zoneOf(query, project.timezone);
      const page = listSelect(
        def,
        project.id,
        query,
        `${def.id} AS k, x.event_count AS n, x.first_seen AS "firstSeen"`,
      );
      const { rows: shown } = await db.query<{ k: string | number; n: number; firstSeen: Date }>(
        page.sql,
        page.params.values,
      );
      const to = query.to ? new Date(query.to) : new Date();
      const earliest = Math.min(to.getTime(), ...shown.map((r) => r.firstSeen.getTime()));
      const range = { from: query.from ? new Date(query.from) : new Date(earliest), to };
      if (!checkBuckets(reply, range, query.bucket)) return reply;
      const times = await bucketTimes(db, range, query.bucket, tz);
      const ids = shown.map((r) => r.k);
      const events = new Map<number, number>();
      const totals: Record<string, { inPeriod: number; before: number; after: number }> = {};
      for (const r of shown) totals[String(r.k)] = { inPeriod: 0, before: 0, after: 0 };
      if (ids.length > 0) {
        const join = def.events.join ?? '';
        const key = def.events.key;
        const rollup = rollupOf(def, project.id, query.bucket, tz, range);
        const bucketed = rollup
          ? await db.query<{ k: string | number; t: number; n: number }>(
              ...rollup((counted, add) => {
                const [b, zone] = [add(query.bucket), add(tz)];
                return `SELECT c.k, ${bucketOf('c.t', b, zone)} AS t, sum(c.n)::int AS n FROM ${counted} c GROUP BY 1, 2`;
              }, ids),
            )
          : await db.query<{ k: string | number; t: number; n: number }>(
              `SELECT ${key} AS k, ${bucketOf('e.time', '$5', '$6')} AS t, count(*)::int AS n
                 FROM events e ${join}
                WHERE e.project_id = $1 AND ${key} = ANY($2::${def.idType}[]) AND e.time >= $3 AND e.time < $4
                GROUP BY 1, 2`,
              [project.id, ids, range.from.toISOString(), range.to.toISOString(), query.bucket, tz],
            );
        const afterwards = rollupOf(def, project.id, 'hour', 'UTC', { from: range.to, to: FAR_FUTURE });
        const later = afterwards
          ? await db.query<{ k: string | number; n: number }>(
              ...afterwards((counted) => `SELECT c.k, sum(c.n)::int AS n FROM ${counted} c GROUP BY 1`, ids),
            )
          : await db.query<{ k: string | number; n: number }>(
              `SELECT ${key} AS k, count(*)::int AS n FROM events e ${join}
                WHERE e.project_id = $1 AND ${key} = ANY($2::${def.idType}[]) AND e.time >= $3 GROUP BY 1`,
              [project.id, ids, range.to.toISOString()],
            );
        for (const r of bucketed.rows) {
          events.set(Number(r.t), (events.get(Number(r.t)) ?? 0) + r.n);
          const total = totals[String(r.k)];
          if (total) total.inPeriod += r.n;
        }
        for (const r of later.rows) {
          const total = totals[String(r.k)];
          if (total) total.after = r.n;
        }
        // The counter holds every event; what is neither in the period nor after it came before,
        // so the "before" count costs no scan of the entity's older events.
        for (const r of shown) {
          const total = totals[String(r.k)]!;
          total.before = Math.max(0, Number(r.n) - total.inPeriod - total.after);
        }
      }
      const fresh = new Params(project.id);
      const where = listWhere(def, query, fresh);
      const first = fresh.add(range.from.toISOString());
      const last = fresh.add(range.to.toISOString());
      const newRows = await db.query<{ t: number; n: number }>(
        `SELECT ${bucketOf('x.first_seen', fresh.add(query.bucket), fresh.add(tz))} AS t, count(*)::int AS n
           FROM ${def.from} WHERE ${where} AND x.first_seen >= ${first} AND x.first_seen < ${last}
          GROUP BY 1`,
        fresh.values,
      );
      const created = new Map(newRows.rows.map((r) => [Number(r.t), r.n]));
      return {
        times,
        series: {
          events: times.map((t) => events.get(t) ?? 0),
          new: times.map((t) => created.get(t) ?? 0),
        },
        totals,
      };
    },
  });

  /** Finds the entity of a detail URL, or answers 400/404 and returns null. */
  async function find(projectId: string, raw: string, reply: FastifyReply, columns?: string) {
    const key = def.parseKey(raw);
    if (key === null) {
      sendError(reply, 400, 'invalid_parameter', `Not a valid ${def.noun}`, def.keyName);
      return null;
    }
    const { rows } = await db.query<Record<string, unknown> & { __id: string | number }>(
      `SELECT ${[`${def.id} AS __id`, columns].filter(Boolean).join(', ')} FROM ${def.from}
        WHERE x.project_id = $1 AND ${def.lookup}`,
      [projectId, key],
    );
    if (!rows[0]) {
      sendError(reply, 404, 'not_found', `No such ${def.noun} in this project`, def.keyName);
      return null;
    }
    return rows[0];
  }
  const keyOf = (params: unknown) => (params as Record<string, string>)[def.keyName]!;

  app.get<{ Querystring: { from?: string; to?: string } }>(`${base}/:${def.keyName}`, {
    config: { access: 'viewer' },
    schema: {
      summary: `One ${def.noun}: its facts and counters, related facts in the period, its countries`,
      tags,
      params: keyParams,
      querystring: {
        type: 'object',
        properties: { from: listQuerySchema.properties.from, to: listQuerySchema.properties.to },
      },
    },
    handler: async (request, reply) => {
      const projectId = request.consoleProject!.id;
      const row = await find(
        projectId,
        keyOf(request.params),
        reply,
        [def.columns, def.detailColumns].filter(Boolean).join(', '),
      );
      if (!row) return reply;
      const { __id: id, ...entity } = row;
      const args = [projectId, id, ...periodParams(request.query)];
      const related: Record<string, unknown[]> = {};
      for (const [name, sql] of Object.entries(def.related ?? {})) {
        related[name] = (await db.query(sql, args.slice(0, countParams(sql)))).rows;
      }
      let map: Record<string, number> | null = null;
      if (def.map) {
        const { rows } = await db.query<{ iso: string; value: number }>(
          def.map,
          args.slice(0, countParams(def.map)),
        );
        map = Object.fromEntries(rows.map((r) => [r.iso, Number(r.value)]));
      }
      return { entity, related, map };
    },
  });

  const userSorts = {
    lastSeen: 'u.last_seen',
    firstSeen: 'u.first_seen',
    score: 'u.score',
    userName: 'u.user_name',
    events: 'u.event_count',
  };
  // Columns that are never NULL are sorted without NULLS LAST, so the order is an index's
  // (users_project_last_seen and the like) instead of a sort of every user of the project.
  const userOrder = (query: ListQuery) => {
    const order = orderBy(query, userSorts, 'lastSeen', 'u.id');
    return query.sort === 'score' ? order : order.replace(' NULLS LAST', '');
  };
  app.get<{ Querystring: ListQuery }>(`${base}/:${def.keyName}/users`, {
    config: { access: 'viewer' },
    schema: {
      summary: `The users behind one ${def.noun}`,
      tags,
      params: keyParams,
      querystring: listQuerySchema,
    },
    handler: async (request, reply) => {
      const projectId = request.consoleProject!.id;
      const row = await find(projectId, keyOf(request.params), reply);
      if (!row) return reply;
      const query = request.query;
      const params = new Params(projectId);
      params.add(row.__id);
      // The period only for the entities whose users come from their events (resources).
      if (countParams(def.users) > 2) for (const bound of periodParams(query)) params.add(bound);
      const where = [`u.project_id = $1`, `u.id IN (${def.users})`];
      if (query.q) {
        const pattern = params.add(likePattern(query.q));
        where.push(`(u.user_name ILIKE ${pattern} OR u.full_name ILIKE ${pattern})`);
      }
      const { limit, offset } = pageOf(query);
      const { rows } = await db.query(
        `SELECT u.id, u.user_name AS "userName", u.full_name AS "fullName", u.score, u.status,
                u.event_count AS events, u.first_seen AS "firstSeen", u.last_seen AS "lastSeen"
           FROM users u WHERE ${where.join(' AND ')}
           ${userOrder(query)} LIMIT ${limit} OFFSET ${offset}`,
        params.values,
      );
      const total =
        query.format === 'csv'
          ? rows.length
          : (
              await db.query<{ n: number }>(
                `SELECT count(*)::int AS n FROM users u WHERE ${where.join(' AND ')}`,
                params.values,
              )
            ).rows[0]!.n;
      return sendList(
        reply,
        query,
        { rows, total },
        {
          filename: `${def.kind}-users`,
          columns: ['id', 'userName', 'fullName', 'score', 'status', 'events', 'firstSeen', 'lastSeen'],
        },
      );
    },
  });

  app.get<{ Querystring: ListQuery }>(`${base}/:${def.keyName}/events`, {
    config: { access: 'viewer' },
    schema: {
      summary: `Events of one ${def.noun} in the period, newest first (total counted up to ${EVENT_COUNT_CAP + 1})`,
      tags,
      params: keyParams,
      querystring: listQuerySchema,
    },
    handler: async (request, reply) => {
      const projectId = request.consoleProject!.id;
      const row = await find(projectId, keyOf(request.params), reply);
      if (!row) return reply;
      const query = request.query;
      const [from, to] = periodParams(query);
      const scope = `FROM events e ${def.events.join ?? ''}
        WHERE e.project_id = $1 AND ${def.events.key} = $2 AND e.time >= $3 AND e.time < $4`;
      const args = [projectId, row.__id, from, to];
      const { limit, offset } = pageOf(query);
      const direction = query.order === 'asc' ? 'ASC' : 'DESC';
      const { rows } = await db.query<Record<string, unknown> & { type: number }>(
        `SELECT e.id, e.time, e.type, e.http_code AS "httpCode", e.user_id AS "userId",
                u.user_name AS "userName", u.score, host(i.ip) AS ip, i.country, r.id AS "resourceId",
                r.url, ua.id AS "uaId", ua.device_type AS "deviceType", ua.os_name AS os,
                ua.browser_name AS browser
           FROM (SELECT e.* ${scope} ORDER BY e.time ${direction}, e.id ${direction}
                 LIMIT ${limit} OFFSET ${offset}) e
           JOIN users u ON u.id = e.user_id
           JOIN ips i ON i.id = e.ip_id
           JOIN resources r ON r.id = e.resource_id
           JOIN devices d ON d.id = e.device_id
           JOIN user_agents ua ON ua.id = d.user_agent_id
          ORDER BY e.time ${direction}, e.id ${direction}`,
        args,
      );
      const typed = rows.map((r) => ({ ...r, type: eventTypeFromId(r.type) ?? String(r.type) }));
      const total =
        query.format === 'csv'
          ? typed.length
          : (
              await db.query<{ n: number }>(
                `SELECT count(*)::int AS n FROM (SELECT 1 ${scope} LIMIT ${EVENT_COUNT_CAP + 1}) s`,
                args,
              )
            ).rows[0]!.n;
      return sendList(
        reply,
        query,
        { rows: typed, total },
        {
          filename: `${def.kind}-events`,
          columns: ['id', 'time', 'type', 'userName', 'ip', 'country', 'url', 'httpCode', 'deviceType'],
        },
      );
    },
  });

  app.get<{ Querystring: ChartQuery }>(`${base}/:${def.keyName}/chart`, {
    config: { access: 'viewer' },
    schema: {
      summary: `Events of one ${def.noun} per bucket of the operator's timezone, by class`,
      tags,
      params: keyParams,
      querystring: {
        type: 'object',
        properties: {
          from: listQuerySchema.properties.from,
          to: listQuerySchema.properties.to,
          ...chartQuerySchema,
        },
      },
    },
    handler: async (request, reply) => {
      const project = request.consoleProject!;
      const row = await find(project.id, keyOf(request.params), reply, 'x.first_seen AS "firstSeen"');
      if (!row) return reply;
      const query = request.query;
      const tz = zoneOf(query, project.timezone);
      const to = query.to ? new Date(query.to) : new Date();
      const from = query.from ? new Date(query.from) : (row.firstSeen as Date);
      const range = { from: new Date(Math.min(from.getTime(), to.getTime())), to };
      if (!checkBuckets(reply, range, query.bucket)) return reply;
      const times = await bucketTimes(db, range, query.bucket, tz);
      const rollup = rollupOf(def, project.id, query.bucket, tz, range);
      const { rows } = rollup
        ? await db.query<{ t: number; regular: number; warning: number; alert: number }>(
            ...rollup(
              (counted, add) => {
                const [b, zone] = [add(query.bucket), add(tz)];
                return `SELECT ${bucketOf('c.t', b, zone)} AS t,
                        coalesce(sum(c.n) FILTER (WHERE c.cls = 2), 0)::int AS alert,
                        coalesce(sum(c.n) FILTER (WHERE c.cls = 1), 0)::int AS warning,
                        coalesce(sum(c.n) FILTER (WHERE c.cls = 0), 0)::int AS regular
                   FROM ${counted} c GROUP BY 1`;
              },
              [row.__id],
            ),
          )
        : await db.query<{ t: number; regular: number; warning: number; alert: number }>(
            `SELECT ${bucketOf('e.time', '$5', '$6')} AS t,
                    count(*) FILTER (WHERE ${CLASS_OF_TYPE} = 2)::int AS alert,
                    count(*) FILTER (WHERE ${CLASS_OF_TYPE} = 1)::int AS warning,
                    count(*) FILTER (WHERE ${CLASS_OF_TYPE} = 0)::int AS regular
               FROM events e ${def.events.join ?? ''}
              WHERE e.project_id = $1 AND ${def.events.key} = $2 AND e.time >= $3 AND e.time < $4
              GROUP BY 1`,
            [project.id, row.__id, range.from.toISOString(), range.to.toISOString(), query.bucket, tz],
          );
      const at = new Map(rows.map((r) => [Number(r.t), r]));
      const series = (name: 'regular' | 'warning' | 'alert') => times.map((t) => at.get(t)?.[name] ?? 0);
      return {
        times,
        series: { regular: series('regular'), warning: series('warning'), alert: series('alert') },
      };
    },
  });
}

type RollupQuery = (
  select: (counted: string, add: AddParam) => string,
  ids: (string | number)[],
) => [string, unknown[]];

/**
 * For an entity with an hourly rollup, charted in hours or days of a zone whose hours are whole
 * UTC hours: a builder of the statement reading it, whose rows (k, t, cls, n) `select` reads as
 * `counted` (cls: the chart class). Otherwise null (the caller reads the events).
 */
function rollupOf(
  def: EntityDefinition,
  projectId: string,
  bucket: Bucket,
  tz: string,
  range: { from: Date; to: Date },
): RollupQuery | null {
  if (bucket === 'minute' || !hourAlignedZone(tz, range.from, range.to)) return null;
  const column = def.hourly;
  if (column) {
    return (select, ids) =>
      hourlyCounts(column, projectId, ids, range.from, range.to, (counted, add) =>
        select(`(SELECT c.k, c.t, ${eventClassSql('c.type')} AS cls, c.n FROM ${counted} c)`, add),
      );
  }
  const kind = def.hourlyKind;
  if (kind) return (select, ids) => entityHourlyCounts(def, kind, projectId, ids, range, select);
  return null;
}

/** "From then on": a period's end past any event time. */
const FAR_FUTURE = new Date(Date.UTC(9999, 0, 1));

/**
 * A statement over the events of the given countries or ISPs in [from, to), as rows
 * (k, t, type, n) that `select` reads as `counted`: whole hours from the rollup, ends from events.
 */
function hourlyCounts(
  column: 'country' | 'isp_id',
  projectId: string,
  ids: (string | number)[],
  from: Date,
  to: Date,
  select: (counted: string, add: AddParam) => string,
): [string, unknown[]] {
  const params: unknown[] = [projectId];
  const add = paramList(params);
  const keys = `${add(ids)}::${column === 'country' ? 'char(2)' : 'bigint'}[]`;
  const where = { rollup: `r.${column} = ANY(${keys})`, raw: `i.${column} = ANY(${keys})` };
  const counted = countedEvents('$1', cutHours(from, to), add, { where, key: column });
  return [select(counted, add), params];
}

/**
 * The same from entity_events_hourly for resources, e-mail domains and user agents, as rows
 * (k, t, cls, n): whole hours from the rollup, the partial first and last hours from events.
 */
function entityHourlyCounts(
  def: EntityDefinition,
  kind: number,
  projectId: string,
  ids: (string | number)[],
  range: { from: Date; to: Date },
  select: (counted: string, add: AddParam) => string,
): [string, unknown[]] {
  const params: unknown[] = [projectId];
  const add = paramList(params);
  const cut = cutHours(range.from, range.to);
  const keys = `${add(ids)}::bigint[]`;
  const counted = `(SELECT r.entity_id AS k, r.hour AS t, r.class AS cls, r.events AS n FROM entity_events_hourly r
                     WHERE r.project_id = $1 AND r.kind = ${add(kind)} AND r.entity_id = ANY(${keys})
                       AND ${wholeUnits('r.hour', cut, add)}
                    UNION ALL
                    SELECT ${def.events.key}, e.time, ${CLASS_OF_TYPE}, 1 FROM events e ${def.events.join ?? ''}
                     WHERE e.project_id = $1 AND ${def.events.key} = ANY(${keys}) AND ${rawEnds(cut, add)})`;
  return [select(counted, add), params];
}

/** The highest $n a statement uses: a statement must not be sent more parameters than it has. */
function countParams(sql: string): number {
  let max = 0;
  for (const match of sql.matchAll(/\$(\d+)/g)) max = Math.max(max, Number(match[1]));
  return max;
}
