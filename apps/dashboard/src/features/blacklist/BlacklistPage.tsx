import { type FormEvent, useState } from 'react';
import { ApiError, api } from '../../app/api.ts';
import { formatDateTime } from '../../app/format.ts';
import { formatNumber, t } from '../../app/i18n.ts';
import { Link, setQueryParams, useQueryParam } from '../../app/router.tsx';
import { refreshMenuCounts } from '../../app/Shell.tsx';
import { useCan, useOperator, useProjectApi, useProjectPath } from '../../app/session.tsx';
import { useFetch } from '../../app/use-fetch.ts';
import { ScoreBadge } from '../../components/Badges.tsx';
import { Chips, type Column, DataTable } from '../../components/DataTable.tsx';
import { Feedback } from '../../components/Feedback.tsx';
import { Empty, ErrorBox, Loading } from '../../components/States.tsx';
import './blacklist.css';

const VIEWS = ['identities', 'users', 'lists'] as const;
type View = (typeof VIEWS)[number];

/**
 * The blacklist: identities (IPs, e-mails, phones) with "remove" per identity, blacklisted users
 * with "remove" per user, and the operator lists. One view at a time, kept in ?view=, so each
 * list owns the page's paging and sorting parameters.
 */
export function BlacklistPage() {
  const [viewParam] = useQueryParam('view', 'identities');
  const view: View = (VIEWS as readonly string[]).includes(viewParam) ? (viewParam as View) : 'identities';
  return (
    <>
      <div className="page-header">
        <h1>{t('blacklist.title')}</h1>
      </div>
      <nav className="blacklist-tabs" aria-label={t('blacklist.tabs')}>
        {VIEWS.map((v) => (
          <button
            type="button"
            key={v}
            className={v === view ? 'chip active' : 'chip'}
            aria-pressed={v === view}
            onClick={() =>
              setQueryParams({
                view: v === 'identities' ? null : v,
                page: null,
                sort: null,
                order: null,
                q: null,
                type: null,
              })
            }
          >
            {t(`blacklist.tab.${v}`)}
          </button>
        ))}
      </nav>
      {view === 'identities' && <Identities />}
      {view === 'users' && <Users />}
      {view === 'lists' && <Lists />}
    </>
  );
}

interface IdentityRow {
  type: 'ip' | 'email' | 'phone';
  value: string;
  entityId: number;
  lastSeen: string;
  users: number;
  userId: number | null;
  userName: string | null;
  score: number | null;
  blacklistedAt: string | null;
}

function Identities() {
  const projectApi = useProjectApi();
  const path = useProjectPath();
  const analyst = useCan('analyst');
  const { timezone } = useOperator();
  const [type] = useQueryParam('type');
  const { generation, message, error, removed } = useRemoval();

  const remove = (row: IdentityRow) =>
    removed(
      () => api.delete(projectApi(`/blacklist/identities/${row.type}/${encodeURIComponent(row.value)}`)),
      row.value,
    );

  const entityHref = (row: IdentityRow) =>
    row.type === 'ip'
      ? path(`/ips/${encodeURIComponent(row.value)}`)
      : path(`/${row.type === 'email' ? 'emails' : 'phones'}/${row.entityId}`);

  const columns: Column<IdentityRow>[] = [
    {
      key: 'type',
      label: t('blacklist.type'),
      sortable: true,
      render: (row) => <span className="badge">{t(`blacklist.type.${row.type}`)}</span>,
    },
    {
      key: 'value',
      label: t('blacklist.identity'),
      sortable: true,
      render: (row) => <Link href={entityHref(row)}>{row.value}</Link>,
    },
    {
      key: 'user',
      label: t('blacklist.user'),
      render: (row) =>
        row.userId === null ? (
          t('common.none')
        ) : (
          <Link href={path(`/users/${row.userId}`)}>{row.userName}</Link>
        ),
    },
    {
      key: 'score',
      label: t('blacklist.score'),
      sortable: true,
      render: (row) => <ScoreBadge score={row.score} />,
    },
    { key: 'users', label: t('blacklist.users'), numeric: true, render: (row) => formatNumber(row.users) },
    {
      key: 'added',
      label: t('blacklist.added'),
      sortable: true,
      render: (row) => formatDateTime(row.blacklistedAt, timezone),
    },
    {
      key: 'lastSeen',
      label: t('blacklist.lastSeen'),
      sortable: true,
      render: (row) => formatDateTime(row.lastSeen, timezone),
    },
    ...(analyst
      ? [removeColumn<IdentityRow>((row) => t('blacklist.removeIdentity', { value: row.value }), remove)]
      : []),
  ];
  return (
    <>
      <p className="muted">{t('blacklist.identitiesIntro')}</p>
      <Chips
        name="type"
        label={t('blacklist.type')}
        options={(['ip', 'email', 'phone'] as const).map((v) => ({
          value: v,
          label: t(`blacklist.type.${v}`),
        }))}
      />
      <Feedback message={message} error={error} />
      <DataTable<IdentityRow>
        key={generation}
        path={projectApi('/blacklist/identities')}
        query={{ type: type || null }}
        columns={columns}
        rowKey={(row) => `${row.type}:${row.value}`}
        defaultSort="added"
        testId="blacklist-identities"
      />
    </>
  );
}

