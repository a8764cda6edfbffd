import { randomUUID } from 'node:crypto';
import type { Executor } from '@vigil/db';
import { metrics } from '../metrics.ts';
import type { AlertKind } from './outbox.ts';
import { signatureHeader } from './signature.ts';
import { isUuid } from './subscriptions.ts';

export interface DeliveryPolicy {
  /** An attempt without a full answer within this time failed. */
  timeoutMs: number;
  /** Delay before the first retry; it doubles with each failure (with jitter) up to retryMaxMs. */
  retryBaseMs: number;
  retryMaxMs: number;
  /** After this long since the delivery was created, a failure is final. */
  giveUpAfterMs: number;
}

export const DEFAULT_DELIVERY_POLICY: DeliveryPolicy = {
  timeoutMs: 10_000,
  retryBaseMs: 10_000,
  retryMaxMs: 3_600_000,
  giveUpAfterMs: 24 * 3_600_000,
};

/** Webhook outcomes of this process, for /metrics. */
export const webhookOutcomes = metrics.counter(
  'vigil_webhook_deliveries_total',
  'Webhook delivery attempts by outcome: delivered, failed (will be retried or was manual), gave_up (final).',
  ['outcome'],
);
for (const outcome of ['delivered', 'failed', 'gave_up']) webhookOutcomes.inc({ outcome }, 0);

/**
 * The delay before retry number `attempt` (1 = after the first failure): exponential, capped,
 * with ±25 % jitter so that many deliveries failing together (a receiver down) do not all come
 * back at the same instant.
 */
export function retryDelayMs(attempt: number, policy: DeliveryPolicy, random = Math.random): number {
  const exponential = Math.min(policy.retryMaxMs, policy.retryBaseMs * 2 ** Math.min(attempt - 1, 30));
  return Math.round(exponential * (0.75 + random() * 0.5));
}

export interface WebhookEvent {
  deliveryId: string;
  eventId: string;
  kind: AlertKind | 'webhook.test';
  projectId: string;
  createdAt: Date;
  userName: string | null;
  data: Record<string, unknown>;
}

/** The request body; the same bytes on every attempt of a delivery. */
export function webhookBody(e: WebhookEvent): string {
  return JSON.stringify({
    id: e.deliveryId,
    eventId: e.eventId,
    type: e.kind,
    createdAt: e.createdAt.toISOString(),
    projectId: e.projectId,
    user: e.userName === null ? null : { userName: e.userName },
    data: e.data,
  });
}

export interface AttemptResult {
  ok: boolean;
  startedAt: Date;
  durationMs: number;
  status: number | null;
  error: string | null;
  response: string | null;
}

const RESPONSE_EXCERPT_BYTES = 1024;

/** One signed POST. A 2xx answer is success; anything else, including a redirect or timeout, fails. */
export async function postWebhook(
  url: string,
  secret: string,
  event: WebhookEvent,
  attempt: number,
  timeoutMs: number,
): Promise<AttemptResult> {
  const body = webhookBody(event);
  const startedAt = new Date();
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const response = await fetch(url, {
      method: 'POST',
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Vigil-Webhooks/1',
        'vigil-delivery': event.deliveryId,
        'vigil-event': event.kind,
        'vigil-attempt': String(attempt),
        'vigil-signature': signatureHeader(secret, body, Math.floor(Date.now() / 1000)),
      },
    });
    const excerpt = await readExcerpt(response);
    const ok = response.status >= 200 && response.status < 300;
    return {
      ok,
      startedAt,
      durationMs: elapsed(),
      status: response.status,
      error: ok ? null : `HTTP ${response.status}`,
      response: excerpt,
    };
  } catch (error) {
    const name = (error as Error).name;
    const message =
      name === 'TimeoutError' || name === 'AbortError'
        ? `no answer within ${timeoutMs / 1000} s`
        : describeFetchError(error);
    return { ok: false, startedAt, durationMs: elapsed(), status: null, error: message, response: null };
  }
}

function describeFetchError(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}

async function readExcerpt(response: Response): Promise<string | null> {
  if (!response.body) return null;
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (size < RESPONSE_EXCERPT_BYTES) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.length;
  }
  await reader.cancel().catch(() => {});
  const text = Buffer.concat(chunks).subarray(0, RESPONSE_EXCERPT_BYTES).toString('utf8');
  return text.length > 0 ? text : null;
}

