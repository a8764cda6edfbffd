import { useState } from 'react';
import { ApiError, api } from '../../app/api.ts';
import { t } from '../../app/i18n.ts';
import { useCan, useProjectApi } from '../../app/session.tsx';
import { Feedback } from '../../components/Feedback.tsx';
import { startedRescore, WeightChanges } from './shared.tsx';
import type { Rescore, RulesPageData } from './types.ts';

/** Apply a preset: first a preview of every weight it changes, then a confirmation. */
export function PresetsPanel({
  data,
  onApplied,
}: {
  data: RulesPageData;
  onApplied(rescore: Rescore): void;
}) {
  const projectApi = useProjectApi();
  const admin = useCan('admin');
  const [name, setName] = useState(data.presets[0]?.name ?? '');
  const [previewing, setPreviewing] = useState(false);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const preset = data.presets.find((p) => p.name === name);
  const current = data.presets.find((p) => p.name === data.preset);

  const changes = preset
    ? data.rules
        .filter((r) => r.group !== 'X')
        .map((r) => ({ code: r.code, from: r.weight, to: preset.weights[r.code] ?? 0 }))
        .filter((c) => c.from !== c.to)
    : [];

  async function apply() {
    if (!preset) return;
    setBusy(true);
    setError(null);
    try {
      const done = await api.put<{ version: number; changes: unknown[]; rescore: { total: number } }>(
        projectApi('/rules/preset'),
        { preset: preset.name },
      );
      setMessage(
        t('rules.presets.applied', {
          title: preset.title,
          count: done.changes.length,
          version: done.version,
        }),
      );
      setPreviewing(false);
      onApplied(startedRescore(done.rescore.total));
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="panel rules-presets" aria-label={t('rules.presets.title')}>
      <h2>{t('rules.presets.title')}</h2>
      {current && <p className="muted">{t('rules.presets.current', { preset: current.title })}</p>}
      <label>
        {t('rules.presets.choose')}
        <select
          value={name}
          onChange={(e) => {
            setName(e.target.value);
            setPreviewing(false);
            setMessage(null);
          }}
        >
          {data.presets.map((p) => (
            <option key={p.name} value={p.name}>
              {p.title}
            </option>
          ))}
        </select>
      </label>
      {preset && <p className="muted">{preset.description}</p>}
      {admin && !previewing && (
        <button type="button" className="secondary" onClick={() => setPreviewing(true)}>
          {t('rules.presets.preview')}
        </button>
      )}
      {previewing && preset && (
        <div className="rules-confirm" role="alertdialog" aria-label={t('rules.presets.apply')}>
          <p>
            {changes.length
              ? t('rules.presets.changes', { title: preset.title, count: changes.length })
              : t('rules.presets.noChange', { title: preset.title })}
          </p>
          <WeightChanges changes={changes} />
          <button type="button" className="danger" onClick={apply} disabled={busy}>
            {t('rules.presets.apply')}
          </button>{' '}
          <button type="button" className="secondary" onClick={() => setPreviewing(false)}>
            {t('common.cancel')}
          </button>
        </div>
      )}
      <Feedback message={message} error={error} />
    </section>
  );
}
