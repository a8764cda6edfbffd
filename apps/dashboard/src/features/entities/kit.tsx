import { type ReactNode, useMemo } from 'react';
import type { Query } from '../../app/api.ts';
import { rangeQuery, useDateRange } from '../../app/date-range.ts';
import { formatDateTime } from '../../app/format.ts';
import { formatNumber, t } from '../../app/i18n.ts';
import { Link, useLocation } from '../../app/router.tsx';
import { useOperator, useProjectApi, useProjectPath } from '../../app/session.tsx';
import { useFetch } from '../../app/use-fetch.ts';
import { ScoreBadge, StatusBadge } from '../../components/Badges.tsx';
import { Chart } from '../../components/Chart.tsx';
import { Chips, type Column, DataTable } from '../../components/DataTable.tsx';
import { ErrorBox, Loading } from '../../components/States.tsx';
import { Tiles } from '../../components/Tiles.tsx';
import { WorldMap } from '../../components/WorldMap.tsx';
import './entities.css';

// The skeletons every entity page shares (IPs, ISPs, countries, domains, e-mails, phones, user
// agents, resources): a list page (chart strip, chips, server-side table with "in period /
// before" totals) and a detail page (header, tiles, map, users, events chart and table). Each
// entity's folder only configures them.

/** A console href inside the project that keeps the period of the current view. */
export function useHref(): (path: string) => string {
  const projectPath = useProjectPath();
  const { search } = useLocation();
  const keep = rangeQuery(search);
  return (path: string) => {
    if (!keep) return projectPath(path);
    return projectPath(path.includes('?') ? `${path}&${keep.slice(1)}` : `${path}${keep}`);
  };
}

const seg = encodeURIComponent;

/** Links to each entity's page; every place an entity appears uses these. */
export function EntityLink({
  to,
  id,
  children,
}: {
  to: 'users' | 'ips' | 'isps' | 'countries' | 'domains' | 'emails' | 'phones' | 'devices' | 'resources';
  id: string | number | null | undefined;
  children?: ReactNode;
}) {
  const href = useHref();
  if (id === null || id === undefined || id === '') return <span className="muted">—</span>;
  return (
    <Link href={href(`/${to}/${seg(String(id))}`)} data-link={to}>
      {children ?? String(id)}
    </Link>
  );
}

export function YesNo({ value }: { value: boolean | null | undefined }) {
  if (value === null || value === undefined) return <span className="muted">{t('common.unknown')}</span>;
  return (
    <span className={value ? 'badge entity-flag-on' : 'muted'}>
      {value ? t('common.yes') : t('common.no')}
    </span>
  );
}

export function When({ value }: { value: string | null | undefined }) {
  const tz = useOperator().timezone;
  return <span title={value ?? ''}>{formatDateTime(value, tz)}</span>;
}

/** Columns most entity lists end with: events, first and last seen. */
export function seenColumns<
  Row extends { events: number; firstSeen: string; lastSeen: string },
>(): Column<Row>[] {
  return [
    {
      key: 'events',
      label: t('entities.col.events'),
      sortable: true,
      numeric: true,
      render: (r) => formatNumber(r.events),
    },
    {
      key: 'firstSeen',
      label: t('entities.col.firstSeen'),
      sortable: true,
      render: (r) => <When value={r.firstSeen} />,
    },
    {
      key: 'lastSeen',
      label: t('entities.col.lastSeen'),
      sortable: true,
      render: (r) => <When value={r.lastSeen} />,
    },
  ];
}

/** The column of the user an identity belongs to (e-mails, phones): their score and name. */
export function userColumn<
  Row extends { userId: number; userName: string; score: number | null },
>(): Column<Row> {
  return {
    key: 'userName',
    label: t('entities.col.user'),
    sortable: true,
    render: (r) => (
      <span>
        <ScoreBadge score={r.score} />{' '}
        <EntityLink to="users" id={r.userId}>
          {r.userName}
        </EntityLink>
      </span>
    ),
  };
}

