import { useMemo } from 'react';
import type { Query } from '../../app/api.ts';
import { useDateRange } from '../../app/date-range.ts';
import { t } from '../../app/i18n.ts';
import { useOperator, useProjectApi } from '../../app/session.tsx';
import { useFetch } from '../../app/use-fetch.ts';
import { Chart } from '../../components/Chart.tsx';
import { ErrorBox, Loading } from '../../components/States.tsx';

export interface EventsChartData {
  bucket: string;
  times: number[];
  series: { type: string; values: number[] }[];
}

/** Events per bucket of the period, one line per event type, in the operator's timezone. */
export function EventsChart({ filters = {} }: { filters?: Query }) {
  const api = useProjectApi();
  const range = useDateRange();
  const tz = useOperator().timezone;
  const { data, error } = useFetch<EventsChartData>(api('/events/chart'), {
    from: range.from,
    to: range.to,
    bucket: range.bucket,
    tz,
    ...filters,
  });
  const series = useMemo(
    () => data?.series.map((s) => ({ label: t(`events.type.${s.type}`), values: s.values })) ?? [],
    [data],
  );
  if (error) return <ErrorBox error={error} />;
  if (!data) return <Loading />;
  return (
    <div className="panel events-chart" data-testid="events-chart">
      <h2>{t('events.chart')}</h2>
      <Chart times={data.times} series={series} label={t('events.chart')} timeZone={tz} />
    </div>
  );
}
