import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Enricher } from '@vigil/core';
import { createEnricher as createOfflineEnricher, loadDataDir } from '@vigil/enrich';
import type { Config } from './config.ts';
import { createProjectEnricher, type ProjectEnricher } from './lists/project-enricher.ts';

/** Where operators' newer data files (TOR exits, relay ranges, MaxMind files…) live; `vigil data update` fills it. */
export function enrichmentDataDir(config: Config): string {
  return join(config.dataDir, 'enrichment');
}

/**
 * The enricher the server runs with: the data shipped in npm packages, overlaid by any newer files
 * the operator loaded into the data folder, and a line for the start-up report. Operator lists
 * are loaded (and kept current) by the reloader (lists/reloader.ts); each answer carries only the
 * lists of the project it is for (lists/project-enricher.ts).
 */
export async function createEnricher(
  config: Config,
): Promise<{ enricher: ProjectEnricher; description: string }> {
  const enricher = createProjectEnricher(createOfflineEnricher());
  const dir = enrichmentDataDir(config);
  let description = `offline data (${enricher.data.sources.length} sources)`;
  if (existsSync(dir)) {
    enricher.swapData(await loadDataDir(dir));
    description = `offline data (${enricher.data.sources.length} sources, including ${dir})`;
  }
  return { enricher, description };
}

export type { Enricher };
