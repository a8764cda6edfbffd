// R — reuse rules: the user comes back with an IP, e-mail or phone that an operator (or
// auto-blacklisting) has already blacklisted in this project.
import type { RuleDefinition } from './features.ts';
import { listing, match, NO_IP, noMatch, notApplicable, phoneLabel, plural } from './helpers/ipr.ts';

export const R01: RuleDefinition = {
  code: 'R01',
  group: 'R',
  name: 'IP in blacklist',
  description: 'The user connected from an address that is on the project’s blacklist.',
  requires: [],
  evaluate(f) {
    if (f.ips.length === 0) return notApplicable(NO_IP);
    const hits = f.ips.filter((i) => i.blacklisted).map((i) => i.ip);
    if (hits.length === 0) return noMatch();
    return match(`${plural(hits.length, 'blacklisted IP')}: ${listing(hits)}`, { ips: hits });
  },
};

export const R02: RuleDefinition = {
  code: 'R02',
  group: 'R',
  name: 'Email in blacklist',
  description: 'The user’s latest e-mail address is on the project’s blacklist.',
  requires: [],
  evaluate(f) {
    const e = f.lastEmail;
    if (e === null) return notApplicable('no e-mail address recorded for the user');
    if (!e.blacklisted) return noMatch();
    return match(`blacklisted e-mail address ${e.email}`, { email: e.email });
  },
};

export const R03: RuleDefinition = {
  code: 'R03',
  group: 'R',
  name: 'Phone in blacklist',
  description: 'The user’s latest phone number is on the project’s blacklist.',
  requires: [],
  evaluate(f) {
    const p = f.lastPhone;
    if (p === null) return notApplicable('no phone number recorded for the user');
    if (!p.blacklisted) return noMatch();
    return match(`blacklisted phone number ${phoneLabel(p)}`, { phone: phoneLabel(p) });
  },
};

export const R_RULES: readonly RuleDefinition[] = Object.freeze([R01, R02, R03]);
