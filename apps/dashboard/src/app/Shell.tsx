import { type ReactNode, useEffect, useRef, useState } from 'react';
import { api } from './api.ts';
import { RANGES, rangeFrom, rangeQuery } from './date-range.ts';
import { menu } from './features.ts';
import { zonedToIso } from './format.ts';
import { formatNumber, t } from './i18n.ts';
import { Link, navigate, setQueryParams, useLocation } from './router.tsx';
import { type ProjectAccess, useSession } from './session.tsx';
import { toggleTheme } from './theme.ts';

interface Counts {
  review: number;
  blacklisted: number;
  watched: number;
}

/** The frame of every signed-in page: menu with live counts, search, period, project, theme. */
export function Shell({ children }: { children: ReactNode }) {
  const { me, signOut } = useSession();
  const { pathname, search } = useLocation();
  const projectId = /^\/p\/([^/]+)/.exec(pathname)?.[1];
  const project = me?.projects.find((p) => p.id === projectId);
  const counts = useCounts(project);
  const keep = rangeQuery(search);
  return (
    <div className="shell">
      <nav className="sidebar" aria-label="main">
        <div className="brand">{t('app.name')}</div>
        {me && me.projects.length > 0 && <ProjectSwitcher projects={me.projects} current={project} />}
        {project && (
          <ul className="menu">
            {menu.map((item) => {
              const href = `/p/${project.id}${item.path}`;
              const active =
                item.path === '/'
                  ? pathname === `/p/${project.id}/` || pathname === `/p/${project.id}`
                  : pathname.startsWith(href);
              const count = item.menu.count ? counts?.[item.menu.count] : undefined;
              return (
                <li key={item.path}>
                  <Link href={`${href}${keep}`} className={active ? 'active' : undefined}>
                    <span>{t(item.menu.label)}</span>
                    {count !== undefined && (
                      <span className="count" data-testid={`count-${item.menu.count}`}>
                        {formatNumber(count)}
                      </span>
                    )}
                  </Link>
                </li>
              );
            })}
          </ul>
        )}
        <ul className="menu menu-bottom">
          <li>
            <Link href="/account">{t('menu.account')}</Link>
          </li>
          <li>
            <button
              type="button"
              className="link"
              onClick={() => void signOut().then(() => navigate('/login'))}
            >
              {t('menu.signOut')}
            </button>
          </li>
        </ul>
      </nav>
      <div className="main">
        <header className="topbar">
          {project && <GlobalSearch project={project} />}
          {project && <RangeControl search={search} timeZone={me?.operator.timezone ?? 'UTC'} />}
          <span className="operator muted">{me?.operator.email}</span>
          <button
            type="button"
            className="icon"
            title={t('theme.toggle')}
            aria-label={t('theme.toggle')}
            onClick={() => toggleTheme()}
          >
            ◐
          </button>
        </header>
        <main className="content">{children}</main>
      </div>
    </div>
  );
}

/** The review-queue, blacklist and watchlist counts, refreshed every 20 s and on navigation. */
function useCounts(project: ProjectAccess | undefined): Counts | undefined {
  const [counts, setCounts] = useState<Counts>();
  const { pathname } = useLocation();
  // biome-ignore lint/correctness/useExhaustiveDependencies: reloaded on navigation, so a decision made on a page shows in the menu at once
  useEffect(() => {
    if (!project) return;
    let live = true;
    const load = () =>
      api
        .get<{ counts: Counts }>(`/api/console/projects/${project.id}`)
        .then((r) => live && setCounts(r.counts))
        .catch(() => {});
    void load();
    const timer = setInterval(load, 20_000);
    window.addEventListener(COUNTS_CHANGED, load);
    return () => {
      live = false;
      clearInterval(timer);
      window.removeEventListener(COUNTS_CHANGED, load);
    };
  }, [project, pathname]);
  return counts;
}

const COUNTS_CHANGED = 'vigil:counts-changed';
/** Pages call this after a decision, so the menu's counts follow at once (not in 20 s). */
export function refreshMenuCounts(): void {
  window.dispatchEvent(new Event(COUNTS_CHANGED));
}

