import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  cli,
  createProjectViaCli,
  freePort,
  freshStore,
  type RunningServer,
  type Store,
  startServer,
  stopServer,
} from './server-process.ts';

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
const TOR_EXIT = '185.220.101.34';
const VPN_ADDRESS = '146.70.1.1';

async function until<T>(
  what: string,
  probe: () => Promise<T>,
  ok: (v: T) => boolean,
  ms: number,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

// The built CLI as operators run it (npx tsc -b first), against a fresh store: PGlite in a folder,
// or a fresh PostgreSQL database when DATABASE_URL is set.
describe('vigil lists and vigil data (built CLI)', () => {
  let store: Store;
  let work: string;
  let project: { projectId: string; apiKey: string };
  let listFile: string;

  before(async () => {
    const fresh = await freshStore();
    work = mkdtempSync(join(tmpdir(), 'vigil-cli-lists-'));
    // On PostgreSQL the data folder still holds the enrichment files: give it a fresh one too.
    store = fresh.args.length > 0 ? fresh : { ...fresh, args: ['--data', join(work, 'data')] };
    project = createProjectViaCli(store);
    listFile = join(work, 'bad-ips.csv');
    writeFileSync(listFile, `ip,label,score\n${TOR_EXIT},Seen in attacks,30\n81.2.69.0/24,,\n`);
  });
  after(async () => {
    await store.dispose();
    rmSync(work, { recursive: true, force: true });
  });

  test('lists import, show and usage errors', () => {
    const res = cli(store, [
      'lists',
      'import',
      listFile,
      '--label',
      'Attackers',
      '--score',
      '10',
      '--expires',
      '2099-01-01',
    ]);
    assert.equal(res.status, 0, res.stderr);
    assert.match(res.stdout, /Imported list "Attackers" into project "Test"/);
    assert.match(res.stdout, /2 entries \(ip 1, cidr 1\)/);
    assert.match(res.stdout, /Expires: 2099-01-01T00:00:00.000Z/);

    const shown = cli(store, ['lists']);
    assert.equal(shown.status, 0, shown.stderr);
    assert.match(shown.stdout, /Attackers/);
    const json = cli(store, ['lists', '--json']);
    const lists = JSON.parse(json.stdout);
    assert.equal(lists.length, 1);
    assert.equal(lists[0].projectId, project.projectId);
    assert.equal(lists[0].entryCount, 2);

    assert.equal(cli(store, ['lists', 'import', listFile]).status, 2, 'no --label');
    assert.equal(cli(store, ['lists', 'import', listFile, '--label', 'x', '--kind', 'ipv4']).status, 2);
    assert.equal(cli(store, ['lists', 'import', listFile, '--label', 'x', '--expires', 'soon']).status, 2);
    assert.equal(cli(store, ['lists', 'import', '--label', 'x']).status, 2, 'no FILE');
    assert.equal(cli(store, ['lists', 'frobnicate']).status, 2);
    const missing = cli(store, ['lists', 'import', join(work, 'nope.txt'), '--label', 'x']);
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /cannot read/);
  });

  test('a malformed file is rejected with its line, and nothing is stored', () => {
    const bad = join(work, 'bad.txt');
    writeFileSync(bad, '81.2.69.1\n81.2.69.2\n# comment\nnot an address\n');
    const res = cli(store, ['lists', 'import', bad, '--label', 'Broken', '--kind', 'ip']);
    assert.equal(res.status, 1);
    assert.match(res.stderr, /bad\.txt:4: /);
    assert.match(res.stderr, /nothing stored/);
    assert.equal(JSON.parse(cli(store, ['lists', '--json']).stdout).length, 1);
  });

  test('with several projects, --project is required', () => {
    const second = cli(store, ['project', 'create', '--name', 'Second', '--json']);
    assert.equal(second.status, 0, second.stderr);
    const res = cli(store, ['lists', 'import', listFile, '--label', 'Where?']);
    assert.equal(res.status, 2);
    assert.match(res.stderr, /choose one with --project/);
    assert.match(res.stderr, new RegExp(project.projectId));
    const unknown = cli(store, [
      'lists',
      'import',
      listFile,
      '--label',
      'x',
      '--project',
      '00000000-0000-4000-8000-000000000000',
    ]);
    assert.equal(unknown.status, 1);
    assert.match(unknown.stderr, /no project with id/);
  });

  test('data update validates, installs and reports the loaded files with dates', () => {
    const bad = join(work, 'bad-data');
    mkdirSync(bad);
    writeFileSync(join(bad, 'vpn.txt'), '146.70.0.0/16\n10.0.0.0/33\n');
    const rejected = cli(store, ['data', 'update', bad]);
    assert.equal(rejected.status, 1);
    assert.match(rejected.stderr, /data not updated, nothing changed: vpn\.txt:2: /);

    const good = join(work, 'tor-only');
    mkdirSync(good);
    copyFileSync(join(FIXTURES, 'tor-exits.txt'), join(good, 'tor-exits.txt'));
    const res = cli(store, ['data', 'update', good]);
    assert.equal(res.status, 0, res.stderr);
    assert.match(res.stdout, /Installed 1 file\(s\) in .*enrichment: tor-exits\.txt/);
    assert.match(res.stdout, /tor\s+operator\s+2026-06-01\s+4\s+tor-exits\.txt/);
    assert.equal(cli(store, ['data', 'update']).status, 2);
    const status = cli(store, ['data', 'status']);
    assert.equal(status.status, 0, status.stderr);
    assert.match(status.stdout, /tor\s+operator\s+2026-06-01/);
  });

  test('a running server: lists and data files are picked up without a restart', async () => {
    const server: RunningServer = await startServer(store, freePort());
    const ipInfo = async (ip: string) => {
      const res = await fetch(`${server.url}/api/v1/ips/${ip}`, { headers: { 'api-key': project.apiKey } });
      assert.equal(res.status, 200);
      return (await res.json()) as {
        flags: { tor: boolean | null; vpn: boolean | null };
        lists: { label: string }[];
      };
    };
    try {
      const tor = await ipInfo(TOR_EXIT);
      assert.equal(tor.flags.tor, true, 'data installed before the start is loaded');
      assert.deepEqual(
        tor.lists.map((m) => m.label),
        ['Seen in attacks'],
      );

      const more = join(work, 'more-ips.txt');
      writeFileSync(more, '94.130.7.7\n');
      const res = cli(store, [
        'lists',
        'import',
        more,
        '--label',
        'While running',
        '--project',
        project.projectId,
      ]);
      if (store.env.DATABASE_URL) {
        assert.equal(res.status, 0, res.stderr);
        await until(
          'the server to load the new list',
          () => ipInfo('94.130.7.7'),
          (i) => i.lists.length === 1,
          15_000,
        );
      } else {
        assert.equal(res.status, 1);
        assert.match(res.stderr, /in use by a running Vigil server/);
        assert.match(res.stderr, /curl -X POST .*\/api\/v1\/lists\?label=While\+running/);
        const viaHttp = await fetch(`${server.url}/api/v1/lists?label=While%20running`, {
          method: 'POST',
          headers: { 'api-key': project.apiKey, 'content-type': 'text/plain' },
          body: '94.130.7.7\n',
        });
        assert.equal(viaHttp.status, 201);
        assert.equal((await ipInfo('94.130.7.7')).lists.length, 1);
      }

      const vpn = join(work, 'vpn-only');
      mkdirSync(vpn);
      copyFileSync(join(FIXTURES, 'vpn.txt'), join(vpn, 'vpn.txt'));
      const update = cli(store, ['data', 'update', vpn]);
      assert.equal(update.status, 0, update.stderr);
      await until(
        'the server to load vpn.txt',
        () => ipInfo(VPN_ADDRESS),
        (i) => i.flags.vpn === true,
        15_000,
      );
      assert.equal((await ipInfo(TOR_EXIT)).flags.tor, true);
    } finally {
      assert.equal(await stopServer(server), 0, server.output());
    }
  });

  test('data reenrich and lists delete', () => {
    const re = cli(store, ['data', 'reenrich', '--project', project.projectId, '--batch', '100']);
    assert.equal(re.status, 0, re.stderr);
    assert.match(re.stdout, /ips: \d+\/\d+ checked, \d+ changed ✓/);
    assert.match(re.stdout, /Re-enrichment done/);
    assert.equal(cli(store, ['data', 'reenrich', '--batch', 'lots']).status, 2);

    const lists = JSON.parse(cli(store, ['lists', '--json']).stdout) as { listId: string }[];
    const id = lists[0]!.listId;
    const del = cli(store, ['lists', 'delete', id]);
    assert.equal(del.status, 0, del.stderr);
    assert.match(del.stdout, new RegExp(`Deleted list ${id}`));
    assert.equal(cli(store, ['lists', 'delete', id]).status, 1);
    assert.equal(cli(store, ['lists', 'delete', 'abc']).status, 2);
  });
});
