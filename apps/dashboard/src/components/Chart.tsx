import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface Series {
  label: string;
  values: (number | null)[];
  /** A CSS colour; the palette is used when absent. */
  color?: string;
}

const PALETTE = ['#1f6feb', '#d1242f', '#1a7f37', '#9a6700', '#8250df', '#bf3989', '#0969da', '#57606a'];

/**
 * A time-series chart (uPlot: small, fast, canvas). `times` are epoch seconds, one per bucket;
 * every series has one value per bucket. Labels are drawn by uPlot as text, never as markup.
 */
export function Chart({
  times,
  series,
  height = 220,
  label,
  timeZone,
}: {
  times: number[];
  series: Series[];
  height?: number;
  label: string;
  timeZone: string;
}) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const plot = new uPlot(
      {
        width: Math.max(element.clientWidth, 300),
        height,
        tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), timeZone),
        legend: { show: true },
        series: [
          {},
          ...series.map((s, i) => ({
            label: s.label,
            stroke: s.color ?? PALETTE[i % PALETTE.length],
            width: 2,
            points: { show: times.length < 60 },
          })),
        ],
        axes: [
          { stroke: 'currentColor', grid: { stroke: 'rgba(128,128,128,0.15)' } },
          { stroke: 'currentColor', grid: { stroke: 'rgba(128,128,128,0.15)' } },
        ],
      },
      [times, ...series.map((s) => s.values)],
      element,
    );
    const resize = new ResizeObserver(() =>
      plot.setSize({ width: Math.max(element.clientWidth, 300), height }),
    );
    resize.observe(element);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [times, series, height, timeZone]);
  return <div className="chart" ref={box} role="img" aria-label={label} data-testid="chart" />;
}
