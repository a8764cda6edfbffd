import { t } from '../app/i18n.ts';

export function Loading() {
  return (
    <p className="muted" role="status">
      {t('common.loading')}
    </p>
  );
}

export function ErrorBox({ error }: { error: Error }) {
  return (
    <p className="error" role="alert">
      {t('common.error', { message: error.message })}
    </p>
  );
}

export function Empty({ text = t('common.empty') }: { text?: string }) {
  return <p className="muted empty">{text}</p>;
}
