import type { Executor } from '@vigil/db';

// Reading the rollups the writer keeps (migration 0016). A period [from, to) is cut at whole UTC
// hours: its whole hours are read from the hourly tables, its partial first and last hours from the
// raw events (an hour at most at each end, read from the events' time indexes). So every figure is
// exact to the event, while a month reads some thousand rollup rows instead of a million events.

const HOUR = 3_600_000;
const DAY = 86_400_000;

/** Names the next parameter of a statement for a value ($n). */
export type AddParam = (value: unknown) => string;

export function paramList(values: unknown[]): AddParam {
  return (value) => {
    values.push(value);
    return `$${values.length}`;
  };
}

/** [from, head) and [tail, to) come from raw events, [head, tail) from the rollups; from null: all time. */
export interface Cut {
  from: Date | null;
  head: Date | null;
  tail: Date;
  to: Date;
}

export function cutAt(unit: number, from: Date | null, to: Date): Cut {
  const t = to.getTime();
  const head = from ? Math.min(Math.ceil(from.getTime() / unit) * unit, t) : null;
  const tail = Math.max(Math.floor(t / unit) * unit, head ?? Number.NEGATIVE_INFINITY);
  return { from, head: head === null ? null : new Date(head), tail: new Date(tail), to };
}

export const cutHours = (from: Date | null, to: Date) => cutAt(HOUR, from, to);
export const cutDays = (from: Date | null, to: Date) => cutAt(DAY, from, to);

/** SQL condition on a rollup column (hour or day) for the whole units of the cut. */
export function wholeUnits(column: string, cut: Cut, add: AddParam, cast = 'timestamptz'): string {
  // Day bounds are UTC midnights: their date is the first ten characters.
  const value = (d: Date) => (cast === 'date' ? d.toISOString().slice(0, 10) : d.toISOString());
  const upper = `${column} < ${add(value(cut.tail))}::${cast}`;
  return cut.head ? `${column} >= ${add(value(cut.head))}::${cast} AND ${upper}` : upper;
}

/** SQL condition on events `e` for the raw ends of the cut. */
export function rawEnds(cut: Cut, add: AddParam): string {
  const tail = `(e.time >= ${add(cut.tail)} AND e.time < ${add(cut.to)})`;
  if (!cut.from || !cut.head || cut.head.getTime() <= cut.from.getTime()) return tail;
  return `((e.time >= ${add(cut.from)} AND e.time < ${add(cut.head)}) OR ${tail})`;
}

/**
 * The events of a period as rows (t, type, country, isp_id, n): whole hours from
 * event_counts_hourly (t = the hour), the partial ends one row per event. `typeIs` restricts to a
 * type id; `withIp` fills country and ISP for the raw rows (a join the totals do not need).
 */
export function countedEvents(
  projectParam: string,
  cut: Cut,
  add: AddParam,
  options: {
    typeIs?: number;
    withIp?: boolean;
    where?: { rollup: string; raw: string };
    /** Adds the column as `k` (the entity a row counts for). */
    key?: 'country' | 'isp_id';
  } = {},
): string {
  const type = options.typeIs === undefined ? null : add(options.typeIs);
  const rollupWhere = [`r.project_id = ${projectParam}`, wholeUnits('r.hour', cut, add)];
  const rawWhere = [`e.project_id = ${projectParam}`, rawEnds(cut, add)];
  if (type) {
    rollupWhere.push(`r.type = ${type}`);
    rawWhere.push(`e.type = ${type}`);
  }
  if (options.where) {
    rollupWhere.push(options.where.rollup);
    rawWhere.push(options.where.raw);
  }
  const ip = options.withIp || options.where || options.key;
  const k = options.key ? { r: `, r.${options.key} AS k`, i: `, i.${options.key}` } : { r: '', i: '' };
  return `(SELECT r.hour AS t, r.type, r.country, r.isp_id, r.events AS n${k.r} FROM event_counts_hourly r
            WHERE ${rollupWhere.join(' AND ')}
           UNION ALL
           SELECT e.time, e.type, ${ip ? 'i.country, i.isp_id' : 'NULL::char(2), NULL::bigint'}, 1${k.i}
             FROM events e ${ip ? 'JOIN ips i ON i.id = e.ip_id' : ''}
            WHERE ${rawWhere.join(' AND ')})`;
}

/** The users active in a period with their events, as rows (user_id, n). */
export function userEvents(projectParam: string, cut: Cut, add: AddParam): string {
  return `(SELECT r.user_id, r.events AS n FROM user_events_hourly r
            WHERE r.project_id = ${projectParam} AND ${wholeUnits('r.hour', cut, add)}
           UNION ALL
           SELECT e.user_id, 1 FROM events e WHERE e.project_id = ${projectParam} AND ${rawEnds(cut, add)})`;
}

/**
 * Whether local hours of `tz` are whole UTC hours over the period (offsets like +05:30 are not):
 * only then does an hourly rollup row fall into a single bucket of the operator's clock.
 */
export function hourAlignedZone(tz: string, ...at: Date[]): boolean {
  try {
    const format = new Intl.DateTimeFormat('en-US', { timeZone: tz, timeZoneName: 'longOffset' });
    return at.every((d) => {
      const name = format.formatToParts(d).find((p) => p.type === 'timeZoneName')?.value ?? '';
      const m = /GMT(?:[+-](\d{2}):(\d{2}))?$/.exec(name);
      return m !== null && (m[2] === undefined || m[2] === '00');
    });
  } catch {
    return false;
  }
}

/**
 * The top ten IPs (kind 1) or resources (kind 2) by events in a period, exactly, without reading
 * every entity's events: candidates are taken by their all-time counter, busiest first, and each
 * one's events in the period are read by key (whole days from entity_events_daily, partial days
 * from its events index). An entity not yet taken has at most its counter's events in the period,
 * so once the tenth best count beats the next counter the list is final; otherwise more candidates
 * are taken. Returns null when the counts are too flat for that (the caller scans the period).
 */
export async function topByCounter(
  db: Executor,
  projectId: string,
  kind: 1 | 2,
  from: Date,
  to: Date,
): Promise<{ id: number; n: number }[] | null> {
  const table = kind === 1 ? 'ips' : 'resources';
  const column = kind === 1 ? 'ip_id' : 'resource_id';
  const cut = cutDays(from, to);
  for (let take = 40; take <= 5000; take *= 5) {
    const params: unknown[] = [projectId, take + 1, kind];
    const add = paramList(params);
    const { rows } = await db.query<{ id: string; bound: string; n: string }>(
      `WITH c AS (SELECT id, event_count FROM ${table} WHERE project_id = $1
                   ORDER BY event_count DESC LIMIT $2)
       SELECT c.id, c.event_count AS bound,
              (SELECT coalesce(sum(d.events), 0) FROM entity_events_daily d
                WHERE d.project_id = $1 AND d.kind = $3 AND d.entity_id = c.id
                  AND ${wholeUnits('d.day', cut, add, 'date')})
            + (SELECT count(*) FROM events e WHERE e.${column} = c.id AND ${rawEnds(cut, add)}) AS n
         FROM c`,
      params,
    );
    const exhausted = rows.length <= take;
    const next = exhausted ? 0 : Number(rows[take]!.bound);
    const counted = rows
      .slice(0, take)
      .map((r) => ({ id: Number(r.id), n: Number(r.n) }))
      .filter((r) => r.n > 0)
      .sort((a, b) => b.n - a.n || a.id - b.id)
      .slice(0, 10);
    const tenth = counted.length === 10 ? counted[9]!.n : 0;
    if (exhausted || tenth > next) return counted;
  }
  return null;
}
