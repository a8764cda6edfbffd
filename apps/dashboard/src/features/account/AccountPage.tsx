import { useState } from 'react';
import { api } from '../../app/api.ts';
import { formatDateTime } from '../../app/format.ts';
import { t } from '../../app/i18n.ts';
import { type Operator, useOperator, useSession } from '../../app/session.tsx';
import { useFetch } from '../../app/use-fetch.ts';
import { Feedback } from '../../components/Feedback.tsx';
import {
  ActionButton,
  CredentialField,
  FormError,
  OnceSecret,
  TimezoneSelect,
  useAction,
} from '../../components/Form.tsx';
import { Empty, ErrorBox, Loading } from '../../components/States.tsx';
import './account.css';

/** My account: name and timezone, password, open sessions, API tokens for automation. */
export function AccountPage() {
  const operator = useOperator();
  const sessions = useFetch<{ sessions: SessionRow[] }>('/api/console/auth/sessions');
  return (
    <>
      <div className="page-header">
        <h1>{t('account.title')}</h1>
        <span className="muted">
          {operator.email} · {t(`account.role.${operator.role}`)}
        </span>
      </div>
      <div className="account-sections">
        <Profile operator={operator} />
        <PasswordChange onChanged={sessions.reload} />
        <Reminders />
      </div>
      <Sessions fetched={sessions} timeZone={operator.timezone} />
      <Tokens timeZone={operator.timezone} />
    </>
  );
}

function Profile({ operator }: { operator: Operator }) {
  const { refresh } = useSession();
  const [name, setName] = useState(operator.name ?? '');
  const [timezone, setTimezone] = useState(operator.timezone);
  const [saved, setSaved] = useState(false);
  const action = useAction();
  return (
    <section className="panel">
      <h2>{t('account.profile')}</h2>
      <form
        className="stack"
        onSubmit={(e) =>
          void action.run(async () => {
            setSaved(false);
            await api.patch('/api/console/me', { name, timezone });
            await refresh();
            setSaved(true);
          }, e)
        }
      >
        <label>
          {t('account.name')}
          <input value={name} onChange={(e) => setName(e.target.value)} maxLength={200} autoComplete="name" />
        </label>
        <TimezoneSelect label={t('account.timezone')} value={timezone} onChange={setTimezone} />
        <FormError
          error={action.error}
          fields={{ name: t('account.name'), timezone: t('account.timezone') }}
        />
        <Feedback message={saved ? t('account.saved') : null} />
        <button type="submit" disabled={action.busy}>
          {t('common.save')}
        </button>
      </form>
    </section>
  );
}

function PasswordChange({ onChanged }: { onChanged(): void }) {
  const [current, setCurrent] = useState('');
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [done, setDone] = useState(false);
  const action = useAction();
  return (
    <section className="panel">
      <h2>{t('account.password.change')}</h2>
      <form
        className="stack"
        onSubmit={(e) =>
          void action.run(async () => {
            setDone(false);
            if (password !== repeat) throw new Error(t('account.password.mismatch'));
            await api.post('/api/console/auth/password', { current, password });
            setCurrent('');
            setPassword('');
            setRepeat('');
            setDone(true);
            onChanged();
          }, e)
        }
      >
        <CredentialField
          label={t('account.password.current')}
          autoComplete="current-password"
          value={current}
          onChange={setCurrent}
        />
        <CredentialField
          label={t('account.password.new')}
          autoComplete="new-password"
          value={password}
          onChange={setPassword}
        />
        <CredentialField
          label={t('account.password.repeat')}
          autoComplete="new-password"
          value={repeat}
          onChange={setRepeat}
        />
        <FormError
          error={action.error}
          fields={{ current: t('account.password.current'), password: t('account.password.new') }}
        />
        <Feedback message={done ? t('account.password.changed') : null} />
        <button type="submit" disabled={action.busy}>
          {t('account.password.submit')}
        </button>
      </form>
    </section>
  );
}

interface SessionRow {
  id: string;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
  ip: string | null;
  userAgent: string | null;
  current: boolean;
}

