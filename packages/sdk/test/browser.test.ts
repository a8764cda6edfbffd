// The browser build: bundled by the build script, under 5 KB gzipped, free of Node APIs, and working
// (run here in Node, with a minimal page environment) against a real server.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { type Server, serverEvents, startServer } from './helpers.ts';

const BUNDLE = fileURLToPath(new URL('../dist/vigil.browser.js', import.meta.url));
const SCRIPT = fileURLToPath(new URL('../scripts/build-browser.mjs', import.meta.url));

describe('browser build', () => {
  let s: Server;
  before(async () => {
    s = await startServer();
  });
  after(() => s.close());

  test('the build script bundles it and checks the 5 KB budget', () => {
    const run = spawnSync(process.execPath, [SCRIPT], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /bytes gzipped \(budget 5120\)/);
    const code = readFileSync(BUNDLE);
    assert.ok(gzipSync(code, { level: 9 }).length <= 5120);
    assert.doesNotMatch(code.toString(), /\bprocess\.|require\(|node:/);
  });

  test('the page fills the event; it is delivered on flush and on page hide', async () => {
    const listeners: Record<string, Array<() => void>> = {};
    const doc = {
      title: 'Checkout',
      referrer: 'https://ref.example/',
      visibilityState: 'visible',
      addEventListener: (type: string, fn: () => void) => {
        listeners[`doc:${type}`] = [...(listeners[`doc:${type}`] ?? []), fn];
      },
    };
    const g = globalThis as Record<string, unknown>;
    const page: Record<string, unknown> = {
      document: doc,
      location: { pathname: '/checkout', search: '?step=2' },
      navigator: { userAgent: 'Mozilla/5.0 TestBrowser/1.0', languages: ['fr-FR', 'fr'] },
      addEventListener: (type: string, fn: () => void) => {
        listeners[type] = [...(listeners[type] ?? []), fn];
      },
    };
    const saved = Object.keys(page).map((k) => [k, Object.getOwnPropertyDescriptor(g, k)] as const);
    for (const [k, value] of Object.entries(page)) {
      Object.defineProperty(g, k, { value, configurable: true, writable: true });
    }
    try {
      const { Vigil } = (await import(`${BUNDLE}?t=${Date.now()}`)) as typeof import('../src/index.ts');
      const vigil = new Vigil({
        url: s.url,
        apiKey: s.apiKey,
        flushIntervalMs: 60_000,
        defaults: { ipAddress: '198.51.100.23' },
      });
      vigil.track({ userName: 'br-user', eventType: 'page_view' });
      await vigil.flush();
      vigil.track({ userName: 'br-user', url: '/thanks' });
      doc.visibilityState = 'hidden';
      for (const fn of listeners['doc:visibilitychange'] ?? []) fn();
      for (let i = 0; i < 100 && vigil.stats().queued > 0; i++) await new Promise((r) => setTimeout(r, 20));
      assert.equal(vigil.stats().delivered, 2);
      const events = await serverEvents(s.url, s.apiKey, 'br-user');
      const checkout = events.find((e) => e.url === '/checkout')!;
      assert.equal(checkout.query, '?step=2');
      assert.equal(checkout.ipAddress, '198.51.100.23');
      assert.equal(checkout.httpReferer, 'https://ref.example/');
      assert.equal(checkout.userAgent, 'Mozilla/5.0 TestBrowser/1.0');
      assert.equal(checkout.browserLanguage, 'fr-FR,fr');
      assert.ok(events.some((e) => e.url === '/thanks'));
      assert.ok(listeners.pagehide?.length, 'pagehide is hooked');
      await vigil.close();
    } finally {
      for (const [k, d] of saved) {
        if (d) Object.defineProperty(g, k, d);
        else delete g[k];
      }
    }
  });
});
