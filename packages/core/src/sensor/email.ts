/**
 * The address grammar of PHP's FILTER_VALIDATE_EMAIL (without the Unicode flag), which decides
 * what tirreno keeps and what becomes `broken@user.local`. It is written as a small scanner
 * instead of PHP's single regular expression: that expression nests quantifiers and would
 * backtrack badly in JavaScript on hostile input, while this runs in linear time.
 */

/** Characters allowed unquoted in the local part (RFC 5322 atext); PHP matches case-insensitively. */
function isAtext(c: number): boolean {
  return (
    c === 0x21 ||
    (c >= 0x23 && c <= 0x27) ||
    c === 0x2a ||
    c === 0x2b ||
    c === 0x2d ||
    (c >= 0x2f && c <= 0x39) ||
    c === 0x3d ||
    c === 0x3f ||
    (c >= 0x41 && c <= 0x5a) ||
    (c >= 0x5e && c <= 0x7e)
  );
}

/** Characters allowed inside a quoted local part without a backslash (no space, no tab). */
function isQtext(c: number): boolean {
  return (
    (c >= 0x01 && c <= 0x08) ||
    c === 0x0b ||
    c === 0x0c ||
    (c >= 0x0e && c <= 0x1f) ||
    c === 0x21 ||
    (c >= 0x23 && c <= 0x5b) ||
    (c >= 0x5d && c <= 0x7f)
  );
}

/** Index just past a valid local part (before its `@`), or -1. */
function scanLocalPart(s: string): number {
  let i = 0;
  for (;;) {
    if (s.charCodeAt(i) === 0x22) {
      i++;
      for (;;) {
        if (i >= s.length) return -1;
        const c = s.charCodeAt(i);
        if (c === 0x22) break;
        if (c === 0x5c) {
          if (i + 1 >= s.length) return -1;
          i += 2;
        } else if (isQtext(c)) i++;
        else return -1;
      }
      i++;
    } else {
      const start = i;
      while (i < s.length && isAtext(s.charCodeAt(i))) i++;
      if (i === start) return -1;
    }
    if (s.charCodeAt(i) !== 0x2e) return i;
    i++;
  }
}

/**
 * PHP bounds the address (254) and the local part (64) counting a backslash escape as one
 * character and not counting quotes. This counts the same way; for pathological quoting it
 * can differ from PHP's regex by a quote or two.
 */
function unitLength(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22) continue;
    if (c === 0x5c) i++;
    n++;
  }
  return n;
}

const LABEL = /^[a-z0-9]+(?:-+[a-z0-9]+)*$/i;
const TOP_LABEL = /^[a-z][a-z0-9]*(?:-+[a-z0-9]+)*$/i;

function isHostname(domain: string): boolean {
  const labels = domain.split('.');
  // At least two labels: `a@localhost` is invalid, as in PHP.
  if (labels.length < 2) return false;
  const top = labels.pop()!;
  if (top.length > 63 || !TOP_LABEL.test(top)) return false;
  return labels.every((l) => l.length <= 63 && LABEL.test(l));
}

const OCTET = '(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])';
const IPV4_LITERAL = new RegExp(`^${OCTET}(?:\\.${OCTET}){3}$`);
const HEX = /^[0-9a-f]{1,4}$/i;

/** `g:g:…` with between `min` and `max` groups (an empty string is zero groups). */
function hexGroups(s: string, min: number, max: number): number {
  const groups = s === '' ? [] : s.split(':');
  if (groups.length < min || groups.length > max || !groups.every((g) => HEX.test(g))) return -1;
  return groups.length;
}

/** IPv6 groups of an address literal: 8 in full, at most `compressedMax` around a `::`. */
function isIpv6Groups(s: string, full: number, compressedMax: number): boolean {
  const halves = s.split('::');
  if (halves.length === 1) return hexGroups(s, full, full) === full;
  if (halves.length !== 2) return false;
  const left = hexGroups(halves[0]!, 0, compressedMax);
  const right = hexGroups(halves[1]!, 0, compressedMax);
  return left >= 0 && right >= 0 && left + right <= compressedMax;
}

function isAddressLiteral(inner: string): boolean {
  if (IPV4_LITERAL.test(inner)) return true;
  if (inner.slice(0, 5).toLowerCase() !== 'ipv6:') return false;
  const v6 = inner.slice(5);
  const lastColon = v6.lastIndexOf(':');
  const tail = v6.slice(lastColon + 1);
  if (lastColon >= 0 && IPV4_LITERAL.test(tail)) {
    // Six groups before an IPv4 tail, or at most four around a `::`.
    const head = v6.slice(0, lastColon + 1);
    const groups = head.endsWith('::') ? head : head.slice(0, -1);
    return isIpv6Groups(groups, 6, 4);
  }
  return isIpv6Groups(v6, 8, 6);
}

/** FILTER_VALIDATE_EMAIL for an ASCII address. */
export function isValidEmail(email: string): boolean {
  // PHP's own hard limit (RFC 2821); also what keeps the database column bounded.
  if (email.length > 320 || /[\u0080-\uffff]/.test(email)) return false;
  const at = scanLocalPart(email);
  if (at < 0 || email.charCodeAt(at) !== 0x40) return false;
  if (unitLength(email) > 254 || unitLength(email.slice(0, at)) > 64) return false;
  const domain = email.slice(at + 1);
  if (domain.startsWith('[') && domain.endsWith(']')) return isAddressLiteral(domain.slice(1, -1));
  return isHostname(domain);
}