/**
 * Creates the deliveries of these outbox rows: one per enabled subscription that wants the event
 * (for a score crossing, the subscription's own value must lie between the two scores; for a rule
 * match, its rule list must name the rule). Idempotent: a row fanned out twice is delivered once.
 */
export async function fanOut(db: Executor, outboxIds: number[]): Promise<number> {
  if (outboxIds.length === 0) return 0;
  const { rowCount } = await db.query(
    `INSERT INTO webhook_deliveries (id, project_id, outbox_id, subscription_id, next_attempt_at)
     SELECT gen_random_uuid(), o.project_id, o.id, s.id, now()
       FROM outbox o JOIN webhook_subscriptions s
         ON s.project_id = o.project_id AND s.enabled AND o.kind = ANY (s.events)
      WHERE o.id = ANY ($1::bigint[])
        AND (o.kind <> 'user.score_crossed' OR s.score_threshold IS NOT NULL AND
             ((o.data->>'previousScore')::int > s.score_threshold) <> ((o.data->>'score')::int > s.score_threshold))
        AND (o.kind <> 'rule.matched' OR s.rule_codes IS NULL OR o.data->>'ruleCode' = ANY (s.rule_codes))
     ON CONFLICT (outbox_id, subscription_id) DO NOTHING`,
    [outboxIds],
  );
  return rowCount ?? 0;
}

export interface DueDelivery {
  event: WebhookEvent;
  url: string;
  secret: string;
  attempt: number;
}

/**
 * Takes up to `limit` deliveries that are due, for `leaseMs` (longer than an attempt can last):
 * other dispatchers skip them, and a crashed dispatcher's deliveries come back when it expires.
 */
export async function takeDueDeliveries(
  db: Executor,
  limit: number,
  leaseMs: number,
): Promise<DueDelivery[]> {
  const { rows } = await db.query<{
    id: string;
    attempts: number;
    url: string;
    secret: string;
    outbox_id: number;
    project_id: string;
    kind: AlertKind;
    user_name: string | null;
    data: Record<string, unknown>;
    created_at: Date;
  }>(
    `UPDATE webhook_deliveries d SET taken_until = clock_timestamp() + make_interval(secs => $2::float8 / 1000)
       FROM webhook_subscriptions s, outbox o
      WHERE d.id IN (
              SELECT dd.id FROM webhook_deliveries dd
                JOIN webhook_subscriptions ss ON ss.id = dd.subscription_id AND ss.enabled
               WHERE dd.next_attempt_at <= clock_timestamp()
                 AND (dd.taken_until IS NULL OR dd.taken_until < clock_timestamp())
               ORDER BY dd.next_attempt_at LIMIT $1
                 FOR UPDATE OF dd SKIP LOCKED)
        AND s.id = d.subscription_id AND o.id = d.outbox_id
     RETURNING d.id, d.attempts, s.url, s.secret, o.id AS outbox_id, o.project_id, o.kind, o.user_name, o.data,
               o.created_at`,
    [limit, leaseMs],
  );
  return rows.map((r) => ({
    url: r.url,
    secret: r.secret,
    attempt: r.attempts + 1,
    event: {
      deliveryId: r.id,
      eventId: String(r.outbox_id),
      kind: r.kind,
      projectId: r.project_id,
      createdAt: r.created_at,
      userName: r.user_name,
      data: r.data,
    },
  }));
}

/**
 * Records an attempt and schedules what follows: delivered; or the next retry (never later than
 * the give-up time); or, past it, given up. A manual attempt never changes the automatic schedule
 * unless it succeeds. Returns whether the delivery was given up by this attempt.
 */
