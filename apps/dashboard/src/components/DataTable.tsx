import { type ReactNode, useEffect, useState } from 'react';
import { type Query, withQuery } from '../app/api.ts';
import { formatNumber, t } from '../app/i18n.ts';
import { setQueryParams, useLocation } from '../app/router.tsx';
import { useFetch } from '../app/use-fetch.ts';
import { Empty, ErrorBox, Loading } from './States.tsx';

export interface Column<Row> {
  key: string;
  label: string;
  /** The server accepts this key as ?sort=. */
  sortable?: boolean;
  numeric?: boolean;
  render?: (row: Row) => ReactNode;
}

export interface ListPage<Row> {
  rows: Row[];
  total: number;
  page: number;
  pageSize: number;
}

/**
 * A server-side list: paging, sorting and search live in the URL (?page, ?sort, ?order, ?q) and
 * are done by the API; the CSV link downloads every row matching the same filters. Text is
 * rendered as React text nodes only, so attacker-supplied values cannot become markup.
 */
export function DataTable<Row>({
  path,
  query = {},
  columns,
  rowKey,
  searchable = true,
  csv = true,
  defaultSort,
  testId,
  pageSize = 50,
  paramPrefix = '',
}: {
  path: string;
  query?: Query;
  columns: Column<Row>[];
  rowKey: (row: Row) => string | number;
  searchable?: boolean;
  csv?: boolean;
  defaultSort?: string;
  testId?: string;
  pageSize?: number;
  /** Prefixes its URL parameters (?upage, ?usort…) so two tables on one page keep their own state. */
  paramPrefix?: string;
}) {
  const { search } = useLocation();
  const [P_PAGE, P_SORT, P_ORDER, P_Q] = ['page', 'sort', 'order', 'q'].map((n) => paramPrefix + n) as [
    string,
    string,
    string,
    string,
  ];
  const page = Math.max(1, Number(search.get(P_PAGE) ?? 1) || 1);
  const sort = search.get(P_SORT) ?? defaultSort ?? '';
  const order = search.get(P_ORDER) === 'asc' ? 'asc' : 'desc';
  const q = search.get(P_Q) ?? '';
  const full: Query = { ...query, page, pageSize, sort: sort || null, order, q: q || null };
  const { data, error, loading } = useFetch<ListPage<Row>>(path, full);
  const pages = data ? Math.max(1, Math.ceil(data.total / data.pageSize)) : 1;

  const sortBy = (key: string) =>
    setQueryParams({
      [P_SORT]: key,
      [P_ORDER]: sort === key && order === 'desc' ? 'asc' : 'desc',
      [P_PAGE]: null,
    });

  return (
    <section className="data-table" data-testid={testId}>
      <div className="table-toolbar">
        {searchable && <SearchBox value={q} name={P_Q} pageName={P_PAGE} />}
        <span className="muted" data-testid="row-count">
          {data ? t('common.rows', { total: formatNumber(data.total) }) : ''}
        </span>
        {csv && (
          <a
            className="button secondary"
            href={withQuery(path, { ...full, page: null, pageSize: null, format: 'csv' })}
            download
          >
            {t('common.csv')}
          </a>
        )}
      </div>
      {error && <ErrorBox error={error} />}
      {loading && !data && <Loading />}
      {data && data.rows.length === 0 && <Empty />}
      {data && data.rows.length > 0 && (
        <table className={loading ? 'stale' : undefined}>
          <thead>
            <tr>
              {columns.map((c) => (
                <th
                  key={c.key}
                  className={c.numeric ? 'num' : undefined}
                  aria-sort={sort === c.key ? (order === 'asc' ? 'ascending' : 'descending') : undefined}
                >
                  {c.sortable ? (
                    <button type="button" className="link" onClick={() => sortBy(c.key)}>
                      {c.label}
                      {sort === c.key ? (order === 'asc' ? ' ▲' : ' ▼') : ''}
                    </button>
                  ) : (
                    c.label
                  )}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {data.rows.map((row) => (
              <tr key={rowKey(row)}>
                {columns.map((c) => (
                  <td key={c.key} className={c.numeric ? 'num' : undefined}>
                    {c.render ? c.render(row) : String((row as Record<string, unknown>)[c.key] ?? '—')}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {data && pages > 1 && (
        <nav className="pager" aria-label="pages">
          <button
            type="button"
            disabled={page <= 1}
            onClick={() => setQueryParams({ [P_PAGE]: String(page - 1) })}
          >
            {t('common.previous')}
          </button>
          <span>{t('common.page', { page, pages: formatNumber(pages) })}</span>
          <button
            type="button"
            disabled={page >= pages}
            onClick={() => setQueryParams({ [P_PAGE]: String(page + 1) })}
          >
            {t('common.next')}
          </button>
        </nav>
      )}
    </section>
  );
}

/** Search typed into the list: written to ?q= after a short pause, not on every key. */
function SearchBox({ value, name, pageName }: { value: string; name: string; pageName: string }) {
  const [text, setText] = useState(value);
  useEffect(() => setText(value), [value]);
  useEffect(() => {
    if (text === value) return;
    const timer = setTimeout(() => setQueryParams({ [name]: text || null, [pageName]: null }), 300);
    return () => clearTimeout(timer);
  }, [text, value, name, pageName]);
  return (
    <input
      type="search"
      className="table-search"
      placeholder={t('common.search')}
      aria-label={t('common.search')}
      value={text}
      onChange={(e) => setText(e.target.value)}
    />
  );
}

/** Filter chips: one query parameter, one of a few values (or none). */
export function Chips({
  name,
  options,
  label,
}: {
  name: string;
  options: { value: string; label: string }[];
  label: string;
}) {
  const { search } = useLocation();
  const current = search.get(name) ?? '';
  return (
    <fieldset className="chips" aria-label={label}>
      <legend>{label}</legend>
      {options.map((o) => (
        <button
          type="button"
          key={o.value}
          className={current === o.value ? 'chip active' : 'chip'}
          aria-pressed={current === o.value}
          onClick={() => setQueryParams({ [name]: current === o.value ? null : o.value, page: null })}
        >
          {o.label}
        </button>
      ))}
    </fieldset>
  );
}
