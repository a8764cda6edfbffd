import { useEffect, useState } from 'react';
import { useDateRange } from '../../app/date-range.ts';
import { formatDateTime } from '../../app/format.ts';
import { formatNumber, t } from '../../app/i18n.ts';
import { Link, setQueryParams, useLocation } from '../../app/router.tsx';
import { useOperator, useProjectApi, useProjectPath } from '../../app/session.tsx';
import { ScoreBadge, StatusBadge } from '../../components/Badges.tsx';
import { Chips, DataTable } from '../../components/DataTable.tsx';
import { RuleSelect } from '../events/RuleSelect.tsx';
import './users.css';

interface UserRow {
  id: number;
  userName: string;
  fullName: string | null;
  email: string | null;
  score: number | null;
  status: string;
  matchedRules: string;
  firstSeen: string;
  lastSeen: string;
  events: number;
  country: string | null;
}

const BANDS = [
  { key: 'low', min: '0', max: '32' },
  { key: 'medium', min: '33', max: '66' },
  { key: 'high', min: '67', max: '99' },
];

/** Users active in the period, with score, status and rule filters kept in the URL. */
export function UsersPage() {
  const api = useProjectApi();
  const path = useProjectPath();
  const tz = useOperator().timezone;
  const range = useDateRange();
  const { search } = useLocation();
  const scoreMin = search.get('scoreMin') ?? '';
  const scoreMax = search.get('scoreMax') ?? '';
  return (
    <div>
      <header className="page-header">
        <h1>{t('users.title')}</h1>
      </header>
      <div className="users-filters">
        <fieldset className="chips" aria-label={t('users.filter.score')}>
          <legend>{t('users.filter.score')}</legend>
          {BANDS.map((b) => {
            const active = scoreMin === b.min && scoreMax === b.max;
            return (
              <button
                type="button"
                key={b.key}
                className={active ? 'chip active' : 'chip'}
                aria-pressed={active}
                onClick={() =>
                  setQueryParams({
                    scoreMin: active ? null : b.min,
                    scoreMax: active ? null : b.max,
                    page: null,
                  })
                }
              >
                {t(`users.filter.band.${b.key}`)}
              </button>
            );
          })}
          <ScoreInput name="scoreMin" value={scoreMin} label={t('users.filter.scoreMin')} />
          <ScoreInput name="scoreMax" value={scoreMax} label={t('users.filter.scoreMax')} />
        </fieldset>
        <Chips
          name="status"
          label={t('users.filter.status')}
          options={['normal', 'review', 'approved', 'blacklisted'].map((s) => ({
            value: s,
            label: t(`status.${s}`),
          }))}
        />
        <RuleSelect label={t('users.filter.rule')} />
      </div>
      <DataTable<UserRow>
        path={api('/users')}
        query={{
          from: range.from,
          to: range.to,
          scoreMin: scoreMin || null,
          scoreMax: scoreMax || null,
          status: search.get('status'),
          rule: search.get('rule'),
        }}
        rowKey={(r) => r.id}
        defaultSort="lastSeen"
        testId="users-table"
        columns={[
          {
            key: 'userName',
            label: t('users.col.user'),
            sortable: true,
            render: (r) => (
              <span>
                <Link href={path(`/users/${r.id}`)}>{r.userName}</Link>
                {(r.fullName || r.email) && (
                  <span className="muted"> {[r.fullName, r.email].filter(Boolean).join(' · ')}</span>
                )}
              </span>
            ),
          },
          {
            key: 'score',
            label: t('users.col.score'),
            sortable: true,
            render: (r) => <ScoreBadge score={r.score} />,
          },
          {
            key: 'status',
            label: t('users.col.status'),
            sortable: true,
            render: (r) => <StatusBadge status={r.status} />,
          },
          { key: 'matchedRules', label: t('users.col.rules'), render: (r) => r.matchedRules || '—' },
          {
            key: 'firstSeen',
            label: t('users.col.firstSeen'),
            sortable: true,
            render: (r) => formatDateTime(r.firstSeen, tz),
          },
          {
            key: 'lastSeen',
            label: t('users.col.lastSeen'),
            sortable: true,
            render: (r) => formatDateTime(r.lastSeen, tz),
          },
          {
            key: 'events',
            label: t('users.col.events'),
            sortable: true,
            numeric: true,
            render: (r) => formatNumber(r.events),
          },
          {
            key: 'country',
            label: t('users.col.country'),
            render: (r) =>
              r.country ? <Link href={path(`/countries/${r.country}`)}>{r.country}</Link> : '—',
          },
        ]}
      />
    </div>
  );
}

/** A score bound (0–99) written to the URL a moment after typing stops. */
function ScoreInput({ name, value, label }: { name: string; value: string; label: string }) {
  const [text, setText] = useState(value);
  useEffect(() => setText(value), [value]);
  useEffect(() => {
    if (text === value) return;
    const n = Number(text);
    if (text !== '' && (!Number.isInteger(n) || n < 0 || n > 99)) return;
    const timer = setTimeout(() => setQueryParams({ [name]: text || null, page: null }), 400);
    return () => clearTimeout(timer);
  }, [text, value, name]);
  return (
    <label className="score-input">
      {label}{' '}
      <input
        type="number"
        min={0}
        max={99}
        value={text}
        onChange={(e) => setText(e.target.value)}
        data-testid={name}
      />
    </label>
  );
}
