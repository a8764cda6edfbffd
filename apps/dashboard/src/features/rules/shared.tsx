import { useEffect, useState } from 'react';
import { api } from '../../app/api.ts';
import { formatNumber, t } from '../../app/i18n.ts';
import { Link, useLocation } from '../../app/router.tsx';
import { useProjectApi, useProjectPath } from '../../app/session.tsx';
import type { Changes, Rescore } from './types.ts';
import './rules.css';

/** A rescore the server has just started over `total` users (a weight, threshold or preset change). */
export const startedRescore = (total: number): Rescore => ({
  running: true,
  total,
  done: 0,
  remaining: total,
  startedAt: null,
});

export const percent = (share: number) => `${Math.round(share * 1000) / 10}%`;

export const weightLabel = (weight: number) =>
  t(`rules.weight.${weight}`) === `rules.weight.${weight}`
    ? t('rules.weight.other', { weight })
    : t(`rules.weight.${weight}`);

/** The three views of the rules page, as links (each keeps the period). */
export function RulesTabs() {
  const path = useProjectPath();
  const { pathname, search } = useLocation();
  const keep = ['range', 'from', 'to']
    .filter((k) => search.get(k))
    .map((k) => `${k}=${encodeURIComponent(search.get(k)!)}`)
    .join('&');
  const tabs = [
    { href: path('/rules'), label: t('rules.tab.rules'), exact: true },
    { href: path('/rules/custom'), label: t('rules.tab.custom'), exact: false },
    { href: path('/rules/versions'), label: t('rules.tab.versions'), exact: false },
  ];
  return (
    <nav className="rules-tabs" aria-label={t('rules.title')}>
      {tabs.map((tab) => {
        const active = tab.exact ? pathname === tab.href : pathname.startsWith(tab.href);
        return (
          <Link
            key={tab.href}
            href={keep ? `${tab.href}?${keep}` : tab.href}
            className={active ? 'active' : undefined}
            aria-current={active ? 'page' : undefined}
          >
            {tab.label}
          </Link>
        );
      })}
    </nav>
  );
}

/**
 * The background rescore after a change: polled while it runs. `started` (a counter bumped by
 * each change) restarts the polling.
 */
export function RescoreProgress({ initial, started }: { initial: Rescore | null; started: number }) {
  const projectApi = useProjectApi();
  const [progress, setProgress] = useState<Rescore | null>(initial);
  useEffect(() => setProgress(initial), [initial]);
  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const next = await api.get<Rescore>(projectApi('/rules/rescore'));
        if (!live) return;
        setProgress(next);
        if (next.running) timer = setTimeout(poll, 1000);
      } catch {
        // The next change restarts polling; a failed poll only leaves the last figure shown.
      }
    };
    if (started > 0) void poll();
    return () => {
      live = false;
      if (timer) clearTimeout(timer);
    };
  }, [started, projectApi]);
  if (!progress || progress.total === 0) return null;
  return (
    <p className="rules-rescore muted" role="status" data-testid="rescore">
      {progress.running ? (
        <>
          <progress max={progress.total} value={progress.done} />{' '}
          {t('rules.rescore.running', {
            done: formatNumber(progress.done),
            total: formatNumber(progress.total),
          })}
        </>
      ) : (
        t('rules.rescore.done', { total: formatNumber(progress.total) })
      )}
    </p>
  );
}

/** "3 weights, added X01, changed X02": what a version or the draft changed. */
export function changesText(changes: Changes | null): string {
  if (!changes) return t('rules.versions.first');
  const parts: string[] = [];
  if (changes.weights.length) parts.push(t('rules.versions.weights', { count: changes.weights.length }));
  if (changes.thresholds.length)
    parts.push(t('rules.versions.thresholds', { count: changes.thresholds.length }));
  if (changes.added.length) parts.push(t('rules.versions.added', { codes: changes.added.join(', ') }));
  if (changes.changed.length) parts.push(t('rules.versions.changed', { codes: changes.changed.join(', ') }));
  if (changes.deleted.length) parts.push(t('rules.versions.deleted', { codes: changes.deleted.join(', ') }));
  return parts.length ? parts.join(', ') : t('rules.versions.none');
}

/** The weight changes in full, for a version or a preset preview. */
export function WeightChanges({ changes }: { changes: { code: string; from: number; to: number }[] }) {
  if (changes.length === 0) return null;
  return (
    <ul className="rules-changes">
      {changes.map((c) => (
        <li key={c.code}>{t('rules.change', { code: c.code, from: c.from, to: c.to })}</li>
      ))}
    </ul>
  );
}
