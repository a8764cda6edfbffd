export * from './enrichment.ts';
export * from './event.ts';
export * from './sensor/index.ts';
