import { createSocket } from 'node:dgram';
import { appendFile, mkdir } from 'node:fs/promises';
import { connect, isIP } from 'node:net';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Executor } from '@vigil/db';
import { InputError } from '../input-error.ts';
import type { AlertKind } from './outbox.ts';
import { objectOf } from './subscriptions.ts';

/** The alerts a SIEM receives: the ones a security team acts on. */
export const SIEM_KINDS: readonly AlertKind[] = [
  'user.review',
  'user.blacklisted',
  'user.unblacklisted',
  'user.decision',
];

export interface SiemSink {
  /** JSON lines are appended to this file inside the installation's SIEM folder (VIGIL_SIEM_DIR). */
  fileName: string | null;
  syslog: { host: string; port: number; protocol: 'udp' | 'tcp' } | null;
  enabled: boolean;
}

export interface SiemRecord {
  time: string;
  source: 'vigil';
  eventId: string;
  type: AlertKind;
  projectId: string;
  userName: string | null;
  data: Record<string, unknown>;
}

const FILE_NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;
const HOST = /^[A-Za-z0-9.:-]{1,253}$/;
const TCP_TIMEOUT_MS = 5000;

export async function getSiemSink(db: Executor, projectId: string): Promise<SiemSink | null> {
  const { rows } = await db.query(
    'SELECT file_name, syslog_host, syslog_port, syslog_protocol, enabled FROM siem_sinks WHERE project_id = $1',
    [projectId],
  );
  const r = rows[0];
  if (!r) return null;
  return {
    fileName: r.file_name,
    syslog: r.syslog_host ? { host: r.syslog_host, port: r.syslog_port, protocol: r.syslog_protocol } : null,
    enabled: r.enabled,
  };
}

/**
 * Sets the project's SIEM export: `fileName` (a plain name, no folders: a project admin must not
 * be able to make the server write anywhere else) and/or `syslog` {host, port, protocol}.
 */
export async function putSiemSink(db: Executor, projectId: string, input: unknown): Promise<SiemSink> {
  const body = objectOf(input);
  let fileName: string | null = null;
  if (body.fileName !== undefined && body.fileName !== null) {
    if (typeof body.fileName !== 'string' || !FILE_NAME.test(body.fileName)) {
      throw new InputError(
        'fileName must be a plain file name (letters, digits, . _ -), without folders',
        'fileName',
      );
    }
    fileName = body.fileName;
  }
  let syslog: SiemSink['syslog'] = null;
  if (body.syslog !== undefined && body.syslog !== null) {
    const s = objectOf(body.syslog);
    if (typeof s.host !== 'string' || !HOST.test(s.host)) {
      throw new InputError('syslog.host must be a host name or IP address', 'syslog.host');
    }
    if (!Number.isInteger(s.port) || (s.port as number) < 1 || (s.port as number) > 65535) {
      throw new InputError('syslog.port must be a port number', 'syslog.port');
    }
    const protocol = s.protocol ?? 'udp';
    if (protocol !== 'udp' && protocol !== 'tcp') {
      throw new InputError('syslog.protocol must be udp or tcp', 'syslog.protocol');
    }
    syslog = { host: s.host, port: s.port as number, protocol };
  }
  if (!fileName && !syslog) {
    throw new InputError('give a fileName, a syslog target, or both', 'fileName');
  }
  if (body.enabled !== undefined && typeof body.enabled !== 'boolean') {
    throw new InputError('enabled must be a boolean', 'enabled');
  }
  const enabled = body.enabled ?? true;
  await db.query(
    `INSERT INTO siem_sinks (project_id, file_name, syslog_host, syslog_port, syslog_protocol, enabled)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (project_id) DO UPDATE SET file_name = $2, syslog_host = $3, syslog_port = $4,
       syslog_protocol = $5, enabled = $6, updated_at = now()`,
    [projectId, fileName, syslog?.host ?? null, syslog?.port ?? null, syslog?.protocol ?? null, enabled],
  );
  return { fileName, syslog, enabled: enabled as boolean };
}

export async function deleteSiemSink(db: Executor, projectId: string): Promise<boolean> {
  const { rowCount } = await db.query('DELETE FROM siem_sinks WHERE project_id = $1', [projectId]);
  return (rowCount ?? 0) > 0;
}

/** Severity per alert (RFC 5424 §6.2.1): a blacklisting is a warning, a review flag a notice. */
function severity(kind: AlertKind): number {
  if (kind === 'user.blacklisted') return 4;
  if (kind === 'user.review') return 5;
  return 6;
}

/** Facility 10, security/authorization: where SIEMs expect security alerts. */
const FACILITY = 10;

/** Header fields must be printable US-ASCII without spaces (RFC 5424 §6). */
function headerField(value: string, max: number): string {
  const clean = value.replace(/[^\x21-\x7e]/g, '').slice(0, max);
  return clean.length > 0 ? clean : '-';
}

/**
 * One RFC 5424 message: `<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID SD MSG`, with the alert
 * type as MSGID, no structured data, and the JSON record as the message.
 */
export function formatSyslog(record: SiemRecord, host = hostname(), procId = String(process.pid)): string {
  const pri = FACILITY * 8 + severity(record.type);
  return `<${pri}>1 ${record.time} ${headerField(host, 255)} vigil ${headerField(procId, 128)} ${headerField(record.type, 32)} - ${JSON.stringify(record)}`;
}

/** Writes the records to the sink: file first, then syslog. Throws when either fails (retried). */
export async function exportToSiem(sink: SiemSink, siemDir: string, records: SiemRecord[]): Promise<void> {
  if (records.length === 0 || !sink.enabled) return;
  if (sink.fileName) {
    await mkdir(siemDir, { recursive: true });
    await appendFile(join(siemDir, sink.fileName), records.map((r) => `${JSON.stringify(r)}\n`).join(''));
  }
  if (sink.syslog) {
    const messages = records.map((r) => formatSyslog(r));
    if (sink.syslog.protocol === 'udp') await sendUdp(sink.syslog.host, sink.syslog.port, messages);
    else await sendTcp(sink.syslog.host, sink.syslog.port, messages);
  }
}

/** UDP (RFC 5426): one message per datagram. */
async function sendUdp(host: string, port: number, messages: string[]): Promise<void> {
  const socket = createSocket(isIP(host) === 6 ? 'udp6' : 'udp4');
  try {
    for (const m of messages) {
      await new Promise<void>((resolve, reject) =>
        socket.send(Buffer.from(m), port, host, (error) => (error ? reject(error) : resolve())),
      );
    }
  } finally {
    socket.close();
  }
}

/** TCP (RFC 6587 §3.4.1): octet-counting framing, `<length> <message>`, so messages may hold newlines. */
function sendTcp(host: string, port: number, messages: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    socket.setTimeout(TCP_TIMEOUT_MS, () => socket.destroy(new Error(`syslog ${host}:${port} timed out`)));
    socket.once('error', reject);
    socket.once('connect', () => {
      const frames = messages.map((m) => `${Buffer.byteLength(m)} ${m}`).join('');
      socket.end(frames);
    });
    socket.once('close', (hadError) => {
      if (!hadError) resolve();
    });
  });
}
