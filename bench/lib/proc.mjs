// Process helpers for the benchmark drivers: memory of a process tree, bounded waits, stopping.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** VmRSS of one process in kB, or null when it is gone. */
export function rssKb(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return match ? Number(match[1]) : 0; // a zombie has no VmRSS line
  } catch {
    return null;
  }
}

/** Pids of the process's descendants (through /proc/PID/task/TID/children). */
export function descendants(pid) {
  const found = [];
  const queue = [pid];
  while (queue.length) {
    const p = queue.shift();
    let tasks = [];
    try {
      tasks = readFileSync(`/proc/${p}/task/${p}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
    } catch {
      continue;
    }
    for (const child of tasks.map(Number)) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

/** RSS in MB of the process and everything it started (workers, helpers), or null when it is gone. */
export function treeRssMb(pid) {
  const own = rssKb(pid);
  if (own === null) return null;
  let kb = own;
  for (const child of descendants(pid)) kb += rssKb(child) ?? 0;
  return Math.round((kb / 1024) * 10) / 10;
}

/** Resolves with { code, signal } when the child exits, or null after timeoutMs. */
export function waitExit(child, timeoutMs) {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.off('exit', onExit);
      resolve(null);
    }, timeoutMs);
    function onExit(code, signal) {
      clearTimeout(timer);
      resolve({ code, signal });
    }
    child.once('exit', onExit);
  });
}

/**
 * SIGTERM, then SIGKILL after graceMs. Returns { clean, code, signal, ms }: clean when the child
 * exited by itself after SIGTERM within the grace period.
 */
export async function stopChild(child, graceMs = 30_000) {
  const started = Date.now();
  if (child.exitCode !== null || child.signalCode !== null) {
    return { clean: false, code: child.exitCode, signal: child.signalCode, ms: 0, alreadyExited: true };
  }
  child.kill('SIGTERM');
  const exited = await waitExit(child, graceMs);
  if (exited) return { clean: exited.code === 0, ...exited, ms: Date.now() - started };
  child.kill('SIGKILL');
  const killed = await waitExit(child, 10_000);
  return {
    clean: false,
    code: killed?.code ?? null,
    signal: killed?.signal ?? 'SIGKILL',
    ms: Date.now() - started,
  };
}

/** A TCP port that was free on 127.0.0.1 a moment ago. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
