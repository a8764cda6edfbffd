import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CORE_RULES, ruleByCode } from '../../src/rules/catalogue.ts';
import { applyPreset, BASE_PRESET, isPresetName, PRESETS, type PresetName } from '../../src/rules/presets.ts';

describe('catalogue', () => {
  test('112 core rules with unique codes, in code order', () => {
    assert.equal(CORE_RULES.length, 112);
    const codes = CORE_RULES.map((r) => r.code);
    assert.equal(new Set(codes).size, 112);
    assert.deepEqual(codes, [...codes].sort());
  });

  test('per group: A 8, B 26, C 16, D 13, E 29, I 13, P 4, R 3', () => {
    const counts: Record<string, number> = {};
    for (const r of CORE_RULES) {
      assert.equal(r.code[0], r.group, `${r.code} is in group ${r.group}`);
      assert.match(r.code, /^[A-R]\d{2}$/);
      counts[r.group] = (counts[r.group] ?? 0) + 1;
    }
    assert.deepEqual(counts, { A: 8, B: 26, C: 16, D: 13, E: 29, I: 13, P: 4, R: 3 });
    assert.equal(ruleByCode('E18'), undefined, 'E18 does not exist (numbering gap)');
  });

  test('ruleByCode', () => {
    assert.equal(ruleByCode('I04')?.name, 'Shared IP');
    assert.equal(ruleByCode('A01')?.code, 'A01');
    assert.equal(ruleByCode('X01'), undefined);
  });
});

// [key, title, number of rules, {weight → codes}], as in tirreno's preset files (spec §3).
const EXPECTED: [PresetName, string, number, Record<number, string[]>][] = [
  ['default', 'Empty rules settings', 0, {}],
  [
    'account_registration',
    'Account registration',
    35,
    {
      [-20]: ['E23', 'E24', 'E25', 'E26', 'I08', 'I10'],
      10: ['D08', 'D09', 'E07', 'E08', 'E21', 'E22', 'I05', 'I06'],
      20: [
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
      70: ['B07', 'B18', 'I01', 'R01', 'R03'],
    },
  ],
  [
    'account_takeover',
    'Account takeover',
    25,
    {
      10: ['A03', 'A04', 'A08', 'B01', 'B02', 'B03', 'B21', 'D04', 'D05', 'I03', 'I09'],
      20: ['B04', 'B05', 'B19', 'B20', 'D01'],
      70: ['A01', 'A02', 'A05', 'A06', 'B06', 'E19', 'I01', 'I04', 'R01'],
    },
  ],
  [
    'api_protection',
    'API protection',
    10,
    { 10: ['B24'], 20: ['D01'], 70: ['B04', 'B05', 'B06', 'B18', 'D03', 'D10', 'I01', 'R01'] },
  ],
  ['bot_detection', 'Bot detection', 6, { 70: ['B04', 'B05', 'B06', 'B19', 'D10', 'I01'] }],
  [
    'content_spam',
    'Content spam',
    9,
    { 20: ['B11', 'B26', 'E03', 'E04', 'E21', 'I02', 'I03'], 70: ['R01', 'R02'] },
  ],
  [
    'credential_stuffing',
    'Credential stuffing',
    9,
    { 20: ['A01', 'A02', 'B04', 'B05', 'B06', 'I02', 'I03', 'I06'], 70: ['R01'] },
  ],
  ['dormant_account', 'Dormant account', 1, { 70: ['B09'] }],
  [
    'fraud_prevention',
    'Fraud prevention',
    25,
    {
      [-20]: ['E23', 'E24', 'E25', 'E26'],
      10: ['D07', 'D08'],
      20: [
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
      70: ['I01', 'R01', 'R03'],
    },
  ],
  ['high_risk_regions', 'High-risk regions', 3, { 20: ['C01', 'C03', 'C11'] }],
  ['insider_threat', 'Insider threat', 6, { 70: ['B04', 'B05', 'B06', 'B19', 'D10', 'I01'] }],
  [
    'multi_accounting',
    'Multi-accounting',
    10,
    { 10: ['D07', 'D08', 'I09'], 20: ['B22', 'D06'], 70: ['I04', 'P03', 'R01', 'R02', 'R03'] },
  ],
  [
    'promo_abuse',
    'Promo abuse',
    12,
    { 10: ['E06'], 20: ['B12', 'D06', 'E03', 'E04', 'I02', 'I05', 'I06'], 70: ['I04', 'P03', 'R01', 'R02'] },
  ],
];

/** weight → sorted codes, from a preset's weight map (zeros left out). */
function byWeight(weights: Readonly<Record<string, number>>): Record<number, string[]> {
  const out: Record<number, string[]> = {};
  for (const [code, w] of Object.entries(weights).sort()) {
    if (w !== 0) out[w] = [...(out[w] ?? []), code];
  }
  return out;
}

describe('presets', () => {
  test('the 13 presets of tirreno, default first', () => {
    assert.deepEqual(
      Object.keys(PRESETS),
      EXPECTED.map(([k]) => k),
    );
    assert.equal(BASE_PRESET, 'default');
  });

  for (const [key, title, size, levels] of EXPECTED) {
    test(`${key}: ${size} rules with tirreno's weights`, () => {
      const p = PRESETS[key];
      assert.equal(p.name, key);
      assert.equal(p.title, title);
      assert.ok(p.description.length > 20, 'has a description');
      assert.equal(Object.keys(p.weights).length, size);
      assert.deepEqual(byWeight(p.weights), levels);
    });
  }

  test('63 distinct rules appear in at least one preset, all of them core rules', () => {
    const used = new Set(Object.values(PRESETS).flatMap((p) => Object.keys(p.weights)));
    assert.equal(used.size, 63);
    for (const code of used) assert.ok(ruleByCode(code), `${code} is a core rule`);
  });

  test('insider_threat and bot_detection carry the same weights', () =>
    assert.deepEqual(PRESETS.insider_threat.weights, PRESETS.bot_detection.weights));

  test('applyPreset gives every core rule a weight, 0 for the rules left out', () => {
    for (const [key, , size] of EXPECTED) {
      const weights = applyPreset(key);
      assert.deepEqual(Object.keys(weights).sort(), CORE_RULES.map((r) => r.code).sort());
      assert.equal(Object.values(weights).filter((w) => w !== 0).length, size, key);
      for (const [code, w] of Object.entries(PRESETS[key].weights)) assert.equal(weights[code], w);
    }
    assert.ok(Object.values(applyPreset('default')).every((w) => w === 0));
    assert.equal(applyPreset('dormant_account').B09, 70);
    assert.equal(applyPreset('dormant_account').B08, 0);
  });

  test('isPresetName and unknown names', () => {
    assert.equal(isPresetName('promo_abuse'), true);
    assert.equal(isPresetName('toString'), false);
    assert.equal(isPresetName('custom_1'), false);
    assert.throws(() => applyPreset('nope' as PresetName), /unknown rule preset: nope/);
  });
});
