// E — E-mail rules. Most look at the user's last address; E19 and E23–E26 look at every address.
// The sensor's placeholders (`broken@user.local` for an invalid address, `unknown@localhost` for
// none) are never analysed as if they were the user's mailbox; only E01 reads the validity of the
// address as sent. Facts only a remote provider knows (breaches, domain age, spam lists, Tranco
// rank, website liveness) and MX checks are null offline, which makes their rules not applicable.
import type { EmailFeature, RuleDefinition, RuleResult, UserFeatures } from './features.ts';
import {
  allOf,
  anyEmail,
  type Condition,
  daysSince,
  distinct,
  domainOf,
  is,
  match,
  NO_EMAIL,
  noMatch,
  notApplicable,
  onLastEmail,
  onLocalPart,
  realEmails,
  unknownFacts,
  wholeDays,
} from './helpers/cde.ts';

/**
 * E03: fragments typical of made-up or throwaway addresses — test and spam words, keyboard runs,
 * counting sequences and a digit repeated three times. Matched as case-insensitive substrings of
 * the whole address (local part and domain).
 */
export const SUSPICIOUS_EMAIL_FRAGMENTS: readonly string[] = Object.freeze([
  'spam',
  'test',
  'dummy',
  'fake',
  'asdf',
  'qwerty',
  '123',
  '321',
  ...Array.from({ length: 10 }, (_, d) => String(d).repeat(3)),
]);

/** E26 fallback when the appleDomain fact is unknown: Apple's mailbox domains. */
export const APPLE_MAILBOX_DOMAINS: readonly string[] = Object.freeze(['icloud.com', 'me.com', 'mac.com']);

const freeIs = (e: EmailFeature, expected: boolean): Condition => ({
  fact: 'freeProvider',
  holds: is(e.freeProvider, expected),
});

/** A condition on the domain's age in whole days, unknown while domainCreated is. */
function domainAge(e: EmailFeature, now: Date, test: (days: number) => boolean): Condition {
  const days = daysSince(now, e.domainCreated);
  return { fact: 'domainCreated', holds: days === null ? null : test(days) };
}

/** A rule on one boolean fact of the last address: match when it equals `expected`. */
function factIs(
  f: UserFeatures,
  fact: keyof Pick<
    EmailFeature,
    'freeProvider' | 'disposable' | 'hasMx' | 'dataBreach' | 'domainBlocklisted' | 'emailBlocklisted'
  >,
  expected: boolean,
  summary: (e: EmailFeature) => string,
): RuleResult {
  return onLastEmail(f, (e) => {
    const v = e[fact];
    if (v === null) return notApplicable(unknownFacts([fact]));
    if (v !== expected) return noMatch({ [fact]: v });
    return match(summary(e), { email: e.email, [fact]: v });
  });
}

export const E01: RuleDefinition = {
  code: 'E01',
  group: 'E',
  name: 'Invalid email format',
  description: 'The last e-mail address the application sent for the user is not a well-formed address.',
  requires: [],
  evaluate(f) {
    const e = f.lastEmail;
    if (e === null) return notApplicable(NO_EMAIL);
    if (e.valid === null) return notApplicable(unknownFacts(['valid']));
    if (e.valid) return noMatch();
    return match('the last e-mail address sent was not a valid address', { email: e.email, valid: false });
  },
};

export const E02: RuleDefinition = {
  code: 'E02',
  group: 'E',
  name: 'New domain and no breaches',
  description:
    'The address is at a very recently registered domain and has never appeared in a data breach: likely created for this sign-up.',
  requires: ['email', 'domain'],
  evaluate: (f, t) =>
    onLocalPart(f, (_, e) =>
      allOf(
        [
          domainAge(e, f.now, (d) => d < t.newDomainNoBreachDays),
          { fact: 'dataBreach', holds: is(e.dataBreach, false) },
        ],
        () =>
          match(
            `${e.domain} registered ${daysSince(f.now, e.domainCreated)} days ago, address never breached`,
            {
              email: e.email,
              domainAgeDays: daysSince(f.now, e.domainCreated),
              maxDays: t.newDomainNoBreachDays,
              dataBreach: false,
            },
          ),
      ),
    ),
};

export const E03: RuleDefinition = {
  code: 'E03',
  group: 'E',
  name: 'Suspicious words in email',
  description:
    'The address contains fragments typical of made-up mailboxes, such as "test", "spam" or runs of the same digit.',
  requires: [],
  evaluate: (f) =>
    onLocalPart(f, (_, e) => {
      const address = e.email.toLowerCase();
      const words = SUSPICIOUS_EMAIL_FRAGMENTS.filter((w) => address.includes(w));
      if (words.length === 0) return noMatch();
      return match(`${e.email} contains ${words.join(', ')}`, { email: e.email, words });
    }),
};

