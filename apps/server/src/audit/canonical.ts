import { createHash } from 'node:crypto';

/** The hash the first entry of every chain links to. */
export const GENESIS = '0'.repeat(64);

/**
 * Canonical JSON: keys sorted at every level, no whitespace, dates as ISO 8601 UTC with
 * milliseconds, undefined members left out (as JSON.stringify does). The same value always gives
 * the same bytes, whatever order the keys were written or stored in (jsonb reorders them).
 */
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v)).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  if (typeof value === 'number' && !Number.isFinite(value)) return 'null';
  return JSON.stringify(value);
}

export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The part of an entry the chain hash covers directly; personal content enters via `commitment`. */
export interface ChainedFields {
  chain: string;
  at: Date;
  actor: string;
  action: string;
  fieldChangeId: number | null;
  commitment: string;
}

/**
 * hash = SHA-256(previous hash + "\n" + canonical entry). The position (seq) is not hashed: an
 * entry moved elsewhere still matches its own hash but no longer links to its predecessor, which
 * is how verification tells "reordered" from "changed".
 */
export function entryHash(prevHash: string, fields: ChainedFields): string {
  return sha256(
    `${prevHash}\n${canonicalJson({
      action: fields.action,
      actor: fields.actor,
      at: fields.at,
      chain: fields.chain,
      commitment: fields.commitment,
      fieldChangeId: fields.fieldChangeId,
    })}`,
  );
}

/** A salted commitment to content that may have to be erased later (the salt goes with it). */
export function commitmentOf(salt: string, content: unknown): string {
  return sha256(`${salt}\n${canonicalJson(content)}`);
}

/** Periods are UTC months: retention drops whole months. */
export function periodOf(at: Date): string {
  return at.toISOString().slice(0, 7);
}
