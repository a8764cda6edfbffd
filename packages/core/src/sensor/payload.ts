/**
 * The two structured fields. `payload` matters for page_search and account_email_change,
 * `fieldHistory` for field_edit; both arrive as PHP bracket arrays, JSON text, or (native API)
 * JSON values. A bad value never rejects the event: it is coerced and the caller warns.
 */
import type { EventType, FieldChange } from '../event.ts';
import { encodeJson, isPhpList, member } from './php-values.ts';
import { cleanText, truncateUtf8 } from './utf8.ts';

/** Bounds we add (tirreno has none) so that one event cannot carry megabytes of audit rows. */
export const MAX_FIELD_HISTORY_ITEMS = 100;
export const MAX_STRUCTURED_VALUE_BYTES = 4096;

export type PayloadType = 'page_search' | 'account_email_change';
export type Payload = Record<string, string | null>;

const PAYLOAD_KEYS: Record<PayloadType, { required: string[]; optional: string[] }> = {
  page_search: { required: ['field_id', 'value'], optional: ['field_name'] },
  account_email_change: { required: ['new_value'], optional: ['old_value'] },
};

export function isPayloadType(type: EventType): type is PayloadType {
  return Object.hasOwn(PAYLOAD_KEYS, type);
}

/** Result of one structured field: `bad` means the caller records a warning. */
export interface Structured<T> {
  value: T | null;
  bad: boolean;
}

/**
 * The PHP array (object or list) a field carries, or null. A string is JSON text; text that
 * does not decode to an array, such as the Python SDK's `payload=value`, gives null.
 */
function decodeArray(raw: unknown): object | null {
  if (typeof raw === 'object' && raw !== null) return raw;
  if (typeof raw !== 'string') return null;
  try {
    const decoded: unknown = JSON.parse(raw);
    return typeof decoded === 'object' && decoded !== null ? decoded : null;
  } catch {
    return null;
  }
}

/** One value as a string, the way tirreno writes it; undefined when the key is missing. */
function valueText(value: unknown, onBad: () => void): string | undefined {
  if (value === null || value === undefined) return undefined;
  let text: string;
  if (typeof value === 'string') {
    const clean = cleanText(value);
    if (clean.nulRemoved) onBad();
    text = clean.text;
  } else if (typeof value === 'boolean') {
    text = value ? '1' : '';
  } else {
    text = encodeJson(value);
  }
  const cut = truncateUtf8(text, MAX_STRUCTURED_VALUE_BYTES);
  if (cut.truncated) onBad();
  return cut.text;
}

/** Reads `required` keys ("unknown" when missing) and `optional` ones (null when missing). */
function readKeys(
  container: object,
  required: readonly string[],
  optional: readonly string[],
  onBad: () => void,
): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const key of required) {
    const text = valueText(member(container, key), onBad);
    if (text === undefined) onBad();
    out[key] = text ?? 'unknown';
  }
  for (const key of optional) out[key] = valueText(member(container, key), onBad) ?? null;
  return out;
}

export function normalisePayload(raw: unknown, type: PayloadType): Structured<Payload> {
  const container = decodeArray(raw);
  if (container === null) return { value: null, bad: true };
  let bad = false;
  const { required, optional } = PAYLOAD_KEYS[type];
  const value = readKeys(container, required, optional, () => {
    bad = true;
  });
  return { value, bad };
}

export function normaliseFieldHistory(raw: unknown): Structured<FieldChange[]> {
  const list = decodeArray(raw);
  // A bare object ({field_id, new_value}) is not a list of changes: tirreno drops it whole.
  if (list === null || !isPhpList(list)) return { value: null, bad: true };
  let bad = false;
  const onBad = () => {
    bad = true;
  };
  const changes: FieldChange[] = [];
  for (const item of Object.values(list)) {
    if (changes.length === MAX_FIELD_HISTORY_ITEMS) {
      bad = true;
      break;
    }
    if (typeof item !== 'object' || item === null) {
      bad = true;
      continue;
    }
    const v = readKeys(
      item,
      ['field_id', 'new_value'],
      ['field_name', 'old_value', 'parent_id', 'parent_name'],
      onBad,
    );
    changes.push({
      fieldId: v.field_id!,
      fieldName: v.field_name ?? null,
      oldValue: v.old_value ?? null,
      newValue: v.new_value!,
      parentId: v.parent_id ?? null,
      parentName: v.parent_name ?? null,
    });
  }
  if (changes.length === 0) return { value: null, bad: true };
  return { value: changes, bad };
}
