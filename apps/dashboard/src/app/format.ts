// Times are shown in the operator's timezone; the API speaks UTC ISO instants.

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string, withSeconds: boolean): Intl.DateTimeFormat {
  const key = `${timeZone}|${withSeconds}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      ...(withSeconds ? { second: '2-digit' } : {}),
      hour12: false,
    });
    formatters.set(key, f);
  }
  return f;
}

export function formatDateTime(
  value: string | Date | null | undefined,
  timeZone: string,
  withSeconds = false,
): string {
  if (!value) return '—';
  const date = typeof value === 'string' ? new Date(value) : value;
  if (Number.isNaN(date.getTime())) return '—';
  return formatter(timeZone, withSeconds).format(date);
}

/** "3 min ago", "2 d ago": for last-seen columns. */
export function formatAgo(value: string | null | undefined, now = Date.now()): string {
  if (!value) return '—';
  const seconds = Math.round((now - Date.parse(value)) / 1000);
  if (seconds < 60) return `${Math.max(seconds, 0)} s ago`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.round(seconds / 3600)} h ago`;
  return `${Math.round(seconds / 86_400)} d ago`;
}

/** An <input type="datetime-local"> value read as wall-clock time in timeZone → ISO instant. */
export function zonedToIso(local: string, timeZone: string): string {
  const guess = Date.parse(`${local}:00Z`);
  const offset = (at: number) => {
    const parts = Object.fromEntries(
      new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
      })
        .formatToParts(at)
        .map((p) => [p.type, p.value]),
    );
    return (
      Date.UTC(+parts.year!, +parts.month! - 1, +parts.day!, +parts.hour!, +parts.minute!, +parts.second!) -
      at
    );
  };
  // Twice, so a guess on the other side of a DST change lands right.
  const first = guess - offset(guess);
  return new Date(guess - offset(first)).toISOString();
}
