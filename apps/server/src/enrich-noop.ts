import type { Enricher } from '@vigil/core';

/** Knows nothing: every fact stays unknown. For tests of the storage path and zero-data installs. */
export const noopEnricher: Enricher = {
  enrich: () => ({
    ip: {
      local: false,
      country: null,
      asn: null,
      asName: null,
      network: null,
      datacenter: null,
      tor: null,
      relay: null,
      starlink: null,
      vpn: null,
      sources: {},
      lists: [],
    },
    userAgent: null,
    email: null,
    domain: null,
    phone: null,
  }),
};
