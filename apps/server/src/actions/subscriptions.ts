import { randomUUID } from 'node:crypto';
import type { Executor } from '@vigil/db';
import { InputError } from '../input-error.ts';
import { ALERT_KINDS, type AlertKind, isAlertKind } from './outbox.ts';
import { newWebhookSecret } from './signature.ts';

export interface Subscription {
  id: string;
  url: string;
  description: string;
  events: AlertKind[];
  scoreThreshold: number | null;
  ruleCodes: string[] | null;
  enabled: boolean;
  createdAt: Date;
  updatedAt: Date;
}

interface SubscriptionFields {
  url: string;
  description: string;
  events: AlertKind[];
  scoreThreshold: number | null;
  ruleCodes: string[] | null;
  enabled: boolean;
}

const COLUMNS = `id, url, description, events, score_threshold, rule_codes, enabled, created_at, updated_at`;
const RULE_CODE = /^[A-Za-z0-9_]{1,64}$/;

export async function listSubscriptions(db: Executor, projectId: string): Promise<Subscription[]> {
  const { rows } = await db.query(
    `SELECT ${COLUMNS} FROM webhook_subscriptions WHERE project_id = $1 ORDER BY created_at, id`,
    [projectId],
  );
  return rows.map(toSubscription);
}

export async function getSubscription(
  db: Executor,
  projectId: string,
  id: string,
): Promise<Subscription | null> {
  if (!isUuid(id)) return null;
  const { rows } = await db.query(
    `SELECT ${COLUMNS} FROM webhook_subscriptions WHERE project_id = $1 AND id = $2`,
    [projectId, id],
  );
  return rows[0] ? toSubscription(rows[0]) : null;
}

/** Creates a subscription; the secret (given, or generated) is returned only here. */
export async function createSubscription(
  db: Executor,
  projectId: string,
  input: unknown,
): Promise<{ subscription: Subscription; secret: string }> {
  const body = objectOf(input);
  const fields = checkFields(body, null);
  const secret = body.secret === undefined ? newWebhookSecret() : checkSecret(body.secret);
  const { rows } = await db.query(
    `INSERT INTO webhook_subscriptions (id, project_id, url, description, secret, events, score_threshold, rule_codes, enabled)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING ${COLUMNS}`,
    [
      randomUUID(),
      projectId,
      fields.url,
      fields.description,
      secret,
      fields.events,
      fields.scoreThreshold,
      fields.ruleCodes,
      fields.enabled,
    ],
  );
  return { subscription: toSubscription(rows[0]!), secret };
}

/**
 * Changes some fields of a subscription. `secret` sets a new secret, `rotateSecret: true` makes
 * one; either way the new secret is returned once. Null when there is no such subscription.
 */
export async function updateSubscription(
  db: Executor,
  projectId: string,
  id: string,
  input: unknown,
): Promise<{ subscription: Subscription; secret?: string } | null> {
  const current = await getSubscription(db, projectId, id);
  if (!current) return null;
  const body = objectOf(input);
  const fields = checkFields(body, current);
  let secret: string | undefined;
  if (body.secret !== undefined) secret = checkSecret(body.secret);
  else if (body.rotateSecret === true) secret = newWebhookSecret();
  else if (body.rotateSecret !== undefined && body.rotateSecret !== false) {
    throw new InputError('rotateSecret must be a boolean', 'rotateSecret');
  }
  const { rows } = await db.query(
    `UPDATE webhook_subscriptions SET url = $3, description = $4, events = $5, score_threshold = $6,
            rule_codes = $7, enabled = $8, secret = COALESCE($9, secret), updated_at = now()
      WHERE project_id = $1 AND id = $2 RETURNING ${COLUMNS}`,
    [
      projectId,
      id,
      fields.url,
      fields.description,
      fields.events,
      fields.scoreThreshold,
      fields.ruleCodes,
      fields.enabled,
      secret ?? null,
    ],
  );
  if (!rows[0]) return null;
  return { subscription: toSubscription(rows[0]), ...(secret ? { secret } : {}) };
}

