import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { freePort } from './server-process.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/**
 * Docker cannot run here, so this replays the runtime stage of the Dockerfile: its COPY lines
 * (from the build context, or from the build stage, whose /app is this built checkout) into an
 * empty folder, its `npm ci --omit=dev`, then starts the server from there on a fresh embedded
 * database and asks for /healthz and /readyz.
 */
const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8').replace(/\\\n\s*/g, ' ');
const stages = dockerfile.split(/^FROM /m);
const runtime = stages.find((s) => /^\S+ AS runtime\b/.test(s));

const work = mkdtempSync(join(tmpdir(), 'vigil-image-'));
let server: ChildProcess | null = null;
after(() => {
  server?.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
});

test('the image runs as a non-root user with a health check, in a final stage of its own', () => {
  assert.ok(runtime, 'a stage named runtime');
  assert.ok(stages.length >= 3, 'a build stage before it');
  const user = /^USER (\S+)/m.exec(runtime)?.[1];
  assert.ok(user && user !== 'root' && user !== '0', 'USER is not root');
  assert.match(runtime, /^HEALTHCHECK .*\/healthz/m);
  assert.match(runtime, /^RUN npm ci --omit=dev/m);
});

test('the runtime stage, replayed in an empty folder, installs and starts', {
  timeout: 170_000,
}, async () => {
  const app = join(work, 'app');
  mkdirSync(app);
  let installed = false;
  for (const line of runtime!.split('\n')) {
    const copy = /^COPY (?:--from=build )?(\S+) (\S+)$/.exec(line.trim());
    if (copy) {
      const fromStage = line.includes('--from=build');
      const source = join(ROOT, fromStage ? copy[1]!.replace(/^\/app\//, '') : copy[1]!);
      assert.ok(existsSync(source), `${copy[1]} exists (build first: npx tsc -b, npm run build:dashboard)`);
      const dest = join(app, copy[2]!);
      cpSync(
        source,
        copy[2]!.endsWith('/') || copy[2] === './' ? join(dest, source.split('/').pop()!) : dest,
        {
          recursive: true,
        },
      );
      continue;
    }
    if (line.startsWith('RUN npm ci')) {
      const args = ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund'];
      // The npm cache holds the packages; fall back to the registry if it does not.
      let res = spawnSync('npm', [...args, '--offline'], { cwd: app, encoding: 'utf8', timeout: 120_000 });
      if (res.status !== 0) res = spawnSync('npm', args, { cwd: app, encoding: 'utf8', timeout: 120_000 });
      assert.equal(res.status, 0, `npm ci failed:\n${res.stderr}`);
      installed = true;
    }
  }
  assert.ok(installed, 'the runtime stage runs npm ci');
  // Production dependencies only: the compiler and test tools are not in the image.
  assert.ok(existsSync(join(app, 'node_modules', 'fastify')));
  assert.ok(!existsSync(join(app, 'node_modules', 'typescript')), 'typescript is a dev dependency');
  assert.ok(!existsSync(join(app, 'node_modules', 'tsx')), 'tsx is a dev dependency');

  const port = freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
  };
  delete env.DATABASE_URL;
  server = spawn(
    process.execPath,
    ['apps/server/dist/main.js', 'start', '--port', String(port), '--data', join(work, 'data')],
    {
      cwd: app,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  server.stdout!.on('data', (c) => {
    output += c;
  });
  server.stderr!.on('data', (c) => {
    output += c;
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  let ready: Response | null = null;
  while (Date.now() < deadline) {
    assert.equal(server.exitCode, null, `the server exited:\n${output}`);
    try {
      ready = await fetch(`${url}/readyz`);
      if (ready.status === 200) break;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  assert.equal(ready?.status, 200, output);
  assert.equal(((await ready!.json()) as { engine: string }).engine, 'pglite');
  const health = await fetch(`${url}/healthz`);
  assert.equal(health.status, 200);
  assert.deepEqual(await health.json(), { status: 'ok' });
  // The dashboard built in the build stage is served too.
  const page = await fetch(`${url}/`);
  assert.equal(page.status, 200);
  assert.match(await page.text(), /<div id="root">|<!doctype html>/i);
});
