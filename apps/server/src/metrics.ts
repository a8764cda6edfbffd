/**
 * A small Prometheus registry: counters, gauges and fixed-bucket histograms with labels, rendered
 * in the text exposition format 0.0.4. Enough for Vigil's own instruments without a dependency.
 *
 * `metrics` is the process-wide registry that modules record into (one process serves one app).
 * Values that belong to one app instance (its writer, its database) are read at scrape time by
 * collectors on a registry the app creates; GET /metrics renders both.
 */

export type Labels = Record<string, string>;

export interface Sample {
  /** Appended to the metric name (histograms: _bucket, _sum, _count). */
  suffix?: string;
  labels?: Labels;
  value: number;
}

type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary';

interface Family {
  name: string;
  help: string;
  type: MetricType;
  samples(): Sample[] | Promise<Sample[]>;
}

/** Read at scrape time: a single value, or labelled values. */
export type Collect = () =>
  | number
  | Promise<number>
  | { labels: Labels; value: number }[]
  | Promise<{ labels: Labels; value: number }[]>;

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Default buckets for durations in seconds, from a millisecond to ten seconds. */
export const SECONDS_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

class Labelled<T> {
  readonly children = new Map<string, { labels: Labels; value: T }>();

  constructor(
    private readonly metric: string,
    private readonly labelNames: readonly string[],
    private readonly initial: () => T,
  ) {}

  get(labels: Labels | undefined): T {
    const given = labels ?? {};
    const names = Object.keys(given);
    if (
      names.length !== this.labelNames.length ||
      !this.labelNames.every((l) => typeof given[l] === 'string')
    ) {
      throw new Error(`${this.metric}: labels must be exactly [${this.labelNames.join(', ')}]`);
    }
    const key = this.labelNames.map((l) => given[l]).join('\u0000');
    let child = this.children.get(key);
    if (!child) {
      const ordered: Labels = {};
      for (const l of this.labelNames) ordered[l] = given[l]!;
      child = { labels: ordered, value: this.initial() };
      this.children.set(key, child);
    }
    return child.value;
  }
}

export class Counter {
  private readonly values: Labelled<{ n: number }>;

  constructor(name: string, labelNames: readonly string[]) {
    this.values = new Labelled(name, labelNames, () => ({ n: 0 }));
    if (labelNames.length === 0) this.values.get({});
  }

  inc(labels?: Labels, by = 1): void {
    if (!(by >= 0)) throw new Error('A counter only goes up');
    this.values.get(labels).n += by;
  }

  /** The current value, for tests and for code that reports it elsewhere. */
  value(labels?: Labels): number {
    return this.values.get(labels).n;
  }

  samples(): Sample[] {
    return [...this.values.children.values()].map((c) => ({ labels: c.labels, value: c.value.n }));
  }
}

export class Gauge {
  private readonly values: Labelled<{ n: number }>;

  constructor(name: string, labelNames: readonly string[]) {
    this.values = new Labelled(name, labelNames, () => ({ n: 0 }));
    if (labelNames.length === 0) this.values.get({});
  }

  set(value: number, labels?: Labels): void {
    this.values.get(labels).n = value;
  }

  inc(labels?: Labels, by = 1): void {
    this.values.get(labels).n += by;
  }

  dec(labels?: Labels, by = 1): void {
    this.values.get(labels).n -= by;
  }

  samples(): Sample[] {
    return [...this.values.children.values()].map((c) => ({ labels: c.labels, value: c.value.n }));
  }
}

export class Histogram {
  private readonly values: Labelled<{ counts: number[]; sum: number; count: number }>;

  constructor(
    name: string,
    private readonly buckets: readonly number[],
    labelNames: readonly string[],
  ) {
    if (buckets.length === 0 || buckets.some((b, i) => i > 0 && b <= buckets[i - 1]!)) {
      throw new Error(`${name}: buckets must be increasing`);
    }
    if (labelNames.includes('le')) throw new Error(`${name}: "le" is reserved`);
    this.values = new Labelled(name, labelNames, () => ({
      counts: new Array(buckets.length).fill(0),
      sum: 0,
      count: 0,
    }));
    if (labelNames.length === 0) this.values.get({});
  }

  observe(value: number, labels?: Labels): void {
    const v = this.values.get(labels);
    // Counts are kept per bucket and made cumulative when rendered.
    const i = this.buckets.findIndex((b) => value <= b);
    if (i >= 0) v.counts[i]! += 1;
    v.sum += value;
    v.count += 1;
  }

