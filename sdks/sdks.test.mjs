// The Python and PHP SDK test suites, each against a real Vigil server started by
// sdks/test-server.mjs (the built CLI on a fresh embedded database). PHP is skipped, with a
// message, only when `php` is not installed (.ci/run installs php-cli and php-curl).
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Runs a command to its end; resolves with its exit code and output. */
function run(command, args, env) {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c) => {
      output += c;
    });
    child.stderr.on('data', (c) => {
      output += c;
    });
    child.on('error', (error) => resolve({ code: -1, output: `${output}${error.message}` }));
    child.on('close', (code) => resolve({ code, output }));
  });
}

function installed(command, args) {
  const r = spawnSync(command, args, { encoding: 'utf8' });
  return r.status === 0;
}

describe('Python and PHP SDKs against a real server', () => {
  let server;
  let env;
  before(async () => {
    server = spawn(process.execPath, [join(ROOT, 'sdks', 'test-server.mjs')], {
      cwd: ROOT,
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const exited = new Promise((_, reject) =>
      server.once('exit', (code) => reject(new Error(`test-server exited with ${code}`))),
    );
    const line = new Promise((resolve) => createInterface({ input: server.stdout }).once('line', resolve));
    const { url, apiKey } = JSON.parse(await Promise.race([line, exited]));
    env = { VIGIL_URL: url, VIGIL_API_KEY: apiKey };
  });
  after(async () => {
    if (!server || server.exitCode !== null) return;
    const exited = new Promise((resolve) => server.once('exit', resolve));
    server.stdin.end(); // the server stops when its stdin closes
    await exited;
  });

  test('python3 -m unittest discover -s sdks/python/tests', async () => {
    const r = await run('python3', ['-m', 'unittest', 'discover', '-s', 'sdks/python/tests', '-v'], env);
    const summary = r.output.match(/Ran \d+ tests? in [\d.]+s\s+(OK.*|FAILED.*)/)?.[0] ?? '';
    process.stdout.write(`# python: ${summary.replace(/\s+/g, ' ')}\n`);
    assert.equal(r.code, 0, r.output);
  });

  test('php sdks/php/tests/run.php', async (t) => {
    if (!installed('php', ['-r', 'exit(extension_loaded("curl") ? 0 : 1);'])) {
      t.skip('php with the curl extension is not installed: apt-get install php-cli php-curl (.ci/run does)');
      return;
    }
    const r = await run('php', ['sdks/php/tests/run.php'], env);
    process.stdout.write(`# php: ${r.output.trim().split('\n').pop()}\n`);
    assert.equal(r.code, 0, r.output);
    assert.match(r.output, /\d+ passed, 0 failed\s*$/);
  });
});
