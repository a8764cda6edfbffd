import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { acquireDataDirLock, DataDirLockedError } from '../src/lock.ts';

// Two PGlite processes on one folder lose writes silently; the lock file must refuse the second.
test('a second writer on the same data folder is refused with a clear message', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-lock-'));
  try {
    const lock = acquireDataDirLock(dir);
    assert.equal(readFileSync(join(dir, 'vigil.lock'), 'utf8'), String(process.pid));
    // Another process trying the same folder while this one holds it.
    const other = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        '-e',
        `import('${join(import.meta.dirname, '../src/lock.ts')}').then((m) => m.acquireDataDirLock(${JSON.stringify(dir)}))`,
      ],
      { encoding: 'utf8' },
    );
    assert.notEqual(other.status, 0);
    assert.match(other.stderr, /in use by another Vigil process \(pid \d+\)/);
    assert.throws(() => acquireDataDirLock(dir), DataDirLockedError);
    lock.release();
    assert.equal(existsSync(join(dir, 'vigil.lock')), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a lock left by a process that died (SIGKILL) is taken over', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-lock-'));
  try {
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
      encoding: 'utf8',
    });
    writeFileSync(join(dir, 'vigil.lock'), dead.stdout);
    const lock = acquireDataDirLock(dir);
    assert.equal(readFileSync(join(dir, 'vigil.lock'), 'utf8'), String(process.pid));
    lock.release();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
