import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPostgresTestDatabaseUrl } from '@vigil/db';

/** The built CLI, as operators run it (npm test builds it before the tests run). */
export const MAIN = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'main.js');

/** A place for a Vigil process's data: a fresh PostgreSQL database, or a fresh PGlite folder. */
export interface Store {
  env: Record<string, string>;
  args: string[];
  dispose(): Promise<void>;
}

export async function freshStore(): Promise<Store> {
  const url = process.env.DATABASE_URL;
  if (url) {
    const db = await createPostgresTestDatabaseUrl(url);
    return { env: { DATABASE_URL: db.url }, args: [], dispose: () => db.drop() };
  }
  const dir = mkdtempSync(join(tmpdir(), 'vigil-test-'));
  return {
    env: {},
    args: ['--data', dir],
    async dispose() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function childEnv(store: Store): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'warn', ...store.env };
  if (!store.env.DATABASE_URL) delete env.DATABASE_URL;
  return env;
}

export function cli(store: Store, args: string[]) {
  return spawnSync(process.execPath, [MAIN, ...args, ...store.args], {
    env: childEnv(store),
    encoding: 'utf8',
  });
}

export function createProjectViaCli(store: Store): { projectId: string; apiKey: string } {
  const res = cli(store, ['project', 'create', '--name', 'Test', '--rate-limit', '0', '--json']);
  if (res.status !== 0) throw new Error(`project create failed: ${res.stderr}`);
  return JSON.parse(res.stdout.trim().split('\n').pop()!);
}

export interface RunningServer {
  child: ChildProcess;
  url: string;
  output: () => string;
}

export async function startServer(store: Store, port: number): Promise<RunningServer> {
  const child = spawn(process.execPath, [MAIN, 'start', '--port', String(port), ...store.args], {
    env: { ...childEnv(store), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (c) => {
    output += c;
  });
  child.stderr!.on('data', (c) => {
    output += c;
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}:\n${output}`);
    try {
      if ((await fetch(`${url}/readyz`)).status === 200) return { child, url, output: () => output };
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  child.kill('SIGKILL');
  throw new Error(`server did not become ready:\n${output}`);
}

export function stopServer(
  server: RunningServer,
  signal: NodeJS.Signals = 'SIGTERM',
): Promise<number | null> {
  return new Promise((resolve) => {
    if (server.child.exitCode !== null) return resolve(server.child.exitCode);
    server.child.once('exit', (code) => resolve(code));
    server.child.kill(signal);
  });
}

export function freePort(): number {
  return 20_000 + Math.floor(Math.random() * 20_000);
}
