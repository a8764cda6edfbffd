import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Database } from '@vigil/db';
import { type EnrichmentData, loadBundledData, loadDataDir } from '@vigil/enrich';
import type { Config } from '../config.ts';
import { enrichmentDataDir } from '../enrich.ts';
import { onListsChanged } from './changes.ts';
import { type ProjectEnricher, projectListIndex } from './project-enricher.ts';
import { reenrich } from './reenrich.ts';
import { listsVersion, loadActiveEntries } from './store.ts';

/**
 * Keeps a running server's enricher current without a restart:
 *
 * - **Lists.** Every few seconds it reads the lists version (one row, bumped by every import and
 *   delete in their own transaction) and, when it moved, loads the unexpired entries of every
 *   project into a new index and swaps it in. An HTTP import or delete in this process asks for a
 *   reload at once (changes.ts); imports by other processes are seen at the next poll.
 * - **Data files.** It polls the names, sizes and modification times of the files in
 *   `<data dir>/enrichment` (fs.watch misses changes on some file systems and network mounts);
 *   when they change it loads the folder and swaps the new data in. A bad file is logged and the
 *   current data stays. After a data swap, stored entities are re-enriched in the background.
 */

export interface ReloaderLog {
  info(message: string): void;
  error(message: string): void;
}

export interface EnrichmentReloaderOptions {
  db: Database;
  enricher: ProjectEnricher;
  config: Config;
  log: ReloaderLog;
  /** Poll period in milliseconds (default 3000). */
  intervalMs?: number;
  /** Re-enrich stored entities in the background after new data files were loaded (default true). */
  reenrichOnDataUpdate?: boolean;
  /** The folder to watch; `<data dir>/enrichment` by default. */
  dataDir?: string;
}

export interface EnrichmentReloader {
  /** Checks the lists version and the data folder now; resolves when any reload is done. */
  refresh(): Promise<void>;
  /** The background re-enrichment in progress, if any (resolves when it ends). */
  reenriching(): Promise<void> | null;
  stop(): Promise<void>;
}

export const DEFAULT_RELOAD_INTERVAL_MS = 3000;

/** Runs fn one at a time; a call during a run schedules exactly one more run and waits for it. */
function serialised(fn: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | null = null;
  let queued: Promise<void> | null = null;
  const call = (): Promise<void> => {
    if (!running) {
      running = fn().finally(() => {
        running = null;
      });
      return running;
    }
    queued ??= running
      .catch(() => {})
      .then(() => {
        queued = null;
        return call();
      });
    return queued;
  };
  return call;
}

/** Names, sizes and times of the files loadDataDir would read; null when the folder does not exist. */
async function folderSignature(dir: string): Promise<string | null> {
  let names: string[];
  try {
    names = (await readdir(dir)).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  const parts: string[] = [];
  for (const name of names) {
    if (name.startsWith('.') || /^readme/i.test(name)) continue;
    try {
      const s = await stat(join(dir, name));
      if (s.isFile()) parts.push(`${name}:${s.size}:${s.mtimeMs}`);
    } catch {
      // Removed between readdir and stat: the next poll sees the folder as it is.
    }
  }
  return parts.join('|');
}

export function describeSources(data: EnrichmentData): string {
  return data.sources
    .filter((s) => s.origin === 'operator')
    .map((s) => `${s.id} ${s.name} (${s.date ?? 'no date'}, ${s.entries} entries)`)
    .join('; ');
}

export async function startEnrichmentReloader(
  options: EnrichmentReloaderOptions,
): Promise<EnrichmentReloader> {
  const { db, enricher, log } = options;
  const dir = options.dataDir ?? enrichmentDataDir(options.config);
  const intervalMs = options.intervalMs ?? DEFAULT_RELOAD_INTERVAL_MS;
  const reenrichOnUpdate = options.reenrichOnDataUpdate ?? true;
  let stopped = false;

  let loadedVersion: number | null = null;
  const reloadLists = serialised(async () => {
    if (stopped) return;
    try {
      const version = await listsVersion(db);
      if (version === loadedVersion) return;
      const entries = await loadActiveEntries(db);
      const { index, owners } = projectListIndex(entries);
      enricher.swapLists(index, owners);
      if (loadedVersion !== null || index.size > 0) {
        log.info(`lists: ${index.size} active entries of ${owners.size} lists loaded (version ${version})`);
      }
      loadedVersion = version;
    } catch (error) {
      log.error(`lists: reload failed, keeping the loaded lists: ${(error as Error).message}`);
    }
  });

  // The folder was read by createEnricher just before: start from what it holds now.
  let seen = await folderSignature(dir).catch(() => null);
  const reloadData = serialised(async () => {
    if (stopped) return;
    let signature: string | null;
    try {
      signature = await folderSignature(dir);
    } catch (error) {
      log.error(`enrichment data: cannot read ${dir}: ${(error as Error).message}`);
      return;
    }
    if (signature === seen) return;
    seen = signature;
    let data: EnrichmentData;
    try {
      data = signature === null ? loadBundledData() : await loadDataDir(dir);
    } catch (error) {
      log.error(
        `enrichment data: ${dir} not loaded (${(error as Error).message}); keeping the data loaded at ${enricher.data.loadedAt}`,
      );
      return;
    }
    enricher.swapData(data);
    log.info(`enrichment data: loaded ${dir}: ${describeSources(data) || 'bundled data only'}`);
    if (reenrichOnUpdate && !stopped) startReenrich();
  });

  let reenrichRun: Promise<void> | null = null;
  let reenrichAbort: AbortController | null = null;
  function startReenrich(): void {
    reenrichAbort?.abort();
    const previous = reenrichRun;
    const controller = new AbortController();
    reenrichAbort = controller;
    const run = (async () => {
      await previous?.catch(() => {});
      if (controller.signal.aborted) return;
      const started = Date.now();
      try {
        const result = await reenrich(db, enricher, {
          signal: controller.signal,
          onProgress: (p) => {
            if (p.finished)
              log.info(`re-enrichment: ${p.table} ${p.done} rows checked, ${p.changed} changed`);
          },
        });
        const changed = Object.values(result).reduce((n, r) => n + r.changed, 0);
        log.info(`re-enrichment: done in ${Date.now() - started} ms, ${changed} rows changed`);
      } catch (error) {
        if (controller.signal.aborted) return;
        log.error(`re-enrichment failed: ${(error as Error).message}`);
      }
    })();
    reenrichRun = run;
    void run.finally(() => {
      if (reenrichRun === run) reenrichRun = null;
    });
  }

  await reloadLists();
  const unsubscribe = onListsChanged(db, reloadLists);
  const refresh = async () => {
    await Promise.all([reloadLists(), reloadData()]);
  };
  const timer = setInterval(() => {
    void refresh();
  }, intervalMs);
  timer.unref();

  return {
    refresh,
    reenriching: () => reenrichRun,
    async stop() {
      stopped = true;
      clearInterval(timer);
      unsubscribe();
      reenrichAbort?.abort();
      await Promise.all([reloadLists(), reloadData(), reenrichRun?.catch(() => {})]);
    },
  };
}
