import shell from './i18n.en.ts';

// Every string the console shows goes through t(). Each feature keeps its own English
// dictionary (features/*/i18n.en.ts); they are merged here. A test checks every key used exists.

type Dictionary = Record<string, string>;
const features = import.meta.glob<{ default: Dictionary }>('../features/*/i18n.en.ts', { eager: true });

const en: Dictionary = { ...shell };
for (const module of Object.values(features)) Object.assign(en, module.default);

/** The English text for key, with {name} placeholders filled. A missing key shows itself. */
export function t(key: string, vars: Record<string, string | number> = {}): string {
  const text = en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name: string) => (name in vars ? String(vars[name]) : `{${name}}`));
}

const numbers = new Intl.NumberFormat('en');
export function formatNumber(n: number | null | undefined): string {
  return n === null || n === undefined ? '—' : numbers.format(n);
}
