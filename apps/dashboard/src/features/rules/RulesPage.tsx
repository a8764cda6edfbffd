import { Fragment, useState } from 'react';
import { ApiError, api } from '../../app/api.ts';
import { useDateRange } from '../../app/date-range.ts';
import { formatNumber, t } from '../../app/i18n.ts';
import { Link, useQueryParam } from '../../app/router.tsx';
import { useCan, useProjectApi, useProjectPath } from '../../app/session.tsx';
import { useFetch } from '../../app/use-fetch.ts';
import { Chips } from '../../components/DataTable.tsx';
import { ErrorBox, Loading } from '../../components/States.tsx';
import { PresetsPanel } from './PresetsPanel.tsx';
import { percent, RescoreProgress, RulesTabs, startedRescore, weightLabel } from './shared.tsx';
import { ThresholdsPanel } from './ThresholdsPanel.tsx';
import type { Rescore, RuleRow, RulesPageData, TestReport } from './types.ts';

/**
 * The rules: every rule grouped by kind with its weight, how often it fired among the users seen
 * in the period and how analysts judged those users (its precision), a test over the last users;
 * thresholds and presets. Changes go live at once and every user is rescored in the background.
 */
export function RulesPage() {
  const projectApi = useProjectApi();
  const range = useDateRange();
  const path = useProjectPath();
  const admin = useCan('admin');
  const [q, setQ] = useQueryParam('q');
  const [group] = useQueryParam('group');
  const { data, error, reload } = useFetch<RulesPageData>(projectApi('/rules'), {
    from: range.from,
    to: range.to,
  });
  const [rescoreStarted, setRescoreStarted] = useState(0);
  const [initialRescore, setInitialRescore] = useState<Rescore | null>(null);

  const changed = () => {
    setRescoreStarted((n) => n + 1);
    reload();
  };

  if (error) return <ErrorBox error={error} />;
  if (!data) return <Loading />;

  const needle = q.trim().toLowerCase();
  const shown = data.rules.filter(
    (r) =>
      r.group !== 'X' &&
      (!group || r.group === group) &&
      (!needle || `${r.code} ${r.name} ${r.description}`.toLowerCase().includes(needle)),
  );
  const core = data.rules.filter((r) => r.group !== 'X').length;

  return (
    <div className="rules-page">
      <header className="page-header">
        <h1>{t('rules.title')}</h1>
        <span className="muted" data-testid="rules-version">
          {t('rules.version', { version: data.version })}
        </span>
        {data.draft && (
          <Link href={path('/rules/custom')} className="badge">
            {t('rules.draftPending')}
          </Link>
        )}
      </header>
      <RulesTabs />
      {!admin && <p className="muted">{t('rules.readOnly')}</p>}
      <RescoreProgress initial={initialRescore ?? data.rescore} started={rescoreStarted} />
      <div className="grid rules-settings">
        <ThresholdsPanel
          data={data}
          onSaved={(rescore) => {
            setInitialRescore(rescore);
            changed();
          }}
        />
        <PresetsPanel
          data={data}
          onApplied={(rescore) => {
            setInitialRescore(rescore);
            changed();
          }}
        />
      </div>
      <section className="panel">
        <div className="rules-toolbar">
          <input
            type="search"
            className="table-search"
            placeholder={t('rules.search')}
            aria-label={t('rules.search')}
            defaultValue={q}
            onChange={(e) => setQ(e.target.value)}
          />
          <span className="muted" data-testid="rules-shown">
            {t('rules.shown', { shown: shown.length, total: core })}
          </span>
        </div>
        <Chips
          name="group"
          label={t('rules.groupFilter')}
          options={data.groups.map((g) => ({ value: g, label: t(`rules.group.${g}`) }))}
        />
        <RulesTable
          rules={shown}
          groups={data.groups}
          weights={data.weights}
          scored={data.scored}
          onSaved={(rescore) => {
            setInitialRescore(rescore);
            changed();
          }}
        />
      </section>
    </div>
  );
}

export function RulesTable({
  rules,
  groups,
  weights,
  scored,
  onSaved,
}: {
  rules: RuleRow[];
  groups: string[];
  weights: number[];
  scored: number;
  onSaved(rescore: Rescore): void;
}) {
  return (
    <table className="rules-table" data-testid="rules-table">
      <thead>
        <tr>
          <th>{t('rules.col.code')}</th>
          <th>{t('rules.col.rule')}</th>
          <th>{t('rules.col.weight')}</th>
          <th className="num" title={t('rules.firedHint', { scored: formatNumber(scored) })}>
            {t('rules.col.fired')}
          </th>
          <th className="num" title={t('rules.precisionHint')}>
            {t('rules.col.precision')}
          </th>
          <th>{t('rules.col.actions')}</th>
        </tr>
      </thead>
      <tbody>
        {groups.map((g) => {
          const inGroup = rules.filter((r) => r.group === g);
          if (inGroup.length === 0) return null;
          return (
            <Fragment key={g}>
              <tr className="rules-group">
                <th colSpan={6} scope="colgroup">
                  {t(`rules.group.${g}`)} <span className="muted">({inGroup.length})</span>
                </th>
              </tr>
              {inGroup.map((r) => (
                <RuleLine key={r.code} rule={r} weights={weights} scored={scored} onSaved={onSaved} />
              ))}
            </Fragment>
          );
        })}
      </tbody>
    </table>
  );
}

