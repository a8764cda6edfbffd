import { type FormEvent, useEffect, useState } from 'react';
import { ApiError, api } from '../../app/api.ts';
import { t } from '../../app/i18n.ts';
import { useCan, useProjectApi } from '../../app/session.tsx';
import { Feedback } from '../../components/Feedback.tsx';
import { startedRescore } from './shared.tsx';
import type { Rescore, RulesPageData } from './types.ts';

const wholeIn = (text: string, min: number, max: number) =>
  /^\d{1,2}$/.test(text.trim()) && Number(text) >= min && Number(text) <= max;

/** Review and auto-blacklist thresholds ("at or below"), checked here and again by the server. */
export function ThresholdsPanel({ data, onSaved }: { data: RulesPageData; onSaved(rescore: Rescore): void }) {
  const projectApi = useProjectApi();
  const admin = useCan('admin');
  const [review, setReview] = useState(String(data.reviewThreshold));
  const [blacklistOn, setBlacklistOn] = useState(data.blacklistThreshold !== null);
  const [blacklist, setBlacklist] = useState(String(data.blacklistThreshold ?? ''));
  const [error, setError] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    setReview(String(data.reviewThreshold));
    setBlacklistOn(data.blacklistThreshold !== null);
    setBlacklist(String(data.blacklistThreshold ?? ''));
  }, [data.reviewThreshold, data.blacklistThreshold]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setMessage(null);
    if (!wholeIn(review, 0, 99)) return setError(t('rules.thresholds.invalidReview'));
    if (blacklistOn && !(wholeIn(blacklist, 0, 98) && Number(blacklist) < Number(review))) {
      return setError(t('rules.thresholds.invalidBlacklist'));
    }
    setError(null);
    setBusy(true);
    try {
      const done = await api.put<{ version: number; rescore: { total: number } }>(
        projectApi('/rules/thresholds'),
        {
          reviewThreshold: Number(review),
          blacklistThreshold: blacklistOn ? Number(blacklist) : null,
        },
      );
      setMessage(t('rules.thresholds.saved', { version: done.version }));
      onSaved(startedRescore(done.rescore.total));
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form
      className="panel rules-thresholds"
      onSubmit={submit}
      noValidate
      aria-label={t('rules.thresholds.title')}
    >
      <h2>{t('rules.thresholds.title')}</h2>
      <label>
        {t('rules.thresholds.review')}
        <input
          type="number"
          min={0}
          max={99}
          value={review}
          disabled={!admin}
          onChange={(e) => setReview(e.target.value)}
        />
      </label>
      <label>
        {t('rules.thresholds.blacklist')}
        <span className="rules-inline">
          <input
            type="checkbox"
            checked={!blacklistOn}
            disabled={!admin}
            onChange={(e) => setBlacklistOn(!e.target.checked)}
            aria-label={t('rules.thresholds.off')}
          />
          {t('rules.thresholds.off')}
          {blacklistOn && (
            <input
              type="number"
              min={0}
              max={98}
              value={blacklist}
              disabled={!admin}
              aria-label={t('rules.thresholds.blacklist')}
              onChange={(e) => setBlacklist(e.target.value)}
            />
          )}
        </span>
      </label>
      <p className="muted">{t('rules.thresholds.warning')}</p>
      <Feedback message={message} error={error} />
      {admin && (
        <button type="submit" disabled={busy}>
          {t('common.save')}
        </button>
      )}
    </form>
  );
}