  /** Starts a timer; calling the result observes the elapsed seconds. */
  startTimer(labels?: Labels): () => number {
    const started = performance.now();
    return () => {
      const seconds = (performance.now() - started) / 1000;
      this.observe(seconds, labels);
      return seconds;
    };
  }

  samples(): Sample[] {
    const out: Sample[] = [];
    for (const { labels, value } of this.values.children.values()) {
      let cumulative = 0;
      this.buckets.forEach((b, i) => {
        cumulative += value.counts[i]!;
        out.push({ suffix: '_bucket', labels: { ...labels, le: formatNumber(b) }, value: cumulative });
      });
      out.push({ suffix: '_bucket', labels: { ...labels, le: '+Inf' }, value: value.count });
      out.push({ suffix: '_sum', labels, value: value.sum });
      out.push({ suffix: '_count', labels, value: value.count });
    }
    return out;
  }
}

export class Registry {
  private readonly families = new Map<string, { family: Family; instrument: unknown }>();

  /** A counter, created on first use; the same name returns the same counter. */
  counter(name: string, help: string, labelNames: readonly string[] = []): Counter {
    return this.instrument(name, help, 'counter', () => new Counter(name, labelNames));
  }

  histogram(
    name: string,
    help: string,
    buckets: readonly number[],
    labelNames: readonly string[] = [],
  ): Histogram {
    return this.instrument(name, help, 'histogram', () => new Histogram(name, buckets, labelNames));
  }

  /** A gauge set by the code, or with `collect`, read when scraped (e.g. a queue's length). */
  gauge(name: string, help: string, labelNames?: readonly string[]): Gauge;
  gauge(name: string, help: string, collect: Collect): void;
  gauge(name: string, help: string, arg: readonly string[] | Collect = []): Gauge | undefined {
    if (typeof arg === 'function') {
      this.collect(name, help, 'gauge', arg);
      return undefined;
    }
    return this.instrument(name, help, 'gauge', () => new Gauge(name, arg));
  }

  /**
   * A family whose values are read at scrape time, e.g. a counter kept elsewhere. Registering
   * the same name again replaces the collector.
   */
  collect(name: string, help: string, type: 'counter' | 'gauge' | 'summary', fn: Collect): void {
    checkName(name);
    const samples = async (): Promise<Sample[]> => {
      const result = await fn();
      return typeof result === 'number' ? [{ value: result }] : result;
    };
    this.families.set(name, { family: { name, help, type, samples }, instrument: null });
  }

  /** The exposition text (format 0.0.4). Collectors run concurrently. */
  async render(): Promise<string> {
    const families = [...this.families.values()].map((f) => f.family);
    const rendered = await Promise.all(
      families.map(async (f) => {
        let samples: Sample[];
        try {
          samples = await f.samples();
        } catch {
          // A collector that fails (the database is down) leaves its family out of this scrape;
          // the rest of the page still tells the operator what is happening.
          return '';
        }
        const lines = [`# HELP ${f.name} ${escapeHelp(f.help)}`, `# TYPE ${f.name} ${f.type}`];
        for (const s of samples) {
          lines.push(`${f.name}${s.suffix ?? ''}${formatLabels(s.labels)} ${formatNumber(s.value)}`);
        }
        return `${lines.join('\n')}\n`;
      }),
    );
    return rendered.join('');
  }

  private instrument<T>(name: string, help: string, type: MetricType, make: () => T): T {
    const existing = this.families.get(name);
    if (existing) {
      if (existing.family.type !== type || existing.instrument === null) {
        throw new Error(`Metric ${name} is already registered as a ${existing.family.type}`);
      }
      return existing.instrument as T;
    }
    checkName(name);
    const instrument = make();
    const family: Family = {
      name,
      help,
      type,
      samples: () => (instrument as unknown as { samples(): Sample[] }).samples(),
    };
    this.families.set(name, { family, instrument });
    return instrument;
  }
}

/** Renders several registries as one page (the process-wide one and an app's collectors). */
export async function renderMetrics(...registries: Registry[]): Promise<string> {
  return (await Promise.all(registries.map((r) => r.render()))).join('');
}

/** The process-wide registry. */
export const metrics = new Registry();

function checkName(name: string): void {
  if (!NAME.test(name)) throw new Error(`Invalid metric name: ${name}`);
}

function formatLabels(labels: Labels | undefined): string {
  if (!labels) return '';
  const entries = Object.entries(labels);
  if (entries.length === 0) return '';
  for (const [k] of entries) if (!LABEL.test(k)) throw new Error(`Invalid label name: ${k}`);
  return `{${entries.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}`;
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function escapeHelp(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function formatNumber(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Number.POSITIVE_INFINITY) return '+Inf';
  if (n === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(n);
}
