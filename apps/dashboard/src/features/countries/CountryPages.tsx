import { useDateRange } from '../../app/date-range.ts';
import { formatNumber, t } from '../../app/i18n.ts';
import { setQueryParams, useLocation } from '../../app/router.tsx';
import { useProjectApi } from '../../app/session.tsx';
import { useFetch } from '../../app/use-fetch.ts';
import { ErrorBox } from '../../components/States.tsx';
import { WorldMap } from '../../components/WorldMap.tsx';
import {
  EntityDetailPage,
  EntityLink,
  EntityListPage,
  RelatedTable,
  seenColumns,
  seenTiles,
  useHref,
} from '../entities/kit.tsx';
import { IpTable } from '../ips/IpTable.tsx';

interface CountryRow {
  iso: string;
  name: string;
  events: number;
  ips: number;
  isps: number;
  /** On the detail page only. */
  users?: number;
  firstSeen: string;
  lastSeen: string;
}

/** The world shaded by events or by risky users (?metric=), a click opens the country. */
function CountriesMap() {
  const api = useProjectApi();
  const range = useDateRange();
  const href = useHref();
  const metric = useLocation().search.get('metric') === 'risky' ? 'risky' : 'events';
  const map = useFetch<{ values: Record<string, number> }>(api('/countries-map'), {
    from: range.from,
    to: range.to,
    metric,
  });
  return (
    <section className="panel entity-map" data-testid="countries-map" data-metric={metric}>
      <fieldset className="entity-map-toggle chips">
        <legend>{t('countries.map.metric')}</legend>
        {(['events', 'risky'] as const).map((m) => (
          <button
            type="button"
            key={m}
            className={metric === m ? 'chip active' : 'chip'}
            aria-pressed={metric === m}
            onClick={() => setQueryParams({ metric: m === 'events' ? null : m }, { push: false })}
          >
            {t(`countries.map.${m}`)}
          </button>
        ))}
      </fieldset>
      {map.error && <ErrorBox error={map.error} />}
      <WorldMap
        values={map.data?.values ?? {}}
        label={t(`countries.map.${metric}`)}
        hrefFor={(iso) => href(`/countries/${iso}`)}
      />
    </section>
  );
}

export function CountriesPage() {
  return (
    <EntityListPage<CountryRow>
      kind="countries"
      title={t('countries.title')}
      newLabel={t('countries.new')}
      rowId={(r) => r.iso}
      defaultSort="events"
      above={<CountriesMap />}
      columns={[
        {
          key: 'name',
          label: t('entities.col.country'),
          sortable: true,
          render: (r) => (
            <EntityLink to="countries" id={r.iso}>
              {r.name}
            </EntityLink>
          ),
        },
        { key: 'iso', label: t('countries.code'), sortable: true },
        { key: 'ips', label: t('entities.col.ips'), numeric: true, render: (r) => formatNumber(r.ips) },
        { key: 'isps', label: t('countries.isps'), numeric: true, render: (r) => formatNumber(r.isps) },
        ...seenColumns<CountryRow>(),
      ]}
    />
  );
}

export function CountryPage({ params }: { params: Record<string, string> }) {
  return (
    <EntityDetailPage<CountryRow>
      kind="countries"
      entityKey={params.iso ?? ''}
      title={(e) => e.name}
      subtitle={(e) => e.iso}
      mapLabel={t('countries.title')}
      tiles={(e) => [
        { label: t('entities.col.users'), value: formatNumber(e.users), testId: 'tile-users' },
        { label: t('entities.col.ips'), value: formatNumber(e.ips), testId: 'tile-ips' },
        { label: t('countries.isps'), value: formatNumber(e.isps) },
        { label: t('entities.col.events'), value: formatNumber(e.events), testId: 'tile-events' },
        ...seenTiles(e),
      ]}
      sections={(d) => (
        <>
          <IpTable scope={{ country: d.entity.iso }} />
          <RelatedTable
            title={t('countries.isps')}
            testId="country-isps"
            rows={d.related.isps ?? []}
            columns={[
              {
                key: 'name',
                label: t('entities.col.isp'),
                render: (r) => (
                  <EntityLink to="isps" id={r.id as number}>
                    {`AS${r.asn} ${r.name}`}
                  </EntityLink>
                ),
              },
              { key: 'ips', label: t('entities.col.ips'), numeric: true },
              { key: 'events', label: t('entities.col.events'), numeric: true },
            ]}
          />
        </>
      )}
    />
  );
}
