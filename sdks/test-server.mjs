#!/usr/bin/env node
// A real Vigil server for the SDK tests: the built CLI on a fresh embedded database (PGlite) in a
// temporary folder, with one project (no rate limit). Prints one JSON line {"url", "apiKey"} once
// the server is ready, and stops (removing the folder) on SIGTERM/SIGINT or when its stdin is
// closed (when stdin is a pipe).
//
//   node sdks/test-server.mjs [--port N]
//
// Needs `npm run build` (apps/server/dist/main.js).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, fstatSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const MAIN = join(dirname(fileURLToPath(import.meta.url)), '..', 'apps', 'server', 'dist', 'main.js');
const { values } = parseArgs({ options: { port: { type: 'string' } } });

function fail(message) {
  process.stderr.write(`test-server: ${message}\n`);
  process.exit(1);
}

async function freePort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

if (!existsSync(MAIN)) fail(`${MAIN} is missing: run npm run build first`);
const port = values.port ? Number(values.port) : await freePort();
const dir = mkdtempSync(join(tmpdir(), 'vigil-sdk-test-'));
// Always the embedded database, whatever DATABASE_URL the caller has.
const env = { ...process.env, LOG_LEVEL: 'warn', HOST: '127.0.0.1' };
delete env.DATABASE_URL;

let child;
let stopping = false;
async function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  if (child && child.exitCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
  rmSync(dir, { recursive: true, force: true });
  process.exit(code);
}
process.once('SIGTERM', () => void stop(0));
process.once('SIGINT', () => void stop(0));
// A pipe on stdin means a parent process: its end (the parent closed it, or died) stops us.
try {
  const stat = fstatSync(0);
  if (stat.isFIFO() || stat.isSocket()) {
    process.stdin.on('data', () => {});
    process.stdin.on('end', () => void stop(0));
    process.stdin.on('error', () => void stop(0));
  }
} catch {
  // No stdin at all.
}

const created = spawnSync(
  process.execPath,
  [MAIN, 'project', 'create', '--name', 'SDK tests', '--rate-limit', '0', '--json', '--data', dir],
  { env, encoding: 'utf8' },
);
if (created.status !== 0) {
  rmSync(dir, { recursive: true, force: true });
  fail(`project create failed:\n${created.stdout}${created.stderr}`);
}
const { apiKey } = JSON.parse(created.stdout.trim().split('\n').pop());

child = spawn(process.execPath, [MAIN, 'start', '--port', String(port), '--data', dir], {
  env,
  stdio: ['ignore', 'pipe', 'pipe'],
});
let output = '';
child.stdout.on('data', (c) => {
  output += c;
});
child.stderr.on('data', (c) => {
  output += c;
  // Server errors are worth seeing in the test log.
  if (output.length < 100_000) process.stderr.write(c);
});
child.once('exit', (code) => {
  if (!stopping) {
    process.stderr.write(`test-server: the server exited with ${code}\n${output}`);
    void stop(1);
  }
});

const url = `http://127.0.0.1:${port}`;
const deadline = Date.now() + 60_000;
for (;;) {
  try {
    if ((await fetch(`${url}/readyz`)).status === 200) break;
  } catch {
    // Not listening yet.
  }
  if (Date.now() > deadline) {
    process.stderr.write(`test-server: not ready after 60 s\n${output}`);
    await stop(1);
  }
  await new Promise((resolve) => setTimeout(resolve, 100));
}
process.stdout.write(`${JSON.stringify({ url, apiKey })}\n`);
