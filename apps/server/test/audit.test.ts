import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Database } from '@vigil/db';
import { appendAudit, appendEntries, chainHeads, operatorContent } from '../src/audit/chain.ts';
import { exportAudit } from '../src/audit/export.ts';
import { pruneAuditPeriods } from '../src/audit/retention.ts';
import { verifyAudit } from '../src/audit/verify.ts';
import { createProject } from '../src/projects.ts';
import { type Harness, postForm, startHarness } from './harness.ts';

/** A project of its own for each scenario, so each tampering has a chain to itself. */
async function chainWith(db: Database, n: number): Promise<string> {
  const { project } = await createProject(db, { name: 'audit' });
  for (let i = 1; i <= n; i++) {
    await db.transaction((tx) =>
      appendAudit(tx, {
        projectId: project.id,
        actor: 'ops@example.com',
        action: 'rules.update',
        target: `rule:R${i}`,
        details: { weight: i * 10, note: `change ${i}` },
      }),
    );
  }
  return project.id;
}

async function firstProblem(db: Database, chain: string, heads?: string[]) {
  const report = await verifyAudit(db, { chain, heads });
  return report.firstProblem;
}

describe('tamper-evident audit trail', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h.close();
  });

  test('an untouched chain verifies, and its head is reached', async () => {
    const chain = await chainWith(h.db, 6);
    const [head] = await chainHeads(h.db, chain);
    assert.equal(head!.seq, 6);
    const report = await verifyAudit(h.db, { chain, heads: [head!.hash] });
    assert.equal(report.ok, true, JSON.stringify(report.firstProblem));
    assert.equal(report.chains[0]!.entries, 6);
    assert.deepEqual(report.heads[0]!.found, { chain, seq: 6, following: 0 });
  });

  test('an entry whose content was changed is named', async () => {
    const chain = await chainWith(h.db, 8);
    await h.db.query(
      `UPDATE audit_entries SET details = '{"weight": 0, "note": "change 4"}' WHERE chain = $1 AND seq = 4`,
      [chain],
    );
    const p = await firstProblem(h.db, chain);
    assert.equal(p?.kind, 'changed');
    assert.equal(p?.seq, 4);
    assert.match(p!.message, /^entry 4 .* was changed/);
  });

  test('an entry whose hashed fields were changed (and hash recomputed) is named', async () => {
    const chain = await chainWith(h.db, 8);
    await h.db.query(`UPDATE audit_entries SET actor = 'someone-else' WHERE chain = $1 AND seq = 3`, [chain]);
    const p = await firstProblem(h.db, chain);
    assert.deepEqual([p?.kind, p?.seq], ['changed', 3]);
  });

  test('a removed entry is named', async () => {
    const chain = await chainWith(h.db, 8);
    await h.db.query('DELETE FROM audit_entries WHERE chain = $1 AND seq = 5', [chain]);
    const p = await firstProblem(h.db, chain);
    assert.deepEqual([p?.kind, p?.seq], ['removed', 5]);
    assert.match(p!.message, /entry 5 was removed/);
  });

  test('two swapped entries are named at the first of them', async () => {
    const chain = await chainWith(h.db, 8);
    await h.db.transaction(async (tx) => {
      await tx.query('UPDATE audit_entries SET seq = -1 WHERE chain = $1 AND seq = 3', [chain]);
      await tx.query('UPDATE audit_entries SET seq = 3 WHERE chain = $1 AND seq = 6', [chain]);
      await tx.query('UPDATE audit_entries SET seq = 6 WHERE chain = $1 AND seq = -1', [chain]);
    });
    const p = await firstProblem(h.db, chain);
    assert.deepEqual([p?.kind, p?.seq], ['reordered', 3]);
    assert.match(p!.message, /does not follow entry 2/);
  });

  test('a truncated tail is detected by the head row, and by an exported head when the head was rewritten', async () => {
    const chain = await chainWith(h.db, 8);
    const [exported] = await chainHeads(h.db, chain);
    await h.db.query('DELETE FROM audit_entries WHERE chain = $1 AND seq > 6', [chain]);
    let p = await firstProblem(h.db, chain);
    assert.deepEqual([p?.kind, p?.seq], ['truncated', 7]);
    // An attacker who also rewinds the head and the checkpoint leaves a consistent chain…
    await h.db.query(
      `UPDATE audit_heads SET seq = 6, hash = (SELECT hash FROM audit_entries WHERE chain = $1 AND seq = 6)
       WHERE chain = $1`,
      [chain],
    );
    await h.db.query(
      `UPDATE audit_checkpoints SET last_seq = 6, end_hash = (SELECT hash FROM audit_entries WHERE chain = $1 AND seq = 6)
       WHERE chain = $1`,
      [chain],
    );
    assert.equal(await firstProblem(h.db, chain), null);
    // …that no longer reaches the head exported before.
    p = await firstProblem(h.db, chain, [exported!.hash]);
    assert.equal(p?.kind, 'truncated');
    assert.match(p!.message, new RegExp(`exported head ${exported!.hash} is no longer on the chain`));
  });

  test('field changes written at ingest are sealed into the chain, in id order, and their tampering is named', async () => {
    const edit = (i: number) =>
      postForm(
        h,
        new URLSearchParams({
          userName: 'audited',
          ipAddress: '8.8.8.8',
          url: '/profile',
          eventType: 'field_edit',
          'fieldHistory[0][field_id]': 'city',
          'fieldHistory[0][old_value]': `Town ${i}`,
          'fieldHistory[0][new_value]': `Town ${i + 1}`,
          'fieldHistory[1][field_id]': 'street',
          'fieldHistory[1][new_value]': `Street ${i}`,
        }).toString(),
      );
    for (let i = 0; i < 3; i++) assert.equal((await edit(i)).statusCode, 204);
    const changes = (
      await h.db.query<{ id: number }>('SELECT id FROM field_changes WHERE project_id = $1 ORDER BY id', [
        h.projectId,
      ])
    ).rows.map((r) => Number(r.id));
    assert.equal(changes.length, 6);
    // The background sealer (started with the app) picks them up within about a second.
    const deadline = Date.now() + 10_000;
    let sealed: { seq: number; field_change_id: number }[] = [];
    while (Date.now() < deadline) {
      sealed = (
        await h.db.query<{ seq: number; field_change_id: number }>(
          `SELECT seq, field_change_id FROM audit_entries WHERE chain = $1 AND action = 'field.change' ORDER BY seq`,
          [h.projectId],
        )
      ).rows;
      if (sealed.length === changes.length) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.deepEqual(
      sealed.map((r) => Number(r.field_change_id)),
      changes,
    );
    assert.equal((await h.db.query('SELECT 1 FROM audit_seal_queue')).rowCount, 0);
    assert.equal(await firstProblem(h.db, h.projectId), null);

    const victim = sealed[2]!;
    await h.db.query(`UPDATE field_changes SET new_value = 'Elsewhere' WHERE id = $1`, [
      victim.field_change_id,
    ]);
    const p = await firstProblem(h.db, h.projectId);
    assert.deepEqual([p?.kind, p?.seq], ['changed', Number(victim.seq)]);
    assert.match(p!.message, new RegExp(`field change #${victim.field_change_id} no longer matches`));
  });

  test('content removed without an erasure record is named', async () => {
    const chain = await chainWith(h.db, 4);
    await h.db.query(
      'UPDATE audit_entries SET details = NULL, target = NULL, salt = NULL WHERE chain = $1 AND seq = 2',
      [chain],
    );
    const p = await firstProblem(h.db, chain);
    assert.deepEqual([p?.kind, p?.seq], ['changed', 2]);
    assert.match(p!.message, /no erasure record lists it/);
  });

  test('retention drops whole old periods and the rest still verifies from their checkpoint', async () => {
    const { project } = await createProject(h.db, { name: 'retention' });
    const chain = project.id;
    const append = (when: string, i: number) =>
      h.db.transaction((tx) =>
        appendEntries(
          tx,
          chain,
          chain,
          [
            {
              actor: 'ops@example.com',
              action: 'settings.update',
              target: null,
              details: { i },
              fieldChangeId: null,
              content: operatorContent(null, { i }),
            },
          ],
          new Date(when),
        ),
      );
    for (let i = 0; i < 3; i++) await append(`2024-01-1${i}T10:00:00Z`, i);
    const [januaryHead] = await chainHeads(h.db, chain);
    for (let i = 3; i < 6; i++) await append(`2024-02-1${i}T10:00:00Z`, i);
    for (let i = 6; i < 9; i++) await append(new Date().toISOString(), i);
    assert.equal(await firstProblem(h.db, chain), null);

    const dropped = await pruneAuditPeriods(h.db, '2024-02', chain);
    assert.deepEqual(dropped, [{ chain, period: '2024-01', entries: 3 }]);
    const report = await verifyAudit(h.db, { chain, heads: [januaryHead!.hash] });
    assert.equal(report.ok, true, JSON.stringify(report.firstProblem));
    assert.deepEqual(report.chains[0]!.prunedPeriods, ['2024-01']);
    assert.equal(report.chains[0]!.entries, 6);
    assert.equal(report.heads[0]!.found?.seq, 3);
    // The current period is never dropped, and damage after a pruned period is still found.
    assert.deepEqual(await pruneAuditPeriods(h.db, '2999-01', chain), [
      { chain, period: '2024-02', entries: 3 },
    ]);
    await h.db.query('DELETE FROM audit_entries WHERE chain = $1 AND seq = 8', [chain]);
    const p = await firstProblem(h.db, chain);
    assert.deepEqual([p?.kind, p?.seq], ['removed', 8]);
  });

  test('export writes one JSON object a line, with what is needed to recompute the chain', async () => {
    const chain = await chainWith(h.db, 3);
    const lines: string[] = [];
    const n = await exportAudit(h.db, { chain }, (l) => {
      lines.push(l);
    });
    assert.equal(n, 3);
    const entries = lines.map((l) => JSON.parse(l));
    assert.deepEqual(
      entries.map((e) => e.seq),
      [1, 2, 3],
    );
    assert.equal(entries[1].prevHash, entries[0].hash);
    assert.equal(entries[2].details.note, 'change 3');
    const none: string[] = [];
    await exportAudit(h.db, { chain, from: new Date(Date.now() + 60_000) }, (l) => {
      none.push(l);
    });
    assert.equal(none.length, 0);
  });
});
