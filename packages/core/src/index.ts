export * from './enrichment.ts';
export * from './event.ts';
export * from './rules/index.ts';
export * from './sensor/index.ts';
