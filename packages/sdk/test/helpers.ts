// Test helpers: a real Vigil server on a port, a fault-injecting HTTP proxy in front of it, a TCP
// server that accepts and never answers, and reads through GET /api/v1/users/{userName}/events.
import http from 'node:http';
import net from 'node:net';
import { type Harness, startHarness } from '../../../apps/server/test/harness.ts';
import type { StoredEvent, VigilWarning } from '../src/types.ts';

export interface Server {
  h: Harness;
  url: string;
  apiKey: string;
  close(): Promise<void>;
}

/** A real Vigil app (fresh test database) listening on 127.0.0.1. */
export async function startServer(
  options: Parameters<typeof startHarness>[0] = {},
  port = 0,
): Promise<Server> {
  const h = await startHarness(options);
  const address = await h.app.listen({ port, host: '127.0.0.1' });
  return { h, url: address, apiKey: h.apiKey, close: () => h.close() };
}

/** A port nothing listens on (yet). */
export async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as net.AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

/** The user's events as the server stored them, through the public read API. */
export async function serverEvents(url: string, apiKey: string, userName: string): Promise<StoredEvent[]> {
  const res = await fetch(`${url}/api/v1/users/${encodeURIComponent(userName)}/events?limit=1000`, {
    headers: { 'api-key': apiKey },
  });
  if (res.status === 404) return [];
  if (res.status !== 200) throw new Error(`events of ${userName}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { events: StoredEvent[] }).events;
}

export type Action =
  | 'forward'
  /** Forwards (the server stores), then answers 503 as if the answer had been lost. */
  | 'forward-then-503'
  | { status: number; headers?: Record<string, string>; body?: string };

export interface Hit {
  at: number;
  method: string;
  path: string;
  status: number;
  body: string;
}

export interface FaultProxy {
  url: string;
  hits: Hit[];
  close(): Promise<void>;
}

/** An HTTP proxy to `upstream` whose answer to the n-th request (0-based) `plan` chooses. */
export async function startProxy(
  upstream: string,
  plan: (n: number, hit: Hit) => Action,
): Promise<FaultProxy> {
  const hits: Hit[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const hit: Hit = {
        at: Date.now(),
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        status: 0,
        body: Buffer.concat(chunks).toString(),
      };
      const action = plan(hits.length, hit);
      hits.push(hit);
      try {
        if (typeof action === 'object') {
          hit.status = action.status;
          res.writeHead(action.status, { 'content-type': 'application/json', ...action.headers });
          res.end(action.body ?? JSON.stringify({ error: { code: 'injected', message: 'injected fault' } }));
          return;
        }
        const headers: Record<string, string> = {};
        for (const name of ['api-key', 'content-type']) {
          const v = req.headers[name];
          if (typeof v === 'string') headers[name] = v;
        }
        const up = await fetch(upstream + hit.path, {
          method: hit.method,
          headers,
          ...(hit.body ? { body: hit.body } : {}),
        });
        const text = await up.text();
        if (action === 'forward-then-503') {
          hit.status = 503;
          res.writeHead(503, { 'content-type': 'application/json' });
          res.end('{"error":{"code":"unavailable","message":"answer lost"}}');
          return;
        }
        hit.status = up.status;
        const retryAfter = up.headers.get('retry-after');
        res.writeHead(up.status, {
          'content-type': up.headers.get('content-type') ?? 'application/json',
          ...(retryAfter ? { 'retry-after': retryAfter } : {}),
        });
        res.end(text);
      } catch (error) {
        res.writeHead(502);
        res.end(String(error));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Accepts TCP connections and never answers (nor closes them). */
export async function startStalledServer(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Collects warnings (the tests pass it as onWarning). */
export function warnings(): { list: VigilWarning[]; on: (w: VigilWarning) => void; codes: () => string[] } {
  const list: VigilWarning[] = [];
  return { list, on: (w) => list.push(w), codes: () => list.map((w) => w.code) };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until check() is truthy or the time is up. */
export async function until<T>(check: () => Promise<T> | T, timeoutMs = 10_000, stepMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(stepMs);
  }
}
