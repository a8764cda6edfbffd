import { useEffect, useState } from 'react';
import { api } from '../../app/api.ts';
import { formatDateTime } from '../../app/format.ts';
import { formatNumber, t } from '../../app/i18n.ts';
import { navigate } from '../../app/router.tsx';
import { type Role, useCan, useOperator, useProject, useProjectApi, useSession } from '../../app/session.tsx';
import { useFetch } from '../../app/use-fetch.ts';
import { Feedback } from '../../components/Feedback.tsx';
import { ActionButton, FormError, OnceSecret, TimezoneSelect, useAction } from '../../components/Form.tsx';
import { ErrorBox, Loading } from '../../components/States.tsx';
import '../account/account.css';

interface Settings {
  name: string;
  timezone: string;
  rateLimitRps: number;
  rateLimitWindow: number;
  retentionWeeks: number;
}
interface RetentionRun {
  id: number;
  retentionWeeks: number;
  cutoff: string;
  trigger: 'schedule' | 'operator';
  startedAt: string;
  finishedAt: string | null;
  eventsTotal: number;
  eventsDeleted: number;
  deleted: Record<string, number>;
  error: string | null;
}

/** The project's settings, retention, members and deletion: for its admins only. */
export function SettingsPage() {
  const admin = useCan('admin');
  const project = useProject();
  if (!admin) {
    return (
      <>
        <div className="page-header">
          <h1>{t('settings.title')}</h1>
        </div>
        <p className="muted" data-testid="settings-admin-only">
          {t('settings.adminOnly', { name: project.name })}
        </p>
      </>
    );
  }
  return <AdminSettings />;
}

function AdminSettings() {
  const projectApi = useProjectApi();
  const loaded = useFetch<{ settings: Settings; retention: RetentionRun | null }>(projectApi('/settings'));
  return (
    <>
      <div className="page-header">
        <h1>{t('settings.title')}</h1>
      </div>
      {loaded.error && <ErrorBox error={loaded.error} />}
      {!loaded.data && !loaded.error && <Loading />}
      {loaded.data && (
        <>
          <div className="account-sections">
            <General settings={loaded.data.settings} onSaved={loaded.reload} />
            <Retention
              settings={loaded.data.settings}
              initial={loaded.data.retention}
              onSaved={loaded.reload}
            />
          </div>
          <Members />
          <DeleteProject />
        </>
      )}
    </>
  );
}

const FIELDS = {
  name: 'settings.name',
  timezone: 'settings.timezone',
  rateLimitRps: 'settings.rateLimitRps',
  rateLimitWindow: 'settings.rateLimitWindow',
  retentionWeeks: 'settings.retentionWeeks',
};
const fieldLabels = () => Object.fromEntries(Object.entries(FIELDS).map(([k, v]) => [k, t(v)]));

function General({ settings, onSaved }: { settings: Settings; onSaved(): void }) {
  const projectApi = useProjectApi();
  const { refresh } = useSession();
  const [form, setForm] = useState({
    name: settings.name,
    timezone: settings.timezone,
    rateLimitRps: String(settings.rateLimitRps),
    rateLimitWindow: String(settings.rateLimitWindow),
  });
  const [saved, setSaved] = useState(false);
  const action = useAction();
  return (
    <section className="panel">
      <h2>{t('settings.general')}</h2>
      <form
        className="stack"
        onSubmit={(e) =>
          void action.run(async () => {
            setSaved(false);
            await api.patch(projectApi('/settings'), {
              name: form.name,
              timezone: form.timezone,
              rateLimitRps: Number(form.rateLimitRps),
              rateLimitWindow: Number(form.rateLimitWindow),
            });
            // The project's name and timezone are part of the session (menu, switcher).
            await refresh();
            onSaved();
            setSaved(true);
          }, e)
        }
      >
        <label>
          {t('settings.name')}
          <input
            required
            maxLength={200}
            value={form.name}
            onChange={(e) => setForm({ ...form, name: e.target.value })}
          />
        </label>
        <TimezoneSelect
          label={t('settings.timezone')}
          value={form.timezone}
          onChange={(timezone) => setForm({ ...form, timezone })}
        />
        <label>
          {t('settings.rateLimitRps')}
          <input
            type="number"
            min={0}
            max={100000}
            value={form.rateLimitRps}
            onChange={(e) => setForm({ ...form, rateLimitRps: e.target.value })}
          />
        </label>
        <label>
          {t('settings.rateLimitWindow')}
          <input
            type="number"
            min={0}
            max={3600}
            value={form.rateLimitWindow}
            onChange={(e) => setForm({ ...form, rateLimitWindow: e.target.value })}
          />
        </label>
        <p className="muted">{t('settings.rateLimitHint')}</p>
        <FormError error={action.error} fields={fieldLabels()} />
        <Feedback message={saved ? t('settings.saved') : null} />
        <button type="submit" disabled={action.busy}>
          {t('common.save')}
        </button>
      </form>
    </section>
  );
}

