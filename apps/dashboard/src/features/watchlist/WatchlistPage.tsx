import { useState } from 'react';
import { api } from '../../app/api.ts';
import { useDateRange } from '../../app/date-range.ts';
import { formatAgo, formatDateTime } from '../../app/format.ts';
import { formatNumber, t } from '../../app/i18n.ts';
import { Link, useQueryParam } from '../../app/router.tsx';
import { refreshMenuCounts } from '../../app/Shell.tsx';
import { useCan, useOperator, useProjectApi, useProjectPath } from '../../app/session.tsx';
import { useFetch } from '../../app/use-fetch.ts';
import { ScoreBadge, StatusBadge } from '../../components/Badges.tsx';
import { type Column, DataTable } from '../../components/DataTable.tsx';
import { Empty, ErrorBox, Loading } from '../../components/States.tsx';
import './watchlist.css';

interface WatchedUser {
  id: number;
  userName: string;
  fullName: string | null;
  score: number | null;
  status: string;
  lastSeen: string;
  eventCount: number;
}

interface ActivityRow {
  id: number;
  time: string;
  type: string;
  httpCode: number | null;
  userId: number;
  userName: string;
  ip: string;
  country: string | null;
  resourceId: number;
  url: string;
}

/** Starred users as removable tags, above their events in the period (one user with ?userId=). */
export function WatchlistPage() {
  const projectApi = useProjectApi();
  const path = useProjectPath();
  const analyst = useCan('analyst');
  const { timezone } = useOperator();
  const range = useDateRange();
  const [only, setOnly] = useQueryParam('userId');
  const watched = useFetch<{ users: WatchedUser[] }>(projectApi('/watchlist'));
  const [generation, setGeneration] = useState(0);
  const [error, setError] = useState<string | null>(null);

  async function unwatch(user: WatchedUser) {
    setError(null);
    try {
      await api.delete(projectApi(`/watchlist/${user.id}`));
      if (only === String(user.id)) setOnly('');
      watched.reload();
      setGeneration((g) => g + 1);
      refreshMenuCounts();
    } catch (e) {
      setError((e as Error).message);
    }
  }

  const columns: Column<ActivityRow>[] = [
    { key: 'time', label: t('watchlist.time'), render: (row) => formatDateTime(row.time, timezone, true) },
    {
      key: 'user',
      label: t('watchlist.user'),
      render: (row) => <Link href={path(`/users/${row.userId}`)}>{row.userName}</Link>,
    },
    { key: 'type', label: t('watchlist.type'), render: (row) => <span className="badge">{row.type}</span> },
    {
      key: 'ip',
      label: t('watchlist.ip'),
      render: (row) => <Link href={path(`/ips/${encodeURIComponent(row.ip)}`)}>{row.ip}</Link>,
    },
    {
      key: 'country',
      label: t('watchlist.country'),
      render: (row) =>
        row.country ? <Link href={path(`/countries/${row.country}`)}>{row.country}</Link> : t('common.none'),
    },
    {
      key: 'url',
      label: t('watchlist.url'),
      render: (row) => <Link href={path(`/resources/${row.resourceId}`)}>{row.url}</Link>,
    },
    {
      key: 'httpCode',
      label: t('watchlist.code'),
      numeric: true,
      render: (row) => row.httpCode ?? t('common.none'),
    },
    {
      key: 'details',
      label: t('watchlist.details'),
      render: (row) => <Link href={path(`/events?eventId=${row.id}`)}>{t('watchlist.open')}</Link>,
    },
  ];

  return (
    <>
      <div className="page-header">
        <h1>{t('watchlist.title')}</h1>
      </div>
      <p className="muted">{t('watchlist.intro')}</p>
      <section className="panel" aria-label={t('watchlist.users')}>
        <h2>{t('watchlist.users')}</h2>
        {watched.error && <ErrorBox error={watched.error} />}
        {watched.loading && !watched.data && <Loading />}
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        {watched.data && watched.data.users.length === 0 && <Empty text={t('watchlist.none')} />}
        {watched.data && watched.data.users.length > 0 && (
          <ul className="watchlist-users" data-testid="watchlist-users">
            {only && (
              <li>
                <button type="button" className="link" onClick={() => setOnly('')}>
                  {t('watchlist.all')}
                </button>
              </li>
            )}
            {watched.data.users.map((user) => (
              <li key={user.id} className={only === String(user.id) ? 'active' : undefined}>
                <ScoreBadge score={user.score} />
                <Link href={path(`/users/${user.id}`)}>{user.userName}</Link>
                {user.status !== 'normal' && <StatusBadge status={user.status} />}
                <button
                  type="button"
                  className="link"
                  title={t('watchlist.only', { user: user.userName })}
                  aria-label={t('watchlist.only', { user: user.userName })}
                  onClick={() => setOnly(String(user.id))}
                >
                  <span className="muted">
                    {formatNumber(user.eventCount)} ·{' '}
                    {t('watchlist.lastSeen', { ago: formatAgo(user.lastSeen) })}
                  </span>
                </button>
                {analyst && (
                  <button
                    type="button"
                    className="icon"
                    title={t('watchlist.unwatch', { user: user.userName })}
                    aria-label={t('watchlist.unwatch', { user: user.userName })}
                    onClick={() => void unwatch(user)}
                  >
                    ×
                  </button>
                )}
              </li>
            ))}
          </ul>
        )}
      </section>
      <h2>{t('watchlist.activity')}</h2>
      <DataTable<ActivityRow>
        key={generation}
        path={projectApi('/watchlist/events')}
        query={{ from: range.from ?? null, to: range.to, userId: only || null }}
        columns={columns}
        rowKey={(row) => row.id}
        searchable={false}
        testId="watchlist-activity"
      />
    </>
  );
}
