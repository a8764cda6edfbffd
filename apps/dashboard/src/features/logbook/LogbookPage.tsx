import { useCallback, useEffect, useMemo } from 'react';
import { useDateRange } from '../../app/date-range.ts';
import { formatDateTime } from '../../app/format.ts';
import { t } from '../../app/i18n.ts';
import { Link, setQueryParams, useLocation } from '../../app/router.tsx';
import { useOperator, useProjectApi, useProjectPath } from '../../app/session.tsx';
import { useFetch } from '../../app/use-fetch.ts';
import { Chart } from '../../components/Chart.tsx';
import { Chips, DataTable } from '../../components/DataTable.tsx';
import { ErrorBox, Loading } from '../../components/States.tsx';
import '../events/events.css';

const OUTCOMES = ['success', 'warnings', 'rejected', 'failed', 'rate_limited'];
const COLORS: Record<string, string> = {
  success: '#1a7f37',
  warnings: '#9a6700',
  rejected: '#d1242f',
  failed: '#8250df',
  rate_limited: '#57606a',
};

interface LogRow {
  id: number;
  started: string;
  endpoint: string;
  callerIp: string | null;
  eventId: number | null;
  outcome: string;
  warnings: string | null;
  rawPreview: string | null;
}

/** API requests of the period: chart by outcome, outcome chips, the table and the request panel. */
export function LogbookPage() {
  const api = useProjectApi();
  const path = useProjectPath();
  const tz = useOperator().timezone;
  const range = useDateRange();
  const { search } = useLocation();
  const entryId = search.get('entryId');
  const close = useCallback(() => setQueryParams({ entryId: null }), []);
  return (
    <div>
      <header className="page-header">
        <h1>{t('logbook.title')}</h1>
      </header>
      <p className="muted">{t('logbook.intro')}</p>
      <LogbookChart />
      <Chips
        name="outcome"
        label={t('logbook.filter.outcome')}
        options={OUTCOMES.map((o) => ({ value: o, label: t(`logbook.outcome.${o}`) }))}
      />
      <DataTable<LogRow>
        path={api('/logbook')}
        query={{ from: range.from, to: range.to, outcome: search.get('outcome') }}
        rowKey={(r) => r.id}
        defaultSort="id"
        testId="logbook-table"
        columns={[
          {
            key: 'started',
            label: t('logbook.col.time'),
            sortable: true,
            render: (r) => (
              <button
                type="button"
                className="link"
                title={t('logbook.open')}
                onClick={() => setQueryParams({ entryId: String(r.id) }, { push: true })}
              >
                {formatDateTime(r.started, tz, true)}
              </button>
            ),
          },
          { key: 'endpoint', label: t('logbook.col.endpoint') },
          { key: 'callerIp', label: t('logbook.col.ip') },
          {
            key: 'outcome',
            label: t('logbook.col.outcome'),
            render: (r) => (
              <span className={`badge outcome-${r.outcome}`}>{t(`logbook.outcome.${r.outcome}`)}</span>
            ),
          },
          {
            key: 'warnings',
            label: t('logbook.col.warnings'),
            render: (r) => (
              <span className="truncate" title={r.warnings ?? ''}>
                {r.warnings ?? '—'}
              </span>
            ),
          },
          {
            key: 'rawPreview',
            label: t('logbook.col.raw'),
            render: (r) => (
              <span className="mono truncate" title={r.rawPreview ?? ''}>
                {r.rawPreview ?? '—'}
              </span>
            ),
          },
          {
            key: 'eventId',
            label: t('logbook.col.event'),
            render: (r) =>
              r.eventId ? <Link href={path(`/events?eventId=${r.eventId}`)}>{`#${r.eventId}`}</Link> : '—',
          },
        ]}
      />
      {entryId && <LogbookPanel entryId={entryId} onClose={close} />}
    </div>
  );
}

function LogbookChart() {
  const api = useProjectApi();
  const range = useDateRange();
  const tz = useOperator().timezone;
  const { data, error } = useFetch<{ times: number[]; series: { outcome: string; values: number[] }[] }>(
    api('/logbook/chart'),
    { from: range.from, to: range.to, bucket: range.bucket, tz },
  );
  const series = useMemo(
    () =>
      data?.series.map((s) => ({
        label: t(`logbook.outcome.${s.outcome}`),
        values: s.values,
        color: COLORS[s.outcome],
      })) ?? [],
    [data],
  );
  if (error) return <ErrorBox error={error} />;
  if (!data) return <Loading />;
  return (
    <div className="panel">
      <h2>{t('logbook.chart')}</h2>
      <Chart times={data.times} series={series} label={t('logbook.chart')} timeZone={tz} />
    </div>
  );
}

interface LogEntry {
  id: number;
  started: string;
  ended: string;
  endpoint: string;
  callerIp: string | null;
  eventId: number | null;
  outcome: string;
  warnings: unknown;
  raw: unknown;
  requestId: string | null;
}

/** One request: the raw fields it sent and its warnings, shown as text (they are the caller's). */
function LogbookPanel({ entryId, onClose }: { entryId: string; onClose: () => void }) {
  const api = useProjectApi();
  const path = useProjectPath();
  const tz = useOperator().timezone;
  const { data, error } = useFetch<LogEntry>(api(`/logbook/${encodeURIComponent(entryId)}`));
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && onClose();
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);
  const warnings = Array.isArray(data?.warnings) ? data.warnings.map(String) : [];
  return (
    <aside
      className="side-panel"
      aria-label={t('logbook.panel.title', { id: entryId })}
      data-testid="logbook-panel"
    >
      <header>
        <h2>{t('logbook.panel.title', { id: entryId })}</h2>
        <button type="button" className="icon" aria-label={t('logbook.panel.close')} onClick={onClose}>
          ×
        </button>
      </header>
      {error && <ErrorBox error={error} />}
      {!data && !error && <Loading />}
      {data && (
        <>
          <dl className="facts">
            <dt>{t('logbook.panel.started')}</dt>
            <dd>{formatDateTime(data.started, tz, true)}</dd>
            <dt>{t('logbook.panel.ended')}</dt>
            <dd>{formatDateTime(data.ended, tz, true)}</dd>
            <dt>{t('logbook.col.endpoint')}</dt>
            <dd>{data.endpoint}</dd>
            <dt>{t('logbook.col.ip')}</dt>
            <dd>{data.callerIp ?? '—'}</dd>
            <dt>{t('logbook.col.outcome')}</dt>
            <dd>{t(`logbook.outcome.${data.outcome}`)}</dd>
            <dt>{t('logbook.panel.requestId')}</dt>
            <dd>{data.requestId ?? '—'}</dd>
            <dt>{t('logbook.panel.event')}</dt>
            <dd>
              {data.eventId ? (
                <Link href={path(`/events?eventId=${data.eventId}`)}>{`#${data.eventId}`}</Link>
              ) : (
                '—'
              )}
            </dd>
          </dl>
          {warnings.length > 0 && (
            <>
              <h3>{t('logbook.panel.warnings')}</h3>
              <ul className="warning-box" data-testid="logbook-warnings">
                {warnings.map((w) => (
                  <li key={w}>{w}</li>
                ))}
              </ul>
            </>
          )}
          <h3>{t('logbook.panel.raw')}</h3>
          {data.raw ? (
            <pre data-testid="logbook-raw">{JSON.stringify(data.raw, null, 2)}</pre>
          ) : (
            <p className="muted">{t('logbook.panel.noRaw')}</p>
          )}
        </>
      )}
    </aside>
  );
}
