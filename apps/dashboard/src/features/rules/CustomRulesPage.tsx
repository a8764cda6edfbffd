import { useState } from 'react';
import { ApiError, api } from '../../app/api.ts';
import { formatDateTime } from '../../app/format.ts';
import { formatNumber, t } from '../../app/i18n.ts';
import { Link } from '../../app/router.tsx';
import { useCan, useOperator, useProjectApi, useProjectPath } from '../../app/session.tsx';
import { useFetch } from '../../app/use-fetch.ts';
import { Feedback } from '../../components/Feedback.tsx';
import { Empty, ErrorBox, Loading } from '../../components/States.tsx';
import { TestResult } from './RulesPage.tsx';
import {
  changesText,
  RescoreProgress,
  RulesTabs,
  startedRescore,
  WeightChanges,
  weightLabel,
} from './shared.tsx';
import type { DraftData, Rescore, TestReport, WhatIf } from './types.ts';

const WHAT_IF_SIZES = [1000, 10_000, 50_000];

/**
 * Custom rules in CEL, edited in a draft that scores nobody: the rules with their state, the
 * draft's changes, a what-if against the users' current scores, then publish or discard.
 */
export function CustomRulesPage() {
  const projectApi = useProjectApi();
  const path = useProjectPath();
  const admin = useCan('admin');
  const operator = useOperator();
  const { data: draft, error, reload } = useFetch<DraftData>(projectApi('/rules/draft'));
  const [whatIfUsers, setWhatIfUsers] = useState(1000);
  const [whatIf, setWhatIf] = useState<WhatIf | null>(null);
  const [tests, setTests] = useState<Record<string, TestReport>>({});
  const [busy, setBusy] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [rescore, setRescore] = useState<{ initial: Rescore | null; started: number }>({
    initial: null,
    started: 0,
  });

  async function run<T>(what: string, work: () => Promise<T>): Promise<T | undefined> {
    setBusy(what);
    setFailure(null);
    try {
      return await work();
    } catch (e) {
      setFailure(e instanceof ApiError ? e.message : String(e));
      return undefined;
    } finally {
      setBusy(null);
    }
  }

  if (error) return <ErrorBox error={error} />;
  if (!draft) return <Loading />;

  const added = new Set(draft.changes.added);
  const changed = new Set(draft.changes.changed);
  const stateOf = (code: string) => (added.has(code) ? 'new' : changed.has(code) ? 'changed' : 'live');

  const runWhatIf = () =>
    run('what-if', async () =>
      setWhatIf(await api.get<WhatIf>(projectApi('/rules/draft/what-if'), { users: whatIfUsers })),
    );
  const publish = () => {
    if (!window.confirm(t('rules.draft.confirmPublish'))) return;
    void run('publish', async () => {
      const done = await api.post<{ version: number; rescore: { total: number } }>(
        projectApi('/rules/draft/publish'),
      );
      setMessage(t('rules.draft.published', { version: done.version }));
      setWhatIf(null);
      setRescore((r) => ({
        initial: startedRescore(done.rescore.total),
        started: r.started + 1,
      }));
      reload();
    });
  };
  const discard = () => {
    if (!window.confirm(t('rules.draft.confirmDiscard'))) return;
    void run('discard', async () => {
      await api.delete(projectApi('/rules/draft'));
      setWhatIf(null);
      reload();
    });
  };
  const remove = (code: string) => {
    if (!window.confirm(t('rules.custom.confirmDelete', { code }))) return;
    void run(code, async () => {
      await api.delete(projectApi(`/rules/draft/custom/${code}`));
      reload();
    });
  };
  const test = (code: string) =>
    run(`test-${code}`, async () => {
      const report = await api.get<TestReport>(projectApi(`/rules/${code}/test`), { users: 1000 });
      setTests((all) => ({ ...all, [code]: report }));
    });

  const hasChanges = changesText(draft.changes) !== t('rules.versions.none');

  return (
    <div className="rules-page">
      <header className="page-header">
        <h1>{t('rules.title')}</h1>
        <span className="muted">{t('rules.version', { version: draft.liveVersion })}</span>
        {admin && (
          <div className="actions">
            <Link className="button" href={path('/rules/custom/new')}>
              {t('rules.custom.new')}
            </Link>
          </div>
        )}
      </header>
      <RulesTabs />
      <RescoreProgress initial={rescore.initial} started={rescore.started} />
      <Feedback message={message} error={failure} />

      <section className="panel" data-testid="draft-panel">
        <h2>{t('rules.draft.title')}</h2>
        {!draft.exists ? (
          <p className="muted">{t('rules.draft.none', { version: draft.liveVersion })}</p>
        ) : (
          <>
            <p>
              {t('rules.draft.summary', { base: draft.baseVersion, by: draft.createdBy ?? '—' })}
              {draft.updatedAt && (
                <span className="muted"> · {formatDateTime(draft.updatedAt, operator.timezone)}</span>
              )}
            </p>
            <p data-testid="draft-changes">
              {hasChanges ? changesText(draft.changes) : t('rules.draft.noChanges')}
            </p>
            <WeightChanges changes={draft.changes.weights} />
            <div className="rules-inline">
              <label>
                {t('rules.draft.whatIfUsers')}{' '}
                <select value={whatIfUsers} onChange={(e) => setWhatIfUsers(Number(e.target.value))}>
                  {WHAT_IF_SIZES.map((n) => (
                    <option key={n} value={n}>
                      {formatNumber(n)}
                    </option>
                  ))}
                </select>
              </label>
              <button type="button" className="secondary" onClick={runWhatIf} disabled={busy !== null}>
                {busy === 'what-if' ? t('rules.draft.whatIfRunning') : t('rules.draft.whatIf')}
              </button>
              {admin && (
                <>
                  <button type="button" onClick={publish} disabled={busy !== null}>
                    {t('rules.draft.publish')}
                  </button>
                  <button type="button" className="danger" onClick={discard} disabled={busy !== null}>
                    {t('rules.draft.discard')}
                  </button>
                </>
              )}
            </div>
            {whatIf && <WhatIfResult report={whatIf} />}
          </>
        )}
      </section>

      <section className="panel">
        <h2>{t('rules.tab.custom')}</h2>
        {draft.customRules.length === 0 && draft.changes.deleted.length === 0 ? (
          <Empty text={t('rules.custom.none')} />
        ) : (
          <table className="rules-table" data-testid="custom-rules">
            <thead>
              <tr>
                <th>{t('rules.col.code')}</th>
                <th>{t('rules.col.rule')}</th>
                <th>{t('rules.col.weight')}</th>
                <th>{t('rules.col.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {draft.customRules.map((r) => (
                <CustomRuleLine
                  key={r.code}
                  rule={r}
                  state={stateOf(r.code)}
                  admin={admin}
                  busy={busy}
                  report={tests[r.code]}
                  onTest={() => void test(r.code)}
                  onRemove={() => remove(r.code)}
                  href={path(`/rules/custom/${r.code}`)}
                />
              ))}
              {draft.changes.deleted.map((code) => (
                <tr key={code} className="muted">
                  <td className="mono">{code}</td>
                  <td colSpan={3}>{t('rules.custom.state.deleted')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}

function CustomRuleLine({
  rule,
  state,
  admin,
  busy,
  report,
  onTest,
  onRemove,
  href,
}: {
  rule: DraftData['customRules'][number];
  state: string;
  admin: boolean;
  busy: string | null;
  report: TestReport | undefined;
  onTest(): void;
  onRemove(): void;
  href: string;
}) {
  return (
    <>
      <tr data-testid={`custom-${rule.code}`}>
        <td className="mono">{rule.code}</td>
        <td>
          <strong>{rule.name}</strong> <span className="badge">{t(`rules.custom.state.${state}`)}</span>
          {rule.errors.length > 0 && <span className="badge error">{t('rules.custom.broken')}</span>}
          {rule.description && <div className="muted">{rule.description}</div>}
          <pre className="rules-source-preview">{rule.source}</pre>
        </td>
        <td>{weightLabel(rule.weight)}</td>
        <td className="rules-actions">
          <button type="button" className="secondary" onClick={onTest} disabled={busy !== null}>
            {busy === `test-${rule.code}` ? t('rules.testing') : t('rules.test')}
          </button>
          {admin && (
            <>
              <Link className="button secondary" href={href}>
                {t('rules.custom.edit')}
              </Link>
              <button type="button" className="secondary" onClick={onRemove} disabled={busy !== null}>
                {t('rules.custom.delete')}
              </button>
            </>
          )}
        </td>
      </tr>
      {report && (
        <tr className="rules-test-row">
          <td colSpan={4}>
            <TestResult report={report} />
          </td>
        </tr>
      )}
    </>
  );
}

function WhatIfResult({ report }: { report: WhatIf }) {
  const n = formatNumber;
  return (
    <div className="rules-whatif" role="status" data-testid="what-if">
      <p>
        {report.sample
          ? t('rules.draft.whatIfSample', { checked: n(report.checked), total: n(report.projectUsers) })
          : t('rules.draft.whatIfResult', { checked: n(report.checked) })}
      </p>
      <dl className="tiles">
        <div className="tile">
          <dt>{t('rules.draft.enter')}</dt>
          <dd data-testid="what-if-enter">{n(report.enterCount)}</dd>
        </div>
        <div className="tile">
          <dt>{t('rules.draft.leave')}</dt>
          <dd>{n(report.leaveCount)}</dd>
        </div>
        <div className="tile">
          <dt>{t('rules.draft.blacklist')}</dt>
          <dd>{n(report.blacklistCount)}</dd>
        </div>
        <div className="tile">
          <dt>{t('rules.draft.down')}</dt>
          <dd data-testid="what-if-down">{n(report.scoreChanges.down)}</dd>
        </div>
        <div className="tile">
          <dt>{t('rules.draft.up')}</dt>
          <dd>{n(report.scoreChanges.up)}</dd>
        </div>
        <div className="tile">
          <dt>{t('rules.draft.same')}</dt>
          <dd>{n(report.scoreChanges.same)}</dd>
        </div>
      </dl>
      <ul>
        {Object.entries(report.customRules).map(([code, s]) => (
          <li key={code}>{t('rules.draft.customMatched', { code, matched: n(s.matched) })}</li>
        ))}
      </ul>
    </div>
  );
}