export async function recordAttempt(
  db: Executor,
  deliveryId: string,
  attempt: number,
  result: AttemptResult,
  policy: DeliveryPolicy,
  manual = false,
): Promise<{ gaveUp: boolean }> {
  const { rows } = await db.query<{ gave_up: boolean }>(
    `WITH logged AS (
       INSERT INTO webhook_attempts (delivery_id, attempt, manual, started_at, duration_ms, status, error, response)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ), p AS (
       SELECT make_interval(secs => $10::float8 / 1000) AS delay, make_interval(secs => $11::float8 / 1000) AS give_up
     )
     UPDATE webhook_deliveries d SET
       attempts = d.attempts + 1, last_attempt_at = $4, last_status = $6, last_error = $7, taken_until = NULL,
       delivered_at = CASE WHEN $9::boolean THEN COALESCE(d.delivered_at, now()) ELSE d.delivered_at END,
       gave_up_at = CASE WHEN NOT $9::boolean AND NOT $3::boolean AND d.gave_up_at IS NULL
                          AND now() >= d.created_at + p.give_up THEN now() ELSE d.gave_up_at END,
       next_attempt_at = CASE WHEN $9::boolean THEN NULL
                              WHEN $3::boolean THEN d.next_attempt_at
                              WHEN now() >= d.created_at + p.give_up THEN NULL
                              ELSE LEAST(now() + p.delay, d.created_at + p.give_up) END
       FROM p
      WHERE d.id = $1
     RETURNING (NOT $9::boolean AND NOT $3::boolean AND d.next_attempt_at IS NULL) AS gave_up`,
    [
      deliveryId,
      attempt,
      manual,
      result.startedAt,
      result.durationMs,
      result.status,
      result.error,
      result.response,
      result.ok,
      retryDelayMs(attempt, policy),
      policy.giveUpAfterMs,
    ],
  );
  const gaveUp = rows[0]?.gave_up ?? false;
  webhookOutcomes.inc({ outcome: result.ok ? 'delivered' : 'failed' });
  if (gaveUp) webhookOutcomes.inc({ outcome: 'gave_up' });
  return { gaveUp };
}

export interface DeliveryView {
  id: string;
  subscriptionId: string;
  eventId: string;
  kind: AlertKind;
  userName: string | null;
  createdAt: Date;
  attempts: number;
  state: 'pending' | 'delivered' | 'gave_up';
  nextAttemptAt: Date | null;
  lastStatus: number | null;
  lastError: string | null;
  deliveredAt: Date | null;
  gaveUpAt: Date | null;
  log: {
    attempt: number;
    manual: boolean;
    startedAt: Date;
    durationMs: number;
    status: number | null;
    error: string | null;
    response: string | null;
  }[];
}

/** The delivery log of a project, newest first, each delivery with its attempts; `total` counts every page. */
export async function listDeliveries(
  db: Executor,
  projectId: string,
  options: {
    subscriptionId?: string | undefined;
    state?: DeliveryView['state'] | undefined;
    deliveryId?: string;
    limit?: number;
    offset?: number;
  } = {},
): Promise<{ rows: DeliveryView[]; total: number }> {
  const limit = Math.min(Math.max(options.limit ?? 50, 1), 500);
  const { rows } = await db.query(
    `SELECT d.id, d.subscription_id, d.outbox_id, o.kind, o.user_name, d.created_at, d.attempts, d.next_attempt_at,
            d.last_status, d.last_error, d.delivered_at, d.gave_up_at, count(*) OVER ()::int AS total
       FROM webhook_deliveries d JOIN outbox o ON o.id = d.outbox_id
      WHERE d.project_id = $1
        AND ($2::uuid IS NULL OR d.subscription_id = $2)
        AND ($3::uuid IS NULL OR d.id = $3)
        AND ($4::text IS NULL
             OR $4 = 'delivered' AND d.delivered_at IS NOT NULL
             OR $4 = 'gave_up' AND d.delivered_at IS NULL AND d.gave_up_at IS NOT NULL
             OR $4 = 'pending' AND d.delivered_at IS NULL AND d.gave_up_at IS NULL)
      ORDER BY d.created_at DESC, d.id LIMIT $5 OFFSET $6`,
    [
      projectId,
      options.subscriptionId ?? null,
      options.deliveryId ?? null,
      options.state ?? null,
      limit,
      options.offset ?? 0,
    ],
  );
  if (rows.length === 0) return { rows: [], total: 0 };
  const attempts = await db.query(
    `SELECT delivery_id, attempt, manual, started_at, duration_ms, status, error, response
       FROM webhook_attempts WHERE delivery_id = ANY ($1::uuid[]) ORDER BY id`,
    [rows.map((r) => r.id)],
  );
  const logs = new Map<string, DeliveryView['log']>();
  for (const a of attempts.rows) {
    const list = logs.get(a.delivery_id) ?? [];
    list.push({
      attempt: a.attempt,
      manual: a.manual,
      startedAt: a.started_at,
      durationMs: a.duration_ms,
      status: a.status,
      error: a.error,
      response: a.response,
    });
    logs.set(a.delivery_id, list);
  }
  const views = rows.map(
    (r): DeliveryView => ({
      id: r.id,
      subscriptionId: r.subscription_id,
      eventId: String(r.outbox_id),
      kind: r.kind,
      userName: r.user_name,
      createdAt: r.created_at,
      attempts: r.attempts,
      state: r.delivered_at ? 'delivered' : r.gave_up_at ? 'gave_up' : 'pending',
      nextAttemptAt: r.next_attempt_at,
      lastStatus: r.last_status,
      lastError: r.last_error,
      deliveredAt: r.delivered_at,
      gaveUpAt: r.gave_up_at,
      log: logs.get(r.id) ?? [],
    }),
  );
  return { rows: views, total: rows[0]!.total };
}

