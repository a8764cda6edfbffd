import { randomUUID } from 'node:crypto';
import type { Database, Executor } from '@vigil/db';
import { LIST_KINDS, type ListEntry, type ListKind, parseListFile } from '@vigil/enrich';

/**
 * Operator lists: the use-cases behind `vigil lists …`, `POST/GET/DELETE /api/v1/lists` and,
 * later, the console. A list is parsed whole first and stored in one transaction: a malformed
 * file is rejected with its line number and reason, and nothing of it is written.
 */

export interface ListImportInput {
  /** The file's text: plain (one value per line) or CSV (see docs/enrichment.md). */
  text: string;
  label: string;
  /** The kind of every value; detected per line when omitted. */
  kind?: ListKind | undefined;
  /** Score of a match; a line's own score (CSV column) wins. */
  score?: number | null | undefined;
  /** No entry matches after this instant. Must be in the future. */
  expiresAt?: Date | null | undefined;
}

export type ListCounts = Partial<Record<ListKind, number>>;

export interface ListImported {
  listId: string;
  label: string;
  kind: ListKind | null;
  score: number | null;
  expiresAt: Date | null;
  entryCount: number;
  counts: ListCounts;
}

export interface ListSummary extends ListImported {
  projectId: string;
  createdAt: Date;
  /** The list's own expiry has passed: none of its entries matches any more. */
  expired: boolean;
}

/**
 * A list that cannot be imported. `field` names the input at fault; `line` is the 1-based line of
 * the file for a malformed file (0 when the problem is not a line, e.g. an empty label).
 */
export class ListImportError extends Error {
  constructor(
    readonly field: 'content' | 'label' | 'kind' | 'score' | 'expiresAt',
    message: string,
    readonly line: number | null = null,
  ) {
    super(message);
    this.name = 'ListImportError';
  }
}

/** A list id that names no list of the project (or no list at all). */
export class ListNotFoundError extends Error {
  constructor(readonly listId: string) {
    super(`No list with id ${listId}`);
    this.name = 'ListNotFoundError';
  }
}

export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Entries inserted per statement: bounded arrays keep each statement's parameters small. */
const INSERT_CHUNK = 5000;

export interface ParsedList {
  label: string;
  kind: ListKind | null;
  score: number | null;
  expiresAt: Date | null;
  entries: ListEntry[];
  counts: ListCounts;
}

export function isListKind(value: unknown): value is ListKind {
  return typeof value === 'string' && (LIST_KINDS as readonly string[]).includes(value);
}

/**
 * Validates an import and parses its file, without touching the database (the CLI runs it before
 * opening the store, so a bad file is reported even when the store is busy). Throws ListImportError.
 */
export function parseListInput(input: ListImportInput, now = new Date()): ParsedList {
  const label = typeof input.label === 'string' ? input.label.trim() : '';
  if (label === '' || label.length > 200) {
    throw new ListImportError('label', 'The list needs a label of 1 to 200 characters');
  }
  if (input.kind !== undefined && input.kind !== null && !isListKind(input.kind)) {
    throw new ListImportError(
      'kind',
      `Unknown kind "${String(input.kind)}": use one of ${LIST_KINDS.join(', ')}`,
    );
  }
  const score = input.score ?? null;
  if (score !== null && (typeof score !== 'number' || !Number.isFinite(score))) {
    throw new ListImportError('score', 'The score must be a finite number');
  }
  const expiresAt = input.expiresAt ?? null;
  if (expiresAt !== null) {
    if (!(expiresAt instanceof Date) || Number.isNaN(expiresAt.getTime())) {
      throw new ListImportError('expiresAt', 'The expiry must be a date (YYYY-MM-DD or ISO 8601)');
    }
    if (expiresAt.getTime() <= now.getTime()) {
      throw new ListImportError('expiresAt', `The expiry ${expiresAt.toISOString()} is in the past`);
    }
  }
  if (typeof input.text !== 'string') throw new ListImportError('content', 'The list file is not text');
  const parsed = parseListFile(input.text, { label, ...(input.kind ? { kind: input.kind } : {}) });
  if (!parsed.ok) {
    const where = parsed.line > 0 ? `line ${parsed.line}: ` : '';
    throw new ListImportError('content', `Malformed list file, ${where}${parsed.reason}`, parsed.line);
  }
  if (parsed.entries.length === 0) {
    throw new ListImportError('content', 'The list file has no entries', 0);
  }
  return {
    label,
    kind: input.kind ?? null,
    score,
    expiresAt,
    entries: parsed.entries,
    counts: parsed.counts,
  };
}

