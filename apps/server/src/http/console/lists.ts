import type { FastifyReply } from 'fastify';

/**
 * What every console list accepts: page, sort, search, period, CSV. Feature routes spread
 * `listQuerySchema.properties` into their querystring schema and add their own filters.
 */
export const listQuerySchema = {
  type: 'object',
  properties: {
    page: { type: 'integer', minimum: 1, maximum: 100_000, default: 1 },
    pageSize: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
    sort: { type: 'string', maxLength: 64 },
    order: { type: 'string', enum: ['asc', 'desc'], default: 'desc' },
    q: { type: 'string', maxLength: 200 },
    from: { type: 'string', format: 'date-time' },
    to: { type: 'string', format: 'date-time' },
    format: { type: 'string', enum: ['json', 'csv'], default: 'json' },
  },
} as const;

export interface ListQuery {
  page: number;
  pageSize: number;
  sort?: string;
  order: 'asc' | 'desc';
  q?: string;
  from?: string;
  to?: string;
  format: 'json' | 'csv';
}

/** Rows a CSV export may hold: the filtered list, not one page of it. */
export const CSV_MAX_ROWS = 100_000;

/** LIMIT/OFFSET for the page asked for (or for the whole export). */
export function pageOf(query: ListQuery): { limit: number; offset: number } {
  if (query.format === 'csv') return { limit: CSV_MAX_ROWS, offset: 0 };
  return { limit: query.pageSize, offset: (query.page - 1) * query.pageSize };
}

/**
 * ORDER BY from a whitelist: `columns` maps the names the client may send to SQL expressions.
 * Unknown names fall back to the default, so a client string never reaches the SQL text. The
 * tie-breaker keeps pages stable when many rows share a value.
 */
export function orderBy(
  query: ListQuery,
  columns: Record<string, string>,
  fallback: string,
  tieBreaker: string,
): string {
  const column = (
    query.sort && Object.hasOwn(columns, query.sort) ? columns[query.sort] : columns[fallback]
  )!;
  const direction = query.order === 'asc' ? 'ASC' : 'DESC';
  return `ORDER BY ${column} ${direction} NULLS LAST, ${tieBreaker} ${direction}`;
}

/** `%q%` for ILIKE, with the pattern characters of the search text taken literally. */
export function likePattern(q: string): string {
  return `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * Answers a list: JSON `{rows, total, page, pageSize}`, or with `format=csv` a download of the
 * given columns (header = column names).
 */
export function sendList(
  reply: FastifyReply,
  query: ListQuery,
  result: { rows: Record<string, unknown>[]; total: number },
  csv: { filename: string; columns: string[] },
) {
  if (query.format === 'csv') {
    const lines = [csv.columns.map(csvCell).join(',')];
    for (const row of result.rows) lines.push(csv.columns.map((c) => csvCell(row[c])).join(','));
    return reply
      .type('text/csv; charset=utf-8')
      .header('Content-Disposition', `attachment; filename="${csv.filename}.csv"`)
      .send(`${lines.join('\r\n')}\r\n`);
  }
  return { rows: result.rows, total: result.total, page: query.page, pageSize: query.pageSize };
}

/**
 * One CSV cell (RFC 4180). A value starting with = + - @ or a tab is prefixed with ' so a
 * spreadsheet opening the export does not run attacker-supplied formulas (CSV injection).
 */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text =
    value instanceof Date
      ? value.toISOString()
      : typeof value === 'object'
        ? JSON.stringify(value)
        : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
