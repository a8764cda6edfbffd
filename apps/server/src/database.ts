import { type Database, openDatabase } from '@vigil/db';
import type { Config } from './config.ts';

/** PostgreSQL when DATABASE_URL is set, else the embedded database in the data folder. */
export function openConfiguredDatabase(config: Config): Promise<Database> {
  return config.databaseUrl
    ? openDatabase({ kind: 'postgres', url: config.databaseUrl, poolSize: config.ingest.concurrency + 4 })
    : openDatabase({ kind: 'pglite', dataDir: config.dataDir });
}
