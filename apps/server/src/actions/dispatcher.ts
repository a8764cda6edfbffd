import type { Executor } from '@vigil/db';
import type { Config } from '../config.ts';
import type { Mailer } from '../mail.ts';
import { blacklistAlertMail } from './alert-mail.ts';
import {
  DEFAULT_DELIVERY_POLICY,
  type DeliveryPolicy,
  fanOut,
  postWebhook,
  recordAttempt,
  retryDelayMs,
  takeDueDeliveries,
} from './deliveries.ts';
import type { AlertKind } from './outbox.ts';
import { sendDueReminders } from './reminders.ts';
import { exportToSiem, getSiemSink, SIEM_KINDS, type SiemRecord } from './siem.ts';

export interface DispatcherOptions {
  /** How often an idle dispatcher looks for work. */
  pollMs: number;
  /** Outbox rows and deliveries taken per round; deliveries of a round are sent concurrently. */
  batchSize: number;
  policy: DeliveryPolicy;
  /** Null: e-mail is not configured (SMTP_URL unset); alerts are not e-mailed and no reminders go out. */
  mailer: Mailer | null;
  publicUrl: string;
  /** The folder SIEM files are written in. */
  siemDir: string;
  /** How often reminders are considered (they are sent at most once a day per operator). */
  reminderEveryMs: number;
  log?: (message: string, error?: unknown) => void;
}

/** The dispatcher a process runs (`vigil start` with its workers on, and `vigil worker`). */
export function configuredDispatcher(
  db: Executor,
  config: Pick<Config, 'publicUrl' | 'siemDir' | 'webhookRetryMs'>,
  mailer: Mailer | null,
  log: (message: string, error?: unknown) => void,
): ActionDispatcher {
  return new ActionDispatcher(db, {
    pollMs: 500,
    batchSize: 50,
    policy: { ...DEFAULT_DELIVERY_POLICY, retryBaseMs: config.webhookRetryMs },
    mailer,
    publicUrl: config.publicUrl,
    siemDir: config.siemDir,
    reminderEveryMs: 60_000,
    log,
  });
}

interface OutboxRow {
  id: number;
  project_id: string;
  project_name: string;
  kind: AlertKind;
  user_name: string | null;
  data: Record<string, unknown>;
  created_at: Date;
  attempts: number;
  siem_done_at: Date | null;
  mail_done_at: Date | null;
}

/** Kept this long after they are done, as the delivery log; then pruned with their deliveries. */
const OUTBOX_KEEP_DAYS = 30;

/**
 * Acts on the outbox: fans each alert out to the project's webhook subscriptions, its SIEM and
 * its alert recipients, then delivers the webhooks with retries; and sends the review reminders
 * that are due. Any number of dispatchers (processes) may run: rows are taken under FOR UPDATE
 * SKIP LOCKED with a lease, and no lock is held during network calls.
 */
export class ActionDispatcher {
  private running = false;
  private timer: NodeJS.Timeout | null = null;
  private wakeUp: (() => void) | null = null;
  private loop: Promise<void> | null = null;
  private lastReminders = 0;
  private lastPrune = 0;
  private readonly leaseMs: number;

  constructor(
    private readonly db: Executor,
    private readonly options: DispatcherOptions,
  ) {
    // Longer than an attempt can last, so a live dispatcher never loses its lease mid-request.
    this.leaseMs = options.policy.timeoutMs + 20_000;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loop;
  }

  wake(): void {
    const wake = this.wakeUp;
    this.wakeUp = null;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    wake?.();
  }

  /** One round: outbox, then due deliveries. Returns how many items were handled. */
  async runOnce(): Promise<number> {
    return (await this.processOutbox()) + (await this.deliverDue());
  }

  /** Fans out a batch of outbox rows; SIEM and e-mail failures are retried with the webhook backoff. */
  async processOutbox(): Promise<number> {
    const { rows } = await this.db.query<OutboxRow>(
      `UPDATE outbox o SET taken_until = clock_timestamp() + make_interval(secs => $2::float8 / 1000)
         FROM projects p
        WHERE o.id IN (
                SELECT id FROM outbox
                 WHERE done_at IS NULL AND next_attempt_at <= clock_timestamp()
                   AND (taken_until IS NULL OR taken_until < clock_timestamp())
                 ORDER BY id LIMIT $1
                   FOR UPDATE SKIP LOCKED)
          AND p.id = o.project_id
       RETURNING o.id, o.project_id, p.name AS project_name, o.kind, o.user_name, o.data, o.created_at,
                 o.attempts, o.siem_done_at, o.mail_done_at`,
      [this.options.batchSize, this.leaseMs],
    );
    if (rows.length === 0) return 0;
    await fanOut(
      this.db,
      rows.map((r) => r.id),
    );
    const errors = new Map<number, string>();
    const siemOk = await this.exportSiem(rows, errors);
    const mailOk = await this.mailAlerts(rows, errors);
    await this.db.query(
      `UPDATE outbox o SET
         siem_done_at = CASE WHEN r.siem THEN COALESCE(o.siem_done_at, now()) ELSE NULL END,
         mail_done_at = CASE WHEN r.mail THEN COALESCE(o.mail_done_at, now()) ELSE NULL END,
         done_at = CASE WHEN r.siem AND r.mail OR now() >= o.created_at + make_interval(secs => $6::float8 / 1000)
                        THEN now() END,
         attempts = o.attempts + 1, last_error = r.error, taken_until = NULL,
         next_attempt_at = now() + make_interval(secs => r.delay / 1000)
         FROM unnest($1::bigint[], $2::boolean[], $3::boolean[], $4::text[], $5::float8[]) AS r(id, siem, mail, error, delay)
        WHERE o.id = r.id`,
      [
        rows.map((r) => r.id),
        rows.map((r) => siemOk.has(r.id)),
        rows.map((r) => mailOk.has(r.id)),
        rows.map((r) => errors.get(r.id) ?? null),
        rows.map((r) => retryDelayMs(r.attempts + 1, this.options.policy)),
        this.options.policy.giveUpAfterMs,
      ],
    );
    for (const [id, error] of errors) this.options.log?.(`alert ${id}: ${error}`);
    return rows.length;
  }

