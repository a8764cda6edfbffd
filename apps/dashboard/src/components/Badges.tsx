import { t } from '../app/i18n.ts';

/** Trust score 0..99 (99 = trusted), coloured as tirreno users expect: low is bad. */
export function ScoreBadge({ score }: { score: number | null | undefined }) {
  if (score === null || score === undefined) {
    return <span className="badge badge-none">{t('score.unscored')}</span>;
  }
  const level = score <= 33 ? 'high' : score <= 66 ? 'medium' : 'low';
  return (
    <span className={`badge badge-risk-${level}`} title={t('score.label')}>
      {score}
    </span>
  );
}

export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge badge-status-${status}`}>{t(`status.${status}`)}</span>;
}
