import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Executor } from '@vigil/db';
import { DEFAULT_DELIVERY_POLICY } from '../src/actions/deliveries.ts';
import { ActionDispatcher, type DispatcherOptions } from '../src/actions/dispatcher.ts';
import { form, type Harness, postForm } from './harness.ts';

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  /** What the receiver answered. */
  status: number;
}

/** A real HTTP receiver on 127.0.0.1; `answer` picks the status of each request. */
export async function startReceiver(answer: (request: Omit<Received, 'status'>) => number) {
  const requests: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const request = { headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      const status = answer(request);
      requests.push({ ...request, status });
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'try again later');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/vigil`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Answers 500 to the first `failures` requests of each delivery id, then 200. */
export function failingThenOk(failures: number) {
  const seen = new Map<string, number>();
  return (request: Omit<Received, 'status'>) => {
    const id = String(request.headers['vigil-delivery']);
    const n = (seen.get(id) ?? 0) + 1;
    seen.set(id, n);
    return n <= failures ? 500 : 200;
  };
}

/** A user of the harness project, created by a real event; returns their id. */
export async function newUser(
  h: Harness,
  userName: string,
  fields: Record<string, string> = {},
): Promise<number> {
  const res = await postForm(
    h,
    form({ userName, ipAddress: '203.0.113.9', url: '/login', eventType: 'account_login', ...fields }),
  );
  if (res.statusCode !== 204) throw new Error(`event for ${userName}: ${res.statusCode} ${res.body}`);
  const { rows } = await h.db.query<{ id: number }>(
    'SELECT id FROM users WHERE project_id = $1 AND user_name = $2',
    [h.projectId, userName],
  );
  return Number(rows[0]!.id);
}

/** A dispatcher with test timings: retries after tens of milliseconds instead of seconds. */
export function testDispatcher(db: Executor, options: Partial<DispatcherOptions> = {}): ActionDispatcher {
  return new ActionDispatcher(db, {
    pollMs: 20,
    batchSize: 50,
    policy: { ...DEFAULT_DELIVERY_POLICY, retryBaseMs: 30, timeoutMs: 2000 },
    mailer: null,
    publicUrl: 'http://vigil.test',
    siemDir: '/nonexistent',
    reminderEveryMs: 3_600_000,
    ...options,
  });
}

export async function waitUntil(check: () => Promise<boolean> | boolean, ms = 15_000, what = 'condition') {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