export const E04: RuleDefinition = {
  code: 'E04',
  group: 'E',
  name: 'Numeric email name',
  description: 'The part of the address before the @ is made only of digits.',
  requires: [],
  evaluate: (f) =>
    onLocalPart(f, (lp) =>
      /^[0-9]+$/.test(lp) ? match(`the mailbox name ${lp} is only digits`, { localPart: lp }) : noMatch(),
    ),
};

export const E05: RuleDefinition = {
  code: 'E05',
  group: 'E',
  name: 'Special characters in email',
  description:
    'The part of the address before the @ has two or more special characters in a row, unusual in real mailboxes.',
  requires: [],
  evaluate: (f) =>
    onLocalPart(f, (lp) => {
      // Letters and digits of any script count as ordinary characters (tirreno: ASCII only).
      const run = /[^\p{L}\p{N}]{2,}/u.exec(lp)?.[0];
      if (run === undefined) return noMatch();
      return match(`the mailbox name ${lp} has "${run}" in a row`, { localPart: lp, run });
    }),
};

export const E06: RuleDefinition = {
  code: 'E06',
  group: 'E',
  name: 'Consecutive digits in email',
  description: 'The part of the address before the @ has two or more digits in a row.',
  requires: [],
  evaluate: (f) =>
    onLocalPart(f, (lp) => {
      const digits = /[0-9]{2,}/.exec(lp)?.[0];
      if (digits === undefined) return noMatch();
      return match(`the mailbox name ${lp} has the digits ${digits} in a row`, { localPart: lp, digits });
    }),
};

export const E07: RuleDefinition = {
  code: 'E07',
  group: 'E',
  name: 'Long email username',
  description: 'The part of the address before the @ is longer than usual.',
  requires: [],
  evaluate: (f, t) =>
    onLocalPart(f, (lp) => {
      const length = [...lp].length;
      const values = { localPart: lp, length, max: t.emailMaxLocalPartLength };
      if (length <= t.emailMaxLocalPartLength) return noMatch({ length, max: t.emailMaxLocalPartLength });
      return match(`mailbox name of ${length} characters (more than ${t.emailMaxLocalPartLength})`, values);
    }),
};

export const E08: RuleDefinition = {
  code: 'E08',
  group: 'E',
  name: 'Long domain name',
  description:
    'The domain of the address is longer than usual; long domain names are cheap and often throwaway.',
  requires: [],
  evaluate: (f, t) =>
    onLastEmail(f, (e) => {
      const domain = domainOf(e);
      if (domain === '') return notApplicable('the last e-mail address has no domain');
      const length = [...domain].length;
      if (length <= t.emailMaxDomainLength) return noMatch({ length, max: t.emailMaxDomainLength });
      return match(`domain of ${length} characters (more than ${t.emailMaxDomainLength})`, {
        domain,
        length,
        max: t.emailMaxDomainLength,
      });
    }),
};

export const E09: RuleDefinition = {
  code: 'E09',
  group: 'E',
  name: 'Free email provider',
  description: 'The address is at a free mailbox provider, where anyone can open any number of mailboxes.',
  requires: ['domain'],
  evaluate: (f) => factIs(f, 'freeProvider', true, (e) => `${e.domain} is a free mailbox provider`),
};

export const E10: RuleDefinition = {
  code: 'E10',
  group: 'E',
  name: 'The website is unavailable',
  description:
    'The website of the address’s domain looks inactive, and the domain is not a free mailbox provider.',
  requires: ['domain'],
  evaluate: (f) =>
    onLastEmail(f, (e) =>
      allOf([{ fact: 'domainDisabled', holds: is(e.domainDisabled, true) }, freeIs(e, false)], () =>
        match(`the website of ${e.domain} is unavailable`, {
          domain: e.domain,
          domainDisabled: true,
          freeProvider: false,
        }),
      ),
    ),
};

export const E11: RuleDefinition = {
  code: 'E11',
  group: 'E',
  name: 'Disposable email',
  description: 'The address is at a disposable (temporary) mailbox service.',
  requires: ['email'],
  evaluate: (f) => factIs(f, 'disposable', true, (e) => `${e.domain} is a disposable mailbox service`),
};

export const E12: RuleDefinition = {
  code: 'E12',
  group: 'E',
  name: 'Free email and no breaches',
  description:
    'A free mailbox that has never appeared in a data breach: possibly opened just for this account and thrown away later.',
  requires: ['email'],
  evaluate: (f) =>
    onLastEmail(f, (e) =>
      allOf([freeIs(e, true), { fact: 'dataBreach', holds: is(e.dataBreach, false) }], () =>
        match(`free mailbox ${e.email} never breached`, {
          email: e.email,
          freeProvider: true,
          dataBreach: false,
        }),
      ),
    ),
};