/**
 * Removals from a blacklist table: the outcome of the last one, and a generation that remounts the
 * table so it loads again after a removal.
 */
function useRemoval() {
  const [generation, setGeneration] = useState(0);
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  async function removed(request: () => Promise<unknown>, value: string) {
    setError(null);
    setMessage(null);
    try {
      await request();
      setMessage(t('blacklist.removed', { value }));
      setGeneration((g) => g + 1);
    } catch (e) {
      setError((e as Error).message);
    }
  }
  return { generation, message, error, removed };
}

/** The "remove" column of a blacklist table (for analysts). */
function removeColumn<Row>(label: (row: Row) => string, remove: (row: Row) => Promise<void>): Column<Row> {
  return {
    key: 'action',
    label: t('blacklist.action'),
    render: (row) => (
      <button type="button" className="secondary" aria-label={label(row)} onClick={() => void remove(row)}>
        {t('blacklist.remove')}
      </button>
    ),
  };
}

interface UserRow {
  id: number;
  userName: string;
  fullName: string | null;
  score: number | null;
  decidedAt: string | null;
  decidedBy: string | null;
  note: string | null;
  lastSeen: string;
}

function Users() {
  const projectApi = useProjectApi();
  const path = useProjectPath();
  const analyst = useCan('analyst');
  const { timezone } = useOperator();
  const { generation, message, error, removed } = useRemoval();

  async function remove(row: UserRow) {
    if (!window.confirm(t('blacklist.confirmUser', { user: row.userName }))) return;
    await removed(async () => {
      await api.delete(projectApi(`/blacklist/users/${row.id}`));
      refreshMenuCounts();
    }, row.userName);
  }

  const columns: Column<UserRow>[] = [
    {
      key: 'userName',
      label: t('blacklist.user'),
      sortable: true,
      render: (row) => (
        <>
          <Link href={path(`/users/${row.id}`)}>{row.userName}</Link>
          {row.fullName && <div className="muted">{row.fullName}</div>}
        </>
      ),
    },
    {
      key: 'score',
      label: t('blacklist.score'),
      sortable: true,
      render: (row) => <ScoreBadge score={row.score} />,
    },
    {
      key: 'decided',
      label: t('blacklist.added'),
      sortable: true,
      render: (row) => formatDateTime(row.decidedAt, timezone),
    },
    { key: 'decidedBy', label: t('blacklist.decidedBy'), render: (row) => row.decidedBy ?? t('common.none') },
    { key: 'note', label: t('blacklist.note'), render: (row) => row.note ?? t('common.none') },
    {
      key: 'lastSeen',
      label: t('blacklist.lastSeen'),
      sortable: true,
      render: (row) => formatDateTime(row.lastSeen, timezone),
    },
    ...(analyst
      ? [removeColumn<UserRow>((row) => t('blacklist.removeUser', { user: row.userName }), remove)]
      : []),
  ];
  return (
    <>
      <p className="muted">{t('blacklist.usersIntro')}</p>
      <Feedback message={message} error={error} />
      <DataTable<UserRow>
        key={generation}
        path={projectApi('/blacklist/users')}
        columns={columns}
        rowKey={(row) => row.id}
        defaultSort="decided"
        testId="blacklist-users"
      />
    </>
  );
}

interface ListSummary {
  listId: string;
  label: string;
  kind: string | null;
  score: number | null;
  expiresAt: string | null;
  expired: boolean;
  createdAt: string;
  entryCount: number;
  counts: Record<string, number>;
}

const KINDS = ['ip', 'cidr', 'asn', 'domain', 'email', 'phone', 'ua'] as const;

