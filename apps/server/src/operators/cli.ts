import { parseArgs } from 'node:util';
import { migrate } from '@vigil/db';
import { loadConfig } from '../config.ts';
import { openConfiguredDatabase } from '../database.ts';
import { InputError } from '../input-error.ts';
import { CliUsageError } from '../lists/cli.ts';
import { createOperator, isRole, ROLES } from './operators.ts';

export const OPERATOR_USAGE = `  operator create --email E --password P [--role admin|analyst|viewer] [--project ID]... [--data DIR]
                                      create a console operator; a non-admin joins every project
                                      (or only the --project ones) with that role`;

export async function operatorCommand(argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub !== 'create') throw new CliUsageError(`unknown operator command: ${sub ?? '(none)'}`);
  const { values } = parseArgs({
    args: rest,
    options: {
      email: { type: 'string' },
      password: { type: 'string' },
      role: { type: 'string', default: 'analyst' },
      project: { type: 'string', multiple: true },
      data: { type: 'string' },
    },
  });
  if (!values.email || !values.password)
    throw new CliUsageError('operator create needs --email and --password');
  if (!isRole(values.role)) throw new CliUsageError(`--role must be one of ${ROLES.join(', ')}`);
  const role = values.role;
  const env = { ...process.env, ...(values.data ? { VIGIL_DATA_DIR: values.data } : {}) };
  const db = await openConfiguredDatabase(loadConfig(env));
  try {
    await migrate(db);
    const operator = await db.transaction(async (tx) => {
      const created = await createOperator(tx, { email: values.email, password: values.password, role });
      if (role !== 'admin') {
        const { rowCount } = await tx.query(
          `INSERT INTO project_members (project_id, operator_id, role)
           SELECT id, $1, $2 FROM projects WHERE cardinality($3::text[]) = 0 OR id::text = ANY($3::text[])`,
          [created.id, role, values.project ?? []],
        );
        if (values.project && rowCount !== values.project.length) {
          throw new InputError('one of the --project ids does not exist', 'project');
        }
      }
      return created;
    });
    process.stdout.write(`Operator ${operator.email} (${operator.role}) created; sign in at the console.\n`);
  } catch (error) {
    if (error instanceof InputError) throw new CliUsageError(`--${error.field}: ${error.message}`);
    throw error;
  } finally {
    await db.close();
  }
}
