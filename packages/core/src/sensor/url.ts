/**
 * Splitting the query string off a URL exactly where tirreno does: it asks PHP's parse_url for
 * the query and removes `?<query>`. Two consequences we keep for compatibility: the fragment
 * stays in the URL (`/a?b=1#c` → `/a#c` + `?b=1`), and a URL parse_url rejects keeps its query
 * (`http:///x?y`, and PHP's quirk `/page:1/x?y`, whose `:1` it takes for a port with no host).
 */

export interface UrlParts {
  /** The resource: the URL without `?query`. */
  url: string;
  /** `?query`, or null when there is none (an empty query is no query). */
  query: string | null;
}

export function splitUrlQuery(full: string): UrlParts {
  if (phpParseUrlFails(full)) return { url: full, query: null };
  const hash = full.indexOf('#');
  const end = hash < 0 ? full.length : hash;
  const q = full.indexOf('?');
  if (q < 0 || q >= end - 1) return { url: full, query: null };
  return { url: full.slice(0, q) + full.slice(end), query: full.slice(q, end) };
}

const SCHEME = /^[A-Za-z0-9+.-]+$/;

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

/** `//` at `i`: a scheme-relative URL, whose authority comes next. */
function isAuthorityStart(s: string, i: number): boolean {
  return s.startsWith('//', i);
}

/**
 * Whether PHP's parse_url() returns false. Only the failure cases matter here: when it
 * succeeds, its query is always the text between the first `?` and the first `#` after it.
 */
export function phpParseUrlFails(s: string): boolean {
  const colon = s.indexOf(':');
  if (colon < 0) return isAuthorityStart(s, 0) ? authorityFails(s, 2, null) : false;
  if (colon === 0) return portPrefixFails(s, 0, 0);
  if (!SCHEME.test(s.slice(0, colon))) {
    const queryOrFragment = s.search(/[?#]/);
    if (colon + 1 < s.length && (queryOrFragment < 0 || colon < queryOrFragment)) {
      return portPrefixFails(s, 0, colon);
    }
    return isAuthorityStart(s, 0) ? authorityFails(s, 2, null) : false;
  }
  if (colon + 1 === s.length) return false;
  if (s[colon + 1] !== '/') {
    // `host:80` and `host:80/path` read as a host and port, anything else as `scheme:path`.
    let p = colon + 1;
    while (isDigit(s[p])) p++;
    if ((p === s.length || s[p] === '/') && p - colon < 7) return portPrefixFails(s, 0, colon);
    return false;
  }
  if (s[colon + 2] !== '/') return false;
  // file:///path has an empty authority and is still valid.
  if (s.slice(0, colon).toLowerCase() === 'file' && s[colon + 3] === '/') return false;
  return authorityFails(s, colon + 3, null);
}

/** A `:digits` right after the start (no valid scheme): PHP takes the digits for a port. */
function portPrefixFails(s: string, start: number, colon: number): boolean {
  const p = colon + 1;
  let pp = p;
  while (pp < s.length && pp - p < 6 && isDigit(s[pp])) pp++;
  const digits = pp - p;
  if (digits > 0 && digits < 6 && (pp === s.length || s[pp] === '/')) {
    const port = Number(s.slice(p, pp));
    if (port > 65535) return true;
    return authorityFails(s, isAuthorityStart(s, start) ? start + 2 : start, port);
  }
  if (digits === 0 && pp === s.length) return true;
  if (isAuthorityStart(s, start)) return authorityFails(s, start + 2, null);
  return false;
}

/** `[user[:pass]@]host[:port]` from `start` up to the first `/`, `?` or `#`. */
function authorityFails(s: string, start: number, port: number | null): boolean {
  let end = s.slice(start).search(/[/?#]/);
  end = end < 0 ? s.length : start + end;
  let hostStart = start;
  const at = s.lastIndexOf('@', end - 1);
  if (at >= start) hostStart = at + 1;
  let hostEnd = end;
  const bracketed = s[hostStart] === '[' && s[end - 1] === ']';
  const portColon = bracketed ? -1 : s.lastIndexOf(':', end - 1);
  if (portColon >= hostStart) {
    // A port of 0 counts as no port in PHP, so the one after the host is read again.
    if (!port) {
      const text = s.slice(portColon + 1, end);
      if (text.length > 5) return true;
      if (text.length > 0 && !isStrtolPort(text)) return true;
    }
    hostEnd = portColon;
  }
  return hostEnd - hostStart < 1;
}

/** C strtol as PHP uses it: blanks, a sign, then at least one digit; the rest is ignored. */
function isStrtolPort(text: string): boolean {
  const m = /^[ \t\n\v\f\r]*([+-]?)([0-9]+)/.exec(text);
  if (m === null) return false;
  const n = Number(m[2]) * (m[1] === '-' ? -1 : 1);
  return n >= 0 && n <= 65535;
}
