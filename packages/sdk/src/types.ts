/** The 13 event types of the sensor protocol. */
export type EventType =
  | 'page_view'
  | 'page_edit'
  | 'page_delete'
  | 'page_search'
  | 'account_login'
  | 'account_logout'
  | 'account_login_fail'
  | 'account_registration'
  | 'account_email_change'
  | 'account_password_change'
  | 'account_edit'
  | 'page_error'
  | 'field_edit';

/** One change of one field (a `field_edit` event carries a list of them). Wire names, as the protocol has them. */
export interface FieldChange {
  field_id: string | number;
  new_value: string;
  old_value?: string | null;
  field_name?: string | null;
  parent_id?: string | null;
  parent_name?: string | null;
}

/**
 * An event, with the field names of `POST /api/v1/events`. The server requires `ipAddress` and
 * `url`; everything else is optional. `eventTime` defaults to the moment `track()` was called and
 * `idempotencyKey` to a fresh UUID.
 */
export interface VigilEvent {
  userName?: string;
  ipAddress?: string;
  url?: string;
  eventType?: EventType | (string & {});
  eventTime?: string | Date;
  userAgent?: string;
  browserLanguage?: string;
  httpMethod?: string;
  httpReferer?: string;
  httpCode?: number | string;
  emailAddress?: string;
  phoneNumber?: string;
  firstName?: string;
  lastName?: string;
  fullName?: string;
  pageTitle?: string;
  userCreated?: string | Date;
  /** `page_search`: `{field_id, value, field_name?}`; `account_email_change`: `{new_value, old_value?}`. */
  payload?: Record<string, string | number | null>;
  /** `field_edit` only. */
  fieldHistory?: FieldChange[];
  /** 1–128 characters; the server stores one event per key and project. */
  idempotencyKey?: string;
}

export type Decision = 'allow' | 'review' | 'block';

export interface Reason {
  rule: string;
  name: string;
  weight: number;
  evidence: unknown;
}

export interface DecideResult {
  decision: Decision;
  /** 0–99 (99 is safe); null when degraded. */
  score: number | null;
  reasons: Reason[];
  /** true when the server did not answer in time (or at all) and the configured default was used. */
  degraded: boolean;
  status?: string;
  userName?: string;
  eventId?: number;
  /** Why the result is degraded. */
  error?: string;
}

export interface VigilUser {
  userName: string;
  score: number | null;
  status: 'normal' | 'review' | 'approved' | 'blacklisted' | (string & {});
  eventCount: number;
  firstSeen: string;
  lastSeen: string;
}

/** An event as `GET /api/v1/users/{userName}/events` returns it. */
export interface StoredEvent {
  id: number;
  type: EventType;
  time: string;
  ipAddress: string;
  url: string;
  query: string | null;
  userAgent: string | null;
  browserLanguage: string | null;
  httpCode: number | null;
  httpMethod: string | null;
  httpReferer: string | null;
  emailAddress: string | null;
  phoneNumber: string | null;
  payload: Record<string, string | null> | null;
  fieldHistory: Array<{
    fieldId: string;
    fieldName: string | null;
    oldValue: string | null;
    newValue: string;
    parentId: string | null;
    parentName: string | null;
  }> | null;
  requestId: string | null;
  sessionId: number;
}

export type WarningCode =
  /** The queue was full: the oldest events were dropped. */
  | 'queue_overflow'
  /** A batch could not be delivered after every retry; it stays queued and is retried later. */
  | 'delivery_failed'
  /** The server refused events (4xx other than 429, or a per-event rejection); they are dropped. */
  | 'rejected'
  /** Events still undelivered when the client was closed: they are lost. */
  | 'lost'
  /** decide / isBlacklisted answered with the fail-open or fail-closed default. */
  | 'degraded'
  /** track() was given something that is not an event, or was called after close(). */
  | 'invalid_call';

export interface VigilWarning {
  code: WarningCode;
  message: string;
  /** How many events this warning is about. */
  count?: number;
  /** HTTP status, when there was an answer. */
  status?: number;
  error?: unknown;
}

export interface RetryOptions {
  /** Tries per request, the first included (default 5). */
  attempts?: number;
  /** First backoff ceiling in ms; doubles per try, with full jitter (default 200). */
  baseMs?: number;
  /** Largest backoff in ms (default 30 000). `Retry-After` is honoured even when longer. */
  maxMs?: number;
}

export interface VigilOptions {
  /** Base URL of the Vigil server, e.g. `https://vigil.example.com`. */
  url: string;
  /** The project's API key (`vigil project create`). */
  apiKey: string;
  /** Budget of decide / isBlacklisted / getUser in ms, retries included (default 1 500). */
  timeoutMs?: number;
  /** Timeout of one background batch request in ms (default 10 000). Never blocks the app. */
  batchTimeoutMs?: number;
  /** Events per request (default 100, at most 1 000). A full batch is sent at once. */
  batchSize?: number;
  /** Queued events are sent at least this often, in ms (default 1 000). */
  flushIntervalMs?: number;
  /** Most events held in memory; beyond it the oldest are dropped (default 10 000). */
  maxQueue?: number;
  /** What decide answers when the server cannot: `open` → allow, `closed` → block (default `open`). */
  failMode?: 'open' | 'closed';
  retry?: RetryOptions;
  /** Fields merged under every event (the event's own fields win). */
  defaults?: Partial<VigilEvent>;
  /** When decide degrades on a network error, timeout, 429 or 5xx, queue its event for delivery (default true). */
  queueDegradedDecisions?: boolean;
  /** A fetch implementation (default: the global fetch). */
  fetch?: typeof fetch;
  /** Called for every warning; the default writes to console.warn. Exceptions it throws are swallowed. */
  onWarning?: (warning: VigilWarning) => void;
}

export interface VigilStats {
  /** Events waiting in the queue. */
  queued: number;
  /** Events the server stored. */
  delivered: number;
  /** Events the server already had (same idempotency key): delivered earlier, not stored twice. */
  duplicates: number;
  /** Events the server refused. */
  rejected: number;
  /** Events dropped by the SDK (queue overflow, lost at close). */
  dropped: number;
  /** Requests retried. */
  retries: number;
  /** decide / isBlacklisted calls answered with the default. */
  degraded: number;
}
