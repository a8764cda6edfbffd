import { useMemo } from 'react';
import { rangeQuery, useDateRange } from '../../app/date-range.ts';
import { formatDateTime } from '../../app/format.ts';
import { formatNumber, t } from '../../app/i18n.ts';
import { Link, setQueryParams, useLocation } from '../../app/router.tsx';
import { useOperator, useProjectApi, useProjectPath } from '../../app/session.tsx';
import { useFetch } from '../../app/use-fetch.ts';
import { Chart } from '../../components/Chart.tsx';
import { DataTable } from '../../components/DataTable.tsx';
import { ErrorBox, Loading } from '../../components/States.tsx';
import { Tiles } from '../../components/Tiles.tsx';
import './field-audit.css';

interface FieldRow {
  id: number;
  fieldId: string;
  fieldName: string | null;
  edits: number;
  users: number;
  firstSeen: string;
  lastSeen: string;
}

interface ChartData {
  times: number[];
  values: number[];
  totals: { inPeriod: number; before: number; capped: boolean };
}

interface ChangeRow {
  id: number;
  time: string;
  eventId: number;
  fieldRef: number;
  fieldId: string;
  fieldName: string | null;
  userId: number;
  userName: string;
  oldValue: string | null;
  newValue: string;
  parentId: string | null;
  parentName: string | null;
}

/** Links between the trail's pages keep the period. */
function useKeep(): string {
  return rangeQuery(useLocation().search);
}

/** The period picked in the top bar, as the lists' query. */
function usePeriod(): { from?: string; to: string } {
  const range = useDateRange();
  return range.from ? { from: range.from, to: range.to } : { to: range.to };
}

/** Changes per bucket over the period, with the totals in the period and in the one before. */
function ChangesChart({ fieldRef, userId }: { fieldRef?: number | undefined; userId?: number | undefined }) {
  const api = useProjectApi();
  const range = useDateRange();
  const tz = useOperator().timezone;
  const { data, error } = useFetch<ChartData>(api('/field-audit/chart'), {
    from: range.from,
    to: range.to,
    bucket: range.bucket,
    tz,
    fieldRef,
    userId,
  });
  const series = useMemo(() => [{ label: t('fieldAudit.changes'), values: data?.values ?? [] }], [data]);
  if (error) return <ErrorBox error={error} />;
  if (!data) return <Loading />;
  const more = data.totals.capped ? '+' : '';
  return (
    <section className="panel">
      <p className="field-audit-totals" data-testid="changes-totals">
        {t('fieldAudit.totals', {
          inPeriod: `${formatNumber(data.totals.inPeriod)}${more}`,
          before: `${formatNumber(data.totals.before)}${more}`,
        })}
      </p>
      <Chart times={data.times} series={series} height={160} label={t('fieldAudit.chart')} timeZone={tz} />
    </section>
  );
}

/** The fields edited, with how many changes and users, and the last change. */
export function FieldsPage() {
  const api = useProjectApi();
  const path = useProjectPath();
  const keep = useKeep();
  const tz = useOperator().timezone;
  return (
    <div>
      <header className="page-header">
        <h1>{t('fieldAudit.title')}</h1>
        <div className="actions">
          <Link className="button secondary" href={path(`/field-audit/changes${keep}`)}>
            {t('fieldAudit.allChanges')}
          </Link>
        </div>
      </header>
      <p className="muted">{t('fieldAudit.intro')}</p>
      <ChangesChart />
      <DataTable<FieldRow>
        path={api('/field-audit/fields')}
        query={usePeriod()}
        rowKey={(r) => r.id}
        defaultSort="lastSeen"
        testId="fields-table"
        columns={[
          {
            key: 'fieldId',
            label: t('fieldAudit.col.fieldId'),
            sortable: true,
            render: (r) => <Link href={path(`/field-audit/${r.id}${keep}`)}>{r.fieldId}</Link>,
          },
          { key: 'fieldName', label: t('fieldAudit.col.fieldName'), sortable: true },
          {
            key: 'edits',
            label: t('fieldAudit.col.edits'),
            sortable: true,
            numeric: true,
            render: (r) => formatNumber(r.edits),
          },
          {
            key: 'users',
            label: t('fieldAudit.col.users'),
            numeric: true,
            render: (r) => formatNumber(r.users),
          },
          {
            key: 'lastSeen',
            label: t('fieldAudit.col.lastSeen'),
            sortable: true,
            render: (r) => formatDateTime(r.lastSeen, tz),
          },
          {
            key: 'firstSeen',
            label: t('fieldAudit.col.firstSeen'),
            sortable: true,
            render: (r) => formatDateTime(r.firstSeen, tz),
          },
        ]}
      />
    </div>
  );
}

/** One field: its counters and its changes. */
export function FieldPage({ params }: { params: Record<string, string> }) {
  const api = useProjectApi();
  const path = useProjectPath();
  const tz = useOperator().timezone;
  const { search } = useLocation();
  const keep = useKeep();
  const fieldRef = params.fieldRef ?? '';
  const valid = /^[1-9][0-9]{0,17}$/.test(fieldRef);
  const { data, error } = useFetch<{ field: FieldRow }>(
    valid ? api(`/field-audit/fields/${fieldRef}`) : null,
  );
  if (!valid) return <p className="error">{t('common.notFound')}</p>;
  if (error) return <ErrorBox error={error} />;
  if (!data) return <Loading />;
  const f = data.field;
  return (
    <div>
      <header className="page-header">
        <h1 data-testid="field-title">{t('fieldAudit.field.title', { field: f.fieldId })}</h1>
        {f.fieldName && <span className="muted">{f.fieldName}</span>}
        <div className="actions">
          <Link className="button secondary" href={path(`/field-audit${keep}`)}>
            {t('fieldAudit.back')}
          </Link>
        </div>
      </header>
      <Tiles
        items={[
          { label: t('fieldAudit.col.edits'), value: formatNumber(f.edits), testId: 'field-edits' },
          { label: t('fieldAudit.col.users'), value: formatNumber(f.users), testId: 'field-users' },
          { label: t('fieldAudit.col.firstSeen'), value: formatDateTime(f.firstSeen, tz) },
          { label: t('fieldAudit.col.lastSeen'), value: formatDateTime(f.lastSeen, tz) },
        ]}
      />
      <ChangesChart fieldRef={f.id} userId={userIdOf(search)} />
      <ChangesTable fieldRef={f.id} showField={false} />
    </div>
  );
}

