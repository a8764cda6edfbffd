// Public surface of the rule engine.
export { A_RULES } from './account-takeover.ts';
export { B_RULES } from './behaviour.ts';
export * from './catalogue.ts';
export { C_RULES } from './country.ts';
export * from './custom/index.ts';
export { D_RULES } from './device.ts';
export { E_RULES } from './email.ts';
export * from './evaluate.ts';
export * from './features.ts';
export { I_RULES, SUSPICIOUS_ASNS } from './ip.ts';
export { P_RULES } from './phone.ts';
export * from './presets.ts';
export { R_RULES } from './reuse.ts';
export * from './score.ts';
