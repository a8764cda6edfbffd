import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { openDatabase } from '@vigil/db';
import {
  cli,
  createProjectViaCli,
  freePort,
  freshStore,
  type Store,
  startServer,
  stopServer,
} from './server-process.ts';

let store: Store;
before(async () => {
  store = await freshStore();
});
after(async () => {
  await store.dispose();
});

/** Opens the store the CLI uses, for tampering with it as an attacker with database access would. */
async function openStore(s: Store) {
  return s.env.DATABASE_URL
    ? openDatabase({ kind: 'postgres', url: s.env.DATABASE_URL })
    : openDatabase({ kind: 'pglite', dataDir: s.args[1]! });
}

test('vigil audit head / verify / export and vigil user erase, as operators run them', {
  timeout: 120_000,
}, async () => {
  const { projectId, apiKey } = createProjectViaCli(store);
  const server = await startServer(store, freePort());
  for (let i = 0; i < 3; i++) {
    const res = await fetch(`${server.url}/sensor/`, {
      method: 'POST',
      headers: { 'Api-Key': apiKey, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        userName: 'cli-user',
        emailAddress: 'cli-user@example.org',
        ipAddress: '8.8.8.8',
        url: '/profile',
        eventType: 'field_edit',
        'fieldHistory[0][field_id]': 'city',
        'fieldHistory[0][new_value]': `City ${i}`,
      }),
    });
    assert.equal(res.status, 204);
  }
  // The sealer runs every second in the server.
  await new Promise((r) => setTimeout(r, 2500));
  await stopServer(server);

  const head = cli(store, ['audit', 'head', '--project', projectId]);
  assert.equal(head.status, 0, head.stderr);
  const [hash, chain, seq] = head.stdout.trim().split(' ');
  assert.match(hash!, /^[0-9a-f]{64}$/);
  assert.deepEqual([chain, seq], [projectId, '3']);

  let verify = cli(store, ['audit', 'verify', '--head', hash!]);
  assert.equal(verify.status, 0, verify.stdout + verify.stderr);
  assert.match(verify.stdout, new RegExp(`✓ chain ${projectId}: 3 entries`));
  assert.match(verify.stdout, new RegExp(`✓ head ${hash} reached: entry 3`));

  const exported = cli(store, ['audit', 'export', '--project', projectId]);
  assert.equal(exported.status, 0, exported.stderr);
  const lines = exported.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.deepEqual(
    lines.map((l) => [l.seq, l.action, l.fieldChange?.newValue]),
    [
      [1, 'field.change', 'City 0'],
      [2, 'field.change', 'City 1'],
      [3, 'field.change', 'City 2'],
    ],
  );

  const erase = cli(store, ['user', 'erase', 'cli-user', '--project', projectId]);
  assert.equal(erase.status, 0, erase.stderr);
  assert.match(erase.stdout, /Erased: 3 events, 3 field changes/);
  const again = cli(store, ['user', 'erase', 'cli-user', '--project', projectId]);
  assert.equal(again.status, 1);
  assert.match(again.stderr, /no user "cli-user"/);
  verify = cli(store, ['audit', 'verify', '--project', projectId, '--head', hash!]);
  assert.equal(verify.status, 0, verify.stdout + verify.stderr);
  assert.match(verify.stdout, /4 entries.*3 erased by request/);

  // Tampering: change one entry; verify names it and exits 1.
  let db = await openStore(store);
  await db.query(`UPDATE audit_entries SET actor = 'nobody' WHERE chain = $1 AND seq = 2`, [projectId]);
  await db.close();
  verify = cli(store, ['audit', 'verify']);
  assert.equal(verify.status, 1, verify.stdout);
  assert.match(verify.stderr, /audit verification failed: entry 2 .* was changed/);

  // Rewriting the chain from there (hashes recomputed by an attacker) is caught by the exported head.
  db = await openStore(store);
  await db.query('DELETE FROM audit_entries WHERE chain = $1 AND seq >= 2', [projectId]);
  await db.query(
    `UPDATE audit_heads SET seq = 1, hash = (SELECT hash FROM audit_entries WHERE chain = $1 AND seq = 1) WHERE chain = $1`,
    [projectId],
  );
  await db.query(
    `UPDATE audit_checkpoints SET last_seq = 1, end_hash = (SELECT hash FROM audit_entries WHERE chain = $1 AND seq = 1)
     WHERE chain = $1`,
    [projectId],
  );
  await db.close();
  verify = cli(store, ['audit', 'verify', '--project', projectId, '--head', hash!]);
  assert.equal(verify.status, 1, verify.stdout);
  assert.match(verify.stdout, new RegExp(`✗ head ${hash} is no longer on the chain`));

  const usage = cli(store, ['audit', 'verify', '--head', 'nothex']);
  assert.equal(usage.status, 2);
});
