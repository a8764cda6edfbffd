import type { ReactNode } from 'react';
import { rangeQuery, useDateRange } from '../../app/date-range.ts';
import { formatNumber, t } from '../../app/i18n.ts';
import { Link, useLocation } from '../../app/router.tsx';
import { useOperator, useProject, useProjectApi, useProjectPath } from '../../app/session.tsx';
import { useFetch } from '../../app/use-fetch.ts';
import { ScoreBadge } from '../../components/Badges.tsx';
import { Empty, ErrorBox, Loading } from '../../components/States.tsx';
import { EventsChart } from '../events/EventsChart.tsx';
import './dashboard.css';

type TotalKey = 'events' | 'activeUsers' | 'newUsers' | 'review' | 'blacklisted' | 'logins' | 'failedLogins';
type Totals = Record<TotalKey, number>;

interface TopUser {
  id: number;
  userName: string;
  email: string | null;
  score: number | null;
  events: number;
}
interface Top {
  users: TopUser[];
  riskyUsers: TopUser[];
  ips: { ip: string; country: string | null; events: number }[];
  countries: { iso: string; name: string | null; events: number }[];
  isps: { id: number; asn: number; name: string; events: number }[];
  resources: { id: number; url: string; events: number }[];
}

/** Where each total leads, and whether a rise is bad news (shown red). */
const TOTALS: { key: TotalKey; href: string; bad?: boolean }[] = [
  { key: 'events', href: '/events' },
  { key: 'activeUsers', href: '/users' },
  { key: 'newUsers', href: '/users?sort=firstSeen' },
  { key: 'review', href: '/review', bad: true },
  { key: 'blacklisted', href: '/blacklist', bad: true },
  { key: 'logins', href: '/events?type=account_login' },
  { key: 'failedLogins', href: '/events?type=account_login_fail', bad: true },
];

/** Joins a page's own query to the period's (?range / ?from&to), so links keep the period. */
function withPeriod(href: string, period: string): string {
  if (!period) return href;
  return href.includes('?') ? `${href}&${period.slice(1)}` : `${href}${period}`;
}

export function DashboardPage() {
  const project = useProject();
  const api = useProjectApi();
  const path = useProjectPath();
  const range = useDateRange();
  const tz = useOperator().timezone;
  const period = rangeQuery(useLocation().search);
  const query = { from: range.from, to: range.to, tz };
  const overview = useFetch<{ totals: Totals; previous: Totals | null }>(api('/overview'), query);
  const top = useFetch<Top>(api('/overview/top'), query);
  const link = (href: string) => withPeriod(path(href), period);
  return (
    <div>
      <header className="page-header">
        <h1>
          {t('dashboard.title')} · {project.name}
        </h1>
      </header>
      {overview.error && <ErrorBox error={overview.error} />}
      {!overview.data && !overview.error && <Loading />}
      {overview.data && (
        <div className="dashboard-totals" data-testid="dashboard-totals">
          {TOTALS.map(({ key, href, bad }) => (
            <Link
              key={key}
              href={link(href)}
              className={bad ? 'total bad' : 'total'}
              data-testid={`total-${key}`}
            >
              <span className="muted">{t(`dashboard.total.${key}`)}</span>
              <span className="value" data-testid="value">
                {formatNumber(overview.data!.totals[key])}
              </span>
              <Change current={overview.data!.totals[key]} previous={overview.data!.previous?.[key]} />
            </Link>
          ))}
        </div>
      )}
      <EventsChart />
      {top.error && <ErrorBox error={top.error} />}
      {!top.data && !top.error && <Loading />}
      {top.data && (
        <div className="dashboard-top">
          <TopList
            id="users"
            href={link('/users?sort=events')}
            rows={top.data.users}
            label={(u) => <UserLabel user={u} href={path(`/users/${u.id}`)} />}
            value={(u) => formatNumber(u.events)}
            valueLabel={t('dashboard.top.events')}
          />
          <TopList
            id="riskyUsers"
            href={link('/users?sort=score&order=asc')}
            rows={top.data.riskyUsers}
            label={(u) => <UserLabel user={u} href={path(`/users/${u.id}`)} />}
            value={(u) => u.score ?? '—'}
            valueLabel={t('dashboard.top.score')}
          />
          <TopList
            id="ips"
            href={link('/ips')}
            rows={top.data.ips}
            label={(r) => (
              <Link href={path(`/ips/${encodeURIComponent(r.ip)}`)}>
                {r.country ? `${r.ip} (${r.country})` : r.ip}
              </Link>
            )}
            value={(r) => formatNumber(r.events)}
            valueLabel={t('dashboard.top.events')}
          />
          <TopList
            id="countries"
            href={link('/countries')}
            rows={top.data.countries}
            label={(r) => <Link href={path(`/countries/${r.iso}`)}>{r.name ?? r.iso}</Link>}
            value={(r) => formatNumber(r.events)}
            valueLabel={t('dashboard.top.events')}
          />
          <TopList
            id="isps"
            href={link('/isps')}
            rows={top.data.isps}
            label={(r) => <Link href={path(`/isps/${r.id}`)}>{`AS${r.asn} ${r.name}`}</Link>}
            value={(r) => formatNumber(r.events)}
            valueLabel={t('dashboard.top.events')}
          />
          <TopList
            id="resources"
            href={link('/resources')}
            rows={top.data.resources}
            label={(r) => <Link href={path(`/resources/${r.id}`)}>{r.url}</Link>}
            value={(r) => formatNumber(r.events)}
            valueLabel={t('dashboard.top.events')}
          />
        </div>
      )}
    </div>
  );
}

function Change({ current, previous }: { current: number; previous: number | undefined }) {
  if (previous === undefined) return <span className="muted">{t('dashboard.allTime')}</span>;
  const title = t('dashboard.change.title', { previous: formatNumber(previous) });
  if (previous === 0) {
    return (
      <span className="muted" title={title} data-testid="change">
        {current === 0 ? t('dashboard.change.same') : t('dashboard.change.new')}
      </span>
    );
  }
  const pct = Math.round(((current - previous) / previous) * 100);
  if (pct === 0) {
    return (
      <span className="muted" title={title} data-testid="change">
        {t('dashboard.change.same')}
      </span>
    );
  }
  return (
    <span className={pct > 0 ? 'change-up' : 'change-down'} title={title} data-testid="change">
      {t(pct > 0 ? 'dashboard.change.up' : 'dashboard.change.down', { pct: formatNumber(Math.abs(pct)) })}
    </span>
  );
}

function UserLabel({ user, href }: { user: TopUser; href: string }) {
  return (
    <>
      <ScoreBadge score={user.score} /> <Link href={href}>{user.email ?? user.userName}</Link>
    </>
  );
}

function TopList<Row>({
  id,
  href,
  rows,
  label,
  value,
  valueLabel,
}: {
  id: string;
  href: string;
  rows: Row[];
  label: (row: Row) => ReactNode;
  value: (row: Row) => ReactNode;
  valueLabel: string;
}) {
  return (
    <section className="panel" data-testid={`top-${id}`}>
      <h2>
        <span>{t(`dashboard.top.${id}`)}</span>
        <Link href={href}>{t('dashboard.viewAll')}</Link>
      </h2>
      {rows.length === 0 ? (
        <Empty />
      ) : (
        <table>
          <thead>
            <tr>
              <th>{t(`dashboard.top.${id}`)}</th>
              <th className="num">{valueLabel}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: a ranked list: the rank is the key
              <tr key={i}>
                <td className="label">{label(row)}</td>
                <td className="num">{value(row)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
