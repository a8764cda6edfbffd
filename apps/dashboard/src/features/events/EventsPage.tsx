import { useCallback } from 'react';
import type { Query } from '../../app/api.ts';
import { useDateRange } from '../../app/date-range.ts';
import { formatDateTime } from '../../app/format.ts';
import { formatNumber, t } from '../../app/i18n.ts';
import { Link, setQueryParams, useLocation } from '../../app/router.tsx';
import { useOperator, useProjectApi, useProjectPath } from '../../app/session.tsx';
import { useFetch } from '../../app/use-fetch.ts';
import { ScoreBadge } from '../../components/Badges.tsx';
import { Chips, DataTable } from '../../components/DataTable.tsx';
import { EventPanel } from './EventPanel.tsx';
import { EventsChart } from './EventsChart.tsx';
import { RuleSelect } from './RuleSelect.tsx';
import './events.css';

export const EVENT_TYPES = [
  'page_view',
  'page_edit',
  'page_delete',
  'page_search',
  'account_login',
  'account_logout',
  'account_login_fail',
  'account_registration',
  'account_email_change',
  'account_password_change',
  'account_edit',
  'page_error',
  'field_edit',
];
const DEVICE_TYPES = ['bot', 'desktop', 'smartphone', 'tablet', 'other', 'unknown'];
const IP_TYPES = ['blacklisted', 'tor', 'vpn', 'datacenter', 'relay', 'starlink', 'local', 'residential'];

interface EventRow {
  id: number;
  time: string;
  type: string;
  httpCode: number | null;
  userId: number;
  userName: string;
  score: number | null;
  email: string | null;
  ip: string;
  country: string | null;
  ipType: string;
  uaId: number;
  deviceType: string | null;
  os: string | null;
  browser: string | null;
  resourceId: number;
  url: string;
  query: string | null;
}

/** The activity stream: chart, totals, filters in the URL, the table and the event panel. */
export function EventsPage() {
  const api = useProjectApi();
  const path = useProjectPath();
  const tz = useOperator().timezone;
  const range = useDateRange();
  const { search } = useLocation();
  const filters: Query = {
    type: search.get('type'),
    deviceType: search.get('deviceType'),
    ipType: search.get('ipType'),
    rule: search.get('rule'),
    userId: search.get('userId'),
  };
  const period = { from: range.from, to: range.to };
  const eventId = search.get('eventId');
  const close = useCallback(() => setQueryParams({ eventId: null }), []);
  const totals = useFetch<{ inPeriod: number; before: number; capped: boolean }>(api('/events/totals'), {
    ...period,
    ...filters,
  });
  const count = (n: number) => (n >= 10_000 ? t('events.capped', { n: formatNumber(n) }) : formatNumber(n));
  return (
    <div>
      <header className="page-header">
        <h1>{t('events.title')}</h1>
      </header>
      <EventsChart filters={filters} />
      <p className="events-totals muted" data-testid="events-totals">
        {totals.data &&
          t('events.totals', { inPeriod: count(totals.data.inPeriod), before: count(totals.data.before) })}
      </p>
      <div className="events-filters">
        <Chips
          name="type"
          label={t('events.filter.type')}
          options={EVENT_TYPES.map((v) => ({ value: v, label: t(`events.type.${v}`) }))}
        />
        <Chips
          name="deviceType"
          label={t('events.filter.deviceType')}
          options={DEVICE_TYPES.map((v) => ({ value: v, label: t(`events.device.${v}`) }))}
        />
        <Chips
          name="ipType"
          label={t('events.filter.ipType')}
          options={IP_TYPES.map((v) => ({ value: v, label: t(`events.ip.${v}`) }))}
        />
        <RuleSelect label={t('events.filter.rule')} />
        {filters.userId && (
          <button
            type="button"
            className="chip active"
            title={t('events.filter.clearUser')}
            onClick={() => setQueryParams({ userId: null, page: null })}
          >
            {t('events.filter.user', { id: String(filters.userId) })} ×
          </button>
        )}
      </div>
      <DataTable<EventRow>
        path={api('/events')}
        query={{ ...period, ...filters }}
        rowKey={(r) => r.id}
        defaultSort="time"
        testId="events-table"
        columns={[
          {
            key: 'time',
            label: t('events.col.time'),
            sortable: true,
            render: (r) => (
              <button
                type="button"
                className="link"
                title={t('events.open')}
                aria-pressed={eventId === String(r.id)}
                onClick={() => setQueryParams({ eventId: String(r.id) }, { push: true })}
              >
                {formatDateTime(r.time, tz, true)}
              </button>
            ),
          },
          {
            key: 'user',
            label: t('events.col.user'),
            render: (r) => (
              <span>
                <ScoreBadge score={r.score} />{' '}
                <Link href={path(`/users/${r.userId}`)}>{r.email ?? r.userName}</Link>
              </span>
            ),
          },
          { key: 'type', label: t('events.col.type'), render: (r) => t(`events.type.${r.type}`) },
          {
            key: 'url',
            label: t('events.col.url'),
            render: (r) => (
              <Link href={path(`/resources/${r.resourceId}`)} title={r.query ? `${r.url}?${r.query}` : r.url}>
                {r.url}
              </Link>
            ),
          },
          { key: 'httpCode', label: t('events.col.code'), numeric: true },
          {
            key: 'ip',
            label: t('events.col.ip'),
            render: (r) => <Link href={path(`/ips/${encodeURIComponent(r.ip)}`)}>{r.ip}</Link>,
          },
          {
            key: 'country',
            label: t('events.col.country'),
            render: (r) =>
              r.country ? <Link href={path(`/countries/${r.country}`)}>{r.country}</Link> : '—',
          },
          { key: 'ipType', label: t('events.col.ipType'), render: (r) => t(`events.ip.${r.ipType}`) },
          {
            key: 'device',
            label: t('events.col.device'),
            render: (r) => (
              <Link href={path(`/devices/${r.uaId}`)}>
                {[r.deviceType, r.os, r.browser].filter(Boolean).join(' · ') || t('common.unknown')}
              </Link>
            ),
          },
        ]}
      />
      {eventId && <EventPanel eventId={eventId} onClose={close} />}
    </div>
  );
}