  /** The ids whose SIEM export is done or not needed. */
  private async exportSiem(rows: OutboxRow[], errors: Map<number, string>): Promise<Set<number>> {
    const ok = new Set(rows.filter((r) => r.siem_done_at || !SIEM_KINDS.includes(r.kind)).map((r) => r.id));
    const byProject = new Map<string, OutboxRow[]>();
    for (const r of rows) {
      if (ok.has(r.id)) continue;
      byProject.set(r.project_id, [...(byProject.get(r.project_id) ?? []), r]);
    }
    for (const [projectId, items] of byProject) {
      try {
        const sink = await getSiemSink(this.db, projectId);
        if (sink) {
          const records: SiemRecord[] = items.map((r) => ({
            time: r.created_at.toISOString(),
            source: 'vigil',
            eventId: String(r.id),
            type: r.kind,
            projectId,
            userName: r.user_name,
            data: r.data,
          }));
          await exportToSiem(sink, this.options.siemDir, records);
        }
        for (const r of items) ok.add(r.id);
      } catch (error) {
        for (const r of items) errors.set(r.id, `SIEM export failed: ${(error as Error).message}`);
      }
    }
    return ok;
  }

  /** The ids whose e-mail alert is sent or not needed. */
  private async mailAlerts(rows: OutboxRow[], errors: Map<number, string>): Promise<Set<number>> {
    const ok = new Set<number>();
    const recipients = new Map<string, string[]>();
    for (const r of rows) {
      if (r.mail_done_at || r.kind !== 'user.blacklisted' || !this.options.mailer) {
        ok.add(r.id);
        continue;
      }
      try {
        let to = recipients.get(r.project_id);
        if (!to) {
          const { rows: p } = await this.db.query<{ alert_recipients: string[] }>(
            'SELECT alert_recipients FROM projects WHERE id = $1',
            [r.project_id],
          );
          to = p[0]?.alert_recipients ?? [];
          recipients.set(r.project_id, to);
        }
        if (to.length > 0) {
          const alert = {
            projectId: r.project_id,
            projectName: r.project_name,
            userName: r.user_name,
            createdAt: r.created_at,
            data: r.data,
          };
          await this.options.mailer.send(blacklistAlertMail(alert, this.options.publicUrl, to.join(', ')));
        }
        ok.add(r.id);
      } catch (error) {
        const previous = errors.get(r.id);
        const message = `e-mail alert failed: ${(error as Error).message}`;
        errors.set(r.id, previous ? `${previous}; ${message}` : message);
      }
    }
    return ok;
  }

  /** Sends the deliveries that are due, concurrently, and records each attempt. */
  async deliverDue(): Promise<number> {
    const due = await takeDueDeliveries(this.db, this.options.batchSize, this.leaseMs);
    await Promise.all(
      due.map(async (d) => {
        const result = await postWebhook(d.url, d.secret, d.event, d.attempt, this.options.policy.timeoutMs);
        await recordAttempt(this.db, d.event.deliveryId, d.attempt, result, this.options.policy);
      }),
    );
    return due.length;
  }

  private async housekeeping(): Promise<void> {
    const now = Date.now();
    if (this.options.mailer && now - this.lastReminders >= this.options.reminderEveryMs) {
      this.lastReminders = now;
      await sendDueReminders(
        this.db,
        this.options.mailer,
        this.options.publicUrl,
        new Date(),
        (operatorId, error) => this.options.log?.(`review reminder to operator ${operatorId} failed`, error),
      );
    }
    if (now - this.lastPrune >= 3_600_000) {
      this.lastPrune = now;
      await this.db.query(
        `DELETE FROM outbox WHERE done_at < now() - make_interval(days => ${OUTBOX_KEEP_DAYS})
            AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.outbox_id = outbox.id AND d.next_attempt_at IS NOT NULL)`,
      );
    }
  }

  private async run(): Promise<void> {
    while (this.running) {
      let handled = 0;
      try {
        handled = await this.runOnce();
        await this.housekeeping();
      } catch (error) {
        this.options.log?.('action dispatch round failed', error);
      }
      if (!this.running) break;
      if (handled === 0) {
        await new Promise<void>((resolve) => {
          this.wakeUp = resolve;
          this.timer = setTimeout(() => this.wake(), this.options.pollMs);
        });
      }
    }
  }
}
