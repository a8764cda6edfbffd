// Shared helpers of the C (country), D (device) and E (email) rules: result builders, three-valued
// conjunctions over facts that may be unknown, and the "which e-mail address can a rule look at"
// decisions.
import { EMAIL_BROKEN, EMAIL_PLACEHOLDER } from '../../sensor/normalise.ts';
import type {
  DeviceFeature,
  EmailFeature,
  RuleEvidence,
  RuleResult,
  RuleThresholds,
  UserFeatures,
} from '../features.ts';

export const DAY_MS = 86_400_000;

export function match(summary: string, values: Record<string, unknown>, eventIds?: number[]): RuleResult {
  const evidence: RuleEvidence = { summary, values };
  if (eventIds !== undefined && eventIds.length > 0) evidence.eventIds = eventIds;
  return { status: 'match', evidence };
}

export function noMatch(values?: Record<string, unknown>): RuleResult {
  return values === undefined ? { status: 'no_match' } : { status: 'no_match', evidence: { values } };
}

export function notApplicable(reason: string): RuleResult {
  return { status: 'not_applicable', evidence: { reason } };
}

/** Whole days between two instants: floor(|a − b| / 1 day). */
export function wholeDays(a: Date, b: Date): number {
  return Math.floor(Math.abs(a.getTime() - b.getTime()) / DAY_MS);
}

/** Ids of the user's recent events that satisfy `pred`, newest first. */
export function eventIdsWhere(
  f: UserFeatures,
  pred: (e: UserFeatures['events'][number]) => boolean,
): number[] {
  return f.events.filter(pred).map((e) => e.id);
}

/** Distinct values in first-seen order. */
export function distinct<T>(items: readonly T[]): T[] {
  return [...new Set(items)];
}

// ---------------------------------------------------------------------------------------------
// Three-valued logic over facts that may be unknown.

/** One named condition of a rule: true, false, or null when the fact it needs is unknown. */
export interface Condition {
  /** The fact(s) the condition reads, named in the not_applicable reason when unknown. */
  fact: string;
  holds: boolean | null;
}

/**
 * Kleene AND: any known-false condition → no_match (an unknown fact cannot change that);
 * otherwise any unknown → not_applicable naming every missing fact; otherwise match.
 */
export function allOf(
  conditions: readonly Condition[],
  onMatch: () => RuleResult,
  values?: Record<string, unknown>,
): RuleResult {
  if (conditions.some((c) => c.holds === false)) return noMatch(values);
  const missing = conditions.filter((c) => c.holds === null).map((c) => c.fact);
  if (missing.length > 0) return notApplicable(unknownFacts(missing));
  return onMatch();
}

/** "dataBreach is unknown" / "domainCreated and dataBreach are unknown". */
export function unknownFacts(facts: readonly string[]): string {
  const names = distinct(facts);
  const list = names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
  return `${list} ${names.length === 1 ? 'is' : 'are'} unknown (not available offline or not loaded)`;
}

/** `x === expected`, or null when x is unknown. */
export function is<T>(x: T | null, expected: T): boolean | null {
  return x === null ? null : x === expected;
}

// ---------------------------------------------------------------------------------------------
// E-mail addresses.

/**
 * Addresses the sensor stores in place of a real one: `broken@user.local` replaces an invalid
 * address, `unknown@localhost` stands for "no address". Neither says anything about the user's
 * mailbox, so shape and domain rules never look at them.
 */
export const PLACEHOLDER_EMAILS: ReadonlySet<string> = new Set([EMAIL_BROKEN, EMAIL_PLACEHOLDER]);

export function isPlaceholder(e: EmailFeature): boolean {
  return PLACEHOLDER_EMAILS.has(e.email.toLowerCase());
}

/** Every real (non-placeholder) address of the user. */
export function realEmails(f: UserFeatures): EmailFeature[] {
  return f.emails.filter((e) => !isPlaceholder(e));
}

export const NO_EMAIL = 'no e-mail address';
export const PLACEHOLDER_EMAIL =
  'the last e-mail address is a placeholder (the address sent was invalid or missing)';
