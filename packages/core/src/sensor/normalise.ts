/**
 * One validator and normaliser for both ingest paths: tirreno's form sensor and the native JSON
 * API. The rules are tirreno's (spec §1.5–1.8): only ipAddress and url can reject an event,
 * every other bad value is coerced and recorded as a warning. Where we deviate, the comment at
 * that field says why.
 */
import { createHash } from 'node:crypto';
import {
  EVENT_TYPES,
  type EventType,
  HTTP_METHODS,
  type HttpMethod,
  type NormalisedEvent,
  SENSOR_FIELDS,
  type SensorField,
} from '../event.ts';
import { isValidEmail } from './email.ts';
import { canonicalIp } from './ip.ts';
import { isPayloadType, normaliseFieldHistory, normalisePayload } from './payload.ts';
import { parsePhpBool, rawText, scalarText, storableRaw } from './php-values.ts';
import { parseSensorTime } from './time.ts';
import { splitUrlQuery } from './url.ts';
import { cleanText, stripNul, truncateUtf8, urlDecode, utf8ByteLength } from './utf8.ts';

export type NormaliseResult =
  | { ok: true; event: NormalisedEvent; warnings: string[]; raw: Record<string, unknown> }
  | {
      ok: false;
      code: 'missing_field';
      field: 'ipAddress' | 'url';
      message: string;
      warnings: string[];
      raw: Record<string, unknown>;
    };

/** Byte limits of the text fields (tirreno's column sizes). */
export const FIELD_BYTE_LIMITS = {
  userName: 100,
  firstName: 100,
  lastName: 100,
  fullName: 100,
  httpMethod: 100,
  eventType: 100,
  pageTitle: 255,
  browserLanguage: 255,
  userAgent: 511,
  url: 2047,
  httpReferer: 2047,
  phoneNumber: 19,
} as const;

/** tirreno warns above this but keeps the address. */
export const EMAIL_WARN_BYTES = 255;
export const EMAIL_PLACEHOLDER = 'unknown@localhost';
export const EMAIL_BROKEN = 'broken@user.local';
export const INVALID_IP = '0.0.0.0';
export const MISSING_FIELD_MESSAGE = 'Required field is missing or empty';
/** Events live in monthly partitions: a time further ahead than this is replaced by now. */
export const MAX_FUTURE_MS = 24 * 60 * 60 * 1000;
/** The largest httpCode a smallint column holds. */
const MAX_HTTP_CODE = 32767;

/** Types a 4xx/5xx code turns into page_error; account events and field_edit keep theirs. */
const PAGE_LEVEL_TYPES: ReadonlySet<EventType> = new Set([
  'page_view',
  'page_edit',
  'page_delete',
  'page_search',
]);

/** Lowercases ASCII only, so that e.g. the Kelvin sign cannot turn into a `k` and match. */
function asciiLower(s: string): string {
  return s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
}

function md5Hex(s: string): string {
  return createHash('md5').update(s, 'utf8').digest('hex');
}

/** The 20 recognised fields as sent, for the logbook; made storable, otherwise untouched. */
function pickRaw(input: Record<string, unknown>): Record<string, unknown> {
  const raw: Record<string, unknown> = {};
  for (const field of SENSOR_FIELDS) {
    if (Object.hasOwn(input, field)) raw[field] = storableRaw(input[field]);
  }
  return raw;
}

/** Collects at most one warning per field and returns them in SENSOR_FIELDS order. */
class Warnings {
  private readonly byField = new Map<SensorField, string>();

  constructor(private readonly input: Record<string, unknown>) {}

  add(field: SensorField, shownRaw?: string): void {
    if (this.byField.has(field)) return;
    const name = field === 'eventTime' || field === 'userCreated' ? 'timestamp' : field;
    const raw = shownRaw ?? rawText(this.value(field));
    this.byField.set(field, `${name} validation error on \`${raw}\``);
  }

  value(field: SensorField): unknown {
    return Object.hasOwn(this.input, field) ? this.input[field] : undefined;
  }

