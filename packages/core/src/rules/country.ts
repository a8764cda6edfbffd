// C — Country rules: one of the addresses the user has connected from is located in a given
// country or region. Countries are ISO 3166-1 alpha-2 codes (tirreno used its own serials). A
// rule is not applicable until at least one of the user's IPs has a known country.
import type { RuleDefinition, RuleResult, UserFeatures } from './features.ts';
import { distinct, eventIdsWhere, match, noMatch, notApplicable } from './helpers/cde.ts';

/** The 27 member states of the European Union plus the Åland Islands (AX), as in tirreno's C12. */
export const EUROPEAN_UNION_COUNTRIES: readonly string[] = Object.freeze([
  'AT',
  'AX',
  'BE',
  'BG',
  'CY',
  'CZ',
  'DE',
  'DK',
  'EE',
  'ES',
  'FI',
  'FR',
  'GR',
  'HR',
  'HU',
  'IE',
  'IT',
  'LT',
  'LU',
  'LV',
  'MT',
  'NL',
  'PL',
  'PT',
  'RO',
  'SE',
  'SI',
  'SK',
]);

/** North America as tirreno's C13 means it: the United States and Canada. */
export const NORTH_AMERICA_COUNTRIES: readonly string[] = Object.freeze(['US', 'CA']);

export const NO_KNOWN_COUNTRY = 'no IP with a known country';

/** Any IP of the user located in one of `countries`; not applicable when no IP country is known. */
export function anyIpIn(f: UserFeatures, countries: readonly string[], where: string): RuleResult {
  const wanted = new Set(countries);
  const known = f.ips.filter((i) => i.country !== null);
  if (known.length === 0) return notApplicable(NO_KNOWN_COUNTRY);
  const hits = known.filter((i) => wanted.has((i.country ?? '').toUpperCase()));
  if (hits.length === 0) return noMatch({ countries: distinct(known.map((i) => i.country)) });
  const ipIds = new Set(hits.map((i) => i.id));
  return match(
    `${hits.length === 1 ? 'an IP' : `${hits.length} IPs`} in ${where}: ${hits.map((i) => i.ip).join(', ')}`,
    { countries: distinct(hits.map((i) => i.country)), ips: hits.map((i) => i.ip) },
    eventIdsWhere(f, (e) => ipIds.has(e.ipId)),
  );
}

function countryRule(
  code: string,
  name: string,
  description: string,
  countries: readonly string[],
  where: string,
): RuleDefinition {
  return {
    code,
    group: 'C',
    name,
    description,
    requires: ['ip'],
    evaluate: (f) => anyIpIn(f, countries, where),
  };
}

const riskier = (country: string) =>
  `The user connected from an address located in ${country}, a country the operator may consider riskier for its service.`;
const located = (region: string) =>
  `The user connected from an address located in ${region}: a neutral location fact, meant for positive or neutral weights.`;

export const C01 = countryRule('C01', 'Nigeria IP address', riskier('Nigeria'), ['NG'], 'Nigeria');
export const C02 = countryRule('C02', 'India IP address', riskier('India'), ['IN'], 'India');
export const C03 = countryRule('C03', 'China IP address', riskier('China'), ['CN'], 'China');
export const C04 = countryRule('C04', 'Brazil IP address', riskier('Brazil'), ['BR'], 'Brazil');
export const C05 = countryRule('C05', 'Pakistan IP address', riskier('Pakistan'), ['PK'], 'Pakistan');
export const C06 = countryRule('C06', 'Indonesia IP address', riskier('Indonesia'), ['ID'], 'Indonesia');
export const C07 = countryRule('C07', 'Venezuela IP address', riskier('Venezuela'), ['VE'], 'Venezuela');
export const C08 = countryRule(
  'C08',
  'South Africa IP address',
  riskier('South Africa'),
  ['ZA'],
  'South Africa',
);
export const C09 = countryRule(
  'C09',
  'Philippines IP address',
  riskier('the Philippines'),
  ['PH'],
  'the Philippines',
);
export const C10 = countryRule('C10', 'Romania IP address', riskier('Romania'), ['RO'], 'Romania');
export const C11 = countryRule('C11', 'Russia IP address', riskier('Russia'), ['RU'], 'Russia');
export const C12 = countryRule(
  'C12',
  'European IP address',
  located('the European Union (or the Åland Islands)'),
  EUROPEAN_UNION_COUNTRIES,
  'the European Union',
);
export const C13 = countryRule(
  'C13',
  'North America IP address',
  located('the United States or Canada'),
  NORTH_AMERICA_COUNTRIES,
  'North America',
);
export const C14 = countryRule('C14', 'Australia IP address', located('Australia'), ['AU'], 'Australia');
export const C15 = countryRule(
  'C15',
  'UAE IP address',
  located('the United Arab Emirates'),
  ['AE'],
  'the UAE',
);
export const C16 = countryRule('C16', 'Japan IP address', located('Japan'), ['JP'], 'Japan');

export const C_RULES: readonly RuleDefinition[] = Object.freeze([
  C01,
  C02,
  C03,
  C04,
  C05,
  C06,
  C07,
  C08,
  C09,
  C10,
  C11,
  C12,
  C13,
  C14,
  C15,
  C16,
]);
