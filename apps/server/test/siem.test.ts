import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { putSiemSink } from '../src/actions/siem.ts';
import { InputError } from '../src/input-error.ts';
import { RuleSets } from '../src/scoring/rule-sets.ts';
import { scoreUsers } from '../src/scoring/score-users.ts';
import { applyUserDecision } from '../src/scoring/user-decisions.ts';
import { newUser, testDispatcher } from './action-helpers.ts';
import { type Harness, startHarness } from './harness.ts';

/** RFC 5424: <PRI>VERSION SP TIMESTAMP SP HOSTNAME SP APP-NAME SP PROCID SP MSGID SP SD SP MSG. */
const RFC5424 =
  /^<(\d{1,3})>1 (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,6})?Z) ([\x21-\x7e]{1,255}) vigil (\d+) ([\x21-\x7e]{1,32}) - (.*)$/s;

function parseSyslog(message: string) {
  const m = RFC5424.exec(message);
  assert.ok(m, `RFC 5424 message: ${message}`);
  return {
    pri: Number(m[1]),
    time: m[2]!,
    host: m[3]!,
    procId: m[4]!,
    msgId: m[5]!,
    record: JSON.parse(m[6]!),
  };
}

async function udpListener() {
  const socket = createSocket('udp4');
  const messages: string[] = [];
  socket.on('message', (m) => messages.push(m.toString('utf8')));
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return { port: (socket.address() as AddressInfo).port, messages, close: () => socket.close() };
}

/** A TCP syslog collector that undoes octet-counting framing (RFC 6587): "<length> <message>". */
async function tcpListener() {
  const messages: string[] = [];
  const server = createServer((socket) => {
    let buffer = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        const space = buffer.indexOf(0x20);
        if (space < 0) break;
        const length = Number(buffer.subarray(0, space).toString('ascii'));
        assert.ok(Number.isInteger(length) && length > 0, 'a frame starts with its length');
        if (buffer.length < space + 1 + length) break;
        messages.push(buffer.subarray(space + 1, space + 1 + length).toString('utf8'));
        buffer = buffer.subarray(space + 1 + length);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    messages,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('SIEM export', () => {
  let h: Harness;
  let dir: string;
  before(async () => {
    h = await startHarness();
    dir = mkdtempSync(join(tmpdir(), 'vigil-siem-'));
  });
  after(async () => {
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('review flags, blacklists and decisions go to a JSON-lines file and to syslog over UDP', async () => {
    const udp = await udpListener();
    try {
      const sink = await putSiemSink(h.db, h.projectId, {
        fileName: 'alerts.jsonl',
        syslog: { host: '127.0.0.1', port: udp.port, protocol: 'udp' },
      });
      assert.deepEqual(sink, {
        fileName: 'alerts.jsonl',
        syslog: { host: '127.0.0.1', port: udp.port, protocol: 'udp' },
        enabled: true,
      });
      await h.db.query('UPDATE projects SET review_threshold = 99 WHERE id = $1', [h.projectId]);
      const flagged = await newUser(h, 'flagged');
      await scoreUsers(h.db, new RuleSets(h.db), [{ userId: flagged, projectId: h.projectId }]);
      const banned = await newUser(h, 'mallory');
      await applyUserDecision(h.db, {
        projectId: h.projectId,
        userId: banned,
        decision: 'blacklist',
        actor: 'analyst@example.com',
        note: 'line one\nline two',
      });
      const dispatcher = testDispatcher(h.db, { siemDir: dir });
      assert.equal(await dispatcher.processOutbox(), 3);
      assert.equal(await dispatcher.processOutbox(), 0, 'each alert is exported once');

      const lines = readFileSync(join(dir, 'alerts.jsonl'), 'utf8').trimEnd().split('\n');
      const records = lines.map((l) => JSON.parse(l));
      assert.deepEqual(
        records.map((r) => [r.type, r.userName]),
        [
          ['user.review', 'flagged'],
          ['user.decision', 'mallory'],
          ['user.blacklisted', 'mallory'],
        ],
      );
      assert.equal(records[0].projectId, h.projectId);
      assert.equal(records[1].data.note, 'line one\nline two');
      assert.ok(!Number.isNaN(Date.parse(records[0].time)));

      const deadline = Date.now() + 5000;
      while (udp.messages.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      const messages = udp.messages.map(parseSyslog);
      assert.deepEqual(
        messages.map((m) => [m.msgId, m.pri]),
        [
          ['user.review', 10 * 8 + 5],
          ['user.decision', 10 * 8 + 6],
          ['user.blacklisted', 10 * 8 + 4],
        ],
      );
      assert.equal(messages[2]!.procId, String(process.pid));
      assert.equal(messages[2]!.time, records[2].time);
      assert.deepEqual(messages[2]!.record, records[2], 'the message is the JSON record');
    } finally {
      udp.close();
    }
  });

  test('syslog over TCP uses octet counting; a failed export is retried, not lost', async () => {
    const tcp = await tcpListener();
    try {
      // Nothing listens on this port yet: the export fails and is kept for a retry.
      const closed = await tcpListener();
      const deadPort = closed.port;
      await closed.close();
      await putSiemSink(h.db, h.projectId, {
        syslog: { host: '127.0.0.1', port: deadPort, protocol: 'tcp' },
      });
      const userId = await newUser(h, 'Zoë <script>');
      await applyUserDecision(h.db, {
        projectId: h.projectId,
        userId,
        decision: 'approve',
        actor: 'analyst@example.com',
        note: 'multi\nline — ünïcode',
      });
      const dispatcher = testDispatcher(h.db, { siemDir: dir });
      await dispatcher.processOutbox();
      const { rows } = await h.db.query<{ last_error: string; done: boolean }>(
        'SELECT last_error, done_at IS NOT NULL AS done FROM outbox WHERE user_id = $1',
        [userId],
      );
      assert.equal(rows[0]!.done, false);
      assert.match(rows[0]!.last_error, /SIEM export failed/);

      await putSiemSink(h.db, h.projectId, {
        syslog: { host: '127.0.0.1', port: tcp.port, protocol: 'tcp' },
      });
      await new Promise((r) => setTimeout(r, 100)); // past the (test-short) retry delay
      assert.equal(await dispatcher.processOutbox(), 1);
      const deadline = Date.now() + 5000;
      while (tcp.messages.length < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      assert.equal(tcp.messages.length, 1);
      const m = parseSyslog(tcp.messages[0]!);
      assert.equal(m.msgId, 'user.decision');
      assert.equal(m.record.userName, 'Zoë <script>');
      assert.equal(
        m.record.data.note,
        'multi\nline — ünïcode',
        'a message with newlines and UTF-8 arrives whole',
      );
    } finally {
      await tcp.close();
    }
  });

  test('a sink names a file inside the SIEM folder, never a path', async () => {
    for (const fileName of ['../../etc/passwd', '/tmp/x.log', '.hidden', 'a/b.log', '']) {
      await assert.rejects(putSiemSink(h.db, h.projectId, { fileName }), (e: unknown) => {
        assert.ok(e instanceof InputError);
        assert.equal(e.field, 'fileName');
        return true;
      });
    }
    await assert.rejects(putSiemSink(h.db, h.projectId, { syslog: { host: '127.0.0.1', protocol: 'tcp' } }), {
      field: 'syslog.port',
    });
    await assert.rejects(putSiemSink(h.db, h.projectId, {}), { field: 'fileName' });
  });
});