function ProjectSwitcher({
  projects,
  current,
}: {
  projects: ProjectAccess[];
  current: ProjectAccess | undefined;
}) {
  return (
    <label className="project-switcher">
      <span className="muted">{t('project.switch')}</span>
      <select
        value={current?.id ?? ''}
        onChange={(e) => navigate(`/p/${e.target.value}/`)}
        data-testid="project-switcher"
      >
        {!current && <option value="">—</option>}
        {projects.map((p) => (
          <option key={p.id} value={p.id}>
            {p.name}
          </option>
        ))}
      </select>
    </label>
  );
}

interface SearchHit {
  kind: string;
  label: string;
  detail?: string;
  /** Path inside the project, e.g. /users/42. */
  path: string;
}

/** Search for a user id, e-mail, IP, ASN, domain or phone; the / key puts the cursor here. */
function GlobalSearch({ project }: { project: ProjectAccess }) {
  const input = useRef<HTMLInputElement>(null);
  const [q, setQ] = useState('');
  const [hits, setHits] = useState<SearchHit[] | null>(null);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const target = e.target as HTMLElement;
      if (
        e.key === '/' &&
        !['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName) &&
        !target.isContentEditable
      ) {
        e.preventDefault();
        input.current?.focus();
      }
      if (e.key === 'Escape') setHits(null);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  useEffect(() => {
    const text = q.trim();
    if (!text) {
      setHits(null);
      return;
    }
    let live = true;
    const timer = setTimeout(() => {
      api
        .get<{ results: SearchHit[] }>(`/api/console/projects/${project.id}/search`, { q: text })
        .then((r) => live && setHits(r.results))
        .catch(() => live && setHits([]));
    }, 200);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [q, project.id]);
  const go = (hit: SearchHit) => {
    setHits(null);
    setQ('');
    navigate(`/p/${project.id}${hit.path}`);
  };
  return (
    <div className="global-search">
      <input
        ref={input}
        type="search"
        value={q}
        placeholder={t('search.placeholder')}
        aria-label={t('search.label')}
        onChange={(e) => setQ(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && hits?.[0]) go(hits[0]);
        }}
        data-testid="global-search"
      />
      {hits && (
        <ul className="search-results">
          {hits.length === 0 && <li className="muted">{t('search.none', { q })}</li>}
          {hits.map((hit) => (
            <li key={`${hit.kind}:${hit.path}`}>
              <button type="button" className="link" onClick={() => go(hit)}>
                <span className="badge">{hit.kind}</span> {hit.label}
                {hit.detail && <span className="muted"> {hit.detail}</span>}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** 1H … 3M, all, or an absolute range; kept in the URL for every page. */
function RangeControl({ search, timeZone }: { search: URLSearchParams; timeZone: string }) {
  const range = rangeFrom(search);
  const [custom, setCustom] = useState(false);
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  return (
    <fieldset className="range" aria-label={t('range.label')}>
      {RANGES.map((r) => (
        <button
          type="button"
          key={r}
          className={range.name === r ? 'chip active' : 'chip'}
          aria-pressed={range.name === r}
          onClick={() => {
            setCustom(false);
            setQueryParams({ range: r === '1W' ? null : r, from: null, to: null, page: null });
          }}
        >
          {t(`range.${r}`)}
        </button>
      ))}
      <button
        type="button"
        className={range.name === 'custom' ? 'chip active' : 'chip'}
        onClick={() => setCustom(!custom)}
      >
        {t('range.custom')}
      </button>
      {custom && (
        <form
          className="range-custom"
          onSubmit={(e) => {
            e.preventDefault();
            if (!from || !to) return;
            setQueryParams({
              range: null,
              from: zonedToIso(from, timeZone),
              to: zonedToIso(to, timeZone),
              page: null,
            });
            setCustom(false);
          }}
        >
          <label>
            {t('range.from')}{' '}
            <input type="datetime-local" value={from} onChange={(e) => setFrom(e.target.value)} />
          </label>
          <label>
            {t('range.to')} <input type="datetime-local" value={to} onChange={(e) => setTo(e.target.value)} />
          </label>
          <button type="submit">{t('range.apply')}</button>
        </form>
      )}
    </fieldset>
  );
}
