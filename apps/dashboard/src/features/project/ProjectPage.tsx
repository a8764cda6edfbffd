import { useMemo, useState } from 'react';
import { api } from '../../app/api.ts';
import { useDateRange } from '../../app/date-range.ts';
import { formatDateTime } from '../../app/format.ts';
import { formatNumber, t } from '../../app/i18n.ts';
import { useCan, useOperator, useProject, useProjectApi } from '../../app/session.tsx';
import { useFetch } from '../../app/use-fetch.ts';
import { Chart } from '../../components/Chart.tsx';
import { ActionButton, FormError, OnceSecret, useAction } from '../../components/Form.tsx';
import { ErrorBox, Loading } from '../../components/States.tsx';
import { Tiles } from '../../components/Tiles.tsx';
import { type SnippetName, snippet } from './snippets.ts';
import './project.css';

/** The project's API keys, how to integrate, and how much it is used. */
export function ProjectPage() {
  const project = useProject();
  const admin = useCan('admin');
  if (!admin) return <p className="muted">{t('project.adminOnly')}</p>;
  return (
    <>
      <div className="page-header">
        <h1>{t('project.title', { name: project.name })}</h1>
        <span className="muted mono">{t('project.id', { id: project.id })}</span>
      </div>
      <Keys />
      <Usage />
      <Snippets />
    </>
  );
}

interface KeyRow {
  id: string;
  name: string;
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

function Keys() {
  const projectApi = useProjectApi();
  const { timezone } = useOperator();
  const keys = useFetch<{ keys: KeyRow[] }>(projectApi('/keys'));
  const [name, setName] = useState('');
  const [secret, setSecret] = useState<{ key: string; name: string } | null>(null);
  const action = useAction();
  return (
    <section className="panel">
      <h2>{t('project.keys')}</h2>
      <p className="muted">{t('project.keys.intro')}</p>
      <form
        className="inline-form"
        onSubmit={(e) =>
          void action.run(async () => {
            const created = await api.post<{ key: string; name: string }>(projectApi('/keys'), {
              ...(name.trim() ? { name: name.trim() } : {}),
            });
            setSecret(created);
            setName('');
            keys.reload();
          }, e)
        }
      >
        <label>
          {t('project.keys.name')}
          <input
            value={name}
            maxLength={100}
            placeholder="default"
            onChange={(e) => setName(e.target.value)}
          />
        </label>
        <button type="submit" disabled={action.busy}>
          {t('project.keys.create')}
        </button>
      </form>
      <FormError
        error={action.error}
        fields={{ name: t('project.keys.name'), keyId: t('project.keys.key') }}
      />
      {secret && (
        <OnceSecret
          value={secret.key}
          hint={t('project.keys.once', { name: secret.name })}
          testId="new-api-key"
        />
      )}
      {keys.error && <ErrorBox error={keys.error} />}
      {!keys.data && !keys.error && <Loading />}
      {keys.data && (
        <table data-testid="api-keys">
          <thead>
            <tr>
              <th>{t('project.keys.name')}</th>
              <th>{t('project.keys.prefix')}</th>
              <th>{t('project.keys.created')}</th>
              <th>{t('project.keys.lastUsed')}</th>
              <th>{t('project.keys.status')}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {keys.data.keys.map((k) => (
              <tr key={k.id} className={k.revokedAt ? 'muted' : undefined}>
                <td>{k.name}</td>
                <td className="mono">{k.prefix}…</td>
                <td>{formatDateTime(k.createdAt, timezone)}</td>
                <td>{k.lastUsedAt ? formatDateTime(k.lastUsedAt, timezone) : t('common.never')}</td>
                <td>
                  {k.revokedAt
                    ? t('project.keys.revokedAt', { at: formatDateTime(k.revokedAt, timezone) })
                    : t('project.keys.active')}
                </td>
                <td className="actions">
                  {!k.revokedAt && (
                    <>
                      <ActionButton
                        action={action}
                        className="secondary"
                        confirm={t('project.keys.confirmRotate', { prefix: k.prefix })}
                        fn={async () => {
                          setSecret(
                            await api.post<{ key: string; name: string }>(projectApi(`/keys/${k.id}/rotate`)),
                          );
                          keys.reload();
                        }}
                      >
                        {t('project.keys.rotate')}
                      </ActionButton>{' '}
                      <ActionButton
                        action={action}
                        className="danger"
                        confirm={t('project.keys.confirmRevoke', { prefix: k.prefix })}
                        fn={async () => {
                          await api.delete(projectApi(`/keys/${k.id}`));
                          keys.reload();
                        }}
                      >
                        {t('project.keys.revoke')}
                      </ActionButton>
                    </>
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

const OUTCOMES = ['success', 'warnings', 'rejected', 'failed', 'rate_limited'] as const;
const COLOURS: Record<(typeof OUTCOMES)[number], string> = {
  success: '#1a7f37',
  warnings: '#9a6700',
  rejected: '#d1242f',
  failed: '#8250df',
  rate_limited: '#57606a',
};

interface UsageData {
  times: number[];
  series: { key: (typeof OUTCOMES)[number]; values: number[] }[];
  totals: Record<string, number>;
  tz: string;
}

function Usage() {
  const projectApi = useProjectApi();
  const { timezone } = useOperator();
  const range = useDateRange();
  const usage = useFetch<UsageData>(projectApi('/usage'), {
    from: range.from,
    to: range.to,
    bucket: range.bucket,
    tz: timezone,
  });
  const series = useMemo(
    () =>
      usage.data?.series.map((s) => ({
        label: t(`project.usage.${s.key}`),
        values: s.values,
        color: COLOURS[s.key],
      })) ?? [],
    [usage.data],
  );
  return (
    <section className="panel">
      <h2>{t('project.usage')}</h2>
      {usage.error && <ErrorBox error={usage.error} />}
      {!usage.data && !usage.error && <Loading />}
      {usage.data && (
        <>
          <Tiles
            items={OUTCOMES.map((o) => ({
              label: t(`project.usage.${o}`),
              value: formatNumber(usage.data?.totals[o] ?? 0),
              testId: `usage-${o}`,
            }))}
          />
          <Chart
            times={usage.data.times}
            series={series}
            label={t('project.usage')}
            timeZone={usage.data.tz}
          />
        </>
      )}
    </section>
  );
}

const SNIPPETS: SnippetName[] = ['curl', 'typescript', 'python', 'php', 'tirreno'];

function Snippets() {
  const [chosen, setChosen] = useState<SnippetName>('curl');
  const text = snippet(chosen, window.location.origin);
  return (
    <section className="panel">
      <h2>{t('project.snippets')}</h2>
      <p className="muted">{t('project.snippets.intro')}</p>
      <div className="chips" role="tablist">
        {SNIPPETS.map((name) => (
          <button
            type="button"
            key={name}
            role="tab"
            aria-selected={chosen === name}
            className={chosen === name ? 'chip active' : 'chip'}
            onClick={() => setChosen(name)}
          >
            {t(`project.snippets.${name}`)}
          </button>
        ))}
      </div>
      <pre data-testid="snippet">{text}</pre>
      <button type="button" className="secondary" onClick={() => void navigator.clipboard?.writeText(text)}>
        {t('account.copy')}
      </button>
    </section>
  );
}