/**
 * Sends a delivery again now, as a new attempt with the same delivery id (receivers deduplicate
 * on it). 'busy' when a dispatcher is sending it at this moment.
 */
export async function redeliver(
  db: Executor,
  projectId: string,
  deliveryId: string,
  policy: DeliveryPolicy = DEFAULT_DELIVERY_POLICY,
): Promise<DeliveryView | 'busy' | null> {
  if (!isUuid(deliveryId)) return null;
  const leaseMs = policy.timeoutMs + 20_000;
  const { rows } = await db.query(
    `UPDATE webhook_deliveries d SET taken_until = clock_timestamp() + make_interval(secs => $3::float8 / 1000)
       FROM webhook_subscriptions s, outbox o
      WHERE d.project_id = $1 AND d.id = $2 AND s.id = d.subscription_id AND o.id = d.outbox_id
        AND (d.taken_until IS NULL OR d.taken_until < clock_timestamp())
     RETURNING d.attempts, s.url, s.secret, o.id AS outbox_id, o.project_id, o.kind, o.user_name, o.data, o.created_at`,
    [projectId, deliveryId, leaseMs],
  );
  const row = rows[0];
  if (!row) {
    const exists = await db.query('SELECT 1 FROM webhook_deliveries WHERE project_id = $1 AND id = $2', [
      projectId,
      deliveryId,
    ]);
    return exists.rowCount ? 'busy' : null;
  }
  const attempt = row.attempts + 1;
  const event: WebhookEvent = {
    deliveryId,
    eventId: String(row.outbox_id),
    kind: row.kind,
    projectId: row.project_id,
    createdAt: row.created_at,
    userName: row.user_name,
    data: row.data,
  };
  const result = await postWebhook(row.url, row.secret, event, attempt, policy.timeoutMs);
  await recordAttempt(db, deliveryId, attempt, result, policy, true);
  const { rows: found } = await listDeliveries(db, projectId, { deliveryId });
  return found[0] ?? null;
}

/** Sends a signed `webhook.test` event to a subscription now, outside the delivery log. */
export async function sendTestWebhook(
  db: Executor,
  projectId: string,
  subscriptionId: string,
  timeoutMs = DEFAULT_DELIVERY_POLICY.timeoutMs,
): Promise<AttemptResult | null> {
  if (!isUuid(subscriptionId)) return null;
  const { rows } = await db.query<{ url: string; secret: string }>(
    'SELECT url, secret FROM webhook_subscriptions WHERE project_id = $1 AND id = $2',
    [projectId, subscriptionId],
  );
  const sub = rows[0];
  if (!sub) return null;
  const event: WebhookEvent = {
    deliveryId: randomUUID(),
    eventId: 'test',
    kind: 'webhook.test',
    projectId,
    createdAt: new Date(),
    userName: null,
    data: { message: 'A test event from Vigil: the signature should verify with your secret.' },
  };
  return postWebhook(sub.url, sub.secret, event, 1, timeoutMs);
}
