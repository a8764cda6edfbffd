import type { Executor } from '@vigil/db';
import { InputError } from '../../input-error.ts';

// The period of a console page (?from&to, ISO instants), the period just before it, and the chart
// buckets, counted in the operator's timezone (?tz, the project's by default).

export type Bucket = 'minute' | 'hour' | 'day';

export const periodQueryProperties = {
  from: { type: 'string', format: 'date-time' },
  to: { type: 'string', format: 'date-time' },
  tz: { type: 'string', maxLength: 64 },
  bucket: { type: 'string', enum: ['minute', 'hour', 'day'] },
} as const;

export interface PeriodQuery {
  from?: string;
  to?: string;
  tz?: string;
  bucket?: Bucket;
}

export interface Period {
  /** Absent: all time. */
  from: Date | null;
  to: Date;
  /** The period of the same length just before (absent for all time). */
  previous: { from: Date; to: Date } | null;
  tz: string;
}

const BUCKET_MS: Record<Bucket, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };
/** More points than a chart can show: the bucket is made coarser. */
const MAX_BUCKETS = 1500;

function validTimezone(tz: string): string {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
  } catch {
    throw new InputError(`unknown timezone ${tz}`, 'tz');
  }
  return tz;
}

export function periodOf(query: PeriodQuery, projectTimezone: string, now = new Date()): Period {
  const to = query.to ? new Date(query.to) : now;
  const from = query.from ? new Date(query.from) : null;
  if (from && from >= to) throw new InputError('from must be before to', 'from');
  const tz = query.tz ? validTimezone(query.tz) : projectTimezone;
  const length = from ? to.getTime() - from.getTime() : 0;
  return {
    from,
    to,
    previous: from ? { from: new Date(from.getTime() - length), to: from } : null,
    tz,
  };
}

/** The bucket asked for (or chosen from the length), coarsened to stay under MAX_BUCKETS. */
export function bucketOf(asked: Bucket | undefined, from: Date, to: Date): Bucket {
  const length = to.getTime() - from.getTime();
  let bucket: Bucket =
    asked ?? (length <= 6 * 3_600_000 ? 'minute' : length <= 8 * 86_400_000 ? 'hour' : 'day');
  while (bucket !== 'day' && length / BUCKET_MS[bucket] > MAX_BUCKETS) {
    bucket = bucket === 'minute' ? 'hour' : 'day';
  }
  return bucket;
}

/**
 * The start of each bucket from `from` to `to` (epoch seconds), local midnights and hours in tz.
 * A wall-clock time skipped by a DST change maps onto the next one; duplicates are dropped so the
 * axis stays strictly increasing.
 */
export async function bucketStarts(
  db: Executor,
  bucket: Bucket,
  from: Date,
  to: Date,
  tz: string,
): Promise<number[]> {
  const { rows } = await db.query<{ ts: number }>(
    `SELECT extract(epoch FROM (g AT TIME ZONE $4))::float8 AS ts
       FROM generate_series(date_trunc($1, $2::timestamptz AT TIME ZONE $4),
                            ($3::timestamptz - interval '1 microsecond') AT TIME ZONE $4,
                            ('1 ' || $1)::interval) g`,
    [bucket, from, to, tz],
  );
  const times: number[] = [];
  for (const r of rows) if (times.length === 0 || r.ts > times[times.length - 1]!) times.push(r.ts);
  return times;
}

/**
 * Counts per bucket and series into the shape charts take: one value per bucket start, 0 where
 * nothing happened. `rows` carry the bucket's epoch seconds (as computed by the same tz).
 */
export function toSeries(
  times: number[],
  rows: { ts: number; key: string; n: number }[],
  keys: string[],
): { key: string; values: number[] }[] {
  const index = new Map(times.map((t, i) => [t, i]));
  const byKey = new Map(keys.map((k) => [k, new Array<number>(times.length).fill(0)]));
  for (const r of rows) {
    // A bucket start skipped by DST lands on the previous kept start.
    let i = index.get(r.ts);
    if (i === undefined) {
      i = times.findLastIndex((t) => t <= r.ts);
      if (i < 0) continue;
    }
    const values = byKey.get(r.key);
    if (values) values[i]! += r.n;
  }
  return [...byKey].map(([key, values]) => ({ key, values }));
}

/** PostgreSQL refuses a timezone name Intl accepted: a 400, not a 500. */
export async function withTimezone<T>(tz: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === '22023' || code === '22007') throw new InputError(`unknown timezone ${tz}`, 'tz');
    throw error;
  }
}
