import { formatDateTime } from '../../app/format.ts';
import { t } from '../../app/i18n.ts';
import { useOperator, useProjectApi } from '../../app/session.tsx';
import { useFetch } from '../../app/use-fetch.ts';
import { ErrorBox, Loading } from '../../components/States.tsx';
import { changesText, RulesTabs, WeightChanges } from './shared.tsx';
import type { VersionRow } from './types.ts';

/** The rule-set history: the draft, then each published version with what it changed. */
export function VersionsPage() {
  const projectApi = useProjectApi();
  const operator = useOperator();
  const { data, error } = useFetch<{ liveVersion: number; versions: VersionRow[] }>(
    projectApi('/rules/versions'),
  );
  return (
    <div className="rules-page">
      <header className="page-header">
        <h1>{t('rules.title')}</h1>
        {data && <span className="muted">{t('rules.version', { version: data.liveVersion })}</span>}
      </header>
      <RulesTabs />
      {error && <ErrorBox error={error} />}
      {!data && !error && <Loading />}
      {data && (
        <section className="panel">
          <table className="rules-table" data-testid="versions">
            <thead>
              <tr>
                <th>{t('rules.versions.version')}</th>
                <th>{t('rules.versions.status')}</th>
                <th>{t('rules.versions.published')}</th>
                <th>{t('rules.versions.changes')}</th>
              </tr>
            </thead>
            <tbody>
              {data.versions.map((v) => (
                <tr key={v.version ?? 'draft'} data-testid={`version-${v.version ?? 'draft'}`}>
                  <td className="mono">{v.version ?? '—'}</td>
                  <td>
                    <span className="badge">
                      {v.status === 'draft'
                        ? t('rules.versions.draft')
                        : v.live
                          ? t('rules.versions.live')
                          : t('rules.versions.old')}
                    </span>
                  </td>
                  <td>
                    {v.status === 'draft'
                      ? (v.createdBy ?? '—')
                      : v.publishedAt
                        ? t('rules.versions.by', {
                            at: formatDateTime(v.publishedAt, operator.timezone),
                            by: v.publishedBy ?? '—',
                          })
                        : t('rules.versions.unknown')}
                  </td>
                  <td>
                    {changesText(v.changes)}
                    {v.changes && v.changes.weights.length <= 20 && (
                      <WeightChanges changes={v.changes.weights} />
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
    </div>
  );
}
