import { useState } from 'react';
import { api } from '../../app/api.ts';
import { t } from '../../app/i18n.ts';
import { navigate } from '../../app/router.tsx';
import { type Me, useSession } from '../../app/session.tsx';
import { CredentialField, FormError, takeFragmentToken, useAction } from '../../components/Form.tsx';
import './account.css';

/** From an invitation link (/accept-invitation#token=…): choose a name and password, then sign in. */
export function AcceptInvitationPage() {
  const [token] = useState(takeFragmentToken);
  const { signedIn } = useSession();
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const action = useAction();
  return (
    <main className="auth-page">
      <h1>{t('account.invitation.title')}</h1>
      <p className="muted">{t('account.invitation.intro')}</p>
      {!token && <p className="error">{t('account.invitation.noToken')}</p>}
      <form
        className="stack"
        onSubmit={(e) =>
          void action.run(async () => {
            signedIn(await api.post<Me>('/api/console/invitations/accept', { token, password, name }));
            navigate('/', { replace: true });
          }, e)
        }
      >
        <label>
          {t('account.name')}
          <input autoComplete="name" value={name} onChange={(e) => setName(e.target.value)} maxLength={200} />
        </label>
        <CredentialField
          label={t('account.password')}
          autoComplete="new-password"
          value={password}
          onChange={setPassword}
        />
        <FormError
          error={action.error}
          fields={{
            token: t('account.invitation.link'),
            password: t('account.password'),
            email: t('account.email'),
          }}
        />
        <button type="submit" disabled={action.busy || !token}>
          {t('account.invitation.submit')}
        </button>
      </form>
    </main>
  );
}
