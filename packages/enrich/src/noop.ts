import type { Enricher } from '@vigil/core';
import { UNKNOWN_IP } from './ip/facts.ts';

/** Knows nothing: every fact stays unknown. For tests of the storage path and zero-data setups. */
export const noopEnricher: Enricher = {
  enrich: () => ({ ip: UNKNOWN_IP, userAgent: null, email: null, domain: null, phone: null }),
};
