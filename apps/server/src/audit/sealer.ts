import type { Database, Executor } from '@vigil/db';
import { appendEntries, type FieldChangeRow, fieldChangeContent, lockHead } from './chain.ts';

export interface SealerOptions {
  intervalMs: number;
  batchSize: number;
  log: (message: string, error: unknown) => void;
}

/**
 * Seals field-audit records into their project's chain in the background, in id order, within
 * about a second of their commit.
 *
 * Why not in the writer's transaction: every chain append takes the project's head lock, so
 * concurrent write transactions of one project would queue behind each other for the whole of
 * their transaction, and the hash work would sit on the ingest hot path. The writer only pays for
 * one trigger statement per batch that has field changes (filling audit_seal_queue), and sealing
 * runs off the hot path in batches. Any number of processes may run a sealer: the head lock
 * serialises them.
 */
export class AuditSealer {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = true;

  constructor(
    private readonly db: Database,
    private readonly options: SealerOptions,
  ) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.sealPending()
        .then(
          () => undefined,
          (error) => this.options.log('audit sealer round failed', error),
        )
        .finally(() => {
          this.running = null;
          this.schedule();
        });
    }, this.options.intervalMs);
    this.timer.unref();
  }

  /** Seals everything queued now; returns how many records were sealed. */
  async sealPending(): Promise<number> {
    const { rows } = await this.db.query<{ project_id: string }>(
      'SELECT DISTINCT project_id FROM audit_seal_queue',
    );
    let sealed = 0;
    for (const { project_id } of rows) {
      for (;;) {
        const n = await this.db.transaction((tx) => sealBatch(tx, project_id, this.options.batchSize));
        sealed += n;
        if (n < this.options.batchSize || this.stopped) break;
      }
    }
    return sealed;
  }
}

async function sealBatch(tx: Executor, projectId: string, limit: number): Promise<number> {
  await lockHead(tx, projectId);
  const { rows } = await tx.query<FieldChangeRow>(
    `SELECT fc.id, fc.event_id, fc.user_id, fc.field_ref, fc.time, fc.field_name, fc.old_value,
       fc.new_value, fc.parent_id, fc.parent_name
     FROM audit_seal_queue q JOIN field_changes fc ON fc.id = q.field_change_id
     WHERE q.project_id = $1 ORDER BY q.field_change_id LIMIT $2`,
    [projectId, limit],
  );
  if (rows.length === 0) return 0;
  await appendEntries(
    tx,
    projectId,
    projectId,
    rows.map((row) => ({
      actor: 'sensor',
      action: 'field.change',
      target: null,
      details: null,
      fieldChangeId: Number(row.id),
      content: fieldChangeContent(row),
    })),
  );
  await tx.query('DELETE FROM audit_seal_queue WHERE field_change_id = ANY($1::bigint[])', [
    rows.map((r) => r.id),
  ]);
  return rows.length;
}