  list(): string[] {
    return SENSOR_FIELDS.flatMap((f) => this.byField.get(f) ?? []);
  }
}

export function normaliseSensorFields(input: Record<string, unknown>, now: Date): NormaliseResult {
  const warnings = new Warnings(input);
  const str = (field: SensorField): string | null => scalarText(warnings.value(field));

  /**
   * A free-text field: cleaned to valid UTF-8 and cut at its byte limit on a character
   * boundary (tirreno cuts bytes and can split a character, which PostgreSQL then rejects).
   * NUL is removed with a warning, since PostgreSQL text cannot hold it.
   */
  const text = (field: keyof typeof FIELD_BYTE_LIMITS, prepare?: (s: string) => string): string | null => {
    const s = str(field);
    if (s === null) return null;
    const clean = cleanText(s);
    const cut = truncateUtf8(prepare ? prepare(clean.text) : clean.text, FIELD_BYTE_LIMITS[field]);
    if (clean.nulRemoved || cut.truncated) warnings.add(field);
    return cut.text;
  };
  const removeSpaces = (s: string) => s.replaceAll(' ', '');

  const ipAddress = normaliseIp(str('ipAddress'), () => warnings.add('ipAddress'));
  const url = text('url');
  const urlParts = url === null ? null : splitUrlQuery(url);
  const eventTime = normaliseEventTime(str('eventTime'), now, () =>
    warnings.add('eventTime', rawText(str('eventTime') ?? '')),
  );
  const emailAddress = normaliseEmail(str('emailAddress'), () => warnings.add('emailAddress'));
  // Absent means "derive it"; an empty string is a userid of its own (Node and PHP send it).
  const userName = text('userName') ?? (emailAddress !== null ? md5Hex(emailAddress) : 'N/A');
  const phone = text('phoneNumber', removeSpaces);
  const httpCode = normaliseHttpCode(str('httpCode'), () => warnings.add('httpCode'));
  const declaredType = lookup(EVENT_TYPES, text('eventType')) ?? 'page_view';
  const httpMethod: HttpMethod | null = lookup(HTTP_METHODS, text('httpMethod'));

  let userCreated: Date | null = null;
  const userCreatedText = str('userCreated');
  if (userCreatedText !== null) {
    userCreated = parseSensorTime(userCreatedText);
    if (userCreated === null) warnings.add('userCreated');
  }

  // The validator is chosen from the declared type, before any httpCode override (as tirreno).
  let payload: NormalisedEvent['payload'] = null;
  if (isPayloadType(declaredType)) {
    const result = normalisePayload(warnings.value('payload'), declaredType);
    if (result.bad) warnings.add('payload');
    payload = result.value;
  }
  let fieldHistory: NormalisedEvent['fieldHistory'] = null;
  if (declaredType === 'field_edit') {
    const result = normaliseFieldHistory(warnings.value('fieldHistory'));
    if (result.bad) warnings.add('fieldHistory');
    fieldHistory = result.value;
  }

  let blacklisting = false;
  const blacklistingText = str('blacklisting');
  if (blacklistingText !== null) {
    const parsed = parsePhpBool(blacklistingText);
    if (parsed === null) warnings.add('blacklisting');
    blacklisting = parsed ?? false;
  }

  const event: NormalisedEvent = {
    userName,
    emailAddress,
    ipAddress: ipAddress ?? INVALID_IP,
    url: urlParts?.url ?? '',
    urlQuery: urlParts?.query ?? null,
    userAgent: text('userAgent'),
    eventTime,
    firstName: text('firstName'),
    lastName: text('lastName'),
    fullName: text('fullName'),
    pageTitle: text('pageTitle'),
    // tirreno treats an empty phone as no phone.
    phoneNumber: phone === '' ? null : phone,
    httpReferer: normaliseReferer(text('httpReferer'), () => warnings.add('httpReferer')),
    httpCode,
    browserLanguage: text('browserLanguage'),
    eventType: resolveEventType(declaredType, httpCode),
    httpMethod,
    userCreated,
    payload,
    fieldHistory,
    blacklisting,
  };

  const raw = pickRaw(input);
  // Checked in tirreno's order, after everything else so the warnings are complete either way.
  // "" is a value: only an absent (or JSON null) field rejects.
  const missing = ipAddress === null ? 'ipAddress' : urlParts === null ? 'url' : null;
  if (missing !== null) {
    return {
      ok: false,
      code: 'missing_field',
      field: missing,
      message: MISSING_FIELD_MESSAGE,
      warnings: warnings.list(),
      raw,
    };
  }
  return { ok: true, event, warnings: warnings.list(), raw };
}

