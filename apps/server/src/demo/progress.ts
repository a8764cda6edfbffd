/**
 * A progress line for long CLI runs: events sent of the total, rate and time left. On a terminal
 * one line is redrawn in place (at most ten times a second); elsewhere (CI logs, pipes) a plain
 * line is written every 10% or 10 seconds, whichever comes first.
 */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface Progress {
  /** Sets the amount done so far. */
  update(done: number): void;
  /** Draws the final state and ends the line. */
  finish(): void;
}

const BAR_WIDTH = 24;

export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

export function createProgress(
  stream: ProgressStream,
  options: { total: number; label: string; unit: string; now?: () => number },
): Progress {
  const now = options.now ?? (() => performance.now());
  const started = now();
  const tty = stream.isTTY === true;
  let done = 0;
  let lastDraw = Number.NEGATIVE_INFINITY;
  let lastPlainPercent = -1;
  let finished = false;

  const line = (): string => {
    const { total, unit, label } = options;
    const elapsed = now() - started;
    const fraction = total > 0 ? Math.min(1, done / total) : 1;
    const rate = elapsed > 0 ? (done * 1000) / elapsed : 0;
    const eta = rate > 0 ? ((total - done) * 1000) / rate : Number.NaN;
    const percent = `${Math.floor(fraction * 100)}%`.padStart(4);
    const counts = `${formatCount(done)}/${formatCount(total)} ${unit}`;
    const speed = `${formatCount(rate)} ${unit}/s`;
    const left =
      done >= total
        ? `in ${formatDuration(elapsed)}`
        : `ETA ${Number.isNaN(eta) ? '?' : formatDuration(eta)}`;
    if (!tty) return `${label}: ${percent.trim()} ${counts}, ${speed}, ${left}`;
    const filled = Math.round(fraction * BAR_WIDTH);
    const bar = `${'█'.repeat(filled)}${'░'.repeat(BAR_WIDTH - filled)}`;
    return `${label} ${bar} ${percent}  ${counts}  ${speed}  ${left}`;
  };

  const draw = (force: boolean) => {
    const t = now();
    if (tty) {
      if (!force && t - lastDraw < 100) return;
      lastDraw = t;
      let text = line();
      const width = stream.columns ?? 0;
      if (width > 10 && text.length >= width) text = text.slice(0, width - 1);
      stream.write(`\r${text}\x1b[K`);
      return;
    }
    const percent = options.total > 0 ? Math.floor((done / options.total) * 10) * 10 : 100;
    if (force || percent > lastPlainPercent || t - lastDraw >= 10_000) {
      lastDraw = t;
      lastPlainPercent = Math.max(lastPlainPercent, percent);
      stream.write(`${line()}\n`);
    }
  };

  return {
    update(value) {
      done = value;
      if (!finished) draw(false);
    },
    finish() {
      if (finished) return;
      finished = true;
      if (tty) {
        draw(true);
        stream.write('\n');
      } else if (lastPlainPercent < 100 || done < options.total) {
        draw(true);
      }
    },
  };
}