export const EMPTY_LOCAL_PART = 'the last e-mail address has an empty local part';

/** The last e-mail address when a rule can read it, else the not_applicable answer. */
export function lastRealEmail(f: UserFeatures): EmailFeature | RuleResult {
  const e = f.lastEmail;
  if (e === null) return notApplicable(NO_EMAIL);
  if (isPlaceholder(e)) return notApplicable(PLACEHOLDER_EMAIL);
  return e;
}

export function isResult(x: EmailFeature | RuleResult): x is RuleResult {
  return 'status' in x;
}

/** Runs `rule` on the last real address with a non-empty local part, else answers not_applicable. */
export function onLocalPart(
  f: UserFeatures,
  rule: (localPart: string, e: EmailFeature) => RuleResult,
): RuleResult {
  const e = lastRealEmail(f);
  if (isResult(e)) return e;
  if (e.localPart === '') return notApplicable(EMPTY_LOCAL_PART);
  return rule(e.localPart, e);
}

/** Runs `rule` on the last real address (any local part), else answers not_applicable. */
export function onLastEmail(f: UserFeatures, rule: (e: EmailFeature) => RuleResult): RuleResult {
  const e = lastRealEmail(f);
  return isResult(e) ? e : rule(e);
}

/** The domain of an address, lower-cased, from the feature or from the text after the last `@`. */
export function domainOf(e: EmailFeature): string {
  const d = e.domain !== '' ? e.domain : e.email.slice(e.email.lastIndexOf('@') + 1);
  return d.toLowerCase();
}

/** Whole days since a date, or null when the date is unknown. */
export function daysSince(now: Date, d: Date | null): number | null {
  return d === null ? null : wholeDays(now, d);
}

/**
 * E23–E26: any real address of the user passes `hit`. Not applicable without a real address
 * (tirreno only looked at enrichment-checked addresses; we look at all of them).
 */
export function anyEmail(f: UserFeatures, what: string, hit: (e: EmailFeature) => boolean): RuleResult {
  const emails = realEmails(f);
  if (emails.length === 0) return notApplicable(NO_EMAIL);
  const hits = emails.filter(hit);
  if (hits.length === 0) return noMatch({ emailsChecked: emails.length });
  return match(`${what}: ${hits.map((e) => e.email).join(', ')}`, { emails: hits.map((e) => e.email) });
}

// ---------------------------------------------------------------------------------------------
// Devices.

export const NO_DEVICE = 'no device recorded for the user';

/**
 * Per-device rules: not applicable without any device; otherwise match when any device passes
 * `hit`, with the ids of those devices and of the recent events made on them.
 */
export function anyDevice(
  f: UserFeatures,
  hit: (d: DeviceFeature) => boolean,
  summary: (hits: DeviceFeature[]) => string,
  values: (hits: DeviceFeature[]) => Record<string, unknown>,
): RuleResult {
  if (f.devices.length === 0) return notApplicable(NO_DEVICE);
  const hits = f.devices.filter(hit);
  if (hits.length === 0) return noMatch({ devicesChecked: f.devices.length });
  return match(
    summary(hits),
    { deviceIds: hits.map((d) => d.id), ...values(hits) },
    eventsOnDevices(f, hits),
  );
}

export function eventsOnDevices(f: UserFeatures, devices: readonly DeviceFeature[]): number[] {
  const ids = new Set(devices.map((d) => d.id));
  return eventIdsWhere(f, (e) => ids.has(e.deviceId));
}

/** True for null, empty or whitespace-only text. */
export function blank(s: string | null): boolean {
  return s === null || s.trim() === '';
}

/** The major version: the digits before the first dot ("126.0.1" → 126), or null. */
export function majorVersion(v: string | null): number | null {
  const m = v === null ? null : /^\s*(\d+)/.exec(v);
  return m?.[1] === undefined ? null : Number(m[1]);
}

/** The minimum major version for a browser the thresholds call regular, or null. */
export function minimumVersion(t: RuleThresholds, browser: string | null): number | null {
  if (browser === null || !Object.hasOwn(t.regularBrowsers, browser)) return null;
  return t.regularBrowsers[browser] ?? null;
}
