/**
 * Turning the values of a body (PHP form structure or parsed JSON) into the strings tirreno
 * would have seen. Every helper here is bounded in depth, because a hostile JSON body can nest
 * far deeper than the call stack.
 */
import { storable } from './utf8.ts';

/** PHP's max_input_nesting_level; deeper JSON content is written as null. */
export const MAX_DEPTH = 64;

/** Own member of a decoded array/object, never one inherited from Object.prototype. */
export function member(container: object, key: string): unknown {
  return Object.hasOwn(container, key) ? (container as Record<string, unknown>)[key] : undefined;
}

/** PHP's array_is_list: keys 0..n-1 in order (JavaScript iterates integer keys in order). */
export function isPhpList(value: object): boolean {
  if (Array.isArray(value)) return true;
  let i = 0;
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    if (key !== String(i)) return false;
    i++;
  }
  return true;
}

/**
 * JSON text of a value, with form arrays whose keys are 0..n-1 written as JSON lists, as PHP's
 * json_encode does. Nesting deeper than MAX_DEPTH is cut to null rather than overflowing.
 */
export function encodeJson(value: unknown, depth = 0): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return value.toString();
    case 'object': {
      if (depth >= MAX_DEPTH) return 'null';
      if (isPhpList(value)) {
        return `[${Object.values(value)
          .map((v) => encodeJson(v, depth + 1))
          .join(',')}]`;
      }
      const entries = Object.entries(value).map(
        ([k, v]) => `${JSON.stringify(k)}:${encodeJson(v, depth + 1)}`,
      );
      return `{${entries.join(',')}}`;
    }
    default:
      return 'null';
  }
}

/**
 * The string a form would have carried for a scalar field. JSON numbers are written as
 * JavaScript prints them, booleans as PHP's http_build_query sends them ("1"/"0"), and an array
 * or object becomes its JSON text, as tirreno does with a PHP array in a scalar field.
 * Null and absent are the same: no value.
 */
export function scalarText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? '1' : '0';
  return encodeJson(value);
}

/** How a raw value is quoted in a warning: as sent, or `null` when it was not sent. */
export function rawText(value: unknown): string {
  return storable(scalarText(value) ?? 'null');
}

const PHP_TRUE = new Set(['1', 'true', 'on', 'yes']);
const PHP_FALSE = new Set(['0', 'false', 'off', 'no', '']);

function isFilterBlank(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0b || c === 0x0d;
}

/** FILTER_VALIDATE_BOOLEAN: trimmed, case-insensitive; null when it is not a boolean word. */
export function parsePhpBool(s: string): boolean | null {
  let start = 0;
  let end = s.length;
  while (start < end && isFilterBlank(s.charCodeAt(start))) start++;
  while (end > start && isFilterBlank(s.charCodeAt(end - 1))) end--;
  if (end - start > 5) return null;
  const word = s.slice(start, end).toLowerCase();
  if (PHP_TRUE.has(word)) return true;
  if (PHP_FALSE.has(word)) return false;
  return null;
}

/**
 * A copy of a raw value that the logbook can store as JSON: strings well-formed and without
 * NUL (jsonb rejects both), depth bounded. Nothing else is changed: it is the value as sent.
 */
export function storableRaw(value: unknown, depth = 0): unknown {
  if (value === undefined) return null;
  if (typeof value === 'string') return storable(value);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value !== 'object' || value === null) {
    return typeof value === 'number' && !Number.isFinite(value) ? null : value;
  }
  if (depth >= MAX_DEPTH) return null;
  if (Array.isArray(value)) return value.map((v) => storableRaw(v, depth + 1));
  const copy: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    Object.defineProperty(copy, storable(k), {
      value: storableRaw(v, depth + 1),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return copy;
}
