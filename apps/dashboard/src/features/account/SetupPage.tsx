import { useState } from 'react';
import { api } from '../../app/api.ts';
import { t } from '../../app/i18n.ts';
import { Link, navigate } from '../../app/router.tsx';
import { type Me, useSession } from '../../app/session.tsx';
import { useFetch } from '../../app/use-fetch.ts';
import {
  browserTimezone,
  CredentialField,
  FormError,
  OnceSecret,
  TimezoneSelect,
  takeFragmentToken,
  useAction,
} from '../../components/Form.tsx';
import { ErrorBox, Loading } from '../../components/States.tsx';
import './account.css';

interface SetupState {
  needed: boolean;
  presets: { name: string; title: string; description: string }[];
}
interface SetupDone extends Me {
  project: { id: string; name: string };
  apiKey: string;
}

/**
 * First run, from the link `vigil start` prints (/setup#token=…): the admin, the first project
 * with its rule preset and timezone, then the project's API key, shown this once.
 */
export function SetupPage() {
  const [token] = useState(takeFragmentToken);
  const state = useFetch<SetupState>('/api/console/setup');
  const [done, setDone] = useState<SetupDone | null>(null);
  if (done) return <SetupComplete done={done} />;
  if (state.error) return <ErrorBox error={state.error} />;
  if (!state.data) return <Loading />;
  if (!state.data.needed) {
    return (
      <main className="auth-page">
        <h1>{t('account.setup.title')}</h1>
        <p>{t('account.setup.alreadyDone')}</p>
        <Link href="/login">{t('account.login.submit')}</Link>
      </main>
    );
  }
  return <SetupForm token={token} presets={state.data.presets} onDone={setDone} />;
}

function SetupForm({
  token,
  presets,
  onDone,
}: {
  token: string;
  presets: SetupState['presets'];
  onDone(done: SetupDone): void;
}) {
  const { signedIn } = useSession();
  const [form, setForm] = useState({
    email: '',
    password: '',
    name: '',
    projectName: '',
    preset: 'default',
    timezone: browserTimezone(),
  });
  const set = (key: keyof typeof form) => (e: { target: { value: string } }) =>
    setForm({ ...form, [key]: e.target.value });
  const action = useAction();
  const chosen = presets.find((p) => p.name === form.preset);
  const fields = {
    token: t('account.setup.link'),
    email: t('account.email'),
    password: t('account.password'),
    name: t('account.name'),
    projectName: t('account.setup.projectName'),
    preset: t('account.setup.preset'),
    timezone: t('account.timezone'),
  };
  return (
    <main className="auth-page">
      <h1>{t('account.setup.title')}</h1>
      <p className="muted">{t('account.setup.intro')}</p>
      {!token && <p className="error">{t('account.setup.noToken')}</p>}
      <form
        className="stack"
        onSubmit={(e) =>
          void action.run(async () => {
            const done = await api.post<SetupDone>('/api/console/setup', { token, ...form });
            signedIn(done);
            onDone(done);
          }, e)
        }
      >
        <CredentialField
          label={t('account.email')}
          autoComplete="username"
          value={form.email}
          onChange={(email) => setForm({ ...form, email })}
        />
        <CredentialField
          label={t('account.password')}
          autoComplete="new-password"
          value={form.password}
          onChange={(password) => setForm({ ...form, password })}
        />
        <label>
          {t('account.name')}
          <input autoComplete="name" value={form.name} onChange={set('name')} maxLength={200} />
        </label>
        <label>
          {t('account.setup.projectName')}
          <input required value={form.projectName} onChange={set('projectName')} maxLength={200} />
        </label>
        <label>
          {t('account.setup.preset')}
          <select value={form.preset} onChange={set('preset')}>
            {presets.map((p) => (
              <option key={p.name} value={p.name}>
                {p.title}
              </option>
            ))}
          </select>
        </label>
        {chosen && <p className="muted">{chosen.description}</p>}
        <TimezoneSelect
          label={t('account.timezone')}
          value={form.timezone}
          onChange={(timezone) => setForm({ ...form, timezone })}
        />
        <FormError error={action.error} fields={fields} />
        <button type="submit" disabled={action.busy || !token}>
          {t('account.setup.submit')}
        </button>
      </form>
    </main>
  );
}

function SetupComplete({ done }: { done: SetupDone }) {
  return (
    <main className="auth-page">
      <h1>{t('account.setup.doneTitle')}</h1>
      <p>{t('account.setup.doneText', { project: done.project.name })}</p>
      <OnceSecret value={done.apiKey} hint={t('account.setup.keyHint')} testId="setup-api-key" />
      <button type="button" onClick={() => navigate(`/p/${done.project.id}/`)}>
        {t('account.setup.goDashboard')}
      </button>
    </main>
  );
}