export const E13: RuleDefinition = {
  code: 'E13',
  group: 'E',
  name: 'New domain',
  description: 'The domain of the address was registered recently.',
  requires: ['domain'],
  evaluate: (f, t) =>
    onLastEmail(f, (e) =>
      allOf([domainAge(e, f.now, (d) => d < t.newDomainDays)], () =>
        match(`${e.domain} registered ${daysSince(f.now, e.domainCreated)} days ago`, {
          domain: e.domain,
          domainAgeDays: daysSince(f.now, e.domainCreated),
          maxDays: t.newDomainDays,
        }),
      ),
    ),
};

export const E14: RuleDefinition = {
  code: 'E14',
  group: 'E',
  name: 'No MX record',
  description: 'The domain of the address has no mail exchanger: it cannot receive e-mail.',
  requires: ['domain'],
  evaluate: (f) => factIs(f, 'hasMx', false, (e) => `${e.domain} has no MX record`),
};

export const E15: RuleDefinition = {
  code: 'E15',
  group: 'E',
  name: 'No breaches for email',
  description: 'The address has never appeared in a data breach: it may be a freshly created mailbox.',
  requires: ['email'],
  evaluate: (f) =>
    onLocalPart(f, () => factIs(f, 'dataBreach', false, (e) => `${e.email} never appeared in a breach`)),
};

export const E16: RuleDefinition = {
  code: 'E16',
  group: 'E',
  name: 'Domain appears in spam lists',
  description: 'The domain of the address is on spam block lists.',
  requires: ['domain'],
  evaluate: (f) => factIs(f, 'domainBlocklisted', true, (e) => `${e.domain} is on spam lists`),
};

export const E17: RuleDefinition = {
  code: 'E17',
  group: 'E',
  name: 'Free email and spam',
  description: 'A free mailbox whose address is itself on spam block lists.',
  requires: ['email', 'domain'],
  evaluate: (f) =>
    onLastEmail(f, (e) =>
      allOf([freeIs(e, true), { fact: 'emailBlocklisted', holds: is(e.emailBlocklisted, true) }], () =>
        match(`free mailbox ${e.email} is on spam lists`, {
          email: e.email,
          freeProvider: true,
          emailBlocklisted: true,
        }),
      ),
    ),
};

export const E19: RuleDefinition = {
  code: 'E19',
  group: 'E',
  name: 'Multiple emails changed',
  description: 'The account has had more than one e-mail address: the user has changed it.',
  requires: [],
  evaluate(f) {
    const emails = realEmails(f);
    if (emails.length === 0) return notApplicable(NO_EMAIL);
    const addresses = distinct(emails.map((e) => e.email.toLowerCase()));
    if (addresses.length < 2) return noMatch({ emails: addresses.length });
    return match(`${addresses.length} different e-mail addresses`, { emails: addresses });
  },
};

export const E20: RuleDefinition = {
  code: 'E20',
  group: 'E',
  name: 'Established domain (> 3 year old)',
  description:
    'The address is at a domain registered years ago that is neither a free nor a disposable mailbox service: an established organisation.',
  requires: ['domain'],
  evaluate: (f, t) =>
    onLastEmail(f, (e) =>
      allOf(
        [
          domainAge(e, f.now, (d) => d > t.establishedDomainDays),
          { fact: 'disposable', holds: is(e.disposable, false) },
          freeIs(e, false),
        ],
        () =>
          match(`${e.domain} registered ${daysSince(f.now, e.domainCreated)} days ago`, {
            domain: e.domain,
            domainAgeDays: daysSince(f.now, e.domainCreated),
            minDays: t.establishedDomainDays,
          }),
      ),
    ),
};

export const E21: RuleDefinition = {
  code: 'E21',
  group: 'E',
  name: 'No vowels in email',
  description: 'The part of the address before the @ has no vowel (a, e, i, o, u), unlike most real names.',
  requires: [],
  evaluate: (f) =>
    onLocalPart(f, (lp) =>
      /[aeiou]/i.test(lp) ? noMatch() : match(`the mailbox name ${lp} has no vowel`, { localPart: lp }),
    ),
};

export const E22: RuleDefinition = {
  code: 'E22',
  group: 'E',
  name: 'No consonants in email',
  description: 'The part of the address before the @ has no consonant, unlike most real names.',
  requires: [],
  evaluate: (f) =>
    onLocalPart(f, (lp) =>
      /[bcdfghjklmnpqrstvwxyz]/i.test(lp)
        ? noMatch()
        : match(`the mailbox name ${lp} has no consonant`, { localPart: lp }),
    ),
};

/** E23–E25: the institution fact, or the domain's last label when the fact is not set. */
const institutionIs = (kind: 'edu' | 'gov' | 'mil') => (e: EmailFeature) =>
  e.institution === kind || domainOf(e).endsWith(`.${kind}`);

