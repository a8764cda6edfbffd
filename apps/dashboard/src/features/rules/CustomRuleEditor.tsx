import { type FormEvent, useEffect, useRef, useState } from 'react';
import { ApiError, api } from '../../app/api.ts';
import { t } from '../../app/i18n.ts';
import { Link, navigate, useLocation } from '../../app/router.tsx';
import { useCan, useProjectApi, useProjectPath } from '../../app/session.tsx';
import { useFetch } from '../../app/use-fetch.ts';
import { ErrorBox, Loading } from '../../components/States.tsx';
import { TestResult } from './RulesPage.tsx';
import { RulesTabs, weightLabel } from './shared.tsx';
import type { CelSchema, CompileError, CustomRule, DraftData, TestReport } from './types.ts';

const WEIGHTS = [-20, 0, 10, 20, 70];
const TEST_SIZES = [100, 1000, 10_000];

/** The compile errors of an API error answer (invalid_rule), if that is what it is. */
function compileErrors(error: unknown): CompileError[] | null {
  if (!(error instanceof ApiError) || error.code !== 'invalid_rule') return null;
  const list = (error.details as { errors?: CompileError[] } | undefined)?.errors;
  return Array.isArray(list) ? list : null;
}

/** `/rules/custom/new` or `/rules/custom/:code`: the draft's version of a custom rule. */
export function CustomRuleEditorPage({ params }: { params: Record<string, string> }) {
  const projectApi = useProjectApi();
  const path = useProjectPath();
  const code = params.code ?? null;
  const { data, error, reload } = useFetch<DraftData>(projectApi('/rules/draft'));
  // A rule just created is shown at its own address before the draft is read again.
  const [created, setCreated] = useState<CustomRule | null>(null);
  if (error) return <ErrorBox error={error} />;
  if (!data) return <Loading />;
  const rule = code
    ? (data.customRules.find((r) => r.code === code) ?? (created?.code === code ? created : undefined))
    : undefined;
  const onCreated = (saved: CustomRule) => {
    setCreated(saved);
    reload();
    navigate(path(`/rules/custom/${saved.code}?saved=1`), { replace: true });
  };
  return (
    <div className="rules-page">
      <header className="page-header">
        <h1>{rule ? t('rules.editor.title', { code: rule.code }) : t('rules.editor.newTitle')}</h1>
      </header>
      <RulesTabs />
      {code && !rule ? (
        <p className="error">{t('rules.editor.notFound', { code })}</p>
      ) : (
        <CustomRuleEditor key={code ?? 'new'} rule={rule ?? null} onCreated={onCreated} />
      )}
    </div>
  );
}

