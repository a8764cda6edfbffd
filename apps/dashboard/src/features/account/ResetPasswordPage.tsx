import { useState } from 'react';
import { api } from '../../app/api.ts';
import { t } from '../../app/i18n.ts';
import { Link } from '../../app/router.tsx';
import { CredentialField, FormError, takeFragmentToken, useAction } from '../../components/Form.tsx';
import './account.css';

/** Without a token: ask for a reset link by e-mail. With #token=… (the e-mailed link): set a new password. */
export function ResetPasswordPage() {
  const [token] = useState(takeFragmentToken);
  return (
    <main className="auth-page">
      <h1>{t('account.reset.title')}</h1>
      {token ? <NewPassword token={token} /> : <RequestLink />}
      <div className="links">
        <Link href="/login">{t('account.backToLogin')}</Link>
      </div>
    </main>
  );
}

function RequestLink() {
  const [email, setEmail] = useState('');
  const [sent, setSent] = useState<string | null>(null);
  const action = useAction();
  if (sent) return <p role="status">{sent}</p>;
  return (
    <form
      className="stack"
      onSubmit={(e) =>
        void action.run(async () => {
          const answer = await api.post<{ status: string }>('/api/console/auth/password-reset', { email });
          setSent(answer.status);
        }, e)
      }
    >
      <p className="muted">{t('account.reset.intro')}</p>
      <CredentialField label={t('account.email')} autoComplete="username" value={email} onChange={setEmail} />
      <FormError error={action.error} fields={{ email: t('account.email') }} />
      <button type="submit" disabled={action.busy}>
        {t('account.reset.send')}
      </button>
    </form>
  );
}

function NewPassword({ token }: { token: string }) {
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [done, setDone] = useState(false);
  const action = useAction();
  if (done) return <p role="status">{t('account.reset.done')}</p>;
  return (
    <form
      className="stack"
      onSubmit={(e) =>
        void action.run(async () => {
          if (password !== repeat) throw new Error(t('account.password.mismatch'));
          await api.post('/api/console/auth/password-reset/confirm', { token, password });
          setDone(true);
        }, e)
      }
    >
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
        fields={{ password: t('account.password.new'), token: t('account.reset.link') }}
      />
      <button type="submit" disabled={action.busy}>
        {t('account.reset.submit')}
      </button>
    </form>
  );
}
