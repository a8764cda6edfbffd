/**
 * Phone facts with libphonenumber-js and its full ("max") metadata, so the line type (mobile,
 * fixed line, VoIP, toll free…) is known. A number without a leading + is read in the default
 * country given by the caller (a project setting); without one it cannot be placed.
 */
import type { PhoneFacts } from '@vigil/core';
import { type CountryCode, isSupportedCountry, parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { NO_LISTS } from './shared.ts';

/** Longest phone text examined; longer input is invalid without being parsed. */
export const MAX_PHONE_LENGTH = 64;

export function toCountryCode(country: string | null | undefined): CountryCode | undefined {
  if (typeof country !== 'string') return undefined;
  const c = country.trim().toUpperCase();
  return /^[A-Z]{2}$/.test(c) && isSupportedCountry(c) ? (c as CountryCode) : undefined;
}

function invalid(): PhoneFacts {
  return { valid: false, e164: null, country: null, lineType: null, lists: NO_LISTS };
}

/** Digits with a leading + when the input had one (or 00): what lists match when parsing fails. */
export function phoneDigits(raw: string): string {
  const t = raw.trim();
  const digits = t.replace(/\D+/g, '');
  if (t.startsWith('+')) return `+${digits}`;
  if (digits.startsWith('00')) return `+${digits.slice(2)}`;
  return digits;
}

export function phoneFacts(raw: string, defaultCountry?: string | null): PhoneFacts {
  if (typeof raw !== 'string') return invalid();
  const text = raw.replace(/\s+/g, '');
  if (text === '' || text.length > MAX_PHONE_LENGTH) return invalid();
  // International prefix 00 written instead of +.
  const intl = text.startsWith('00') ? `+${text.slice(2)}` : text;
  const parsed = parsePhoneNumberFromString(intl, { defaultCountry: toCountryCode(defaultCountry) });
  if (!parsed) return invalid();
  const valid = parsed.isValid();
  const type = valid ? parsed.getType() : undefined;
  return {
    valid,
    e164: valid || parsed.isPossible() ? parsed.number : null,
    country: parsed.country ?? null,
    lineType: type ? type.toLowerCase() : null,
    lists: NO_LISTS,
  };
}
