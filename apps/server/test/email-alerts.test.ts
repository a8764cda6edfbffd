import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { SMTPServer } from 'smtp-server';
import { setAlertRecipients, updateEmailSettings } from '../src/actions/alert-mail.ts';
import { sendDueReminders } from '../src/actions/reminders.ts';
import { createMailer, type Mailer } from '../src/mail.ts';
import { RuleSets } from '../src/scoring/rule-sets.ts';
import { scoreUsers } from '../src/scoring/score-users.ts';
import { applyUserDecision } from '../src/scoring/user-decisions.ts';
import { newUser, testDispatcher, waitUntil } from './action-helpers.ts';
import { type Harness, startHarness } from './harness.ts';

interface Received {
  to: string[];
  subject: string;
  text: string;
  html: string;
}

function decodeQuotedPrintable(body: string): string {
  const bytes = body
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/gi, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
  return Buffer.from(bytes, 'latin1').toString('utf8');
}

function decodeHeader(value: string): string {
  return value.replace(/=\?UTF-8\?([QB])\?([^?]*)\?=\s*/gi, (_, enc: string, text: string) =>
    enc.toUpperCase() === 'B'
      ? Buffer.from(text, 'base64').toString('utf8')
      : decodeQuotedPrintable(text.replace(/_/g, ' ')),
  );
}

/** Just enough MIME to read Vigil's multipart/alternative messages. */
function parseMail(raw: string, to: string[]): Received {
  const [head = ''] = raw.split(/\r\n\r\n/);
  const unfolded = head.replace(/\r\n[ \t]+/g, ' ');
  const subject = decodeHeader(/^Subject: (.*)$/im.exec(unfolded)?.[1] ?? '');
  const boundary = /boundary="?([^";\r\n]+)"?/i.exec(unfolded)?.[1];
  assert.ok(boundary, 'a multipart message');
  const parts: Record<string, string> = {};
  for (const segment of raw.split(`--${boundary}`).slice(1)) {
    const at = segment.indexOf('\r\n\r\n');
    if (at < 0) continue;
    const headers = segment.slice(0, at).replace(/\r\n[ \t]+/g, ' ');
    const body = segment.slice(at + 4).replace(/\r\n$/, '');
    const type = /Content-Type: ([^;\r\n]+)/i.exec(headers)?.[1]?.toLowerCase();
    const encoding = /Content-Transfer-Encoding: (\S+)/i.exec(headers)?.[1]?.toLowerCase();
    const text =
      encoding === 'quoted-printable'
        ? decodeQuotedPrintable(body)
        : encoding === 'base64'
          ? Buffer.from(body, 'base64').toString('utf8')
          : body;
    if (type) parts[type] = text;
  }
  assert.ok(parts['text/plain'] && parts['text/html'], 'a plain-text and an HTML part');
  return { to, subject, text: parts['text/plain']!, html: parts['text/html']! };
}

