import type { Executor } from '@vigil/db';
import type { Operator, Role } from './operators.ts';

export interface ProjectAccess {
  id: string;
  name: string;
  timezone: string;
  role: Role;
}

/** The projects an operator may open, with their role on each (installation admins: all, as admin). */
export async function projectsOf(db: Executor, operator: Operator): Promise<ProjectAccess[]> {
  const { rows } = await db.query(
    operator.role === 'admin'
      ? `SELECT id, name, timezone, 'admin' AS role FROM projects ORDER BY created_at, name`
      : `SELECT p.id, p.name, p.timezone, m.role FROM projects p
           JOIN project_members m ON m.project_id = p.id AND m.operator_id = $1
          ORDER BY p.created_at, p.name`,
    operator.role === 'admin' ? [] : [operator.id],
  );
  return rows as ProjectAccess[];
}

/** The operator's access to one project, or null: not a member, or no such project (same answer). */
export async function projectAccess(
  db: Executor,
  operator: Operator,
  projectId: string,
): Promise<ProjectAccess | null> {
  if (!/^[0-9a-f-]{36}$/i.test(projectId)) return null;
  const { rows } = await db.query(
    `SELECT p.id, p.name, p.timezone, CASE WHEN $2 THEN 'admin' ELSE m.role END AS role
       FROM projects p LEFT JOIN project_members m ON m.project_id = p.id AND m.operator_id = $3
      WHERE p.id = $1 AND ($2 OR m.role IS NOT NULL)`,
    [projectId, operator.role === 'admin', operator.id],
  );
  return (rows[0] as ProjectAccess | undefined) ?? null;
}
