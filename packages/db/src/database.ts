import { createHash } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import { createPgConfig } from '@electric-sql/pglite/node-postgres';
import pg from 'pg';
import { acquireDataDirLock, type DataDirLock } from './lock.ts';

/** Anything that runs a query: the pool, or a client inside a transaction. Repositories take it first. */
export interface Executor {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    text: string,
    values?: unknown[],
  ): Promise<pg.QueryResult<R>>;
}

export interface Database extends Executor {
  readonly engine: 'pglite' | 'postgres';
  /** Where the data lives, for the start-up report (never includes a password). */
  readonly location: string;
  /** Runs fn in one transaction on one connection; rolls back on throw. */
  transaction<T>(fn: (tx: Executor) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export type DatabaseOptions =
  | { kind: 'postgres'; url: string; poolSize?: number }
  | { kind: 'pglite'; dataDir: string }
  | { kind: 'pglite-memory'; pglite?: PGlite };

// Timestamps are parsed by us (Date) and bigints stay exact as strings, except counts that fit.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => {
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : v;
});

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.kind === 'postgres') {
    const pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolSize ?? 10,
      connectionTimeoutMillis: 5000,
      idleTimeoutMillis: 30_000,
    });
    // An idle client losing its server must not crash the process: the pool replaces it.
    pool.on('error', () => {});
    return wrapPool(pool, 'postgres', redactUrl(options.url), async () => pool.end());
  }
  let lock: DataDirLock | undefined;
  let pglite: PGlite;
  let location: string;
  if (options.kind === 'pglite') {
    // Two PGlite processes on one directory lose writes silently: refuse the second one.
    lock = acquireDataDirLock(options.dataDir);
    try {
      pglite = await PGlite.create(options.dataDir);
    } catch (error) {
      lock.release();
      throw error;
    }
    location = options.dataDir;
  } else {
    pglite = options.pglite ?? (await PGlite.create());
    location = 'memory';
  }
  const pool = new pg.Pool({ ...createPgConfig(pglite), max: 1 });
  return wrapPool(pool, 'pglite', location, async () => {
    await pool.end();
    await pglite.close();
    lock?.release();
  });
}

function wrapPool(
  pool: pg.Pool,
  engine: Database['engine'],
  location: string,
  close: () => Promise<void>,
): Database {
  return {
    engine,
    location,
    query: (text, values) => pool.query(text, values),
    async transaction(fn) {
      const client = await pool.connect();
      // A connection that dies mid-transaction emits 'error' on the checked-out client; the
      // failing query already reports it, so the event must not crash the process.
      const ignore = () => {};
      client.on('error', ignore);
      try {
        await client.query('BEGIN');
        const result = await fn(client);
        await client.query('COMMIT');
        client.off('error', ignore);
        client.release();
        return result;
      } catch (error) {
        // A broken connection is destroyed, not returned to the pool.
        try {
          await client.query('ROLLBACK');
          client.off('error', ignore);
          client.release();
        } catch {
          client.release(true);
        }
        throw error;
      }
    },
    close,
  };
}

function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'postgres';
  }
}

/**
 * An executor that runs every query as a named prepared statement (named by a hash of its text),
 * so that hot paths which repeat the same statements skip parsing and planning after the first
 * use on each connection.
 */
export function preparedExecutor(executor: Executor): Executor {
  return {
    query(text, values) {
      let name = statementNames.get(text);
      if (!name) {
        name = `v_${createHash('sha1').update(text).digest('hex').slice(0, 16)}`;
        statementNames.set(text, name);
      }
      return (executor as pg.ClientBase).query({ name, text, values: values ?? [] });
    },
  };
}
const statementNames = new Map<string, string>();

/**
 * An executor that runs its queries one after another. A transaction's client must never be
 * given a second query while one is running (node-postgres queues it but warns that this will
 * become an error); code that starts several queries concurrently on one transaction uses this.
 */
export function serialExecutor(executor: Executor): Executor {
  let tail: Promise<unknown> = Promise.resolve();
  return {
    query(text, values) {
      const run = tail.then(
        () => executor.query(text, values),
        () => executor.query(text, values),
      );
      tail = run.catch(() => {});
      return run;
    },
  } as Executor;
}
