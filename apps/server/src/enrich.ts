import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Enricher } from '@vigil/core';
import { createEnricher as createOfflineEnricher, loadDataDir, type OfflineEnricher } from '@vigil/enrich';
import type { Config } from './config.ts';

/** Where operators drop newer data files (TOR exits, relay ranges, MaxMind files…) for `vigil data update`. */
export function enrichmentDataDir(config: Config): string {
  return join(config.dataDir, 'enrichment');
}

/**
 * The enricher the server runs with: the data shipped in npm packages, overlaid by any newer files
 * the operator loaded into the data folder, and a line for the start-up report.
 */
export async function createEnricher(
  config: Config,
): Promise<{ enricher: OfflineEnricher; description: string }> {
  const enricher = createOfflineEnricher();
  const dir = enrichmentDataDir(config);
  let description = `offline data (${enricher.data.sources.length} sources)`;
  if (existsSync(dir)) {
    enricher.swapData(await loadDataDir(dir));
    description = `offline data (${enricher.data.sources.length} sources, including ${dir})`;
  }
  return { enricher, description };
}

export type { Enricher };
