// The flush at process exit (beforeExit): a script that tracks and simply ends loses nothing, and a
// dead server does not keep it alive.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { freePort, type Server, serverEvents, startServer } from './helpers.ts';

const SDK = fileURLToPath(new URL('../src/index.ts', import.meta.url));

function runScript(url: string, apiKey: string, userName: string, n: number) {
  const code = `
    import { Vigil } from ${JSON.stringify(SDK)};
    const vigil = new Vigil({ url: ${JSON.stringify(url)}, apiKey: ${JSON.stringify(apiKey)},
      flushIntervalMs: 60000, retry: { attempts: 2, baseMs: 10, maxMs: 50 },
      onWarning: (w) => console.log('warning', w.code) });
    for (let i = 0; i < ${n}; i++) vigil.track({ userName: ${JSON.stringify(userName)}, ipAddress: '8.8.4.4', url: '/exit/' + i });
    console.log('tracked');`;
  return new Promise<{ code: number | null; output: string; ms: number }>((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c) => {
      output += c;
    });
    child.stderr.on('data', (c) => {
      output += c;
    });
    child.on('exit', (code) => resolve({ code, output, ms: Date.now() - started }));
  });
}

describe('flush at process exit', () => {
  let s: Server;
  before(async () => {
    s = await startServer();
  });
  after(() => s.close());

  test('a script that tracks and ends: the events are delivered before it exits', async () => {
    const run = await runScript(s.url, s.apiKey, 'ts-exit', 7);
    assert.equal(run.code, 0, run.output);
    assert.match(run.output, /tracked/);
    assert.doesNotMatch(run.output, /warning/);
    assert.equal((await serverEvents(s.url, s.apiKey, 'ts-exit')).length, 7);
  });

  test('the server is down: the script still ends, and says what was lost', async () => {
    const port = await freePort();
    const run = await runScript(`http://127.0.0.1:${port}`, 'k', 'ts-exit-down', 3);
    assert.equal(run.code, 0, run.output);
    assert.match(run.output, /warning delivery_failed\nwarning lost/);
    assert.ok(run.ms < 15_000, `took ${run.ms} ms`);
  });
});
