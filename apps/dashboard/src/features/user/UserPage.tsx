import { formatDateTime } from '../../app/format.ts';
import { t } from '../../app/i18n.ts';
import { Link } from '../../app/router.tsx';
import { useOperator, useProjectApi, useProjectPath } from '../../app/session.tsx';
import { useFetch } from '../../app/use-fetch.ts';
import { ScoreBadge, StatusBadge } from '../../components/Badges.tsx';
import { DataTable } from '../../components/DataTable.tsx';
import { ErrorBox, Loading } from '../../components/States.tsx';
import {
  ActivityRow,
  ConnectionsSection,
  DecisionsList,
  EntitiesSection,
  FieldHistory,
  IdentityTiles,
  ScorePanel,
} from './sections.tsx';
import type {
  Activity,
  Connection,
  Entities,
  FieldChange,
  ScoreHistory,
  TimelineRow,
  UserDetails,
} from './types.ts';
import { UserActions } from './UserActions.tsx';
import './user.css';

/**
 * The analyst's main page: who the user is, why they scored what they scored, what they did and
 * with whom they share identifiers; and the decision. Each block loads on its own, in parallel.
 */
export function UserPage({ params }: { params: Record<string, string> }) {
  const userId = params.userId ?? '';
  const api = useProjectApi();
  const operator = useOperator();
  const valid = /^[1-9][0-9]{0,17}$/.test(userId);
  const base = valid ? api(`/users/${userId}`) : null;
  const details = useFetch<UserDetails>(base);
  const history = useFetch<ScoreHistory>(base && `${base}/scores`);
  const activity = useFetch<Activity>(base && `${base}/activity`, { tz: operator.timezone });
  const entities = useFetch<Entities>(base && `${base}/entities`);
  const fields = useFetch<{ changes: FieldChange[]; total: number }>(base && `${base}/field-changes`);
  const connections = useFetch<{ connections: Connection[] }>(base && `${base}/connections`);

  if (!valid) return <p className="error">{t('common.notFound')}</p>;
  if (details.error) return <ErrorBox error={details.error} />;
  if (!details.data) return <Loading />;
  const d = details.data;
  const reload = () => {
    details.reload();
    history.reload();
  };
  const names = d.user.fullName ?? ([d.user.firstName, d.user.lastName].filter(Boolean).join(' ') || null);
  return (
    <div className="user-page" data-testid="user-page">
      <header className="page-header">
        <span data-testid="user-score-badge">
          <ScoreBadge score={d.score.score} />
        </span>
        <div>
          <h1 data-testid="user-title">{d.identity.email?.email ?? d.user.userName}</h1>
          <div className="muted">
            {t('user.id')} <span className="mono">{d.user.userName}</span>
            {names ? ` · ${names}` : ''}
            {d.user.decidedBy
              ? ` · ${t('user.decidedBy', { who: d.user.decidedBy, at: formatDateTime(d.user.decidedAt, operator.timezone) })}`
              : ''}
          </div>
        </div>
        <span data-testid="user-status">
          <StatusBadge status={d.user.status} />
        </span>
        {d.user.watched && (
          <span className="badge user-watched" data-testid="user-watched">
            ★ {t('user.watched')}
          </span>
        )}
      </header>
      <UserActions details={d} onChange={reload} />
      <ScorePanel details={d} history={history.data} />
      <IdentityTiles details={d} entities={entities.data} />
      {activity.data ? (
        <ActivityRow activity={activity.data} />
      ) : (
        activity.error && <ErrorBox error={activity.error} />
      )}
      {entities.data ? <EntitiesSection entities={entities.data} /> : <Loading />}
      {connections.data && <ConnectionsSection details={d} connections={connections.data.connections} />}
      {fields.data && (
        <FieldHistory changes={fields.data.changes} total={fields.data.total} userId={d.user.id} />
      )}
      <DecisionsList details={d} />
      <Timeline base={base as string} />
    </div>
  );
}

/** Every event of the user with its session, newest first (paged on the server). */
function Timeline({ base }: { base: string }) {
  const path = useProjectPath();
  const tz = useOperator().timezone;
  return (
    <section>
      <h2>{t('user.timeline.title')}</h2>
      <DataTable<TimelineRow>
        path={`${base}/events`}
        rowKey={(r) => r.id}
        searchable={false}
        defaultSort="time"
        testId="user-timeline"
        columns={[
          {
            key: 'time',
            label: t('user.col.time'),
            sortable: true,
            render: (r) => (
              <Link href={path(`/events?eventId=${r.id}`)} data-testid="timeline-time">
                {formatDateTime(r.time, tz, true)}
              </Link>
            ),
          },
          {
            key: 'session',
            label: t('user.col.session'),
            render: (r) => (
              <span className="muted" title={t('user.timeline.session', { n: r.sessionEvents })}>
                #{r.sessionId} · {formatDateTime(r.sessionStarted, tz)}
              </span>
            ),
          },
          { key: 'type', label: t('user.col.type'), render: (r) => <span className="badge">{r.type}</span> },
          {
            key: 'url',
            label: t('user.col.url'),
            render: (r) => (
              <span>
                {r.url}
                {r.httpCode ? <span className="muted"> {r.httpCode}</span> : null}
              </span>
            ),
          },
          {
            key: 'ip',
            label: t('user.col.ip'),
            render: (r) => (
              <span>
                <Link href={path(`/ips/${encodeURIComponent(r.ip)}`)}>{r.ip}</Link>
                <span className="muted"> {[r.country, r.ipType].filter(Boolean).join(' · ')}</span>
              </span>
            ),
          },
          {
            key: 'device',
            label: t('user.col.device'),
            render: (r) => <Link href={path(`/devices/${r.uaId}`)}>{r.device ?? t('common.unknown')}</Link>,
          },
        ]}
      />
    </section>
  );
}
