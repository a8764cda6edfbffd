export * from './database.ts';
export * from './lock.ts';
export * from './migrate.ts';
export * from './partitions.ts';
export * from './testing.ts';
