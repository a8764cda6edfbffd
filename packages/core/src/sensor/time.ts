/**
 * Event times. tirreno accepts `YYYY-MM-DD HH:MM:SS` with an optional fraction of 1–6 digits,
 * read as UTC, and lets out-of-range parts roll over (PHP DateTime::createFromFormat does:
 * `2024-02-30 25:61:61` is `2024-03-02 02:02:01`). Month, day and hour may have one digit,
 * minutes and seconds need two, as in PHP's `m`, `d`, `H`, `i`, `s`.
 *
 * Deviation: ISO 8601 with a `T` and/or a `Z` or offset is accepted too, because the native
 * JSON API and JavaScript's toISOString produce it; tirreno replaces such times with "now".
 */

const TIME =
  /^(\d{4})-(\d{1,2})-(\d{1,2})([Tt ])(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?$/;

/** The instant written in `s`, at millisecond precision, or null when it is not a time. */
export function parseSensorTime(s: string): Date | null {
  const m = TIME.exec(s);
  if (m === null) return null;
  const [, year, month, day, sep, hour, minute, second, fraction, zulu, sign, offH, offM] = m;
  const iso = sep !== ' ' || zulu !== undefined || sign !== undefined;
  // tirreno's formats stop at microseconds; nanoseconds only come with ISO text.
  if (!iso && fraction !== undefined && fraction.length > 6) return null;
  // Truncated, not rounded: a stored time never moves into the next millisecond.
  const ms = fraction === undefined ? 0 : Number(fraction.slice(0, 3).padEnd(3, '0'));
  let offsetMinutes = 0;
  if (sign !== undefined) {
    const h = Number(offH);
    const min = Number(offM ?? '0');
    if (h > 23 || min > 59) return null;
    offsetMinutes = (sign === '-' ? -1 : 1) * (h * 60 + min);
  }
  // setUTC* rather than Date.UTC: Date.UTC maps years 0–99 to 1900–1999.
  const date = new Date(0);
  date.setUTCFullYear(Number(year), Number(month) - 1, Number(day));
  date.setUTCHours(Number(hour), Number(minute) - offsetMinutes, Number(second), ms);
  return Number.isNaN(date.getTime()) ? null : date;
}