function Lists() {
  const projectApi = useProjectApi();
  const analyst = useCan('analyst');
  const { timezone } = useOperator();
  const lists = useFetch<{ lists: ListSummary[] }>(projectApi('/lists'));
  const [error, setError] = useState<string | null>(null);

  async function remove(list: ListSummary) {
    if (!window.confirm(t('blacklist.confirmDeleteList', { label: list.label }))) return;
    setError(null);
    try {
      await api.delete(projectApi(`/lists/${list.listId}`));
      lists.reload();
    } catch (e) {
      setError((e as Error).message);
    }
  }

  return (
    <>
      <p className="muted">{t('blacklist.listsIntro')}</p>
      {analyst && <ImportForm onImported={lists.reload} />}
      <Feedback message={null} error={error} />
      {lists.error && <ErrorBox error={lists.error} />}
      {lists.loading && !lists.data && <Loading />}
      {lists.data && lists.data.lists.length === 0 && <Empty text={t('blacklist.noLists')} />}
      {lists.data && lists.data.lists.length > 0 && (
        <section className="data-table" data-testid="blacklist-lists">
          <table>
            <thead>
              <tr>
                <th>{t('blacklist.label')}</th>
                <th>{t('blacklist.kind')}</th>
                <th className="num">{t('blacklist.entries')}</th>
                <th className="num">{t('blacklist.listScore')}</th>
                <th>{t('blacklist.created')}</th>
                <th>{t('blacklist.expires')}</th>
                {analyst && <th>{t('blacklist.action')}</th>}
              </tr>
            </thead>
            <tbody>
              {lists.data.lists.map((list) => (
                <tr key={list.listId}>
                  <td>{list.label}</td>
                  <td>
                    {Object.entries(list.counts)
                      .map(([kind, n]) => `${kind} ${formatNumber(n)}`)
                      .join(', ')}
                  </td>
                  <td className="num">{formatNumber(list.entryCount)}</td>
                  <td className="num">{list.score ?? t('common.none')}</td>
                  <td>{formatDateTime(list.createdAt, timezone)}</td>
                  <td>
                    {list.expiresAt ? formatDateTime(list.expiresAt, timezone) : t('common.never')}
                    {list.expired && <span className="badge">{t('blacklist.expired')}</span>}
                  </td>
                  {analyst && (
                    <td>
                      <button
                        type="button"
                        className="secondary"
                        aria-label={t('blacklist.deleteList', { label: list.label })}
                        onClick={() => void remove(list)}
                      >
                        {t('common.delete')}
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
    </>
  );
}

function ImportForm({ onImported }: { onImported: () => void }) {
  const projectApi = useProjectApi();
  const [label, setLabel] = useState('');
  const [kind, setKind] = useState('');
  const [score, setScore] = useState('');
  const [expires, setExpires] = useState('');
  const [content, setContent] = useState('');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setMessage(null);
    setError(null);
    try {
      const list = await api.post<{ label: string; entryCount: number }>(projectApi('/lists'), {
        label: label.trim(),
        content,
        ...(kind ? { kind } : {}),
        ...(score.trim() ? { score: Number(score) } : {}),
        ...(expires ? { expiresAt: expires } : {}),
      });
      setMessage(t('blacklist.imported', { label: list.label, count: formatNumber(list.entryCount) }));
      setLabel('');
      setContent('');
      onImported();
    } catch (e) {
      const line = e instanceof ApiError ? e.details?.line : undefined;
      const text = (e as Error).message;
      setError(
        t('blacklist.importError', {
          message:
            typeof line === 'number' && line > 0 && !text.includes(`line ${line}`)
              ? `${t('blacklist.importLine', { line })}: ${text}`
              : text,
        }),
      );
    } finally {
      setBusy(false);
    }
  }

  return (
    <form
      className="panel blacklist-import"
      onSubmit={(e) => void submit(e)}
      aria-label={t('blacklist.import')}
    >
      <label>
        {t('blacklist.label')}
        <input required maxLength={200} value={label} onChange={(e) => setLabel(e.target.value)} />
      </label>
      <label>
        {t('blacklist.kind')}
        <select value={kind} onChange={(e) => setKind(e.target.value)}>
          <option value="">{t('blacklist.kind.auto')}</option>
          {KINDS.map((k) => (
            <option key={k} value={k}>
              {k}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t('blacklist.listScore')}
        <input type="number" step="any" value={score} onChange={(e) => setScore(e.target.value)} />
      </label>
      <label>
        {t('blacklist.expires')}
        <input type="date" value={expires} onChange={(e) => setExpires(e.target.value)} />
      </label>
      <label className="wide">
        {t('blacklist.file')}
        <input
          type="file"
          accept=".csv,.txt,text/csv,text/plain"
          onChange={(e) => {
            const file = e.target.files?.[0];
            if (file) void file.text().then(setContent);
          }}
        />
      </label>
      <label className="wide">
        {t('blacklist.content')}
        <textarea rows={6} value={content} onChange={(e) => setContent(e.target.value)} />
      </label>
      <div>
        <button type="submit" disabled={busy || !label.trim() || !content.trim()}>
          {t('blacklist.importButton')}
        </button>
      </div>
      <div className="wide">
        <Feedback message={message} error={error} />
      </div>
    </form>
  );
}
