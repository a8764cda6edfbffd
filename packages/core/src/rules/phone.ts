// P — phone rules: the user's phone numbers. Validity and country come from offline phone-number
// parsing; a number that could not be judged leaves the rule not applicable.
import type { RuleDefinition } from './features.ts';
import { listing, match, noMatch, notApplicable, phoneLabel, plural } from './helpers/ipr.ts';

const NO_PHONE = 'no phone number recorded for the user';

export const P01: RuleDefinition = {
  code: 'P01',
  group: 'P',
  name: 'Invalid phone format',
  description: 'The user’s latest phone number cannot be a real number.',
  requires: ['phone'],
  evaluate(f) {
    const p = f.lastPhone;
    if (p === null) return notApplicable(NO_PHONE);
    if (p.valid === null) return notApplicable('validity of the phone number is unknown');
    if (p.valid) return noMatch({ phone: phoneLabel(p) });
    return match(`invalid phone number ${p.phone}`, { phone: p.phone });
  },
};

export const P02: RuleDefinition = {
  code: 'P02',
  group: 'P',
  name: 'Phone country mismatch',
  description: 'The country of the user’s latest phone number is none of the countries they connected from.',
  requires: ['phone'],
  evaluate(f) {
    const p = f.lastPhone;
    if (p === null) return notApplicable(NO_PHONE);
    if (p.country === null) return notApplicable('country of the phone number is unknown');
    const ipCountries = [
      ...new Set(f.ips.flatMap((i) => (i.country === null ? [] : [i.country.toUpperCase()]))),
    ].sort();
    if (ipCountries.length === 0) return notApplicable('no IP with a known country');
    const phoneCountry = p.country.toUpperCase();
    const values = { phone: phoneLabel(p), phoneCountry, ipCountries };
    if (ipCountries.includes(phoneCountry)) return noMatch(values);
    return match(`phone from ${phoneCountry}, IPs from ${ipCountries.join(', ')}`, values);
  },
};

export const P03: RuleDefinition = {
  code: 'P03',
  group: 'P',
  name: 'Shared phone number',
  description: 'Another account of the project has one of this user’s phone numbers.',
  requires: [],
  evaluate(f) {
    if (f.phones.length === 0) return notApplicable(NO_PHONE);
    const hits = f.phones.filter((p) => p.sharedUsers > 1);
    if (hits.length === 0) return noMatch();
    return match(
      `${plural(hits.length, 'phone number')} also used by other accounts: ${listing(hits.map(phoneLabel))}`,
      { phones: hits.map((p) => ({ phone: phoneLabel(p), sharedUsers: p.sharedUsers })) },
    );
  },
};

export const P04: RuleDefinition = {
  code: 'P04',
  group: 'P',
  name: 'Valid phone',
  description: 'The user’s latest phone number is a real, well-formed number.',
  requires: ['phone'],
  evaluate(f) {
    const p = f.lastPhone;
    if (p === null) return notApplicable(NO_PHONE);
    // tirreno counted an unchecked number as valid; an unknown stays unknown here.
    if (p.valid === null) return notApplicable('validity of the phone number is unknown');
    if (!p.valid) return noMatch({ phone: p.phone });
    return match(`valid phone number ${phoneLabel(p)}`, { phone: phoneLabel(p) });
  },
};

export const P_RULES: readonly RuleDefinition[] = Object.freeze([P01, P02, P03, P04]);
