/**
 * Byte-level string helpers. tirreno counts every limit in bytes (PHP strlen/substr), so we do
 * too; unlike PHP we never split a character, because PostgreSQL rejects the broken sequence
 * and the event would be lost.
 */

const encoder = new TextEncoder();
// ignoreBOM keeps a leading U+FEFF as a character: PHP does not strip it either.
const decoder = new TextDecoder('utf-8', { ignoreBOM: true });

const SURROGATE = /[\uD800-\uDFFF]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Replaces lone surrogates with U+FFFD. A JSON body can carry "\ud800", which is not valid
 * UTF-8; PostgreSQL would reject it. (String.prototype.toWellFormed is not in our ES2023 lib.)
 */
export function toWellFormed(s: string): string {
  return SURROGATE.test(s) ? s.replace(LONE_SURROGATE, '\uFFFD') : s;
}

/** Drops U+0000: PostgreSQL text and jsonb cannot store it. */
export function stripNul(s: string): string {
  return s.includes('\0') ? s.replaceAll('\0', '') : s;
}

/** Well-formed and free of NUL; `nulRemoved` tells the caller to record a warning. */
export function cleanText(s: string): { text: string; nulRemoved: boolean } {
  const nulRemoved = s.includes('\0');
  return { text: stripNul(toWellFormed(s)), nulRemoved };
}

/** Storable form of any string (logbook, warnings): well-formed, no NUL. */
export function storable(s: string): string {
  return stripNul(toWellFormed(s));
}

export function utf8ByteLength(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4;
        i++;
      } else n += 3;
    } else n += 3;
  }
  return n;
}

/**
 * The longest prefix of `s` whose UTF-8 encoding fits in `maxBytes`, never splitting a
 * character. encodeInto only writes whole characters, so `read` is exactly that prefix.
 */
export function truncateUtf8(s: string, maxBytes: number): { text: string; truncated: boolean } {
  // Fast path: a UTF-16 code unit never takes more than 3 UTF-8 bytes.
  if (s.length * 3 <= maxBytes) return { text: s, truncated: false };
  const { read } = encoder.encodeInto(s, new Uint8Array(maxBytes));
  if (read >= s.length) return { text: s, truncated: false };
  return { text: s.slice(0, read), truncated: true };
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

/**
 * PHP urldecode(): `+` is a space, `%XX` a byte, and a `%` not followed by two hex digits is
 * kept literally. The bytes are read as UTF-8 with invalid sequences replaced by U+FFFD
 * (PHP keeps the raw bytes; tirreno later replaces them, and a JS string cannot hold them).
 */
export function urlDecode(s: string): string {
  if (!s.includes('%')) return s.includes('+') ? s.replaceAll('+', ' ') : s;
  const bytes = encoder.encode(s);
  const out = new Uint8Array(bytes.length);
  let o = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b === 0x2b) out[o++] = 0x20;
    else if (b === 0x25 && i + 2 < bytes.length) {
      const hi = hexValue(bytes[i + 1]!);
      const lo = hexValue(bytes[i + 2]!);
      if (hi >= 0 && lo >= 0) {
        out[o++] = hi * 16 + lo;
        i += 2;
      } else out[o++] = b;
    } else out[o++] = b;
  }
  return decoder.decode(out.subarray(0, o));
}
