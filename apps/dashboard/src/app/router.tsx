import { type AnchorHTMLAttributes, type MouseEvent, useCallback, useSyncExternalStore } from 'react';

// A small router over the History API: the whole console state (page, filters, sort, period)
// lives in the URL, so any view can be bookmarked, shared with a colleague or reloaded.

const listeners = new Set<() => void>();
function notify() {
  for (const listener of listeners) listener();
}
window.addEventListener('popstate', notify);

function subscribe(listener: () => void) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
const currentHref = () => window.location.pathname + window.location.search;

/** The current path and query, re-rendering on every navigation. */
export function useLocation(): { pathname: string; search: URLSearchParams } {
  const href = useSyncExternalStore(subscribe, currentHref);
  const url = new URL(href, window.location.origin);
  return { pathname: url.pathname, search: url.searchParams };
}

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (to === currentHref()) return;
  if (options.replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  window.scrollTo(0, 0);
  notify();
}

/** Matches '/users/:userId' against a path; returns the decoded params or null. */
export function matchPath(pattern: string, pathname: string): Record<string, string> | null {
  const p = pattern.split('/').filter(Boolean);
  const s = pathname.split('/').filter(Boolean);
  if (p.length !== s.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    const part = p[i]!;
    if (part.startsWith(':')) {
      try {
        params[part.slice(1)] = decodeURIComponent(s[i]!);
      } catch {
        return null;
      }
    } else if (part !== s[i]) return null;
  }
  return params;
}

export function Link({ href, onClick, ...rest }: AnchorHTMLAttributes<HTMLAnchorElement> & { href: string }) {
  const handle = (event: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(event);
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey)
      return;
    event.preventDefault();
    navigate(href);
  };
  return <a href={href} onClick={handle} {...rest} />;
}

/**
 * One query parameter as state. Setting it replaces the history entry (typing in a filter does
 * not fill the back button) and, unless told otherwise, sends the list back to page 1.
 */
export function useQueryParam(name: string, fallback = ''): [string, (value: string) => void] {
  const { search } = useLocation();
  const value = search.get(name) ?? fallback;
  const set = useCallback(
    (next: string) =>
      setQueryParams({ [name]: next === fallback ? null : next, ...(name !== 'page' ? { page: null } : {}) }),
    [name, fallback],
  );
  return [value, set];
}

/** Sets or removes (null) several query parameters at once. */
export function setQueryParams(
  values: Record<string, string | null>,
  options: { push?: boolean } = {},
): void {
  const url = new URL(window.location.href);
  for (const [key, value] of Object.entries(values)) {
    if (value === null || value === '') url.searchParams.delete(key);
    else url.searchParams.set(key, value);
  }
  navigate(url.pathname + url.search, { replace: !options.push });
}
