import { useState } from 'react';
import { api } from '../../app/api.ts';
import { formatAgo } from '../../app/format.ts';
import { formatNumber, t } from '../../app/i18n.ts';
import { Link, useQueryParam } from '../../app/router.tsx';
import { refreshMenuCounts } from '../../app/Shell.tsx';
import { useCan, useProjectApi, useProjectPath } from '../../app/session.tsx';
import { ScoreBadge } from '../../components/Badges.tsx';
import { type Column, DataTable } from '../../components/DataTable.tsx';
import './review.css';
import { Feedback } from '../../components/Feedback.tsx';

interface ReviewRow {
  id: number;
  userName: string;
  fullName: string | null;
  score: number | null;
  rules: { code: string; weight: number; name: string }[];
  addedToReview: string | null;
  lastSeen: string;
  eventCount: number;
  country: string | null;
}

interface BulkAnswer {
  counts: { decided: number; skipped: number; notFound: number };
}

type Decision = 'approve' | 'blacklist';

/**
 * The review queue: pending users, longest waiting first; an analyst selects rows and approves
 * or blacklists them in one request, with a note kept on every decision.
 */
export function ReviewPage() {
  const projectApi = useProjectApi();
  const path = useProjectPath();
  const analyst = useCan('analyst');
  const [rule, setRule] = useQueryParam('rule');
  const [selected, setSelected] = useState<Map<number, string>>(new Map());
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  // Remounting the table reloads it after a decision.
  const [generation, setGeneration] = useState(0);

  const toggle = (row: ReviewRow) =>
    setSelected((current) => {
      const next = new Map(current);
      if (next.has(row.id)) next.delete(row.id);
      else next.set(row.id, row.userName);
      return next;
    });

  async function decide(decision: Decision) {
    if (decision === 'blacklist' && !window.confirm(t('review.confirmBlacklist', { count: selected.size }))) {
      return;
    }
    setBusy(true);
    setError(null);
    setMessage(null);
    try {
      const answer = await api.post<BulkAnswer>(projectApi('/review/decisions'), {
        userIds: [...selected.keys()],
        decision,
        ...(note.trim() ? { note: note.trim() } : {}),
      });
      setMessage(
        t('review.done', {
          decided: formatNumber(answer.counts.decided),
          decision: t(`review.decision.${decision}`),
          skipped: formatNumber(answer.counts.skipped),
          notFound: formatNumber(answer.counts.notFound),
        }),
      );
      setSelected(new Map());
      setNote('');
      setGeneration((g) => g + 1);
      refreshMenuCounts();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  }

  const columns: Column<ReviewRow>[] = [
    ...(analyst
      ? [
          {
            key: 'select',
            label: t('review.select'),
            render: (row: ReviewRow) => (
              <input
                type="checkbox"
                checked={selected.has(row.id)}
                onChange={() => toggle(row)}
                aria-label={t('review.selectUser', { user: row.userName })}
              />
            ),
          },
        ]
      : []),
    {
      key: 'userName',
      label: t('review.user'),
      sortable: true,
      render: (row) => (
        <span className="review-user">
          <Link href={path(`/users/${row.id}`)}>{row.userName}</Link>
          {row.fullName && <small className="muted">{row.fullName}</small>}
        </span>
      ),
    },
    {
      key: 'score',
      label: t('review.score'),
      sortable: true,
      render: (row) => <ScoreBadge score={row.score} />,
    },
    {
      key: 'rules',
      label: t('review.rules'),
      render: (row) => (
        <span className="review-rules">
          {row.rules.map((r) => (
            <span key={r.code} className="badge" title={`${r.name} (${r.weight})`}>
              {r.code}
            </span>
          ))}
        </span>
      ),
    },
    {
      key: 'waiting',
      label: t('review.waiting'),
      sortable: true,
      render: (row) => formatAgo(row.addedToReview),
    },
    {
      key: 'lastSeen',
      label: t('review.lastSeen'),
      sortable: true,
      render: (row) => formatAgo(row.lastSeen),
    },
    {
      key: 'country',
      label: t('review.country'),
      render: (row) =>
        row.country ? <Link href={path(`/countries/${row.country}`)}>{row.country}</Link> : t('common.none'),
    },
    {
      key: 'eventCount',
      label: t('review.events'),
      numeric: true,
      render: (row) => formatNumber(row.eventCount),
    },
  ];

  return (
    <>
      <div className="page-header">
        <h1>{t('review.title')}</h1>
      </div>
      <p className="muted">{t('review.intro')}</p>
      <RuleFilter value={rule} onChange={setRule} />
      {analyst && (
        <section className="panel review-bulk" aria-label={t('review.selected', { count: selected.size })}>
          <label>
            <span className="muted">{t('review.note')}</span>
            <textarea
              rows={2}
              maxLength={2000}
              value={note}
              placeholder={t('review.notePlaceholder')}
              onChange={(e) => setNote(e.target.value)}
            />
          </label>
          <div className="buttons">
            <span className="muted" data-testid="review-selected">
              {t('review.selected', { count: formatNumber(selected.size) })}
            </span>
            <button
              type="button"
              disabled={busy || selected.size === 0}
              onClick={() => void decide('approve')}
            >
              {t('review.approve')}
            </button>
            <button
              type="button"
              className="danger"
              disabled={busy || selected.size === 0}
              onClick={() => void decide('blacklist')}
            >
              {t('review.blacklist')}
            </button>
            <button
              type="button"
              className="secondary"
              disabled={busy || selected.size === 0}
              onClick={() => setSelected(new Map())}
            >
              {t('review.clear')}
            </button>
          </div>
          <Feedback message={message} error={error} />
        </section>
      )}
      <DataTable<ReviewRow>
        key={generation}
        path={projectApi('/review')}
        query={{ rule: rule || null }}
        columns={columns}
        rowKey={(row) => row.id}
        defaultSort="waiting"
        testId="review-table"
      />
    </>
  );
}

/** A matched-rule filter: the rule code typed is kept in ?rule= once it looks like one. */
function RuleFilter({ value, onChange }: { value: string; onChange: (v: string) => void }) {
  const [text, setText] = useState(value);
  const apply = (next: string) => {
    setText(next);
    const code = next.trim().toUpperCase();
    if (code === '' || /^[A-Z][0-9]{2,3}$/.test(code)) onChange(code);
  };
  return (
    <label className="review-filter">
      <span className="muted">{t('review.ruleFilter')}</span>
      <input
        type="search"
        value={text}
        placeholder={t('review.ruleFilterPlaceholder')}
        onChange={(e) => apply(e.target.value)}
      />
    </label>
  );
}
