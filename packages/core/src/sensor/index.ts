export { isValidEmail } from './email.ts';
export { canonicalIp, formatIpv6, isIpv4, parseIpv6 } from './ip.ts';
export {
  EMAIL_BROKEN,
  EMAIL_PLACEHOLDER,
  EMAIL_WARN_BYTES,
  FIELD_BYTE_LIMITS,
  INVALID_IP,
  MAX_FUTURE_MS,
  MISSING_FIELD_MESSAGE,
  type NormaliseResult,
  normaliseSensorFields,
  resolveEventType,
} from './normalise.ts';
export {
  MAX_FIELD_HISTORY_ITEMS,
  MAX_STRUCTURED_VALUE_BYTES,
  type Payload,
  type PayloadType,
} from './payload.ts';
export {
  type FormArray,
  type FormFields,
  type FormValue,
  PHP_FORM_LIMITS,
  type PhpFormLimits,
  parsePhpForm,
  phpFieldsFromPairs,
} from './php-form.ts';
export { parseSensorTime } from './time.ts';
export { phpParseUrlFails, splitUrlQuery, type UrlParts } from './url.ts';
export { truncateUtf8, utf8ByteLength } from './utf8.ts';
