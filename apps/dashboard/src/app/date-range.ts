import { useLocation } from './router.tsx';

// One period for every page, kept in the URL (?range=1W or ?from=…&to=…). Charts get a bucket
// size chosen from its length, so a chart always has a readable number of points.

export const RANGES = ['1H', '1D', '3D', '1W', '1M', '3M', 'all'] as const;
export type RangeName = (typeof RANGES)[number];
export type Bucket = 'minute' | 'hour' | 'day';

const HOUR = 3600_000;
const LENGTH: Record<Exclude<RangeName, 'all'>, number> = {
  '1H': HOUR,
  '1D': 24 * HOUR,
  '3D': 72 * HOUR,
  '1W': 168 * HOUR,
  '1M': 30 * 24 * HOUR,
  '3M': 90 * 24 * HOUR,
};

export interface DateRange {
  /** ISO instants for the API; from is absent for "all". */
  from?: string;
  to: string;
  bucket: Bucket;
  name: RangeName | 'custom';
}

export function bucketFor(lengthMs: number): Bucket {
  if (lengthMs <= 6 * HOUR) return 'minute';
  if (lengthMs <= 8 * 24 * HOUR) return 'hour';
  return 'day';
}

export function rangeFrom(search: URLSearchParams, now = Date.now()): DateRange {
  const from = search.get('from');
  const to = search.get('to');
  if (from && to && !Number.isNaN(Date.parse(from)) && !Number.isNaN(Date.parse(to))) {
    return { from, to, bucket: bucketFor(Date.parse(to) - Date.parse(from)), name: 'custom' };
  }
  const name = (RANGES as readonly string[]).includes(search.get('range') ?? '')
    ? (search.get('range') as RangeName)
    : '1W';
  // Rounded to the minute so the API calls behind one view share a period (and a cache line).
  const end = Math.ceil(now / 60_000) * 60_000;
  if (name === 'all') return { to: new Date(end).toISOString(), bucket: 'day', name };
  return {
    from: new Date(end - LENGTH[name]).toISOString(),
    to: new Date(end).toISOString(),
    bucket: bucketFor(LENGTH[name]),
    name,
  };
}

export function useDateRange(): DateRange {
  return rangeFrom(useLocation().search);
}

/** The query parameters of the period, to keep it when following a link. */
export function rangeQuery(search: URLSearchParams): string {
  const kept = new URLSearchParams();
  for (const key of ['range', 'from', 'to']) {
    const value = search.get(key);
    if (value) kept.set(key, value);
  }
  const qs = kept.toString();
  return qs ? `?${qs}` : '';
}
