// The environment-neutral core of the SDK: no Node or DOM API beyond fetch, timers and crypto.
// index.ts (Node) and browser.ts (browsers) add the process-exit and page-hide flushes.
import type {
  DecideResult,
  Reason,
  StoredEvent,
  VigilEvent,
  VigilOptions,
  VigilStats,
  VigilUser,
  VigilWarning,
} from './types.ts';

/** A failed read (getUser, getUserEvents): the HTTP status and error code when the server answered. */
export class VigilError extends Error {
  override name = 'VigilError';
  constructor(
    message: string,
    readonly status?: number,
    readonly code?: string,
  ) {
    super(message);
  }
}

type Wire = Record<string, unknown>;
/** The parts of the server's JSON answers the client reads. */
interface Body {
  error?: { code?: string; message?: string };
  decision?: DecideResult['decision'];
  score?: number | null;
  reasons?: Reason[];
  status?: string;
  userName?: string;
  eventId?: number;
  blacklisted?: unknown;
  events?: StoredEvent[];
  results?: Array<{ status?: string; index?: number; error?: { message?: string; field?: string } }>;
}
interface Answer {
  status: number;
  retryAfter: number | undefined;
  body: Body | undefined;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** `Retry-After` in ms: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (value == null) return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** A random UUID v4; crypto.randomUUID is missing on plain-HTTP pages, so fall back to getRandomValues. */
export function newIdempotencyKey(): string {
  const c = globalThis.crypto;
  if (c?.randomUUID) return c.randomUUID();
  const b = new Uint8Array(16);
  if (c?.getRandomValues) c.getRandomValues(b);
  else for (let i = 0; i < 16; i++) b[i] = (Math.random() * 256) | 0;
  b[6] = (b[6]! & 15) | 64;
  b[8] = (b[8]! & 63) | 128;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function describe(a: Answer): string {
  const e = a.body?.error;
  return `HTTP ${a.status}${e?.code ? ` ${e.code}: ${e.message}` : ''}`;
}

export class VigilClient {
  protected readonly base: string;
  protected readonly options: VigilOptions;
  private readonly doFetch: typeof fetch;
  private readonly timeoutMs: number;
  private readonly batchTimeoutMs: number;
  private readonly batchSize: number;
  private readonly maxQueue: number;
  private readonly attempts: number;
  private readonly baseMs: number;
  private readonly maxMs: number;
  private readonly timer: ReturnType<typeof setInterval>;
  /** Serialised events: a snapshot at track() time, and an unserialisable event fails there. */
  private queue: string[] = [];
  /** Events of the batch being sent (out of the queue until the answer). */
  private inflight = 0;
  private flushing: Promise<void> | undefined;
  private resumeAt = 0;
  private failures = 0;
  private lastWhy = '';
  private lastRetryAfter: number | undefined;
  private overflowAt = 0;
  private overflowPending = 0;
  private closed = false;
  private counters = { delivered: 0, duplicates: 0, rejected: 0, dropped: 0, retries: 0, degraded: 0 };

  constructor(options: VigilOptions) {
    if (!options?.url || !options.apiKey) throw new TypeError('Vigil: url and apiKey are required');
    const f = options.fetch ?? globalThis.fetch;
    if (typeof f !== 'function') throw new TypeError('Vigil: no fetch available; pass options.fetch');
    this.options = options;
    this.base = options.url.replace(/\/+$/, '');
    this.doFetch = (input, init) => f(input, init);
    this.timeoutMs = options.timeoutMs ?? 1500;
    this.batchTimeoutMs = options.batchTimeoutMs ?? 10_000;
    this.batchSize = Math.min(Math.max(options.batchSize ?? 100, 1), 1000);
    this.maxQueue = Math.max(options.maxQueue ?? 10_000, 1);
    this.attempts = Math.max(options.retry?.attempts ?? 5, 1);
    this.baseMs = options.retry?.baseMs ?? 200;
    this.maxMs = options.retry?.maxMs ?? 30_000;
    this.timer = setInterval(() => {
      if (this.queue.length && !this.flushing && Date.now() >= this.resumeAt) void this.run(false);
    }, options.flushIntervalMs ?? 1000);
    // Node: the interval alone must not keep the process alive (the exit flush takes over).
    (this.timer as { unref?: () => void }).unref?.();
  }

  /**
   * Queues an event for delivery. Never throws and never waits: problems are counted (stats()) and
   * reported through onWarning.
   */
  track(event: VigilEvent): void {
    try {
      if (this.closed) this.warn({ code: 'invalid_call', message: 'track() after close(): dropped' });
      else if (!event || typeof event !== 'object') {
        this.warn({ code: 'invalid_call', message: 'track() needs an event object' });
      } else this.enqueue(JSON.stringify(this.prepare(event)));
    } catch (error) {
      this.warn({ code: 'invalid_call', message: `track() failed: ${message(error)}`, error });
    }
  }

  /**
   * Stores the event and scores its user synchronously, within the `timeoutMs` budget. When the
   * server cannot answer in time, answers `allow` (fail-open) or `block` (fail-closed) with
   * `degraded: true`; it never throws.
   */
  async decide(event: VigilEvent): Promise<DecideResult> {
    let why = 'unknown error';
    let json: string | undefined;
    let requeue = false;
    try {
      json = JSON.stringify(this.prepare(event));
      const a = await this.budgeted('POST', '/api/v1/decide', json);
      const b = a.body;
      if (a.status === 200 && b && typeof b.decision === 'string') {
        return {
          decision: b.decision,
          score: b.score ?? null,
          reasons: b.reasons ?? [],
          degraded: false,
          status: b.status,
          userName: b.userName,
          eventId: b.eventId,
        };
      }
      why = describe(a);
      requeue = a.status === 429 || a.status >= 500;
    } catch (error) {
      why = message(error);
      requeue = json !== undefined;
    }
    this.counters.degraded++;
    // Not stored for sure: deliver it later; the idempotency key keeps it single if it was.
    if (requeue && json && this.options.queueDegradedDecisions !== false && !this.closed) this.enqueue(json);
    const decision = this.options.failMode === 'closed' ? 'block' : 'allow';
    this.warn({ code: 'degraded', message: `decide answered ${decision} by default: ${why}` });
    return { decision, score: null, reasons: [], degraded: true, error: why };
  }

  /** Whether the value (user id, IP, e-mail or phone) is blacklisted; on failure, the fail-mode default. */
  async isBlacklisted(value: string): Promise<boolean> {
    let why: string;
    try {
      const a = await this.budgeted('POST', '/api/v1/blacklist/search', { value: String(value) });
      const hit = a.body?.blacklisted;
      if (a.status === 200 && typeof hit === 'boolean') return hit;
      why = describe(a);
    } catch (error) {
      why = message(error);
    }
    this.counters.degraded++;
    const blocked = this.options.failMode === 'closed';
    this.warn({ code: 'degraded', message: `isBlacklisted answered ${blocked} by default: ${why}` });
    return blocked;
  }

  /** The user's score and status; null for an unknown user. Rejects with a VigilError on failure. */
  async getUser(userName: string): Promise<VigilUser | null> {
    const a = await this.budgeted('GET', `/api/v1/users/${encodeURIComponent(userName)}`);
    if (a.status === 404) return null;
    if (a.status !== 200) throw new VigilError(describe(a), a.status, a.body?.error?.code);
    return a.body as VigilUser;
  }

  /** The user's latest events, newest first (empty for an unknown user). Rejects with a VigilError on failure. */
  async getUserEvents(userName: string, limit = 50): Promise<StoredEvent[]> {
    const a = await this.budgeted(
      'GET',
      `/api/v1/users/${encodeURIComponent(userName)}/events?limit=${limit}`,
    );
    if (a.status === 404) return [];
    if (a.status !== 200) throw new VigilError(describe(a), a.status, a.body?.error?.code);
    return a.body?.events ?? [];
  }

  /**
   * Sends everything queued now, with retries. Resolves (never rejects) once the queue is empty or a
   * batch failed every retry; failed events stay queued for the next attempt.
   */
  async flush(): Promise<void> {
    if (this.flushing) await this.flushing;
    if (this.queue.length) await this.run(false);
  }

  /**
   * Stops the timer and flushes (for at most `timeoutMs` when given); events that still cannot be
   * delivered are reported as lost.
   */
  async close(timeoutMs?: number): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      this.flush(),
      ...(timeoutMs === undefined
        ? []
        : [new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs)))]),
    ]);
    clearTimeout(timer);
    this._abandon();
  }

  /** @internal Reports the undelivered events as lost and forgets them. */
  _abandon(): void {
    const left = this.queue.length + this.inflight;
    if (!left) return;
    this.counters.dropped += left;
    this.warn({
      code: 'lost',
      message: `${left} undelivered events are lost (${this.lastWhy || 'no answer in time'})`,
      count: left,
    });
    this.queue = [];
  }

  stats(): VigilStats {
    return { queued: this.queue.length + this.inflight, ...this.counters };
  }

  /** @internal Page hide / process exit: one flush pass, if none is running. */
  _exit(keepalive: boolean): Promise<void> {
    return this.flushing ?? (this.queue.length ? this.run(keepalive) : Promise.resolve());
  }

  /** Fields every event starts from, before `defaults` and the event's own (the browser fills the page's). */
  protected context(): Partial<VigilEvent> {
    return {};
  }

  protected warn(warning: VigilWarning): void {
    try {
      if (this.options.onWarning) this.options.onWarning(warning);
      else if (typeof console !== 'undefined') console.warn(`[vigil] ${warning.message}`);
    } catch {
      // A broken handler must not break tracking.
    }
  }

  private prepare(event: VigilEvent): Wire {
    const wire: Wire = {};
    for (const source of [this.context(), this.options.defaults, event]) {
      if (!source) continue;
      for (const [k, v] of Object.entries(source)) if (v !== undefined) wire[k] = v;
    }
    for (const k of ['eventTime', 'userCreated']) {
      const v = wire[k];
      if (v instanceof Date) wire[k] = v.toISOString();
    }
    // The time of the action, not of the (possibly much later) delivery.
    wire.eventTime ??= new Date().toISOString();
    if (typeof wire.idempotencyKey !== 'string' || !wire.idempotencyKey)
      wire.idempotencyKey = newIdempotencyKey();
    return wire;
  }

  private enqueue(json: string): void {
    this.queue.push(json);
    if (this.queue.length > this.maxQueue) this.drop(this.queue.length - this.maxQueue);
    if (this.queue.length >= this.batchSize && !this.flushing && Date.now() >= this.resumeAt) {
      void this.run(false);
    }
  }

  /** Drops the n oldest events, with a warning at most once a second. */
  private drop(n: number): void {
    this.queue.splice(0, n);
    this.counters.dropped += n;
    this.overflowPending += n;
    const now = Date.now();
    if (now - this.overflowAt >= 1000) {
      this.warn({
        code: 'queue_overflow',
        message: `queue full (${this.maxQueue} events): dropped the ${this.overflowPending} oldest`,
        count: this.overflowPending,
      });
      this.overflowAt = now;
      this.overflowPending = 0;
    }
  }

  private run(keepalive: boolean): Promise<void> {
    this.flushing ??= this.pass(keepalive).finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  private async pass(keepalive: boolean): Promise<void> {
    // keepalive requests (page unload) are limited to 64 KB in flight: smaller batches.
    const size = keepalive ? Math.min(this.batchSize, 20) : this.batchSize;
    try {
      while (this.queue.length) {
        const batch = this.queue.splice(0, size);
        this.inflight = batch.length;
        const left = await this.deliver(batch, keepalive).finally(() => {
          this.inflight = 0;
        });
        if (left.length) {
          this.queue.unshift(...left);
          if (this.queue.length > this.maxQueue) this.drop(this.queue.length - this.maxQueue);
          this.failures++;
          const ceiling = Math.min(this.maxMs, this.baseMs * 2 ** this.failures);
          this.resumeAt = Date.now() + Math.max(this.lastRetryAfter ?? 0, ceiling);
          this.warn({
            code: 'delivery_failed',
            message: `could not deliver ${left.length} events (${this.lastWhy}); ${this.queue.length} stay queued for a later retry`,
            count: left.length,
          });
          return;
        }
        this.failures = 0;
        this.resumeAt = 0;
      }
    } catch (error) {
      this.warn({ code: 'delivery_failed', message: `delivery failed: ${message(error)}`, error });
    }
  }

  /** Sends one batch with retries; resolves with the events still to deliver (empty when done). */
  private async deliver(batch: string[], keepalive: boolean): Promise<string[]> {
    for (let attempt = 0; ; attempt++) {
      let a: Answer | undefined;
      try {
        a = await this.call('POST', '/api/v1/events', `[${batch.join(',')}]`, this.batchTimeoutMs, keepalive);
      } catch (error) {
        this.lastWhy = message(error);
      }
      this.lastRetryAfter = a?.retryAfter;
      if (a) {
        if (a.status === 200) {
          this.account(batch, a.body);
          return [];
        }
        // Too large, or one event the database refuses: split, so the others get through.
        if ((a.status === 413 || a.status === 422) && batch.length > 1) {
          const half = batch.length >> 1;
          const left = await this.deliver(batch.slice(0, half), keepalive);
          return left.length ? [...left, ...batch.slice(half)] : this.deliver(batch.slice(half), keepalive);
        }
        this.lastWhy = describe(a);
        if (a.status !== 429 && a.status < 500) {
          this.counters.rejected += batch.length;
          this.warn({
            code: 'rejected',
            message: `the server refused ${batch.length} events: ${this.lastWhy}`,
            count: batch.length,
            status: a.status,
          });
          return [];
        }
      }
      if (attempt + 1 >= this.attempts) return batch;
      this.counters.retries++;
      await sleep(this.backoff(attempt, a?.retryAfter));
    }
  }

  private account(batch: string[], body: Body | undefined): void {
    const results = Array.isArray(body?.results) ? body.results : [];
    if (!results.length) {
      this.counters.delivered += batch.length;
      return;
    }
    const refused: string[] = [];
    for (const r of results) {
      if (r.status === 'duplicate') this.counters.duplicates++;
      else if (r.status === 'rejected') {
        refused.push(`#${r.index} ${r.error?.field ?? ''}: ${r.error?.message ?? 'rejected'}`);
      } else this.counters.delivered++;
    }
    if (refused.length) {
      this.counters.rejected += refused.length;
      this.warn({
        code: 'rejected',
        message: `the server refused ${refused.length} events: ${refused.slice(0, 3).join('; ')}`,
        count: refused.length,
      });
    }
  }

  /** Full jitter below an exponential ceiling; `Retry-After` when the server gave one. */
  private backoff(attempt: number, retryAfter: number | undefined): number {
    if (retryAfter !== undefined) return retryAfter;
    return Math.random() * Math.min(this.maxMs, this.baseMs * 2 ** attempt);
  }

  /** One request, retried on network errors, 429 and 5xx as long as the `timeoutMs` budget allows. */
  private async budgeted(method: string, path: string, body?: unknown): Promise<Answer> {
    const deadline = Date.now() + this.timeoutMs;
    for (let attempt = 0; ; attempt++) {
      let a: Answer | undefined;
      let failure: unknown;
      try {
        a = await this.call(method, path, body, deadline - Date.now());
        if (a.status !== 429 && a.status < 500) return a;
      } catch (error) {
        failure = error;
      }
      const wait = this.backoff(attempt, a?.retryAfter);
      if (attempt + 1 >= this.attempts || Date.now() + wait >= deadline) {
        if (a) return a;
        throw failure;
      }
      this.counters.retries++;
      await sleep(wait);
    }
  }

  private async call(
    method: string,
    path: string,
    body: unknown,
    timeoutMs: number,
    keepalive = false,
  ): Promise<Answer> {
    const ms = Math.max(1, timeoutMs);
    const controller = typeof AbortController === 'function' ? new AbortController() : undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    // Also raced, so a fetch that ignores the signal cannot hold the caller past the budget.
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller?.abort();
        reject(new VigilError(`no answer within ${ms} ms`));
      }, ms);
    });
    const request = (async (): Promise<Answer> => {
      const headers: Record<string, string> = { 'api-key': this.options.apiKey };
      if (body !== undefined) headers['content-type'] = 'application/json';
      let res: Response;
      try {
        res = await this.doFetch(this.base + path, {
          method,
          headers,
          body: body === undefined ? null : typeof body === 'string' ? body : JSON.stringify(body),
          signal: controller?.signal ?? null,
          keepalive,
        });
      } catch (error) {
        throw new VigilError(`network error: ${message((error as { cause?: unknown }).cause ?? error)}`);
      }
      const text = await res.text();
      let parsed: Body | undefined;
      try {
        parsed = text ? (JSON.parse(text) as Body) : undefined;
      } catch {
        parsed = undefined;
      }
      return {
        status: res.status,
        retryAfter: parseRetryAfter(res.headers.get('retry-after')),
        body: parsed,
      };
    })();
    try {
      return await Promise.race([request, expired]);
    } finally {
      clearTimeout(timer);
    }
  }
}