/** Every change, filterable by field and by user. */
export function ChangesPage() {
  const api = useProjectApi();
  const path = useProjectPath();
  const keep = useKeep();
  const { search } = useLocation();
  const fieldRef = /^\d+$/.test(search.get('fieldRef') ?? '') ? Number(search.get('fieldRef')) : undefined;
  const fields = useFetch<{ rows: FieldRow[] }>(api('/field-audit/fields'), {
    pageSize: 500,
    sort: 'fieldId',
    order: 'asc',
  });
  return (
    <div>
      <header className="page-header">
        <h1>
          {t('fieldAudit.title')}: {t('fieldAudit.changes')}
        </h1>
        <div className="actions">
          <Link className="button secondary" href={path(`/field-audit${keep}`)}>
            {t('fieldAudit.fields')}
          </Link>
        </div>
      </header>
      <div className="field-audit-filters">
        <label>
          {t('fieldAudit.filter.field')}
          <select
            value={fieldRef ?? ''}
            data-testid="filter-field"
            onChange={(e) => setQueryParams({ fieldRef: e.target.value || null, page: null })}
          >
            <option value="">{t('fieldAudit.filter.anyField')}</option>
            {(fields.data?.rows ?? []).map((f) => (
              <option key={f.id} value={f.id}>
                {f.fieldName ? `${f.fieldId} (${f.fieldName})` : f.fieldId}
              </option>
            ))}
          </select>
        </label>
      </div>
      <ChangesChart fieldRef={fieldRef} userId={userIdOf(search)} />
      <ChangesTable fieldRef={fieldRef} showField />
    </div>
  );
}

function userIdOf(search: URLSearchParams): number | undefined {
  const value = search.get('userId') ?? '';
  return /^[1-9][0-9]{0,17}$/.test(value) ? Number(value) : undefined;
}

/** The user filter (?userId=), shown as a removable chip with the user's name. */
function UserFilter({ userId }: { userId: number }) {
  const api = useProjectApi();
  const { data } = useFetch<{ user: { userName: string } }>(api(`/users/${userId}`));
  return (
    <span className="chip active field-audit-user" data-testid="filter-user">
      {t('fieldAudit.filter.user')}: {data?.user.userName ?? `#${userId}`}{' '}
      <button
        type="button"
        className="link"
        aria-label={t('fieldAudit.filter.clear')}
        title={t('fieldAudit.filter.clear')}
        onClick={() => setQueryParams({ userId: null, page: null })}
      >
        ×
      </button>
    </span>
  );
}

function ChangesTable({ fieldRef, showField }: { fieldRef: number | undefined; showField: boolean }) {
  const api = useProjectApi();
  const path = useProjectPath();
  const tz = useOperator().timezone;
  const { search } = useLocation();
  const userId = userIdOf(search);
  const keep = rangeQuery(search);
  return (
    <>
      {userId !== undefined && <UserFilter userId={userId} />}
      <DataTable<ChangeRow>
        path={api('/field-audit/changes')}
        query={{ ...usePeriod(), fieldRef, userId }}
        rowKey={(r) => r.id}
        defaultSort="time"
        testId="changes-table"
        columns={[
          {
            key: 'time',
            label: t('fieldAudit.col.time'),
            sortable: true,
            render: (r) => (
              <Link href={path(`/events?eventId=${r.eventId}`)}>{formatDateTime(r.time, tz, true)}</Link>
            ),
          },
          ...(showField
            ? [
                {
                  key: 'fieldId',
                  label: t('fieldAudit.col.field'),
                  sortable: true,
                  render: (r: ChangeRow) => (
                    <Link href={path(`/field-audit/${r.fieldRef}${keep}`)}>{r.fieldName ?? r.fieldId}</Link>
                  ),
                },
              ]
            : []),
          {
            key: 'userName',
            label: t('fieldAudit.col.user'),
            sortable: true,
            render: (r) => (
              <span>
                <Link href={path(`/users/${r.userId}`)}>{r.userName}</Link>{' '}
                {userId === undefined && (
                  <button
                    type="button"
                    className="link field-audit-by-user"
                    title={t('fieldAudit.filter.byUser')}
                    aria-label={t('fieldAudit.filter.byUser')}
                    onClick={() => setQueryParams({ userId: String(r.userId), page: null })}
                  >
                    ⌕
                  </button>
                )}
              </span>
            ),
          },
          {
            key: 'change',
            label: t('fieldAudit.col.change'),
            render: (r) => (
              <span>
                <span className="field-audit-old">{r.oldValue ?? '∅'}</span> →{' '}
                <span className="field-audit-new">{r.newValue}</span>
              </span>
            ),
          },
          {
            key: 'parent',
            label: t('fieldAudit.col.parent'),
            render: (r) => [r.parentName, r.parentId].filter(Boolean).join(' · ') || '—',
          },
        ]}
      />
    </>
  );
}
