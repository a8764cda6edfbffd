import { isPresetName } from '@vigil/core';
import type { Database, Executor } from '@vigil/db';
import { appendAudit } from '../audit/chain.ts';
import { InputError } from '../input-error.ts';
import { createProject } from '../projects.ts';
import { applyProjectPreset } from '../scoring/rule-sets.ts';
import { createOperator, type Operator, operatorCount, validTimezone } from './operators.ts';
import { newSecret, sameSecret, sha256 } from './secrets.ts';

/**
 * First run: while no operator exists, `vigil start` prints a one-time setup link. Whoever opens
 * it creates the admin, the first project and its API key. Without the token a stranger who
 * reaches the port first cannot claim the installation.
 */
export async function issueSetupToken(db: Executor): Promise<string | null> {
  if ((await operatorCount(db)) > 0) return null;
  const token = newSecret('setup_');
  await db.query(
    `INSERT INTO installation (key, value) VALUES ('setup_token', $1)
     ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
    [sha256(token).toString('hex')],
  );
  return token;
}

export interface SetupInput {
  token: unknown;
  email: unknown;
  password: unknown;
  name?: unknown;
  projectName: unknown;
  preset: unknown;
  timezone: unknown;
}

export class SetupRefused extends Error {}

export async function completeSetup(db: Database, input: SetupInput) {
  const projectName = typeof input.projectName === 'string' ? input.projectName.trim() : '';
  if (!projectName || projectName.length > 200) {
    throw new InputError('a project name of 1 to 200 characters is required', 'projectName');
  }
  const preset = input.preset ?? 'default';
  if (typeof preset !== 'string' || !isPresetName(preset))
    throw new InputError(`unknown preset ${String(preset)}`, 'preset');
  const timezone = validTimezone(input.timezone ?? 'UTC');
  return db.transaction(async (tx) => {
    // The row lock makes two simultaneous setups wait for each other; the second sees an operator.
    const { rows } = await tx.query<{ value: string }>(
      `SELECT value FROM installation WHERE key = 'setup_token' FOR UPDATE`,
    );
    if ((await operatorCount(tx)) > 0) throw new SetupRefused('setup is already done: sign in instead');
    const stored = rows[0]?.value;
    if (
      !stored ||
      typeof input.token !== 'string' ||
      !sameSecret(stored, sha256(input.token).toString('hex'))
    ) {
      throw new SetupRefused('the setup link is invalid: use the link printed by `vigil start`');
    }
    const operator: Operator = await createOperator(tx, {
      email: input.email,
      password: input.password,
      role: 'admin',
      name: typeof input.name === 'string' && input.name.trim() ? input.name.trim().slice(0, 200) : null,
      timezone,
    });
    const { project, apiKey } = await createProject(tx, { name: projectName });
    await tx.query('UPDATE projects SET timezone = $2 WHERE id = $1', [project.id, timezone]);
    await applyProjectPreset(tx, project.id, preset, operator.email);
    await tx.query(`INSERT INTO project_members (project_id, operator_id, role) VALUES ($1, $2, 'admin')`, [
      project.id,
      operator.id,
    ]);
    await tx.query(`DELETE FROM installation WHERE key = 'setup_token'`);
    await appendAudit(tx, {
      projectId: null,
      actor: operator.email,
      action: 'installation.setup',
      target: operator.id,
      details: { project: project.id, projectName, preset, timezone },
    });
    return { operator, project: { id: project.id, name: project.name }, apiKey };
  });
}