/** The country column: its name, linking to the country's page. */
export function countryColumn<
  Row extends { country: string | null; countryName: string | null },
>(): Column<Row> {
  return {
    key: 'country',
    label: t('entities.col.country'),
    sortable: true,
    render: (r) => (
      <EntityLink to="countries" id={r.country}>
        {r.countryName ?? r.country}
      </EntityLink>
    ),
  };
}

/** Tiles most entity pages end with: first and last seen. */
export function seenTiles(e: { firstSeen: string; lastSeen: string }): { label: string; value: ReactNode }[] {
  return [
    { label: t('entities.col.firstSeen'), value: <When value={e.firstSeen} /> },
    { label: t('entities.col.lastSeen'), value: <When value={e.lastSeen} /> },
  ];
}

export interface ChipGroup {
  name: string;
  label: string;
  options: { value: string; label: string }[];
}

interface Activity {
  times: number[];
  series: { events: number[]; new: number[] };
  totals: Record<string, { inPeriod: number; before: number; after: number }>;
}

/**
 * A list page: title, chart strip of the rows shown (their events per bucket, and new ones),
 * chips, and the table, whose rows get an "in period / before" events column from the same call.
 */
export function EntityListPage<Row>({
  kind,
  title,
  newLabel,
  columns,
  rowId,
  chips = [],
  scopes = [],
  defaultSort,
  above,
}: {
  kind: string;
  title: string;
  /** The chart's second series, e.g. "New IPs". */
  newLabel: string;
  columns: Column<Row>[];
  /** The row's key in the activity totals (its id, or a country's ISO code). */
  rowId: (row: Row) => string | number;
  chips?: ChipGroup[];
  /** URL parameters passed to the API as parent scopes (e.g. ?ispId= on the IPs list). */
  scopes?: string[];
  defaultSort: string;
  /** Shown between the chart and the table (the countries' map). */
  above?: ReactNode;
}) {
  const api = useProjectApi();
  const range = useDateRange();
  const { search } = useLocation();
  const tz = useOperator().timezone;
  const filters: Query = { from: range.from, to: range.to };
  for (const name of [...chips.map((c) => c.name), ...scopes]) filters[name] = search.get(name);
  // The activity call asks for exactly the page the table shows.
  const activity = useFetch<Activity>(api(`/${kind}-activity`), {
    ...filters,
    page: search.get('page'),
    pageSize: 50,
    sort: search.get('sort') ?? defaultSort,
    order: search.get('order') === 'asc' ? 'asc' : 'desc',
    q: search.get('q'),
    bucket: range.bucket,
    tz,
  });
  const totals = activity.data?.totals;
  const withTotals: Column<Row>[] = [
    ...columns,
    {
      key: 'period',
      label: t('entities.col.period'),
      numeric: true,
      render: (r) => {
        const total = totals?.[String(rowId(r))];
        if (!total) return <span className="muted">…</span>;
        return (
          <span title={t('entities.periodHint')} data-testid="period-total">
            <strong>{formatNumber(total.inPeriod)}</strong>
            <span className="muted"> / {formatNumber(total.before)}</span>
          </span>
        );
      },
    },
  ];
  const series = useMemo(
    () =>
      activity.data
        ? [
            { label: t('entities.chart.events'), values: activity.data.series.events },
            { label: newLabel, values: activity.data.series.new },
          ]
        : [],
    [activity.data, newLabel],
  );
  const scoped = scopes.filter((s) => search.get(s));
  return (
    <div className="entity-page" data-testid={`${kind}-list`}>
      <header className="page-header">
        <h1>{title}</h1>
      </header>
      <section className="panel entity-chart">
        {activity.error && <ErrorBox error={activity.error} />}
        {activity.data ? (
          <Chart times={activity.data.times} series={series} label={title} timeZone={tz} height={160} />
        ) : (
          !activity.error && <Loading />
        )}
      </section>
      {above}
      {scoped.length > 0 && (
        <p className="muted" data-testid="scope">
          {scoped.map((s) => `${s} = ${search.get(s)}`).join(', ')}
        </p>
      )}
      {chips.length > 0 && (
        <div className="entity-chips">
          {chips.map((c) => (
            <Chips key={c.name} name={c.name} label={c.label} options={c.options} />
          ))}
        </div>
      )}
      <DataTable<Row>
        path={api(`/${kind}`)}
        query={filters}
        columns={withTotals}
        rowKey={rowId}
        defaultSort={defaultSort}
        testId={`${kind}-table`}
      />
    </div>
  );
}

