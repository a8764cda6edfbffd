import type { Database } from '@vigil/db';
import { EventPartitions } from '@vigil/db';
import { observeCommit } from '../app-metrics.ts';
import type { EventWrite, EventWritten, LogWrite, WriteItem } from './types.ts';
import { writeEventBatch } from './write-batch.ts';

export interface WriterOptions {
  /** Most events in one transaction. */
  maxBatch: number;
  /** Transactions in flight at once: 1 on PGlite (one connection), a few on PostgreSQL. */
  concurrency: number;
  /** How long a busy writer waits for more events before starting the next batch. */
  lingerMs: number;
}

/** A batch that finished within this many milliseconds means the writer is under load. */
const BUSY_WINDOW_MS = 50;

export interface WriterStats {
  batches: number;
  events: number;
  failedBatches: number;
  lastBatchSize: number;
  lastCommitMs: number;
  commitMsTotal: number;
}

/** The database could not take the write: the caller answers 503 and the client retries. */
export class StorageUnavailableError extends Error {
  constructor(cause: unknown) {
    super('The database is unavailable', { cause });
  }
}

/** The database refused this one event (after it was isolated from its batch). */
export class StorageRejectedError extends Error {
  constructor(cause: unknown) {
    super('The event could not be stored', { cause });
  }
}

interface Pending {
  item: WriteItem;
  resolve: (result: EventWritten | null) => void;
  reject: (error: Error) => void;
}

/**
 * Group commit. Requests hand their writes to submit(); whatever has queued while the previous
 * transaction ran goes into the next one, so under load one COMMIT (and one fsync) covers many
 * events, and each request is answered only once the transaction holding its event has committed.
 */
export class GroupCommitWriter {
  private queue: Pending[] = [];
  private inFlight = 0;
  private scheduled = false;
  private lastFinished = Number.NEGATIVE_INFINITY;
  private closed = false;
  private idleWaiters: (() => void)[] = [];
  private readonly partitions = new EventPartitions();
  private partitionsLoaded: Promise<void> | null = null;
  readonly stats: WriterStats = {
    batches: 0,
    events: 0,
    failedBatches: 0,
    lastBatchSize: 0,
    lastCommitMs: 0,
    commitMsTotal: 0,
  };

  /** Called after each commit that stored events (the scoring worker starts at once). */
  onCommit: (() => void) | null = null;

  constructor(
    private readonly db: Database,
    private readonly options: WriterOptions,
  ) {}

  /** Resolves with the stored event (or null for a logbook-only write) after COMMIT. */
  submit(item: EventWrite): Promise<EventWritten>;
  submit(item: LogWrite): Promise<null>;
  submit(item: WriteItem): Promise<EventWritten | null> {
    if (this.closed) return Promise.reject(new StorageUnavailableError(new Error('writer closed')));
    return new Promise((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.pump();
    });
  }

  /** Stops taking writes and waits for every accepted one to be committed or failed. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.inFlight > 0 || this.queue.length > 0) {
      await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    }
  }

  /**
   * Starts batches on the next turn of the event loop rather than at once: requests whose bytes
   * are already in socket buffers get parsed and queued first, so they share the transaction.
   * Without this the embedded database, which runs on this thread and blocks it while it works,
   * would commit one event at a time.
   */
  private pump(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    const start = () => {
      this.scheduled = false;
      this.startBatches();
    };
    // Under load (a batch finished moments ago), wait a few milliseconds so that the clients just
    // answered can send their next events into the same transaction: batches about twice as
    // large for little more cost (docs/benchmarks.md). An idle writer starts at once.
    const busy = performance.now() - this.lastFinished < BUSY_WINDOW_MS;
    if (busy && this.options.lingerMs > 0 && this.queue.length < this.options.maxBatch) {
      setTimeout(start, this.options.lingerMs);
    } else {
      setImmediate(start);
    }
  }

  private startBatches(): void {
    while (this.inFlight < this.options.concurrency && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.options.maxBatch);
      this.inFlight += 1;
      void this.commit(batch).finally(() => {
        this.inFlight -= 1;
        this.lastFinished = performance.now();
        if (this.queue.length > 0) this.pump();
        else if (this.inFlight === 0) for (const wake of this.idleWaiters.splice(0)) wake();
      });
    }
  }

  private async commit(batch: Pending[]): Promise<void> {
    const started = performance.now();
    try {
      const results = await this.write(batch);
      batch.forEach((p, i) => {
        p.resolve(results[i] ?? null);
      });
      if (results.some((r) => r !== null)) this.onCommit?.();
      this.stats.batches += 1;
      this.stats.events += batch.length;
      this.stats.lastBatchSize = batch.length;
      this.stats.lastCommitMs = performance.now() - started;
      this.stats.commitMsTotal += this.stats.lastCommitMs;
      observeCommit(batch.length, this.stats.lastCommitMs);
    } catch (error) {
      this.stats.failedBatches += 1;
      if (isUnavailable(error) || batch.length === 1) {
        const failure = isUnavailable(error)
          ? new StorageUnavailableError(error)
          : new StorageRejectedError(error);
        for (const p of batch) p.reject(failure);
        return;
      }
      // The database refused the data itself: split the batch so only the offending write fails.
      const middle = Math.ceil(batch.length / 2);
      await this.commit(batch.slice(0, middle));
      await this.commit(batch.slice(middle));
    }
  }

  private async write(batch: Pending[]): Promise<(EventWritten | null)[]> {
    const events: EventWrite[] = [];
    const logs: LogWrite[] = [];
    for (const { item } of batch) {
      if (item.kind === 'event') events.push(item);
      else logs.push(item);
    }
    if (events.length > 0) {
      this.partitionsLoaded ??= this.partitions.load(this.db).catch((error) => {
        this.partitionsLoaded = null;
        throw error;
      });
      await this.partitionsLoaded;
      await this.partitions.ensure(
        this.db,
        events.map((e) => e.event.eventTime),
      );
    }
    for (let attempt = 1; ; attempt++) {
      try {
        const written = await this.db.transaction((tx) => writeEventBatch(tx, events, logs));
        let next = 0;
        return batch.map(({ item }) => (item.kind === 'event' ? written[next++]! : null));
      } catch (error) {
        // Deadlocks and serialisation failures are transient between concurrent writers: retry.
        const code = (error as { code?: string }).code;
        if ((code === '40P01' || code === '40001') && attempt < 5) continue;
        throw error;
      }
    }
  }
}

/** Errors that mean "the database is not there", as opposed to "the database refused this data". */
export function isUnavailable(error: unknown): boolean {
  const e = error as { code?: string; message?: string } | null;
  const code = e?.code ?? '';
  if (/^(08|53|57P|58)/.test(code)) return true;
  if (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH'].includes(code))
    return true;
  const message = e?.message ?? '';
  return /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|not queryable/i.test(
    message,
  );
}
