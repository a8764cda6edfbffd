import type { Executor } from '@vigil/db';
import { escapeHtml, type Mail, type Mailer } from '../mail.ts';
import { oneLine } from './alert-mail.ts';

export interface ReminderOperator {
  frequency: 'daily' | 'weekly';
  timezone: string;
  workingHoursStart: number;
  workingHoursEnd: number;
  lastRemindedAt: Date | null;
}

interface LocalTime {
  /** 0 = Monday … 6 = Sunday. */
  weekday: number;
  hour: number;
  /** Days since 1970-01-01 of the local calendar date. */
  day: number;
}

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

function localTime(at: Date, timeZone: string): LocalTime {
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      weekday: 'short',
      hourCycle: 'h23',
    }).formatToParts(at);
  } catch {
    // An unknown zone in the database must not stop the reminders of everyone else.
    return localTime(at, 'UTC');
  }
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return {
    weekday: WEEKDAYS.indexOf(get('weekday')),
    hour: Number(get('hour')),
    day: Math.floor(Date.UTC(Number(get('year')), Number(get('month')) - 1, Number(get('day'))) / 86_400_000),
  };
}

/**
 * Whether an operator is due a review-queue reminder at `now`: on a working day (Monday to
 * Friday) inside their working hours, in their timezone, and not yet reminded this local day
 * (daily) or this week, Monday to Sunday (weekly).
 */
export function reminderDue(op: ReminderOperator, now: Date): boolean {
  const local = localTime(now, op.timezone);
  if (local.weekday > 4 || local.hour < op.workingHoursStart || local.hour >= op.workingHoursEnd)
    return false;
  if (!op.lastRemindedAt) return true;
  const last = localTime(op.lastRemindedAt, op.timezone);
  if (op.frequency === 'daily') return last.day !== local.day;
  return last.day - last.weekday !== local.day - local.weekday;
}

export interface QueueSummary {
  projectId: string;
  projectName: string;
  size: number;
  oldest: { userName: string; score: number | null; addedToReview: Date | null }[];
}

const OLDEST_SHOWN = 5;

/** The review queues an operator can act on (admin or analyst), with their oldest items. */
export async function reviewQueues(db: Executor, operatorId: string): Promise<QueueSummary[]> {
  const { rows } = await db.query<{ id: string; name: string; size: number }>(
    `SELECT p.id, p.name, (SELECT count(*) FROM users u WHERE u.project_id = p.id AND u.status = 'review')::int AS size
       FROM projects p JOIN operators o ON o.id = $1
      WHERE o.role = 'admin'
         OR EXISTS (SELECT 1 FROM project_members m
                     WHERE m.project_id = p.id AND m.operator_id = o.id AND m.role IN ('admin', 'analyst'))
      ORDER BY p.name, p.id`,
    [operatorId],
  );
  const queues: QueueSummary[] = [];
  for (const p of rows.filter((r) => r.size > 0)) {
    const oldest = await db.query<{ user_name: string; score: number | null; added_to_review: Date | null }>(
      `SELECT user_name, score, added_to_review FROM users WHERE project_id = $1 AND status = 'review'
        ORDER BY added_to_review NULLS FIRST, id LIMIT ${OLDEST_SHOWN}`,
      [p.id],
    );
    queues.push({
      projectId: p.id,
      projectName: p.name,
      size: p.size,
      oldest: oldest.rows.map((u) => ({
        userName: u.user_name,
        score: u.score,
        addedToReview: u.added_to_review,
      })),
    });
  }
  return queues;
}

export function reminderMail(to: string, queues: QueueSummary[], publicUrl: string): Mail {
  const total = queues.reduce((n, q) => n + q.size, 0);
  const when = (d: Date | null) => (d ? d.toISOString().slice(0, 16).replace('T', ' ') : 'unknown');
  const text = [
    `${total} user${total === 1 ? '' : 's'} waiting in review.`,
    ...queues.flatMap((q) => [
      '',
      `${q.projectName}: ${q.size} in the queue. Oldest:`,
      ...q.oldest.map(
        (u) => `  - ${u.userName} (score ${u.score ?? '–'}, since ${when(u.addedToReview)} UTC)`,
      ),
    ]),
    '',
    `Open Vigil: ${publicUrl}/`,
    'Change how often you get this reminder in your e-mail settings.',
  ].join('\n');
  const html = [
    `<p>${total} user${total === 1 ? '' : 's'} waiting in review.</p>`,
    ...queues.map(
      (q) =>
        `<h3>${escapeHtml(q.projectName)}: ${q.size} in the queue</h3>\n<ul>\n${q.oldest
          .map(
            (u) =>
              `<li>${escapeHtml(u.userName)} (score ${u.score ?? '–'}, since ${escapeHtml(when(u.addedToReview))} UTC)</li>`,
          )
          .join('\n')}\n</ul>`,
    ),
    `<p><a href="${escapeHtml(publicUrl)}/">Open Vigil</a></p>`,
    '<p>Change how often you get this reminder in your e-mail settings.</p>',
  ].join('\n');
  return {
    to,
    subject: oneLine(`[Vigil] ${total} user${total === 1 ? '' : 's'} waiting in review`),
    text,
    html,
  };
}

/**
 * Sends the reminders due at `now`. Each operator is claimed by moving last_reminded_at from the
 * value read to `now` before sending, so two processes, or a restart, never send one reminder
 * twice; a failed send puts the old value back so the next tick tries again.
 */
export async function sendDueReminders(
  db: Executor,
  mailer: Mailer,
  publicUrl: string,
  now = new Date(),
  onError?: (operatorId: string, error: unknown) => void,
): Promise<number> {
  const { rows } = await db.query<{
    id: string;
    email: string;
    reminder_frequency: 'daily' | 'weekly';
    timezone: string;
    working_hours_start: number;
    working_hours_end: number;
    last_reminded_at: Date | null;
    last_text: string | null;
  }>(
    `SELECT id, email, reminder_frequency, timezone, working_hours_start, working_hours_end, last_reminded_at,
            last_reminded_at::text AS last_text
       FROM operators WHERE reminder_frequency <> 'off' AND disabled_at IS NULL`,
  );
  let sent = 0;
  for (const op of rows) {
    const due = reminderDue(
      {
        frequency: op.reminder_frequency,
        timezone: op.timezone,
        workingHoursStart: op.working_hours_start,
        workingHoursEnd: op.working_hours_end,
        lastRemindedAt: op.last_reminded_at,
      },
      now,
    );
    if (!due) continue;
    const queues = await reviewQueues(db, op.id);
    // Nothing to review: no mail, and the operator stays due in case the queue fills today.
    if (queues.length === 0) continue;
    const claimed = await db.query(
      `UPDATE operators SET last_reminded_at = $2
        WHERE id = $1 AND last_reminded_at::text IS NOT DISTINCT FROM $3 RETURNING id`,
      [op.id, now, op.last_text],
    );
    if (claimed.rowCount === 0) continue;
    try {
      await mailer.send(reminderMail(op.email, queues, publicUrl));
      sent += 1;
    } catch (error) {
      await db.query('UPDATE operators SET last_reminded_at = $3 WHERE id = $1 AND last_reminded_at = $2', [
        op.id,
        now,
        op.last_reminded_at,
      ]);
      onError?.(op.id, error);
    }
  }
  return sent;
}
