/** A tiny inline line chart (SVG, no library): this week against the previous one. */
export function Sparkline({
  values,
  previous,
  label,
}: {
  values: number[];
  previous?: number[];
  label: string;
}) {
  const width = 120;
  const height = 32;
  const max = Math.max(1, ...values, ...(previous ?? []));
  const points = (series: number[]) =>
    series
      .map(
        (v, i) =>
          `${((i / Math.max(series.length - 1, 1)) * width).toFixed(1)},${(height - (v / max) * (height - 2) - 1).toFixed(1)}`,
      )
      .join(' ');
  return (
    <svg className="sparkline" width={width} height={height} role="img" aria-label={label}>
      {previous && <polyline points={points(previous)} className="sparkline-previous" />}
      <polyline points={points(values)} className="sparkline-current" />
    </svg>
  );
}
