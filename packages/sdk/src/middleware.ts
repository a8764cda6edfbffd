// What the Express and Fastify middleware share: the request's facts, and `req.vigil`.
import type { VigilClient } from './client.ts';
import { clientIp, compileTrust, type TrustProxy } from './proxy.ts';
import type { DecideResult, EventType, VigilEvent } from './types.ts';

export type { TrustProxy } from './proxy.ts';

type Headers = Record<string, string | string[] | undefined>;

export interface MiddlewareOptions<Req = unknown> {
  /** Which proxies' X-Forwarded-For to believe (default: none, the socket address is the client). */
  trustProxy?: TrustProxy;
  /** The signed-in user of a request, read when the event is sent (e.g. `req => req.user?.id`). */
  userName?(req: Req): string | number | null | undefined;
  /** Send an event for every request (default true), or only for those a helper marked. */
  trackAll?: boolean;
  /** Requests to ignore entirely (health checks, static files…). */
  skip?(req: Req): boolean;
}

/** Optional account details of `registered()` and `setUser()`. */
export interface UserDetails {
  emailAddress?: string;
  phoneNumber?: string;
  firstName?: string;
  lastName?: string;
  fullName?: string;
  userCreated?: string | Date;
}

function header(headers: Headers, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** `req.vigil`: marks what the request was; the event is sent when the response has finished. */
export class RequestTracker {
  /** The event being built. Helpers fill it; `httpCode` is set from the response. */
  readonly event: VigilEvent;
  private marked = false;
  private sent = false;

  constructor(
    private readonly client: Pick<VigilClient, 'track' | 'decide'>,
    event: VigilEvent,
    private readonly resolveUser: () => string | undefined,
    private readonly trackAll: boolean,
  ) {
    this.event = event;
  }

  /** Merges fields into the event. */
  set(fields: Partial<VigilEvent>): this {
    Object.assign(this.event, fields);
    this.marked = true;
    this.sent = false;
    return this;
  }

  setUser(userName: string, details: UserDetails = {}): this {
    return this.set({ userName: String(userName), ...details });
  }

  setEventType(eventType: EventType): this {
    return this.set({ eventType });
  }

  login(userName: string): this {
    return this.set({ userName: String(userName), eventType: 'account_login' });
  }

  loginFailed(userName: string): this {
    return this.set({ userName: String(userName), eventType: 'account_login_fail' });
  }

  logout(userName?: string): this {
    return this.set({
      ...(userName !== undefined && { userName: String(userName) }),
      eventType: 'account_logout',
    });
  }

  registered(userName: string, details: UserDetails = {}): this {
    return this.set({ userName: String(userName), ...details, eventType: 'account_registration' });
  }

  passwordChanged(userName?: string): this {
    return this.set({
      ...(userName !== undefined && { userName: String(userName) }),
      eventType: 'account_password_change',
    });
  }

  emailChanged(oldEmail: string, newEmail: string, userName?: string): this {
    return this.set({
      ...(userName !== undefined && { userName: String(userName) }),
      eventType: 'account_email_change',
      emailAddress: newEmail,
      payload: { old_value: oldEmail, new_value: newEmail },
    });
  }

  /** Records one field change; call it once per field (one field_edit event carries them all). */
  fieldEdited(fieldId: string | number, oldValue: unknown, newValue: unknown, fieldName?: string): this {
    const change = {
      field_id: String(fieldId),
      old_value: oldValue == null ? null : String(oldValue),
      new_value: newValue == null ? '' : String(newValue),
      ...(fieldName !== undefined && { field_name: fieldName }),
    };
    return this.set({ eventType: 'field_edit', fieldHistory: [...(this.event.fieldHistory ?? []), change] });
  }

  /**
   * Stores the event as it is now and scores its user (POST /api/v1/decide), within the client's
   * budget. The event is then not sent again at the end of the request unless a helper changes it.
   */
  async decide(fields: Partial<VigilEvent> = {}): Promise<DecideResult> {
    this.fill();
    const result = await this.client.decide({ ...this.event, ...fields });
    this.sent = true;
    return result;
  }

  /** @internal Called by the middleware when the response is done. */
  _finish(statusCode: number | undefined): void {
    if (this.sent || (!this.trackAll && !this.marked)) return;
    this.sent = true;
    if (statusCode) this.event.httpCode = statusCode;
    this.fill();
    this.client.track(this.event);
  }

  private fill(): void {
    if (this.event.userName !== undefined) return;
    const user = this.resolveUser();
    if (user !== undefined) this.event.userName = user;
  }
}

/** The fields of the request itself, and a tracker for it. */
export function trackerFor<Req>(
  client: Pick<VigilClient, 'track' | 'decide'>,
  options: MiddlewareOptions<Req>,
  trusted: (address: string, hop: number) => boolean,
  req: Req,
  raw: { method?: string; url?: string; headers: Headers; socket?: { remoteAddress?: string } | null },
  url: string,
): RequestTracker {
  const h = raw.headers;
  const event: VigilEvent = {
    ipAddress: clientIp(raw.socket?.remoteAddress, h['x-forwarded-for'], trusted),
    url,
    httpMethod: raw.method ?? 'GET',
    userAgent: header(h, 'user-agent') ?? '',
    browserLanguage: header(h, 'accept-language') ?? '',
    httpReferer: header(h, 'referer') ?? header(h, 'referrer') ?? '',
    eventType: 'page_view',
  };
  const resolveUser = () => {
    try {
      const u = options.userName?.(req);
      return u == null ? undefined : String(u);
    } catch {
      return undefined;
    }
  };
  return new RequestTracker(client, event, resolveUser, options.trackAll ?? true);
}

export function prepareOptions<Req>(options: MiddlewareOptions<Req>) {
  return { trusted: compileTrust(options.trustProxy) };
}
