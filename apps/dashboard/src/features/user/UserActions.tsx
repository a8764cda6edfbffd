import { useState } from 'react';
import { api } from '../../app/api.ts';
import { t } from '../../app/i18n.ts';
import { navigate } from '../../app/router.tsx';
import { refreshMenuCounts } from '../../app/Shell.tsx';
import { useCan, useProjectApi, useProjectPath } from '../../app/session.tsx';
import { Feedback } from '../../components/Feedback.tsx';
import type { UserDetails } from './types.ts';

type Decision = 'approve' | 'blacklist' | 'unblacklist' | 'watch' | 'unwatch';

/**
 * What an analyst does about the user (review decision with a note, watch, rescore) and what an
 * admin may do (delete). Buttons are hidden from those who may not; the server checks again.
 */
export function UserActions({ details, onChange }: { details: UserDetails; onChange: () => void }) {
  const api$ = useProjectApi();
  const path = useProjectPath();
  const analyst = useCan('analyst');
  const admin = useCan('admin');
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const { user } = details;
  const base = api$(`/users/${user.id}`);

  async function run(work: () => Promise<string>) {
    setBusy(true);
    setError(null);
    setMessage(null);
    try {
      setMessage(await work());
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  }

  const decide = (decision: Decision) =>
    run(async () => {
      await api.post(`${base}/decision`, { decision, ...(note.trim() ? { note: note.trim() } : {}) });
      if (decision !== 'watch' && decision !== 'unwatch') setNote('');
      onChange();
      refreshMenuCounts();
      return t(`user.done.${decision}`);
    });

  if (!analyst) return null;
  const status = user.status;
  return (
    <section className="panel user-actions" aria-label={t('user.actions')}>
      <div className="user-actions-row">
        <label className="user-note">
          <span className="muted">{t('user.note')}</span>
          <textarea
            value={note}
            maxLength={2000}
            rows={2}
            placeholder={t('user.notePlaceholder')}
            onChange={(e) => setNote(e.target.value)}
          />
        </label>
        <div className="user-buttons">
          <button
            type="button"
            disabled={busy || status === 'approved'}
            onClick={() => void decide('approve')}
            data-testid="action-approve"
          >
            {t('user.approve')}
          </button>
          {status === 'blacklisted' ? (
            <button
              type="button"
              className="secondary"
              disabled={busy}
              onClick={() => void decide('unblacklist')}
              data-testid="action-unblacklist"
            >
              {t('user.unblacklist')}
            </button>
          ) : (
            <button
              type="button"
              className="danger"
              disabled={busy}
              onClick={() => void decide('blacklist')}
              data-testid="action-blacklist"
            >
              {t('user.blacklist')}
            </button>
          )}
          <button
            type="button"
            className="secondary"
            disabled={busy}
            aria-pressed={user.watched}
            onClick={() => void decide(user.watched ? 'unwatch' : 'watch')}
            data-testid="action-watch"
          >
            {user.watched ? t('user.unwatch') : t('user.watch')}
          </button>
          <button
            type="button"
            className="secondary"
            disabled={busy}
            onClick={() =>
              void run(async () => {
                const r = await api.post<{ score: number }>(`${base}/rescore`);
                onChange();
                refreshMenuCounts();
                return t('user.done.rescore', { score: r.score });
              })
            }
            data-testid="action-rescore"
          >
            {t('user.rescore')}
          </button>
          {admin && !confirmDelete && (
            <button type="button" className="danger" disabled={busy} onClick={() => setConfirmDelete(true)}>
              {t('user.delete')}
            </button>
          )}
          {admin && confirmDelete && (
            <span className="user-confirm" role="alert">
              {t('user.deleteConfirm', { user: user.userName })}{' '}
              <button
                type="button"
                className="danger"
                disabled={busy}
                onClick={() =>
                  void run(async () => {
                    await api.delete(base);
                    refreshMenuCounts();
                    navigate(path('/users'));
                    return '';
                  })
                }
                data-testid="action-delete-confirm"
              >
                {t('common.yes')}
              </button>{' '}
              <button type="button" className="secondary" onClick={() => setConfirmDelete(false)}>
                {t('common.no')}
              </button>
            </span>
          )}
        </div>
      </div>
      <Feedback message={message} error={error} />
    </section>
  );
}
