import type { Executor } from './database.ts';

/**
 * Monthly partitions of `events`. Months older than this many are not given a partition of their
 * own: such late events go to events_default. The cut-off only moves forward, so no partition is
 * ever created over rows that already sit in the default partition (PostgreSQL refuses that).
 */
const PARTITION_MONTHS_BACK = 36;

export function monthKey(time: Date): string {
  return `${time.getUTCFullYear()}${String(time.getUTCMonth() + 1).padStart(2, '0')}`;
}

function oldestPartitionedMonth(now: Date): string {
  return monthKey(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - PARTITION_MONTHS_BACK, 1)));
}

/** Remembers which partitions exist so the hot path asks the database only for a new month. */
export class EventPartitions {
  private readonly known = new Set<string>();

  async load(db: Executor): Promise<void> {
    const { rows } = await db.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_inherits i
         JOIN pg_class c ON c.oid = i.inhrelid
         JOIN pg_class p ON p.oid = i.inhparent
        WHERE p.relname = 'events'`,
    );
    for (const { name } of rows) {
      const m = /^events_(\d{6})$/.exec(name);
      if (m?.[1]) this.known.add(m[1]);
    }
  }

  /** Creates the partitions the given event times need (idempotent, safe across processes). */
  async ensure(db: Executor, times: Iterable<Date>, now = new Date()): Promise<void> {
    const floor = oldestPartitionedMonth(now);
    const missing = new Set<string>();
    for (const time of times) {
      const key = monthKey(time);
      if (key >= floor && !this.known.has(key)) missing.add(key);
    }
    for (const key of missing) {
      const year = Number(key.slice(0, 4));
      const month = Number(key.slice(4)) - 1;
      const from = new Date(Date.UTC(year, month, 1)).toISOString();
      const to = new Date(Date.UTC(year, month + 1, 1)).toISOString();
      try {
        await db.query(
          `CREATE TABLE IF NOT EXISTS events_${key} PARTITION OF events FOR VALUES FROM ('${from}') TO ('${to}')`,
        );
      } catch (error) {
        // Another process created it between our check and ours: that is the outcome we wanted.
        const code = (error as { code?: string }).code;
        if (code !== '42P07' && code !== '23505') throw error;
      }
      this.known.add(key);
    }
  }
}