function weightClass(weight: number): string {
  if (weight < 0) return 'positive';
  if (weight === 0) return 'none';
  if (weight <= 10) return 'medium';
  if (weight <= 20) return 'high';
  return 'extreme';
}

function RuleLine({
  rule,
  weights,
  scored,
  onSaved,
}: {
  rule: RuleRow;
  weights: number[];
  scored: number;
  onSaved(rescore: Rescore): void;
}) {
  const projectApi = useProjectApi();
  const path = useProjectPath();
  const admin = useCan('admin');
  const [weight, setWeight] = useState(rule.weight);
  const [saving, setSaving] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [testing, setTesting] = useState(false);
  const [test, setTest] = useState<TestReport | null>(null);
  const options = weights.includes(rule.weight) ? weights : [...weights, rule.weight].sort((a, b) => a - b);
  const dirty = weight !== rule.weight;

  async function save() {
    setSaving(true);
    setFailure(null);
    try {
      const done = await api.put<{ version: number; rescore: { total: number } }>(
        projectApi(`/rules/${rule.code}/weight`),
        { weight },
      );
      setMessage(t('rules.saved', { code: rule.code, weight, version: done.version }));
      onSaved(startedRescore(done.rescore.total));
    } catch (error) {
      setFailure(error instanceof ApiError ? error.message : String(error));
    } finally {
      setSaving(false);
    }
  }

  async function runTest() {
    setTesting(true);
    setFailure(null);
    try {
      setTest(await api.get<TestReport>(projectApi(`/rules/${rule.code}/test`), { users: 1000 }));
    } catch (error) {
      setFailure(error instanceof ApiError ? error.message : String(error));
    } finally {
      setTesting(false);
    }
  }

  const decided = rule.confirmed + rule.approved;
  return (
    <>
      <tr data-testid={`rule-${rule.code}`} className={dirty ? 'rules-dirty' : undefined}>
        <td>
          <Link
            href={path(`/users?rule=${rule.code}`)}
            className={`rule-code weight-${weightClass(rule.weight)}`}
            title={t('rules.matchingUsers', { code: rule.code })}
          >
            {rule.code}
          </Link>
        </td>
        <td>
          <strong>{rule.name}</strong>
          <div className="muted rules-description">{rule.description}</div>
        </td>
        <td className="rules-weight">
          {admin ? (
            <>
              <select
                aria-label={t('rules.weightOf', { code: rule.code })}
                value={weight}
                onChange={(e) => {
                  setWeight(Number(e.target.value));
                  setMessage(null);
                }}
              >
                {options.map((w) => (
                  <option key={w} value={w}>
                    {weightLabel(w)}
                  </option>
                ))}
              </select>
              {dirty && (
                <button type="button" onClick={save} disabled={saving}>
                  {t('rules.saveWeight')}
                </button>
              )}
            </>
          ) : (
            weightLabel(rule.weight)
          )}
          {message && !dirty && (
            <div className="ok" role="status">
              {message}
            </div>
          )}
          {failure && (
            <div className="error" role="alert">
              {failure}
            </div>
          )}
        </td>
        <td className="num" data-testid="fired">
          {t('rules.fired', {
            matched: formatNumber(rule.matched),
            rate: scored ? percent(rule.matched / scored) : '—',
          })}
        </td>
        <td className="num" data-testid="precision">
          {decided === 0 ? (
            <span className="muted">{t('rules.noDecisions')}</span>
          ) : (
            t('rules.precision', {
              confirmed: formatNumber(rule.confirmed),
              approved: formatNumber(rule.approved),
              precision: percent(rule.precision ?? 0),
            })
          )}
          {rule.autoBlacklisted > 0 && (
            <div className="muted">{t('rules.auto', { count: formatNumber(rule.autoBlacklisted) })}</div>
          )}
        </td>
        <td>
          <button
            type="button"
            className="secondary"
            onClick={runTest}
            disabled={testing}
            aria-label={t('rules.testOf', { code: rule.code, users: '1,000' })}
          >
            {testing ? t('rules.testing') : t('rules.test')}
          </button>
        </td>
      </tr>
      {test && (
        <tr className="rules-test-row">
          <td colSpan={6}>
            <TestResult report={test} onClose={() => setTest(null)} />
          </td>
        </tr>
      )}
    </>
  );
}

/** A test's outcome: the match rate over the users checked and the first matches. */
export function TestResult({ report, onClose }: { report: TestReport; onClose?: () => void }) {
  return (
    <div className="rules-test" role="status" data-testid="test-result">
      <strong>
        {t('rules.testResult', {
          matched: formatNumber(report.matched),
          checked: formatNumber(report.checked),
          rate: percent(report.matchRate),
        })}
      </strong>{' '}
      <span className="muted">
        {t('rules.testDetail', {
          notApplicable: formatNumber(report.notApplicable),
          errors: formatNumber(report.errors),
        })}
      </span>
      {report.samples.length > 0 && (
        <div className="rules-samples">
          {t('rules.testSamples')}{' '}
          {report.samples.map((s, i) => (
            <Fragment key={s.userName}>
              {i > 0 && ', '}
              <span className="mono">{s.userName}</span>
            </Fragment>
          ))}
        </div>
      )}
      {report.errorSamples.map((e) => (
        <div key={e.userName} className="error">
          <span className="mono">{e.userName}</span>: {e.message}
        </div>
      ))}
      {onClose && (
        <button type="button" className="link" onClick={onClose}>
          {t('rules.close')}
        </button>
      )}
    </div>
  );
}