function Retention({
  settings,
  initial,
  onSaved,
}: {
  settings: Settings;
  initial: RetentionRun | null;
  onSaved(): void;
}) {
  const projectApi = useProjectApi();
  const { timezone } = useOperator();
  const [weeks, setWeeks] = useState(String(settings.retentionWeeks));
  const [run, setRun] = useState(initial);
  const [saved, setSaved] = useState(false);
  const action = useAction();
  const running = run !== null && run.finishedAt === null;
  // While a run goes on, its progress is polled.
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => {
      api
        .get<{ run: RetentionRun | null }>(projectApi('/retention'))
        .then((r) => setRun(r.run))
        .catch(() => {});
    }, 1000);
    return () => clearInterval(timer);
  }, [running, projectApi]);
  return (
    <section className="panel">
      <h2>{t('settings.retention')}</h2>
      <p className="muted">{t('settings.retentionHint')}</p>
      <form
        className="inline-form"
        onSubmit={(e) =>
          void action.run(async () => {
            setSaved(false);
            await api.patch(projectApi('/settings'), { retentionWeeks: Number(weeks) });
            onSaved();
            setSaved(true);
          }, e)
        }
      >
        <label>
          {t('settings.retentionWeeks')}
          <input type="number" min={0} max={5200} value={weeks} onChange={(e) => setWeeks(e.target.value)} />
        </label>
        <button type="submit" disabled={action.busy}>
          {t('common.save')}
        </button>
        <ActionButton
          action={action}
          className="secondary"
          disabled={running || settings.retentionWeeks === 0}
          fn={async () => setRun((await api.post<{ run: RetentionRun }>(projectApi('/retention/run'))).run)}
        >
          {t('settings.retentionRun')}
        </ActionButton>
      </form>
      <FormError error={action.error} fields={fieldLabels()} />
      <Feedback message={saved ? t('settings.saved') : null} />
      {run && (
        <div data-testid="retention-run">
          {running ? (
            <>
              <p role="status">
                {t('settings.retentionRunning', {
                  done: formatNumber(run.eventsDeleted),
                  total: formatNumber(run.eventsTotal),
                })}
              </p>
              <progress max={Math.max(run.eventsTotal, 1)} value={run.eventsDeleted} />
            </>
          ) : (
            <p className={run.error ? 'error' : 'muted'}>
              {run.error
                ? t('settings.retentionFailed', { error: run.error })
                : t('settings.retentionDone', {
                    at: formatDateTime(run.finishedAt, timezone),
                    events: formatNumber(run.eventsDeleted),
                    cutoff: formatDateTime(run.cutoff, timezone),
                  })}
            </p>
          )}
          {Object.keys(run.deleted).length > 0 && (
            <p className="muted">
              {Object.entries(run.deleted)
                .map(([table, n]) => `${table}: ${formatNumber(n)}`)
                .join(' · ')}
            </p>
          )}
        </div>
      )}
    </section>
  );
}

interface Member {
  id: string;
  email: string;
  name: string | null;
  role: Role;
}
interface Invitation {
  email: string;
  role: Role;
  createdAt: string;
  expiresAt: string;
}
type InviteOutcome =
  | { kind: 'added'; operatorId: string }
  | { kind: 'invited'; link: string; emailed: boolean };
const ROLES: Role[] = ['viewer', 'analyst', 'admin'];