function Sessions({
  fetched,
  timeZone,
}: {
  fetched: ReturnType<typeof useFetch<{ sessions: SessionRow[] }>>;
  timeZone: string;
}) {
  const action = useAction();
  return (
    <section className="panel">
      <h2>{t('account.sessions')}</h2>
      {fetched.error && <ErrorBox error={fetched.error} />}
      {!fetched.data && !fetched.error && <Loading />}
      <FormError error={action.error} />
      {fetched.data && (
        <table data-testid="sessions">
          <thead>
            <tr>
              <th>{t('account.sessions.client')}</th>
              <th>{t('account.sessions.ip')}</th>
              <th>{t('account.sessions.created')}</th>
              <th>{t('account.sessions.lastSeen')}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {fetched.data.sessions.map((s) => (
              <tr key={s.id}>
                <td>
                  {s.userAgent ?? t('common.unknown')}{' '}
                  {s.current && <span className="badge">{t('account.sessions.current')}</span>}
                </td>
                <td className="mono">{s.ip ?? t('common.none')}</td>
                <td>{formatDateTime(s.createdAt, timeZone)}</td>
                <td>{formatDateTime(s.lastSeenAt, timeZone)}</td>
                <td>
                  {!s.current && (
                    <ActionButton
                      action={action}
                      className="secondary"
                      fn={async () => {
                        await api.delete(`/api/console/auth/sessions/${encodeURIComponent(s.id)}`);
                        fetched.reload();
                      }}
                    >
                      {t('account.sessions.revoke')}
                    </ActionButton>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

interface TokenRow {
  id: number;
  name: string;
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
}

function Tokens({ timeZone }: { timeZone: string }) {
  const tokens = useFetch<{ tokens: TokenRow[] }>('/api/console/auth/tokens');
  const [name, setName] = useState('');
  const [secret, setSecret] = useState<string | null>(null);
  const action = useAction();
  return (
    <section className="panel">
      <h2>{t('account.tokens')}</h2>
      <p className="muted">{t('account.tokens.intro')}</p>
      <form
        className="inline-form"
        onSubmit={(e) =>
          void action.run(async () => {
            const created = await api.post<{ token: string }>('/api/console/auth/tokens', { name });
            setSecret(created.token);
            setName('');
            tokens.reload();
          }, e)
        }
      >
        <label>
          {t('account.tokens.name')}
          <input required maxLength={100} value={name} onChange={(e) => setName(e.target.value)} />
        </label>
        <button type="submit" disabled={action.busy}>
          {t('account.tokens.create')}
        </button>
      </form>
      <FormError error={action.error} fields={{ name: t('account.tokens.name') }} />
      {secret && <OnceSecret value={secret} hint={t('account.tokens.once')} testId="new-token" />}
      {tokens.error && <ErrorBox error={tokens.error} />}
      {tokens.data && tokens.data.tokens.length === 0 && <Empty text={t('account.tokens.none')} />}
      {tokens.data && tokens.data.tokens.length > 0 && (
        <table data-testid="tokens">
          <thead>
            <tr>
              <th>{t('account.tokens.name')}</th>
              <th>{t('account.tokens.prefix')}</th>
              <th>{t('account.sessions.created')}</th>
              <th>{t('account.tokens.lastUsed')}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {tokens.data.tokens.map((token) => (
              <tr key={token.id}>
                <td>{token.name}</td>
                <td className="mono">{token.prefix}…</td>
                <td>{formatDateTime(token.createdAt, timeZone)}</td>
                <td>{token.lastUsedAt ? formatDateTime(token.lastUsedAt, timeZone) : t('common.never')}</td>
                <td>
                  <ActionButton
                    action={action}
                    className="danger"
                    confirm={t('account.tokens.confirmRevoke', { name: token.name })}
                    fn={async () => {
                      await api.delete(`/api/console/auth/tokens/${token.id}`);
                      tokens.reload();
                    }}
                  >
                    {t('account.tokens.revoke')}
                  </ActionButton>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

interface EmailSettings {
  reminderFrequency: 'off' | 'daily' | 'weekly';
  workingHoursStart: number;
  workingHoursEnd: number;
}

/** Review-queue reminder e-mails: how often, within which hours (in my timezone). */
function Reminders() {
  const loaded = useFetch<{ settings: EmailSettings | null }>('/api/console/me/email-settings');
  if (loaded.error) return <ErrorBox error={loaded.error} />;
  if (!loaded.data?.settings) return null;
  return <RemindersForm initial={loaded.data.settings} />;
}

function RemindersForm({ initial }: { initial: EmailSettings }) {
  const [form, setForm] = useState(initial);
  const [saved, setSaved] = useState(false);
  const action = useAction();
  const hours = (from: number, to: number) =>
    Array.from({ length: to - from + 1 }, (_, i) => from + i).map((h) => (
      <option key={h} value={h}>
        {`${String(h).padStart(2, '0')}:00`}
      </option>
    ));
  return (
    <section className="panel">
      <h2>{t('account.reminders')}</h2>
      <p className="muted">{t('account.reminders.intro')}</p>
      <form
        className="stack"
        onSubmit={(e) =>
          void action.run(async () => {
            setSaved(false);
            await api.patch('/api/console/me/email-settings', form);
            setSaved(true);
          }, e)
        }
      >
        <label>
          {t('account.reminders.frequency')}
          <select
            value={form.reminderFrequency}
            onChange={(e) =>
              setForm({ ...form, reminderFrequency: e.target.value as EmailSettings['reminderFrequency'] })
            }
          >
            {(['off', 'daily', 'weekly'] as const).map((f) => (
              <option key={f} value={f}>
                {t(`account.reminders.${f}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('account.reminders.start')}
          <select
            value={form.workingHoursStart}
            onChange={(e) => setForm({ ...form, workingHoursStart: Number(e.target.value) })}
          >
            {hours(0, 23)}
          </select>
        </label>
        <label>
          {t('account.reminders.end')}
          <select
            value={form.workingHoursEnd}
            onChange={(e) => setForm({ ...form, workingHoursEnd: Number(e.target.value) })}
          >
            {hours(1, 24)}
          </select>
        </label>
        <FormError
          error={action.error}
          fields={{
            reminderFrequency: t('account.reminders.frequency'),
            workingHoursStart: t('account.reminders.start'),
            workingHoursEnd: t('account.reminders.end'),
          }}
        />
        <Feedback message={saved ? t('account.saved') : null} />
        <button type="submit" disabled={action.busy}>
          {t('common.save')}
        </button>
      </form>
    </section>
  );
}
