import { createHash, randomBytes } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { type Database, openDatabase } from './database.ts';
import { listMigrations, migrate } from './migrate.ts';

/**
 * Hands each test a freshly migrated database on the engine CI chose: the real PostgreSQL server
 * when DATABASE_URL is set, else embedded PGlite. Fresh copies are cheap: a migrated template is
 * built once (CREATE DATABASE … TEMPLATE on PostgreSQL, PGlite's clone() in memory).
 */
export async function createTestDatabase(): Promise<Database> {
  const url = process.env.DATABASE_URL;
  return url ? createPostgresTestDatabase(url) : createPgliteTestDatabase();
}

export function testEngine(): 'postgres' | 'pglite' {
  return process.env.DATABASE_URL ? 'postgres' : 'pglite';
}

let pgliteTemplate: Promise<PGlite> | undefined;

async function createPgliteTestDatabase(): Promise<Database> {
  pgliteTemplate ??= (async () => {
    const template = await PGlite.create();
    const db = await openDatabase({ kind: 'pglite-memory', pglite: template });
    await migrate(db);
    return template;
  })();
  const copy = (await (await pgliteTemplate).clone()) as PGlite;
  return openDatabase({ kind: 'pglite-memory', pglite: copy });
}

function migrationsFingerprint(): string {
  const hash = createHash('sha256');
  for (const m of listMigrations()) hash.update(m.name).update(m.sql);
  return hash.digest('hex').slice(0, 12);
}

/**
 * A fresh, migrated database on the PostgreSQL server of `url`, for tests that start Vigil as a
 * separate process. drop() removes it.
 */
export async function createPostgresTestDatabaseUrl(
  url: string,
): Promise<{ url: string; drop(): Promise<void> }> {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  const template = `vigil_tpl_${migrationsFingerprint()}`;
  const name = `vigil_t_${randomBytes(6).toString('hex')}`;
  try {
    // Test files run in parallel processes: one builds the template, the others wait.
    await admin.query('SELECT pg_advisory_lock(7151000002)');
    try {
      const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [template]);
      if (exists.rowCount === 0) {
        await admin.query(`CREATE DATABASE ${template}`);
        const db = await openDatabase({ kind: 'postgres', url: withDatabase(url, template), poolSize: 1 });
        try {
          await migrate(db);
        } finally {
          await db.close();
        }
      }
      await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
    } finally {
      await admin.query('SELECT pg_advisory_unlock(7151000002)');
    }
  } finally {
    await admin.end();
  }
  return {
    url: withDatabase(url, name),
    async drop() {
      const dropper = new pg.Client({ connectionString: url });
      await dropper.connect();
      try {
        await dropper.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await dropper.end();
      }
    },
  };
}

async function createPostgresTestDatabase(url: string): Promise<Database> {
  const fresh = await createPostgresTestDatabaseUrl(url);
  const db = await openDatabase({ kind: 'postgres', url: fresh.url, poolSize: 8 });
  return {
    ...db,
    async close() {
      await db.close();
      await fresh.drop();
    },
  };
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}