/**
 * ARCHITECTURE.md: an explicit event type wins over the HTTP code for account events. tirreno
 * turns every event with a code ≥ 400 into page_error, so a failed login sent with 401 would
 * never reach the login-failure rules; we only do that to page-level types.
 */
export function resolveEventType(declared: EventType, httpCode: number | null): EventType {
  return httpCode !== null && httpCode >= 400 && PAGE_LEVEL_TYPES.has(declared) ? 'page_error' : declared;
}

/**
 * Case-insensitive but exact match. tirreno uses SQL ILIKE, where `_` and `%` are wildcards
 * (`page%` would match page_view): a quirk we do not copy.
 */
function lookup<T extends string>(values: readonly T[], sent: string | null): T | null {
  if (sent === null) return null;
  const wanted = asciiLower(sent);
  return values.find((v) => v === wanted) ?? null;
}

/** null when absent (the caller rejects); `0.0.0.0` with a warning when invalid. */
function normaliseIp(sent: string | null, warn: () => void): string | null {
  if (sent === null) return null;
  const clean = cleanText(sent);
  const ip = canonicalIp(clean.text.replaceAll(' ', ''));
  if (ip === null || clean.nulRemoved) warn();
  return ip ?? INVALID_IP;
}

function normaliseEventTime(sent: string | null, now: Date, warn: () => void): Date {
  // tirreno reads an absent eventTime as "", which is invalid: now, with a warning.
  const time = parseSensorTime(sent ?? '');
  // Deviation: a time more than a day ahead would create far-future partitions and could
  // hide events from every time-windowed rule; it is replaced by now, with a warning.
  if (time === null || time.getTime() - now.getTime() > MAX_FUTURE_MS) {
    warn();
    return new Date(now.getTime());
  }
  return time;
}

/**
 * Spaces removed, ASCII-lowercased, then PHP's FILTER_VALIDATE_EMAIL; the placeholder
 * `unknown@localhost` is allowed. A valid address over 255 bytes is kept with a warning, as in
 * tirreno; the validator itself refuses anything over 320 bytes, which bounds the column.
 */
function normaliseEmail(sent: string | null, warn: () => void): string | null {
  if (sent === null) return null;
  const clean = cleanText(sent);
  const email = asciiLower(clean.text.replaceAll(' ', ''));
  if (email !== EMAIL_PLACEHOLDER && !isValidEmail(email)) {
    warn();
    return EMAIL_BROKEN;
  }
  if (clean.nulRemoved || utf8ByteLength(email) > EMAIL_WARN_BYTES) warn();
  return email;
}

/**
 * Digits only (PHP ctype_digit), else 0 with a warning. Deviation: a value above 32767 is 0
 * with a warning too, where tirreno lets it break the smallint column and lose the event.
 */
function normaliseHttpCode(sent: string | null, warn: () => void): number | null {
  if (sent === null) return null;
  if (!/^[0-9]+$/.test(sent)) {
    warn();
    return 0;
  }
  const digits = sent.replace(/^0+(?=[0-9])/, '');
  const code = digits.length > 5 ? Number.POSITIVE_INFINITY : Number(digits);
  if (code > MAX_HTTP_CODE) {
    warn();
    return 0;
  }
  return code;
}

/** Stored URL-decoded, as tirreno does (after the byte cut); a decoded %00 is removed. */
function normaliseReferer(cut: string | null, warn: () => void): string | null {
  if (cut === null) return null;
  const decoded = urlDecode(cut);
  if (decoded.includes('\0')) warn();
  return stripNul(decoded);
}
