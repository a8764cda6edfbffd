import { useState } from 'react';
import { api } from '../../app/api.ts';
import { t } from '../../app/i18n.ts';
import { Link } from '../../app/router.tsx';
import { type Me, useSession } from '../../app/session.tsx';
import { useFetch } from '../../app/use-fetch.ts';
import { CredentialField, FormError, useAction } from '../../components/Form.tsx';
import './account.css';

/**
 * Sign in. Shown at /login and in place of any page asked for while signed out: once signed in,
 * the app renders that page (from /login it goes on to the first project).
 */
export function LoginPage() {
  const { signedIn } = useSession();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const action = useAction();
  const setup = useFetch<{ needed: boolean }>('/api/console/setup');
  return (
    <main className="auth-page">
      <h1>{t('account.login.title')}</h1>
      {setup.data?.needed && <p className="muted">{t('account.login.setupNeeded')}</p>}
      <form
        className="stack"
        onSubmit={(e) =>
          void action.run(async () => {
            signedIn(await api.post<Me>('/api/console/auth/login', { email, password }));
          }, e)
        }
      >
        <CredentialField
          label={t('account.email')}
          autoComplete="username"
          value={email}
          onChange={setEmail}
        />
        <CredentialField
          label={t('account.password')}
          autoComplete="current-password"
          value={password}
          onChange={setPassword}
        />
        <FormError
          error={action.error}
          fields={{ email: t('account.email'), password: t('account.password') }}
        />
        <button type="submit" disabled={action.busy}>
          {t('account.login.submit')}
        </button>
      </form>
      <div className="links">
        <Link href="/reset-password">{t('account.login.forgot')}</Link>
      </div>
    </main>
  );
}
