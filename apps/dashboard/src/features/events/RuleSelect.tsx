import { t } from '../../app/i18n.ts';
import { setQueryParams, useLocation } from '../../app/router.tsx';
import { useProjectApi } from '../../app/session.tsx';
import { useFetch } from '../../app/use-fetch.ts';

/** A matched-rule filter (?rule=A01), from the project's core and custom rules. */
export function RuleSelect({ label }: { label: string }) {
  const api = useProjectApi();
  const { search } = useLocation();
  const { data } = useFetch<{ rules: { code: string; name: string }[] }>(api('/users/filters'));
  const current = search.get('rule') ?? '';
  return (
    <label className="rule-select">
      {label}{' '}
      <select
        value={current}
        onChange={(e) => setQueryParams({ rule: e.target.value || null, page: null })}
        data-testid="rule-filter"
      >
        <option value="">{t('events.filter.anyRule')}</option>
        {current && !data?.rules.some((r) => r.code === current) && (
          <option value={current}>{current}</option>
        )}
        {data?.rules.map((r) => (
          <option key={r.code} value={r.code}>
            {`${r.code} · ${r.name}`}
          </option>
        ))}
      </select>
    </label>
  );
}
