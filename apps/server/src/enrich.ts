import type { Enricher } from '@vigil/core';
import type { Config } from './config.ts';
import { noopEnricher } from './enrich-noop.ts';

/** The enricher the server runs with, and a line for the start-up report. */
export async function createEnricher(_config: Config): Promise<{ enricher: Enricher; description: string }> {
  return { enricher: noopEnricher, description: 'none (offline data not loaded)' };
}
