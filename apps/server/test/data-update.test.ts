import assert from 'node:assert/strict';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DataFormatError } from '@vigil/enrich';
import { loadConfig } from '../src/config.ts';
import { createEnricher, enrichmentDataDir } from '../src/enrich.ts';
import { updateDataDir } from '../src/lists/data-update.ts';
import type { ProjectEnricher } from '../src/lists/project-enricher.ts';
import { type EnrichmentReloader, startEnrichmentReloader } from '../src/lists/reloader.ts';
import { form, type Harness, postForm, startHarness } from './harness.ts';

const FIXTURES = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  '..',
  'packages',
  'enrich',
  'test',
  'fixtures',
  'operator-files',
);
const TOR_EXIT = '185.220.101.34'; // in tor-exits.txt
const VPN_ADDRESS = '146.70.1.1'; // in vpn.txt

async function until<T>(what: string, probe: () => Promise<T>, ok: (v: T) => boolean, ms = 5000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

// `vigil data update` and the running server: new data files are validated, installed atomically,
// picked up without a restart, and stored entities are re-enriched in the background.
describe('data update', () => {
  let h: Harness;
  let enricher: ProjectEnricher;
  let reloader: EnrichmentReloader;
  let root: string;
  let target: string;
  const logs: string[] = [];

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'vigil-data-'));
    const config = loadConfig({ LOG_LEVEL: 'silent', VIGIL_DATA_DIR: join(root, 'data') });
    target = enrichmentDataDir(config);
    enricher = (await createEnricher(config)).enricher;
    h = await startHarness({ enricher });
    reloader = await startEnrichmentReloader({
      db: h.db,
      enricher,
      config,
      log: { info: (m) => logs.push(m), error: (m) => logs.push(`ERROR ${m}`) },
      intervalMs: 100,
    });
  });
  after(async () => {
    await reloader.stop();
    await h.close();
    rmSync(root, { recursive: true, force: true });
  });

  const ipInfo = async (ip: string) => {
    const res = await h.app.inject({
      method: 'GET',
      url: `/api/v1/ips/${ip}`,
      headers: { 'api-key': h.apiKey },
    });
    assert.equal(res.statusCode, 200, res.body);
    return res.json();
  };
  const folder = (files: Record<string, string>) => {
    const dir = mkdtempSync(join(root, 'src-'));
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    return dir;
  };

  test('a malformed file is rejected with its name and line, and nothing is installed', async () => {
    const bad = folder({
      'tor-exits.txt': '# date: 2026-06-01\n185.220.101.34\n185.220.101.999\n',
      'vpn.txt': '146.70.0.0/16\n',
    });
    await assert.rejects(updateDataDir(bad, target), (error: unknown) => {
      assert.ok(error instanceof DataFormatError);
      assert.equal(error.file, 'tor-exits.txt');
      assert.equal(error.line, 3);
      return true;
    });
    assert.ok(!existsSync(target) || readdirSync(target).length === 0, 'nothing copied');
    await assert.rejects(
      updateDataDir(folder({ 'notes.txt': 'hello' }), target),
      /no data file Vigil recognises/,
    );
    await assert.rejects(updateDataDir(join(root, 'missing'), target), /no such folder/);
  });

  test('the TOR exit list flips tor to true through GET /api/v1/ips/{ip} without a restart, and stored rows follow', async () => {
    assert.equal(
      (await postForm(h, form({ userName: 'onion', ipAddress: TOR_EXIT, url: '/login' }))).statusCode,
      204,
    );
    const before = await ipInfo(TOR_EXIT);
    assert.equal(before.flags.tor, null, 'no TOR list loaded yet: unknown');

    const src = mkdtempSync(join(root, 'src-'));
    copyFileSync(join(FIXTURES, 'tor-exits.txt'), join(src, 'tor-exits.txt'));
    writeFileSync(join(src, 'README.txt'), 'not copied');
    const result = await updateDataDir(src, target);
    assert.deepEqual(result.copied, ['tor-exits.txt']);
    assert.deepEqual(readdirSync(target), ['tor-exits.txt'], 'no temporary file left behind');
    const tor = result.data.sources.find((s) => s.id === 'tor');
    assert.equal(tor?.date, '2026-06-01');
    assert.equal(tor?.origin, 'operator');

    const after = await until(
      'the running app to load the TOR list',
      () => ipInfo(TOR_EXIT),
      (i) => i.flags.tor === true,
    );
    assert.equal(after.type, 'tor');
    assert.equal(after.sources.tor.date, '2026-06-01');

    // The stored row is re-enriched in the background.
    await until(
      'the re-enrichment of the stored row',
      async () => {
        await reloader.reenriching();
        const { rows } = await h.db.query<{ is_tor: boolean | null }>(
          'SELECT is_tor FROM ips WHERE project_id = $1 AND ip = $2::inet',
          [h.projectId, TOR_EXIT],
        );
        return rows[0]?.is_tor;
      },
      (v) => v === true,
    );
    assert.ok(
      logs.some((l) => l.startsWith('re-enrichment: done')),
      logs.join('\n'),
    );
  });

  test('a second update adds files; a bad file dropped in the folder is logged and the data stays', async () => {
    const vpn = mkdtempSync(join(root, 'src-'));
    copyFileSync(join(FIXTURES, 'vpn.txt'), join(vpn, 'vpn.txt'));
    await updateDataDir(vpn, target);
    assert.deepEqual(readdirSync(target).sort(), ['tor-exits.txt', 'vpn.txt']);
    await until(
      'the VPN list',
      () => ipInfo(VPN_ADDRESS),
      (i) => i.flags.vpn === true,
    );
    assert.equal((await ipInfo(TOR_EXIT)).flags.tor, true, 'the earlier TOR list is still there');

    // An operator copies a broken file by hand, past `vigil data update`.
    mkdirSync(target, { recursive: true });
    writeFileSync(join(target, 'datacenter-asns.txt'), 'AS24940\nHetzner\n');
    await until(
      'the reloader to report the bad file',
      async () => logs.filter((l) => l.startsWith('ERROR')),
      (errors) => errors.some((e) => e.includes('datacenter-asns.txt:2')),
    );
    assert.equal((await ipInfo(TOR_EXIT)).flags.tor, true, 'the loaded data stays');
    assert.equal((await ipInfo(VPN_ADDRESS)).flags.vpn, true);
  });
  test('re-enrichment moves an IP to its new ISP with its event counts', async () => {
    for (let i = 0; i < 3; i++) {
      const res = await postForm(h, form({ userName: `aws${i}`, ipAddress: '3.120.0.1', url: '/' }));
      assert.equal(res.statusCode, 204);
    }
    const isp = async (asn: number) =>
      (
        await h.db.query<{ event_count: number; name: string }>(
          'SELECT event_count, name FROM isps WHERE project_id = $1 AND asn = $2',
          [h.projectId, asn],
        )
      ).rows[0];
    const amazonBefore = (await isp(16509))!.event_count;
    assert.ok(amazonBefore >= 3);
    unlinkSync(join(target, 'datacenter-asns.txt'));
    const asn = folder({ 'asn.csv': '3.120.0.0,3.127.255.255,64500,Test Networks\n' });
    await updateDataDir(asn, target);
    await until(
      'the new ASN table',
      () => ipInfo('3.120.0.1'),
      (i) => i.asn === 64500,
    );
    await until(
      'the ISP counters to follow',
      async () => {
        await reloader.reenriching();
        return isp(64500);
      },
      (row) => row !== undefined && Number(row.event_count) === 3,
    );
    assert.equal((await isp(64500))!.name, 'Test Networks');
    assert.equal(Number((await isp(16509))!.event_count), amazonBefore - 3);
    const { rows } = await h.db.query<{ asn: number }>(
      'SELECT s.asn FROM ips i JOIN isps s ON s.id = i.isp_id WHERE i.project_id = $1 AND i.ip = $2::inet',
      [h.projectId, '3.120.0.1'],
    );
    assert.equal(Number(rows[0]!.asn), 64500);
  });
});
