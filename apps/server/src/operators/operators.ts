import { randomUUID } from 'node:crypto';
import type { Executor } from '@vigil/db';
import { InputError } from '../input-error.ts';
import { hashPassword, passwordProblem } from './passwords.ts';

export const ROLES = ['viewer', 'analyst', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** viewer < analyst < admin. */
export function roleAtLeast(role: Role, needed: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(needed);
}

export interface Operator {
  id: string;
  email: string;
  name: string | null;
  /** The installation role: 'admin' manages projects and operators and is admin everywhere. */
  role: Role;
  timezone: string;
}

const EMAIL = /^[^\s@]+@[^\s@]+$/;

export function normaliseEmail(email: unknown): string {
  if (typeof email !== 'string' || !EMAIL.test(email.trim()) || email.length > 254) {
    throw new InputError('a valid e-mail address is required', 'email');
  }
  return email.trim();
}

export function validTimezone(timezone: unknown): string {
  if (typeof timezone !== 'string') throw new InputError('timezone is required', 'timezone');
  try {
    new Intl.DateTimeFormat('en', { timeZone: timezone });
  } catch {
    throw new InputError(`unknown timezone ${timezone}`, 'timezone');
  }
  return timezone;
}

export async function createOperator(
  db: Executor,
  input: { email: unknown; password: unknown; role: Role; name?: string | null; timezone?: string },
): Promise<Operator> {
  const email = normaliseEmail(input.email);
  const problem = passwordProblem(input.password);
  if (problem) throw new InputError(problem, 'password');
  const timezone = validTimezone(input.timezone ?? 'UTC');
  const existing = await db.query('SELECT 1 FROM operators WHERE lower(email) = lower($1)', [email]);
  if (existing.rows.length > 0) throw new InputError(`an operator with e-mail ${email} exists`, 'email', 409);
  const id = randomUUID();
  await db.query(
    'INSERT INTO operators (id, email, name, password_hash, role, timezone) VALUES ($1, $2, $3, $4, $5, $6)',
    [id, email, input.name ?? null, await hashPassword(input.password as string), input.role, timezone],
  );
  return { id, email, name: input.name ?? null, role: input.role, timezone };
}

export async function operatorCount(db: Executor): Promise<number> {
  const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM operators');
  return rows[0]!.n;
}

export function toOperator(row: Record<string, unknown>): Operator {
  return {
    id: String(row.id),
    email: String(row.email),
    name: (row.name as string | null) ?? null,
    role: row.role as Role,
    timezone: String(row.timezone),
  };
}
