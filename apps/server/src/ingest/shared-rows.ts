import type { Executor } from '@vigil/db';
import type { Stage } from './stage.ts';

/**
 * Rows many users share (IPs, ISPs, user agents, domains, resources, queries, referers, fields)
 * are written in two steps so that concurrent batches do not queue behind each other's locks:
 *
 * 1. early in the transaction, `ensureRows` inserts the keys that do not exist yet and reads the
 *    ids of all of them, without locking existing rows (ON CONFLICT DO NOTHING plus a SELECT);
 * 2. in the last statement before COMMIT, `bumpCounters` adds the batch's counts and sets the
 *    latest facts, so a hot row (the "/" page, a big ISP) is locked only for that moment.
 */
export interface SharedTable {
  table: string;
  /** Key columns after project_id, with their SQL types. */
  key: readonly (readonly [string, string])[];
  /** A key column that may be NULL (matched with IS NULL; unique NULLS NOT DISTINCT). */
  nullableKey?: string;
  /** Other columns set on insert, with their SQL types (NOT NULL columns without defaults). */
  insert?: readonly (readonly [string, string])[];
  /** The column returned to recognise a row, when the key itself does not round-trip as text (inet). */
  matchBy?: string;
  /** Further columns to read back. */
  returning?: readonly string[];
}

export interface EnsureInput {
  project: string;
  key: unknown[];
  insert?: unknown[];
  /** The value of `matchBy` for this row, when the table has one. */
  match?: string;
  first: Date;
  last: Date;
}

export type SharedRow = Record<string, unknown> & { id: number; project_id: string };

/**
 * Inserts missing rows and returns every requested row by `keyOf(row)`. The statement sees the
 * database as of its start, so a row another transaction committed meanwhile is neither inserted
 * nor seen: such rows are read again afterwards, in their own statement.
 */
export async function ensureRows(
  stage: Stage,
  tx: Executor,
  spec: SharedTable,
  rows: EnsureInput[],
  keyOf: (row: SharedRow) => string,
  keyOfInput: (row: EnsureInput) => string,
): Promise<Map<string, SharedRow>> {
  const found = new Map<string, SharedRow>();
  if (rows.length === 0) return found;
  const keyCols = spec.key.map(([name]) => name);
  const out = [
    'id',
    'project_id',
    ...(spec.matchBy ? [spec.matchBy] : keyCols),
    ...(spec.returning ?? []),
  ].join(', ');
  const insertCols = [...keyCols, ...(spec.insert ?? []).map(([name]) => name)];
  const insertTypes = [...spec.key, ...(spec.insert ?? [])].map(([, type]) => type);
  const params: unknown[] = [rows.map((r) => r.project)];
  for (let k = 0; k < spec.key.length; k++) params.push(rows.map((r) => r.key[k] ?? null));
  for (let k = 0; k < (spec.insert ?? []).length; k++) params.push(rows.map((r) => r.insert?.[k] ?? null));
  params.push(
    rows.map((r) => r.first.toISOString()),
    rows.map((r) => r.last.toISOString()),
  );
  const placeholders = ['$1::uuid[]', ...insertTypes.map((t, i) => `$${i + 2}::${t}[]`)];
  const n = insertTypes.length + 2;
  const inserted = stage.query<SharedRow>(
    `INSERT INTO ${spec.table} (project_id, ${insertCols.join(', ')}, first_seen, last_seen)
     SELECT * FROM unnest(${placeholders.join(', ')}, $${n}::timestamptz[], $${n + 1}::timestamptz[])
     ON CONFLICT (project_id, ${keyCols.join(', ')}) DO NOTHING
     RETURNING ${out}`,
    params,
  );
  const [select, selectParams] = selectSql(spec, out, rows);
  const existing = stage.query<SharedRow>(select, selectParams);
  // Both awaited together: a failed statement rejects both, and neither may go unhandled.
  const [insertedRows, existingRows] = await Promise.all([inserted, existing]);
  for (const row of [...insertedRows, ...existingRows]) found.set(keyOf(row), row);
  const missing = rows.filter((r) => !found.has(keyOfInput(r)));
  if (missing.length > 0) {
    const [again, againParams] = selectSql(spec, out, missing);
    for (const row of (await tx.query<SharedRow>(again, againParams)).rows) found.set(keyOf(row), row);
  }
  return found;
}

function selectSql(spec: SharedTable, out: string, rows: EnsureInput[]): [string, unknown[]] {
  const keyCols = spec.key.map(([name]) => name);
  const nullable = spec.nullableKey ? keyCols.indexOf(spec.nullableKey) : -1;
  const withValue = nullable < 0 ? rows : rows.filter((r) => r.key[nullable] !== null);
  const params: unknown[] = [withValue.map((r) => r.project)];
  spec.key.forEach((_, k) => {
    params.push(withValue.map((r) => r.key[k]));
  });
  const types = ['$1::uuid[]', ...spec.key.map(([, t], i) => `$${i + 2}::${t}[]`)];
  let where = `(project_id, ${keyCols.join(', ')}) IN (SELECT * FROM unnest(${types.join(', ')}))`;
  if (nullable >= 0) {
    params.push([...new Set(rows.filter((r) => r.key[nullable] === null).map((r) => r.project))]);
    where = `(${where}) OR (${spec.nullableKey} IS NULL AND project_id = ANY($${params.length}::uuid[]))`;
  }
  return [`SELECT ${out} FROM ${spec.table} WHERE ${where}`, params];
}

export interface Bump {
  id: number;
  first: Date;
  last: Date;
  count: number;
  /** Values of the `sets` columns, in order. */
  values?: unknown[];
}

/**
 * Adds a batch's counts to shared rows and sets their latest facts, rows in id order (so that
 * concurrent transactions lock them in the same order). `sets` are [column, SQL type, expression]
 * where the expression may use `v.<column>` (the new value) and `t.<column>` (the stored one).
 */
export function bumpCounters(
  stage: Stage,
  table: string,
  counter: string,
  bumps: Bump[],
  sets: readonly (readonly [string, string, string?])[] = [],
): void {
  if (bumps.length === 0) return;
  const sorted = [...bumps].sort((a, b) => a.id - b.id);
  const params: unknown[] = [
    sorted.map((b) => b.id),
    sorted.map((b) => b.first.toISOString()),
    sorted.map((b) => b.last.toISOString()),
    sorted.map((b) => b.count),
  ];
  sets.forEach((_, k) => {
    params.push(sorted.map((b) => b.values?.[k] ?? null));
  });
  const columns = ['id', 'f', 'l', 'n', ...sets.map(([name]) => name)];
  const types = ['bigint', 'timestamptz', 'timestamptz', 'bigint', ...sets.map(([, type]) => type)];
  const assignments = [
    't.first_seen = LEAST(t.first_seen, v.f)',
    't.last_seen = GREATEST(t.last_seen, v.l)',
    `${counter} = t.${counter} + v.n`,
    ...sets.map(([name, , expr]) => `${name} = ${expr ?? `v.${name}`}`),
  ].map((a) => a.replace(/^t\./, ''));
  void stage
    .query(
      `UPDATE ${table} t SET ${assignments.join(', ')}
         FROM unnest(${types.map((t, i) => `$${i + 1}::${t}[]`).join(', ')}) AS v(${columns.join(', ')})
        WHERE t.id = v.id`,
      params,
    )
    .catch(() => {});
}