export interface Detail<Entity> {
  entity: Entity;
  related: Record<string, Record<string, unknown>[]>;
  map: Record<string, number> | null;
}

interface UserRow {
  id: number;
  userName: string;
  fullName: string | null;
  score: number | null;
  status: string;
  events: number;
  firstSeen: string;
  lastSeen: string;
}

interface EventRow {
  id: number;
  time: string;
  type: string;
  httpCode: number | null;
  userId: number;
  userName: string;
  score: number | null;
  ip: string;
  country: string | null;
  resourceId: number;
  url: string;
  uaId: number;
  deviceType: string | null;
  os: string | null;
  browser: string | null;
}

interface EntityChart {
  times: number[];
  series: { regular: number[]; warning: number[]; alert: number[] };
}

/**
 * A detail page: header, tiles, the map when the entity has a place, its users, the sections
 * the entity adds (IPs of a network, HTTP codes of a URL…), then its events chart and table.
 */
export function EntityDetailPage<Entity>({
  kind,
  entityKey,
  title,
  subtitle,
  tiles,
  sections,
  mapLabel,
}: {
  kind: string;
  /** The URL key (an IP, an id, an ISO code, a domain). */
  entityKey: string;
  title: (entity: Entity) => ReactNode;
  subtitle?: (entity: Entity) => ReactNode;
  tiles: (entity: Entity) => { label: string; value: ReactNode; testId?: string }[];
  sections?: (detail: Detail<Entity>) => ReactNode;
  mapLabel?: string;
}) {
  const api = useProjectApi();
  const range = useDateRange();
  const tz = useOperator().timezone;
  const href = useHref();
  const base = api(`/${kind}/${seg(entityKey)}`);
  const period = { from: range.from, to: range.to };
  const detail = useFetch<Detail<Entity>>(base, period);
  const chart = useFetch<EntityChart>(`${base}/chart`, { ...period, bucket: range.bucket, tz });
  const series = useMemo(
    () =>
      chart.data
        ? [
            { label: t('entities.chart.regular'), values: chart.data.series.regular, color: '#1a7f37' },
            { label: t('entities.chart.warning'), values: chart.data.series.warning, color: '#9a6700' },
            { label: t('entities.chart.alert'), values: chart.data.series.alert, color: '#d1242f' },
          ]
        : [],
    [chart.data],
  );
  if (detail.error) return <ErrorBox error={detail.error} />;
  if (!detail.data) return <Loading />;
  const d = detail.data;
  const mapValues = d.map ?? {};
  return (
    <div className="entity-page" data-testid={`${kind}-detail`}>
      <header className="page-header">
        <div>
          <h1 data-testid="entity-title">{title(d.entity)}</h1>
          {subtitle && <div className="muted entity-subtitle">{subtitle(d.entity)}</div>}
        </div>
      </header>
      <Tiles items={tiles(d.entity)} />
      {Object.keys(mapValues).length > 0 && (
        <section className="panel entity-map">
          <WorldMap
            values={mapValues}
            label={mapLabel ?? t('entities.map')}
            hrefFor={(iso) => href(`/countries/${iso}`)}
          />
        </section>
      )}
      <section>
        <h2>{t('entities.users')}</h2>
        <DataTable<UserRow>
          path={`${base}/users`}
          query={period}
          paramPrefix="u"
          defaultSort="lastSeen"
          testId="entity-users"
          pageSize={25}
          rowKey={(r) => r.id}
          columns={[
            {
              key: 'score',
              label: t('entities.col.score'),
              sortable: true,
              render: (r) => <ScoreBadge score={r.score} />,
            },
            {
              key: 'userName',
              label: t('entities.col.user'),
              sortable: true,
              render: (r) => (
                <EntityLink to="users" id={r.id}>
                  {r.userName}
                </EntityLink>
              ),
            },
            { key: 'fullName', label: t('entities.col.name'), render: (r) => r.fullName ?? '—' },
            {
              key: 'status',
              label: t('entities.col.status'),
              render: (r) => <StatusBadge status={r.status} />,
            },
            ...seenColumns<UserRow>(),
          ]}
        />
      </section>
      {sections?.(d)}
      <section className="panel entity-chart">
        <h2>{t('entities.events')}</h2>
        {chart.error && <ErrorBox error={chart.error} />}
        {chart.data && (
          <Chart
            times={chart.data.times}
            series={series}
            label={t('entities.events')}
            timeZone={tz}
            height={180}
          />
        )}
      </section>
      <DataTable<EventRow>
        path={`${base}/events`}
        query={period}
        searchable={false}
        defaultSort="time"
        testId="entity-events"
        rowKey={(r) => r.id}
        columns={[
          {
            key: 'time',
            label: t('entities.col.time'),
            render: (r) => (
              <Link href={href(`/events?eventId=${r.id}`)} data-link="events">
                {formatDateTime(r.time, tz, true)}
              </Link>
            ),
          },
          {
            key: 'type',
            label: t('entities.col.type'),
            render: (r) => <span className="badge">{r.type}</span>,
          },
          {
            key: 'user',
            label: t('entities.col.user'),
            render: (r) => (
              <span className="entity-user">
                <ScoreBadge score={r.score} />{' '}
                <EntityLink to="users" id={r.userId}>
                  {r.userName}
                </EntityLink>
              </span>
            ),
          },
          {
            key: 'ip',
            label: t('entities.col.ip'),
            render: (r) => (
              <span>
                <EntityLink to="ips" id={r.ip} />{' '}
                {r.country && (
                  <EntityLink to="countries" id={r.country}>
                    <span className="muted">{r.country}</span>
                  </EntityLink>
                )}
              </span>
            ),
          },
          {
            key: 'url',
            label: t('entities.col.url'),
            render: (r) => (
              <span>
                <EntityLink to="resources" id={r.resourceId}>
                  {r.url}
                </EntityLink>
                {r.httpCode ? <span className="muted"> {r.httpCode}</span> : null}
              </span>
            ),
          },
          {
            key: 'device',
            label: t('entities.col.device'),
            render: (r) => (
              <EntityLink to="devices" id={r.uaId}>
                {[r.deviceType, r.os, r.browser].filter(Boolean).join(' · ') || t('common.unknown')}
              </EntityLink>
            ),
          },
        ]}
      />
    </div>
  );
}

/** A small table of rows the detail call already returned (no paging: the API caps them). */
export function RelatedTable<Row extends Record<string, unknown>>({
  title,
  rows,
  columns,
  testId,
  more,
}: {
  title: string;
  rows: Row[];
  columns: { key: string; label: string; numeric?: boolean; render?: (row: Row) => ReactNode }[];
  testId?: string;
  /** A link to the full list (e.g. the IPs list scoped to this network). */
  more?: { href: string; label: string };
}) {
  return (
    <section className="entity-related" data-testid={testId}>
      <h2>
        {title} <span className="muted">· {formatNumber(rows.length)}</span>
      </h2>
      {more && (
        <p>
          <Link href={more.href}>{more.label}</Link>
        </p>
      )}
      {rows.length > 0 && (
        <table>
          <thead>
            <tr>
              {columns.map((c) => (
                <th key={c.key} className={c.numeric ? 'num' : undefined}>
                  {c.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((row, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: rows are static for one response
              <tr key={i}>
                {columns.map((c) => (
                  <td key={c.key} className={c.numeric ? 'num' : undefined}>
                    {c.render ? c.render(row) : String(row[c.key] ?? '—')}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