/** Deletes a subscription with its delivery log. */
export async function deleteSubscription(db: Executor, projectId: string, id: string): Promise<boolean> {
  if (!isUuid(id)) return false;
  const { rowCount } = await db.query('DELETE FROM webhook_subscriptions WHERE project_id = $1 AND id = $2', [
    projectId,
    id,
  ]);
  return (rowCount ?? 0) > 0;
}

export function isUuid(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}

export function objectOf(input: unknown): Record<string, unknown> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new InputError('the body must be a JSON object', 'body');
  }
  return input as Record<string, unknown>;
}

/** Validates the fields of a new subscription, or of a change to `current` (absent fields keep their value). */
function checkFields(body: Record<string, unknown>, current: Subscription | null): SubscriptionFields {
  const url = body.url === undefined && current ? current.url : checkUrl(body.url);
  let description = current?.description ?? '';
  if (body.description !== undefined) {
    if (typeof body.description !== 'string' || body.description.length > 200) {
      throw new InputError('description must be a string of at most 200 characters', 'description');
    }
    description = body.description;
  }
  let events = current?.events ?? [];
  if (body.events !== undefined || !current) {
    if (
      !Array.isArray(body.events) ||
      body.events.length === 0 ||
      !body.events.every((e) => isAlertKind(e))
    ) {
      throw new InputError(`events must be a non-empty list of: ${ALERT_KINDS.join(', ')}`, 'events');
    }
    events = [...new Set(body.events as AlertKind[])];
  }
  let scoreThreshold = current?.scoreThreshold ?? null;
  if (body.scoreThreshold !== undefined) {
    const t = body.scoreThreshold;
    if (t !== null && !(Number.isInteger(t) && (t as number) >= 0 && (t as number) <= 99)) {
      throw new InputError('scoreThreshold must be a whole number from 0 to 99, or null', 'scoreThreshold');
    }
    scoreThreshold = t as number | null;
  }
  if (events.includes('user.score_crossed') && scoreThreshold === null) {
    throw new InputError('user.score_crossed needs a scoreThreshold', 'scoreThreshold');
  }
  let ruleCodes = current?.ruleCodes ?? null;
  if (body.ruleCodes !== undefined) {
    const codes = body.ruleCodes;
    if (
      codes !== null &&
      !(
        Array.isArray(codes) &&
        codes.length <= 200 &&
        codes.every((c) => typeof c === 'string' && RULE_CODE.test(c))
      )
    ) {
      throw new InputError(
        'ruleCodes must be a list of rule codes (letters, digits, _), or null',
        'ruleCodes',
      );
    }
    ruleCodes = codes === null || codes.length === 0 ? null : [...new Set(codes as string[])];
  }
  let enabled = current?.enabled ?? true;
  if (body.enabled !== undefined) {
    if (typeof body.enabled !== 'boolean') throw new InputError('enabled must be a boolean', 'enabled');
    enabled = body.enabled;
  }
  return { url, description, events, scoreThreshold, ruleCodes, enabled };
}

function checkUrl(value: unknown): string {
  if (typeof value !== 'string' || value.length > 2048) {
    throw new InputError('url must be an http:// or https:// address', 'url');
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InputError('url must be an http:// or https:// address', 'url');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InputError('url must be an http:// or https:// address', 'url');
  }
  if (url.username || url.password) {
    throw new InputError('url must not carry credentials; the signature authenticates Vigil', 'url');
  }
  return url.toString();
}

function checkSecret(value: unknown): string {
  if (typeof value !== 'string' || value.length < 16 || value.length > 256 || /[\s,]/.test(value)) {
    throw new InputError('secret must be 16 to 256 characters without spaces or commas', 'secret');
  }
  return value;
}

function toSubscription(row: Record<string, unknown>): Subscription {
  return {
    id: row.id as string,
    url: row.url as string,
    description: row.description as string,
    events: row.events as AlertKind[],
    scoreThreshold: (row.score_threshold as number | null) ?? null,
    ruleCodes: (row.rule_codes as string[] | null) ?? null,
    enabled: row.enabled as boolean,
    createdAt: row.created_at as Date,
    updatedAt: row.updated_at as Date,
  };
}
