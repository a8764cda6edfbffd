import type { Executor } from '@vigil/db';

interface Step {
  name: string;
  sql: string;
  params: unknown[];
  resolve: (rows: Record<string, unknown>[]) => void;
  reject: (error: unknown) => void;
}

/**
 * Gathers independent SQL statements and runs them as one statement, each as a CTE of a single
 * WITH query, in one round trip. A step may read an earlier step's RETURNING rows by the CTE name
 * it was given (`stepName`). Each step writes its SQL with its own $1…$n; they are renumbered here.
 * The rows of every step come back as JSON, so timestamps arrive as ISO strings.
 *
 * Why: the group-commit writer is bound by round trips, not by work. Twenty small statements per
 * batch cost twenty network turns; four stages cost four.
 */
export class Stage {
  private readonly steps: Step[] = [];

  query<R = Record<string, unknown>>(sql: string, params: unknown[], name?: string): Promise<R[]> {
    return new Promise<R[]>((resolve, reject) => {
      this.steps.push({
        name: name ?? `s${this.steps.length}`,
        sql,
        params,
        resolve: resolve as (rows: Record<string, unknown>[]) => void,
        reject,
      });
    });
  }

  async run(tx: Executor): Promise<void> {
    if (this.steps.length === 0) return;
    const params: unknown[] = [];
    const ctes: string[] = [];
    const outputs: string[] = [];
    for (const step of this.steps) {
      const offset = params.length;
      params.push(...step.params);
      ctes.push(`${step.name} AS (${step.sql.replace(/\$(\d+)/g, (_, n) => `$${Number(n) + offset}`)})`);
      if (/\bRETURNING\b|^\s*SELECT\b/i.test(step.sql)) {
        outputs.push(
          `'${step.name}', (SELECT coalesce(json_agg(${step.name}), '[]'::json) FROM ${step.name})`,
        );
      }
    }
    const sql = `WITH ${ctes.join(',\n')}\nSELECT json_build_object(${outputs.join(', ')}) AS r`;
    try {
      const { rows } = await tx.query<{ r: Record<string, Record<string, unknown>[]> }>(sql, params);
      const result = rows[0]!.r ?? {};
      for (const step of this.steps) step.resolve(result[step.name] ?? []);
    } catch (error) {
      for (const step of this.steps) step.reject(error);
      throw error;
    }
  }
}
