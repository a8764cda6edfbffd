// The 112 core rules in code order, and lookup by code.
import { A_RULES } from './account-takeover.ts';
import { B_RULES } from './behaviour.ts';
import { C_RULES } from './country.ts';
import { D_RULES } from './device.ts';
import { E_RULES } from './email.ts';
import type { RuleDefinition } from './features.ts';
import { I_RULES } from './ip.ts';
import { P_RULES } from './phone.ts';
import { R_RULES } from './reuse.ts';

export const CORE_RULES: readonly RuleDefinition[] = Object.freeze([
  ...A_RULES,
  ...B_RULES,
  ...C_RULES,
  ...D_RULES,
  ...E_RULES,
  ...I_RULES,
  ...P_RULES,
  ...R_RULES,
]);

const BY_CODE: ReadonlyMap<string, RuleDefinition> = new Map(CORE_RULES.map((r) => [r.code, r]));

/** The core rule with this code (e.g. "A01"), or undefined. */
export function ruleByCode(code: string): RuleDefinition | undefined {
  return BY_CODE.get(code);
}
