// Ready-made weight sets for common use cases (tirreno's presets: same keys, same rules, same
// weights). Applying a preset replaces every weight: rules it does not name weigh 0.
import { CORE_RULES } from './catalogue.ts';
import { WEIGHTS, type WeightLevel } from './score.ts';

type Levels = Partial<Record<Exclude<WeightLevel, 'none'>, readonly string[]>>;

export interface RulePreset {
  name: string;
  title: string;
  description: string;
  /** Rule code → weight, only for the rules the preset names. */
  weights: Readonly<Record<string, number>>;
}

function preset(name: string, title: string, description: string, levels: Levels): RulePreset {
  const weights: Record<string, number> = {};
  for (const [level, codes] of Object.entries(levels) as [WeightLevel, readonly string[]][]) {
    for (const code of codes) weights[code] = WEIGHTS[level];
  }
  return Object.freeze({ name, title, description, weights: Object.freeze(weights) });
}

const LIST = [
  preset(
    'default',
    'Empty rules settings',
    'Every rule weighs 0: rules run and are shown, but nothing counts.',
    {},
  ),
  preset(
    'account_registration',
    'Account registration',
    'Screens sign-ups: throwaway-looking e-mails, bots and automation, anonymising networks and reused blacklisted items; rewards institutional e-mails and clean residential connections.',
    {
      positive: ['E23', 'E24', 'E25', 'E26', 'I08', 'I10'],
      medium: ['D08', 'D09', 'E07', 'E08', 'E21', 'E22', 'I05', 'I06'],
      high: [
        'B19',
        'B21',
        'B22',
        'B23',
        'D01',
        'D03',
        'D04',
        'D07',
        'D10',
        'E01',
        'E03',
        'E04',
        'E06',
        'I02',
        'I03',
        'I04',
      ],
      extreme: ['B07', 'B18', 'I01', 'R01', 'R03'],
    },
  ),
  preset(
    'account_takeover',
    'Account takeover',
    'Watches existing accounts for signs that someone else got in: failed logins, credential changes from new devices, countries or networks, and sudden changes of location or browser.',
    {
      medium: ['A03', 'A04', 'A08', 'B01', 'B02', 'B03', 'B21', 'D04', 'D05', 'I03', 'I09'],
      high: ['B04', 'B05', 'B19', 'B20', 'D01'],
      extreme: ['A01', 'A02', 'A05', 'A06', 'B06', 'E19', 'I01', 'I04', 'R01'],
    },
  ),
  preset(
    'api_protection',
    'API protection',
    'Guards an API: error bursts, probing of sensitive paths, HEAD requests, bots, injection-laden user agents and TOR or blacklisted addresses.',
    {
      medium: ['B24'],
      high: ['D01'],
      extreme: ['B04', 'B05', 'B06', 'B18', 'D03', 'D10', 'I01', 'R01'],
    },
  ),
  preset(
    'bot_detection',
    'Bot detection',
    'Flags automated clients: error bursts, probing of sensitive paths, night-time activity, injection-laden user agents and TOR.',
    { extreme: ['B04', 'B05', 'B06', 'B19', 'D10', 'I01'] },
  ),
  preset(
    'content_spam',
    'Content spam',
    'Catches accounts created to post spam: brand-new accounts with one-event sessions, generated-looking e-mails, abusive addresses and reused blacklisted items.',
    {
      high: ['B11', 'B26', 'E03', 'E04', 'E21', 'I02', 'I03'],
      extreme: ['R01', 'R02'],
    },
  ),
  preset(
    'credential_stuffing',
    'Credential stuffing',
    'Catches scripted login attempts with leaked passwords: failed logins, errors, probing, and traffic from servers or abusive addresses.',
    {
      high: ['A01', 'A02', 'B04', 'B05', 'B06', 'I02', 'I03', 'I06'],
      extreme: ['R01'],
    },
  ),
  preset('dormant_account', 'Dormant account', 'Flags accounts that wake up after months of silence.', {
    extreme: ['B09'],
  }),
  preset(
    'fraud_prevention',
    'Fraud prevention',
    'A general-purpose set against payment and account fraud: anonymising networks, shared identities, device juggling, generated-looking e-mails and reused blacklisted items; rewards institutional e-mails.',
    {
      positive: ['E23', 'E24', 'E25', 'E26'],
      medium: ['D07', 'D08'],
      high: [
        'B19',
        'B20',
        'B21',
        'B22',
        'E03',
        'E04',
        'E06',
        'E07',
        'E21',
        'I02',
        'I03',
        'I04',
        'I05',
        'I06',
        'I09',
        'P03',
      ],
      extreme: ['I01', 'R01', 'R03'],
    },
  ),
  preset(
    'high_risk_regions',
    'High-risk regions',
    'Raises the risk of traffic from a few countries with high fraud rates; adjust it to your own market.',
    { high: ['C01', 'C03', 'C11'] },
  ),
  preset(
    'insider_threat',
    'Insider threat',
    'Spots staff or partner accounts behaving like tools: error bursts, probing of sensitive paths, night-time activity, injection-laden user agents and TOR.',
    { extreme: ['B04', 'B05', 'B06', 'B19', 'D10', 'I01'] },
  ),
  preset(
    'multi_accounting',
    'Multi-accounting',
    'Finds people running several accounts: shared addresses and phone numbers, many devices or IPs, and reused blacklisted items.',
    {
      medium: ['D07', 'D08', 'I09'],
      high: ['D06', 'B22'],
      extreme: ['I04', 'P03', 'R01', 'R02', 'R03'],
    },
  ),
  preset(
    'promo_abuse',
    'Promo abuse',
    'Catches fresh accounts made to claim offers again: new accounts, generated-looking e-mails, shared identities, many devices and hidden networks.',
    {
      medium: ['E06'],
      high: ['B12', 'D06', 'E03', 'E04', 'I02', 'I05', 'I06'],
      extreme: ['I04', 'P03', 'R01', 'R02'],
    },
  ),
] as const;

export type PresetName =
  | 'default'
  | 'account_registration'
  | 'account_takeover'
  | 'api_protection'
  | 'bot_detection'
  | 'content_spam'
  | 'credential_stuffing'
  | 'dormant_account'
  | 'fraud_prevention'
  | 'high_risk_regions'
  | 'insider_threat'
  | 'multi_accounting'
  | 'promo_abuse';

export const BASE_PRESET: PresetName = 'default';

export const PRESETS: Readonly<Record<PresetName, RulePreset>> = Object.freeze(
  Object.fromEntries(LIST.map((p) => [p.name, p])) as Record<PresetName, RulePreset>,
);

export const isPresetName = (name: string): name is PresetName => Object.hasOwn(PRESETS, name);

/** The full weight map of a preset: every core rule code, 0 for the rules the preset leaves out. */
export function applyPreset(name: PresetName): Record<string, number> {
  if (!isPresetName(name)) throw new Error(`unknown rule preset: ${name}`);
  const chosen = PRESETS[name];
  const weights: Record<string, number> = {};
  for (const rule of CORE_RULES) weights[rule.code] = chosen.weights[rule.code] ?? 0;
  return weights;
}
