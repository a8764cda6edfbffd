// Shared helpers of the I (IP), P (phone) and R (reuse) rules: result constructors and the
// "any of the user's IPs …" shapes most of those rules share.
import type { PhoneFeature, RuleResult, UserFeatures } from '../features.ts';

/** How many items a summary names before it says "and N more". */
const SUMMARY_ITEMS = 5;

export function match(summary: string, values: Record<string, unknown>): RuleResult {
  return { status: 'match', evidence: { summary, values } };
}

export function noMatch(values?: Record<string, unknown>): RuleResult {
  return values ? { status: 'no_match', evidence: { values } } : { status: 'no_match' };
}

export function notApplicable(reason: string): RuleResult {
  return { status: 'not_applicable', evidence: { reason } };
}

/** "a, b, c and 2 more" */
export function listing(items: readonly string[]): string {
  const shown = items.slice(0, SUMMARY_ITEMS).join(', ');
  const rest = items.length - SUMMARY_ITEMS;
  return rest > 0 ? `${shown} and ${rest} more` : shown;
}

/** "1 IP", "3 IPs" */
export const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

export const NO_IP = 'no IP address recorded for the user';

/** The boolean enrichment flags of an IP that may be unknown (null). */
export type IpFlag = 'tor' | 'relay' | 'starlink' | 'vpn' | 'datacenter' | 'blocklist';

/**
 * "Any IP flagged X": a match names the flagged IPs; when no IP has the flag known the rule is
 * not applicable. IPs whose flag is unknown do not prevent a no_match once one IP is known clean.
 */
export function anyIpFlagged(f: UserFeatures, flag: IpFlag, label: string): RuleResult {
  if (f.ips.length === 0) return notApplicable(NO_IP);
  const known = f.ips.filter((i) => i[flag] !== null);
  if (known.length === 0) return notApplicable(`no IP whose ${label} flag is known`);
  const hits = known.filter((i) => i[flag] === true).map((i) => i.ip);
  if (hits.length === 0) return noMatch({ ipsChecked: known.length });
  return match(`${hits.length} of ${plural(f.ips.length, 'IP')} flagged ${label}: ${listing(hits)}`, {
    ips: hits,
  });
}

/** The number as shown to an operator: E.164 when known, else as sent. */
export const phoneLabel = (p: PhoneFeature): string => p.e164 ?? p.phone;