export const E23: RuleDefinition = {
  code: 'E23',
  group: 'E',
  name: 'Educational domain (.edu)',
  description: 'One of the user’s addresses is at an educational institution (.edu, .ac.uk and the like).',
  requires: [],
  evaluate: (f) => anyEmail(f, 'educational address', institutionIs('edu')),
};

export const E24: RuleDefinition = {
  code: 'E24',
  group: 'E',
  name: 'Government domain (.gov)',
  description: 'One of the user’s addresses is at a government body (.gov, .gouv.fr and the like).',
  requires: [],
  evaluate: (f) => anyEmail(f, 'government address', institutionIs('gov')),
};

export const E25: RuleDefinition = {
  code: 'E25',
  group: 'E',
  name: 'Military domain (.mil)',
  description: 'One of the user’s addresses is at a military domain (.mil).',
  requires: [],
  evaluate: (f) => anyEmail(f, 'military address', institutionIs('mil')),
};

export const E26: RuleDefinition = {
  code: 'E26',
  group: 'E',
  name: 'iCloud mailbox',
  description: 'One of the user’s addresses is an Apple mailbox (iCloud, me.com, mac.com).',
  requires: [],
  evaluate: (f) =>
    anyEmail(
      f,
      'Apple mailbox',
      (e) =>
        e.appleDomain === true || (e.appleDomain === null && APPLE_MAILBOX_DOMAINS.includes(domainOf(e))),
    ),
};

export const E27: RuleDefinition = {
  code: 'E27',
  group: 'E',
  name: 'Email breaches',
  description: 'The address has appeared in data breaches: an old mailbox in real use.',
  requires: ['email'],
  evaluate: (f) => factIs(f, 'dataBreach', true, (e) => `${e.email} appeared in data breaches`),
};

export const E28: RuleDefinition = {
  code: 'E28',
  group: 'E',
  name: 'No digits in email',
  description: 'The part of the address before the @ has no digit.',
  requires: [],
  evaluate: (f) =>
    onLocalPart(f, (lp) =>
      /[0-9]/.test(lp) ? noMatch() : match(`the mailbox name ${lp} has no digit`, { localPart: lp }),
    ),
};

export const E29: RuleDefinition = {
  code: 'E29',
  group: 'E',
  name: 'Old breach (>3 years)',
  description: 'One of the user’s addresses first appeared in a breach years ago: a long-lived mailbox.',
  requires: ['email'],
  evaluate(f, t) {
    const emails = realEmails(f);
    if (emails.length === 0) return notApplicable(NO_EMAIL);
    // An address never breached has no earliest breach: known, and not old.
    const known = emails.filter((e) => e.earliestBreach !== null || e.dataBreach === false);
    if (known.length === 0) return notApplicable(unknownFacts(['earliestBreach']));
    const aged = known.flatMap((e) =>
      e.earliestBreach === null ? [] : [{ email: e.email, days: wholeDays(f.now, e.earliestBreach) }],
    );
    const oldest = aged.sort((a, b) => b.days - a.days)[0];
    if (oldest === undefined || oldest.days <= t.oldBreachDays) {
      return noMatch({ oldestBreachDays: oldest?.days ?? null, minDays: t.oldBreachDays });
    }
    return match(`${oldest.email} first breached ${oldest.days} days ago`, {
      email: oldest.email,
      breachAgeDays: oldest.days,
      minDays: t.oldBreachDays,
    });
  },
};

export const E30: RuleDefinition = {
  code: 'E30',
  group: 'E',
  name: 'Domain with average rank',
  description:
    'The domain of the address is a moderately popular website (a middling Tranco rank) and not a free mailbox provider.',
  requires: ['domain'],
  evaluate: (f, t) =>
    onLastEmail(f, (e) => {
      const rank = e.trancoRank;
      const inRange = rank === null ? null : rank > t.trancoRankMin && rank < t.trancoRankMax;
      return allOf([{ fact: 'trancoRank', holds: inRange }, freeIs(e, false)], () =>
        match(`${e.domain} has Tranco rank ${rank}`, {
          domain: e.domain,
          trancoRank: rank,
          min: t.trancoRankMin,
          max: t.trancoRankMax,
        }),
      );
    }),
};

export const E_RULES: readonly RuleDefinition[] = Object.freeze([
  E01,
  E02,
  E03,
  E04,
  E05,
  E06,
  E07,
  E08,
  E09,
  E10,
  E11,
  E12,
  E13,
  E14,
  E15,
  E16,
  E17,
  E19,
  E20,
  E21,
  E22,
  E23,
  E24,
  E25,
  E26,
  E27,
  E28,
  E29,
  E30,
]);