/** Stores a parsed list in one transaction and bumps the lists version. */
export async function storeList(db: Database, projectId: string, list: ParsedList): Promise<ListImported> {
  const listId = randomUUID();
  await db.transaction(async (tx) => {
    await tx.query(
      `INSERT INTO lists (id, project_id, label, kind, score, expires_at, entry_count, counts)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        listId,
        projectId,
        list.label,
        list.kind,
        list.score,
        list.expiresAt?.toISOString() ?? null,
        list.entries.length,
        JSON.stringify(list.counts),
      ],
    );
    for (let i = 0; i < list.entries.length; i += INSERT_CHUNK) {
      const chunk = list.entries.slice(i, i + INSERT_CHUNK);
      await tx.query(
        `INSERT INTO list_entries (list_id, project_id, kind, value, label, score, expires_at)
         SELECT $1, $2, k, v, l, s, x
           FROM unnest($3::text[], $4::text[], $5::text[], $6::float8[], $7::timestamptz[]) AS t(k, v, l, s, x)`,
        [
          listId,
          projectId,
          chunk.map((e) => e.kind),
          chunk.map((e) => e.value),
          chunk.map((e) => (e.label === list.label ? null : e.label)),
          chunk.map((e) => e.score),
          chunk.map((e) => e.expiresAt?.toISOString() ?? null),
        ],
      );
    }
    await bumpListsVersion(tx);
  });
  return {
    listId,
    label: list.label,
    kind: list.kind,
    score: list.score,
    expiresAt: list.expiresAt,
    entryCount: list.entries.length,
    counts: list.counts,
  };
}

/**
 * Imports a list for a project: validates, parses the whole file, then writes the list and its
 * entries in one transaction. Throws ListImportError (with the line) and stores nothing on a bad file.
 */
export async function importList(
  db: Database,
  projectId: string,
  input: ListImportInput,
): Promise<ListImported> {
  return storeList(db, projectId, parseListInput(input));
}

/** Deletes a list of the project (or of any project when projectId is null). Throws ListNotFoundError. */
export async function deleteList(db: Database, projectId: string | null, listId: string): Promise<void> {
  if (!UUID_RE.test(listId)) throw new ListNotFoundError(listId);
  await db.transaction(async (tx) => {
    const { rowCount } = await tx.query(
      'DELETE FROM lists WHERE id = $1 AND ($2::uuid IS NULL OR project_id = $2::uuid)',
      [listId, projectId],
    );
    if (!rowCount) throw new ListNotFoundError(listId);
    await bumpListsVersion(tx);
  });
}

interface ListRow {
  id: string;
  project_id: string;
  label: string;
  kind: ListKind | null;
  score: number | null;
  expires_at: Date | null;
  created_at: Date;
  entry_count: number;
  counts: ListCounts;
}

/** The lists of a project (every project when projectId is null), newest first. */
export async function listLists(db: Executor, projectId: string | null): Promise<ListSummary[]> {
  const { rows } = await db.query<ListRow>(
    `SELECT id, project_id, label, kind, score, expires_at, created_at, entry_count, counts
       FROM lists WHERE ($1::uuid IS NULL OR project_id = $1::uuid)
      ORDER BY created_at DESC, id`,
    [projectId],
  );
  const now = Date.now();
  return rows.map((r) => ({
    listId: r.id,
    projectId: r.project_id,
    label: r.label,
    kind: r.kind,
    score: r.score === null ? null : Number(r.score),
    expiresAt: r.expires_at,
    createdAt: r.created_at,
    entryCount: Number(r.entry_count),
    counts: r.counts,
    expired: r.expires_at !== null && r.expires_at.getTime() <= now,
  }));
}

async function bumpListsVersion(tx: Executor): Promise<void> {
  await tx.query('UPDATE lists_version SET version = version + 1');
}

/** The counter every list change bumps; a reloader compares it with the last one it loaded. */
export async function listsVersion(db: Executor): Promise<number> {
  const { rows } = await db.query<{ version: number | string }>('SELECT version FROM lists_version');
  return Number(rows[0]?.version ?? 0);
}

/** An active entry and the project it belongs to. */
export interface ProjectListEntry extends ListEntry {
  projectId: string;
}

/**
 * Every entry of every project that has not expired, with the list's label, score and expiry
 * applied where the line had none of its own (an entry expires at the earlier of the two).
 */
export async function loadActiveEntries(db: Executor): Promise<ProjectListEntry[]> {
  const { rows } = await db.query<{
    list_id: string;
    project_id: string;
    kind: ListKind;
    value: string;
    label: string;
    score: number | null;
    expires_at: Date | null;
  }>(
    `SELECT e.list_id, l.project_id, e.kind, e.value, COALESCE(e.label, l.label) AS label,
            COALESCE(e.score, l.score) AS score, LEAST(e.expires_at, l.expires_at) AS expires_at
       FROM list_entries e JOIN lists l ON l.id = e.list_id
      WHERE (l.expires_at IS NULL OR l.expires_at > now())
        AND (e.expires_at IS NULL OR e.expires_at > now())`,
  );
  return rows.map((r) => ({
    listId: r.list_id,
    projectId: r.project_id,
    kind: r.kind,
    value: r.value,
    label: r.label,
    score: r.score === null ? null : Number(r.score),
    expiresAt: r.expires_at,
  }));
}

/**
 * An expiry as operators write it: `YYYY-MM-DD` (midnight UTC at the start of that day, as in list
 * files) or an ISO 8601 date-time with its zone. Null when it is neither.
 */
export function parseExpiry(text: string): Date | null {
  const t = text.trim();
  const iso = /^\d{4}-\d{2}-\d{2}$/.test(t) ? `${t}T00:00:00Z` : t;
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/.test(iso)) return null;
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return null;
  // Date.parse rolls 2026-02-31 over to March: refuse dates that do not exist.
  const [y, m, d] = iso.slice(0, 10).split('-').map(Number) as [number, number, number];
  const check = new Date(Date.UTC(y, m - 1, d));
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== m - 1 || check.getUTCDate() !== d) return null;
  return new Date(ms);
}

/** A score as text (`10`, `-5`, `0.5`); null when it is not a number. */
export function parseScore(text: string): number | null {
  const t = text.trim();
  if (!/^[+-]?\d+(\.\d+)?$/.test(t)) return null;
  const n = Number(t);
  return Number.isFinite(n) ? n : null;
}