function CustomRuleEditor({
  rule,
  onCreated,
}: {
  rule: CustomRule | null;
  onCreated(saved: CustomRule): void;
}) {
  const projectApi = useProjectApi();
  const path = useProjectPath();
  const admin = useCan('admin');
  const analyst = useCan('analyst');
  const [name, setName] = useState(rule?.name ?? '');
  const [description, setDescription] = useState(rule?.description ?? '');
  const [weight, setWeight] = useState(rule?.weight ?? 10);
  const [source, setSource] = useState(rule?.source ?? '');
  const [errors, setErrors] = useState<CompileError[]>(rule?.errors ?? []);
  const [compiles, setCompiles] = useState(false);
  const [testUsers, setTestUsers] = useState(1000);
  const [report, setReport] = useState<TestReport | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const justCreated = useLocation().search.get('saved') !== null;
  const [message, setMessage] = useState<string | null>(
    rule && justCreated ? t('rules.editor.saved', { code: rule.code }) : null,
  );

  /** Runs a request; compile errors go to the editor, other failures above it. */
  async function run(what: string, work: () => Promise<void>) {
    setBusy(what);
    setFailure(null);
    setMessage(null);
    setCompiles(false);
    try {
      await work();
      setErrors([]);
    } catch (error) {
      const positioned = compileErrors(error);
      if (positioned) {
        setErrors(positioned);
        setReport(null);
      } else setFailure(error instanceof Error ? error.message : String(error));
    } finally {
      setBusy(null);
    }
  }

  const check = () =>
    run('check', async () => {
      const answer = await api.post<{ ok: boolean; errors: CompileError[] }>(
        projectApi('/rules/custom/validate'),
        {
          source,
        },
      );
      // Shown like the errors of a save or a test.
      if (!answer.ok) throw new ApiError(400, 'invalid_rule', '', 'source', { errors: answer.errors });
      setCompiles(true);
    });
  const test = () =>
    run('test', async () => {
      setReport(await api.post<TestReport>(projectApi('/rules/custom/test'), { source, users: testUsers }));
    });
  const save = (event: FormEvent) => {
    event.preventDefault();
    if (!name.trim()) {
      setFailure(t('rules.editor.nameRequired'));
      return;
    }
    void run('save', async () => {
      const body = { name, description, weight, source };
      const saved = rule
        ? await api.put<CustomRule>(projectApi(`/rules/draft/custom/${rule.code}`), body)
        : await api.post<CustomRule>(projectApi('/rules/draft/custom'), body);
      if (rule) setMessage(t('rules.editor.saved', { code: saved.code }));
      else onCreated(saved);
    });
  };

  return (
    <form className="panel rules-editor" onSubmit={save} noValidate>
      <div className="rules-editor-fields">
        <label>
          {t('rules.editor.name')}
          <input value={name} maxLength={200} onChange={(e) => setName(e.target.value)} disabled={!admin} />
        </label>
        <label>
          {t('rules.editor.weight')}
          <select value={weight} onChange={(e) => setWeight(Number(e.target.value))} disabled={!admin}>
            {(WEIGHTS.includes(weight) ? WEIGHTS : [...WEIGHTS, weight]).map((w) => (
              <option key={w} value={w}>
                {weightLabel(w)}
              </option>
            ))}
          </select>
        </label>
      </div>
      <label>
        {t('rules.editor.description')}
        <input
          value={description}
          maxLength={2000}
          onChange={(e) => setDescription(e.target.value)}
          disabled={!admin}
        />
      </label>
      <span className="rules-label" id="cel-source-label">
        {t('rules.editor.source')}
      </span>
      <CodeArea
        value={source}
        onChange={(v) => {
          setSource(v);
          setCompiles(false);
        }}
        errors={errors}
        labelledBy="cel-source-label"
      />
      <p className="muted">{t('rules.editor.docs')}</p>
      {errors.length > 0 && (
        <ul className="rules-compile-errors" role="alert" data-testid="compile-errors">
          {errors.map((e) => (
            <li key={`${e.line}:${e.column}:${e.message}`} className="error">
              {t('rules.editor.errorAt', { line: e.line, column: e.column, message: e.message })}
            </li>
          ))}
        </ul>
      )}
      {compiles && (
        <p className="ok" role="status">
          {t('rules.editor.compiles')}
        </p>
      )}
      {failure && (
        <p className="error" role="alert">
          {failure}
        </p>
      )}
      {message && (
        <p className="ok" role="status" data-testid="saved">
          {message}
        </p>
      )}
      <div className="rules-inline">
        {analyst && (
          <>
            <button type="button" className="secondary" onClick={check} disabled={busy !== null}>
              {t('rules.editor.check')}
            </button>
            <label>
              {t('rules.testUsers')}{' '}
              <select value={testUsers} onChange={(e) => setTestUsers(Number(e.target.value))}>
                {TEST_SIZES.map((n) => (
                  <option key={n} value={n}>
                    {n.toLocaleString('en')}
                  </option>
                ))}
              </select>
            </label>
            <button type="button" className="secondary" onClick={test} disabled={busy !== null}>
              {busy === 'test' ? t('rules.testing') : t('rules.editor.test')}
            </button>
          </>
        )}
        {admin && (
          <button type="submit" disabled={busy !== null}>
            {t('rules.editor.save')}
          </button>
        )}
        <Link href={path('/rules/custom')}>{t('rules.editor.back')}</Link>
      </div>
      {report && <TestResult report={report} />}
      <SchemaHelp />
    </form>
  );
}

/**
 * A textarea with line numbers; lines holding a compile error are marked in the gutter. The
 * gutter follows the textarea's scrolling.
 */
function CodeArea({
  value,
  onChange,
  errors,
  labelledBy,
}: {
  value: string;
  onChange(value: string): void;
  errors: CompileError[];
  labelledBy: string;
}) {
  const gutter = useRef<HTMLDivElement>(null);
  const area = useRef<HTMLTextAreaElement>(null);
  const lines = Math.max(value.split('\n').length, 6);
  const bad = new Set(errors.map((e) => e.line));
  useEffect(() => {
    if (gutter.current && area.current) gutter.current.scrollTop = area.current.scrollTop;
  });
  return (
    <div className="code-area">
      <div className="code-gutter" ref={gutter} aria-hidden="true">
        {Array.from({ length: lines }, (_, i) => i + 1).map((line) => (
          <div key={line} className={bad.has(line) ? 'code-line-error' : undefined} data-line={line}>
            {line}
          </div>
        ))}
      </div>
      <textarea
        ref={area}
        className="mono"
        aria-labelledby={labelledBy}
        spellCheck={false}
        autoCapitalize="off"
        autoCorrect="off"
        rows={lines}
        wrap="off"
        value={value}
        maxLength={20_000}
        onChange={(e) => onChange(e.target.value)}
        onScroll={(e) => {
          if (gutter.current) gutter.current.scrollTop = e.currentTarget.scrollTop;
        }}
      />
    </div>
  );
}

/** The variables and fields a rule may read, from the server's schema. */
function SchemaHelp() {
  const projectApi = useProjectApi();
  const { data } = useFetch<CelSchema>(projectApi('/rules/custom/schema'));
  if (!data) return null;
  return (
    <details className="rules-schema">
      <summary>{t('rules.editor.schema')}</summary>
      <ul>
        {data.variables.map((v) => (
          <li key={v.name}>
            <code>{v.name}</code> <span className="muted">{v.type}</span> — {v.description}
          </li>
        ))}
      </ul>
      {data.types.map((type) => (
        <div key={type.name}>
          <h3 className="mono">{type.name}</h3>
          <ul>
            {type.fields.map((f) => (
              <li key={f.name}>
                <code>{f.name}</code> <span className="muted">{f.type}</span> — {f.description}
              </li>
            ))}
          </ul>
        </div>
      ))}
    </details>
  );
}
