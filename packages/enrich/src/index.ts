/**
 * @vigil/enrich: offline enrichment of IPs, User-Agents, e-mails, domains and phones, operator
 * lists, the data sets behind them, and the optional remote adapters (tirreno enrichment API,
 * MX checks). The ingest path uses `createEnricher()`; everything it does is in memory.
 */

export {
  type AsnLookup,
  type CountryLookup,
  DATA_FILES,
  DataFormatError,
  type DataSourceId,
  type DataSourceInfo,
  dataFromFiles,
  dateInText,
  type EnrichmentData,
  emptyData,
  type LoadDataDirOptions,
  loadBundledData,
  loadDataDir,
  parseAddressList,
  parseAsnList,
  parseDomainList,
} from './data.ts';
export { APPLE_MAIL_DOMAINS, domainFacts, emailFacts, normaliseEmail, ROLE_LOCAL_PARTS } from './email.ts';
export {
  createEnricher,
  createOfflineProvider,
  type EnricherOptions,
  type EnricherStats,
  type EnrichInput,
  type EnrichmentProvider,
  type OfflineEnricher,
} from './enricher.ts';
export { formatIp, type IpAddress, parseCidr, parseIp } from './ip/address.ts';
export { ipFacts } from './ip/facts.ts';
export { IpSet } from './ip/ranges.ts';
export { isLocalIp, LOCAL_RANGES_V4, LOCAL_RANGES_V6 } from './ip/reserved.ts';
export {
  detectListKind,
  LIST_KINDS,
  type ListEntry,
  ListIndex,
  type ListKind,
  type ListLookup,
  normaliseListValue,
  type ParseListOptions,
  type ParseListResult,
  parseListFile,
  splitCsvLine,
} from './lists.ts';
export { createMxChecker, type MxChecker, type MxCheckerOptions } from './mx.ts';
export { noopEnricher } from './noop.ts';
export { phoneFacts } from './phone.ts';
export {
  type AsyncEnrichmentProvider,
  createTirrenoApiProvider,
  mergeRemote,
  parseTirrenoAnswer,
  type RemoteEmailFacts,
  type RemoteEnrichment,
  type RemoteQuery,
  type TirrenoApiOptions,
} from './remote.ts';
export { AI_AGENTS, type BotKind, isAiAgentName } from './ua/bots.ts';
export { MAX_UA_LENGTH, parseUserAgent } from './ua/parse.ts';
