/**
 * Form bodies read the way PHP fills `$_POST`, because tirreno's SDKs were written against
 * that: bracket keys build nested arrays, `+` and `%20` are spaces, the last plain key wins.
 *
 * PHP arrays are ordered maps; here they are plain objects. One difference follows: JavaScript
 * iterates integer-like keys in ascending order before the others, whatever the insertion
 * order. It only shows when a client sends indices out of order, which no SDK does.
 */
import { urlDecode } from './utf8.ts';

export type FormValue = string | { [k: string]: FormValue };
export type FormArray = { [k: string]: FormValue };
export type FormFields = FormArray;

export interface PhpFormLimits {
  /** PHP max_input_vars: pairs after this many are ignored, so a huge body costs little. */
  maxVars: number;
  /** PHP max_input_nesting_level: a deeper variable is dropped whole. */
  maxNesting: number;
}

export const PHP_FORM_LIMITS: Readonly<PhpFormLimits> = Object.freeze({ maxVars: 1000, maxNesting: 64 });

/** Parses an `application/x-www-form-urlencoded` body with PHP `$_POST` semantics. */
export function parsePhpForm(body: string, limits: Readonly<PhpFormLimits> = PHP_FORM_LIMITS): FormFields {
  const form = new FormBuilder(limits);
  let pos = 0;
  let count = 0;
  // Like PHP, every `&`-separated segment counts towards the limit, empty ones included.
  while (pos < body.length && count < limits.maxVars) {
    let amp = body.indexOf('&', pos);
    if (amp < 0) amp = body.length;
    const eq = body.indexOf('=', pos);
    if (eq >= 0 && eq < amp) form.add(urlDecode(body.slice(pos, eq)), urlDecode(body.slice(eq + 1, amp)));
    else form.add(urlDecode(body.slice(pos, amp)), '');
    pos = amp + 1;
    count++;
  }
  return form.fields;
}

/** Builds the same structure from already-decoded name/value pairs (multipart fields). */
export function phpFieldsFromPairs(
  pairs: Iterable<[string, string]>,
  limits: Readonly<PhpFormLimits> = PHP_FORM_LIMITS,
): FormFields {
  const form = new FormBuilder(limits);
  let count = 0;
  for (const [name, value] of pairs) {
    if (count++ >= limits.maxVars) break;
    form.add(name, value);
  }
  return form.fields;
}

const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;
const CANONICAL_INT = /^(?:0|-?[1-9][0-9]{0,18})$/;

/** PHP turns canonical decimal keys into integer keys; only those move the append cursor. */
function integerKey(key: string): bigint | null {
  if (!CANONICAL_INT.test(key)) return null;
  const n = BigInt(key);
  return n >= INT64_MIN && n <= INT64_MAX ? n : null;
}

function isArray(v: FormValue | undefined): v is FormArray {
  return typeof v === 'object' && v !== null;
}

class FormBuilder {
  readonly fields: FormFields = {};
  // PHP's nNextFreeElement per array: `a[]=` appends at (largest integer key ever used) + 1.
  private readonly nextFree = new WeakMap<FormArray, bigint>();

  constructor(private readonly limits: Readonly<PhpFormLimits>) {}

  /** php_register_variable semantics for one decoded name/value pair. */
  add(rawName: string, value: string): void {
    // The name is a C string in PHP: a NUL byte ends it.
    const nul = rawName.indexOf('\0');
    let name = nul >= 0 ? rawName.slice(0, nul) : rawName;
    let start = 0;
    while (name.charCodeAt(start) === 0x20) start++;
    name = name.slice(start);

    const open = name.indexOf('[');
    // Spaces and dots cannot appear in a PHP variable name; only the base name is rewritten.
    const base = (open < 0 ? name : name.slice(0, open)).replace(/[ .]/g, '_');
    if (base === '') return;
    if (open < 0) {
      this.set(this.fields, base, value);
      return;
    }

    let table: FormArray = this.fields;
    let index: string | null = base;
    let pos = open;
    for (let level = 1; ; level++) {
      if (level > this.limits.maxNesting) {
        delete this.fields[base];
        return;
      }
      const keyStart = pos + 1;
      let key: string | null;
      let after: number;
      if (name.charCodeAt(keyStart) === 0x5d) {
        key = null;
        after = keyStart + 1;
      } else {
        const close = name.indexOf(']', keyStart);
        if (close < 0) {
          // An unclosed first bracket is not an array: `a[b` becomes the plain name `a_b`.
          if (level === 1) index = `${base}_${name.slice(keyStart).replace(/[ .[]/g, '_')}`;
          break;
        }
        key = name.slice(keyStart, close);
        after = close + 1;
      }
      const child = this.descend(table, index);
      if (child === null) return;
      table = child;
      index = key;
      // Anything after a `]` that is not another `[` is ignored, as in PHP.
      if (name.charCodeAt(after) !== 0x5b) break;
      pos = after;
    }
    if (index === null) this.append(table, value);
    else this.set(table, index, value);
  }

  /** The array at `index` in `table`, created (or replacing a string) if need be. */
  private descend(table: FormArray, index: string | null): FormArray | null {
    if (index === null) {
      const child: FormArray = {};
      return this.append(table, child) ? child : null;
    }
    const existing = Object.hasOwn(table, index) ? table[index] : undefined;
    if (isArray(existing)) return existing;
    const child: FormArray = {};
    this.set(table, index, child);
    return child;
  }

  private set(table: FormArray, key: string, value: FormValue): void {
    // defineProperty, not assignment: a key named `__proto__` must stay an ordinary key.
    Object.defineProperty(table, key, { value, enumerable: true, writable: true, configurable: true });
    const n = integerKey(key);
    if (n !== null && n >= (this.nextFree.get(table) ?? 0n)) this.nextFree.set(table, n + 1n);
  }

  private append(table: FormArray, value: FormValue): boolean {
    const next = this.nextFree.get(table) ?? 0n;
    // PHP refuses to append past the largest integer key; the variable is dropped.
    if (next > INT64_MAX) return false;
    this.set(table, next.toString(), value);
    return true;
  }
}