async function startSmtp() {
  const mails: Received[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        mails.push(
          parseMail(
            Buffer.concat(chunks).toString('latin1'),
            session.envelope.rcptTo.map((r) => r.address),
          ),
        );
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    mails,
    mailer: createMailer({ smtpUrl: `smtp://127.0.0.1:${port}`, mailFrom: 'Vigil <vigil@example.test>' })!,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const HOSTILE = '<img src=x onerror=alert(1)>&"bob"';
const HOSTILE_ESCAPED = '&lt;img src=x onerror=alert(1)&gt;&amp;&quot;bob&quot;';

describe('e-mail', () => {
  let h: Harness;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let mailer: Mailer;
  before(async () => {
    h = await startHarness();
    smtp = await startSmtp();
    mailer = smtp.mailer;
  });
  after(async () => {
    await h.close();
    await smtp.close();
  });

  test('a manual blacklisting e-mails the project recipients at once, in text and escaped HTML', async () => {
    const recipients = await setAlertRecipients(h.db, h.projectId, {
      recipients: ['Security@Example.com', 'oncall@example.com'],
    });
    assert.deepEqual(recipients, ['security@example.com', 'oncall@example.com']);
    const userId = await newUser(h, HOSTILE);
    await applyUserDecision(h.db, {
      projectId: h.projectId,
      userId,
      decision: 'blacklist',
      actor: 'analyst@example.com',
      note: '<b>stolen cards</b>',
    });
    const dispatcher = testDispatcher(h.db, { mailer });
    await dispatcher.processOutbox();
    await waitUntil(() => smtp.mails.length >= 1, 5000, 'the alert');
    await dispatcher.processOutbox();
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(smtp.mails.length, 1, 'one e-mail for one blacklisting (not one for the decision too)');
    const mail = smtp.mails[0]!;
    assert.deepEqual(mail.to.sort(), ['oncall@example.com', 'security@example.com']);
    assert.ok(mail.subject.includes('blacklisted'), mail.subject);
    assert.ok(!/[\r\n]/.test(mail.subject));
    assert.ok(mail.text.includes(`User ${HOSTILE} was blacklisted`), mail.text);
    assert.ok(mail.text.includes('by analyst@example.com (note: <b>stolen cards</b>)'), mail.text);
    assert.ok(mail.html.includes(HOSTILE_ESCAPED), mail.html);
    assert.ok(mail.html.includes('&lt;b&gt;stolen cards&lt;/b&gt;'), mail.html);
    assert.ok(!mail.html.includes('<img') && !mail.html.includes('<b>stolen'), 'no markup from user input');
  });

  test('an automatic blacklisting by score is e-mailed too; nothing is sent without recipients', async () => {
    const preset = await h.app.inject({
      method: 'PUT',
      url: '/api/v1/rules/preset',
      headers: { 'api-key': h.apiKey },
      payload: { preset: 'account_takeover' },
    });
    assert.equal(preset.statusCode, 200);
    await h.db.query('UPDATE projects SET blacklist_threshold = 10 WHERE id = $1', [h.projectId]);
    await newUser(h, 'first-on-ip', { ipAddress: '198.51.100.8' });
    const userId = await newUser(h, 'auto-banned', { ipAddress: '198.51.100.8' });
    const before = smtp.mails.length;
    const [score] = await scoreUsers(h.db, new RuleSets(h.db), [{ userId, projectId: h.projectId }]);
    assert.equal(score!.status, 'blacklisted');
    const dispatcher = testDispatcher(h.db, { mailer });
    await dispatcher.processOutbox();
    await waitUntil(() => smtp.mails.length > before, 5000, 'the automatic alert');
    const mail = smtp.mails.at(-1)!;
    assert.ok(mail.text.includes('User auto-banned was blacklisted'), mail.text);
    assert.ok(mail.text.includes(`automatically: trust score ${score!.score}`), mail.text);

    await setAlertRecipients(h.db, h.projectId, { recipients: [] });
    const quiet = await newUser(h, 'quiet');
    await applyUserDecision(h.db, {
      projectId: h.projectId,
      userId: quiet,
      decision: 'blacklist',
      actor: 'a@b.c',
    });
    await dispatcher.processOutbox();
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(smtp.mails.length, before + 1);
    const { rows } = await h.db.query<{ pending: number }>(
      'SELECT count(*)::int AS pending FROM outbox WHERE done_at IS NULL',
    );
    assert.equal(rows[0]!.pending, 0, 'every alert is done');
  });

  test('review reminders: daily or weekly, inside working hours and timezone, never twice', async () => {
    const operator = async (email: string, role: string, timezone: string, member?: string) => {
      const id = randomUUID();
      await h.db.query(
        `INSERT INTO operators (id, email, password_hash, role, timezone) VALUES ($1, $2, 'x', $3, $4)`,
        [id, email, role, timezone],
      );
      if (member) {
        await h.db.query('INSERT INTO project_members (project_id, operator_id, role) VALUES ($1, $2, $3)', [
          h.projectId,
          id,
          member,
        ]);
      }
      return id;
    };
    const tokyo = await operator('tokyo@example.com', 'analyst', 'Asia/Tokyo', 'analyst');
    const admin = await operator('admin@example.com', 'admin', 'UTC');
    const viewer = await operator('viewer@example.com', 'viewer', 'UTC', 'viewer');
    assert.deepEqual(await updateEmailSettings(h.db, tokyo, { reminderFrequency: 'daily' }), {
      reminderFrequency: 'daily',
      workingHoursStart: 9,
      workingHoursEnd: 17,
      timezone: 'Asia/Tokyo',
    });
    await updateEmailSettings(h.db, admin, {
      reminderFrequency: 'weekly',
      workingHoursStart: 8,
      workingHoursEnd: 12,
    });
    await updateEmailSettings(h.db, viewer, { reminderFrequency: 'daily' });
    await assert.rejects(updateEmailSettings(h.db, admin, { workingHoursStart: 12, workingHoursEnd: 9 }), {
      field: 'workingHoursEnd',
    });
    await assert.rejects(updateEmailSettings(h.db, admin, { reminderFrequency: 'hourly' }), {
      field: 'reminderFrequency',
    });

    // Seven users in review, the oldest first: the hostile name is the oldest.
    for (let i = 0; i < 7; i++) {
      const id = await newUser(h, i === 0 ? HOSTILE : `queued-${i}`);
      await h.db.query(
        `UPDATE users SET status = 'review', score = $2, added_to_review = '2025-01-01T00:00:00Z'::timestamptz + make_interval(hours => $3)
          WHERE id = $1`,
        [id, 20 + i, i],
      );
    }
    const { rows: queued } = await h.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM users WHERE project_id = $1 AND status = 'review'`,
      [h.projectId],
    );
    const size = queued[0]!.n;
    const sent: string[] = [];
    const send = async (iso: string) => {
      const before = smtp.mails.length;
      const n = await sendDueReminders(h.db, mailer, 'http://vigil.test', new Date(iso));
      await waitUntil(() => smtp.mails.length === before + n, 5000, 'reminders');
      const to = smtp.mails.slice(before).flatMap((m) => m.to);
      sent.push(...to);
      return to.sort();
    };

    // Wednesday 10:30 in Tokyo, 01:30 UTC: only the Tokyo analyst is at work.
    assert.deepEqual(await send('2025-01-15T01:30:00Z'), ['tokyo@example.com']);
    const mail = smtp.mails.at(-1)!;
    assert.ok(mail.subject.includes(`${size} users waiting in review`), mail.subject);
    assert.ok(mail.text.includes(`Test project: ${size} in the queue`), mail.text);
    assert.ok(mail.text.includes(`  - ${HOSTILE} (score 20, since 2025-01-01 00:00 UTC)`), mail.text);
    assert.ok(mail.text.includes('queued-4') && !mail.text.includes('queued-5'), 'the five oldest');
    assert.ok(mail.html.includes(HOSTILE_ESCAPED) && !mail.html.includes('<img'), mail.html);

    // Again the same day, even from two processes at once: nothing.
    const twice = await Promise.all([
      sendDueReminders(h.db, mailer, 'http://vigil.test', new Date('2025-01-15T03:00:00Z')),
      sendDueReminders(h.db, mailer, 'http://vigil.test', new Date('2025-01-15T03:00:00Z')),
    ]);
    assert.deepEqual(twice, [0, 0]);
    // 09:00 UTC, 18:00 in Tokyo: the admin's weekly reminder; Tokyo is off work.
    assert.deepEqual(await send('2025-01-15T09:00:00Z'), ['admin@example.com']);
    // Thursday 09:30 in Tokyo: the daily one again. The admin had this week's.
    assert.deepEqual(await send('2025-01-16T00:30:00Z'), ['tokyo@example.com']);
    assert.deepEqual(await send('2025-01-16T09:00:00Z'), []);
    // Friday, two dispatchers at the same instant: one reminder.
    const friday = await Promise.all([
      sendDueReminders(h.db, mailer, 'http://vigil.test', new Date('2025-01-17T00:30:00Z')),
      sendDueReminders(h.db, mailer, 'http://vigil.test', new Date('2025-01-17T00:30:00Z')),
    ]);
    assert.equal(friday[0]! + friday[1]!, 1);
    // Saturday and Sunday are not working days.
    assert.deepEqual(await send('2025-01-18T02:00:00Z'), []);
    assert.deepEqual(await send('2025-01-19T10:00:00Z'), []);
    // Monday: a new week for the admin.
    assert.deepEqual(await send('2025-01-20T09:00:00Z'), ['admin@example.com']);
    assert.ok(!sent.includes('viewer@example.com'), 'viewers cannot act on the queue: no reminder');

    // An empty queue sends nothing and keeps the operator due.
    await h.db.query(`UPDATE users SET status = 'normal' WHERE project_id = $1`, [h.projectId]);
    assert.deepEqual(await send('2025-01-21T01:00:00Z'), []);
    const { rows } = await h.db.query<{ last: Date }>(
      'SELECT last_reminded_at AS last FROM operators WHERE id = $1',
      [tokyo],
    );
    assert.equal(rows[0]!.last.toISOString(), '2025-01-17T00:30:00.000Z');
  });
});
