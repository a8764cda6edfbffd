import type { Executor } from '@vigil/db';
import { InputError } from '../input-error.ts';
import { escapeHtml, type Mail } from '../mail.ts';
import { objectOf } from './subscriptions.ts';

const EMAIL = /^[^\s@,<>"]+@[^\s@,<>"]+$/;
const MAX_RECIPIENTS = 20;

/** Who is e-mailed at once when a user of the project is blacklisted. */
export async function getAlertRecipients(db: Executor, projectId: string): Promise<string[] | null> {
  const { rows } = await db.query<{ alert_recipients: string[] }>(
    'SELECT alert_recipients FROM projects WHERE id = $1',
    [projectId],
  );
  return rows[0]?.alert_recipients ?? null;
}

export async function setAlertRecipients(db: Executor, projectId: string, input: unknown): Promise<string[]> {
  const list = objectOf(input).recipients;
  if (
    !Array.isArray(list) ||
    list.length > MAX_RECIPIENTS ||
    !list.every((e) => typeof e === 'string' && e.length <= 254 && EMAIL.test(e.trim()))
  ) {
    throw new InputError(
      `recipients must be a list of at most ${MAX_RECIPIENTS} e-mail addresses`,
      'recipients',
    );
  }
  const recipients = [...new Set(list.map((e: string) => e.trim().toLowerCase()))];
  await db.query('UPDATE projects SET alert_recipients = $2 WHERE id = $1', [projectId, recipients]);
  return recipients;
}

export interface EmailSettings {
  reminderFrequency: 'off' | 'daily' | 'weekly';
  /** Working hours, in the operator's timezone: reminders go out from start:00 to end:00, Monday to Friday. */
  workingHoursStart: number;
  workingHoursEnd: number;
  timezone: string;
}

export async function getEmailSettings(db: Executor, operatorId: string): Promise<EmailSettings | null> {
  const { rows } = await db.query(
    `SELECT reminder_frequency, working_hours_start, working_hours_end, timezone FROM operators WHERE id = $1`,
    [operatorId],
  );
  const r = rows[0];
  if (!r) return null;
  return {
    reminderFrequency: r.reminder_frequency,
    workingHoursStart: r.working_hours_start,
    workingHoursEnd: r.working_hours_end,
    timezone: r.timezone,
  };
}

/** Changes an operator's reminder settings (their timezone is part of their profile). */
export async function updateEmailSettings(
  db: Executor,
  operatorId: string,
  input: unknown,
): Promise<EmailSettings | null> {
  const current = await getEmailSettings(db, operatorId);
  if (!current) return null;
  const body = objectOf(input);
  const next = { ...current };
  if (body.reminderFrequency !== undefined) {
    if (!['off', 'daily', 'weekly'].includes(body.reminderFrequency as string)) {
      throw new InputError('reminderFrequency must be off, daily or weekly', 'reminderFrequency');
    }
    next.reminderFrequency = body.reminderFrequency as EmailSettings['reminderFrequency'];
  }
  for (const [field, min, max] of [
    ['workingHoursStart', 0, 23],
    ['workingHoursEnd', 1, 24],
  ] as const) {
    const value = body[field];
    if (value === undefined) continue;
    if (!Number.isInteger(value) || (value as number) < min || (value as number) > max) {
      throw new InputError(`${field} must be a whole hour from ${min} to ${max}`, field);
    }
    next[field] = value as number;
  }
  if (next.workingHoursStart >= next.workingHoursEnd) {
    throw new InputError('working hours must end after they start', 'workingHoursEnd');
  }
  await db.query(
    `UPDATE operators SET reminder_frequency = $2, working_hours_start = $3, working_hours_end = $4 WHERE id = $1`,
    [operatorId, next.reminderFrequency, next.workingHoursStart, next.workingHoursEnd],
  );
  return next;
}

/** Line breaks and other control characters out of a header value (a subject built from user input). */
export function oneLine(text: string, max = 120): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
  const flat = text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

export interface BlacklistAlert {
  projectId: string;
  projectName: string;
  userName: string | null;
  createdAt: Date;
  data: Record<string, unknown>;
}

/** The e-mail sent at once when a user is blacklisted, by an operator or by the score. */
export function blacklistAlertMail(alert: BlacklistAlert, publicUrl: string, to: string): Mail {
  const user = alert.userName ?? '(erased user)';
  const automatic = alert.data.actor === 'scoring';
  const how = automatic
    ? `automatically: trust score ${String(alert.data.score)} is at or below the blacklist threshold ${String(alert.data.blacklistThreshold)}`
    : `by ${String(alert.data.actor ?? 'an operator')}${alert.data.note ? ` (note: ${String(alert.data.note)})` : ''}`;
  const link = `${publicUrl}/`;
  const when = alert.createdAt.toISOString();
  return {
    to,
    subject: oneLine(`[Vigil] ${alert.projectName}: user ${user} blacklisted`),
    text: [
      `User ${user} was blacklisted in project ${alert.projectName} at ${when},`,
      `${how}.`,
      '',
      'Their IP addresses, e-mail addresses and phone numbers are blacklisted with them.',
      `Open Vigil: ${link}`,
    ].join('\n'),
    html: [
      `<p>User <strong>${escapeHtml(user)}</strong> was blacklisted in project <strong>${escapeHtml(alert.projectName)}</strong> at ${escapeHtml(when)},`,
      `${escapeHtml(how)}.</p>`,
      '<p>Their IP addresses, e-mail addresses and phone numbers are blacklisted with them.</p>',
      `<p><a href="${escapeHtml(link)}">Open Vigil</a></p>`,
    ].join('\n'),
  };
}