function Members() {
  const projectApi = useProjectApi();
  const me = useOperator();
  const { timezone } = me;
  const members = useFetch<{ members: Member[]; invitations: Invitation[] }>(projectApi('/members'));
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('analyst');
  const [outcome, setOutcome] = useState<InviteOutcome | null>(null);
  const action = useAction();
  return (
    <section className="panel">
      <h2>{t('settings.members')}</h2>
      <form
        className="inline-form"
        onSubmit={(e) =>
          void action.run(async () => {
            setOutcome(await api.post<InviteOutcome>(projectApi('/members'), { email, role }));
            setEmail('');
            members.reload();
          }, e)
        }
      >
        <label>
          {t('settings.inviteEmail')}
          <input type="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
        </label>
        <label>
          {t('settings.role')}
          <select value={role} onChange={(e) => setRole(e.target.value as Role)}>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {t(`settings.role.${r}`)}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" disabled={action.busy}>
          {t('settings.invite')}
        </button>
      </form>
      <FormError
        error={action.error}
        fields={{
          email: t('settings.inviteEmail'),
          role: t('settings.role'),
          operatorId: t('settings.member'),
        }}
      />
      {outcome?.kind === 'added' && (
        <p className="ok" role="status">
          {t('settings.memberAdded')}
        </p>
      )}
      {outcome?.kind === 'invited' &&
        (outcome.emailed ? (
          <p className="ok" role="status">
            {t('settings.invitationEmailed')}
          </p>
        ) : (
          <OnceSecret value={outcome.link} hint={t('settings.invitationLink')} testId="invitation-link" />
        ))}
      {members.error && <ErrorBox error={members.error} />}
      {members.data && (
        <>
          <table data-testid="members">
            <thead>
              <tr>
                <th>{t('settings.inviteEmail')}</th>
                <th>{t('settings.memberName')}</th>
                <th>{t('settings.role')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {members.data.members.map((m) => (
                <tr key={m.id}>
                  <td>{m.email}</td>
                  <td>{m.name ?? t('common.none')}</td>
                  <td>
                    <select
                      aria-label={t('settings.roleOf', { email: m.email })}
                      value={m.role}
                      disabled={action.busy}
                      onChange={(e) =>
                        void action.run(async () => {
                          await api.patch(projectApi(`/members/${m.id}`), { role: e.target.value });
                          members.reload();
                        })
                      }
                    >
                      {ROLES.map((r) => (
                        <option key={r} value={r}>
                          {t(`settings.role.${r}`)}
                        </option>
                      ))}
                    </select>
                  </td>
                  <td>
                    {m.id !== me.id && (
                      <ActionButton
                        action={action}
                        className="danger"
                        confirm={t('settings.confirmRemove', { email: m.email })}
                        fn={async () => {
                          await api.delete(projectApi(`/members/${m.id}`));
                          members.reload();
                        }}
                      >
                        {t('settings.remove')}
                      </ActionButton>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {members.data.invitations.length > 0 && (
            <>
              <h3>{t('settings.pending')}</h3>
              <table data-testid="invitations">
                <tbody>
                  {members.data.invitations.map((i) => (
                    <tr key={`${i.email}-${i.createdAt}`}>
                      <td>{i.email}</td>
                      <td>{t(`settings.role.${i.role}`)}</td>
                      <td className="muted">
                        {t('settings.expires', { at: formatDateTime(i.expiresAt, timezone) })}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          )}
        </>
      )}
    </section>
  );
}

function DeleteProject() {
  const project = useProject();
  const projectApi = useProjectApi();
  const { refresh } = useSession();
  const [typed, setTyped] = useState('');
  const action = useAction();
  return (
    <section className="panel danger-zone">
      <h2>{t('settings.delete')}</h2>
      <p>{t('settings.deleteHint', { name: project.name })}</p>
      <form
        className="inline-form"
        onSubmit={(e) =>
          void action.run(async () => {
            await api.delete(`${projectApi()}?confirm=${encodeURIComponent(typed)}`);
            await refresh();
            // The app opens the first project left (or says there is none).
            navigate('/', { replace: true });
          }, e)
        }
      >
        <label>
          {t('settings.deleteConfirm')}
          <input value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" />
        </label>
        <button type="submit" className="danger" disabled={action.busy || typed !== project.name}>
          {t('settings.deleteButton')}
        </button>
      </form>
      <FormError error={action.error} fields={{ confirm: t('settings.deleteConfirm') }} />
    </section>
  );
}
